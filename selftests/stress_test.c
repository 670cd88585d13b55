// SPDX-License-Identifier: GPL-2.0
/*
 * Readers of /proc/madvstat racing with what changes under them: an
 * address space being remapped, processes being born and dying, and the
 * module itself being unloaded and loaded. Each test runs for a bounded
 * time and reports what it did.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define RUN_MS		3000
#define CHURN_PAGES	128		/* 512 kB per churned mapping */
#define NR_READERS	2
#define NR_RELOADS	100
/* Rss is a per-CPU approximation; our walk counts exactly. */
#define OTHERS_SLACK_KB	1024

/* What a reader saw. */
struct reader_stats {
	long reads, ok, enoent, esrch, eio, other, bad_counts;
	int other_errno;
};

struct reader {
	pthread_t thread;
	pid_t target;		/* 0: every entry of the directory */
	atomic_bool *stop;
	struct reader_stats st;
};

/* The counts of one report hang together. */
static bool counts_sane(const struct ms_report *r, int64_t slack_kb)
{
	int64_t rss = ms_report_get(r, "Rss");
	int64_t lazy = ms_report_get(r, "LazyFree");
	int64_t eff = ms_report_get(r, "RssEffective");
	size_t i;

	if (rss < 0 || lazy < 0 || ms_report_get(r, "LazyFreeDirty") < 0)
		return false;
	if (lazy > rss + slack_kb || eff != (rss > lazy ? rss - lazy : 0))
		return false;
	for (i = 0; i < r->nr_vmas; i++) {
		const struct ms_vma *v = &r->vmas[i];

		if (v->lazyfree_kb + v->lazyfree_dirty_kb > v->rss_anon_kb ||
		    !(v->lazyfree_kb + v->lazyfree_dirty_kb))
			return false;
	}
	return true;
}

static void count_errno(struct reader_stats *st, int err)
{
	switch (err) {
	case 0:
		st->ok++;
		break;
	case ENOENT:
		st->enoent++;
		break;
	case ESRCH:
		st->esrch++;
		break;
	case EIO:
		st->eio++;
		break;
	default:
		st->other++;
		st->other_errno = err;
	}
}

static void read_one(struct reader_stats *st, pid_t pid, int64_t slack_kb)
{
	struct ms_report r;
	int err = mt_madvstat_read(pid, &r);

	st->reads++;
	if (!err && !counts_sane(&r, slack_kb))
		st->bad_counts++;
	if (!err)
		ms_report_free(&r);
	count_errno(st, -err);
}

/* Every entry once; a missing directory (module unloaded) is ENOENT. */
static void read_all(struct reader_stats *st)
{
	struct dirent *de;
	DIR *dir = opendir(MT_MADVSTAT_DIR);

	if (!dir) {
		st->reads++;
		count_errno(st, errno);
		return;
	}
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			read_one(st, (pid_t)atoi(de->d_name), OTHERS_SLACK_KB);
	closedir(dir);
}

static void *reader_fn(void *arg)
{
	struct reader *rd = arg;

	while (!atomic_load(rd->stop)) {
		long enoent = rd->st.enoent;

		if (rd->target)
			read_one(&rd->st, rd->target,
				 MT_KB(CHURN_PAGES * mt_page_size()) * 4);
		else
			read_all(&rd->st);
		/* Module unloaded: leave the CPU to the loader a moment. */
		if (rd->st.enoent != enoent)
			usleep(1000);
	}
	return NULL;
}

static void log_stats(struct __test_metadata *_metadata, const char *who,
		      const struct reader_stats *st)
{
	TH_LOG("%s: %ld reads: %ld ok, %ld ENOENT, %ld ESRCH, %ld EIO, "
	       "%ld other (last %s), %ld with insane counts", who, st->reads,
	       st->ok, st->enoent, st->esrch, st->eio, st->other,
	       st->other ? strerror(st->other_errno) : "-", st->bad_counts);
}

static void start_readers(struct __test_metadata *_metadata,
			  struct reader *rd, int n, pid_t target,
			  atomic_bool *stop)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(&rd[i], 0, sizeof(rd[i]));
		rd[i].target = target;
		rd[i].stop = stop;
		ASSERT_EQ(0, pthread_create(&rd[i].thread, NULL, reader_fn,
					    &rd[i]));
	}
}

/* Stop and join the readers; returns their summed stats. */
static struct reader_stats stop_readers(struct reader *rd, int n,
					atomic_bool *stop)
{
	struct reader_stats sum = { 0 };
	int i;

	atomic_store(stop, true);
	for (i = 0; i < n; i++) {
		pthread_join(rd[i].thread, NULL);
		sum.reads += rd[i].st.reads;
		sum.ok += rd[i].st.ok;
		sum.enoent += rd[i].st.enoent;
		sum.esrch += rd[i].st.esrch;
		sum.eio += rd[i].st.eio;
		sum.other += rd[i].st.other;
		sum.bad_counts += rd[i].st.bad_counts;
		if (rd[i].st.other)
			sum.other_errno = rd[i].st.other_errno;
	}
	return sum;
}

/* One round of churn: map, touch, free, rewrite a part, maybe unmap. */
static void churn_once(unsigned char **keep, unsigned int round)
{
	size_t page = mt_page_size(), len = CHURN_PAGES * page, i;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

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
	/* Keep one mapping alive across rounds so there is always some. */
	if (*keep)
		munmap(*keep, len);
	*keep = p;
}

static void sleep_ms(int ms)
{
	usleep((useconds_t)ms * 1000);
}

FIXTURE(stress) {
	atomic_bool stop;
	struct reader readers[NR_READERS];
};

FIXTURE_SETUP(stress)
{
	atomic_init(&self->stop, false);
}

FIXTURE_TEARDOWN(stress)
{
}

struct churn {
	pthread_t thread;
	atomic_bool *stop;
	unsigned int rounds;
};

static void *churn_fn(void *arg)
{
	struct churn *c = arg;
	unsigned char *keep = NULL;

	while (!atomic_load(c->stop))
		churn_once(&keep, c->rounds++);
	return NULL;
}

/* Readers of this process while another thread of it churns its memory. */
TEST_F_TIMEOUT(stress, churning_target, 60)
{
	struct churn churn = { .stop = &self->stop };
	struct reader_stats st;
	atomic_bool readers_stop;

	atomic_init(&readers_stop, false);
	ASSERT_EQ(0, pthread_create(&churn.thread, NULL, churn_fn, &churn));
	start_readers(_metadata, self->readers, NR_READERS, getpid(),
		      &readers_stop);
	sleep_ms(RUN_MS);
	st = stop_readers(self->readers, NR_READERS, &readers_stop);
	atomic_store(&self->stop, true);
	pthread_join(churn.thread, NULL);

	TH_LOG("%u churn rounds", churn.rounds);
	log_stats(_metadata, "readers", &st);
	EXPECT_LT(0, churn.rounds);
	EXPECT_LT(0, st.reads);
	/* The target lives throughout: every read must succeed. */
	EXPECT_EQ(st.reads, st.ok);
	EXPECT_EQ(0, st.bad_counts);
}

/* A child that frees some memory and exits. */
static void short_life(void)
{
	size_t len = 64 * mt_page_size();
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED) {
		memset(p, 1, len);
		madvise(p, len, MADV_FREE);
	}
	_exit(0);
}

struct spawner {
	pthread_t thread;
	atomic_bool *stop;
	long births, failures;
};

static void *spawner_fn(void *arg)
{
	struct spawner *s = arg;

	while (!atomic_load(s->stop)) {
		pid_t pid = fork();

		if (pid == 0)
			short_life();
		if (pid < 0 || waitpid(pid, NULL, 0) != pid) {
			s->failures++;
			continue;
		}
		s->births++;
	}
	return NULL;
}

/* Readers of every entry while processes are born and exit. */
TEST_F_TIMEOUT(stress, births_and_deaths, 60)
{
	struct spawner sp = { .stop = &self->stop };
	struct reader_stats st;
	atomic_bool readers_stop;

	atomic_init(&readers_stop, false);
	ASSERT_EQ(0, pthread_create(&sp.thread, NULL, spawner_fn, &sp));
	start_readers(_metadata, self->readers, NR_READERS, 0, &readers_stop);
	sleep_ms(RUN_MS);
	st = stop_readers(self->readers, NR_READERS, &readers_stop);
	atomic_store(&self->stop, true);
	pthread_join(sp.thread, NULL);

	TH_LOG("%ld births, %ld fork failures", sp.births, sp.failures);
	log_stats(_metadata, "readers", &st);
	EXPECT_LT(0, sp.births);
	EXPECT_EQ(0, sp.failures);
	EXPECT_LT(0, st.ok);
	EXPECT_EQ(0, st.other);
	EXPECT_EQ(0, st.bad_counts);
}

static bool module_loaded(void)
{
	return access("/sys/module/madvstat", F_OK) == 0;
}

FIXTURE(reload) {
	atomic_bool stop;
	struct reader readers[NR_READERS];
};

FIXTURE_SETUP(reload)
{
	atomic_init(&self->stop, false);
	if (access(MT_MODULE_PATH, R_OK))
		SKIP(return, "no %s", MT_MODULE_PATH);
	if (!module_loaded())
		SKIP(return, "madvstat is not loaded");
}

FIXTURE_TEARDOWN(reload)
{
	if (!module_loaded())
		EXPECT_EQ(0, mt_module_load(""));
}

/*
 * Unload and load the module NR_RELOADS times under readers of every
 * entry and of init's; a file left open across an unload reads EIO.
 */
TEST_F_TIMEOUT(reload, reload_under_readers, 300)
{
	int64_t t0, unload_ms = 0, load_ms = 0;
	struct reader_stats st;
	char buf[64];
	int i, held;

	held = open(MT_MADVSTAT_DIR "/1", O_RDONLY);
	ASSERT_LE(0, held);
	start_readers(_metadata, self->readers, 1, 0, &self->stop);
	start_readers(_metadata, self->readers + 1, 1, 1, &self->stop);
	for (i = 0; i < NR_RELOADS; i++) {
		t0 = mt_now_ms();
		ASSERT_EQ(0, mt_module_unload());
		unload_ms += mt_now_ms() - t0;
		t0 = mt_now_ms();
		ASSERT_EQ(0, mt_module_load(""));
		load_ms += mt_now_ms() - t0;
	}
	st = stop_readers(self->readers, NR_READERS, &self->stop);

	TH_LOG("%d reloads: %lld ms unloading, %lld ms loading", NR_RELOADS,
	       (long long)unload_ms, (long long)load_ms);
	log_stats(_metadata, "readers", &st);
	EXPECT_EQ(-1, read(held, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	close(held);
	EXPECT_LT(0, st.ok);
	EXPECT_EQ(0, st.other);
	EXPECT_EQ(0, st.bad_counts);
	EXPECT_EQ(1, mt_madvstat_get(1, "Pid"));
}

TEST_HARNESS_MAIN
