// SPDX-License-Identifier: GPL-2.0
/*
 * 1,000 unloads and loads of the module while readers loop over
 * /proc/madvstat and short-lived processes free memory, fork and exit
 * (the 20-cycle version runs in stress_test). Any splat fails the run in
 * qemu/vm; here, every cycle must succeed and every read either succeed
 * with consistent counts or fail with an errno the documentation lists.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"
#include "race.h"

/* $MADVSTAT_RELOADS overrides (check-debug: its kernel is 4x slower). */
#define NR_RELOADS	1000
/* Readers and births pause this long between steps: the loader's turn. */
#define PACE_US		2000

FIXTURE(soak) {
};

FIXTURE_SETUP(soak)
{
	if (!mt_module_loaded())
		SKIP(return, "madvstat is not loaded");
}

FIXTURE_TEARDOWN(soak)
{
	if (!mt_module_loaded())
		EXPECT_EQ(0, mt_module_load(""));
}

TEST_F_TIMEOUT(soak, reload_1000_under_load, 3600)
{
	const char *env = getenv("MADVSTAT_RELOADS");
	int n = env ? atoi(env) : NR_RELOADS;
	struct race_reload r;
	char buf[256];
	int err;

	ASSERT_LT(0, n);
	err = race_reload_run(n, PACE_US, &r);
	TH_LOG("%d reloads: %lld ms unloading, %lld ms loading; "
	       "%ld births, %ld failures", r.done, (long long)r.unload_ms,
	       (long long)r.load_ms, r.births, r.spawn_failures);
	TH_LOG("%s", race_stats_str(buf, sizeof(buf), "readers", &r.st));
	ASSERT_EQ(0, err);
	EXPECT_EQ(n, r.done);
	EXPECT_EQ(EIO, r.held_errno);
	EXPECT_LT(0, r.st.ok);
	EXPECT_LT(0, r.births);
	EXPECT_EQ(0, r.st.other);
	EXPECT_EQ(0, r.st.bad_counts);
	EXPECT_EQ(0, r.spawn_failures);
	EXPECT_EQ(1, mt_madvstat_get(1, "Pid"));
}

TEST_HARNESS_MAIN
