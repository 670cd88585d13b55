// SPDX-License-Identifier: GPL-2.0
/*
 * What a whole-host scan costs: one read of /proc/madvstat/processes on a
 * host of HOST_PROCS processes holding about 4 GiB, of which HOST_LAZY hold
 * 256 MiB lazily freed each, against reading every process's smaps_rollup
 * (what cAdvisor would have to do for LazyFree) and every process's
 * /proc/PID/status (what any RSS monitor does). Then one process that never
 * freed anything, read through /proc/madvstat/<pid> at 4 GiB and at 4 MiB
 * resident: the same cost, as no walk is needed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "memtest.h"

#define HOST_PROCS	500
#define HOST_LAZY	5
#define SMALL_BYTES	(4UL << 20)	/* each of the others */
#define BIG_BYTES	(400UL << 20)	/* each of the HOST_LAZY */
#define LAZY_BYTES	(256UL << 20)	/* of which lazily freed */
#define ROUNDS		7

/* A child holding @bytes written, @lazy of them freed lazily, until killed. */
static pid_t hold(size_t bytes, size_t lazy, int ready)
{
	pid_t pid = fork();
	char *p;

	if (pid)
		return pid;
	p = mt_map_4k(bytes);
	if (!p)
		_exit(1);
	memset(p, 0x5a, bytes);
	if (lazy && madvise(p, lazy, MADV_FREE))
		_exit(2);
	if (write(ready, "r", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

static int start_all(pid_t *pids, int n, size_t bytes, size_t lazy)
{
	int fds[2], i;
	char c;

	if (pipe(fds))
		return -errno;
	for (i = 0; i < n; i++) {
		pids[i] = hold(bytes, lazy, fds[1]);
		if (pids[i] < 0)
			break;
	}
	close(fds[1]);
	for (n = i, i = 0; i < n && read(fds[0], &c, 1) == 1; i++)
		;
	close(fds[0]);
	return i == n ? 0 : -ECHILD;
}

static void stop_all(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

/* µs to read /proc/PID/<file> of every process in pids[0..n). */
static double read_each_us(const pid_t *pids, int n, const char *file)
{
	char path[64];
	double us = 0;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pids[i], file);
		us += bench_read_us(path);
	}
	return us;
}

/* The host: the full scan against the per-process reads it replaces. */
static void host_scan(void)
{
	double scan[ROUNDS], rollup[ROUNDS], status[ROUNDS];
	double r_rollup[ROUNDS], r_status[ROUNDS], first;
	static pid_t pids[HOST_PROCS];
	int64_t lazy_kb;
	int r;

	if (start_all(pids, HOST_PROCS - HOST_LAZY, SMALL_BYTES, 0) ||
	    start_all(pids + HOST_PROCS - HOST_LAZY, HOST_LAZY, BIG_BYTES,
		      LAZY_BYTES)) {
		printf("error|host: cannot start %d processes\n", HOST_PROCS);
		stop_all(pids, HOST_PROCS);
		return;
	}
	mt_drain_lru();
	/* Forked, not exec'd: the first scan walks them all and confirms. */
	first = bench_read_us(MT_MADVSTAT_DIR "/processes");
	for (r = 0; r < ROUNDS; r++) {
		scan[r] = bench_read_us(MT_MADVSTAT_DIR "/processes");
		rollup[r] = read_each_us(pids, HOST_PROCS, "smaps_rollup");
		status[r] = read_each_us(pids, HOST_PROCS, "status");
		r_rollup[r] = scan[r] / rollup[r];
		r_status[r] = scan[r] / status[r];
	}
	lazy_kb = mt_summary_get("LazyFree");
	bench_row("host: scan / every smaps_rollup", r_rollup, ROUNDS,
		  "<= 0.05",
		  "%d processes, %d with 256 MiB lazily freed: one read of processes %.0f us (the first, confirming, %.0f us) vs %.0f us; summary LazyFree %lld kB",
		  HOST_PROCS, HOST_LAZY, bench_median(scan, ROUNDS), first,
		  bench_median(rollup, ROUNDS), (long long)lazy_kb);
	bench_row("host: scan / every status", r_status, ROUNDS, "<= 1",
		  "%.0f us vs %.0f us", bench_median(scan, ROUNDS),
		  bench_median(status, ROUNDS));
	stop_all(pids, HOST_PROCS);
}

/* A process that never freed anything: its RSS does not matter. */
static void never_freed(void)
{
	double big[ROUNDS], small[ROUNDS], r_size[ROUNDS];
	pid_t pids[2] = { -1, -1 };
	char path_big[64], path_small[64];
	int r, i;

	if (start_all(pids, 1, 4 * SZ_1G, 0) ||
	    start_all(pids + 1, 1, SMALL_BYTES, 0)) {
		printf("error|host: cannot start the never-freed processes\n");
		stop_all(pids, 2);
		return;
	}
	snprintf(path_big, sizeof(path_big), MT_MADVSTAT_DIR "/%d", pids[0]);
	snprintf(path_small, sizeof(path_small), MT_MADVSTAT_DIR "/%d", pids[1]);
	/* The first read of each walks and confirms. */
	bench_read_us(path_big);
	bench_read_us(path_small);
	for (r = 0; r < ROUNDS; r++) {
		big[r] = small[r] = 0;
		for (i = 0; i < 5; i++) {
			big[r] += bench_read_us(path_big);
			small[r] += bench_read_us(path_small);
		}
		r_size[r] = big[r] / small[r];
	}
	bench_row("host: never freed, 4 GiB / 4 MiB resident", r_size, ROUNDS,
		  "<= 1.2", "one read %.0f us vs %.0f us",
		  bench_median(big, ROUNDS) / 5, bench_median(small, ROUNDS) / 5);
	stop_all(pids, 2);
}

void bench_host_scan(void)
{
	host_scan();
	never_freed();
}
