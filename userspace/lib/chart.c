// SPDX-License-Identifier: GPL-2.0
/*
 * The SVG chart of a timeline. See chart.h.
 */
#include "chart.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"

#define SVG_W		960
#define SVG_H		450
#define PLOT_X		90
#define PLOT_Y		44
#define PLOT_W		(SVG_W - PLOT_X - 200)
#define PLOT_H		(SVG_H - PLOT_Y - 80)
#define PLOT_BOTTOM	(PLOT_Y + PLOT_H)
/* The narrowest an interval between samples is drawn, in pixels. */
#define MIN_STEP_PX	24.0
/* Time tick labels closer than this to the previous one are left out. */
#define TICK_GAP_PX	48.0
#define KIB		1024ULL

struct series {
	const char *name;
	const char *color;
	size_t offset;		/* of the int64_t kB field in ms_sample */
};

static const struct series series[] = {
	{ "Rss", "#1f77b4", offsetof(struct ms_sample, rss_kb) },
	{ "LazyFree", "#ff7f0e", offsetof(struct ms_sample, lazy_kb) },
	{ "LazyFreeDirty", "#9467bd", offsetof(struct ms_sample, dirty_kb) },
	{ "Reclaimed", "#2ca02c", offsetof(struct ms_sample, reclaimed_kb) },
};
#define NR_SERIES (sizeof(series) / sizeof(series[0]))

/* A series' value in bytes (saturated), or -1 when unknown. */
static double value_bytes(const struct ms_sample *s, const struct series *d)
{
	int64_t kb;

	memcpy(&kb, (const char *)s + d->offset, sizeof(kb));
	if (kb < 0)
		return -1;
	return (uint64_t)kb > UINT64_MAX / KIB ? (double)UINT64_MAX :
						 (double)kb * KIB;
}

void ms_chart_size_axis(uint64_t max_bytes, uint64_t *step, int *intervals)
{
	uint64_t st = KIB, n;

	for (;; st *= 2) {
		n = max_bytes / st + (max_bytes % st != 0);
		if (n <= 5)
			break;
	}
	*step = st;
	*intervals = n ? (int)n : 1;
}

double ms_chart_time_step(double tmax)
{
	static const double steps[] = {
		0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
		1, 2, 5, 10, 15, 30,
		60, 120, 300, 600, 900, 1800,
		3600, 7200, 10800, 21600, 43200, 86400,
	};
	double days;
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (tmax / steps[i] <= 8)
			return steps[i];
	/* Whole days beyond (a double that large is whole already). */
	days = tmax / 8 / 86400 + 1;
	return 86400 * (days < 1e15 ? (double)(long long)days : days);
}

/*
 * Where time goes on the x axis. The chart starts at time 0; interval i
 * ends at sample i (interval 0 from time 0 to the first sample), begins at
 * x[i] - w[i] and is w[i] pixels wide: its duration times one scale, or,
 * if it is one of the short ones (mark_short()), up to MIN_STEP_PX: then
 * it is "widened".
 */
struct xaxis {
	int n;
	const struct ms_sample *s;
	double *x, *w;
	bool *widened;
	bool any_widened;
};

static double t_at(const struct xaxis *a, int i)
{
	return i < 0 ? 0 : a->s[i].elapsed;
}

/* The duration of interval i; never negative, whatever the CSV said. */
static double dur(const struct xaxis *a, int i)
{
	double d = t_at(a, i) - t_at(a, i - 1);

	return d > 0 ? d : 0;
}

/* The width of every interval at scale px_per_s, the short ones min_px. */
static double total_width(const struct xaxis *a, double px_per_s,
			  double min_px)
{
	double sum = 0;
	int i;

	for (i = 0; i < a->n; i++) {
		double w = dur(a, i) * px_per_s;

		sum += a->widened[i] && w < min_px ? min_px : w;
	}
	return sum;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/*
 * Mark the intervals that may be widened, return how many: those too short
 * to see at a linear scale; but when most are (samples denser than the
 * pixels), only those shorter than a quarter of the median interval, the
 * bursts. Interval 0, from time 0 to the first sample, is no step.
 */
static int mark_short(struct xaxis *a, double tmax)
{
	double px_per_s = PLOT_W / tmax, *d, limit;
	int i, narrow = 0, marked = 0;

	for (i = 1; i < a->n; i++)
		narrow += dur(a, i) * px_per_s < MIN_STEP_PX;
	if (narrow * 5 <= (a->n - 1) * 4) {
		limit = MIN_STEP_PX / px_per_s;
	} else {
		d = malloc(sizeof(*d) * (size_t)(a->n - 1));
		if (!d)
			return 0;	/* linear: still a true chart */
		for (i = 1; i < a->n; i++)
			d[i - 1] = dur(a, i);
		qsort(d, (size_t)(a->n - 1), sizeof(*d), cmp_double);
		limit = d[(a->n - 1) / 2] / 4;
		free(d);
	}
	for (i = 1; i < a->n; i++) {
		a->widened[i] = dur(a, i) < limit;
		marked += a->widened[i];
	}
	return marked;
}

static int xaxis_init(struct xaxis *a, const struct ms_sample *s, int n)
{
	double tmax = 0, min_px = 0, lo = 0, hi, scale, x = PLOT_X;
	int i, k, nr_short;

	memset(a, 0, sizeof(*a));
	a->n = n;
	a->s = s;
	a->x = calloc((size_t)n + 1, sizeof(*a->x));
	a->w = calloc((size_t)n + 1, sizeof(*a->w));
	a->widened = calloc((size_t)n + 1, sizeof(*a->widened));
	if (!a->x || !a->w || !a->widened)
		return -1;
	for (i = 0; i < n; i++)
		tmax += dur(a, i);
	if (tmax <= 0) {
		/* No time passed: the samples side by side. */
		for (i = 0; i < n; i++)
			a->x[i] = n > 1 ? PLOT_X + (double)PLOT_W * i / (n - 1) :
					  PLOT_X + PLOT_W / 2.0;
		return 0;
	}
	/* The short intervals may take a third of the plot at most. */
	nr_short = mark_short(a, tmax);
	if (nr_short) {
		min_px = PLOT_W / 3.0 / nr_short;
		if (min_px > MIN_STEP_PX)
			min_px = MIN_STEP_PX;
	}
	/* The scale at which the widened intervals and the rest fill it. */
	hi = PLOT_W / tmax;
	for (k = 0; k < 60; k++) {
		double mid = (lo + hi) / 2;

		if (total_width(a, mid, min_px) > PLOT_W)
			hi = mid;
		else
			lo = mid;
	}
	scale = lo;
	for (i = 0; i < n; i++) {
		a->w[i] = dur(a, i) * scale;
		if (a->widened[i] && a->w[i] < min_px)
			a->w[i] = min_px;
		else
			a->widened[i] = false;
		a->any_widened |= a->widened[i];
		x += a->w[i];
		a->x[i] = x;
	}
	return 0;
}

static void xaxis_free(struct xaxis *a)
{
	free(a->x);
	free(a->w);
	free(a->widened);
}

/* The x of time t: within its interval, in proportion. */
static double x_of(const struct xaxis *a, double t)
{
	int i;

	for (i = 0; i < a->n; i++) {
		double d = dur(a, i);

		if (t <= t_at(a, i) || i == a->n - 1) {
			double into = d > 0 ? (t - t_at(a, i - 1)) / d : 1;

			if (into < 0)
				into = 0;
			if (into > 1)
				into = 1;
			return a->x[i] - a->w[i] + into * a->w[i];
		}
	}
	return PLOT_X;
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A time for an axis: the unit follows the whole timeline's length. */
static void time_str(double t, double tmax, char *buf, size_t size)
{
	if (tmax < 1)
		snprintf(buf, size, "%g ms", t * 1000);
	else if (tmax < 600)
		snprintf(buf, size, "%g s", t);
	else if (tmax < 3 * 3600)
		snprintf(buf, size, "%g min", t / 60);
	else if (tmax < 72 * 3600)
		snprintf(buf, size, "%g h", t / 3600);
	else
		snprintf(buf, size, "%g d", t / 86400);
}

/* How long a widened band took: "<1 ms", "37 ms", "1.2 s". */
static void duration_str(double d, char *buf, size_t size)
{
	if (d < 0.001)
		snprintf(buf, size, "<1 ms");
	else if (d < 1)
		snprintf(buf, size, "%.0f ms", d * 1000);
	else
		snprintf(buf, size, "%.1f s", d);
}

static void draw_size_axis(FILE *f, uint64_t step, int intervals)
{
	char label[MS_SIZE_STR_LEN];
	int i;

	for (i = 0; i <= intervals; i++) {
		double y = PLOT_BOTTOM - (double)PLOT_H * i / intervals;
		uint64_t v = step * (uint64_t)i;

		/* Only a top of 16 EiB overflows: it is shown as such. */
		if (i && v / (uint64_t)i != step)
			v = UINT64_MAX;
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
			PLOT_X, y, PLOT_X + PLOT_W, y);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			PLOT_X - 6, y + 4,
			ms_size_str_axis(v, label, sizeof(label)));
	}
}

/* Grey bands over the widened intervals, each with what it really took. */
static void draw_widened(FILE *f, const struct xaxis *a)
{
	char label[32];
	int i, j;

	for (i = 1; i < a->n; i = j) {
		double x0, x1, d = 0;

		if (!a->widened[i]) {
			j = i + 1;
			continue;
		}
		for (j = i; j < a->n && a->widened[j]; j++)
			d += dur(a, j);
		x0 = a->x[i] - a->w[i];
		x1 = a->x[j - 1];
		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#efefef\"/>\n",
			x0, PLOT_Y, x1 - x0, PLOT_H);
		if (x1 - x0 < 30)
			continue;
		duration_str(d, label, sizeof(label));
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#666\" text-anchor=\"middle\">%s</text>\n",
			(x0 + x1) / 2, PLOT_BOTTOM + 32, label);
	}
}

static void draw_time_axis(FILE *f, const struct xaxis *a)
{
	double tmax = a->n ? t_at(a, a->n - 1) : 0, step, t, last = -1e9;
	char label[32];
	int k;

	if (tmax <= 0)
		return;
	step = ms_chart_time_step(tmax);
	for (k = 0; (t = k * step) <= tmax * (1 + 1e-9); k++) {
		double x = x_of(a, t);

		if (x - last < TICK_GAP_PX)
			continue;
		last = x;
		time_str(t, tmax, label, sizeof(label));
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>\n",
			x, PLOT_BOTTOM, x, PLOT_BOTTOM + 5);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			x, PLOT_BOTTOM + 18, label);
	}
}

/* The first word of a step: "reclaim 3" and "reclaim 4" are one phase. */
static size_t phase_len(const char *step)
{
	return strcspn(step, " ");
}

/* A dashed line where each named phase begins, and its name. */
static void draw_phases(FILE *f, const struct xaxis *a)
{
	double last_label = -100;
	int i;

	for (i = 0; i < a->n; i++) {
		const char *step = a->s[i].step;
		size_t len = phase_len(step);
		double x = a->x[i];

		if (!*step || (i && len == phase_len(a->s[i - 1].step) &&
			       !strncmp(step, a->s[i - 1].step, len)))
			continue;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#bbb\" stroke-dasharray=\"3,3\"/>\n",
			x, PLOT_Y, x, PLOT_BOTTOM);
		if (x < last_label + 14)
			continue;
		last_label = x;
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#444\" transform=\"rotate(90 %.1f %d)\">",
			x + 3, PLOT_Y + 4, x + 3, PLOT_Y + 4);
		xml_text(f, step);
		fprintf(f, "</text>\n");
	}
}

/*
 * One series as steps: it holds its value until the next sample, then
 * jumps. An unknown value breaks the line. Returns whether any was known.
 */
static bool draw_series(FILE *f, const struct xaxis *a, const struct series *d,
			double top)
{
	double prev_y = 0;
	bool open = false, any = false;
	int i;

	for (i = 0; i < a->n; i++) {
		double v = value_bytes(&a->s[i], d);
		double y = PLOT_BOTTOM - PLOT_H * v / top;

		if (v < 0) {
			if (open)
				fprintf(f, "\"/>\n");
			open = false;
			continue;
		}
		if (!open) {
			fprintf(f, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"",
				d->color);
			fprintf(f, "%.1f,%.1f", a->x[i], y);
		} else {
			fprintf(f, " %.1f,%.1f %.1f,%.1f", a->x[i], prev_y,
				a->x[i], y);
		}
		open = any = true;
		prev_y = y;
	}
	if (open)
		fprintf(f, "\"/>\n");
	return any;
}

static void legend_entry(FILE *f, int row, const char *color, int height,
			 const char *text, const char *note)
{
	int y = PLOT_Y + 10 + 20 * row;

	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"%d\" fill=\"%s\"/>\n",
		PLOT_X + PLOT_W + 16, y + 2 - height / 2, height, color);
	fprintf(f, "<text x=\"%d\" y=\"%d\">%s%s</text>\n",
		PLOT_X + PLOT_W + 36, y + 6, text, note);
}

/* Where the values came from, in words. */
static const char *source_str(const struct ms_sample *s, int n)
{
	bool module = false, rollup = false;
	int i;

	for (i = 0; i < n; i++) {
		module |= s[i].from_module;
		rollup |= !s[i].from_module;
	}
	if (module && rollup)
		return "values from /proc/madvstat and smaps_rollup";
	if (rollup)
		return "values from smaps_rollup (no LazyFreeDirty, no Reclaimed)";
	return "values from /proc/madvstat";
}

void ms_chart_svg(FILE *f, const struct ms_sample *s, int n,
		  const char *title)
{
	uint64_t max_bytes = 0, step;
	struct xaxis a;
	int intervals, i;
	size_t k;

	/* value_bytes() saturates at 2^64, one past what uint64_t holds. */
	for (i = 0; i < n; i++)
		for (k = 0; k < NR_SERIES; k++) {
			double v = value_bytes(&s[i], &series[k]);

			if (v >= 0x1p64)
				max_bytes = UINT64_MAX;
			else if (v > (double)max_bytes)
				max_bytes = (uint64_t)v;
		}
	ms_chart_size_axis(max_bytes, &step, &intervals);
	if (xaxis_init(&a, s, n)) {
		/* Out of memory: the chart of no samples says so. */
		xaxis_free(&a);
		n = 0;
		xaxis_init(&a, s, 0);
	}

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, SVG_H, SVG_W, SVG_H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"20\" font-size=\"15\">", PLOT_X);
	xml_text(f, title);
	fprintf(f, "</text>\n");
	fprintf(f, "<text x=\"%d\" y=\"36\" font-size=\"11\" fill=\"#666\">%s%s</text>\n",
		PLOT_X, n ? source_str(s, n) : "no samples",
		n ? "; each value held until the next sample" : "");
	draw_widened(f, &a);
	draw_size_axis(f, step, intervals);
	draw_phases(f, &a);
	for (k = 0; k < NR_SERIES; k++) {
		bool any = draw_series(f, &a, &series[k],
				       (double)step * intervals);

		legend_entry(f, (int)k, series[k].color, 4, series[k].name,
			     any ? "" : " (n/a)");
	}
	if (a.any_widened) {
		legend_entry(f, (int)NR_SERIES + 1, "#efefef", 14,
			     "short steps, widened;", "");
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\">real time below the axis</text>\n",
			PLOT_X + PLOT_W + 36, PLOT_Y + 10 + 20 * ((int)NR_SERIES + 2) + 2);
	}
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
		PLOT_X, PLOT_Y, PLOT_W, PLOT_H);
	draw_time_axis(f, &a);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time since the first sample</text>\n",
		PLOT_X + PLOT_W / 2, SVG_H - 14);
	fprintf(f, "</svg>\n");
	xaxis_free(&a);
}
