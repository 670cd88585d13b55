// SPDX-License-Identifier: GPL-2.0
/*
 * What tracking costs the programs it watches: each operation timed with
 * the module loaded (tracking on) and not loaded, in alternating rounds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "memtest.h"

/*
 * qemu/bench runs this section under QEMU's icount, where the guest's clock
 * counts instructions and rounds agree to within 1 % (fork+exit) or 0.3 %
 * (the rest); each round costs about 100 s of emulation there, so three.
 */
#define ROUNDS		3
#define FORKS		1000
#define FAULT_BYTES	(256 * SZ_1M)

enum op { OP_MADV_FREE, OP_FAULTS, OP_RECLAIM, OP_FORK, NR_OPS };

static const struct op_info {
	const char *name, *goal, *what;
} ops[NR_OPS] = {
	[OP_MADV_FREE] = { "overhead: madvise(MADV_FREE) 1 GiB", "<= 1.03",
			   "one call on 1 GiB of touched 4 kB pages" },
	[OP_FAULTS] = { "overhead: page faults", "<= 1.01",
			"first touch of 256 MiB, 4 kB pages" },
	[OP_RECLAIM] = { "overhead: memory.reclaim of 1 GiB lazyfree",
			 "<= 1.03", "writing 1G to memory.reclaim" },
	[OP_FORK] = { "overhead: fork+exit", "<= 1.02",
		      "1000 fork, _exit, waitpid" },
};

static char *map_touched(size_t len)
{
	char *p = mt_map_4k(len);

	if (p)
		memset(p, 0x5a, len);
	return p;
}

/* µs of one operation, or a negative errno. */
static double run_op(enum op op, const struct mt_cgroup *cg)
{
	double t0, t = -EINVAL;
	char *p;
	int i;

	switch (op) {
	case OP_MADV_FREE:
		p = map_touched(SZ_1G);
		if (!p)
			return -ENOMEM;
		t0 = bench_now_us();
		madvise(p, SZ_1G, MADV_FREE);
		t = bench_now_us() - t0;
		munmap(p, SZ_1G);
		break;
	case OP_FAULTS:
		p = mt_map_4k(FAULT_BYTES);
		if (!p)
			return -ENOMEM;
		t0 = bench_now_us();
		for (i = 0; i < (int)(FAULT_BYTES / 4096); i++)
			p[(size_t)i * 4096] = 1;
		t = bench_now_us() - t0;
		munmap(p, FAULT_BYTES);
		break;
	case OP_RECLAIM:
		p = map_touched(SZ_1G);
		if (!p)
			return -ENOMEM;
		madvise(p, SZ_1G, MADV_FREE);
		mt_drain_lru();
		t0 = bench_now_us();
		mt_cgroup_reclaim(cg, "1G", 1);
		t = bench_now_us() - t0;
		munmap(p, SZ_1G);
		break;
	case OP_FORK:
		t0 = bench_now_us();
		for (i = 0; i < FORKS; i++) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid < 0 || waitpid(pid, NULL, 0) != pid)
				return -ECHILD;
		}
		t = bench_now_us() - t0;
		break;
	case NR_OPS:
		break;
	}
	return t;
}

void bench_overhead(void)
{
	double with[NR_OPS][ROUNDS] = { { 0 } };
	double without[NR_OPS][ROUNDS] = { { 0 } };
	double ratio[NR_OPS][ROUNDS];
	struct mt_cgroup cg = { .path = "" };
	int r, o, pass;

	/* Our own cgroup, joined before allocating: reclaim finds our pages. */
	if (mt_cgroup_create(&cg, "bench") || mt_cgroup_join(&cg)) {
		printf("error|overhead: cannot create a memory cgroup\n");
		return;
	}
	for (r = 0; r < ROUNDS; r++) {
		/* Alternate which goes first. */
		for (pass = 0; pass < 2; pass++) {
			bool loaded = (r + pass) % 2;

			if (bench_module_set(loaded)) {
				printf("error|overhead: cannot %s the module\n",
				       loaded ? "load" : "unload");
				goto out;
			}
			for (o = 0; o < NR_OPS; o++) {
				double *t = loaded ? with[o] : without[o];

				t[r] = run_op((enum op)o, &cg);
			}
		}
		for (o = 0; o < NR_OPS; o++)
			ratio[o][r] = with[o][r] / without[o][r];
	}
	for (o = 0; o < NR_OPS; o++)
		bench_row(ops[o].name, ratio[o], ROUNDS, ops[o].goal,
			  "%s: %.0f us with the module vs %.0f us without",
			  ops[o].what, bench_median(with[o], ROUNDS),
			  bench_median(without[o], ROUNDS));
out:
	bench_module_set(true);
	mt_cgroup_leave();
	mt_cgroup_remove(&cg);
}
