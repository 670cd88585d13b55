/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One seeded run of the exactness checker: the workers, the operations,
 * and the checkpoints (check.c) that compare madvstat with the kernel.
 */
#ifndef MADVSTAT_EXACT_RUN_H
#define MADVSTAT_EXACT_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "exact.h"
#include "memtest.h"

#define X_MAX_WORKERS	16
#define X_BUDGET_PAGES	(96UL * 1024)	/* 384 MiB mapped at most, all workers */
#define KHUGEPAGED	"/sys/kernel/mm/transparent_hugepage/khugepaged/"
#define MAX_PTES_NONE	KHUGEPAGED "max_ptes_none"

/* What the orchestrator knows of a worker's mappings. */
struct x_slot_view {
	bool used;
	uint64_t pages;
	unsigned int flags;
	uint64_t addr;
};

struct x_worker {
	pid_t pid;
	int fd;
	bool live;
	bool top;		/* our child (reaped by us), not a worker's */
	bool shared;		/* may share pages with another process */
	int threads;
	bool pinned;
	struct x_slot_view slot[X_SLOTS];
	uint64_t last_free[3];	/* slot, off, len of its last MADV_FREE */
};

/* madvstat's cumulative counters, in kB. */
struct x_cumul {
	int64_t marked, reclaimed, rescued, rescued_pinned, reclaim_freed;
};

/* Kernel features the workload may use. */
struct x_features {
	bool collapse;		/* MADV_COLLAPSE, 6.1 */
	bool uffd_move;		/* UFFDIO_MOVE, 6.8 */
	bool droppable;		/* MAP_DROPPABLE, 6.11 */
	bool ksm;		/* /sys/kernel/mm/ksm */
	bool mreclaim;		/* memory.reclaim, 5.19 */
	long event_lag;		/* memcg events that may stay per CPU (< 5.13) */
	bool rt;		/* PREEMPT_RT: reclaim may go unattributed */
	bool refills;		/* khugepaged may map a discarded page again */
};

/* Names of the known causes of a difference (check.c), for run->named. */
enum x_cause {
	X_CAUSE_FLUSH_LAG,	/* memcg statistics flushed late */
	X_CAUSE_EVENT_LAG,	/* < 5.13: memcg events batched per CPU */
	X_CAUSE_SHARED,		/* pages shared with another process */
	X_CAUSE_DROPPABLE,	/* MAP_DROPPABLE pages: lazily freed unmarked */
	X_CAUSE_RT_NO_RECORD,	/* PREEMPT_RT: reclaim of a process without a record */
	X_CAUSE_ROLLUP_SKIP,	/* < 6.4: smaps_rollup undercounts under contention */
	X_CAUSE_REFILL,		/* khugepaged refilled discarded pages unseen */
	X_CAUSE_KSM_LOST,	/* kernel: KSM merged into a lazily freed page */
	X_CAUSE_UNOWNED,	/* reclaim freed what no process's ReclaimFreed holds */
	X_CAUSE_MOVED,		/* LazyFree moved between the two reads */
	X_NR_CAUSES
};

struct x_run {
	uint64_t seed, rng;
	unsigned long ops, max_ops, checkpoints;
	int max_workers;
	struct x_features feat;
	struct mt_cgroup cg;
	struct x_worker w[X_MAX_WORKERS];
	int nr_w;
	struct x_cumul gone;	/* counted by processes (mms) now gone */
	/* /proc/madvstat/summary and /proc/vmstat at the start. */
	int64_t sum0_marked, sum0_freed, sum0_unowned, sum0_unattr, sum0_missed;
	int64_t vm0_lazyfree, vm0_lazyfreed;
	char *log;		/* the operations since the last checkpoint */
	size_t log_len, log_size;
	void *drain_page;	/* an empty mapping for MADV_COLD */
	unsigned int named[X_NR_CAUSES];	/* times each known cause of a difference showed */
	unsigned long reclaim_checks;	/* Reclaimed held against discards seen (> 0) */
	int64_t reclaim_checked_kb;	/* the most seen in one of those */
	bool verbose;
	unsigned long check_every;	/* $EXACT_CHECK_EVERY: checkpoint each N operations */
	bool failed;
};


int x_run_seed(uint64_t seed, unsigned long ops, bool verbose,
	       unsigned long *ops_done);
void x_log(struct x_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* check.c */
int x_drain(struct x_run *run);
int x_checkpoint(struct x_run *run, const char *why);
int x_read_cumul(pid_t pid, struct x_cumul *c);
int x_verify(struct x_run *run, struct x_worker *w, struct x_cumul *c);
int x_baseline(struct x_run *run);
const char *x_cause_name(unsigned int cause);

/* run.c, for check.c */
int x_call(struct x_run *run, struct x_worker *w, const struct x_cmd *c,
	   struct x_reply *r, int *fd_out);

#endif /* MADVSTAT_EXACT_RUN_H */
