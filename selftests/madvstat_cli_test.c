// SPDX-License-Identifier: GPL-2.0
/*
 * The madvstat command against a live madvfree-repro in the guest: with
 * the module (its numbers are the module's; a watch's timeline and chart),
 * and without it (rmmod: the smaps_rollup fallback, and a message saying
 * what needs the module).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"
#include "report.h"
#include "timeline.h"

#define MADVSTAT	"/root/bin/madvstat"
#define REPRO		"/root/bin/madvfree-repro"
#define SIZE_KB		(32L << 10)
/*
 * What MADV_FREE may leave out of the repro's 32 MiB: a THP it cannot lock
 * at that moment (madvise_free_huge_pmd(), seen on 7.2) and folios still in
 * another CPU's LRU batch.
 */
#define SLACK_KB	4096

/* A JSON number field of an NDJSON line, or -2 if absent, -1 if null. */
static int64_t json_num(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (!p)
		return -2;
	p += strlen(pat);
	if (!strncmp(p, "null", 4))
		return -1;
	return strtoll(p, NULL, 10);
}

FIXTURE(cli) {
	pid_t repro;
	bool ready;
};

/* A reproducer that frees 32 MiB lazily and holds. */
FIXTURE_SETUP(cli)
{
	int i;

	if (access(MADVSTAT, X_OK) || access(REPRO, X_OK))
		SKIP(return, "no %s or %s", MADVSTAT, REPRO);
	self->repro = fork();
	ASSERT_LE(0, self->repro);
	if (self->repro == 0) {
		execl(REPRO, REPRO, "--quiet", "--size", "32M", "--hold", "60",
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (mt_rollup_get(self->repro, "LazyFree") >= SIZE_KB - SLACK_KB)
			break;
		usleep(50000);
	}
	ASSERT_LE(SIZE_KB - SLACK_KB, mt_rollup_get(self->repro, "LazyFree"));
	self->ready = true;
}

FIXTURE_TEARDOWN(cli)
{
	if (self->repro > 0) {
		kill(self->repro, SIGKILL);
		waitpid(self->repro, NULL, 0);
	}
	if (!mt_module_loaded())
		EXPECT_EQ(0, mt_module_load(""));
}

TEST_F(cli, human_summary_with_module)
{
	char cmd[128], out[8192];

	if (!self->ready)
		return;
	snprintf(cmd, sizeof(cmd), MADVSTAT " %d 2>&1", (int)self->repro);
	EXPECT_EQ(0, mt_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "not a leak")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "/proc/madvstat/"));
}

TEST_F(cli, json_equals_the_module)
{
	char cmd[128], out[8192];
	int64_t lazy, marked;

	if (!self->ready)
		return;
	snprintf(cmd, sizeof(cmd), MADVSTAT " --json %d", (int)self->repro);
	ASSERT_EQ(0, mt_run(cmd, out, sizeof(out)));
	lazy = mt_madvstat_get(self->repro, "LazyFree");
	marked = mt_madvstat_get(self->repro, "Marked");
	EXPECT_NE(NULL, strstr(out, "\"source\":\"madvstat\""));
	EXPECT_EQ(lazy * 1024, json_num(out, "lazyfree_bytes")) {
		TH_LOG("%s", out);
	}
	EXPECT_EQ(marked * 1024, json_num(out, "marked_bytes"));
	EXPECT_EQ(0, json_num(out, "reclaimed_bytes"));
	EXPECT_EQ((int64_t)self->repro, json_num(out, "pid"));
}

TEST_F(cli, top_puts_it_first)
{
	char out[16384], want[32];

	if (!self->ready)
		return;
	ASSERT_EQ(0, mt_run(MADVSTAT " top -n 3 --sort lazyfree --json", out,
			 sizeof(out)));
	snprintf(want, sizeof(want), "{\"pid\":%d,", (int)self->repro);
	EXPECT_EQ(0, strncmp(out, want, strlen(want))) {
		TH_LOG("%.300s", out);
	}
	ASSERT_EQ(0, mt_run(MADVSTAT " top -n 3 --prometheus", out, sizeof(out)));
	snprintf(want, sizeof(want), "{pid=\"%d\",", (int)self->repro);
	EXPECT_NE(NULL, strstr(out, want));
	EXPECT_NE(NULL, strstr(out, "# TYPE madvstat_lazyfree_bytes gauge"));
	EXPECT_NE(NULL, strstr(out, "# TYPE madvstat_marked_bytes_total counter"));
}

TEST_F(cli, errors_and_exit_codes)
{
	char out[4096];

	if (!self->ready)
		return;
	EXPECT_EQ(1, mt_run(MADVSTAT " 999999 2>&1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "999999: no such process"));
	EXPECT_EQ(2, mt_run(MADVSTAT " 12x 2>&1", out, sizeof(out)));
	EXPECT_EQ(2, mt_run(MADVSTAT " top --sort nonsense 2>&1", out, sizeof(out)));
	EXPECT_EQ(0, mt_run(MADVSTAT " --help", out, sizeof(out)));
}

/* Watch mode, not on a tty: one report per sample, then it stops. */
TEST_F(cli, watch_two_samples)
{
	char cmd[128], out[16384], want[48];
	const char *p;
	int n = 0;

	if (!self->ready)
		return;
	snprintf(cmd, sizeof(cmd), MADVSTAT " -w 1 -c 2 %d", (int)self->repro);
	EXPECT_EQ(0, mt_run(cmd, out, sizeof(out)));
	snprintf(want, sizeof(want), "PID %d (", (int)self->repro);
	for (p = strstr(out, want); p; p = strstr(p + 1, want))
		n++;
	EXPECT_EQ(2, n) {
		TH_LOG("%.400s", out);
	}
}

/*
 * The timeline of any PID: a second reproducer, in a cgroup of its own,
 * holds 32 MiB lazily freed; madvstat watches it with --csv and --svg for
 * 4 s while the cgroup is reclaimed from another process after the first
 * second. The CSV names the reclaim from the module's counters.
 */
TEST_F(cli, watch_writes_timeline_and_chart)
{
	char cmd[256], out[4096], *svg;
	struct ms_sample *s = NULL;
	struct mt_cgroup cg;
	const char *err = NULL;
	pid_t pid, reclaimer;
	size_t len;
	int i, n, status, reclaim_at = -1;

	if (!self->ready)
		return;
	ASSERT_EQ(0, mt_cgroup_create(&cg, "cli-watch"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (mt_cgroup_join(&cg))
			_exit(126);
		execl(REPRO, REPRO, "--quiet", "--size", "32M", "--hold", "60",
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (mt_rollup_get(pid, "LazyFree") >= SIZE_KB - SLACK_KB)
			break;
		usleep(50000);
	}
	EXPECT_LE(SIZE_KB - SLACK_KB, mt_rollup_get(pid, "LazyFree"));
	reclaimer = fork();
	ASSERT_LE(0, reclaimer);
	if (reclaimer == 0) {
		sleep(1);
		_exit(mt_cgroup_reclaim(&cg, "64M", 3) ? 1 : 0);
	}
	/* Its summaries to /dev/null: the messages are what is checked. */
	snprintf(cmd, sizeof(cmd),
		 MADVSTAT " -w 0.2 -c 20 --csv /tmp/cli-watch.csv --svg /tmp/cli-watch.svg %d 2>&1 >/dev/null",
		 (int)pid);
	EXPECT_EQ(0, mt_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "madvstat: chart of 20 samples in /tmp/cli-watch.svg")) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(reclaimer, waitpid(reclaimer, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	mt_cgroup_remove(&cg);

	svg = ms_read_file("/tmp/cli-watch.csv", &len);
	ASSERT_NE(NULL, svg);
	n = ms_timeline_parse_csv(svg, &s, &err);
	free(svg);
	ASSERT_EQ(20, n) {
		TH_LOG("%s", err ? err : "");
	}
	for (i = 0; i < n; i++) {
		EXPECT_TRUE(s[i].from_module);
		if (reclaim_at < 0 && strstr(s[i].step, "reclaimed"))
			reclaim_at = i;
	}
	EXPECT_LT(0, reclaim_at);
	/* Reclaimed: the 32 MiB, all but a THP or batch in flight. */
	EXPECT_LE(SIZE_KB - SLACK_KB, s[n - 1].reclaimed_kb);
	EXPECT_EQ(0, s[0].reclaimed_kb);
	EXPECT_GT(s[0].lazy_kb, s[n - 1].lazy_kb);
	free(s);
	svg = ms_read_file("/tmp/cli-watch.svg", &len);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(0, strncmp(svg, "<svg ", 5));
	EXPECT_NE(NULL, strstr(svg, "</svg>"));
	EXPECT_NE(NULL, strstr(svg, "values from /proc/madvstat"));
	free(svg);
	unlink("/tmp/cli-watch.csv");
	unlink("/tmp/cli-watch.svg");
}

/* Without the module: smaps_rollup's numbers, and a clear note. */
TEST_F(cli, fallback_without_module)
{
	char cmd[128], out[8192];

	if (!self->ready)
		return;
	ASSERT_EQ(0, mt_module_unload());
	snprintf(cmd, sizeof(cmd), MADVSTAT " --json %d 2>&1", (int)self->repro);
	EXPECT_EQ(0, mt_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "module not loaded")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "\"source\":\"smaps_rollup\""));
	EXPECT_EQ(mt_rollup_get(self->repro, "LazyFree") * 1024,
		  json_num(out, "lazyfree_bytes"));
	EXPECT_EQ(-1, json_num(out, "lazyfree_dirty_bytes"));
	EXPECT_EQ(-1, json_num(out, "reclaimed_bytes"));
	EXPECT_EQ(0, mt_module_load(""));
}

TEST_HARNESS_MAIN
