// SPDX-License-Identifier: GPL-2.0
/*
 * Sorting and per-cgroup sums for `madvstat top`.
 */
#include "toplist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const sort_names[] = {
	[MS_SORT_LAZYFREE] = "lazyfree",
	[MS_SORT_RECLAIMED] = "reclaimed",
	[MS_SORT_RSS] = "rss",
};

int ms_top_parse_sort(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
		if (!strcmp(s, sort_names[i]))
			return (int)i;
	return -1;
}

const char *ms_top_sort_name(enum ms_sort_key key)
{
	return sort_names[key];
}

/* NULL (unknown) after every path. */
int ms_top_cmp_cgroup(const char *a, const char *b)
{
	if (!a || !b)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int cmp_by(const struct ms_proc *a, const struct ms_proc *b,
		  enum ms_val val)
{
	if (a->known[val] != b->known[val])
		return a->known[val] ? -1 : 1;
	if (a->known[val] && a->val[val] != b->val[val])
		return a->val[val] > b->val[val] ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return ms_top_cmp_cgroup(a->cgroup, b->cgroup);
}

#define DEFINE_CMP(name, val)						\
static int name(const void *a, const void *b)				\
{									\
	return cmp_by(a, b, val);					\
}

static const enum ms_val sort_vals[] = {
	[MS_SORT_LAZYFREE] = MS_LAZYFREE,
	[MS_SORT_RECLAIMED] = MS_RECLAIMED,
	[MS_SORT_RSS] = MS_RSS,
};

int ms_top_cmp(const struct ms_proc *a, const struct ms_proc *b,
	       enum ms_sort_key key)
{
	return cmp_by(a, b, sort_vals[key]);
}

DEFINE_CMP(cmp_lazyfree, MS_LAZYFREE)
DEFINE_CMP(cmp_reclaimed, MS_RECLAIMED)
DEFINE_CMP(cmp_rss, MS_RSS)

void ms_top_sort(struct ms_proc *v, size_t n, enum ms_sort_key key)
{
	static int (*const cmps[])(const void *, const void *) = {
		[MS_SORT_LAZYFREE] = cmp_lazyfree,
		[MS_SORT_RECLAIMED] = cmp_reclaimed,
		[MS_SORT_RSS] = cmp_rss,
	};

	if (n > 1)
		qsort(v, n, sizeof(*v), cmps[key]);
}

static int cmp_proc_cgroup(const void *a, const void *b)
{
	const struct ms_proc *const *x = a, *const *y = b;

	return ms_top_cmp_cgroup((*x)->cgroup, (*y)->cgroup);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void ms_top_group_add(struct ms_proc *g, const struct ms_proc *p)
{
	int i;

	for (i = 0; i < MS_NR_VALS; i++) {
		g->known[i] = g->known[i] && p->known[i];
		g->val[i] = add_sat(g->val[i], p->val[i]);
	}
	g->nr_procs += p->nr_procs ? p->nr_procs : 1;
}

int ms_top_group_start(struct ms_proc *g, const struct ms_proc *p)
{
	int i;

	memset(g, 0, sizeof(*g));
	g->source = p->source;
	for (i = 0; i < MS_NR_VALS; i++)
		g->known[i] = true;
	if (p->cgroup) {
		g->cgroup = strdup(p->cgroup);
		if (!g->cgroup)
			return -ENOMEM;
	}
	return 0;
}

long ms_top_by_cgroup(const struct ms_proc *v, size_t n,
		      struct ms_proc **out)
{
	const struct ms_proc **sorted;
	struct ms_proc *groups;
	size_t i, nr = 0;

	*out = NULL;
	if (!n)
		return 0;
	sorted = calloc(n, sizeof(*sorted));
	groups = calloc(n, sizeof(*groups));
	if (!sorted || !groups)
		goto nomem;
	for (i = 0; i < n; i++)
		sorted[i] = &v[i];
	qsort(sorted, n, sizeof(*sorted), cmp_proc_cgroup);
	for (i = 0; i < n; i++) {
		if (!i || ms_top_cmp_cgroup(sorted[i]->cgroup,
					    sorted[i - 1]->cgroup)) {
			if (ms_top_group_start(&groups[nr++], sorted[i]))
				goto nomem;
		}
		ms_top_group_add(&groups[nr - 1], sorted[i]);
	}
	free(sorted);
	*out = groups;
	return (long)nr;
nomem:
	ms_top_free(groups, nr);
	free(sorted);
	return -ENOMEM;
}

void ms_top_free(struct ms_proc *v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		ms_proc_free(&v[i]);
	free(v);
}
