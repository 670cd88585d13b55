/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP for the host unit tests: ok()/is() print one line per check,
 * tap_done() prints the totals line the runners read and returns the exit
 * status.
 */
#ifndef MADVSTAT_TAP_H
#define MADVSTAT_TAP_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int tap_n, tap_failed;

static inline bool tap_ok(bool cond, const char *what, const char *file,
			  int line)
{
	tap_n++;
	printf("%sok %u - %s\n", cond ? "" : "not ", tap_n, what);
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return cond;
}

#define ok(cond, what) tap_ok((cond), (what), __FILE__, __LINE__)

#define is(got, want, what)						\
	do {								\
		int64_t g_ = (int64_t)(got), w_ = (int64_t)(want);	\
		if (!ok(g_ == w_, what))				\
			printf("#   got %" PRId64 ", want %" PRId64 "\n",	\
			       g_, w_);					\
	} while (0)

static inline int tap_done(void)
{
	printf("1..%u\n# Totals: pass:%u fail:%u skip:0\n", tap_n,
	       tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif /* MADVSTAT_TAP_H */
