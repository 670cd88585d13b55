// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `madvstat explain PID`, run end to end on a fixture tree
 * standing in for /proc and /sys/fs/cgroup: a cgroup limit that reclaim
 * of the lazily freed memory keeps safe, one at real risk, no limit, no
 * module (smaps_rollup), nothing lazily freed, and bad arguments.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdrun.h"
#include "fixture.h"
#include "tap.h"

/* /proc/madvstat/<pid> of a process with lazy MiB lazily freed. */
static void put_module(const char *root, int pid, unsigned int lazy)
{
	const unsigned int anon = 262144, rss = anon + 8192, lf = lazy << 10;
	char rel[64], text[1024];

	snprintf(text, sizeof(text),
		 "Pid:               %d\n"
		 "Name:          app%d\n"
		 "Rss:             %u kB\n"
		 "RssAnon:         %u kB\n"
		 "LazyFree:        %u kB\n"
		 "LazyFreeDirty:    4096 kB\n"
		 "RssEffective:    %u kB\n"
		 "Marked:          %u kB\n"
		 "Reclaimed:         1024 kB\n"
		 "Rescued:              0 kB\n"
		 "RescuedPinned:        0 kB\n"
		 "Dropped:              0 kB\n"
		 "Tracking:      live, since process start\n"
		 "\n",
		 pid, pid, rss, anon, lf, rss - lf, lf);
	snprintf(rel, sizeof(rel), "proc/madvstat/%d", pid);
	fixture_put(root, rel, text);
}

/* Process pid named app<pid> in cgroup /app.slice/<unit>. */
static void put_proc(const char *root, int pid, const char *unit)
{
	char rel[64], text[128];

	snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
	snprintf(text, sizeof(text), "app%d\n", pid);
	fixture_put(root, rel, text);
	snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
	snprintf(text, sizeof(text), "0::/app.slice/%s\n", unit);
	fixture_put(root, rel, text);
	snprintf(rel, sizeof(rel), "proc/%d/smaps_rollup", pid);
	fixture_put(root, rel,
		    "5591a0a00000-7ffd4b3f9000 ---p 00000000 00:00 0 [rollup]\n"
		    "Rss:              270336 kB\n"
		    "LazyFree:         196608 kB\n");
	snprintf(rel, sizeof(rel), "proc/%d/maps", pid);
	fixture_put(root, rel,
		    "00400000-00401000 r-xp 00000000 08:01 12 /usr/bin/app\n"
		    "7f0000000000-7f0000100000 r-xp 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n");
}

/* The memory files of cgroup /app.slice/<unit>. */
static void put_cgroup(const char *root, const char *unit,
		       const char *current, const char *high,
		       const char *max)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/fs/cgroup/app.slice/%s/memory.current",
		 unit);
	fixture_put(root, rel, current);
	snprintf(rel, sizeof(rel), "sys/fs/cgroup/app.slice/%s/memory.high",
		 unit);
	fixture_put(root, rel, high);
	snprintf(rel, sizeof(rel), "sys/fs/cgroup/app.slice/%s/memory.max",
		 unit);
	fixture_put(root, rel, max);
}

/* madvstat args... on the tree root. */
static struct run run(const char *root, const char *const *args)
{
	char proc[PATH_MAX], cgroupfs[PATH_MAX];

	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(cgroupfs, sizeof(cgroupfs), "%s/sys/fs/cgroup", root);
	return run_cmd(proc, cgroupfs, args);
}

/* s with each run of blanks and line ends as one blank; malloc()ed. */
static char *squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1), *p = out;

	for (; out && *s; s++) {
		bool blank = *s == ' ' || *s == '\n';

		if (!blank || p == out || p[-1] != ' ')
			*p++ = blank ? ' ' : *s;
	}
	if (out)
		*p = '\0';
	return out;
}

/* Whether s has part, however the screen broke its lines and padded. */
static bool has(const char *s, const char *part)
{
	char *a = s ? squeeze(s) : NULL, *b = squeeze(part);
	bool found = a && b && strstr(a, b);

	free(a);
	free(b);
	return found;
}

static void make_tree(const char *root)
{
	put_module(root, 100, 192);
	put_proc(root, 100, "safe.service");
	/* 300 MiB used, 192 lazily freed: 108 MiB under memory.max 256 MiB */
	put_cgroup(root, "safe.service", "314572800\n", "max\n",
		   "268435456\n");
	put_module(root, 101, 192);
	put_proc(root, 101, "risk.service");
	/* 600 MiB used less 192 is 408 MiB: above memory.high 400 MiB */
	put_cgroup(root, "risk.service", "629145600\n", "419430400\n",
		   "1073741824\n");
	put_module(root, 102, 192);
	put_proc(root, 102, "free.service");
	put_cgroup(root, "free.service", "314572800\n", "max\n", "max\n");
	put_module(root, 104, 192);
	put_proc(root, 104, "x");
	fixture_put(root, "proc/104/cgroup", "0::/\n");
	put_module(root, 103, 0);
	put_proc(root, 103, "busy.service");
	put_cgroup(root, "busy.service", "314572800\n", "max\n",
		   "536870912\n");
}

static void test_safe(const char *root)
{
	struct run r = run(root, (const char *const[]){ "explain", "100",
							NULL });

	ok(r.status == 0 && !*r.err, "safe: exit 0, nothing on stderr");
	ok(has(r.out, "PID 100, command \"app100\"") &&
	   has(r.out, "Cgroup (the group its memory is counted and limited in): safe.service (system unit)") &&
	   has(r.out, "Cgroup path: /app.slice/safe.service"),
	   "safe: the process and its cgroup by name");
	ok(has(r.out, "Lazily freed (LazyFree), 73% of RSS") &&
	   has(r.out, "192.0 MiB") && has(r.out, "Written again (LazyFreeDirty)") &&
	   has(r.out, "Already taken back by the kernel (Reclaimed)"),
	   "safe: LazyFree, LazyFreeDirty and Reclaimed, each said in words");
	ok(has(r.out, "In use by the cgroup now (memory.current)          300.0 MiB") &&
	   has(r.out, "Slowed down above (memory.high)                   no limit") &&
	   has(r.out, "OOM-killed at (memory.max)                        256.0 MiB"),
	   "safe: memory.current, memory.high, memory.max");
	ok(has(r.out, "No, not from lazily freed memory.") &&
	   has(r.out, "would use 108.0 MiB, 42% of its limit") &&
	   has(r.out, "memory.max (256.0 MiB)"),
	   "safe: the limit is not at risk, with the numbers");
	ok(has(r.out, "Runtime: jemalloc") && has(r.out, "muzzy_decay_ms:0"),
	   "safe: the runtime and its switch");
	ok(has(r.out, "madvstat -w 2 100") &&
	   has(r.out, "madvstat -w 2 --svg 100.svg 100 ") &&
	   has(r.out, "cat /proc/madvstat/100 "),
	   "safe: the commands to confirm");
	run_free(&r);
}

/* The verdict on the limit of the other cgroups, each with its numbers. */
static void test_limits(const char *root)
{
	static const struct {
		const char *pid, *want[3], *what;
	} cases[] = {
		{ "101", { "Yes, at real risk.", "would use 408.0 MiB",
			   "memory.high (400.0 MiB)" },
		  "risk: usage less LazyFree above memory.high, the lower limit" },
		{ "102", { "No limit: the cgroup sets neither", "memory.high",
			   "memory.max" },
		  "no limit: said so" },
		{ "104", { "No limit: the cgroup sets neither",
			   "(memory.current) -",
			   "(the root cgroup: the whole machine" },
		  "the root cgroup: no limit, no memory.current" },
	};
	size_t i, w;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = run(root, (const char *const[]){ "explain",
							cases[i].pid, NULL });
		bool all = r.status == 0 && !*r.err;

		for (w = 0; w < 3; w++)
			all = all && has(r.out, cases[i].want[w]);
		ok(all, cases[i].what);
		run_free(&r);
	}
}

static void test_nothing_freed(const char *root)
{
	struct run r = run(root, (const char *const[]){ "explain", "103",
							NULL });

	ok(r.status == 0 && has(r.out, "nothing: all of RSS is memory in use") &&
	   has(r.out, "In short: RSS is memory in use"),
	   "nothing lazily freed: said so");
	ok(has(r.out, "Not from lazily freed memory: this process has none.") &&
	   has(r.out, "59% of its limit memory.max (512.0 MiB)"),
	   "nothing lazily freed: the limit with the numbers");
	ok(has(r.out, "Not looked at: nothing is lazily freed"),
	   "nothing lazily freed: no runtime switch to give");
	run_free(&r);
}

static void test_no_module(const char *root)
{
	char rel[PATH_MAX], away[PATH_MAX];
	struct run r;

	r = run(root, (const char *const[]){ "explain", "--no-module", "100",
					     NULL });
	ok(r.status == 0 && !*r.err && has(r.out, "/proc/100/smaps_rollup") &&
	   has(r.out, "the madvstat module is not loaded"),
	   "--no-module: smaps_rollup, said on the screen");
	run_free(&r);

	snprintf(rel, sizeof(rel), "%s/proc/madvstat", root);
	snprintf(away, sizeof(away), "%s/proc/madvstat-away", root);
	ok(!rename(rel, away), "the module unloaded");
	r = run(root, (const char *const[]){ "explain", "100", NULL });
	ok(r.status == 0 && !*r.err &&
	   has(r.out, "Written again (LazyFreeDirty)                      unknown\n"
		      "    (needs the module)") &&
	   has(r.out, "No, not from lazily freed memory.") &&
	   has(r.out, "cat /proc/madvstat/100     the kernel module's own numbers (once loaded)"),
	   "no module: LazyFree from smaps_rollup, the rest unknown, still a verdict");
	run_free(&r);
}

static void test_bad(const char *root)
{
	static const char *const bad[][3] = {
		{ "explain", NULL },
		{ "explain", "abc", NULL },
		{ "explain", "0", NULL },
		{ "explain", "1", "2" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[4] = { bad[i][0], bad[i][1], bad[i][2], NULL };

		r = run(root, args);
		ok(r.status == 2 && r.err && *r.err && !strchr(r.err, '\n'),
		   "a usage error, one line");
		run_free(&r);
	}
	r = run(root, (const char *const[]){ "explain", "--json", "100",
					     NULL });
	ok(r.status == 2 && has(r.err, "'explain' takes only --no-module"),
	   "explain takes no other option");
	run_free(&r);
	r = run(root, (const char *const[]){ "explain", "9999", NULL });
	ok(r.status == 1 && !*r.out &&
	   !strcmp(r.err, "madvstat: 9999: no such process\n"),
	   "no such process: one line, exit 1");
	run_free(&r);
	/* root reads a file of mode 0 all the same */
	if (geteuid()) {
		char rel[PATH_MAX];

		snprintf(rel, sizeof(rel), "%s/proc/madvstat/101", root);
		chmod(rel, 0);
		r = run(root, (const char *const[]){ "explain", "101", NULL });
		ok(r.status == 1 && !*r.out &&
		   has(r.err, "madvstat: 101: permission denied") &&
		   strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		   "permission denied: one line, exit 1");
		run_free(&r);
		chmod(rel, 0644);
	} else {
		ok(true, "permission denied: not testable as root");
	}
}

int main(void)
{
	char root[] = "/tmp/madvstat-explain-test.XXXXXX";

	if (!ok(mkdtemp(root) != NULL, "fixture directory"))
		return tap_done();
	make_tree(root);
	test_safe(root);
	test_limits(root);
	test_nothing_freed(root);
	test_bad(root);
	test_no_module(root);
	fixture_remove(root);
	return tap_done();
}
