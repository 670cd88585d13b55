// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the SVG chart: round size axis values, time ticks, values
 * drawn as steps, short steps widened and labelled with their real
 * duration, unknown values, and the edges (no sample, one, no time).
 * chart_render_test.sh renders the charts.
 */
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "tap.h"

#define MB (1024ULL * 1024)
#define GB (1024 * MB)

static void test_size_axis(void)
{
	static const struct {
		uint64_t max;
		uint64_t step;
		int intervals;
	} cases[] = {
		{ 0, 1024, 1 },
		{ 1024, 1024, 1 },
		{ 256 * MB, 64 * MB, 4 },	/* 0, 64, 128, 192, 256 MiB */
		{ 256 * MB + 1, 64 * MB, 5 },
		{ 100 * MB, 32 * MB, 4 },
		{ 65 * MB, 16 * MB, 5 },
		{ 3 * GB, GB, 3 },
		{ UINT64_MAX, 1ULL << 62, 4 },
	};
	char what[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t step;
		int n;

		ms_chart_size_axis(cases[i].max, &step, &n);
		snprintf(what, sizeof(what),
			 "size axis up to %llu: step %llu, %d intervals",
			 (unsigned long long)cases[i].max,
			 (unsigned long long)cases[i].step, cases[i].intervals);
		if (!ok(step == cases[i].step && n == cases[i].intervals, what))
			printf("#   got step %llu, %d intervals\n",
			       (unsigned long long)step, n);
	}
}

static void test_time_step(void)
{
	static const struct {
		double tmax, step;
	} cases[] = {
		{ 0.05, 0.01 }, { 0.9, 0.2 }, { 7.8, 1 }, { 10.1, 2 },
		{ 45, 10 }, { 600, 120 }, { 3 * 3600, 1800 },
		{ 86400, 10800 }, { 30 * 86400, 4 * 86400 },
	};
	char what[80];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double got = ms_chart_time_step(cases[i].tmax);

		snprintf(what, sizeof(what), "time ticks over %g s: every %g s",
			 cases[i].tmax, cases[i].step);
		if (!ok(got - cases[i].step < 1e-9 && cases[i].step - got < 1e-9,
			 what))
			printf("#   got %g\n", got);
	}
}

static char *svg_of(const struct ms_sample *s, int n, const char *title)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ms_chart_svg(f, s, n, title);
	fclose(f);
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (s = strstr(s, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

/* The points of the first polyline of color, how many; -1 if none. */
static int points_of(const char *svg, const char *color)
{
	char key[64];
	const char *p, *end;
	int n = 0;

	snprintf(key, sizeof(key), "stroke=\"%s\" points=\"", color);
	p = strstr(svg, key);
	if (!p)
		return -1;
	p += strlen(key);
	end = strchr(p, '"');
	for (; p < end; p++)
		n += *p == ',';
	return n;
}

/* Every number after x=, y=, x1= ... and in points lies on the canvas. */
static bool all_on_canvas(const char *svg)
{
	const char *p;

	for (p = svg; (p = strpbrk(p, "=, ")); p++) {
		char *end;
		double v;

		if (p[1] == '"')
			p++;
		v = strtod(p + 1, &end);
		if (end == p + 1)
			continue;
		if (v != v || v < -1 || v > 961)
			return false;
	}
	return true;
}

/* madvfree-repro under cgroup pressure in a 6.12 guest, as make demo. */
static const struct ms_sample demo[] = {
	{ 0.056, "start", 856, 72, 0, 0, 0, true },
	{ 3.397, "touched", 263000, 262216, 0, 0, 0, true },
	{ 3.404, "freed MADV_FREE", 263000, 262216, 262144, 0, 0, true },
	{ 3.587, "rewrote 25%", 263000, 262216, 196608, 65536, 0, true },
	{ 4.589, "hold 1s", 263000, 262216, 196608, 65536, 0, true },
	{ 5.592, "hold 2s", 263000, 262216, 196608, 65536, 0, true },
	{ 6.594, "hold 3s", 263000, 262216, 196608, 65536, 0, true },
	{ 7.595, "hold 4s", 263000, 262216, 196608, 65536, 0, true },
	{ 7.669, "reclaim 1 (65536K)", 197464, 196680, 131072, 65536, 65536,
	  true },
	{ 7.722, "reclaim 2 (65536K)", 131928, 131144, 65536, 65536, 131072,
	  true },
	{ 7.778, "reclaim 3 (65536K)", 66392, 65608, 0, 65536, 196608, true },
	{ 7.813, "reclaim 4 (65536K)", 66392, 65608, 0, 0, 196608, true },
	{ 7.814, "after pressure", 66392, 65608, 0, 0, 196608, true },
	{ 7.833, "unmapped", 856, 72, 0, 0, 196608, true },
};
#define NR_DEMO ((int)(sizeof(demo) / sizeof(demo[0])))

static void test_demo(void)
{
	char *svg = svg_of(demo, NR_DEMO, "rewritten");

	ok(!strncmp(svg, "<svg ", 5) && strstr(svg, "</svg>\n"),
	   "demo: an SVG document");
	ok(strstr(svg, ">0 B<") && strstr(svg, ">64 MiB<") &&
	   strstr(svg, ">128 MiB<") && strstr(svg, ">192 MiB<") &&
	   strstr(svg, ">256 MiB<") && strstr(svg, ">320 MiB<"),
	   "demo: size axis 0 B to 320 MiB every 64 MiB");
	ok(!strstr(svg, ">64.0 MiB<"), "demo: axis values without decimals");
	ok(strstr(svg, ">0 s<") && strstr(svg, ">1 s<") &&
	   strstr(svg, ">7 s<"), "demo: time ticks every second");
	is(points_of(svg, "#1f77b4"), 1 + 2 * (NR_DEMO - 1),
	   "demo: Rss drawn as steps, two points a sample after the first");
	is(count(svg, "fill=\"#efefef\""), 3,
	   "demo: two bands of widened steps, and the legend's swatch");
	ok(strstr(svg, ">238 ms<") != NULL,
	   "demo: the reclaim steps' band says they took 238 ms");
	ok(strstr(svg, ">190 ms<") != NULL,
	   "demo: the free and rewrite band says 190 ms");
	ok(strstr(svg, ">reclaim 1 (65536K)<") && !strstr(svg, ">reclaim 2"),
	   "demo: one label per phase");
	ok(strstr(svg, ">hold 1s<") && !strstr(svg, ">hold 2s<"),
	   "demo: hold is one phase");
	ok(all_on_canvas(svg), "demo: every coordinate on the canvas");
	is(count(svg, "<text"), count(svg, "</text>"), "text elements closed");
	free(svg);
}

static void test_uniform(void)
{
	struct ms_sample s[600];
	char *svg;
	int i;

	for (i = 0; i < 600; i++) {
		s[i] = (struct ms_sample){ 2.0 * i, "", 100 * 1024, 90 * 1024,
					   i % 50 * 1024, -1, -1, false };
	}
	svg = svg_of(s, 600, "watch");
	ok(!strstr(svg, "#efefef"), "samples every 2 s: nothing widened");
	ok(strstr(svg, ">0 min<") && strstr(svg, ">5 min<") &&
	   strstr(svg, ">15 min<"), "20 minutes: ticks every 5 minutes");
	ok(strstr(svg, ">128 MiB<") && strstr(svg, ">96 MiB<") &&
	   !strstr(svg, ">160 MiB<"), "100 MiB: axis to 128 MiB");
	ok(strstr(svg, "LazyFreeDirty (n/a)") &&
	   strstr(svg, "Reclaimed (n/a)"), "unknown series marked n/a");
	ok(strstr(svg, "from smaps_rollup") != NULL, "source named");
	is(count(svg, "stroke-dasharray"), 0, "no step names: no phase lines");
	ok(all_on_canvas(svg), "uniform: every coordinate on the canvas");
	free(svg);
}

static void test_gaps(void)
{
	struct ms_sample s[4] = {
		{ 0, "start", 2048, 0, 1024, 0, 0, true },
		{ 1, "", 2048, 0, -1, 0, 0, true },
		{ 2, "", 2048, 0, 1024, 0, 0, true },
		{ 3, "", 2048, 0, 1024, 0, 0, true },
	};
	char *svg = svg_of(s, 4, "gaps <&>");

	is(count(svg, "stroke=\"#ff7f0e\" points="), 2,
	   "an unknown value breaks the line in two");
	ok(strstr(svg, "gaps &lt;&amp;&gt;") != NULL, "title escaped");
	free(svg);
}

static void test_edges(void)
{
	struct ms_sample one = { 0, "start", 4096, 0, 0, 0, 0, true };
	struct ms_sample same[3] = {
		{ 1, "a", 1024, 0, 0, 0, 0, true },
		{ 1, "b", 2048, 0, 0, 0, 0, true },
		{ 1, "c", 1024, 0, 0, 0, 0, true },
	};
	struct ms_sample back[3] = {
		{ 5, "a", 1024, 0, 0, 0, 0, true },
		{ 2, "b", 2048, 0, 0, 0, 0, true },
		{ 7, "c", INT64_MAX, 0, 0, 0, 0, true },
	};
	char *svg;

	svg = svg_of(NULL, 0, "none");
	ok(strstr(svg, "no samples") && strstr(svg, "</svg>"),
	   "no samples: an empty chart that says so");
	free(svg);
	svg = svg_of(&one, 1, "one");
	ok(points_of(svg, "#1f77b4") == 1 && all_on_canvas(svg),
	   "one sample: one point");
	free(svg);
	svg = svg_of(same, 3, "same");
	ok(points_of(svg, "#1f77b4") == 5 && all_on_canvas(svg),
	   "no time between samples: side by side");
	free(svg);
	svg = svg_of(back, 3, "back");
	ok(all_on_canvas(svg) && strstr(svg, ">16 EiB<"),
	   "time going back and a saturated value stay on the canvas");
	free(svg);
}

int main(void)
{
	test_size_axis();
	test_time_step();
	test_demo();
	test_uniform();
	test_gaps();
	test_edges();
	return tap_done();
}
