// SPDX-License-Identifier: GPL-2.0
/*
 * Global memory pressure, as on a real machine: in a small VM (qemu/check
 * boots it with --mem 512M) a memory hog outside our cgroup drives the
 * kernel into kswapd and direct reclaim until our lazily freed memory is
 * gone. The counters must match the kernel's per-cgroup counts exactly, the
 * pages written again must keep their contents, and the invariant holds.
 *
 * Built into bin/smallvm/ so the normal runs (2 GiB guests) do not run it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define LEN		(128UL << 20)
#define NR_REWRITTEN	1000
#define HOG_CHUNK	(16UL << 20)
#define HOG_MAX		(4UL << 30)	/* the OOM killer stops it first */
#define SMALL_VM_KB	(640L << 10)
/* Allocate and touch until the target holds no lazily freed memory. */
static void hog(pid_t target)
{
	size_t total = 0;
	char *p;

	if (mt_cgroup_leave() || ms_write_str("/proc/self/oom_score_adj", "1000"))
		_exit(2);
	while (total < HOG_MAX) {
		if (mt_madvstat_get(target, "LazyFree") == 0 &&
		    mt_madvstat_get(target, "LazyFreeDirty") == 0)
			_exit(0);
		p = mmap(NULL, HOG_CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		memset(p, 0x77, HOG_CHUNK);
		total += HOG_CHUNK;
	}
	_exit(4);
}

FIXTURE(global) {
};

FIXTURE_SETUP(global)
{
}

FIXTURE_TEARDOWN(global)
{
}

/* 300 s: a debug kernel reclaims about ten times slower. */
TEST_F_TIMEOUT(global, hog_reclaims_lazyfree, 300)
{
	int64_t kb = mt_page_size() / 1024, all = LEN >> 10;
	int64_t kept = NR_REWRITTEN * kb, mem_total = mt_meminfo_kb("MemTotal");
	int64_t lag, got;
	int64_t marked, reclaimed, rescued, dropped, lazy, dirty;
	struct mt_cgroup cg;
	unsigned char *mem;
	size_t i, page = mt_page_size();
	int status;
	pid_t h;

	if (mem_total > SMALL_VM_KB)
		SKIP(return, "MemTotal %ld kB: needs a small VM (qemu/vm --mem 512M, as make check runs it)",
		     (long)mem_total);
	ASSERT_EQ(0, mt_pin_cpu(0));
	ASSERT_EQ(0, ms_write_str("/proc/self/oom_score_adj", "-1000"));
	ASSERT_EQ(0, mt_cgroup_create(&cg, "pressure"));
	ASSERT_EQ(0, mt_cgroup_join(&cg));
	mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, mt_thp_advise(mem, LEN, MADV_NOHUGEPAGE));
	/* The hog must not share it: it would be reclaimed from both. */
	ASSERT_EQ(0, madvise(mem, LEN, MADV_DONTFORK));
	memset(mem, 0x5a, LEN);
	ASSERT_EQ(0, madvise(mem, LEN, MADV_FREE));
	ASSERT_EQ(0, mt_drain_lru());
	for (i = 0; i < NR_REWRITTEN; i++)
		memset(mem + 2 * i * page, 0xa5, page);

	/*
	 * The OOM killer may stop a hog before reclaim has reached the last
	 * few pages (7.2: one rewritten page left once): then another hog.
	 */
	for (i = 0; i < 3; i++) {
		h = fork();
		ASSERT_LE(0, h);
		if (h == 0)
			hog(getppid());
		ASSERT_EQ(h, waitpid(h, &status, 0));
		TH_LOG("hog %zu: %s %d", i + 1,
		       WIFEXITED(status) ? "exit" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) :
		       WTERMSIG(status));
		EXPECT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
			    (WIFSIGNALED(status) &&
			     WTERMSIG(status) == SIGKILL));
		if (mt_madvstat_get(getpid(), "LazyFree") == 0 &&
		    mt_madvstat_get(getpid(), "LazyFreeDirty") == 0)
			break;
	}

	marked = mt_madvstat_get(getpid(), "Marked");
	reclaimed = mt_madvstat_get(getpid(), "Reclaimed");
	rescued = mt_madvstat_get(getpid(), "Rescued");
	dropped = mt_madvstat_get(getpid(), "Dropped");
	lazy = mt_madvstat_get(getpid(), "LazyFree");
	dirty = mt_madvstat_get(getpid(), "LazyFreeDirty");
	TH_LOG("Marked %ld Reclaimed %ld Rescued %ld Dropped %ld LazyFree %ld LazyFreeDirty %ld kB",
	       (long)marked, (long)reclaimed, (long)rescued, (long)dropped,
	       (long)lazy, (long)dirty);
	EXPECT_EQ(all, marked);
	EXPECT_EQ(0, lazy);
	EXPECT_EQ(0, dirty);
	EXPECT_EQ(all - kept, reclaimed);
	if (mt_mglru_sorter_restores()) {
		EXPECT_EQ(kept, rescued + dropped);
	} else {
		EXPECT_EQ(kept, rescued);
		EXPECT_EQ(0, dropped);
	}
	EXPECT_EQ(0, mt_madvstat_get(getpid(), "RescuedPinned"));
	/* Before 5.13 the cgroup's counts may lag (mt_cgroup_event_lag()). */
	lag = mt_cgroup_event_lag() * kb;
	got = mt_cgroup_event_settled(&cg, "pglazyfree", marked / kb) * kb;
	EXPECT_LE(got, marked);
	EXPECT_GE(got, marked - lag);
	got = mt_cgroup_event_settled(&cg, "pglazyfreed", reclaimed / kb) * kb;
	EXPECT_LE(got, reclaimed);
	EXPECT_GE(got, reclaimed - lag);
	for (i = 0; i < NR_REWRITTEN; i++)
		EXPECT_EQ(1, mt_count_pages(mem + 2 * i * page, page, 0xa5));

	munmap(mem, LEN);
	EXPECT_EQ(0, mt_cgroup_leave());
	EXPECT_EQ(0, mt_cgroup_remove(&cg));
}

TEST_HARNESS_MAIN
