// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of collecting processes (from module text, from smaps_rollup,
 * from a fixture /proc directory), of `top` sorting and cgroup sums, and of
 * the commands run end to end on that fixture directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdrun.h"
#include "fixture.h"
#include "procinfo.h"
#include "toplist.h"
#include "tap.h"

#define KB 1024ULL

static const char module_fixture[] =
	"Pid:               4242\n"
	"Name:          madvfree-repro\n"
	"Rss:             265588 kB\n"
	"RssAnon:         262704 kB\n"
	"LazyFree:        196608 kB\n"
	"LazyFreeDirty:    65536 kB\n"
	"RssEffective:     68980 kB\n"
	"Marked:          262144 kB\n"
	"Reclaimed:         1024 kB\n"
	"Rescued:              0 kB\n"
	"RescuedPinned:        0 kB\n"
	"Dropped:              0 kB\n"
	"Tracking:      live, since process start\n"
	"\n"
	"7f3a1c000000-7f3a2c001000 rw-p 262148 196608 65536 [anon]\n";

static const char module_untracked[] =
	"Pid:               77\n"
	"Name:          worker\n"
	"Rss:               8192 kB\n"
	"RssAnon:           4096 kB\n"
	"LazyFree:          2048 kB\n"
	"LazyFreeDirty:        0 kB\n"
	"RssEffective:      6144 kB\n"
	"Tracking:      off, module loaded with track=0\n"
	"\n";

static const char rollup_fixture[] =
	"5591a0a00000-7ffd4b3f9000 ---p 00000000 00:00 0                          [rollup]\n"
	"Rss:                1460 kB\n"
	"Pss:                 213 kB\n"
	"Pss_Anon:             68 kB\n"
	"Anonymous:            68 kB\n"
	"LazyFree:             12 kB\n"
	"SwapPss:               0 kB\n";

static int parse(const char *text, struct ms_report *r)
{
	const char *err;
	unsigned int line;

	return ms_report_parse(text, strlen(text), r, &err, &line);
}

static void test_from_module(void)
{
	struct ms_proc p = { 0 };
	struct ms_report r;

	ok(!parse(module_fixture, &r), "module fixture parses");
	ok(!ms_proc_from_module(&r, true, &p), "module fixture converts");
	ok(!r.vmas && !r.nr_vmas, "the VMAs are taken from the report");
	ms_report_free(&r);
	is(p.pid, 4242, "pid");
	ok(!strcmp(p.comm, "madvfree-repro"), "comm");
	ok(p.source == MS_SRC_MODULE, "source is the module");
	is(p.val[MS_RSS], 265588 * KB, "Rss in bytes");
	is(p.val[MS_LAZYFREE_DIRTY], 65536 * KB, "LazyFreeDirty in bytes");
	is(p.val[MS_RECLAIMED], 1024 * KB, "Reclaimed in bytes");
	ok(p.known[MS_DROPPED] && p.known[MS_RSS_EFFECTIVE], "all known");
	ok(p.tracking_known && !strcmp(p.tracking, "live, since process start"),
	   "tracking");
	ok(p.vmas_known && p.nr_vmas == 1 &&
	   p.vmas[0].rss_anon_bytes == 262148 * KB &&
	   p.vmas[0].lazyfree_bytes == 196608 * KB &&
	   p.vmas[0].lazyfree_dirty_bytes == 65536 * KB &&
	   !strcmp(p.vmas[0].name, "[anon]"), "VMA in bytes");
	ms_proc_free(&p);

	memset(&p, 0, sizeof(p));
	ok(!parse(module_untracked, &r) && !ms_proc_from_module(&r, false, &p),
	   "module with tracking off converts");
	ms_report_free(&r);
	ok(p.known[MS_LAZYFREE_DIRTY] && !p.known[MS_MARKED] &&
	   !p.known[MS_RECLAIMED] && !p.known[MS_DROPPED],
	   "tracking off: counters unknown, not 0");
	ok(!p.vmas_known && !p.vmas, "VMAs not asked for");
	ms_proc_free(&p);
}

static void test_from_rollup(void)
{
	struct ms_proc p = { 0 };
	struct ms_report r;

	ok(!parse(rollup_fixture, &r) && !ms_proc_from_rollup(&r, &p),
	   "smaps_rollup converts");
	ms_report_free(&r);
	ok(p.source == MS_SRC_ROLLUP, "source is smaps_rollup");
	is(p.val[MS_RSS], 1460 * KB, "rollup Rss");
	is(p.val[MS_RSS_ANON], 68 * KB, "rollup Anonymous as RssAnon");
	is(p.val[MS_LAZYFREE], 12 * KB, "rollup LazyFree");
	ok(p.known[MS_RSS_EFFECTIVE] && p.val[MS_RSS_EFFECTIVE] == 1448 * KB,
	   "rollup RssEffective computed as Rss - LazyFree");
	ok(!p.known[MS_LAZYFREE_DIRTY] && !p.known[MS_MARKED] &&
	   !p.known[MS_RECLAIMED] && !p.known[MS_RESCUED] &&
	   !p.known[MS_RESCUED_PINNED] && !p.known[MS_DROPPED] &&
	   !p.tracking_known, "rollup: the module's values unknown");
	ms_proc_free(&p);
}

static void test_malformed(void)
{
	static const struct {
		const char *text;
		bool module;
		const char *what;
	} bad[] = {
		{ "Pid: 1\nName: x\nRss: 12 kB\n", true, "module without LazyFree" },
		{ "Pid: 1\nLazyFree: 1 kB\n", true, "module without Rss" },
		{ "Rss: 12\nLazyFree: 1 kB\n", true, "Rss without kB" },
		{ "Rss: 12 kB\nLazyFree: 1 kB\nRssAnon: 3\n", true,
		  "RssAnon without kB" },
		{ "Rss: 36028797018963968 kB\nLazyFree: 1 kB\n", true,
		  "Rss overflowing bytes" },
		{ "Anonymous: 3 kB\nLazyFree: 0 kB\n", false, "rollup without Rss" },
		{ "Rss: 3 kB\nAnonymous: 3 kB\n", false,
		  "rollup without LazyFree (kernel before 4.12)" },
	};
	static const char *const unparsable[] = {
		"Rss: 12 kB\nLazyFree: 1 kB",		/* truncated */
		"Rss: 12 kB\nLazyFree: x kB\n",
		"Rss: -1 kB\nLazyFree: 0 kB\n",
		"Rss: 12 kB\nLazyFree: 0 kB\n\n7f-7e rw-p 1 1 1 [anon]\n",
		"Rss: 12 kB\nLazyFree: 0 kB\n\n1000-2000 rw-p 1 1\n",
		"",
	};
	struct ms_report r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ms_proc p = { 0 };
		int ret = -1;

		if (!parse(bad[i].text, &r)) {
			ret = bad[i].module ? ms_proc_from_module(&r, true, &p) :
					      ms_proc_from_rollup(&r, &p);
			ms_report_free(&r);
		}
		is(ret, -EBADMSG, bad[i].what);
		ms_proc_free(&p);
	}
	for (i = 0; i < sizeof(unparsable) / sizeof(unparsable[0]); i++)
		ok(parse(unparsable[i], &r) == -1, "malformed text rejected");

	/* optional fields absent: unknown, not an error */
	{
		struct ms_proc p = { 0 };

		ok(!parse("Rss: 12 kB\nLazyFree: 4 kB\n", &r) &&
		   !ms_proc_from_module(&r, true, &p), "minimal module text");
		ms_report_free(&r);
		ok(!p.known[MS_LAZYFREE_DIRTY] && !p.known[MS_RSS_ANON] &&
		   !p.known[MS_RSS_EFFECTIVE] && !p.tracking_known &&
		   p.vmas_known && !p.nr_vmas,
		   "absent fields are unknown");
		ms_proc_free(&p);
	}
}

static void test_cgroup_parse(void)
{
	char *c;

	c = ms_proc_parse_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n");
	ok(c && !strcmp(c, "/user.slice/user-1000.slice/session-2.scope"),
	   "cgroup v2 path");
	free(c);
	c = ms_proc_parse_cgroup("9:name=systemd:/\n4:memory:/x\n0::/a b\n");
	ok(c && !strcmp(c, "/a b"), "cgroup v2 line among v1 lines");
	free(c);
	c = ms_proc_parse_cgroup("4:memory:/x\n1:cpu:/\n");
	ok(!c, "no v2 line: unknown");
	c = ms_proc_parse_cgroup("0::/last");
	ok(c && !strcmp(c, "/last"), "last line without newline");
	free(c);
	ok(!ms_proc_parse_cgroup(""), "empty file: unknown");
}

static void test_parse_pid(void)
{
	static const struct {
		const char *s;
		int want;
	} cases[] = {
		{ "1", 1 },
		{ "4242", 4242 },
		{ "007", 7 },		/* leading zeros are still decimal */
		{ "2147483647", 2147483647 },
		{ "", -1 },
		{ "0", -1 },
		{ "00", -1 },
		{ "-1", -1 },
		{ "+3", -1 },
		{ "12a", -1 },
		{ "1e3", -1 },
		{ " 12", -1 },
		{ "12 ", -1 },
		{ "2147483648", -1 },
		{ "99999999999999999999", -1 },
		{ "self", -1 },
	};
	char what[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(what, sizeof(what), "PID '%s' reads %d", cases[i].s,
			 cases[i].want);
		is(ms_proc_parse_pid(cases[i].s), cases[i].want, what);
	}
}

static void make_fixture_proc(const char *root)
{
	fixture_put(root, "madvstat/summary", "Processes: 2\n");
	fixture_put(root, "madvstat/4242", module_fixture);
	fixture_put(root, "madvstat/77", module_untracked);
	fixture_put(root, "madvstat/5", "Rss: nonsense\n");
	fixture_put(root, "4242/smaps_rollup", rollup_fixture);
	fixture_put(root, "4242/comm", "madvfree-repro\n");
	fixture_put(root, "4242/cgroup", "0::/app.slice/repro.service\n");
	fixture_put(root, "77/smaps_rollup", "");	/* a kernel thread */
	fixture_put(root, "77/comm", "worker\n");
	fixture_put(root, "77/cgroup", "0::/app.slice/repro.service\n");
	fixture_put(root, "5/cgroup", "0::/\n");
	mkdir(root, 0755);
	fixture_put(root, "self/comm", "x\n");	/* not numeric: never listed */
}

static void test_collect(const char *root)
{
	const char *detail;
	struct ms_proc p;
	int *pids = NULL;
	long n;

	ok(ms_proc_module_loaded(root), "fixture: module loaded");
	ok(!ms_proc_module_loaded("/nonexistent"), "no madvstat directory");
	is(ms_proc_collect(root, true, 4242, true, &p, &detail), 0,
	   "collect from the module");
	ok(p.cgroup && !strcmp(p.cgroup, "/app.slice/repro.service"),
	   "collect reads the cgroup");
	ok(p.nr_vmas == 1 && p.known[MS_RECLAIMED], "collect module values");
	ms_proc_free(&p);
	is(ms_proc_collect(root, false, 4242, false, &p, &detail), 0,
	   "collect from smaps_rollup");
	ok(p.source == MS_SRC_ROLLUP && !strcmp(p.comm, "madvfree-repro") &&
	   !p.known[MS_RECLAIMED] && p.val[MS_RSS] == 1460 * KB,
	   "rollup: comm from /proc/PID/comm, counters unknown");
	ms_proc_free(&p);
	is(ms_proc_collect(root, true, 9999, false, &p, &detail), -ENOENT,
	   "no such process");
	is(ms_proc_collect(root, false, 77, false, &p, &detail), -ESRCH,
	   "empty smaps_rollup: no user memory");
	is(ms_proc_collect(root, true, 5, false, &p, &detail), -EBADMSG,
	   "malformed module file");
	ok(detail && *detail, "with a reason");
	ok(!strcmp(ms_proc_strerror(-ENOENT, true), "no such process"),
	   "ENOENT message");
	ok(strstr(ms_proc_strerror(-EACCES, true), "CAP_SYS_PTRACE") &&
	   strstr(ms_proc_strerror(-EACCES, true), "owner_read"),
	   "EACCES message names CAP_SYS_PTRACE and owner_read");

	n = ms_proc_list_pids(root, true, &pids);
	ok(n == 3 && pids[0] == 5 && pids[1] == 77 && pids[2] == 4242,
	   "module PIDs listed in order, summary skipped");
	free(pids);
	n = ms_proc_list_pids(root, false, &pids);
	ok(n == 3 && pids[0] == 5 && pids[2] == 4242,
	   "proc PIDs listed, madvstat and self skipped");
	free(pids);
}

static struct ms_proc mk(int pid, const char *cgroup, uint64_t rss,
			 uint64_t lazyfree, uint64_t reclaimed, bool rec_known)
{
	struct ms_proc p = { 0 };
	int i;

	p.pid = pid;
	p.nr_procs = 1;
	for (i = 0; i < MS_NR_VALS; i++)
		p.known[i] = true;
	p.val[MS_RSS] = rss;
	p.val[MS_LAZYFREE] = lazyfree;
	p.val[MS_RECLAIMED] = reclaimed;
	p.known[MS_RECLAIMED] = rec_known;
	p.cgroup = cgroup ? strdup(cgroup) : NULL;
	return p;
}

static void fill(struct ms_proc *v)
{
	v[0] = mk(10, "/a", 100, 10, 5, true);
	v[1] = mk(11, "/b", 300, 50, 0, true);
	v[2] = mk(12, "/a", 200, 50, 7, false);
	v[3] = mk(13, NULL, 50, 20, 1, true);
	v[4] = mk(9, "/b", 10, 50, 9, true);
}

static void test_top(void)
{
	struct ms_proc v[5], *g = NULL;
	long ng;

	is(ms_top_parse_sort("lazyfree"), MS_SORT_LAZYFREE, "sort lazyfree");
	is(ms_top_parse_sort("rss"), MS_SORT_RSS, "sort rss");
	is(ms_top_parse_sort("RSS"), -1, "sort keys are lower case");

	fill(v);
	ms_top_sort(v, 5, MS_SORT_LAZYFREE);
	ok(v[0].pid == 9 && v[1].pid == 11 && v[2].pid == 12 &&
	   v[3].pid == 13 && v[4].pid == 10,
	   "sort by lazyfree, descending, ties by PID");
	ms_top_sort(v, 5, MS_SORT_RECLAIMED);
	ok(v[0].pid == 9 && v[1].pid == 10 && v[2].pid == 13 &&
	   v[3].pid == 11 && v[4].pid == 12, "sort by reclaimed, unknown last");
	ms_top_sort(v, 5, MS_SORT_RSS);
	ok(v[0].pid == 11 && v[4].pid == 9, "sort by rss");

	ng = ms_top_by_cgroup(v, 5, &g);
	is(ng, 3, "three cgroups (one unknown)");
	ms_top_sort(g, (size_t)ng, MS_SORT_RSS);
	ok(g[0].cgroup && !strcmp(g[0].cgroup, "/b") && g[0].nr_procs == 2 &&
	   g[0].val[MS_RSS] == 310 && g[0].val[MS_LAZYFREE] == 100 &&
	   g[0].known[MS_RECLAIMED] && g[0].val[MS_RECLAIMED] == 9,
	   "cgroup /b: sums");
	ok(!strcmp(g[1].cgroup, "/a") && g[1].nr_procs == 2 &&
	   g[1].val[MS_RSS] == 300 && !g[1].known[MS_RECLAIMED],
	   "cgroup /a: unknown in one process is unknown in the sum");
	ok(!g[2].cgroup && g[2].nr_procs == 1 && g[2].val[MS_RSS] == 50,
	   "processes of unknown cgroup summed together");
	ok(g[0].pid == 0, "a cgroup has no PID");
	ms_top_free(g, (size_t)ng);
	is(ms_top_by_cgroup(v, 0, &g), 0, "no process, no cgroup");
	ok(!g, "and no array");
	for (ng = 0; ng < 5; ng++)
		ms_proc_free(&v[ng]);
}

static struct run run(const char *root, const char *const *args)
{
	return run_cmd(root, "/nonexistent", args);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static void test_commands(const char *root)
{
	struct run r;

	r = run(root, (const char *const[]){ "4242", NULL });
	ok(r.status == 0 && strstr(r.out, "PID 4242 (madvfree-repro)") &&
	   strstr(r.out, "Verdict: 74% of RSS") && !*r.err,
	   "PID from the module: summary, verdict, exit 0");
	ok(strstr(r.out, "  Cgroup             /app.slice/repro.service\n"
			 "  Cgroup name        repro.service (system unit)\n") != NULL,
	   "PID: the cgroup's name below its path");
	run_free(&r);

	r = run(root, (const char *const[]){ "4242", "9999", "77", NULL });
	ok(r.status == 1, "a missing PID: exit 1");
	ok(strstr(r.err, "madvstat: 9999: no such process\n") != NULL,
	   "a missing PID: message");
	ok(strstr(r.out, "PID 4242") && strstr(r.out, "PID 77"),
	   "the other PIDs are still reported");
	run_free(&r);

	r = run(root, (const char *const[]){ "--json", "--vmas", "4242", "77",
					      NULL });
	ok(r.status == 0 && count_lines(r.out) == 2 &&
	   strstr(r.out, "\"cgroup\":\"/app.slice/repro.service\"") &&
	   strstr(r.out, "\"reclaimed_bytes\":1048576") &&
	   strstr(r.out, "\"marked_bytes\":null") && strstr(r.out, "\"vmas\":[]"),
	   "--json: a line per process");
	run_free(&r);

	r = run(root, (const char *const[]){ "--no-module", "4242", NULL });
	ok(r.status == 0 && !*r.err && strstr(r.out, "smaps_rollup") &&
	   strstr(r.out, "unknown  needs the module"),
	   "--no-module: smaps_rollup, no warning");
	run_free(&r);

	r = run(root, (const char *const[]){ "--no-module", "77", NULL });
	ok(r.status == 1 && strstr(r.err, "77: no user memory"),
	   "--no-module: kernel thread");
	run_free(&r);

	r = run(root, (const char *const[]){ "-w", "0.1", "-c", "3", "4242",
					      NULL });
	ok(r.status == 0 && count_lines(r.out) > 30 &&
	   strstr(r.out, "sample 3") && !strstr(r.out, "\033["),
	   "watch: 3 samples, no escapes when not a tty");
	run_free(&r);

	r = run(root, (const char *const[]){ "-w", "0.1", "-c", "2", "--json",
					      "4242", NULL });
	ok(r.status == 0 && count_lines(r.out) == 2, "watch --json: NDJSON");
	run_free(&r);

	r = run(root, (const char *const[]){ "top", NULL });
	ok(r.status == 0 && strstr(r.out, "2 processes") &&
	   strstr(r.err, "5: unexpected format") &&
	   strstr(r.out, "   4242 madvfree-repro"),
	   "top from the module, a malformed entry reported");
	ok(strstr(r.out, "4242") < strstr(r.out, "   77 "),
	   "top: sorted by lazyfree");
	run_free(&r);

	r = run(root, (const char *const[]){ "top", "-n", "1", "--json", NULL });
	ok(r.status == 0 && count_lines(r.out) == 1 &&
	   strstr(r.out, "\"pid\":4242"), "top -n 1 --json");
	run_free(&r);

	r = run(root, (const char *const[]){ "top", "--cgroup", "--json", NULL });
	ok(r.status == 0 && count_lines(r.out) == 1 &&
	   strstr(r.out, "{\"cgroup\":\"/app.slice/repro.service\",\"processes\":2,"),
	   "top --cgroup --json");
	ok(strstr(r.out, "\"cgroup_kind\":\"system-unit\",\"cgroup_name\":\"repro.service\"") != NULL,
	   "top --cgroup --json: the cgroup's kind and name");
	run_free(&r);

	r = run(root, (const char *const[]){ "top", "--cgroup", NULL });
	ok(r.status == 0 && strstr(r.out, "EFFECTIVE  NAME           CGROUP\n") &&
	   strstr(r.out, "  repro.service  /app.slice/repro.service\n"),
	   "top --cgroup: NAME before CGROUP");
	run_free(&r);

	r = run(root, (const char *const[]){ "top", "--prometheus", "-n", "1",
					      NULL });
	ok(r.status == 0 && strstr(r.out, "{pid=\"4242\",comm=\"madvfree-repro\"}") &&
	   !strstr(r.out, "pid=\"77\""), "top --prometheus bounded by -n");
	run_free(&r);

	r = run(root, (const char *const[]){ "--no-module", "top", NULL });
	ok(r.status == 0 && strstr(r.out, "1 process (from smaps_rollup)"),
	   "top without the module skips kernel threads");
	run_free(&r);

	r = run("/nonexistent-proc", (const char *const[]){ "1", NULL });
	ok(r.status == 1 && strstr(r.err, "module not loaded") &&
	   strstr(r.err, "modprobe madvstat") && strstr(r.err, "insmod madvstat.ko") &&
	   count_lines(r.err) == 2, "no module: one warning, then the error");
	run_free(&r);
}

/* A /proc whose module has the table: top reads it and no entry. */
static void test_top_from_table(const char *root)
{
	struct run r;

	fixture_put(root, "madvstat/summary", "Processes: 2\n");
	fixture_put(root, "madvstat/processes",
	    "# unreadable 2\n"
	    "Pid Rss RssAnon LazyFree LazyFreeDirty Droppable Marked Reclaimed Rescued RescuedPinned Dropped ReclaimFreed Name Cgroup\n"
	    "77 8192 4096 2048 0 0 - - - - - - worker /app.slice/repro.service\n"
	    "4242 265588 262704 196608 65536 0 262144 1024 0 0 0 512 madvfree-repro /app.slice/repro.service\n"
	    "9 100 0 0 0 0 0 0 0 0 0 0 my\\040sh /\n");
	r = run(root, (const char *const[]){ "top", NULL });
	ok(r.status == 0 && strstr(r.out, "3 processes (from /proc/madvstat)") &&
	   strstr(r.out, "   4242 madvfree-repro") &&
	   strstr(r.out, "      9 my sh"),
	   "top from /proc/madvstat/processes alone (no entry read)");
	ok(strstr(r.out, "4242") < strstr(r.out, "   77 "),
	   "top from the table: sorted by lazyfree");
	ok(!strcmp(r.err, "madvstat: 2 processes not readable (permission)\n"),
	   "top from the table: the unreadable count");
	run_free(&r);

	r = run(root, (const char *const[]){ "top", "--cgroup", "--json", NULL });
	ok(r.status == 0 && count_lines(r.out) == 2 &&
	   strstr(r.out, "{\"cgroup\":\"/app.slice/repro.service\",\"processes\":2,") &&
	   strstr(r.out, "\"marked_bytes\":null"),
	   "top --cgroup from the table: sums per Cgroup column");
	run_free(&r);

	fixture_put(root, "madvstat/processes", "Pid Rss LazyFree Name\n1 x 0 a\n");
	r = run(root, (const char *const[]){ "top", NULL });
	ok(r.status == 1 && strstr(r.err, "unexpected format of") &&
	   strstr(r.err, "processes, line 2"),
	   "a malformed table: exit 1, the line named");
	run_free(&r);
}

int main(void)
{
	char root[] = "/tmp/madvstat-procinfo-test.XXXXXX";
	char root2[] = "/tmp/madvstat-proctable-top.XXXXXX";

	test_from_module();
	test_from_rollup();
	test_malformed();
	test_cgroup_parse();
	test_parse_pid();
	test_top();
	if (!ok(mkdtemp(root) != NULL, "fixture directory"))
		return tap_done();
	make_fixture_proc(root);
	test_collect(root);
	test_commands(root);
	fixture_remove(root);
	if (!ok(mkdtemp(root2) != NULL, "fixture directory with the table"))
		return tap_done();
	test_top_from_table(root2);
	fixture_remove(root2);
	return tap_done();
}
