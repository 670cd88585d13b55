/* SPDX-License-Identifier: GPL-2.0 */
/*
 * madvstat-bench: what `make bench` runs in each guest. Every number is a
 * ratio of two things measured side by side in the same run (alternating
 * rounds, median of the rounds, with the rounds' min and max), printed as
 * one line per measurement:
 *
 *   row|<name>|<ratio>|<min>|<max>|<goal>|<detail>
 *
 * where goal is "<= x", ">= x" or "-" and detail says what was measured.
 */
#ifndef MADVSTAT_BENCH_H
#define MADVSTAT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SZ_1M		(1UL << 20)
#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)

/* stats.c */
double bench_now_us(void);
double bench_median(double *v, size_t n);
double bench_percentile(double *v, size_t n, double p);
double bench_min(const double *v, size_t n);
double bench_max(const double *v, size_t n);
/* The row of one ratio: the median of n per-round ratios, min, max. */
void bench_row(const char *name, double *ratios, size_t n, const char *goal,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A row with a single value (no rounds). */
void bench_value(const char *name, double value, const char *goal,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* target.c: a child process holding a memory layout, until stopped. */
enum bench_layout {
	LAYOUT_DENSE,		/* size bytes, 4 kB pages, half lazily freed */
	LAYOUT_THP,		/* size bytes of THPs, half lazily freed */
	LAYOUT_SPARSE,		/* size bytes in 2 MiB chunks over 64 GiB */
	LAYOUT_VMAS,		/* 10,000 one-page VMAs, all lazily freed */
};

struct bench_target {
	pid_t pid;
	char madvstat[64], rollup[64];
};

int bench_target_start(struct bench_target *t, enum bench_layout layout,
		       size_t size);
void bench_target_stop(struct bench_target *t);

/* read_cost.c */
double bench_read_us(const char *path);
/*
 * µs of one user-space walk of pid's pagemap, with (flags) the
 * kpageflags of each present page: lazily freed pages counted into
 * *pages; without, present pages.
 */
double bench_pagewalk_us(pid_t pid, bool flags, uint64_t *pages);
void bench_read_cost(void);
void bench_scaling(void);
void bench_curve(void);

/* host_scan.c: a whole host in one read */
void bench_host_scan(void);

/* overhead.c: the watched program with the module vs without it. */
void bench_overhead(void);

/* lock_impact.c */
void bench_lock_impact(void);

/* module_memory.c */
void bench_module_memory(void);

/* The module, from /lib/madvstat/madvstat.ko. */
int bench_module_set(bool loaded);

#endif /* MADVSTAT_BENCH_H */
