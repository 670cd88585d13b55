// SPDX-License-Identifier: GPL-2.0
/*
 * madvfree-repro, run for real in the guest: its timeline must tell the
 * story the demo tells. MADV_FREE leaves Rss up and LazyFree equal to what
 * was freed until pressure, which turns it into Reclaimed; MADV_DONTNEED
 * drops Rss at once; pages written again are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"
#include "report.h"
#include "timeline.h"

#define REPRO		"/root/bin/madvfree-repro"
#define CSV		"/tmp/repro_test.csv"
#define SIZE_KB		(64L << 10)
#define SLACK_KB	2048	/* a per-CPU batch, counters, the stack */
#define THP_KB		2048	/* a huge page across the rewritten quarter's end */

/* Run the reproducer with args; read its CSV timeline. */
static int run_repro(struct __test_metadata *_metadata, const char *args,
		     struct ms_sample **s)
{
	char cmd[256], *text;
	const char *err = NULL;
	size_t len;
	int n, status;

	snprintf(cmd, sizeof(cmd), REPRO " --quiet --csv " CSV " %s", args);
	status = system(cmd);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("%s: status %d", cmd, status);
	}
	text = ms_read_file(CSV, &len);
	if (!text)
		return -1;
	n = ms_timeline_parse_csv(text, s, &err);
	free(text);
	EXPECT_LT(0, n) {
		TH_LOG("CSV: %s", err);
	}
	return n;
}

static const struct ms_sample *find(const struct ms_sample *s, int n,
				    const char *step)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strncmp(s[i].step, step, strlen(step)))
			return &s[i];
	return NULL;
}

FIXTURE(repro) {
	bool ready;
};

FIXTURE_SETUP(repro)
{
	if (access(REPRO, X_OK))
		SKIP(return, "no %s", REPRO);
	self->ready = true;
}

FIXTURE_TEARDOWN(repro)
{
	unlink(CSV);
}

TEST_F(repro, madv_free_then_pressure)
{
	const struct ms_sample *touched, *freed, *after;
	struct ms_sample *s = NULL;
	int n;

	if (!self->ready)
		return;
	n = run_repro(_metadata, "--size 64M --mode free --pressure cgroup", &s);
	ASSERT_LT(0, n);
	touched = find(s, n, "touched");
	freed = find(s, n, "freed");
	after = find(s, n, "after pressure");
	ASSERT_NE(NULL, touched);
	ASSERT_NE(NULL, freed);
	ASSERT_NE(NULL, after);
	EXPECT_TRUE(freed->from_module);
	/* Freed, yet still resident: the whole point. */
	EXPECT_LE(touched->rss_kb - SLACK_KB, freed->rss_kb);
	EXPECT_LE(SIZE_KB - SLACK_KB, freed->lazy_kb);
	/* Pressure takes it: Reclaimed rises by it, Rss falls by it. */
	EXPECT_EQ(0, after->lazy_kb);
	EXPECT_LE(SIZE_KB - SLACK_KB, after->reclaimed_kb - freed->reclaimed_kb);
	EXPECT_GE(freed->rss_kb - SIZE_KB + SLACK_KB, after->rss_kb);
	free(s);
}

TEST_F(repro, madv_dontneed_drops_rss_at_once)
{
	const struct ms_sample *touched, *freed;
	struct ms_sample *s = NULL;
	int n;

	if (!self->ready)
		return;
	n = run_repro(_metadata, "--size 64M --mode dontneed --layout objects",
		      &s);
	ASSERT_LT(0, n);
	touched = find(s, n, "touched");
	freed = find(s, n, "freed");
	ASSERT_NE(NULL, touched);
	ASSERT_NE(NULL, freed);
	EXPECT_GE(touched->rss_kb - SIZE_KB + SLACK_KB, freed->rss_kb);
	EXPECT_EQ(0, freed->lazy_kb);
	EXPECT_EQ(0, freed->reclaimed_kb);
	free(s);
}

TEST_F(repro, rewritten_quarter_is_kept)
{
	const struct ms_sample *rewrote, *after;
	struct ms_sample *s = NULL;
	int n;

	if (!self->ready)
		return;
	n = run_repro(_metadata, "--size 64M --mode free --reuse 25 --pressure cgroup",
		      &s);
	ASSERT_LT(0, n);
	rewrote = find(s, n, "rewrote");
	after = find(s, n, "after pressure");
	ASSERT_NE(NULL, rewrote);
	ASSERT_NE(NULL, after);
	/*
	 * Up to a per-CPU batch may not have turned yet (no pinning here);
	 * with THP a huge page across the end of the quarter is dirty as a
	 * whole (one PMD dirty bit).
	 */
	EXPECT_LE(SIZE_KB / 4 - SLACK_KB, rewrote->dirty_kb);
	EXPECT_GE(SIZE_KB / 4 + THP_KB, rewrote->dirty_kb);
	EXPECT_EQ(0, after->lazy_kb);
	EXPECT_EQ(0, after->dirty_kb);
	/* Three quarters reclaimed; the exit status says the rest was kept. */
	EXPECT_LE(SIZE_KB * 3 / 4 - SLACK_KB - THP_KB,
		  after->reclaimed_kb - rewrote->reclaimed_kb);
	EXPECT_GE(SIZE_KB * 3 / 4, after->reclaimed_kb - rewrote->reclaimed_kb);
	free(s);
}

TEST_HARNESS_MAIN
