/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The timeline of a watched process (madvstat --watch): each sample
 * appended to a CSV file as it is taken, the SVG chart of them all drawn
 * when the watch ends. The CSV is madvfree-repro's (timeline.h), so
 * timeline-svg draws it too.
 */
#ifndef MADVSTAT_RECORD_H
#define MADVSTAT_RECORD_H

#include <stdio.h>
#include <time.h>

#include "procinfo.h"
#include "timeline.h"

struct ms_recorder {
	FILE *csv;			/* NULL: no CSV */
	FILE *svg;			/* NULL: no chart */
	const char *csv_path, *svg_path;
	struct ms_sample *samples;	/* kept for the chart */
	int n, cap;
	struct timespec start;		/* of the first sample */
};

/*
 * Open the files the watch writes: csv_path ("-": standard output, out)
 * and svg_path, each NULL for none. 0, or -1 with the reason on err.
 */
int ms_recorder_open(struct ms_recorder *r, const char *csv_path,
		     const char *svg_path, FILE *out, FILE *err);

/*
 * What happened between two samples, from the cumulative counters:
 * "freed" (Marked grew), "reclaimed", "rescued" (written again, so kept),
 * "dropped", joined by '+'; "" when none did or they are not known;
 * "start" when there is no previous sample.
 */
void ms_recorder_step(const struct ms_proc *p, const struct ms_proc *prev,
		      char *buf, size_t size);

/* Record p, the sample after prev (NULL: the first). 0, or -1 on err. */
int ms_recorder_add(struct ms_recorder *r, const struct ms_proc *p,
		    const struct ms_proc *prev, FILE *err);

/* Draw the chart under title, close the files. 0, or -1 on err. */
int ms_recorder_close(struct ms_recorder *r, const char *title, FILE *err);

#endif /* MADVSTAT_RECORD_H */
