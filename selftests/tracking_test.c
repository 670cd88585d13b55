// SPDX-License-Identifier: GPL-2.0
/*
 * The cumulative counters of /proc/madvstat/<pid> (Marked, Reclaimed,
 * Rescued, RescuedPinned, Dropped) against the kernel's own per-cgroup
 * event counts, in each way lazily freed memory can end.
 *
 * Each test runs alone in a fresh memory cgroup, pinned to one CPU, and
 * drains the LRU batches after madvise(), so that for the cgroup's
 * memory.stat, pglazyfree counts exactly our Marked and pglazyfreed our
 * Reclaimed (or ReclaimFreed, where memory is shared). Every check also
 * asserts the invariant
 *   Marked = LazyFree + LazyFreeDirty - Droppable + Reclaimed + Rescued
 *            + RescuedPinned + Dropped
 * and, since Dropped is derived from it, Dropped against what the test
 * itself unmapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define NR_PAGES	4096	/* 16 MiB of 4 kB pages */
#define NR_REWRITTEN	1000
#define NR_PINNED	16	/* a pipe's default capacity in pages */
#define SZ_2M		(2UL << 20)

struct track {
	int64_t marked, reclaimed, rescued, pinned, dropped;
	int64_t lazy, dirty, droppable;
	char tracking[256];
};

static void read_track(struct __test_metadata *_metadata, pid_t pid,
		       struct track *t)
{
	struct ms_report r;

	ASSERT_EQ(0, mt_madvstat_read(pid, &r));
	t->marked = ms_report_get(&r, "Marked");
	t->reclaimed = ms_report_get(&r, "Reclaimed");
	t->rescued = ms_report_get(&r, "Rescued");
	t->pinned = ms_report_get(&r, "RescuedPinned");
	t->dropped = ms_report_get(&r, "Dropped");
	t->lazy = ms_report_get(&r, "LazyFree");
	t->dirty = ms_report_get(&r, "LazyFreeDirty");
	/* MAP_DROPPABLE pages: lazily freed, never marked (0 before 6.11). */
	t->droppable = ms_report_get(&r, "Droppable");
	snprintf(t->tracking, sizeof(t->tracking), "%s", r.tracking);
	ms_report_free(&r);
}

/*
 * The counters of pid, in kB, are what the test expects, and the
 * invariant holds.
 */
static void expect_track(struct __test_metadata *_metadata, pid_t pid,
			 int64_t marked, int64_t reclaimed, int64_t rescued,
			 int64_t pinned, int64_t dropped)
{
	struct track t;

	read_track(_metadata, pid, &t);
	EXPECT_EQ(0, strncmp(t.tracking, "live, since process start", 25)) {
		TH_LOG("Tracking: %s", t.tracking);
	}
	EXPECT_EQ(marked, t.marked);
	EXPECT_EQ(reclaimed, t.reclaimed);
	if (rescued && mt_mglru_sorter_restores()) {
		/* See mt_mglru_sorter_restores(): some may show as Dropped. */
		TH_LOG("6.1 MGLRU: Rescued %ld of %ld, Dropped %ld",
		       (long)t.rescued, (long)rescued, (long)t.dropped);
		EXPECT_EQ(rescued + dropped, t.rescued + t.dropped);
	} else {
		EXPECT_EQ(rescued, t.rescued);
		EXPECT_EQ(dropped, t.dropped);
	}
	EXPECT_EQ(pinned, t.pinned);
	EXPECT_EQ(t.marked, t.lazy + t.dirty - t.droppable + t.reclaimed +
		  t.rescued + t.pinned + t.dropped) {
		TH_LOG("Marked %ld LazyFree %ld LazyFreeDirty %ld Droppable %ld Reclaimed %ld Rescued %ld RescuedPinned %ld Dropped %ld",
		       (long)t.marked, (long)t.lazy, (long)t.dirty,
		       (long)t.droppable, (long)t.reclaimed, (long)t.rescued,
		       (long)t.pinned, (long)t.dropped);
	}
}

/*
 * The cgroup's own count of an event, in kB, once settled
 * (mt_cgroup_event_settled()): exactly want, or, before 5.13, up to
 * mt_cgroup_event_lag() pages less.
 */
static void expect_cgroup_event(struct __test_metadata *_metadata,
				const struct mt_cgroup *cg, const char *key,
				int64_t want)
{
	int64_t kb = mt_page_size() / 1024;
	int64_t got = mt_cgroup_event_settled(cg, key, want / kb) * kb;
	int64_t lag = mt_cgroup_event_lag() * kb;

	EXPECT_LE(got, want) {
		TH_LOG("%s: %ld kB, expected %ld", key, (long)got, (long)want);
	}
	EXPECT_GE(got, want - lag) {
		TH_LOG("%s: %ld kB, expected %ld (less at most %ld)", key,
		       (long)got, (long)want, (long)lag);
	}
}

/* The cgroup's own pglazyfree and pglazyfreed, in kB. */
static void expect_cgroup(struct __test_metadata *_metadata,
			  const struct mt_cgroup *cg, int64_t marked,
			  int64_t reclaimed)
{
	expect_cgroup_event(_metadata, cg, "pglazyfree", marked);
	expect_cgroup_event(_metadata, cg, "pglazyfreed", reclaimed);
}

static void free_and_drain(struct __test_metadata *_metadata, void *p,
			   size_t len)
{
	ASSERT_EQ(0, madvise(p, len, MADV_FREE));
	ASSERT_EQ(0, mt_drain_lru());
}

/* Every other page of the first 2 * NR_REWRITTEN, written with 0xa5. */
static void rewrite_some(unsigned char *mem, size_t page)
{
	size_t i;

	for (i = 0; i < NR_REWRITTEN; i++)
		memset(mem + 2 * i * page, 0xa5, page);
}

/* The pages rewrite_some() wrote still hold what it wrote. */
static void expect_rewritten_kept(struct __test_metadata *_metadata,
				  unsigned char *mem, size_t page)
{
	size_t i;

	for (i = 0; i < NR_REWRITTEN; i++)
		EXPECT_EQ(1, mt_count_pages(mem + 2 * i * page, page, 0xa5));
}

/*
 * Reclaim the cgroup until pid holds no more than left_kb of lazily freed
 * memory (what reclaim cannot take).
 */
static void reclaim_to(struct __test_metadata *_metadata,
		       const struct mt_cgroup *cg, pid_t pid, int64_t left_kb)
{
	int round;

	for (round = 0; round < 8; round++) {
		ASSERT_EQ(0, mt_cgroup_reclaim(cg, "300M", 2));
		if (mt_madvstat_get(pid, "LazyFree") +
		    mt_madvstat_get(pid, "LazyFreeDirty") <= left_kb)
			return;
	}
	TH_LOG("lazily freed memory left after %d rounds of reclaim", round);
}

/* Reclaim the cgroup until pid holds no lazily freed page. */
static void reclaim_all(struct __test_metadata *_metadata,
			const struct mt_cgroup *cg, pid_t pid)
{
	reclaim_to(_metadata, cg, pid, 0);
}

/* 16 MiB of base pages, in a memory cgroup of its own. */
FIXTURE(track) {
	struct mt_cgroup cg;
	unsigned char *mem;
	size_t len, page;
	int64_t kb;	/* of one page */
	int64_t all;	/* kB of the whole area */
};

FIXTURE_SETUP(track)
{
	self->page = mt_page_size();
	self->kb = self->page / 1024;
	self->len = NR_PAGES * self->page;
	self->all = NR_PAGES * self->kb;
	ASSERT_EQ(0, mt_pin_cpu(0));
	ASSERT_EQ(0, mt_cgroup_create(&self->cg, "tracking"));
	ASSERT_EQ(0, mt_cgroup_join(&self->cg));
	self->mem = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	ASSERT_EQ(0, mt_thp_advise(self->mem, self->len, MADV_NOHUGEPAGE));
	memset(self->mem, 0x5a, self->len);
	/* A process forked by the harness after load: nothing counted yet. */
	expect_track(_metadata, getpid(), 0, 0, 0, 0, 0);
}

FIXTURE_TEARDOWN(track)
{
	if (self->mem)
		munmap(self->mem, self->len);
	EXPECT_EQ(0, mt_cgroup_leave());
	EXPECT_EQ(0, mt_cgroup_remove(&self->cg));
}

TEST_F(track, free_then_reclaim)
{
	free_and_drain(_metadata, self->mem, self->len);
	expect_track(_metadata, getpid(), self->all, 0, 0, 0, 0);
	expect_cgroup(_metadata, &self->cg, self->all, 0);

	reclaim_all(_metadata, &self->cg, getpid());
	expect_track(_metadata, getpid(), self->all, self->all, 0, 0, 0);
	expect_cgroup(_metadata, &self->cg, self->all, self->all);
	EXPECT_EQ(NR_PAGES, mt_count_pages(self->mem, self->len, 0));
}

/* Pages written again are given back, contents intact: Rescued. */
TEST_F(track, rewrite_then_reclaim)
{
	int64_t kept = NR_REWRITTEN * self->kb;

	free_and_drain(_metadata, self->mem, self->len);
	rewrite_some(self->mem, self->page);
	expect_track(_metadata, getpid(), self->all, 0, 0, 0, 0);

	reclaim_all(_metadata, &self->cg, getpid());
	expect_track(_metadata, getpid(), self->all, self->all - kept, kept,
		     0, 0);
	expect_cgroup(_metadata, &self->cg, self->all, self->all - kept);
	expect_rewritten_kept(_metadata, self->mem, self->page);
}

/* Lazily freed pages unmapped by the program itself: Dropped. */
TEST_F(track, munmap_part)
{
	int64_t half = self->all / 2;

	free_and_drain(_metadata, self->mem, self->len);
	ASSERT_EQ(0, munmap(self->mem + self->len / 2, self->len / 2));
	self->len /= 2;
	expect_track(_metadata, getpid(), self->all, 0, 0, 0, half);

	reclaim_all(_metadata, &self->cg, getpid());
	expect_track(_metadata, getpid(), self->all, half, 0, 0, half);
	expect_cgroup(_metadata, &self->cg, self->all, half);
}

TEST_F(track, dontneed_part)
{
	int64_t quarter = self->all / 4;

	free_and_drain(_metadata, self->mem, self->len);
	ASSERT_EQ(0, madvise(self->mem, self->len / 4, MADV_DONTNEED));
	expect_track(_metadata, getpid(), self->all, 0, 0, 0, quarter);
	reclaim_all(_metadata, &self->cg, getpid());
	expect_track(_metadata, getpid(), self->all, self->all - quarter, 0,
		     0, quarter);
	expect_cgroup(_metadata, &self->cg, self->all, self->all - quarter);
}

/*
 * Freeing what is already lazily freed marks nothing, even after a write;
 * freeing what reclaim gave back marks it again.
 */
TEST_F(track, free_twice)
{
	int64_t kept = NR_REWRITTEN * self->kb, all;
	int64_t lazy0 = mt_vmstat("pglazyfree");

	free_and_drain(_metadata, self->mem, self->len);
	free_and_drain(_metadata, self->mem, self->len);
	/*
	 * What the kernel turned (its own pglazyfree, exact on every kernel):
	 * all of it, but for a page isolated just then, which MADV_FREE passes
	 * over (seen once on 7.2-rt: one page; madvstat and the kernel agreed).
	 */
	all = (mt_vmstat("pglazyfree") - lazy0) * self->kb;
	EXPECT_GE(all, self->all - 16 * self->kb) {
		TH_LOG("pglazyfree +%ld kB of %ld", (long)all, (long)self->all);
	}
	expect_track(_metadata, getpid(), all, 0, 0, 0, 0);
	expect_cgroup(_metadata, &self->cg, all, 0);

	memset(self->mem, 0xa5, NR_REWRITTEN * self->page);
	free_and_drain(_metadata, self->mem, self->len);
	expect_track(_metadata, getpid(), all, 0, 0, 0, 0);

	memset(self->mem, 0xa5, NR_REWRITTEN * self->page);
	reclaim_all(_metadata, &self->cg, getpid());
	expect_track(_metadata, getpid(), all, all - kept, kept, 0, 0);

	free_and_drain(_metadata, self->mem, NR_REWRITTEN * self->page);
	expect_track(_metadata, getpid(), all + kept, all - kept, kept, 0, 0);
	expect_cgroup(_metadata, &self->cg, all + kept, all - kept);
}

/* MADV_PAGEOUT reclaims without any memory pressure. */
TEST_F(track, pageout)
{
	free_and_drain(_metadata, self->mem, self->len);
	ASSERT_EQ(0, madvise(self->mem, self->len, MADV_PAGEOUT));
	expect_track(_metadata, getpid(), self->all, self->all, 0, 0, 0);
	expect_cgroup(_metadata, &self->cg, self->all, self->all);
}

/*
 * A page referenced by a pipe (vmsplice) cannot be discarded even though
 * nobody wrote it. Before 6.15 reclaim gives it back, RescuedPinned; since,
 * it stays lazily freed (mt_pinned_stays_lazy()): LazyFree, not rescued.
 */
TEST_F(track, pinned_by_pipe)
{
	int64_t pinned = NR_PINNED * self->kb;
	bool stays = mt_pinned_stays_lazy();
	struct iovec iov = {
		.iov_base = self->mem,
		.iov_len = NR_PINNED * self->page,
	};
	int p[2];

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ((ssize_t)iov.iov_len, vmsplice(p[1], &iov, 1, 0));
	free_and_drain(_metadata, self->mem, self->len);
	reclaim_to(_metadata, &self->cg, getpid(), stays ? pinned : 0);
	expect_track(_metadata, getpid(), self->all, self->all - pinned, 0,
		     stays ? 0 : pinned, 0);
	if (stays) {
		EXPECT_EQ(pinned, mt_madvstat_get(getpid(), "LazyFree"));
		EXPECT_EQ(pinned, mt_rollup_get(getpid(), "LazyFree"));
	}
	expect_cgroup(_metadata, &self->cg, self->all, self->all - pinned);
	close(p[0]);
	close(p[1]);
}

/*
 * The cgroup's limit as the reclaimer: allocating more than memory.max
 * allows makes the kernel take the lazily freed pages, and only those;
 * every page written again or allocated since keeps its contents.
 */
TEST_F(track, memory_max)
{
	int64_t kept = NR_REWRITTEN * self->kb;
	size_t more_len = self->len * 3 / 4;
	unsigned char *more;
	struct track t;
	char max[32];

	free_and_drain(_metadata, self->mem, self->len);
	rewrite_some(self->mem, self->page);
	/* Room for what we hold beside the area, the rewritten pages, and a bit. */
	snprintf(max, sizeof(max), "%zu", self->len + (4UL << 20));
	ASSERT_EQ(0, mt_cgroup_set(&self->cg, "memory.max", max));
	more = mmap(NULL, more_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, more);
	ASSERT_EQ(0, mt_thp_advise(more, more_len, MADV_NOHUGEPAGE));
	memset(more, 0x3c, more_len);
	ASSERT_EQ(0, mt_drain_lru());
	/* The limit alone took some; memory.reclaim takes the rest. */
	read_track(_metadata, getpid(), &t);
	TH_LOG("memory.max reclaimed %ld kB, rescued %ld kB",
	       (long)t.reclaimed, (long)t.rescued);
	EXPECT_LT(0, t.reclaimed);
	reclaim_all(_metadata, &self->cg, getpid());

	expect_track(_metadata, getpid(), self->all, self->all - kept, kept,
		     0, 0);
	expect_cgroup(_metadata, &self->cg, self->all, self->all - kept);
	expect_rewritten_kept(_metadata, self->mem, self->page);
	EXPECT_EQ(more_len / self->page, mt_count_pages(more, more_len, 0x3c));
	munmap(more, more_len);
}

/* Parent and child each free their own copy; each is charged its own. */
struct area {
	unsigned char *mem;
	size_t len;
};

static void child_free(void *arg, char cmd)
{
	struct area *a = arg;

	if (cmd == 'w')
		memset(a->mem, 0xc3, a->len);	/* its own copy now */
	else if (cmd == 'f' && madvise(a->mem, a->len, MADV_FREE) == 0)
		mt_drain_lru();
}

TEST_F(track, fork_each_own)
{
	struct area area = { .mem = self->mem, .len = self->len };
	int64_t half = self->all / 2;
	struct mt_child c;

	ASSERT_EQ(0, mt_child_start(&c, child_free, &area));
	ASSERT_EQ(0, mt_child_cmd(&c, 'w'));
	/* The parent frees half of its area, the child all of its copy. */
	free_and_drain(_metadata, self->mem, self->len / 2);
	ASSERT_EQ(0, mt_child_cmd(&c, 'f'));
	expect_track(_metadata, getpid(), half, 0, 0, 0, 0);
	expect_track(_metadata, c.pid, self->all, 0, 0, 0, 0);
	expect_cgroup(_metadata, &self->cg, self->all + half, 0);

	reclaim_all(_metadata, &self->cg, getpid());
	reclaim_all(_metadata, &self->cg, c.pid);
	expect_track(_metadata, getpid(), half, half, 0, 0, 0);
	expect_track(_metadata, c.pid, self->all, self->all, 0, 0, 0);
	expect_cgroup(_metadata, &self->cg, self->all + half,
		      self->all + half);
	EXPECT_EQ(0, mt_child_stop(&c));
}

/*
 * A folio shared after fork is taken from both processes (each one's
 * Reclaimed) but freed once: ReclaimFreed, summed, is pglazyfreed.
 */
TEST_F(track, fork_shared_freed_once)
{
	struct area area = { .mem = self->mem, .len = self->len };
	int64_t parent_freed, child_freed;
	struct mt_child c;

	if (mt_preempt_rt())
		SKIP(return, "PREEMPT_RT: reclaim cannot create the child's record (madvstat.rst, Limits)");
	free_and_drain(_metadata, self->mem, self->len);
	/* The child maps the same lazily freed folios, clean. */
	ASSERT_EQ(0, mt_child_start(&c, child_free, &area));
	EXPECT_EQ(self->all, mt_madvstat_get(c.pid, "LazyFree"));
	EXPECT_EQ(0, mt_madvstat_get(c.pid, "Marked"));

	reclaim_all(_metadata, &self->cg, getpid());
	reclaim_all(_metadata, &self->cg, c.pid);
	EXPECT_EQ(self->all, mt_madvstat_get(getpid(), "Reclaimed"));
	EXPECT_EQ(self->all, mt_madvstat_get(c.pid, "Reclaimed"));
	parent_freed = mt_madvstat_get(getpid(), "ReclaimFreed");
	child_freed = mt_madvstat_get(c.pid, "ReclaimFreed");
	EXPECT_EQ(self->all, parent_freed + child_freed) {
		TH_LOG("ReclaimFreed: parent %ld kB, child %ld kB",
		       (long)parent_freed, (long)child_freed);
	}
	expect_cgroup(_metadata, &self->cg, self->all, self->all);
	EXPECT_EQ(0, mt_child_stop(&c));
}

/* memory.reclaim from another CPU, while the test unmaps. */
struct reclaimer {
	const struct mt_cgroup *cg;
	int err;
};

static void *reclaim_from_cpu1(void *arg)
{
	struct reclaimer *r = arg;

	r->err = mt_pin_cpu(1);
	if (!r->err)
		r->err = mt_cgroup_reclaim(r->cg, "64M", 1);
	return NULL;
}

/*
 * Reclaim racing with munmap(): a folio the program unmaps while reclaim
 * holds it isolated is then freed by reclaim, and counted in pglazyfreed,
 * without reclaim unmapping it: it is in the program's Dropped, and its
 * ReclaimFreed is no process's (AllFreedUnowned). When ReclaimFreed was
 * charged at the unmap, it fell short of pglazyfreed by as much (13 to
 * 16 MB in 30 such rounds, on 6.1, 6.12 and 7.2).
 */
TEST_F(track, reclaim_races_munmap)
{
	int64_t unowned0 = mt_summary_get("AllFreedUnowned");
	int64_t all0 = mt_summary_get("AllReclaimFreed");
	int64_t unowned = unowned0, freed, reclaimed;
	int round, raced = 0;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs: reclaim on one, munmap() on the other");
	ASSERT_LE(0, unowned0);
	for (round = 0; round < 40 && raced < 3; round++) {
		struct reclaimer r = { .cg = &self->cg };
		unsigned char *p;
		pthread_t t;
		int64_t now;

		p = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, mt_thp_advise(p, self->len, MADV_NOHUGEPAGE));
		memset(p, 0x3c, self->len);
		free_and_drain(_metadata, p, self->len);
		ASSERT_EQ(0, pthread_create(&t, NULL, reclaim_from_cpu1, &r));
		usleep((round % 5) * 500);
		ASSERT_EQ(0, munmap(p, self->len));
		ASSERT_EQ(0, pthread_join(t, NULL));
		ASSERT_EQ(0, r.err);
		now = mt_summary_get("AllFreedUnowned");
		if (now > unowned)
			raced++;
		unowned = now;
	}
	unowned -= unowned0;
	freed = mt_madvstat_get(getpid(), "ReclaimFreed");
	reclaimed = mt_madvstat_get(getpid(), "Reclaimed");
	TH_LOG("%d of %d rounds raced: ReclaimFreed %ld kB, AllFreedUnowned %ld kB, Reclaimed %ld kB",
	       raced, round, (long)freed, (long)unowned, (long)reclaimed);
	EXPECT_LT(0, raced) {
		TH_LOG("reclaim never freed a page munmap() had unmapped: nothing was tested");
	}
	/* Nothing shared: what reclaim freed of ours it first unmapped. */
	EXPECT_LE(freed, reclaimed);
	EXPECT_EQ(freed + unowned, mt_summary_get("AllReclaimFreed") - all0);
	expect_cgroup_event(_metadata, &self->cg, "pglazyfreed",
			    freed + unowned);
}

/*
 * MAP_DROPPABLE memory (6.11+) is lazily freed from birth: Droppable, never
 * Marked nor Reclaimed, and left out of Dropped. ReclaimFreed follows
 * pglazyfreed for it too: dirty, reclaim drops its pages from the page
 * tables but keeps the folios (6.12, 7.2: 0 kB freed of 4,096); clean
 * (after MADV_FREE, which marks nothing here), it frees them.
 */
TEST_F(track, droppable_never_marked)
{
	size_t len = self->len / 4;
	int64_t kb = self->all / 4, freed, dirty_freed = 0;
	unsigned char *p;
	int round;

	if (!mt_kernel_at_least(6, 11))
		SKIP(return, "no MAP_DROPPABLE before 6.11");
	if (mt_preempt_rt())
		SKIP(return, "PREEMPT_RT: reclaim cannot create the record of a process that never marked (madvstat.rst, Limits)");
	for (round = 0; round < 2; round++) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 0x08 /* MAP_DROPPABLE */ | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, mt_thp_advise(p, len, MADV_NOHUGEPAGE));
		memset(p, 0x77, len);
		EXPECT_EQ(kb, mt_madvstat_get(getpid(), "Droppable"));
		EXPECT_EQ(kb, mt_madvstat_get(getpid(), "LazyFreeDirty"));
		if (round == 1) {
			ASSERT_EQ(0, madvise(p, len, MADV_FREE));
			ASSERT_EQ(0, mt_drain_lru());
			EXPECT_EQ(kb, mt_madvstat_get(getpid(), "LazyFree"));
			EXPECT_EQ(kb, mt_smaps_vma_get(getpid(), (uintptr_t)p,
						       "LazyFree"));
		}
		expect_track(_metadata, getpid(), 0, 0, 0, 0, 0);
		reclaim_all(_metadata, &self->cg, getpid());
		expect_track(_metadata, getpid(), 0, 0, 0, 0, 0);
		EXPECT_EQ(0, mt_madvstat_get(getpid(), "Droppable"));
		freed = mt_madvstat_get(getpid(), "ReclaimFreed");
		expect_cgroup(_metadata, &self->cg, 0, freed);
		if (round == 0) {
			dirty_freed = freed;
			TH_LOG("dirty MAP_DROPPABLE: %ld kB of %ld freed by reclaim",
			       (long)freed, (long)kb);
		} else {
			EXPECT_EQ(kb, freed - dirty_freed);
		}
		EXPECT_EQ(0, munmap(p, len));
	}
}

/* THP enabled "always" for the test, restored after. */
FIXTURE(thp) {
	struct mt_cgroup cg;
	char saved[16];
	unsigned char *mem;
	bool ready;	/* 6.1's harness runs the test after a SKIP in setup */
};

FIXTURE_SETUP(thp)
{
	ASSERT_EQ(0, mt_pin_cpu(0));
	if (mt_thp_setting(MT_THP_ENABLED, self->saved, sizeof(self->saved)))
		SKIP(return, "no %s", MT_THP_ENABLED);
	ASSERT_EQ(0, ms_write_str(MT_THP_ENABLED, "always"));
	ASSERT_EQ(0, mt_cgroup_create(&self->cg, "tracking-thp"));
	ASSERT_EQ(0, mt_cgroup_join(&self->cg));

	self->mem = mt_map_aligned(SZ_2M, SZ_2M, 0);
	ASSERT_NE(NULL, self->mem);
	ASSERT_EQ(0, madvise(self->mem, SZ_2M, MADV_HUGEPAGE));
	memset(self->mem, 0x5a, SZ_2M);
	if (mt_smaps_vma_get(getpid(), (uintptr_t)self->mem,
			     "AnonHugePages") != 2048)
		SKIP(return, "no THP obtained for a 2 MiB-aligned fault");
	self->ready = true;
}

FIXTURE_TEARDOWN(thp)
{
	if (self->mem)
		munmap(self->mem, SZ_2M);
	EXPECT_EQ(0, mt_cgroup_leave());
	EXPECT_EQ(0, mt_cgroup_remove(&self->cg));
	if (self->saved[0])
		EXPECT_EQ(0, ms_write_str(MT_THP_ENABLED, self->saved));
}

/* A whole THP turns lazily freed, and is reclaimed, as 512 pages. */
TEST_F(thp, whole)
{
	if (!self->ready)
		return;
	free_and_drain(_metadata, self->mem, SZ_2M);
	expect_track(_metadata, getpid(), 2048, 0, 0, 0, 0);
	reclaim_all(_metadata, &self->cg, getpid());
	expect_track(_metadata, getpid(), 2048, 2048, 0, 0, 0);
	expect_cgroup(_metadata, &self->cg, 2048, 2048);
}

/* Freeing half a THP splits it; only that half is marked. */
TEST_F(thp, split)
{
	if (!self->ready)
		return;
	free_and_drain(_metadata, self->mem, SZ_2M / 2);
	expect_track(_metadata, getpid(), 1024, 0, 0, 0, 0);
	reclaim_all(_metadata, &self->cg, getpid());
	expect_track(_metadata, getpid(), 1024, 1024, 0, 0, 0);
	expect_cgroup(_metadata, &self->cg, 1024, 1024);
	EXPECT_EQ(256, mt_count_pages(self->mem + SZ_2M / 2, SZ_2M / 2,
				      0x5a));
}

/* A THP written again in one page: the whole folio is given back. */
TEST_F(thp, rewrite_one_page)
{
	struct track t;

	if (!self->ready)
		return;
	free_and_drain(_metadata, self->mem, SZ_2M);
	self->mem[SZ_2M - 1] = 0xa5;
	reclaim_all(_metadata, &self->cg, getpid());
	read_track(_metadata, getpid(), &t);
	if (mt_mglru_sorter_restores())
		t.rescued += t.dropped;
	/* Pages before the written one may go first; the rest come back. */
	EXPECT_EQ(2048, t.reclaimed + t.rescued);
	EXPECT_LT(0, t.rescued);
	EXPECT_EQ(0xa5, self->mem[SZ_2M - 1]);
	expect_track(_metadata, getpid(), 2048, t.reclaimed, t.rescued, 0, 0);
}

/* The summary: the module's marks since load equal the kernel's. */
TEST(summary_matches_kernel)
{
	struct ms_report r;
	char *text;
	size_t len;
	const char *err;
	unsigned int line;

	ASSERT_EQ(0, mt_drain_lru());
	text = ms_read_file(MT_MADVSTAT_DIR "/summary", &len);
	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, ms_report_parse(text, len, &r, &err, &line)) {
		TH_LOG("line %u: %s", line, err);
	}
	free(text);
	EXPECT_LE(1, ms_report_get(&r, "Processes"));
	EXPECT_EQ(ms_report_get(&r, "KernelLazyFree"),
		  ms_report_get(&r, "AllMarked"));
	EXPECT_LE(ms_report_get(&r, "Marked"), ms_report_get(&r, "AllMarked"));
	EXPECT_EQ(0, ms_report_get(&r, "MissedEvents"));
	EXPECT_EQ(0, strncmp(r.tracking, "live", 4));
	ms_report_free(&r);
}

TEST_HARNESS_MAIN
