// SPDX-License-Identifier: GPL-2.0
/*
 * 10,000 processes tracked at once: each frees 16 kB, so the module keeps
 * one record per address space. Checks that it keeps exactly that many,
 * that they cost what Documentation/madvstat.rst says (measured as the
 * growth of the kernel's unreclaimable slab, not as the module reports
 * it), that each process reads its own counters, and that every record
 * goes away with its process. qemu/check-debug adds kmemleak after unload.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define NR_PROCS	10000
#define PROC_PAGES	4
/* The documented bound: one 96-byte record per address space, < 128. */
#define BOUND_BYTES	128
#define THREADS_MAX	"/proc/sys/kernel/threads-max"
#define PID_MAX		"/proc/sys/kernel/pid_max"

static int64_t meminfo_kb(const char *key)
{
	char line[128];
	size_t n = strlen(key);
	int64_t v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static int64_t summary_get(const char *key)
{
	struct ms_report r;
	size_t len;
	const char *err;
	unsigned int line;
	char *text = ms_read_file(MT_MADVSTAT_DIR "/summary", &len);
	int64_t v;

	if (!text)
		return -errno;
	if (ms_report_parse(text, len, &r, &err, &line)) {
		free(text);
		return -EINVAL;
	}
	free(text);
	v = ms_report_get(&r, key);
	ms_report_free(&r);
	return v;
}

/* Raise a sysctl to at least min; the old value saved. */
static int raise_sysctl(const char *path, long min, char *saved, size_t size)
{
	char v[32];
	int err = mt_read_str(path, saved, size);

	if (err || atol(saved) >= min) {
		saved[0] = '\0';
		return err;
	}
	snprintf(v, sizeof(v), "%ld", min);
	return mt_write_str(path, v);
}

/*
 * A child: touch, wait for a byte on go_free; free, say so, wait for a
 * byte on go_exit; exit. (Two pipes: with one, a quick child would take
 * a slow one's second byte.)
 */
static void child(int go_free, int done, int go_exit)
{
	size_t len = PROC_PAGES * mt_page_size();
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char c;

	if (p == MAP_FAILED)
		_exit(2);
	memset(p, 1, len);
	if (read(go_free, &c, 1) != 1)
		_exit(3);
	if (madvise(p, len, MADV_FREE))
		_exit(4);
	if (write(done, "d", 1) != 1)
		_exit(5);
	if (read(go_exit, &c, 1) != 1)
		_exit(6);
	_exit(0);
}

/* Run a moment on each CPU, so that none keeps an exited mm loaded. */
static void leave_lazy_mms(void)
{
	long cpu, n = sysconf(_SC_NPROCESSORS_ONLN);

	for (cpu = 0; cpu < n; cpu++)
		if (!mt_pin_cpu((int)cpu))
			sched_yield();
}

static int rw_bytes(int fd, int n, bool writing)
{
	char buf[1024];
	int left = n;
	ssize_t r;

	memset(buf, 'g', sizeof(buf));
	while (left > 0) {
		int chunk = left < (int)sizeof(buf) ? left : (int)sizeof(buf);

		r = writing ? write(fd, buf, chunk) : read(fd, buf, chunk);
		if (r <= 0)
			return -1;
		left -= (int)r;
	}
	return 0;
}

FIXTURE(many) {
	int go_free[2], done[2], go_exit[2];
	pid_t *pids;
	int nr;
	char threads_max[32], pid_max[32];
};

FIXTURE_SETUP(many)
{
	self->nr = 0;
	self->pids = calloc(NR_PROCS, sizeof(pid_t));
	ASSERT_NE(NULL, self->pids);
	ASSERT_EQ(0, pipe(self->go_free));
	ASSERT_EQ(0, pipe(self->done));
	ASSERT_EQ(0, pipe(self->go_exit));
	ASSERT_EQ(0, raise_sysctl(THREADS_MAX, 4L * NR_PROCS,
				  self->threads_max, sizeof(self->threads_max)));
	ASSERT_EQ(0, raise_sysctl(PID_MAX, 4L * NR_PROCS, self->pid_max,
				  sizeof(self->pid_max)));
	if (summary_get("TrackedMms") < 0)
		SKIP(return, "tracking is off: no TrackedMms in the summary");
}

FIXTURE_TEARDOWN(many)
{
	int i;

	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	for (i = 0; i < self->nr; i++)
		waitpid(self->pids[i], NULL, 0);
	free(self->pids);
	if (self->threads_max[0])
		mt_write_str(THREADS_MAX, self->threads_max);
	if (self->pid_max[0])
		mt_write_str(PID_MAX, self->pid_max);
}

TEST_F_TIMEOUT(many, ten_thousand_processes, 1800)
{
	int64_t t0 = mt_now_ms(), tracked0, tracked1, slab0, slab1, slab2;
	int64_t per_mm, waited;
	bool debug_kernel = !access("/sys/kernel/debug/kmemleak", F_OK);
	int i, status, bad = 0;

	tracked0 = summary_get("TrackedMms");
	for (i = 0; i < NR_PROCS; i++) {
		pid_t pid = fork();

		if (pid == 0)
			child(self->go_free[0], self->done[1], self->go_exit[0]);
		ASSERT_LT(0, pid) {
			TH_LOG("fork %d failed: %s", i, strerror(errno));
		}
		self->pids[self->nr++] = pid;
	}
	TH_LOG("%d processes forked in %lld ms", NR_PROCS,
	       (long long)(mt_now_ms() - t0));
	/* Each waits, touched: its slab is allocated, ours not yet. */
	usleep(500 * 1000);
	slab0 = meminfo_kb("SUnreclaim");
	ASSERT_EQ(0, rw_bytes(self->go_free[1], NR_PROCS, true));
	ASSERT_EQ(0, rw_bytes(self->done[0], NR_PROCS, false));
	usleep(500 * 1000);
	slab1 = meminfo_kb("SUnreclaim");
	tracked1 = summary_get("TrackedMms");

	per_mm = (slab1 - slab0) * 1024 / NR_PROCS;
	TH_LOG("TrackedMms %lld -> %lld; unreclaimable slab +%lld kB: "
	       "%lld bytes per process", (long long)tracked0,
	       (long long)tracked1, (long long)(slab1 - slab0),
	       (long long)per_mm);
	EXPECT_LE(tracked0 + NR_PROCS, tracked1);
	EXPECT_GE(tracked0 + NR_PROCS + 16, tracked1);
	if (debug_kernel)
		TH_LOG("kmemleak and KASAN add their metadata to each "
		       "object: the %d-byte bound is checked on release "
		       "kernels only", BOUND_BYTES);
	else
		EXPECT_GE(BOUND_BYTES, per_mm);
	for (i = 0; i < NR_PROCS; i += NR_PROCS / 8)
		EXPECT_EQ(MT_KB(PROC_PAGES * mt_page_size()),
			  mt_madvstat_get(self->pids[i], "Marked"));

	t0 = mt_now_ms();
	ASSERT_EQ(0, rw_bytes(self->go_exit[1], NR_PROCS, true));
	for (i = 0; i < self->nr; i++) {
		if (waitpid(self->pids[i], &status, 0) != self->pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	self->nr = 0;
	EXPECT_EQ(0, bad);
	/*
	 * Records go with the mm, which outlives its task while an idle CPU
	 * still has it loaded (lazy TLB): run on every CPU to release them.
	 */
	for (waited = 0; waited < 10000; waited += 100) {
		leave_lazy_mms();
		if (summary_get("TrackedMms") <= tracked0)
			break;
		usleep(100 * 1000);
	}
	usleep(500 * 1000);
	slab2 = meminfo_kb("SUnreclaim");
	TH_LOG("all exited in %lld ms; TrackedMms %lld; unreclaimable slab "
	       "%+lld kB since before the frees", (long long)(mt_now_ms() - t0),
	       (long long)summary_get("TrackedMms"),
	       (long long)(slab2 - slab0));
	EXPECT_GE(tracked0, summary_get("TrackedMms"));
}

TEST_HARNESS_MAIN
