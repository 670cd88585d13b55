/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way user space writes a size for people: madvstat's summary and
 * `top` table, madvfree-repro's timeline and counters, the chart's axis.
 */
#ifndef MADVSTAT_SIZE_H
#define MADVSTAT_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Large enough for any ms_size_str() result, with a sign in front. */
#define MS_SIZE_STR_LEN 24

/*
 * bytes as "0 B", "512 B", "4.0 KiB", "192.0 MiB", "1.2 GiB", "3.0 TiB":
 * one decimal, rounded, in the largest unit that keeps the number >= 1
 * (up to EiB). Returns buf.
 */
const char *ms_size_str(uint64_t bytes, char *buf, size_t size);

/*
 * The same units, for the values of a chart's axis: up to three decimals,
 * trailing zeros dropped ("0 B", "64 MiB", "1.5 GiB", "1.125 GiB"). Exact
 * for multiples of a power of two of at least an eighth of the unit.
 */
const char *ms_size_str_axis(uint64_t bytes, char *buf, size_t size);

#endif /* MADVSTAT_SIZE_H */
