// SPDX-License-Identifier: GPL-2.0
/*
 * Tracking across module loads: a process started before insmod is
 * counted from the load on and says so; track=0 turns the counters off
 * and leaves the snapshot exact; an administrator who switches kprobes or
 * ftrace off is told what that costs, never given silent zeros; the
 * MADV_FREE hooks are direct calls where the kernel has them, and count
 * the same through ftrace_ops with direct=0.
 *
 * Each test reloads madvstat.ko from MT_MODULE_PATH and leaves it loaded
 * with default parameters.
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

#define LEN		(8UL << 20)
#define TRACK_PARAM	"/sys/module/madvstat/parameters/track"
#define KPROBES_ENABLED	"/sys/kernel/debug/kprobes/enabled"
#define FTRACE_ENABLED	"/proc/sys/kernel/ftrace_enabled"
#define DIRECT_PARAM	"/sys/module/madvstat/parameters/direct"
#define TRACING		"/sys/kernel/debug/tracing"
#define FTRACE_FUNCS	TRACING "/enabled_functions"
#define CHURN_LOADS	6

static void tracking_of(struct __test_metadata *_metadata, pid_t pid,
			char *buf, size_t size)
{
	struct ms_report r;

	ASSERT_EQ(0, mt_madvstat_read(pid, &r));
	snprintf(buf, size, "%s", r.tracking);
	ms_report_free(&r);
}

struct area {
	unsigned char *mem;
	size_t len;
};

/* 'a': map and touch memory of its own (nothing shared with us); 'f': free it. */
static void child_cmd(void *arg, char cmd)
{
	struct area *a = arg;

	if (cmd == 'a') {
		a->mem = mmap(NULL, a->len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (a->mem != MAP_FAILED)
			memset(a->mem, 0x3c, a->len);
	} else if (cmd == 'f' && madvise(a->mem, a->len, MADV_FREE) == 0) {
		mt_drain_lru();
	}
}

FIXTURE(reload) {
	struct area a;
	bool ready;	/* 6.1's harness runs the test after a SKIP in setup */
};

FIXTURE_SETUP(reload)
{
	if (access(MT_MODULE_PATH, R_OK))
		SKIP(return, "no %s", MT_MODULE_PATH);
	ASSERT_EQ(0, mt_pin_cpu(0));
	self->a.len = LEN;
	self->a.mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->a.mem);
	memset(self->a.mem, 0x5a, LEN);
	self->ready = true;
}

FIXTURE_TEARDOWN(reload)
{
	if (self->a.mem)
		munmap(self->a.mem, LEN);
	if (!self->ready)
		return;
	if (mt_module_loaded())
		EXPECT_EQ(0, mt_module_unload());
	/* Whatever a test switched off, on again before the next load. */
	if (!access(KPROBES_ENABLED, W_OK))
		EXPECT_EQ(0, ms_write_str(KPROBES_ENABLED, "1"));
	if (!access(FTRACE_ENABLED, W_OK))
		EXPECT_EQ(0, ms_write_str(FTRACE_ENABLED, "1"));
	if (!access(TRACING "/current_tracer", W_OK)) {
		EXPECT_EQ(0, ms_write_str(TRACING "/current_tracer", "nop"));
		EXPECT_EQ(0, ms_write_str(TRACING "/set_ftrace_filter", ""));
	}
	EXPECT_EQ(0, mt_module_load(""));
}

/* Free memory without end, on any CPU, until killed. */
static pid_t start_churn(void)
{
	size_t len = 64 * mt_page_size();
	cpu_set_t all;
	pid_t pid = fork();
	void *p;
	int cpu;

	if (pid)
		return pid;
	CPU_ZERO(&all);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	sched_setaffinity(0, sizeof(all), &all);
	for (;;) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 0x11, len);
		madvise(p, len, MADV_FREE);
		munmap(p, len);
	}
}

/*
 * Loaded while a process frees memory, the module must never claim more
 * than the kernel counted since: batches that drain while the probes are
 * being attached are the kernel's alone. Until the kernel's base was read
 * before attaching, AllMarked exceeded KernelLazyFree after such a load
 * (by 768 kB on 6.1).
 */
TEST_F_TIMEOUT(reload, all_marked_within_kernel_across_loads, 300)
{
	int64_t all, kernel;
	int i, st;
	pid_t churn;

	if (!self->ready)
		return;
	for (i = 0; i < CHURN_LOADS; i++) {
		churn = start_churn();
		ASSERT_LT(0, churn);
		usleep(50 * 1000);
		ASSERT_EQ(0, mt_module_unload());
		ASSERT_EQ(0, mt_module_load(""));
		usleep(50 * 1000);
		kill(churn, SIGKILL);
		ASSERT_EQ(churn, waitpid(churn, &st, 0));
		ASSERT_EQ(0, mt_drain_lru());
		all = mt_summary_get("AllMarked");
		kernel = mt_summary_get("KernelLazyFree");
		EXPECT_LE(all, kernel) {
			TH_LOG("load %d: AllMarked %ld kB, KernelLazyFree %ld kB",
			       i, (long)all, (long)kernel);
		}
		EXPECT_LE(mt_summary_get("AllReclaimFreed"),
			  mt_summary_get("KernelLazyFreed"));
	}
}

/* Started before insmod: counted from the load, and the line says so. */
TEST_F(reload, older_process_since_load)
{
	char line[256];
	struct mt_child old, young;

	if (!self->ready)
		return;
	ASSERT_EQ(0, mt_child_start(&old, child_cmd, &self->a));
	ASSERT_EQ(0, mt_child_cmd(&old, 'a'));
	ASSERT_EQ(0, mt_module_unload());
	ASSERT_EQ(0, mt_module_load(""));
	ASSERT_EQ(0, mt_wait_entry(old.pid, true, 2000));
	ASSERT_EQ(0, mt_child_start(&young, child_cmd, &self->a));

	tracking_of(_metadata, old.pid, line, sizeof(line));
	EXPECT_EQ(0, strncmp(line, "live, since module load at ", 27)) {
		TH_LOG("Tracking: %s", line);
	}
	tracking_of(_metadata, young.pid, line, sizeof(line));
	EXPECT_STREQ("live, since process start", line);

	/* What the older one frees after the load is counted exactly. */
	ASSERT_EQ(0, mt_child_cmd(&old, 'f'));
	EXPECT_EQ((int64_t)(LEN >> 10), mt_madvstat_get(old.pid, "Marked"));
	EXPECT_EQ((int64_t)(LEN >> 10), mt_madvstat_get(old.pid, "LazyFree"));
	EXPECT_EQ(0, mt_madvstat_get(old.pid, "Dropped"));
	/* young holds a copy of old's pipe: stop it first. */
	EXPECT_EQ(0, mt_child_stop(&young));
	EXPECT_EQ(0, mt_child_stop(&old));
}

/* track=0: no counters, the reason on the Tracking line, exact snapshot. */
TEST_F(reload, track_off)
{
	char line[256], param[8];
	struct ms_report r;

	if (!self->ready)
		return;
	ASSERT_EQ(0, mt_module_unload());
	ASSERT_EQ(0, mt_module_load("track=0"));
	ASSERT_EQ(0, ms_read_str(TRACK_PARAM, param, sizeof(param)));
	EXPECT_EQ('N', param[0]);

	ASSERT_EQ(0, madvise(self->a.mem, LEN, MADV_FREE));
	ASSERT_EQ(0, mt_drain_lru());
	ASSERT_EQ(0, mt_madvstat_read(getpid(), &r));
	EXPECT_STREQ("off, module loaded with track=0", r.tracking);
	EXPECT_EQ(-1, ms_report_get(&r, "Marked"));
	EXPECT_EQ(-1, ms_report_get(&r, "Dropped"));
	EXPECT_EQ(mt_rollup_get(getpid(), "LazyFree"),
		  ms_report_get(&r, "LazyFree"));
	EXPECT_LE((int64_t)(LEN >> 10), ms_report_get(&r, "LazyFree"));
	ms_report_free(&r);

	tracking_of(_metadata, getpid(), line, sizeof(line));
	EXPECT_EQ(0, strncmp(line, "off", 3));
}

/* Kprobes off at load: tracking off, and the line says why. */
TEST_F(reload, kprobes_off_at_load)
{
	struct ms_report r;

	if (!self->ready)
		return;
	if (access(KPROBES_ENABLED, W_OK))
		SKIP(return, "no %s (debugfs not mounted?)", KPROBES_ENABLED);
	ASSERT_EQ(0, mt_module_unload());
	ASSERT_EQ(0, ms_write_str(KPROBES_ENABLED, "0"));
	ASSERT_EQ(0, mt_module_load(""));
	/* The snapshot is as exact as ever. */
	ASSERT_EQ(0, madvise(self->a.mem, LEN, MADV_FREE));
	ASSERT_EQ(0, mt_drain_lru());
	ASSERT_EQ(0, mt_madvstat_read(getpid(), &r));
	EXPECT_STREQ("off, kprobes are disabled system-wide", r.tracking);
	EXPECT_EQ(-1, ms_report_get(&r, "Marked"));
	EXPECT_EQ(mt_rollup_get(getpid(), "LazyFree"),
		  ms_report_get(&r, "LazyFree"));
	EXPECT_LE((int64_t)(LEN >> 10), ms_report_get(&r, "LazyFree"));
	ms_report_free(&r);
}

/*
 * Kprobes switched off while loaded: the line says "partial" and reclaim
 * goes uncounted (Marked still counts); switched on again, reclaim counts
 * again and the line keeps saying when it did not.
 */
TEST_F(reload, kprobes_off_while_loaded)
{
	struct mt_cgroup cg;
	struct ms_report r;
	unsigned char *p;

	if (!self->ready)
		return;
	if (access(KPROBES_ENABLED, W_OK))
		SKIP(return, "no %s (debugfs not mounted?)", KPROBES_ENABLED);
	ASSERT_EQ(0, mt_module_unload());
	ASSERT_EQ(0, mt_module_load(""));
	/* In a cgroup of our own before allocating, for memory.reclaim. */
	ASSERT_EQ(0, mt_cgroup_create(&cg, "kprobes-off"));
	ASSERT_EQ(0, mt_cgroup_join(&cg));
	p = mt_lazy_free_area(LEN);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mt_drain_lru());
	EXPECT_EQ((int64_t)(LEN >> 10), mt_madvstat_get(getpid(), "Marked"));

	ASSERT_EQ(0, ms_write_str(KPROBES_ENABLED, "0"));
	ASSERT_EQ(0, mt_madvstat_read(getpid(), &r));
	EXPECT_STREQ("partial, kprobes are disabled system-wide: Reclaimed, Rescued, RescuedPinned and ReclaimFreed are not counted",
		     r.tracking);
	ms_report_free(&r);
	EXPECT_EQ(0, mt_cgroup_reclaim(&cg, "64M", 3));
	EXPECT_EQ(0, mt_rollup_get(getpid(), "LazyFree"));
	EXPECT_EQ(0, mt_madvstat_get(getpid(), "Reclaimed"));
	munmap(p, LEN);

	ASSERT_EQ(0, ms_write_str(KPROBES_ENABLED, "1"));
	p = mt_lazy_free_area(LEN);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mt_drain_lru());
	EXPECT_EQ(0, mt_cgroup_reclaim(&cg, "64M", 3));
	EXPECT_EQ(0, mt_rollup_get(getpid(), "LazyFree"));
	ASSERT_EQ(0, mt_madvstat_read(getpid(), &r));
	EXPECT_EQ((int64_t)(2 * LEN >> 10), ms_report_get(&r, "Marked"));
	EXPECT_EQ((int64_t)(LEN >> 10), ms_report_get(&r, "Reclaimed"));
	EXPECT_EQ(0, strncmp(r.tracking, "live, since ", 12));
	EXPECT_NE(NULL, strstr(r.tracking, ", reclaim not counted while kprobes were disabled (seen from ")) {
		TH_LOG("Tracking: %s", r.tracking);
	}
	ms_report_free(&r);
	munmap(p, LEN);
	EXPECT_EQ(0, mt_cgroup_leave());
	EXPECT_EQ(0, mt_cgroup_remove(&cg));
}

/*
 * Its ftrace callbacks are permanent: while it tracks, ftrace cannot be
 * switched off under it; switched off before the load, tracking is off and
 * the line says why.
 */
TEST_F(reload, ftrace_off)
{
	struct ms_report r;

	if (!self->ready)
		return;
	if (access(FTRACE_ENABLED, W_OK))
		SKIP(return, "no %s", FTRACE_ENABLED);
	EXPECT_EQ(-EBUSY, ms_write_str(FTRACE_ENABLED, "0"));

	ASSERT_EQ(0, mt_module_unload());
	ASSERT_EQ(0, ms_write_str(FTRACE_ENABLED, "0"));
	ASSERT_EQ(0, mt_module_load(""));
	ASSERT_EQ(0, mt_madvstat_read(getpid(), &r));
	EXPECT_STREQ("off, cannot probe __mmdrop: ftrace is disabled",
		     r.tracking);
	EXPECT_EQ(-1, ms_report_get(&r, "Marked"));
	ms_report_free(&r);
}

/*
 * How many of the MADV_FREE hooks' functions call a madvstat trampoline
 * directly, by ftrace's own account; -1 if it cannot be read.
 */
static int direct_hooks(void)
{
	char *text = NULL, *p;
	size_t size = 0;
	int n = 0;
	FILE *f = fopen(FTRACE_FUNCS, "r");

	if (!f)
		return -1;
	if (getdelim(&text, &size, '\0', f) < 0) {
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	for (p = text; (p = strstr(p, "direct-->madvstat_tramp_")); p++)
		n++;
	free(text);
	return n;
}

/*
 * Marked of this process grows by what one MADV_FREE of fresh memory
 * frees (memory freed and written again is not marked again: it stays
 * lazily freed until reclaim finds it written).
 */
static void marks_exactly(struct __test_metadata *_metadata)
{
	int64_t before = mt_madvstat_get(getpid(), "Marked");
	void *mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 0x6b, LEN);
	EXPECT_EQ(0, madvise(mem, LEN, MADV_FREE));
	EXPECT_EQ(0, mt_drain_lru());
	EXPECT_EQ(before + (int64_t)(LEN >> 10),
		  mt_madvstat_get(getpid(), "Marked"));
	munmap(mem, LEN);
}

/*
 * The module's trampolines are x86-64 code (direct.c, MADVSTAT_DIRECT in
 * compat.h): elsewhere the hooks are ftrace_ops callbacks.
 */
#ifdef __x86_64__
#define DIRECT_ARCH	1
#else
#define DIRECT_ARCH	0
#endif

/* Why this guest has no direct calls to test; NULL if it has them. */
static const char *why_no_direct_calls(void)
{
	if (!DIRECT_ARCH)
		return "no direct calls on this architecture: ftrace_ops";
	if (!mt_kernel_at_least(5, 16))
		return "no direct calls before 5.16: ftrace_ops";
	return NULL;
}

/* By default both MADV_FREE hooks are direct calls (5.16 and later). */
TEST_F(reload, direct_calls)
{
	const char *why = why_no_direct_calls();
	char line[256];

	if (!self->ready)
		return;
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mt_module_unload());
	ASSERT_EQ(0, mt_module_load(""));
	if (direct_hooks() < 0)
		SKIP(return, "no %s (debugfs not mounted?)", FTRACE_FUNCS);
	EXPECT_EQ(2, direct_hooks());
	tracking_of(_metadata, getpid(), line, sizeof(line));
	EXPECT_EQ(NULL, strstr(line, "ftrace_ops")) {
		TH_LOG("Tracking: %s", line);
	}
	marks_exactly(_metadata);
}

/*
 * The function tracer on both hooked functions: the sites then go through
 * ftrace's own trampoline, which goes on into ours. Counts stay exact.
 */
TEST_F(reload, direct_beside_function_tracer)
{
	const char *mark = mt_kernel_at_least(6, 3) ? "folio_mark_lazyfree" :
			   "mark_page_lazyfree";
	const char *drain = mt_kernel_at_least(6, 11) ? "lru_lazyfree" :
			    "lru_lazyfree_fn";
	const char *why = why_no_direct_calls();
	FILE *f;

	if (!self->ready)
		return;
	if (why)
		SKIP(return, "%s", why);
	if (access(TRACING "/current_tracer", W_OK))
		SKIP(return, "no %s (debugfs not mounted?)", TRACING);
	/* The filter takes one name a write. */
	ASSERT_EQ(0, ms_write_str(TRACING "/set_ftrace_filter", mark));
	f = fopen(TRACING "/set_ftrace_filter", "a");
	ASSERT_NE(NULL, f);
	EXPECT_LT(0, fprintf(f, "%s\n", drain));
	EXPECT_EQ(0, fclose(f));
	ASSERT_EQ(0, ms_write_str(TRACING "/current_tracer", "function"));
	EXPECT_EQ(2, direct_hooks());
	marks_exactly(_metadata);
	EXPECT_EQ(0, ms_write_str(TRACING "/current_tracer", "nop"));
	EXPECT_EQ(0, ms_write_str(TRACING "/set_ftrace_filter", ""));
	marks_exactly(_metadata);
}

/* direct=0: the same counts through ftrace_ops, and the line says so. */
TEST_F(reload, direct_off)
{
	char line[256], param[8];

	if (!self->ready)
		return;
	ASSERT_EQ(0, mt_module_unload());
	ASSERT_EQ(0, mt_module_load("direct=0"));
	ASSERT_EQ(0, ms_read_str(DIRECT_PARAM, param, sizeof(param)));
	EXPECT_EQ('N', param[0]);
	if (direct_hooks() >= 0)
		EXPECT_EQ(0, direct_hooks());
	tracking_of(_metadata, getpid(), line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, ", MADV_FREE hooks through ftrace_ops (direct=0)")) {
		TH_LOG("Tracking: %s", line);
	}
	marks_exactly(_metadata);
}

TEST_HARNESS_MAIN
