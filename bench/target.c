// SPDX-License-Identifier: GPL-2.0
/*
 * The process whose memory the benchmarks read: a child that builds one
 * layout, reports ready, and waits to be killed, touching nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "memtest.h"

#define SPARSE_SPAN	(64UL << 30)
#define NR_VMAS		10000

/* Touch len bytes at p, then lazily free the first half. */
static void touch_free_half(char *p, size_t len)
{
	memset(p, 0x5a, len);
	madvise(p, len / 2, MADV_FREE);
}

static int build(enum bench_layout layout, size_t size)
{
	size_t page = mt_page_size(), i, step;
	char *p;

	switch (layout) {
	case LAYOUT_DENSE:
		p = mt_map_4k(size);
		if (!p)
			return -ENOMEM;
		touch_free_half(p, size);
		return 0;
	case LAYOUT_THP:
		p = mt_map_aligned(size, SZ_2M, 0);
		if (!p)
			return -ENOMEM;
		madvise(p, size, MADV_HUGEPAGE);
		touch_free_half(p, size);
		return 0;
	case LAYOUT_SPARSE:
		p = mt_map_aligned(SPARSE_SPAN, SZ_2M, MAP_NORESERVE);
		if (!p)
			return -ENOMEM;
		madvise(p, SPARSE_SPAN, MADV_NOHUGEPAGE);
		/* size / 2 MiB chunks, evenly spread over the span */
		step = SPARSE_SPAN / (size / SZ_2M);
		for (i = 0; i < size / SZ_2M; i++)
			touch_free_half(p + i * step, SZ_2M);
		return 0;
	case LAYOUT_VMAS:
		p = mmap(NULL, 2 * NR_VMAS * page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		for (i = 0; i < NR_VMAS; i++) {
			if (mprotect(p + 2 * i * page, page,
				     PROT_READ | PROT_WRITE))
				return -errno;
			p[2 * i * page] = 1;
		}
		madvise(p, 2 * NR_VMAS * page, MADV_FREE);
		return 0;
	}
	return -EINVAL;
}

int bench_target_start(struct bench_target *t, enum bench_layout layout,
		       size_t size)
{
	int ready[2], err = 0;
	ssize_t n;

	if (pipe(ready))
		return -errno;
	t->pid = fork();
	if (t->pid < 0) {
		err = -errno;
		close(ready[0]);
		close(ready[1]);
		return err;
	}
	if (t->pid == 0) {
		close(ready[0]);
		err = build(layout, size);
		mt_drain_lru();
		if (write(ready[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	n = read(ready[0], &err, sizeof(err));
	close(ready[0]);
	if (n != sizeof(err))
		err = -EIO;
	snprintf(t->madvstat, sizeof(t->madvstat), "/proc/madvstat/%d",
		 (int)t->pid);
	snprintf(t->rollup, sizeof(t->rollup), "/proc/%d/smaps_rollup",
		 (int)t->pid);
	if (err)
		bench_target_stop(t);
	return err;
}

void bench_target_stop(struct bench_target *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	t->pid = 0;
}
