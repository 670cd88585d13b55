/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Racing /proc/madvstat: reader threads that read entries in a loop and
 * count what each read returned, and a spawner thread whose children are
 * born, free memory, fork and exit. Used by stress_test and the soak
 * tests; the tests themselves decide what the counts must be.
 */
#ifndef MADVSTAT_RACE_H
#define MADVSTAT_RACE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What readers saw. */
struct race_stats {
	long reads, ok, enoent, esrch, eio, other, bad_counts;
	int other_errno;
	int64_t max_marked_kb;	/* largest Marked of a target read */
};

/* A reader's target that lists the directory and reads no entry. */
#define RACE_LIST_ONLY	((pid_t)-1)

struct race_reader {
	pthread_t thread;
	pid_t target;		/* 0: every entry of the directory */
	int64_t slack_kb;	/* Rss of a target may lag its walk by this */
	unsigned int pace_us;	/* pause between two reads */
	atomic_bool stop;
	struct race_stats st;
};

/*
 * Start n readers of target (0: of every entry, once per directory
 * listing; RACE_LIST_ONLY: listings only), pausing pace_us between reads. Returns 0 or a negative errno
 * (then none is left running).
 */
int race_readers_start(struct race_reader *rd, int n, pid_t target,
		       int64_t slack_kb, unsigned int pace_us);
/* Stop and join them; their stats summed. */
struct race_stats race_readers_stop(struct race_reader *rd, int n);
/* "who: N reads: N ok, ..." into buf. */
const char *race_stats_str(char *buf, size_t size, const char *who,
			   const struct race_stats *st);

/*
 * A thread that forks children one after another, pace_us apart: each
 * maps and touches 256 kB, frees it with MADV_FREE, forks a grandchild
 * that frees its own and rewrites some, and exits.
 */
struct race_spawner {
	pthread_t thread;
	atomic_bool stop;
	unsigned int pace_us;
	long births, failures;
};

int race_spawner_start(struct race_spawner *s, unsigned int pace_us);
void race_spawner_stop(struct race_spawner *s);

/*
 * Unload and load the module n times while one reader reads every entry,
 * one reads init's, and a spawner's children free memory, fork and exit
 * (readers and spawner pausing pace_us between steps); a file of init's
 * entry stays open throughout. Fills r; returns 0, or the negative errno
 * of the first load or unload that failed.
 */
struct race_reload {
	int64_t unload_ms, load_ms;	/* summed over the cycles */
	int done;			/* cycles completed */
	struct race_stats st;
	long births, spawn_failures;
	int held_errno;		/* errno of reading the held file after */
};

int race_reload_run(int n, unsigned int pace_us, struct race_reload *r);
/* Only the n unloads and loads, timed into r (zeroed by the caller). */
int race_reload_cycles(int n, struct race_reload *r);

#endif /* MADVSTAT_RACE_H */
