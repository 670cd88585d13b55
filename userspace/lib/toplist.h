/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The list `madvstat top` shows: processes (or cgroups) sorted by one value,
 * and the per-cgroup sums. Pure functions on arrays of struct ms_proc.
 */
#ifndef MADVSTAT_TOPLIST_H
#define MADVSTAT_TOPLIST_H

#include <stddef.h>

#include "procinfo.h"

enum ms_sort_key {
	MS_SORT_LAZYFREE,
	MS_SORT_RECLAIMED,
	MS_SORT_RSS,
};

/* "lazyfree", "reclaimed" or "rss"; -1 for anything else. */
int ms_top_parse_sort(const char *s);
const char *ms_top_sort_name(enum ms_sort_key key);

/*
 * Sort descending by key; an unknown value sorts below every known one;
 * ties go by ascending PID, then by cgroup path.
 */
void ms_top_sort(struct ms_proc *v, size_t n, enum ms_sort_key key);

/* Whether a goes before b in ms_top_sort()'s order: <0, 0 or >0. */
int ms_top_cmp(const struct ms_proc *a, const struct ms_proc *b,
	       enum ms_sort_key key);

/* Cgroup paths in order; NULL (unknown) after every path. */
int ms_top_cmp_cgroup(const char *a, const char *b);

/*
 * A cgroup's sum, started from its first process p (g gets a copy of
 * p's cgroup; -ENOMEM), then each process added (p included): every value
 * the sum, known only if known in every process.
 */
int ms_top_group_start(struct ms_proc *g, const struct ms_proc *p);
void ms_top_group_add(struct ms_proc *g, const struct ms_proc *p);

/*
 * One entry per cgroup v2 path (the processes whose cgroup is unknown make
 * one entry with a NULL cgroup): pid 0, nr_procs processes, each value the
 * sum, known only if known in every process. Returns the number of entries,
 * in a malloc()ed array to release with ms_top_free(), or -ENOMEM.
 */
long ms_top_by_cgroup(const struct ms_proc *v, size_t n,
		      struct ms_proc **out);

/* ms_proc_free() every entry, then free the array. */
void ms_top_free(struct ms_proc *v, size_t n);

#endif /* MADVSTAT_TOPLIST_H */
