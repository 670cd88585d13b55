// SPDX-License-Identifier: GPL-2.0
/*
 * 10,000 processes tracked at once: each has a record from fork() and
 * frees 16 kB. Checks that the module keeps exactly that many records,
 * that they cost what Documentation/madvstat.rst says (measured by the
 * kernel's slab allocator: the madvstat_mm cache of /proc/slabinfo, not
 * as the module reports it), that each process reads its own counters,
 * and that every record goes away with its process. qemu/check-debug adds
 * kmemleak after unload.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "crowd.h"
#include "memtest.h"

#define NR_PROCS	10000
#define PROC_PAGES	4
/* The documented bound: one 112-byte record (120 in slab) each, <= 128. */
#define BOUND_BYTES	128
#define THREADS_MAX	"/proc/sys/kernel/threads-max"
#define PID_MAX		"/proc/sys/kernel/pid_max"

FIXTURE(many) {
	struct crowd crowd;
	char threads_max[32], pid_max[32];
};

FIXTURE_SETUP(many)
{
	memset(&self->crowd, 0, sizeof(self->crowd));
	ASSERT_EQ(0, mt_raise_sysctl(THREADS_MAX, 4L * NR_PROCS,
				  self->threads_max, sizeof(self->threads_max)));
	ASSERT_EQ(0, mt_raise_sysctl(PID_MAX, 4L * NR_PROCS, self->pid_max,
				  sizeof(self->pid_max)));
	if (mt_summary_get("TrackedMms") < 0)
		SKIP(return, "tracking is off: no TrackedMms in the summary");
}

FIXTURE_TEARDOWN(many)
{
	crowd_kill(&self->crowd);
	if (self->threads_max[0])
		ms_write_str(THREADS_MAX, self->threads_max);
	if (self->pid_max[0])
		ms_write_str(PID_MAX, self->pid_max);
}

TEST_F_TIMEOUT(many, ten_thousand_processes, 1800)
{
	int64_t t0 = mt_now_ms(), tracked0, tracked1, tracked2;
	int64_t slab0, slab1, slab2, objsize, objects = 0;
	int64_t waited;
	bool debug_kernel = !access("/sys/kernel/debug/kmemleak", F_OK);
	int i;

	tracked0 = mt_summary_get("TrackedMms");
	ASSERT_EQ(0, crowd_start(&self->crowd, NR_PROCS,
				 PROC_PAGES * mt_page_size()));
	TH_LOG("%d processes forked in %lld ms", NR_PROCS,
	       (long long)(mt_now_ms() - t0));
	/*
	 * Each has its record since fork(). Its pages reach the LRU
	 * (MADV_FREE skips any still in a CPU's batch).
	 */
	ASSERT_EQ(0, mt_drain_lru());
	usleep(500 * 1000);
	slab0 = mt_meminfo_kb("SUnreclaim");
	ASSERT_EQ(0, crowd_free(&self->crowd));
	usleep(500 * 1000);
	slab1 = mt_meminfo_kb("SUnreclaim");
	tracked1 = mt_summary_get("TrackedMms");
	objsize = mt_slab_objsize("madvstat_mm", &objects);

	TH_LOG("TrackedMms %lld -> %lld; records of %lld bytes, %lld in "
	       "use; unreclaimable slab %+lld kB across the frees",
	       (long long)tracked0, (long long)tracked1, (long long)objsize,
	       (long long)objects, (long long)(slab1 - slab0));
	EXPECT_LE(tracked0 + NR_PROCS, tracked1);
	EXPECT_GE(tracked0 + NR_PROCS + 16, tracked1);
	ASSERT_LT(0, objsize);
	EXPECT_LE(tracked1, objects);
	if (debug_kernel)
		TH_LOG("kmemleak and KASAN add their metadata to each "
		       "object: the %d-byte bound is checked on release "
		       "kernels only", BOUND_BYTES);
	else
		EXPECT_GE(BOUND_BYTES, objsize);
	for (i = 0; i < NR_PROCS; i += NR_PROCS / 8)
		EXPECT_EQ(MT_KB(PROC_PAGES * mt_page_size()),
			  mt_madvstat_get(self->crowd.pids[i], "Marked"));

	t0 = mt_now_ms();
	EXPECT_EQ(0, crowd_exit(&self->crowd));
	/*
	 * Records go with the mm, which outlives its task while an idle CPU
	 * still has it loaded (lazy TLB): run on every CPU to release them.
	 */
	for (waited = 0; waited < 10000; waited += 100) {
		mt_leave_lazy_mms();
		if (mt_summary_get("TrackedMms") <= tracked0)
			break;
		usleep(100 * 1000);
	}
	usleep(500 * 1000);
	slab2 = mt_meminfo_kb("SUnreclaim");
	tracked2 = mt_summary_get("TrackedMms");
	TH_LOG("all exited in %lld ms; TrackedMms %lld; unreclaimable slab "
	       "%+lld kB since before the frees", (long long)(mt_now_ms() - t0),
	       (long long)tracked2, (long long)(slab2 - slab0));
	EXPECT_GE(tracked0, tracked2);
}

TEST_HARNESS_MAIN
