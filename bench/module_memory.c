// SPDX-License-Identifier: GPL-2.0
/*
 * The module's memory: 10,000 processes, each with a record from fork(),
 * each freeing 16 kB. The record's size and count are the slab
 * allocator's (the madvstat_mm cache of /proc/slabinfo); the growth of the
 * kernel's unreclaimable slab across the frees is what the module
 * allocates when a process frees (nothing, since records come at birth).
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
	int64_t slab0, slab1, mms0, mms1, objsize, objects = 0;
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
	objsize = mt_slab_objsize("madvstat_mm", &objects);
	per = (double)(slab1 - slab0) * 1024 / NR_PROCS;
	bench_value("memory: bytes per tracked process", (double)objsize, "-",
		    "madvstat_mm objects of %lld bytes, %lld in use for %lld more tracked mms",
		    (long long)objsize, (long long)objects,
		    (long long)(mms1 - mms0));
	bench_value("memory: kB for 10,000 processes",
		    (double)objsize * 10000 / 1024, "-",
		    "the same records, in total");
	bench_value("memory: bytes allocated per MADV_FREE'ing process", per,
		    "-", "unreclaimable slab %+lld kB across the frees",
		    (long long)(slab1 - slab0));
	crowd_exit(&c);
out:
	if (saved[0])
		ms_write_str(THREADS_MAX, saved);
}
