// SPDX-License-Identifier: GPL-2.0
/*
 * Marked stays exact when the tasks marking pages preempt each other on
 * one CPU. The mark probe runs at the entry of folio_mark_lazyfree(), the
 * folio joins the CPU's batch a little later; on PREEMPT_RT the task may
 * be preempted in between (its page-table lock and the batch's local_lock
 * only disable migration), so another task's folios can enter the batch
 * ahead of it, and the batch can even drain in between.
 *
 * NR_CHILDREN processes, each in a memory cgroup of its own, all pinned to
 * CPU 0, write, MADV_FREE and MADV_DONTNEED fresh pages in rounds (the
 * next round's are new folios, often another child's old ones). The first
 * NR_VICTIMS run as SCHED_OTHER without a pause, NR_ROUND_PAGES a round;
 * the others are SCHED_FIFO, sleep a millisecond or two between rounds of
 * PREEMPTOR_PAGES (more than a batch, so that their own marks drain it),
 * and their wake-ups preempt the victims anywhere in madvise(), also just
 * after the mark probe. Then each child's Marked must equal its cgroup's
 * pglazyfree, and the summary's AllMarked the pglazyfree delta of the
 * whole system, with nothing left unattributed.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define NR_CHILDREN	6
#define NR_VICTIMS	4
#define NR_ROUND_PAGES	96	/* three batches of 31, so they drain mid-call */
#define PREEMPTOR_PAGES	32
#define RUN_MS		8000

struct kid {
	pid_t pid;
	int to_kid;		/* closing it lets the child exit */
	int from_kid;		/* the child's round count, then EOF */
	struct mt_cgroup cg;
	long pages;		/* it freed */
};

/* The child's body: returns the pages it freed, or -1. */
static long kid_run(int idx, const struct mt_cgroup *cg)
{
	bool victim = idx < NR_VICTIMS;
	size_t page = mt_page_size();
	size_t nr = victim ? NR_ROUND_PAGES : PREEMPTOR_PAGES, len = nr * page;
	struct sched_param sp = { .sched_priority = 1 + idx - NR_VICTIMS };
	struct timespec nap = { 0, 1000000L + 700000L * (idx - NR_VICTIMS) };
	int64_t end;
	unsigned char *mem;
	long pages = 0;

	if (mt_cgroup_join(cg) || mt_pin_cpu(0))
		return -1;
	mem = mt_map_4k(len);
	if (!mem)
		return -1;
	if (!victim && sched_setscheduler(0, SCHED_FIFO, &sp))
		return -1;
	end = mt_now_ms() + RUN_MS;
	while (mt_now_ms() < end) {
		memset(mem, 0x5a + pages, len);
		if (madvise(mem, len, MADV_FREE) ||
		    madvise(mem, len, MADV_DONTNEED))
			return -1;
		pages += nr;
		if (!victim)
			nanosleep(&nap, NULL);
	}
	return pages;
}

static int kid_start(struct kid *k, int idx)
{
	int down[2], up[2];
	char c;

	if (pipe(down) || pipe(up))
		return -errno;
	k->pid = fork();
	if (k->pid < 0)
		return -errno;
	if (!k->pid) {
		long n;

		close(down[1]);
		close(up[0]);
		n = kid_run(idx, &k->cg);
		if (write(up[1], &n, sizeof(n)) != sizeof(n))
			_exit(1);
		/* Stay, quiescent, until the parent has read our report. */
		while (read(down[0], &c, 1) > 0)
			;
		_exit(n < 0);
	}
	close(down[0]);
	close(up[1]);
	k->to_kid = down[1];
	k->from_kid = up[0];
	return 0;
}

FIXTURE(ring) {
	struct kid kids[NR_CHILDREN];
};

FIXTURE_SETUP(ring)
{
}

FIXTURE_TEARDOWN(ring)
{
}

/* Under emulation the children's RUN_MS alone can take a minute. */
TEST_F_TIMEOUT(ring, preempted_marks, 300)
{
	int64_t kb = mt_page_size() / 1024;
	int64_t lazy0, marked0, unattr0, lazy, marked, unattr, sum = 0;
	struct sched_param sp = { .sched_priority = 1 };
	struct kid *kids = self->kids;
	int i, status;

	if (!mt_module_loaded() || mt_summary_get("AllMarked") < 0)
		SKIP(return, "madvstat is not loaded or does not track");
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		SKIP(return, "cannot use SCHED_FIFO: %s", strerror(errno));
	sp.sched_priority = 0;
	ASSERT_EQ(0, sched_setscheduler(0, SCHED_OTHER, &sp));
	TH_LOG("%s kernel, %d victims and %d preemptors on CPU 0 for %d ms",
	       mt_preempt_rt() ? "PREEMPT_RT" : "non-RT", NR_VICTIMS,
	       NR_CHILDREN - NR_VICTIMS, RUN_MS);

	ASSERT_EQ(0, mt_drain_lru());
	lazy0 = mt_vmstat("pglazyfree");
	marked0 = mt_summary_get("AllMarked");
	unattr0 = mt_summary_get("AllUnattributed");
	ASSERT_LE(0, lazy0);
	ASSERT_LE(0, unattr0);
	for (i = 0; i < NR_CHILDREN; i++) {
		char tag[32];

		snprintf(tag, sizeof(tag), "rtring%d", i);
		ASSERT_EQ(0, mt_cgroup_create(&kids[i].cg, tag));
		ASSERT_EQ(0, kid_start(&kids[i], i));
	}
	for (i = 0; i < NR_CHILDREN; i++) {
		ASSERT_EQ(sizeof(long), read(kids[i].from_kid, &kids[i].pages,
					     sizeof(long)));
		ASSERT_LT(0, kids[i].pages);
	}
	/*
	 * Every batch applied; then memory.stat, which skips its flush below
	 * a threshold of pending updates, waits for the periodic one (every
	 * 2 s) to make each cgroup's pglazyfree exact.
	 */
	ASSERT_EQ(0, mt_drain_lru());
	sleep(5);
	for (i = 0; i < NR_CHILDREN; i++) {
		int64_t want = mt_cgroup_stat(&kids[i].cg, "pglazyfree");
		int64_t got = mt_madvstat_get(kids[i].pid, "Marked");

		TH_LOG("child %d (%s): freed %ld kB, pglazyfree %ld kB, Marked %ld kB",
		       i, i < NR_VICTIMS ? "victim" : "preemptor",
		       (long)(kids[i].pages * kb), (long)(want * kb), (long)got);
		/* Nearly every page turns: the test does test the ring. */
		EXPECT_LE(kids[i].pages * 9 / 10, want);
		/* Before 5.13 the cgroup's count lags by up to a batch per CPU. */
		EXPECT_LE(want * kb, got);
		EXPECT_GE((want + mt_cgroup_event_lag()) * kb, got);
		sum += got;
	}
	lazy = mt_vmstat("pglazyfree") - lazy0;
	marked = mt_summary_get("AllMarked") - marked0;
	unattr = mt_summary_get("AllUnattributed") - unattr0;
	TH_LOG("pglazyfree +%ld kB, AllMarked +%ld kB, AllUnattributed +%ld kB, children's Marked %ld kB",
	       (long)(lazy * kb), (long)marked, (long)unattr, (long)sum);
	EXPECT_EQ(lazy * kb, marked);
	EXPECT_EQ(0, unattr);
	EXPECT_EQ(marked, sum);
	/* Each child holds the pipes of those forked before it: close all. */
	for (i = 0; i < NR_CHILDREN; i++) {
		close(kids[i].to_kid);
		close(kids[i].from_kid);
	}
	for (i = 0; i < NR_CHILDREN; i++) {
		EXPECT_EQ(kids[i].pid, waitpid(kids[i].pid, &status, 0));
		EXPECT_EQ(0, status);
		EXPECT_EQ(0, mt_cgroup_remove(&kids[i].cg));
	}
}

TEST_HARNESS_MAIN
