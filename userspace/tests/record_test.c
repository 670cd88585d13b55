// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the watch's recorder: step names from the counters, the
 * CSV written as samples come (read back by the timeline's parser), the
 * chart at the end, and files it cannot write.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "report.h"
#include "tap.h"

#define KB 1024ULL

static struct ms_proc proc(uint64_t rss_kb, uint64_t lazy_kb,
			   uint64_t marked_kb, uint64_t reclaimed_kb,
			   uint64_t rescued_kb, bool module)
{
	struct ms_proc p = { .pid = 42, .comm = "worker",
			     .source = module ? MS_SRC_MODULE :
						MS_SRC_ROLLUP };
	int v;

	p.val[MS_RSS] = rss_kb * KB;
	p.val[MS_LAZYFREE] = lazy_kb * KB;
	p.val[MS_MARKED] = marked_kb * KB;
	p.val[MS_RECLAIMED] = reclaimed_kb * KB;
	p.val[MS_RESCUED] = rescued_kb * KB;
	for (v = 0; v < MS_NR_VALS; v++)
		p.known[v] = module || v == MS_RSS || v == MS_LAZYFREE;
	return p;
}

static void test_steps(void)
{
	struct ms_proc a = proc(1000, 0, 0, 0, 0, true);
	struct ms_proc b = proc(1000, 500, 500, 0, 0, true);
	struct ms_proc c = proc(600, 100, 600, 400, 0, true);
	struct ms_proc d = proc(600, 100, 600, 400, 100, true);
	struct ms_proc r1 = proc(1000, 0, 0, 0, 0, false);
	struct ms_proc r2 = proc(1000, 500, 0, 0, 0, false);
	char buf[48];

	ms_recorder_step(&a, NULL, buf, sizeof(buf));
	ok(!strcmp(buf, "start"), "the first sample is the start");
	ms_recorder_step(&a, &a, buf, sizeof(buf));
	ok(!strcmp(buf, ""), "nothing counted: no step name");
	ms_recorder_step(&b, &a, buf, sizeof(buf));
	ok(!strcmp(buf, "freed"), "Marked grew: freed");
	ms_recorder_step(&c, &b, buf, sizeof(buf));
	ok(!strcmp(buf, "freed+reclaimed"), "both grew: freed+reclaimed");
	ms_recorder_step(&d, &c, buf, sizeof(buf));
	ok(!strcmp(buf, "rescued"), "Rescued grew: rescued");
	ms_recorder_step(&r2, &r1, buf, sizeof(buf));
	ok(!strcmp(buf, ""), "smaps_rollup has no counters: no step name");
	ms_recorder_step(&c, &a, buf, 6);
	ok(!strcmp(buf, "freed"), "a short buffer is cut, still a string");
}

static void test_files(void)
{
	char dir[] = "/tmp/madvstat-record-test.XXXXXX", svg[80], csv[80];
	struct ms_proc a = proc(262144, 0, 0, 0, 0, true);
	struct ms_proc b = proc(262144, 262144, 262144, 0, 0, true);
	struct ms_proc c = proc(1024, 0, 262144, 261120, 0, true);
	struct ms_recorder r;
	struct ms_sample *s = NULL;
	const char *err = NULL;
	char *out = NULL, *text;
	size_t len = 0;
	FILE *f, *errf = fopen("/dev/null", "we");
	int n;

	if (!ok(mkdtemp(dir) != NULL, "a temporary directory")) {
		fclose(errf);
		return;
	}
	snprintf(svg, sizeof(svg), "%s/chart.svg", dir);
	f = open_memstream(&out, &len);
	ok(!ms_recorder_open(&r, "-", svg, f, errf), "open: CSV to stdout");
	ok(!ms_recorder_add(&r, &a, NULL, errf) &&
	   !ms_recorder_add(&r, &b, &a, errf) &&
	   !ms_recorder_add(&r, &c, &b, errf), "three samples recorded");
	ok(!ms_recorder_close(&r, "worker", errf), "closed");
	fclose(f);
	n = ms_timeline_parse_csv(out, &s, &err);
	is(n, 3, "the CSV reads back, three samples");
	if (n == 3) {
		ok(!strcmp(s[0].step, "start") && !strcmp(s[1].step, "freed") &&
		   !strcmp(s[2].step, "reclaimed"), "steps named");
		ok(s[0].elapsed == 0 && s[2].elapsed >= s[1].elapsed,
		   "time from the first sample, ascending");
		ok(s[1].lazy_kb == 262144 && s[2].reclaimed_kb == 261120 &&
		   s[2].from_module, "values and source kept");
	}
	free(s);
	free(out);
	text = ms_read_file(svg, &len);
	ok(text && !strncmp(text, "<svg ", 5) && strstr(text, "</svg>\n") &&
	   strstr(text, ">worker<"), "the chart written at the end");
	free(text);
	unlink(svg);

	/* A file: CSV there too; without --svg, no chart kept. */
	snprintf(csv, sizeof(csv), "%s/t.csv", dir);
	ok(!ms_recorder_open(&r, csv, NULL, stdout, errf) &&
	   !ms_recorder_add(&r, &a, NULL, errf) && r.n == 0 &&
	   !ms_recorder_close(&r, "x", errf), "CSV only: no samples kept");
	text = ms_read_file(csv, &len);
	ok(text && !strncmp(text, MS_CSV_HEADER "\n0.000,start,", 30),
	   "CSV file: header and the first sample");
	free(text);
	unlink(csv);

	snprintf(svg, sizeof(svg), "%s/no/such/dir.svg", dir);
	ok(ms_recorder_open(&r, csv, svg, stdout, errf) == -1,
	   "an SVG path it cannot write fails before the watch");
	ok(access(csv, F_OK) == 0, "the CSV opened first was closed");
	unlink(csv);
	ok(ms_recorder_open(&r, svg, NULL, stdout, errf) == -1,
	   "a CSV path it cannot write fails before the watch");
	rmdir(dir);
	fclose(errf);
}

int main(void)
{
	test_steps();
	test_files();
	return tap_done();
}
