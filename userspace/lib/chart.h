/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVG chart of a timeline (timeline.h): Rss, LazyFree, LazyFreeDirty
 * and Reclaimed over time, each held at its value until the next sample.
 *
 * The size axis counts in powers of two (0, 64, 128, 192, 256 MiB). The
 * time axis is linear except where samples come faster than the chart can
 * show: an interval too short to see is drawn a few pixels wide, on a grey
 * band that says how long it really took, so that steps of milliseconds
 * after minutes of waiting stay visible.
 */
#ifndef MADVSTAT_CHART_H
#define MADVSTAT_CHART_H

#include <stdint.h>
#include <stdio.h>

#include "timeline.h"

/* Draw the n samples s (elapsed ascending) under title. */
void ms_chart_svg(FILE *f, const struct ms_sample *s, int n,
		  const char *title);

/*
 * The size axis for values up to max_bytes: a power of two *step (at least
 * 1 KiB) and the number of intervals, 1 to 5, that reach max_bytes.
 */
void ms_chart_size_axis(uint64_t max_bytes, uint64_t *step, int *intervals);

/*
 * Seconds between time ticks for a timeline tmax seconds long: 1, 2 or 5
 * times a power of ten below a minute, then whole minutes and hours (1, 2,
 * 5, 10, 15, 30); about 4 to 10 ticks.
 */
double ms_chart_time_step(double tmax);

#endif /* MADVSTAT_CHART_H */
