// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the timeline: CSV written and read back, malformed CSV
 * refused, lines printed. chart_test.c tests the chart.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "timeline.h"

static char *csv_of(const struct ms_sample *s, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	fprintf(f, MS_CSV_HEADER "\n");
	for (i = 0; i < n; i++)
		ms_sample_csv(f, &s[i]);
	fclose(f);
	return buf;
}

static void test_roundtrip(void)
{
	struct ms_sample in[2] = {
		{ 0.0, "start", 1536, 108, 0, 0, 0, true },
		{ 1.25, "reclaim 2 (64M)", 67072, 65644, 49088, -1, -1, false },
	}, *out;
	const char *err = NULL;
	char *text = csv_of(in, 2);
	int n = ms_timeline_parse_csv(text, &out, &err);

	is(n, 2, "two samples read back");
	if (n == 2) {
		ok(!strcmp(out[1].step, "reclaim 2 (64M)"), "step kept");
		is(out[0].rss_kb, 1536, "rss kept");
		is(out[1].lazy_kb, 49088, "lazyfree kept");
		is(out[1].dirty_kb, -1, "unknown stays unknown");
		is(out[1].reclaimed_kb, -1, "unknown reclaimed stays unknown");
		ok(out[0].from_module && !out[1].from_module, "source kept");
		ok(out[1].elapsed > 1.24 && out[1].elapsed < 1.26, "time kept");
	}
	free(out);
	free(text);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"elapsed_s,step\n",
		MS_CSV_HEADER "\nx,start,1,1,1,1,1,madvstat\n",
		MS_CSV_HEADER "\n0.1,start,1,1,1,1,madvstat\n",
		MS_CSV_HEADER "\n0.1,start,1,1,-5,1,1,madvstat\n",
		MS_CSV_HEADER "\n0.1,start,1,1,1,1,1,somewhere\n",
		MS_CSV_HEADER "\n0.1,start,1,1,1z,1,1,madvstat\n",
		/* Times the chart cannot place (the fuzzer's 1.9e32 s). */
		MS_CSV_HEADER "\n188888888888888888888888888888888.2,x,1,1,1,1,1,madvstat\n",
		MS_CSV_HEADER "\ninf,start,1,1,1,1,1,madvstat\n",
		MS_CSV_HEADER "\nnan,start,1,1,1,1,1,madvstat\n",
		MS_CSV_HEADER "\n-1,start,1,1,1,1,1,madvstat\n",
	};
	const char *err;
	struct ms_sample *out;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		is(ms_timeline_parse_csv(bad[i], &out, &err), -1,
		   "malformed CSV refused");
		ok(err != NULL, "with a reason");
	}
}

static void test_print(void)
{
	struct ms_sample s[2] = {
		{ 0.5, "freed", 3 << 20, 1536, 1023, 0, -1, true },
		{ 1.0, "huge", INT64_MAX, 0, 0, 0, 0, false },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ms_sample_print(f, &s[0]);
	ms_sample_print(f, &s[1]);
	fclose(f);
	ok(strstr(buf, " 3.0 GiB ") != NULL, "a timeline size in GiB");
	ok(strstr(buf, " 1.5 MiB ") != NULL, "a timeline size in MiB");
	ok(strstr(buf, " 1023.0 KiB ") != NULL, "a timeline size in KiB");
	ok(strstr(buf, " 0 B ") != NULL, "a timeline size of nothing");
	ok(strstr(buf, " -  madvstat\n") != NULL, "unknown is -");
	ok(strstr(buf, " 16.0 EiB ") != NULL, "beyond 16 EiB saturates");
	free(buf);
}

int main(void)
{
	test_roundtrip();
	test_malformed();
	test_print();
	return tap_done();
}
