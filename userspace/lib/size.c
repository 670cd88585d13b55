// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes for people, in binary units with one decimal. See size.h.
 */
#include "size.h"

#include <inttypes.h>
#include <stdio.h>

#define KIB 1024ULL

const char *ms_size_str(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	uint64_t unit = KIB, tenths;
	size_t u = 0;

	if (bytes < KIB) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return buf;
	}
	/* Integer rounding, so that 1023.96 KiB reads 1.0 MiB. */
	for (;;) {
		uint64_t whole = bytes / unit, rem = bytes % unit;

		tenths = whole * 10 + (rem * 10 + unit / 2) / unit;
		if (tenths < 10240 || u == sizeof(units) / sizeof(units[0]) - 1)
			break;
		unit *= KIB;
		u++;
	}
	snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " %s", tenths / 10,
		 tenths % 10, units[u]);
	return buf;
}
