// SPDX-License-Identifier: GPL-2.0
/*
 * Timeline samples: reading, printing, CSV and SVG. See timeline.h.
 */
#include "timeline.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"
#include "size.h"

static int64_t ms_sample_kb(const struct ms_proc *p, enum ms_val v)
{
	return p->known[v] ? (int64_t)(p->val[v] >> 10) : -1;
}

int ms_sample_read(pid_t pid, struct ms_sample *s)
{
	struct ms_proc p;
	int err = ms_proc_collect("/proc", true, (int)pid, false, &p, NULL);

	s->from_module = !err;
	/* No module, or not allowed to read it: what smaps_rollup has. */
	if (err)
		err = ms_proc_collect("/proc", false, (int)pid, false, &p, NULL);
	if (err)
		return err;
	s->rss_kb = ms_sample_kb(&p, MS_RSS);
	s->anon_kb = ms_sample_kb(&p, MS_RSS_ANON);
	s->lazy_kb = ms_sample_kb(&p, MS_LAZYFREE);
	s->dirty_kb = ms_sample_kb(&p, MS_LAZYFREE_DIRTY);
	s->reclaimed_kb = ms_sample_kb(&p, MS_RECLAIMED);
	ms_proc_free(&p);
	return 0;
}

/* A size in kB as ms_size_str() writes it, or "-" when unknown (-1). */
static const char *ms_sample_size(int64_t kb, char *buf, size_t size)
{
	if (kb < 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	/* Saturated: a value read back from CSV may be beyond 16 EiB. */
	return ms_size_str((uint64_t)kb > UINT64_MAX >> 10 ? UINT64_MAX :
			   (uint64_t)kb << 10, buf, size);
}

void ms_sample_print_header(FILE *f)
{
	fprintf(f, "%8s  %-22s %10s %10s %10s %13s %10s  %s\n", "elapsed",
		"step", "Rss", "RssAnon", "LazyFree", "LazyFreeDirty",
		"Reclaimed", "source");
}

void ms_sample_print(FILE *f, const struct ms_sample *s)
{
	char a[5][MS_SIZE_STR_LEN];

	fprintf(f, "%7.3fs  %-22s %10s %10s %10s %13s %10s  %s\n",
		s->elapsed, s->step,
		ms_sample_size(s->rss_kb, a[0], sizeof(a[0])),
		ms_sample_size(s->anon_kb, a[1], sizeof(a[1])),
		ms_sample_size(s->lazy_kb, a[2], sizeof(a[2])),
		ms_sample_size(s->dirty_kb, a[3], sizeof(a[3])),
		ms_sample_size(s->reclaimed_kb, a[4], sizeof(a[4])),
		s->from_module ? "madvstat" : "smaps_rollup");
	fflush(f);
}

static void ms_csv_num(FILE *f, int64_t v)
{
	if (v >= 0)
		fprintf(f, "%ld", (long)v);
	fputc(',', f);
}

/* Steps are our own words: no commas or quotes to escape. */
void ms_sample_csv(FILE *f, const struct ms_sample *s)
{
	fprintf(f, "%.3f,%s,", s->elapsed, s->step);
	ms_csv_num(f, s->rss_kb);
	ms_csv_num(f, s->anon_kb);
	ms_csv_num(f, s->lazy_kb);
	ms_csv_num(f, s->dirty_kb);
	ms_csv_num(f, s->reclaimed_kb);
	fprintf(f, "%s\n", s->from_module ? "madvstat" : "smaps_rollup");
}

/* One CSV cell of a number: empty means unknown (-1). */
static int ms_csv_cell(char **p, int64_t *v)
{
	char *end, *comma = strchr(*p, ',');

	if (!comma)
		return -1;
	*comma = '\0';
	if (**p == '\0') {
		*v = -1;
	} else {
		errno = 0;
		*v = strtoll(*p, &end, 10);
		if (errno || *end || *v < 0)
			return -1;
	}
	*p = comma + 1;
	return 0;
}

static int ms_csv_line(char *line, struct ms_sample *s)
{
	char *p = line, *end, *comma;

	memset(s, 0, sizeof(*s));
	errno = 0;
	s->elapsed = strtod(p, &end);
	if (errno || end == p || *end != ',')
		return -1;
	p = end + 1;
	comma = strchr(p, ',');
	if (!comma || (size_t)(comma - p) >= sizeof(s->step))
		return -1;
	memcpy(s->step, p, (size_t)(comma - p));
	p = comma + 1;
	if (ms_csv_cell(&p, &s->rss_kb) || ms_csv_cell(&p, &s->anon_kb) ||
	    ms_csv_cell(&p, &s->lazy_kb) || ms_csv_cell(&p, &s->dirty_kb) ||
	    ms_csv_cell(&p, &s->reclaimed_kb))
		return -1;
	if (!strcmp(p, "madvstat"))
		s->from_module = true;
	else if (strcmp(p, "smaps_rollup"))
		return -1;
	return 0;
}

int ms_timeline_parse_csv(const char *text, struct ms_sample **out,
			  const char **err)
{
	char *copy = strdup(text), *line, *save = NULL;
	struct ms_sample *s = NULL, *grown;
	int n = 0, cap = 0;

	*out = NULL;
	if (!copy) {
		*err = "out of memory";
		return -1;
	}
	line = strtok_r(copy, "\n", &save);
	if (!line || strcmp(line, MS_CSV_HEADER)) {
		*err = "missing or wrong CSV header";
		goto fail;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			grown = realloc(s, (size_t)cap * sizeof(*s));
			if (!grown) {
				*err = "out of memory";
				goto fail;
			}
			s = grown;
		}
		if (ms_csv_line(line, &s[n])) {
			*err = "malformed CSV line";
			goto fail;
		}
		n++;
	}
	free(copy);
	*out = s;
	return n;
fail:
	free(copy);
	free(s);
	return -1;
}

static void ms_xml_text(FILE *f, const char *s)
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

#define SVG_W	900
#define SVG_H	420
#define PLOT_X	70
#define PLOT_Y	40
#define PLOT_W	(SVG_W - PLOT_X - 170)
#define PLOT_H	(SVG_H - PLOT_Y - 60)

struct ms_series {
	const char *name;
	const char *color;
	size_t offset;		/* of the int64_t field in ms_sample */
};

static const struct ms_series ms_series[] = {
	{ "Rss", "#1f77b4", offsetof(struct ms_sample, rss_kb) },
	{ "LazyFree", "#ff7f0e", offsetof(struct ms_sample, lazy_kb) },
	{ "LazyFreeDirty", "#9467bd", offsetof(struct ms_sample, dirty_kb) },
	{ "Reclaimed", "#2ca02c", offsetof(struct ms_sample, reclaimed_kb) },
};

static int64_t ms_field(const struct ms_sample *s, size_t offset)
{
	int64_t v;

	memcpy(&v, (const char *)s + offset, sizeof(v));
	return v;
}

/* The first word of a step: "reclaim 3" and "reclaim 4" are one phase. */
static size_t ms_phase_len(const char *step)
{
	return strcspn(step, " ");
}

void ms_timeline_svg(FILE *f, const struct ms_sample *s, int n,
		     const char *title)
{
	double tmax = n ? s[n - 1].elapsed : 0, ymax = 1, last_label = -100;
	size_t k;
	int i;

	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(ms_series) / sizeof(ms_series[0]); k++)
			if (ms_field(&s[i], ms_series[k].offset) / 1024.0 > ymax)
				ymax = ms_field(&s[i], ms_series[k].offset) / 1024.0;
	if (tmax <= 0)
		tmax = 1;
	ymax *= 1.1;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, SVG_H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"15\">", PLOT_X);
	ms_xml_text(f, title);
	fprintf(f, "</text>\n");
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
		PLOT_X, PLOT_Y, PLOT_W, PLOT_H);
	for (i = 0; i <= 4; i++) {
		double y = PLOT_Y + PLOT_H - PLOT_H * i / 4.0;

		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f MiB</text>\n",
			PLOT_X - 6, y + 4, ymax * i / 4.0);
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n",
			PLOT_X, y, PLOT_X + PLOT_W, y);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds (0 to %.1f)</text>\n",
		PLOT_X + PLOT_W / 2, SVG_H - 12, tmax);

	/* Where each phase begins; a label too close to the last is left out. */
	for (i = 0; i < n; i++) {
		double x = PLOT_X + PLOT_W * s[i].elapsed / tmax;
		size_t len = ms_phase_len(s[i].step);

		if (i && len == ms_phase_len(s[i - 1].step) &&
		    !strncmp(s[i].step, s[i - 1].step, len))
			continue;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ccc\" stroke-dasharray=\"3,3\"/>\n",
			x, PLOT_Y, x, PLOT_Y + PLOT_H);
		if (x < last_label + 14)
			continue;
		last_label = x;
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" transform=\"rotate(90 %.1f %d)\">",
			x + 2, PLOT_Y + 4, x + 2, PLOT_Y + 4);
		ms_xml_text(f, s[i].step);
		fprintf(f, "</text>\n");
	}

	for (k = 0; k < sizeof(ms_series) / sizeof(ms_series[0]); k++) {
		bool any = false;

		for (i = 0; i < n; i++) {
			int64_t v = ms_field(&s[i], ms_series[k].offset);

			if (v < 0)
				continue;
			if (!any)
				fprintf(f, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"",
					ms_series[k].color);
			any = true;
			fprintf(f, "%.1f,%.1f ",
				PLOT_X + PLOT_W * s[i].elapsed / tmax,
				PLOT_Y + PLOT_H - PLOT_H * (v / 1024.0) / ymax);
		}
		if (any)
			fprintf(f, "\"/>\n");
		fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"14\" height=\"4\" fill=\"%s\"/>\n",
			PLOT_X + PLOT_W + 16, PLOT_Y + 10 + 20 * k,
			ms_series[k].color);
		fprintf(f, "<text x=\"%d\" y=\"%zu\">%s%s</text>\n",
			PLOT_X + PLOT_W + 36, PLOT_Y + 15 + 20 * k,
			ms_series[k].name, any ? "" : " (n/a)");
	}
	fprintf(f, "</svg>\n");
}
