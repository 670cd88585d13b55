// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's memory of runtimes between scrapes. See rtcache.h.
 */
#include "rtcache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "runtime.h"

/* Who a process is: PID, start time, executable. */
struct rt_key {
	int pid;
	unsigned long long start;	/* clock ticks after boot */
	dev_t dev;
	ino_t ino;
};

struct rt_entry {
	struct rt_key key;
	bool used;			/* attached in the current scan */
	struct ms_runtime rt;
};

struct ms_rt_cache {
	struct rt_entry *e;		/* [0, sorted) by PID, then new ones */
	size_t n, sorted, cap;
	unsigned long hits, misses;
};

struct ms_rt_cache *ms_rt_cache_new(void)
{
	return calloc(1, sizeof(struct ms_rt_cache));
}

void ms_rt_cache_free(struct ms_rt_cache *c)
{
	if (c)
		free(c->e);
	free(c);
}

/* Field 22 of /proc/PID/stat, after the command in parentheses. */
static int read_start(const char *proc, int pid, unsigned long long *start)
{
	char path[64], *text, *p;
	size_t len;
	int field, ret = -EBADMSG;

	snprintf(path, sizeof(path), "%s/%d/stat", proc, pid);
	text = ms_read_file(path, &len);
	if (!text)
		return -errno;
	p = strrchr(text, ')');
	/* After ')': field 3 (state) and on; the 20th of them is field 22. */
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p && sscanf(p + 1, "%llu", start) == 1)
		ret = 0;
	free(text);
	return ret;
}

static int read_key(const char *proc, int pid, struct rt_key *k)
{
	char path[64];
	struct stat st;
	int ret;

	memset(k, 0, sizeof(*k));
	k->pid = pid;
	ret = read_start(proc, pid, &k->start);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%d/exe", proc, pid);
	if (stat(path, &st))
		return -errno;
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	int x = ((const struct rt_entry *)a)->key.pid;
	int y = ((const struct rt_entry *)b)->key.pid;

	return (x > y) - (x < y);
}

static struct rt_entry *find(struct ms_rt_cache *c, int pid)
{
	struct rt_entry want = { .key.pid = pid };
	size_t i;

	if (c->sorted) {
		struct rt_entry *e = bsearch(&want, c->e, c->sorted,
					     sizeof(*c->e), cmp_pid);

		if (e)
			return e;
	}
	for (i = c->sorted; i < c->n; i++)
		if (c->e[i].key.pid == pid)
			return &c->e[i];
	return NULL;
}

static bool same(const struct rt_key *a, const struct rt_key *b)
{
	return a->pid == b->pid && a->start == b->start && a->dev == b->dev &&
	       a->ino == b->ino;
}

int ms_rt_cache_attach(struct ms_rt_cache *c, const char *proc,
		       struct ms_proc *p)
{
	struct rt_entry *e;
	struct rt_key k;

	if (!ms_rt_wanted(p) || p->runtime)
		return 0;
	/* Who it is cannot be told: identify it, remember nothing. */
	if (read_key(proc, p->pid, &k))
		return ms_rt_attach(proc, p);
	p->runtime = malloc(sizeof(*p->runtime));
	if (!p->runtime)
		return -ENOMEM;
	e = find(c, p->pid);
	if (e && same(&e->key, &k)) {
		*p->runtime = e->rt;
		e->used = true;
		c->hits++;
		return 0;
	}
	ms_rt_identify(proc, p->pid, p->runtime);
	c->misses++;
	if (!e) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 16;
			struct rt_entry *grown = realloc(c->e,
							 cap * sizeof(*grown));

			if (!grown)
				return 0;	/* identified, not remembered */
			c->e = grown;
			c->cap = cap;
		}
		e = &c->e[c->n++];
	}
	e->key = k;
	e->rt = *p->runtime;
	e->used = true;
	return 0;
}

void ms_rt_cache_end_scan(struct ms_rt_cache *c)
{
	size_t i, kept = 0;

	for (i = 0; i < c->n; i++) {
		if (!c->e[i].used)
			continue;
		c->e[i].used = false;
		c->e[kept++] = c->e[i];
	}
	c->n = kept;
	if (c->n)	/* qsort() wants an array, even of none */
		qsort(c->e, c->n, sizeof(*c->e), cmp_pid);
	c->sorted = c->n;
}

void ms_rt_cache_stats(const struct ms_rt_cache *c, unsigned long *hits,
		       unsigned long *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}
