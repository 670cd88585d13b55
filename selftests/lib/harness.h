/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's kselftest_harness.h, included under the warnings it was
 * written for. Its macros expand to non-static functions, unused
 * parameters, variables live across setjmp() and comparisons of int
 * literals with unsigned values, which our -Wextra -Werror rejects.
 */
#ifndef MADVSTAT_HARNESS_H
#define MADVSTAT_HARNESS_H

#pragma GCC diagnostic ignored "-Wclobbered"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"

#include "kselftest_harness.h"

#endif /* MADVSTAT_HARNESS_H */
