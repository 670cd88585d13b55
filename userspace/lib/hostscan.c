// SPDX-License-Identifier: GPL-2.0
/*
 * One scan of the host for the exporter; see hostscan.h.
 */
#include "hostscan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "naming.h"
#include "proctable.h"
#include "rtcache.h"
#include "runtime.h"
#include "toplist.h"

struct scan {
	const struct ms_scan_opts *o;
	struct ms_host *h;
};

/* Where path is among the cgroups (sorted), or where it would go. */
static size_t find_cgroup(const struct ms_host *h, const char *path,
			  bool *found)
{
	size_t lo = 0, hi = h->nr_cgroups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ms_top_cmp_cgroup(h->cgroups[mid].sum.cgroup, path);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int add_to_cgroup(struct scan *s, const struct ms_proc *p)
{
	struct ms_host *h = s->h;
	struct ms_cgroup_stats *g;
	bool found;
	size_t i = find_cgroup(h, p->cgroup, &found);

	if (!found) {
		if (h->nr_cgroups == s->o->max_cgroups) {
			h->cgroups_omitted++;
			return 0;
		}
		/* The array is allocated whole at the first process. */
		memmove(&h->cgroups[i + 1], &h->cgroups[i],
			(h->nr_cgroups - i) * sizeof(*h->cgroups));
		memset(&h->cgroups[i], 0, sizeof(*h->cgroups));
		h->nr_cgroups++;
		if (ms_top_group_start(&h->cgroups[i].sum, p))
			return -ENOMEM;
	}
	g = &h->cgroups[i];
	ms_top_group_add(&g->sum, p);
	return 0;
}

/* Keep p if it is among the top_n by LazyFree so far. */
static int add_to_top(struct scan *s, struct ms_proc *p)
{
	struct ms_host *h = s->h;
	size_t n = s->o->top_n, i;

	if (!n || !p->known[MS_LAZYFREE] || !p->val[MS_LAZYFREE])
		return 0;
	if (h->nr_top == n) {
		if (ms_top_cmp(p, &h->top[n - 1], MS_SORT_LAZYFREE) >= 0)
			return 0;
		ms_proc_free(&h->top[--h->nr_top]);
	}
	for (i = h->nr_top; i && ms_top_cmp(p, &h->top[i - 1],
					    MS_SORT_LAZYFREE) < 0; i--)
		h->top[i] = h->top[i - 1];
	h->top[i] = *p;
	h->nr_top++;
	p->cgroup = NULL;	/* h->top[i]'s now */
	p->cgname = NULL;
	return 0;
}

static int add_process(void *arg, struct ms_proc *p)
{
	struct scan *s = arg;
	struct ms_host *h = s->h;
	int ret;

	if (s->o->cgroup_root && *s->o->cgroup_root && p->cgroup) {
		char *abs = ms_cgroup_join(s->o->cgroup_root, p->cgroup);

		if (abs) {	/* else it climbs above the root: kept */
			free(p->cgroup);
			p->cgroup = abs;
		}
	}

	if (!h->cgroups) {
		h->cgroups = calloc(s->o->max_cgroups ? s->o->max_cgroups : 1,
				    sizeof(*h->cgroups));
		h->top = calloc(s->o->top_n ? s->o->top_n : 1,
				sizeof(*h->top));
		if (!h->cgroups || !h->top)
			return -ENOMEM;
	}
	ret = add_to_cgroup(s, p);
	if (ret)
		return ret;
	return add_to_top(s, p);
}

static void read_cgroup_files(const struct ms_scan_opts *o,
			      struct ms_cgroup_stats *g, long page)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct ms_cgroup_mem m;
	uint64_t v;
	char *text;

	if (ms_cgroup_dir(o->cgroupfs, g->sum.cgroup, dir, sizeof(dir)))
		return;
	ms_cgroup_read_mem(dir, &m);
	g->current_known = !m.current_err;
	g->current = m.current;
	g->max_known = !m.max_err;
	g->max = m.max;
	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	text = ms_read_file(path, NULL);
	if (!text)
		return;
	if (!ms_cgroup_stat_get(text, "pglazyfree", &v) &&
	    v <= UINT64_MAX / (uint64_t)page) {
		g->pglazyfree = v * (uint64_t)page;
		if (!ms_cgroup_stat_get(text, "pglazyfreed", &v) &&
		    v <= UINT64_MAX / (uint64_t)page) {
			g->pglazyfreed = v * (uint64_t)page;
			g->stat_known = true;
		}
	}
	free(text);
}

static int read_summary(const struct ms_scan_opts *o, struct ms_host *h,
			const char **detail)
{
	char path[PATH_MAX];
	unsigned int line;
	size_t len, n;
	char *text;
	int ret;

	snprintf(path, sizeof(path), "%s/madvstat/summary", o->proc);
	text = ms_read_file(path, &len);
	if (!text) {
		*detail = "reading /proc/madvstat/summary";
		return -errno;
	}
	ret = ms_report_parse(text, len, &h->summary, detail, &line);
	free(text);
	if (ret)
		return -EBADMSG;
	n = strcspn(h->summary.tracking, ", ");
	if (n >= sizeof(h->tracking_state))
		n = sizeof(h->tracking_state) - 1;
	memcpy(h->tracking_state, h->summary.tracking, n);
	h->tracking_state[n] = '\0';
	return 0;
}

/* What runs in each cgroup kept, and in the cgroups of the top. */
static int name_cgroups(const struct ms_scan_opts *o, struct ms_host *h)
{
	struct ms_namer nm;
	size_t i;
	int ret = 0;

	ms_namer_init(&nm, o->logdir);
	for (i = 0; !ret && i < h->nr_cgroups; i++)
		ret = ms_namer_name(&nm, &h->cgroups[i].sum);
	for (i = 0; !ret && i < h->nr_top; i++)
		ret = ms_namer_name(&nm, &h->top[i]);
	h->logs_err = ms_namer_logs_error(&nm, h->logs_dir,
					  sizeof(h->logs_dir));
	ms_namer_free(&nm);
	return ret;
}

int ms_host_scan(const struct ms_scan_opts *o, struct ms_host *h,
		 const char **detail)
{
	struct scan s;
	char path[PATH_MAX];
	struct ms_table t;
	long page = sysconf(_SC_PAGESIZE);
	size_t i;
	int ret;

	memset(h, 0, sizeof(*h));
	s.o = o;
	s.h = h;
	*detail = "";
	snprintf(path, sizeof(path), "%s/madvstat", o->proc);
	h->module = !access(path, F_OK);
	if (!h->module)
		return 0;
	ms_table_init(&t, add_process, &s);
	ret = ms_table_read(&t, o->proc, detail);
	if (ret) {
		if (ret != -EBADMSG)
			*detail = ret == -ENOENT ?
				"reading /proc/madvstat/processes (a module older than this madvstat has none)" :
				"reading /proc/madvstat/processes";
		return ret;
	}
	h->unreadable = t.unreadable;
	ret = read_summary(o, h, detail);
	if (ret)
		return ret;
	for (i = 0; i < h->nr_cgroups; i++)
		read_cgroup_files(o, &h->cgroups[i], page > 0 ? page : 4096);
	if (name_cgroups(o, h)) {
		*detail = "naming the cgroups";
		return -ENOMEM;
	}
	for (i = 0; i < h->nr_top; i++)
		if (o->rt_cache ?
		    ms_rt_cache_attach(o->rt_cache, o->proc, &h->top[i]) :
		    ms_rt_attach(o->proc, &h->top[i]))
			return -ENOMEM;
	if (o->rt_cache)
		ms_rt_cache_end_scan(o->rt_cache);
	h->up = true;
	return 0;
}

void ms_host_free(struct ms_host *h)
{
	ms_top_free(h->top, h->nr_top);
	h->top = NULL;
	h->nr_top = 0;
	if (h->cgroups) {
		size_t i;

		for (i = 0; i < h->nr_cgroups; i++)
			ms_proc_free(&h->cgroups[i].sum);
		free(h->cgroups);
	}
	h->cgroups = NULL;
	h->nr_cgroups = 0;
	ms_report_free(&h->summary);
}

int ms_host_cgroup_root(const char *proc, const char *cgroupfs, long pid,
			char **root)
{
	char path[PATH_MAX], found[PATH_MAX];
	char *text, *own;
	int ret;

	*root = NULL;
	snprintf(path, sizeof(path), "%s/self/cgroup", proc);
	text = ms_read_file(path, NULL);
	own = text ? ms_proc_parse_cgroup(text) : NULL;
	free(text);
	if (!own || strcmp(own, "/")) {
		free(own);
		*root = strdup("");
		return *root ? 0 : -ENOMEM;
	}
	free(own);
	ret = ms_cgroup_find_pid(cgroupfs, pid, found, sizeof(found));
	if (ret)
		return ret;
	*root = strdup(found);
	return *root ? 0 : -ENOMEM;
}

bool ms_host_summary(const struct ms_host *h, const char *name, uint64_t *v)
{
	const struct ms_field *f = h->up ? ms_report_field(&h->summary, name) :
				   NULL;

	if (!f || f->value < 0)
		return false;
	if (f->is_kb)
		return ms_field_bytes(f, v);
	*v = (uint64_t)f->value;
	return true;
}
