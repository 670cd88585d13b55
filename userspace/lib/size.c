// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes for people, in binary units. See size.h.
 */
#include "size.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define KIB 1024ULL

static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB",
				     "EiB" };
#define NR_UNITS (sizeof(units) / sizeof(units[0]))

/*
 * The unit (index into units) that keeps bytes >= 1 and, rounded to
 * 1/scale, below 1024; *scaled is bytes in it times scale, rounded. Integer
 * rounding, so that 1023.96 KiB reads 1.0 MiB. bytes >= 1 KiB.
 */
static size_t size_unit(uint64_t bytes, unsigned int scale, uint64_t *scaled)
{
	uint64_t unit = KIB;
	size_t u = 0;

	for (;; unit *= KIB, u++) {
		uint64_t whole = bytes / unit, rem = bytes % unit;
		bool last = u == NR_UNITS - 1;

		if (whole >= KIB && !last)
			continue;
		*scaled = whole * scale +
			  (uint64_t)(((unsigned __int128)rem * scale + unit / 2) /
				     unit);
		if (*scaled < KIB * scale || last)
			return u;
	}
}

const char *ms_size_str(uint64_t bytes, char *buf, size_t size)
{
	uint64_t tenths;
	size_t u;

	if (bytes < KIB) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return buf;
	}
	u = size_unit(bytes, 10, &tenths);
	snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " %s", tenths / 10,
		 tenths % 10, units[u]);
	return buf;
}

const char *ms_size_str_axis(uint64_t bytes, char *buf, size_t size)
{
	uint64_t thousandths;
	char frac[8];
	size_t u, len;

	if (bytes < KIB) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return buf;
	}
	u = size_unit(bytes, 1000, &thousandths);
	snprintf(frac, sizeof(frac), ".%03" PRIu64, thousandths % 1000);
	len = strlen(frac);
	while (len > 1 && frac[len - 1] == '0')
		frac[--len] = '\0';
	snprintf(buf, size, "%" PRIu64 "%s %s", thousandths / 1000,
		 len > 1 ? frac : "", units[u]);
	return buf;
}
