// SPDX-License-Identifier: GPL-2.0
/*
 * What one reading of a process costs: /proc/madvstat/<pid> against
 * /proc/<pid>/smaps_rollup (the kernel's own walk) and against a user-space
 * walk of /proc/<pid>/pagemap and /proc/kpageflags (how tools/mm's
 * page-types finds such pages); then how the cost scales with the layout
 * and the amount of memory.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define ROUNDS		7
#define READS		5	/* per round and file: their median */
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_ANON	12
#define KPF_SWAPBACKED	14
#define PM_BATCH	4096	/* pagemap entries per pread */

double bench_read_us(const char *path)
{
	static char buf[1 << 16];
	double t0 = bench_now_us();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0);
	close(fd);
	return n < 0 ? -1 : bench_now_us() - t0;
}

/* The median of READS readings of path, in µs. */
static double median_read_us(const char *path)
{
	double t[READS];
	int i;

	for (i = 0; i < READS; i++)
		t[i] = bench_read_us(path);
	return bench_median(t, READS);
}

/* Flags of pfns [pfn, pfn + n): one pread for a contiguous run. */
static uint64_t count_lazy_run(int kpf, uint64_t pfn, size_t n)
{
	uint64_t flags[PM_BATCH], lazy = 0;
	size_t i;

	if (pread(kpf, flags, n * 8, (off_t)(pfn * 8)) != (ssize_t)(n * 8))
		return 0;
	for (i = 0; i < n; i++)
		if ((flags[i] >> KPF_ANON & 1) && !(flags[i] >> KPF_SWAPBACKED & 1))
			lazy++;
	return lazy;
}

/*
 * One VMA's pages [start, end) through pagemap, then their flags in runs
 * of contiguous PFNs (kpf < 0: pagemap only, counting present pages).
 */
static uint64_t walk_vma(int pm, int kpf, uint64_t start, uint64_t end)
{
	uint64_t ent[PM_BATCH], lazy = 0, run_pfn = 0, va;
	size_t run = 0, n, i;

	for (va = start; va < end; va += n * 4096) {
		n = (end - va) / 4096 < PM_BATCH ? (end - va) / 4096 : PM_BATCH;
		if (pread(pm, ent, n * 8, (off_t)(va / 4096 * 8)) !=
		    (ssize_t)(n * 8))
			break;
		for (i = 0; i < n; i++) {
			uint64_t pfn = ent[i] & PM_PFN_MASK;

			if (!(ent[i] & PM_PRESENT))
				continue;
			if (kpf < 0) {
				lazy++;
				continue;
			}
			if (run && pfn == run_pfn + run && run < PM_BATCH) {
				run++;
				continue;
			}
			if (run)
				lazy += count_lazy_run(kpf, run_pfn, run);
			run_pfn = pfn;
			run = 1;
		}
	}
	if (run)
		lazy += count_lazy_run(kpf, run_pfn, run);
	return lazy;
}

double bench_pagewalk_us(pid_t pid, bool flags, uint64_t *lazy_pages)
{
	double t0 = bench_now_us();
	char path[64], line[512];
	uint64_t start, end;
	int pm, kpf;
	FILE *maps;

	*lazy_pages = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	kpf = flags ? open("/proc/kpageflags", O_RDONLY | O_CLOEXEC) : -1;
	if (!maps || pm < 0 || (flags && kpf < 0)) {
		if (maps)
			fclose(maps);
		if (pm >= 0)
			close(pm);
		if (kpf >= 0)
			close(kpf);
		return -1;
	}
	while (fgets(line, sizeof(line), maps))
		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &end) == 2)
			*lazy_pages += walk_vma(pm, kpf, start, end);
	fclose(maps);
	close(pm);
	close(kpf);
	return bench_now_us() - t0;
}

void bench_read_cost(void)
{
	double ms[ROUNDS], rollup[ROUNDS], walk[ROUNDS], pm[ROUNDS];
	double r_rollup[ROUNDS], r_walk[ROUNDS], r_pm[ROUNDS];
	struct bench_target t;
	uint64_t lazy = 0, present = 0;
	int i;

	if (bench_target_start(&t, LAYOUT_DENSE, SZ_1G)) {
		printf("error|read cost: cannot start a 1 GiB target\n");
		return;
	}
	for (i = 0; i < ROUNDS; i++) {
		ms[i] = median_read_us(t.madvstat);
		rollup[i] = median_read_us(t.rollup);
		walk[i] = bench_pagewalk_us(t.pid, true, &lazy);
		pm[i] = bench_pagewalk_us(t.pid, false, &present);
		r_rollup[i] = ms[i] / rollup[i];
		r_walk[i] = walk[i] / ms[i];
		r_pm[i] = pm[i] / ms[i];
	}
	bench_row("read: madvstat / smaps_rollup", r_rollup, ROUNDS, "<= 0.5",
		  "1 GiB resident, half lazily freed: %.0f us vs %.0f us",
		  bench_median(ms, ROUNDS), bench_median(rollup, ROUNDS));
	bench_row("read: pagemap+kpageflags / madvstat", r_walk, ROUNDS,
		  ">= 20", "user-space walk %.0f us (found %" PRIu64
		  " lazy pages) vs %.0f us", bench_median(walk, ROUNDS), lazy,
		  bench_median(ms, ROUNDS));
	bench_row("read: pagemap alone / madvstat", r_pm, ROUNDS, "-",
		  "the floor of any pagemap-based tool: %.0f us (%" PRIu64
		  " present pages) vs %.0f us", bench_median(pm, ROUNDS), present,
		  bench_median(ms, ROUNDS));
	bench_target_stop(&t);
}

/* madvstat / smaps_rollup for one layout. */
static void layout_vs_rollup(const char *name, enum bench_layout layout,
			     size_t size, const char *what)
{
	double ms[ROUNDS], rollup[ROUNDS], r[ROUNDS];
	struct bench_target t;
	int i;

	if (bench_target_start(&t, layout, size)) {
		printf("error|%s: cannot start the target\n", name);
		return;
	}
	for (i = 0; i < ROUNDS; i++) {
		ms[i] = median_read_us(t.madvstat);
		rollup[i] = median_read_us(t.rollup);
		r[i] = ms[i] / rollup[i];
	}
	bench_row(name, r, ROUNDS, "-", "%s: %.0f us vs %.0f us", what,
		  bench_median(ms, ROUNDS), bench_median(rollup, ROUNDS));
	bench_target_stop(&t);
}

void bench_scaling(void)
{
	double sparse[ROUNDS], dense[ROUNDS], r[ROUNDS];
	struct bench_target s, d;
	int i;

	if (bench_target_start(&s, LAYOUT_SPARSE, SZ_1G) ||
	    bench_target_start(&d, LAYOUT_DENSE, SZ_1G)) {
		printf("error|scaling: cannot start the targets\n");
		bench_target_stop(&s);
		return;
	}
	for (i = 0; i < ROUNDS; i++) {
		sparse[i] = median_read_us(s.madvstat);
		dense[i] = median_read_us(d.madvstat);
		r[i] = sparse[i] / dense[i];
	}
	bench_row("scale: 1 GiB in 64 GiB / dense 1 GiB", r, ROUNDS, "<= 1.2",
		  "512 chunks of 2 MiB 128 MiB apart: %.0f us vs %.0f us",
		  bench_median(sparse, ROUNDS), bench_median(dense, ROUNDS));
	bench_target_stop(&s);
	bench_target_stop(&d);

	layout_vs_rollup("scale: 10,000 VMAs, madvstat / smaps_rollup",
			 LAYOUT_VMAS, 0, "one-page VMAs");
	layout_vs_rollup("scale: THP 1 GiB, madvstat / smaps_rollup",
			 LAYOUT_THP, SZ_1G, "2 MiB pages, half lazily freed");
}

/*
 * The cost curve: the cost per GiB of reading a process of 64 MiB to
 * 4 GiB, relative to the cost per GiB of a 1 GiB process read in the same
 * round (both alive throughout, read alternately). Linear in populated
 * memory means about 1 at every size; a fixed cost per read shows as more
 * than 1 at the small sizes.
 */
void bench_curve(void)
{
	static const size_t sizes[] = { 64 * SZ_1M, 256 * SZ_1M, 4 * SZ_1G };
	double per_gib[ROUNDS], ref[ROUNDS], r[ROUNDS];
	struct bench_target t, one;
	char name[64];
	size_t i;
	int k;

	if (bench_target_start(&one, LAYOUT_DENSE, SZ_1G)) {
		printf("error|curve: cannot start the 1 GiB reference\n");
		return;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (bench_target_start(&t, LAYOUT_DENSE, sizes[i])) {
			printf("error|curve: cannot start %zu MiB\n",
			       sizes[i] / SZ_1M);
			continue;
		}
		for (k = 0; k < ROUNDS; k++) {
			per_gib[k] = median_read_us(t.madvstat) * SZ_1G /
				     sizes[i];
			ref[k] = median_read_us(one.madvstat);
			r[k] = per_gib[k] / ref[k];
		}
		bench_target_stop(&t);
		snprintf(name, sizeof(name),
			 "curve: cost per GiB at %zu MiB / at 1 GiB",
			 sizes[i] / SZ_1M);
		bench_row(name, r, ROUNDS, "-",
			  "%.0f us per GiB vs %.0f us for 1 GiB",
			  bench_median(per_gib, ROUNDS),
			  bench_median(ref, ROUNDS));
	}
	bench_target_stop(&one);
}
