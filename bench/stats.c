// SPDX-License-Identifier: GPL-2.0
/* Timing, order statistics and the output rows of madvstat-bench. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v. */
double bench_percentile(double *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

double bench_median(double *v, size_t n)
{
	return bench_percentile(v, n, 50);
}

double bench_min(const double *v, size_t n)
{
	double m = n ? v[0] : 0;
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double bench_max(const double *v, size_t n)
{
	double m = n ? v[0] : 0;
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static void print_detail(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void bench_row(const char *name, double *ratios, size_t n, const char *goal,
	       const char *fmt, ...)
{
	double lo = bench_min(ratios, n), hi = bench_max(ratios, n);
	va_list ap;

	printf("row|%s|%.3f|%.3f|%.3f|%s|", name, bench_median(ratios, n), lo,
	       hi, goal);
	va_start(ap, fmt);
	print_detail(fmt, ap);
	va_end(ap);
}

void bench_value(const char *name, double value, const char *goal,
		 const char *fmt, ...)
{
	va_list ap;

	printf("row|%s|%.3f|-|-|%s|", name, value, goal);
	va_start(ap, fmt);
	print_detail(fmt, ap);
	va_end(ap);
}
