// SPDX-License-Identifier: GPL-2.0
/*
 * What a reader of /proc/madvstat/<pid> costs the target's own memory
 * map changes: the latency of mmap()+munmap() in the target while another
 * process reads its entry in a loop, against no reader and against a
 * reader of smaps_rollup (the same mmap_lock, taken for reading).
 *
 * qemu/bench runs it in a one-CPU guest under icount, so that what it
 * times is instructions and the kernel's scheduling, not the host's. The
 * writer pauses between pairs, like a program doing other work between
 * map changes; waking from the pause, it preempts the reader at the
 * reader's next preemption point, which in either walk is with mmap_lock
 * held: its mmap() then waits for as long as the reader keeps the lock
 * once it knows a writer waits (madvstat: to the end of the page table it
 * is in; smaps_rollup: to the end of the VMA).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define ROUNDS		5
#define PAUSE_US	200	/* between two pairs */
#define MAX_PAIRS	1000

enum reader { NONE, MADVSTAT, ROLLUP, NR_READERS };

/*
 * Pairs timed per round: a writer behind an smaps_rollup reader waits for
 * the rest of a 1 GiB walk each time, so fewer pairs there.
 */
static const int pairs[NR_READERS] = { MAX_PAIRS, MAX_PAIRS, 100 };

/* A child reading path in a loop until killed. */
static pid_t start_reader(const char *path)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			bench_read_us(path);
	}
	return pid;
}

/* p50 and p99 of n mmap+munmap pairs, in µs. */
static void map_latency(int n, double *p50, double *p99)
{
	static double lat[MAX_PAIRS];
	double t0;
	int i;

	for (i = 0; i < n; i++) {
		char *p;

		usleep(PAUSE_US);
		t0 = bench_now_us();
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			munmap(p, 4096);
		lat[i] = bench_now_us() - t0;
	}
	*p50 = bench_percentile(lat, n, 50);
	*p99 = bench_percentile(lat, n, 99);
}

void bench_lock_impact(void)
{
	double p50[NR_READERS][ROUNDS], p99[NR_READERS][ROUNDS];
	double r50[ROUNDS], r99[ROUNDS], r50s[ROUNDS], r99s[ROUNDS];
	char path[2][64];
	char *mem;
	int r, k;

	/* The target is this process, with 1 GiB to walk, half lazy. */
	mem = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		printf("error|lock impact: no memory\n");
		return;
	}
	madvise(mem, SZ_1G, MADV_NOHUGEPAGE);
	memset(mem, 1, SZ_1G);
	madvise(mem, SZ_1G / 2, MADV_FREE);
	snprintf(path[0], sizeof(path[0]), "/proc/madvstat/%d", (int)getpid());
	snprintf(path[1], sizeof(path[1]), "/proc/%d/smaps_rollup",
		 (int)getpid());

	for (r = 0; r < ROUNDS; r++) {
		for (k = 0; k < NR_READERS; k++) {
			pid_t reader = 0;

			if (k != NONE)
				reader = start_reader(path[k - 1]);
			usleep(20000);
			map_latency(pairs[k], &p50[k][r], &p99[k][r]);
			if (reader > 0) {
				kill(reader, SIGKILL);
				waitpid(reader, NULL, 0);
			}
		}
		r50[r] = p50[MADVSTAT][r] / p50[NONE][r];
		r99[r] = p99[MADVSTAT][r] / p99[NONE][r];
		r50s[r] = p50[MADVSTAT][r] / p50[ROLLUP][r];
		r99s[r] = p99[MADVSTAT][r] / p99[ROLLUP][r];
	}
	bench_row("lock: mmap+munmap p50, madvstat reader / none", r50,
		  ROUNDS, "-", "%.1f us vs %.1f us",
		  bench_median(p50[MADVSTAT], ROUNDS),
		  bench_median(p50[NONE], ROUNDS));
	bench_row("lock: mmap+munmap p99, madvstat reader / none", r99,
		  ROUNDS, "-", "%.1f us vs %.1f us",
		  bench_median(p99[MADVSTAT], ROUNDS),
		  bench_median(p99[NONE], ROUNDS));
	bench_row("lock: p50, madvstat reader / smaps_rollup reader",
		  r50s, ROUNDS, "-", "%.1f us vs %.1f us",
		  bench_median(p50[MADVSTAT], ROUNDS),
		  bench_median(p50[ROLLUP], ROUNDS));
	bench_row("lock: p99, madvstat reader / smaps_rollup reader",
		  r99s, ROUNDS, "-", "%.1f us vs %.1f us",
		  bench_median(p99[MADVSTAT], ROUNDS),
		  bench_median(p99[ROLLUP], ROUNDS));
	munmap(mem, SZ_1G);
}
