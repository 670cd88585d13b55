// SPDX-License-Identifier: GPL-2.0
/*
 * Readers of /proc/madvstat racing with what changes under them: an
 * address space being unmapped and remapped, THPs being split and
 * collapsed, processes being born, exec'ing and dying, and the module
 * itself being unloaded and loaded. Each test runs for a bounded time,
 * reports what it did and checks that every read either succeeded with
 * consistent counts or failed with an errno the documentation lists.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"
#include "race.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25	/* since 6.1 */
#endif

#define RUN_MS		3000
#define CHURN_PAGES	128		/* 512 kB per churned mapping */
#define NR_READERS	2
#define NR_RELOADS	20		/* the soak test does 1,000 */
#define SZ_1M		(1UL << 20)
#define SZ_2M		(2UL << 20)
#define EXEC_ENV	"MADVSTAT_EXEC_CHAIN"
#define EXEC_IMAGES	100
#define EXEC_READY_FD	3

static void log_reads(struct __test_metadata *_metadata, const char *who,
		      const struct race_stats *st)
{
	char buf[256];

	TH_LOG("%s", race_stats_str(buf, sizeof(buf), who, st));
}

static void sleep_ms(int ms)
{
	usleep((useconds_t)ms * 1000);
}

/*
 * One round of churn: map, touch, free, rewrite a part, move or resize
 * the mapping, unmap part of it.
 */
static void churn_once(unsigned char **keep, size_t *keep_len,
		       unsigned int round)
{
	size_t page = mt_page_size(), len = CHURN_PAGES * page, i;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *q;

	if (p == MAP_FAILED)
		return;
	if (round % 2)
		madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, (int)round, len);
	madvise(p + page * (round % 64), len / 2, MADV_FREE);
	for (i = 0; i < CHURN_PAGES; i += 7)
		p[i * page] = 1;
	if (round % 3 == 0)
		madvise(p, len / 4, MADV_DONTNEED);
	/* Move it (lazily freed pages and all), grow or shrink it. */
	if (round % 4 == 1) {
		q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
		if (q != MAP_FAILED) {
			p = q;
			len *= 2;
		}
	} else if (round % 4 == 2) {
		q = mremap(p, len, len / 2, 0);
		if (q != MAP_FAILED)
			len /= 2;
	}
	/* Keep one mapping alive across rounds so there is always some. */
	if (*keep)
		munmap(*keep, *keep_len);
	*keep = p;
	*keep_len = len;
}

struct churn {
	pthread_t thread;
	atomic_bool stop;
	unsigned int rounds;
};

static void *churn_fn(void *arg)
{
	struct churn *c = arg;
	unsigned char *keep = NULL;
	size_t keep_len = 0;

	while (!atomic_load(&c->stop))
		churn_once(&keep, &keep_len, c->rounds++);
	if (keep)
		munmap(keep, keep_len);
	return NULL;
}

/* Readers of this process while another thread of it churns its memory. */
TEST(churning_target)
{
	struct race_reader rd[NR_READERS];
	struct churn churn = { .rounds = 0 };
	struct race_stats st;

	atomic_init(&churn.stop, false);
	ASSERT_EQ(0, pthread_create(&churn.thread, NULL, churn_fn, &churn));
	ASSERT_EQ(0, race_readers_start(rd, NR_READERS, getpid(),
					MT_KB(CHURN_PAGES * mt_page_size()) * 8, 0));
	sleep_ms(RUN_MS);
	st = race_readers_stop(rd, NR_READERS);
	atomic_store(&churn.stop, true);
	pthread_join(churn.thread, NULL);

	TH_LOG("%u churn rounds (map, free, rewrite, mremap, munmap)",
	       churn.rounds);
	log_reads(_metadata, "readers", &st);
	EXPECT_LT(0, churn.rounds);
	EXPECT_LT(0, st.reads);
	/* The target lives throughout: every read must succeed. */
	EXPECT_EQ(st.reads, st.ok);
	EXPECT_EQ(0, st.bad_counts);
}

/* Readers of every entry while processes are born, fork and exit. */
TEST(births_and_deaths)
{
	struct race_reader rd[NR_READERS];
	struct race_spawner sp;
	struct race_stats st;

	ASSERT_EQ(0, race_spawner_start(&sp, 0));
	ASSERT_EQ(0, race_readers_start(rd, NR_READERS, 0, 0, 0));
	sleep_ms(RUN_MS);
	st = race_readers_stop(rd, NR_READERS);
	race_spawner_stop(&sp);

	TH_LOG("%ld births (each freeing, forking and exiting), %ld failures",
	       sp.births, sp.failures);
	log_reads(_metadata, "readers", &st);
	EXPECT_LT(0, sp.births);
	EXPECT_EQ(0, sp.failures);
	EXPECT_LT(0, st.ok);
	/*
	 * A process that exits between listing and reading: ENOENT, ESRCH,
	 * or EIO (exited between open and read); nothing else.
	 */
	EXPECT_EQ(0, st.other);
	EXPECT_EQ(0, st.bad_counts);
}

/*
 * One image of the exec chain (exec.chain below): free 1 MiB, then exec
 * the next image; the last one drains the LRU batches, says so on
 * EXEC_READY_FD and waits to be killed. Runs before the harness's main.
 */
__attribute__((constructor)) static void exec_chain_step(void)
{
	const char *v = getenv(EXEC_ENV);
	char next[16];
	int n;

	if (!v)
		return;
	n = atoi(v);
	if (!mt_lazy_free_area(SZ_1M))
		_exit(2);
	if (n <= 0) {
		mt_drain_lru();
		if (write(EXEC_READY_FD, "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	snprintf(next, sizeof(next), "%d", n - 1);
	setenv(EXEC_ENV, next, 1);
	execl("/proc/self/exe", "stress_test", (char *)NULL);
	_exit(127);
}

/*
 * Readers of one pid while it execs EXEC_IMAGES times, each image freeing
 * 1 MiB: every exec starts a new address space, so no read may ever show
 * more than one image's Marked, and the last image's is what the kernel
 * says that image lazily freed.
 */
FIXTURE(exec) {
};

FIXTURE_SETUP(exec)
{
}

FIXTURE_TEARDOWN(exec)
{
}

/* Ten times the default time-out: the debug kernel is that slow. */
TEST_F_TIMEOUT(exec, chain, 300)
{
	struct race_reader rd[NR_READERS];
	struct race_stats st;
	int ready[2], status;
	int64_t marked;
	char c, n[16];
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (dup2(ready[1], EXEC_READY_FD) < 0)
			_exit(4);
		snprintf(n, sizeof(n), "%d", EXEC_IMAGES - 1);
		setenv(EXEC_ENV, n, 1);
		execl("/proc/self/exe", "stress_test", (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	ASSERT_EQ(0, race_readers_start(rd, NR_READERS, pid, 4096, 0));
	ASSERT_EQ(1, read(ready[0], &c, 1)) {
		waitpid(pid, &status, 0);
		TH_LOG("the chain stopped early: status 0x%x", status);
	}
	st = race_readers_stop(rd, NR_READERS);
	close(ready[0]);

	/*
	 * The last image's marks are what the kernel made lazily free:
	 * smaps_rollup's LazyFree (nothing reclaimed it). Usually all of
	 * the 1 MiB; pages still in another CPU's LRU-add batch when
	 * madvise() ran are skipped by the kernel, so compare, not assume.
	 */
	marked = mt_madvstat_get(pid, "Marked");
	EXPECT_EQ(mt_rollup_get(pid, "LazyFree"), marked);
	EXPECT_LT(0, marked);
	EXPECT_GE(1024, marked);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	log_reads(_metadata, "readers", &st);
	TH_LOG("%d images; largest Marked seen %lld kB", EXEC_IMAGES,
	       (long long)st.max_marked_kb);
	EXPECT_LT(0, st.ok);
	EXPECT_EQ(0, st.other);
	EXPECT_EQ(0, st.eio);
	EXPECT_EQ(0, st.bad_counts);
	EXPECT_GE(1024, st.max_marked_kb);
}

/* THP settings the collapse test changes, restored after it. */
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define KHUGEPAGED	THP_DIR "/khugepaged/"

static const struct thp_knob {
	const char *path, *value;
} thp_knobs[] = {
	{ MT_THP_ENABLED, "madvise" },
	{ KHUGEPAGED "scan_sleep_millisecs", "0" },
	{ KHUGEPAGED "alloc_sleep_millisecs", "0" },
	{ KHUGEPAGED "pages_to_scan", "4096" },
	{ KHUGEPAGED "max_ptes_none", "511" },
};

#define NR_KNOBS	(sizeof(thp_knobs) / sizeof(thp_knobs[0]))
#define THP_REGIONS	4	/* 4 MiB each, kept for khugepaged to find */

FIXTURE(thp) {
	char saved[NR_KNOBS][32];
};

FIXTURE_SETUP(thp)
{
	size_t i;

	memset(self->saved, 0, sizeof(self->saved));
	if (access(KHUGEPAGED "scan_sleep_millisecs", W_OK))
		SKIP(return, "no %s: kernel without THP", KHUGEPAGED);
	for (i = 0; i < NR_KNOBS; i++) {
		/* enabled reads "always [madvise] never": keep the choice */
		int err = i == 0 ?
			mt_thp_setting(thp_knobs[i].path, self->saved[i], 32) :
			ms_read_str(thp_knobs[i].path, self->saved[i], 32);

		ASSERT_EQ(0, err);
		ASSERT_EQ(0, ms_write_str(thp_knobs[i].path,
					  thp_knobs[i].value));
	}
}

FIXTURE_TEARDOWN(thp)
{
	size_t i;

	for (i = 0; i < NR_KNOBS; i++)
		if (self->saved[i][0])
			EXPECT_EQ(0, ms_write_str(thp_knobs[i].path,
						  self->saved[i]));
}

/*
 * One 4 MiB region: its first half sparsely touched in base pages (before
 * MADV_HUGEPAGE, which would let the fault map a THP at once and leave
 * nothing to collapse), for khugepaged, and collapsed at once with
 * MADV_COLLAPSE; its second half faulted as a THP, then partly freed
 * (which splits it) and partly rewritten.
 */
static unsigned char *thp_round(unsigned int round, long *collapse_err)
{
	size_t page = mt_page_size(), i;
	unsigned char *p = mt_map_aligned(2 * SZ_2M, SZ_2M, 0);

	if (!p)
		return NULL;
	for (i = 0; i < SZ_2M; i += 2 * page)
		p[i] = (unsigned char)round;
	madvise(p, 2 * SZ_2M, MADV_HUGEPAGE);
	if (madvise(p, SZ_2M, MADV_COLLAPSE))
		(*collapse_err)++;
	memset(p + SZ_2M, (int)round, SZ_2M);
	madvise(p + SZ_2M + (round % 4) * 64 * page, SZ_1M, MADV_FREE);
	for (i = 0; i < SZ_2M; i += 16 * page)
		p[SZ_2M + i] = (unsigned char)(round + 1);
	madvise(p, SZ_1M / 2, MADV_FREE);
	return p;
}

struct thp_churn {
	pthread_t thread;
	atomic_bool stop;
	unsigned int rounds;
	long collapse_err;
};

static void *thp_churn_fn(void *arg)
{
	struct thp_churn *c = arg;
	unsigned char *regions[THP_REGIONS] = { NULL };
	unsigned int i;

	while (!atomic_load(&c->stop)) {
		i = c->rounds % THP_REGIONS;
		if (regions[i])
			munmap(regions[i], 2 * SZ_2M);
		regions[i] = thp_round(c->rounds++, &c->collapse_err);
	}
	for (i = 0; i < THP_REGIONS; i++)
		if (regions[i])
			munmap(regions[i], 2 * SZ_2M);
	return NULL;
}

/* Readers of this process while its THPs are collapsed and split. */
TEST_F(thp, collapse_and_split)
{
	int64_t collapse0 = mt_vmstat("thp_collapse_alloc");
	int64_t split0 = mt_vmstat("thp_split_pmd");
	int64_t collapse1, split1;
	struct race_reader rd[NR_READERS];
	struct thp_churn churn = { .rounds = 0 };
	struct race_stats st;
	char scans[32] = "?";

	ASSERT_LE(0, collapse0);
	ASSERT_LE(0, split0);
	atomic_init(&churn.stop, false);
	ASSERT_EQ(0, pthread_create(&churn.thread, NULL, thp_churn_fn,
				    &churn));
	ASSERT_EQ(0, race_readers_start(rd, NR_READERS, getpid(),
					MT_KB(THP_REGIONS * 2 * SZ_2M), 0));
	sleep_ms(2 * RUN_MS);
	st = race_readers_stop(rd, NR_READERS);
	atomic_store(&churn.stop, true);
	pthread_join(churn.thread, NULL);

	collapse1 = mt_vmstat("thp_collapse_alloc");
	split1 = mt_vmstat("thp_split_pmd");
	ms_read_str(KHUGEPAGED "full_scans", scans, sizeof(scans));
	TH_LOG("%u rounds of 4 MiB: %lld collapses, %lld PMD splits, "
	       "%ld MADV_COLLAPSE failures, khugepaged full scans %s",
	       churn.rounds, (long long)(collapse1 - collapse0),
	       (long long)(split1 - split0), churn.collapse_err,
	       scans);
	log_reads(_metadata, "readers", &st);
	/* MADV_COLLAPSE came in 6.1: before, khugepaged does it alone. */
	if (churn.collapse_err && churn.collapse_err == churn.rounds)
		TH_LOG("MADV_COLLAPSE not supported (6.1+): collapses are khugepaged's");
	/* The test must have done what it is named for. */
	EXPECT_LT(collapse0, collapse1);
	EXPECT_LT(split0, split1);
	EXPECT_LT(0, st.reads);
	EXPECT_EQ(st.reads, st.ok);
	EXPECT_EQ(0, st.bad_counts);
}

FIXTURE(reload) {
};

FIXTURE_SETUP(reload)
{
	if (access(MT_MODULE_PATH, R_OK))
		SKIP(return, "no %s", MT_MODULE_PATH);
	if (!mt_module_loaded())
		SKIP(return, "madvstat is not loaded");
}

FIXTURE_TEARDOWN(reload)
{
	if (!mt_module_loaded())
		EXPECT_EQ(0, mt_module_load(""));
}

/*
 * Unload and load the module under readers and short-lived processes; a
 * file left open across an unload reads EIO. soak/reload_soak_test does
 * the same 1,000 times.
 */
TEST_F_TIMEOUT(reload, reload_under_readers, 300)
{
	struct race_reload r;

	ASSERT_EQ(0, race_reload_run(NR_RELOADS, 0, &r));
	TH_LOG("%d reloads: %lld ms unloading, %lld ms loading; "
	       "%ld births, %ld failures", r.done, (long long)r.unload_ms,
	       (long long)r.load_ms, r.births, r.spawn_failures);
	log_reads(_metadata, "readers", &r.st);
	EXPECT_EQ(EIO, r.held_errno);
	EXPECT_LT(0, r.st.ok);
	EXPECT_EQ(0, r.st.other);
	EXPECT_EQ(0, r.st.bad_counts);
	EXPECT_EQ(0, r.spawn_failures);
	EXPECT_EQ(1, mt_madvstat_get(1, "Pid"));
}

/*
 * Listings of /proc/madvstat while its entries go: processes exiting,
 * then every entry at each unload. Kernels before CVE-2025-40271's fix
 * (5.10.247, 6.1.159, 6.12.59, 6.18) let a listing walk from an entry
 * removed under it into a freed one (a refcount warning, then a panic
 * here); the module keeps removals out of listings there.
 */
TEST_F_TIMEOUT(reload, listing_while_entries_go, 300)
{
	struct race_reader rd[NR_READERS];
	struct race_spawner sp;
	struct race_reload r;
	struct race_stats st;
	int err;

	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, race_spawner_start(&sp, 0));
	ASSERT_EQ(0, race_readers_start(rd, NR_READERS, RACE_LIST_ONLY, 0, 0));
	sleep_ms(RUN_MS);
	err = race_reload_cycles(NR_RELOADS, &r);
	sleep_ms(RUN_MS);
	st = race_readers_stop(rd, NR_READERS);
	race_spawner_stop(&sp);

	TH_LOG("%d reloads: %lld ms unloading, %lld ms loading; "
	       "%ld births, %ld failures", r.done, (long long)r.unload_ms,
	       (long long)r.load_ms, sp.births, sp.failures);
	log_reads(_metadata, "listings", &st);
	ASSERT_EQ(0, err);
	EXPECT_LT(0, sp.births);
	EXPECT_EQ(0, sp.failures);
	/* A listing fails only with the module unloaded: ENOENT. */
	EXPECT_LT(0, st.ok);
	EXPECT_EQ(st.reads, st.ok + st.enoent);
	EXPECT_EQ(1, mt_madvstat_get(1, "Pid"));
}

TEST_HARNESS_MAIN
