/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the madvstat selftests: memory cgroups, CPU pinning, LRU
 * draining, reading /proc/madvstat/<pid> and smaps, and a child process
 * that stays quiescent between commands.
 *
 * Functions returning int return 0 or a negative errno; those returning
 * int64_t return a value >= 0 or a negative errno.
 */
#ifndef MADVSTAT_MEMTEST_H
#define MADVSTAT_MEMTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroupfs.h"
#include "report.h"

#define MT_KB(bytes)	((int64_t)((bytes) >> 10))
#define MT_MADVSTAT_DIR	"/proc/madvstat"
#define MT_OWNER_READ	"/sys/module/madvstat/parameters/owner_read"
#define MT_MODULE_PATH	"/lib/madvstat/madvstat.ko"

/* CPU and LRU. */
int mt_pin_cpu(int cpu);
int mt_drain_lru(void);

/* Memory cgroups (v2). */
struct mt_cgroup {
	char path[128];
};

int mt_cgroup_create(struct mt_cgroup *cg, const char *tag);
int mt_cgroup_join(const struct mt_cgroup *cg);
int mt_cgroup_leave(void);
int mt_cgroup_remove(const struct mt_cgroup *cg);
int mt_cgroup_reclaim(const struct mt_cgroup *cg, const char *amount,
		      int tries);
int64_t mt_cgroup_stat(const struct mt_cgroup *cg, const char *key);
int64_t mt_cgroup_event_settled(const struct mt_cgroup *cg, const char *key,
				int64_t want);
long mt_cgroup_event_lag(void);
int mt_cgroup_set(const struct mt_cgroup *cg, const char *file,
		  const char *value);

/* Reports: /proc/madvstat/<pid> and /proc/<pid>/smaps_rollup. */
int mt_madvstat_read(pid_t pid, struct ms_report *r);
int64_t mt_madvstat_get(pid_t pid, const char *field);
int64_t mt_rollup_get(pid_t pid, const char *field);
int64_t mt_smaps_vma_get(pid_t pid, uintptr_t start, const char *field);
const struct ms_vma *mt_report_vma(const struct ms_report *r, uintptr_t addr);
int mt_wait_entry(pid_t pid, bool present, int timeout_ms);

/* Anonymous memory. */
size_t mt_page_size(void);
void *mt_map_aligned(size_t len, size_t align, int flags);
size_t mt_count_pages(const void *p, size_t len, unsigned char v);

/*
 * A forked child that waits for one-byte commands on a pipe, runs fn for
 * each, and acknowledges; between commands it touches no memory, so its
 * report is stable. Closing the pipe (mt_child_stop) makes it exit.
 */
typedef void (*mt_child_fn)(void *arg, char cmd);

struct mt_child {
	pid_t pid;
	int to_child;
	int from_child;
};

int mt_child_start(struct mt_child *c, mt_child_fn fn, void *arg);
int mt_child_cmd(struct mt_child *c, char cmd);
int mt_child_stop(struct mt_child *c);

/* Transparent huge pages and MGLRU. */
#define MT_THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
int mt_thp_setting(const char *path, char *out, size_t size);
bool mt_kernel_at_least(unsigned int major, unsigned int minor);
bool mt_mglru_sorter_restores(void);
bool mt_pinned_stays_lazy(void);
/* A PREEMPT_RT kernel: its reclaim probe cannot create a process's record. */
bool mt_preempt_rt(void);

/* The module: load from MT_MODULE_PATH with parameters, unload. */
bool mt_module_loaded(void);
int mt_module_load(const char *params);
int mt_module_unload(void);

/* Privileges. */
int mt_become(uid_t uid, gid_t gid);

/* /proc/meminfo, /proc/vmstat and /proc/<pid>/status values, or -1. */
int64_t mt_meminfo_kb(const char *key);
int64_t mt_vmstat(const char *key);
int64_t mt_status_kb(pid_t pid, const char *key);
/*
 * The object size of a slab cache in /proc/slabinfo, and in *active its
 * objects in use (SLUB's count, which includes per-CPU slabs); or -errno.
 */
int64_t mt_slab_objsize(const char *cache, int64_t *active);
/* The number a sysfs, sysctl or cgroup file holds, or -errno. */
int64_t mt_file_num(const char *path);

/* Run cmd with sh, its output into out. Returns its exit status. */
int mt_run(const char *cmd, char *out, size_t size);
/*
 * Raise a sysctl file to at least min, its old value saved (saved[0] is
 * '\0' when it was high enough already: nothing to restore).
 */
int mt_raise_sysctl(const char *path, long min, char *saved, size_t size);
/* len bytes of anonymous memory in 4 kB pages (no THP); NULL on error. */
int mt_thp_advise(void *p, size_t len, int advice);
void *mt_map_4k(size_t len);
/* The same, written, then MADV_FREE'd. */
void *mt_lazy_free_area(size_t len);
/* A field of /proc/madvstat/summary, or a negative errno. */
int64_t mt_summary_get(const char *key);
/* Run a moment on each CPU, so that none keeps an exited mm loaded. */
void mt_leave_lazy_mms(void);
/*
 * Busy @ms on each CPU in turn, then back to the caller's CPUs: a CPU that
 * stays idle never runs its deferrable timers (memcg's periodic flush).
 */
void mt_wake_cpus(int ms);

/* Monotonic milliseconds. */
int64_t mt_now_ms(void);

#endif /* MADVSTAT_MEMTEST_H */
