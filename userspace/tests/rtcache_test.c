// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the exporter's runtime cache on a fixture /proc: a process
 * identified once is taken from the cache while it is the same program,
 * identified again after an exec (another executable file) or as another
 * process (another start time), forgotten when a scan leaves it out; a
 * process whose identity cannot be read is identified, not remembered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "rtcache.h"
#include "runtime.h"
#include "tap.h"

static char root[] = "/tmp/madvstat-rtcache-test.XXXXXX";
static char proc[64];

/* Process pid, started at tick start, its command name with blanks. */
static void put_stat(int pid, unsigned long long start)
{
	char rel[32], text[256];

	snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
	snprintf(text, sizeof(text),
		 "%d (a) b (c)) S 1 %d %d 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 %llu 1000000 200 18446744073709551615\n",
		 pid, pid, pid, start);
	fixture_put(root, rel, text);
}

/* A new executable file for pid (a new inode: what an exec gives). */
static void put_exe(int pid, const char *text)
{
	char rel[32], from[128], to[128];

	/* Written beside it, then renamed over it: never the same inode. */
	snprintf(rel, sizeof(rel), "proc/%d/exe.new", pid);
	fixture_put(root, rel, text);
	snprintf(from, sizeof(from), "%s/%s", root, rel);
	snprintf(to, sizeof(to), "%s/proc/%d/exe", root, pid);
	if (rename(from, to))
		printf("# cannot rename %s\n", from);
	snprintf(rel, sizeof(rel), "proc/%d/maps", pid);
	fixture_put(root, rel, "");
}

static struct ms_proc lazy_proc(int pid, bool lazy)
{
	struct ms_proc p = { .pid = pid };

	p.known[MS_LAZYFREE] = true;
	p.val[MS_LAZYFREE] = lazy ? 1 << 20 : 0;
	return p;
}

/* Attach pid in a scan of its own; the stats after it. */
static void scan_one(struct ms_rt_cache *c, int pid, unsigned long *hits,
		     unsigned long *misses, struct ms_runtime *out)
{
	struct ms_proc p = lazy_proc(pid, true);

	if (ms_rt_cache_attach(c, proc, &p) || !p.runtime)
		printf("# attach of %d failed\n", pid);
	else if (out)
		*out = *p.runtime;
	ms_rt_cache_end_scan(c);
	ms_rt_cache_stats(c, hits, misses);
	ms_proc_free(&p);
}

int main(void)
{
	struct ms_rt_cache *c = ms_rt_cache_new();
	struct ms_runtime direct, cached;
	unsigned long hits, misses;
	struct ms_proc p;

	if (!mkdtemp(root) || !c)
		return 1;
	snprintf(proc, sizeof(proc), "%s/proc", root);
	put_stat(100, 5000);
	put_exe(100, "#!/bin/sh\necho not elf\n");
	put_stat(200, 6000);
	put_exe(200, "#!/bin/sh\necho not elf either\n");

	scan_one(c, 100, &hits, &misses, &cached);
	ok(hits == 0 && misses == 1, "first scan: identified");
	ms_rt_identify(proc, 100, &direct);
	ok(!memcmp(&direct, &cached, sizeof(direct)),
	   "what is remembered is what identifying gives");
	memset(&cached, 0, sizeof(cached));
	scan_one(c, 100, &hits, &misses, &cached);
	ok(hits == 1 && misses == 1, "same program: from the cache");
	ok(!memcmp(&direct, &cached, sizeof(direct)),
	   "from the cache: the same identification");

	put_exe(100, "#!/bin/sh\nexec'd\n");
	scan_one(c, 100, &hits, &misses, NULL);
	ok(hits == 1 && misses == 2, "after an exec (new executable): again");
	put_stat(100, 7000);
	scan_one(c, 100, &hits, &misses, NULL);
	ok(hits == 1 && misses == 3, "another process, same PID: again");
	scan_one(c, 100, &hits, &misses, NULL);
	ok(hits == 2 && misses == 3, "and then from the cache");

	scan_one(c, 200, &hits, &misses, NULL);
	scan_one(c, 100, &hits, &misses, NULL);
	ok(hits == 2 && misses == 5,
	   "a process a scan left out is forgotten");

	p = lazy_proc(100, false);
	ok(!ms_rt_cache_attach(c, proc, &p) && !p.runtime,
	   "nothing lazily freed: not identified");
	ms_proc_free(&p);
	p = lazy_proc(300, true);
	ok(!ms_rt_cache_attach(c, proc, &p) && p.runtime &&
	   p.runtime->kind == MS_RT_UNKNOWN,
	   "no stat to tell who it is: identified all the same");
	ms_proc_free(&p);
	ms_rt_cache_end_scan(c);
	ms_rt_cache_stats(c, &hits, &misses);
	ok(hits == 2 && misses == 5, "and not remembered");

	ms_rt_cache_free(c);
	/* UBSan stops the test here if an empty cache reaches qsort(). */
	c = ms_rt_cache_new();
	if (ok(c != NULL, "another new cache")) {
		ms_rt_cache_end_scan(c);
		ms_rt_cache_end_scan(c);
		ms_rt_cache_stats(c, &hits, &misses);
		ok(hits == 0 && misses == 0, "scans of no process, from new");
	}
	ms_rt_cache_free(c);
	fixture_remove(root);
	return tap_done();
}
