// SPDX-License-Identifier: GPL-2.0
/*
 * madvstat-bench [SECTION...]: runs in a guest with madvstat loaded (qemu/
 * bench boots it) and prints one row per measurement (see bench.h).
 * Sections, in order: read, scale, host, curve, overhead, lock, memory
 * (default: all).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "memtest.h"

int bench_module_set(bool loaded)
{
	if (loaded == mt_module_loaded())
		return 0;
	return loaded ? mt_module_load("") : mt_module_unload();
}

static const struct section {
	const char *name;
	void (*run)(void);
} sections[] = {
	{ "read", bench_read_cost },
	{ "scale", bench_scaling },
	{ "host", bench_host_scan },
	{ "curve", bench_curve },
	{ "overhead", bench_overhead },
	{ "lock", bench_lock_impact },
	{ "memory", bench_module_memory },
};

#define NR_SECTIONS	(sizeof(sections) / sizeof(sections[0]))

int main(int argc, char **argv)
{
	size_t i;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mt_module_loaded()) {
		fprintf(stderr, "madvstat-bench: madvstat is not loaded\n");
		return 1;
	}
	for (i = 0; i < NR_SECTIONS; i++) {
		bool wanted = argc < 2;

		for (a = 1; a < argc; a++)
			wanted |= !strcmp(argv[a], sections[i].name);
		if (!wanted)
			continue;
		double t0 = bench_now_us();

		printf("section|%s\n", sections[i].name);
		sections[i].run();
		printf("time|%s|%.0f s\n", sections[i].name,
		       (bench_now_us() - t0) / 1e6);
	}
	return mt_module_loaded() ? 0 : 1;
}
