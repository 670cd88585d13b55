// SPDX-License-Identifier: GPL-2.0
/*
 * The module's memory: 10,000 processes each free 16 kB; the growth of
 * the kernel's unreclaimable slab across their frees is what the module
 * allocated for them (they allocated their own before, while touching).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"
#include "crowd.h"
#include "memtest.h"

#define NR_PROCS	10000
#define THREADS_MAX	"/proc/sys/kernel/threads-max"

void bench_module_memory(void)
{
	int64_t slab0, slab1, mms0, mms1;
	char saved[32] = "";
	struct crowd c;
	double per;

	mt_raise_sysctl(THREADS_MAX, 4L * NR_PROCS, saved, sizeof(saved));
	mms0 = mt_summary_get("TrackedMms");
	if (crowd_start(&c, NR_PROCS, 4 * 4096)) {
		printf("error|module memory: cannot fork %d processes\n",
		       NR_PROCS);
		goto out;
	}
	usleep(500 * 1000);
	slab0 = mt_meminfo_kb("SUnreclaim");
	if (crowd_free(&c)) {
		printf("error|module memory: the processes did not free\n");
		crowd_kill(&c);
		goto out;
	}
	usleep(500 * 1000);
	slab1 = mt_meminfo_kb("SUnreclaim");
	mms1 = mt_summary_get("TrackedMms");
	per = (double)(slab1 - slab0) * 1024 / NR_PROCS;
	bench_value("memory: bytes per tracked process", per, "-",
		    "unreclaimable slab +%lld kB for %lld more tracked mms",
		    (long long)(slab1 - slab0), (long long)(mms1 - mms0));
	bench_value("memory: kB for 10,000 processes", per * 10000 / 1024,
		    "-", "the same measurement, in total");
	crowd_exit(&c);
out:
	if (saved[0])
		ms_write_str(THREADS_MAX, saved);
}
