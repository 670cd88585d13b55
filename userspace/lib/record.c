// SPDX-License-Identifier: GPL-2.0
/*
 * The timeline of a watched process. See record.h.
 */
#include "record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

int ms_recorder_open(struct ms_recorder *r, const char *csv_path,
		     const char *svg_path, FILE *out, FILE *err)
{
	memset(r, 0, sizeof(*r));
	r->csv_path = csv_path;
	r->svg_path = svg_path;
	if (csv_path) {
		r->csv = strcmp(csv_path, "-") ? fopen(csv_path, "we") : out;
		if (!r->csv) {
			fprintf(err, "madvstat: %s: %s\n", csv_path,
				strerror(errno));
			return -1;
		}
		fprintf(r->csv, MS_CSV_HEADER "\n");
	}
	/* Opened now, so that a path it cannot write fails before the watch. */
	if (svg_path) {
		r->svg = fopen(svg_path, "we");
		if (!r->svg) {
			fprintf(err, "madvstat: %s: %s\n", svg_path,
				strerror(errno));
			if (r->csv && r->csv != out)
				fclose(r->csv);
			r->csv = NULL;
			return -1;
		}
	}
	return 0;
}

static bool grew(const struct ms_proc *p, const struct ms_proc *prev,
		 enum ms_val v)
{
	return p->known[v] && prev->known[v] && p->val[v] > prev->val[v];
}

void ms_recorder_step(const struct ms_proc *p, const struct ms_proc *prev,
		      char *buf, size_t size)
{
	static const struct {
		enum ms_val v;
		const char *word;
	} events[] = {
		{ MS_MARKED, "freed" },
		{ MS_RECLAIMED, "reclaimed" },
		{ MS_RESCUED, "rescued" },
		{ MS_RESCUED_PINNED, "rescued" },
		{ MS_DROPPED, "dropped" },
	};
	size_t i, len = 0;

	if (!size)
		return;
	buf[0] = '\0';
	if (!prev) {
		snprintf(buf, size, "start");
		return;
	}
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (!grew(p, prev, events[i].v) ||
		    (len && strstr(buf, events[i].word)))
			continue;
		snprintf(buf + len, size - len, "%s%s", len ? "+" : "",
			 events[i].word);
		len = strlen(buf);
	}
}

int ms_recorder_add(struct ms_recorder *r, const struct ms_proc *p,
		    const struct ms_proc *prev, FILE *err)
{
	struct ms_sample s = { 0 };
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!prev)
		r->start = now;		/* time 0 is the first sample */
	s.elapsed = (double)(now.tv_sec - r->start.tv_sec) +
		    (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
	ms_recorder_step(p, prev, s.step, sizeof(s.step));
	ms_sample_set(&s, p);
	if (r->csv) {
		ms_sample_csv(r->csv, &s);
		if (fflush(r->csv)) {
			fprintf(err, "madvstat: %s: %s\n", r->csv_path,
				strerror(errno));
			return -1;
		}
	}
	if (!r->svg)
		return 0;
	if (r->n == r->cap) {
		int cap = r->cap ? 2 * r->cap : 64;
		struct ms_sample *grown = realloc(r->samples,
						  (size_t)cap * sizeof(s));

		if (!grown) {
			fprintf(err, "madvstat: out of memory keeping samples for the chart\n");
			return -1;
		}
		r->samples = grown;
		r->cap = cap;
	}
	r->samples[r->n++] = s;
	return 0;
}

int ms_recorder_close(struct ms_recorder *r, const char *title, FILE *err)
{
	int ret = 0;

	if (r->svg) {
		ms_chart_svg(r->svg, r->samples, r->n, title);
		if (fclose(r->svg)) {
			fprintf(err, "madvstat: %s: %s\n", r->svg_path,
				strerror(errno));
			ret = -1;
		}
	}
	/* Standard output is flushed, and closed by the caller. */
	if (r->csv && strcmp(r->csv_path, "-") && fclose(r->csv)) {
		fprintf(err, "madvstat: %s: %s\n", r->csv_path,
			strerror(errno));
		ret = -1;
	}
	free(r->samples);
	memset(r, 0, sizeof(*r));
	return ret;
}
