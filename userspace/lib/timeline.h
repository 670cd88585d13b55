/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A timeline of one process's memory: samples taken from
 * /proc/madvstat/<pid> when the module is loaded, else from
 * /proc/<pid>/smaps_rollup; printed one line per step, written as CSV and
 * read back from CSV. chart.h draws it.
 */
#ifndef MADVSTAT_TIMELINE_H
#define MADVSTAT_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "procinfo.h"

/* Sizes in kB; -1 when the source does not have the value. */
struct ms_sample {
	double elapsed;		/* seconds since the timeline started */
	char step[48];
	int64_t rss_kb, anon_kb, lazy_kb, dirty_kb, reclaimed_kb;
	bool from_module;	/* else from smaps_rollup */
};

/* p's values into s (elapsed and step untouched). */
void ms_sample_set(struct ms_sample *s, const struct ms_proc *p);

/* Read pid's values into s (elapsed and step untouched). 0 or -errno. */
int ms_sample_read(pid_t pid, struct ms_sample *s);

void ms_sample_print_header(FILE *f);
/* One line of the timeline: sizes as ms_size_str() writes them, "-" unknown. */
void ms_sample_print(FILE *f, const struct ms_sample *s);

#define MS_CSV_HEADER \
	"elapsed_s,step,rss_kb,rss_anon_kb,lazyfree_kb,lazyfree_dirty_kb,reclaimed_kb,source"

void ms_sample_csv(FILE *f, const struct ms_sample *s);

/* The latest elapsed_s a CSV may give: a century (and never inf or nan). */
#define MS_ELAPSED_MAX	(100 * 365.25 * 86400)

/*
 * Parse CSV text as written above (header first). Returns the number of
 * samples stored in *out (malloc()ed), or -1 with *err set.
 */
int ms_timeline_parse_csv(const char *text, struct ms_sample **out,
			  const char **err);

#endif /* MADVSTAT_TIMELINE_H */
