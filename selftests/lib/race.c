// SPDX-License-Identifier: GPL-2.0
/* Reader and spawner threads for the race tests: see race.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memtest.h"
#include "race.h"

/* Rss is a per-CPU approximation; our walk counts exactly. */
#define OTHERS_SLACK_KB	1024
#define SPAWN_PAGES	64

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

		if (v->lazyfree_bytes + v->lazyfree_dirty_bytes > v->rss_anon_bytes ||
		    !(v->lazyfree_bytes + v->lazyfree_dirty_bytes))
			return false;
	}
	return true;
}

static void count_errno(struct race_stats *st, int err)
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

static void read_one(struct race_stats *st, pid_t pid, int64_t slack_kb)
{
	struct ms_report r;
	int err = mt_madvstat_read(pid, &r);
	int64_t marked;

	st->reads++;
	if (!err) {
		if (!counts_sane(&r, slack_kb))
			st->bad_counts++;
		marked = ms_report_get(&r, "Marked");
		if (marked > st->max_marked_kb)
			st->max_marked_kb = marked;
		ms_report_free(&r);
	}
	count_errno(st, -err);
}

/*
 * List the directory, reading nothing: the tightest loop of the kernel's
 * readdir over our entries. A listing counts as one read.
 */
static void list_only(struct race_stats *st)
{
	DIR *dir = opendir(MT_MADVSTAT_DIR);

	st->reads++;
	if (!dir) {
		count_errno(st, errno);
		return;
	}
	errno = 0;
	while (readdir(dir))
		;
	count_errno(st, errno);
	closedir(dir);
}

/* Every entry once; a missing directory (module unloaded) is ENOENT. */
static void read_all(struct race_stats *st)
{
	struct dirent *de;
	DIR *dir = opendir(MT_MADVSTAT_DIR);

	if (!dir) {
		st->reads++;
		count_errno(st, errno);
		return;
	}
	while ((de = readdir(dir)))
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			read_one(st, (pid_t)atoi(de->d_name),
				 OTHERS_SLACK_KB);
	closedir(dir);
}

static void *reader_fn(void *arg)
{
	struct race_reader *rd = arg;

	while (!atomic_load(&rd->stop)) {
		long enoent = rd->st.enoent;

		if (rd->target == RACE_LIST_ONLY)
			list_only(&rd->st);
		else if (rd->target)
			read_one(&rd->st, rd->target, rd->slack_kb);
		else
			read_all(&rd->st);
		/* Module unloaded: leave the CPU to the loader a moment. */
		if (rd->st.enoent != enoent)
			usleep(1000);
		if (rd->pace_us)
			usleep(rd->pace_us);
	}
	return NULL;
}

int race_readers_start(struct race_reader *rd, int n, pid_t target,
		       int64_t slack_kb, unsigned int pace_us)
{
	int i, err;

	for (i = 0; i < n; i++) {
		memset(&rd[i].st, 0, sizeof(rd[i].st));
		rd[i].target = target;
		rd[i].slack_kb = slack_kb;
		rd[i].pace_us = pace_us;
		atomic_init(&rd[i].stop, false);
		err = pthread_create(&rd[i].thread, NULL, reader_fn, &rd[i]);
		if (err) {
			race_readers_stop(rd, i);
			return -err;
		}
	}
	return 0;
}

struct race_stats race_readers_stop(struct race_reader *rd, int n)
{
	struct race_stats sum = { 0 };
	int i;

	for (i = 0; i < n; i++)
		atomic_store(&rd[i].stop, true);
	for (i = 0; i < n; i++) {
		const struct race_stats *st = &rd[i].st;

		pthread_join(rd[i].thread, NULL);
		sum.reads += st->reads;
		sum.ok += st->ok;
		sum.enoent += st->enoent;
		sum.esrch += st->esrch;
		sum.eio += st->eio;
		sum.other += st->other;
		sum.bad_counts += st->bad_counts;
		if (st->other)
			sum.other_errno = st->other_errno;
		if (st->max_marked_kb > sum.max_marked_kb)
			sum.max_marked_kb = st->max_marked_kb;
	}
	return sum;
}

const char *race_stats_str(char *buf, size_t size, const char *who,
			   const struct race_stats *st)
{
	snprintf(buf, size,
		 "%s: %ld reads: %ld ok, %ld ENOENT, %ld ESRCH, %ld EIO, "
		 "%ld other (last %s), %ld with insane counts", who, st->reads,
		 st->ok, st->enoent, st->esrch, st->eio, st->other,
		 st->other ? strerror(st->other_errno) : "-", st->bad_counts);
	return buf;
}

/* Map, touch and free SPAWN_PAGES; rewrite a few if asked. */
static void free_some(int rewrite)
{
	size_t page = mt_page_size(), i;
	char *p = mt_lazy_free_area(SPAWN_PAGES * page);

	if (!p)
		return;
	for (i = 0; rewrite && i < SPAWN_PAGES; i += 8)
		p[i * page] = 2;
}

/* A child: free, fork a grandchild that frees too, exit. */
static void short_life(void)
{
	pid_t pid;

	free_some(0);
	pid = fork();
	if (pid == 0) {
		free_some(1);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	_exit(pid > 0 ? 0 : 1);
}

static void *spawner_fn(void *arg)
{
	struct race_spawner *s = arg;
	int status;

	while (!atomic_load(&s->stop)) {
		pid_t pid = fork();

		if (pid == 0)
			short_life();
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			s->failures++;
			continue;
		}
		s->births++;
		if (s->pace_us)
			usleep(s->pace_us);
	}
	return NULL;
}

int race_spawner_start(struct race_spawner *s, unsigned int pace_us)
{
	s->pace_us = pace_us;
	s->births = 0;
	s->failures = 0;
	atomic_init(&s->stop, false);
	return -pthread_create(&s->thread, NULL, spawner_fn, s);
}

void race_spawner_stop(struct race_spawner *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
}

int race_reload_cycles(int n, struct race_reload *r)
{
	int64_t t0;
	int err = 0;

	for (r->done = 0; r->done < n; r->done++) {
		t0 = mt_now_ms();
		err = mt_module_unload();
		r->unload_ms += mt_now_ms() - t0;
		if (err)
			break;
		t0 = mt_now_ms();
		err = mt_module_load("");
		r->load_ms += mt_now_ms() - t0;
		if (err)
			break;
	}
	return err;
}

int race_reload_run(int n, unsigned int pace_us, struct race_reload *r)
{
	struct race_reader rd[2];
	struct race_spawner sp;
	char buf[64];
	int held, err = 0;

	memset(r, 0, sizeof(*r));
	held = open(MT_MADVSTAT_DIR "/1", O_RDONLY | O_CLOEXEC);
	if (held < 0)
		return -errno;
	err = race_spawner_start(&sp, pace_us);
	if (!err)
		err = race_readers_start(rd, 1, 0, 0, pace_us);
	if (!err &&
	    race_readers_start(rd + 1, 1, 1, OTHERS_SLACK_KB, pace_us)) {
		race_readers_stop(rd, 1);
		err = -EAGAIN;
	}
	if (err) {
		close(held);
		return err;
	}
	err = race_reload_cycles(n, r);
	r->st = race_readers_stop(rd, 2);
	race_spawner_stop(&sp);
	r->births = sp.births;
	r->spawn_failures = sp.failures;
	errno = 0;
	if (read(held, buf, sizeof(buf)) < 0)
		r->held_errno = errno;
	close(held);
	return err;
}
