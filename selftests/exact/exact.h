/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exactness checker: a seeded random workload run by worker processes
 * in a fresh memory cgroup, under the command of one orchestrator that
 * checks madvstat's counters against the kernel's own (memory.stat,
 * /proc/vmstat, smaps_rollup) at random checkpoints.
 *
 * Every operation is a command sent to one worker, which runs it and
 * answers before the next one goes: the sequence is serial, so a seed
 * replays the same workload, and nothing changes while a checkpoint
 * reads.
 */
#ifndef MADVSTAT_EXACT_H
#define MADVSTAT_EXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X_SLOTS		8	/* mappings per worker */
#define X_THREADS	4	/* extra threads per worker */
#define X_MAX_PAGES	16384	/* 64 MiB of 4 kB pages per mapping */

/* What a worker is told to do; X_* fields below say which apply. */
enum x_kind {
	X_MMAP,		/* slot, len pages, arg: X_MAP_* */
	X_TOUCH,	/* slot, off, len: write every page */
	X_FREE,		/* slot, off, len: MADV_FREE */
	X_REWRITE,	/* slot, off, len, arg pages at random (seeded) */
	X_DONTNEED,	/* slot, off, len */
	X_MUNMAP,	/* slot, off, len (all of it: the slot empties) */
	X_MREMAP,	/* slot, arg new length in pages, arg2 1: move */
	X_PAGEOUT,	/* slot, off, len: MADV_PAGEOUT */
	X_COLLAPSE,	/* slot, off, len: MADV_COLLAPSE */
	X_MERGEABLE,	/* slot, off, len: same contents, MADV_MERGEABLE */
	X_PIN,		/* slot, off, len: vmsplice into a pipe held */
	X_UNPIN,	/* close the pipe */
	X_UFFD_MOVE,	/* slot -> arg (an empty slot): UFFDIO_MOVE */
	X_VERIFY,	/* check the contents of every slot */
	X_THREAD_START,	/* one more thread, idle */
	X_THREAD_EXIT,	/* the newest thread exits */
	X_FORK,		/* the child is a new worker: reply carries its fd */
	X_EXEC,		/* execve() of ourselves: all slots go */
	X_EXIT,
	X_NR_KINDS
};

#define X_MAP_THP	1	/* MADV_HUGEPAGE */
#define X_MAP_NOTHP	2	/* MADV_NOHUGEPAGE */
#define X_MAP_ALIGN	4	/* 2 MiB aligned */
#define X_MAP_DROPPABLE	8	/* MAP_DROPPABLE (6.11+) */

struct x_cmd {
	uint32_t kind;
	uint32_t slot;
	uint64_t off, len;	/* pages */
	uint64_t arg, arg2;
	uint64_t seed;		/* for choices the worker makes (REWRITE) */
	int32_t thread;		/* -1: the main thread, else which */
	uint32_t pad;
};

struct x_reply {
	int32_t err;		/* 0 or a positive errno */
	uint32_t pad;
	uint64_t val;		/* pages moved (UFFD_MOVE), new length (MREMAP),
				 * KSM pages lost to the kernel (VERIFY) */
	uint64_t addr;		/* where the slot is, after MMAP/MREMAP */
	uint64_t discarded;	/* pages the worker saw reclaim take (below) */
	char msg[240];		/* why, on a failure */
};

/* The worker side: serve commands on @fd until X_EXIT or EOF. */
int x_worker_main(int fd);

/* A PRNG that is the same everywhere: splitmix64. */
static inline uint64_t x_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static inline uint64_t x_below(uint64_t *s, uint64_t n)
{
	return x_rand(s) % n;
}

const char *x_kind_name(unsigned int kind);

#endif /* MADVSTAT_EXACT_H */
