// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the madvstat selftests; see memtest.h.
 */
#include "memtest.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MT_CGROUP_ROOT	"/sys/fs/cgroup"

int mt_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * MADV_FREE queues its LRU moves in per-CPU batches; writing
 * compact_memory runs lru_add_drain_all(), which applies them everywhere.
 */
int mt_drain_lru(void)
{
	return ms_write_str("/proc/sys/vm/compact_memory", "1");
}

int mt_cgroup_create(struct mt_cgroup *cg, const char *tag)
{
	snprintf(cg->path, sizeof(cg->path), MT_CGROUP_ROOT "/madvstat-%s-%d",
		 tag, (int)getpid());
	if (mkdir(cg->path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int mt_cgroup_file(const struct mt_cgroup *cg, const char *file,
			  char *path, size_t size)
{
	int n = snprintf(path, size, "%s/%s", cg->path, file);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int mt_cgroup_join(const struct mt_cgroup *cg)
{
	char path[192];
	int err = mt_cgroup_file(cg, "cgroup.procs", path, sizeof(path));

	return err ? err : ms_write_str(path, "0");
}

int mt_cgroup_leave(void)
{
	return ms_write_str(MT_CGROUP_ROOT "/cgroup.procs", "0");
}

int mt_cgroup_remove(const struct mt_cgroup *cg)
{
	return rmdir(cg->path) ? -errno : 0;
}

/* "300M", "64K", "1G" or plain bytes, as memory.reclaim takes them. */
static int mt_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g':
		v <<= 10;
		/* fall through */
	case 'M': case 'm':
		v <<= 10;
		/* fall through */
	case 'K': case 'k':
		v <<= 10;
		end++;
		break;
	}
	if (*end)
		return -EINVAL;
	*bytes = v;
	return 0;
}

/*
 * Ask for reclaim of amount. Without swap, EAGAIN is normal once only
 * swap-backed memory is left, so it is retried and then accepted.
 */
int mt_cgroup_reclaim(const struct mt_cgroup *cg, const char *amount,
		      int tries)
{
	uint64_t bytes;
	int err = mt_parse_size(amount, &bytes);

	while (!err && tries-- > 0) {
		err = ms_cgroup_reclaim(cg->path, bytes);
		if (err == -EAGAIN)
			err = 0;
	}
	return err;
}

int mt_cgroup_set(const struct mt_cgroup *cg, const char *file,
		  const char *value)
{
	char path[192];
	int err = mt_cgroup_file(cg, file, path, sizeof(path));

	return err ? err : ms_write_str(path, value);
}

int64_t mt_cgroup_stat(const struct mt_cgroup *cg, const char *key)
{
	char path[192], name[64];
	unsigned long long v;
	int64_t ret = -ENOENT;
	FILE *f;

	if (mt_cgroup_file(cg, "memory.stat", path, sizeof(path)))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%63s %llu", name, &v) == 2) {
		if (!strcmp(name, key)) {
			ret = (int64_t)v;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int mt_report_from(const char *path, struct ms_report *r)
{
	unsigned int line;
	const char *why;
	size_t len;
	char *text = ms_read_file(path, &len);
	int err = 0;

	if (!text)
		return -errno;
	if (ms_report_parse(text, len, r, &why, &line)) {
		fprintf(stderr, "# %s: line %u: %s\n", path, line, why);
		err = -EBADMSG;
	}
	free(text);
	return err;
}

int mt_madvstat_read(pid_t pid, struct ms_report *r)
{
	char path[64];

	snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%d", (int)pid);
	return mt_report_from(path, r);
}

static int64_t mt_field(const struct ms_report *r, const char *field)
{
	int64_t v = ms_report_get(r, field);

	return v < 0 ? -ENODATA : v;
}

int64_t mt_madvstat_get(pid_t pid, const char *field)
{
	struct ms_report r;
	int64_t v;
	int err = mt_madvstat_read(pid, &r);

	if (err)
		return err;
	v = mt_field(&r, field);
	ms_report_free(&r);
	return v;
}

int64_t mt_rollup_get(pid_t pid, const char *field)
{
	struct ms_report r;
	char path[64];
	int64_t v;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	err = mt_report_from(path, &r);
	if (err)
		return err;
	v = mt_field(&r, field);
	ms_report_free(&r);
	return v;
}

/* A field (in kB) of the VMA starting at start in /proc/<pid>/smaps. */
int64_t mt_smaps_vma_get(pid_t pid, uintptr_t start, const char *field)
{
	char path[64], header[32], line[512];
	size_t flen = strlen(field);
	bool in_vma = false;
	int64_t ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	snprintf(header, sizeof(header), "%" PRIxPTR "-", start);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!in_vma) {
			in_vma = !strncmp(line, header, strlen(header));
			continue;
		}
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			ret = strtoll(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return ret;
}

const struct ms_vma *mt_report_vma(const struct ms_report *r, uintptr_t addr)
{
	size_t i;

	for (i = 0; i < r->nr_vmas; i++)
		if (r->vmas[i].start <= addr && addr < r->vmas[i].end)
			return &r->vmas[i];
	return NULL;
}

/* Entries come and go through a workqueue: wait for one to (dis)appear. */
int mt_wait_entry(pid_t pid, bool present, int timeout_ms)
{
	int64_t deadline = mt_now_ms() + timeout_ms;
	char path[64];

	snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%d", (int)pid);
	for (;;) {
		if ((access(path, F_OK) == 0) == present)
			return 0;
		if (mt_now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

size_t mt_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/*
 * len bytes of private anonymous memory at an align-aligned address;
 * flags adds mmap flags such as MAP_NORESERVE.
 */
void *mt_map_aligned(size_t len, size_t align, int flags)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	uintptr_t start, end;

	if (p == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	end = start + len;
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	if ((uintptr_t)p + len + align > end)
		munmap((void *)end, (uintptr_t)p + len + align - end);
	return (void *)start;
}

/* How many pages of [p, p+len) hold v in their first and last byte. */
size_t mt_count_pages(const void *p, size_t len, unsigned char v)
{
	const unsigned char *c = p;
	size_t page = mt_page_size(), off, n = 0;

	for (off = 0; off < len; off += page)
		n += c[off] == v && c[off + page - 1] == v;
	return n;
}

static int mt_write_byte(int fd, char c)
{
	ssize_t n;

	do
		n = write(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -EPIPE;
}

static int mt_read_byte(int fd, char *c)
{
	ssize_t n;

	do
		n = read(fd, c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -EPIPE;
}

static void mt_child_loop(int in, int out, mt_child_fn fn, void *arg)
{
	char cmd;

	if (mt_write_byte(out, 'r'))
		_exit(1);
	while (!mt_read_byte(in, &cmd)) {
		if (fn)
			fn(arg, cmd);
		if (mt_write_byte(out, 'k'))
			_exit(1);
	}
	_exit(0);
}

/* Returns once the child runs and its entry exists. */
int mt_child_start(struct mt_child *c, mt_child_fn fn, void *arg)
{
	int down[2], up[2];
	char ready;

	if (pipe2(down, O_CLOEXEC))
		return -errno;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -errno;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid == 0) {
		close(down[1]);
		close(up[0]);
		mt_child_loop(down[0], up[1], fn, arg);
	}
	close(down[0]);
	close(up[1]);
	c->to_child = down[1];
	c->from_child = up[0];
	if (c->pid < 0) {
		close(c->to_child);
		close(c->from_child);
		return -errno;
	}
	if (mt_read_byte(c->from_child, &ready))
		return -EPIPE;
	return mt_wait_entry(c->pid, true, 2000);
}

int mt_child_cmd(struct mt_child *c, char cmd)
{
	char ack;
	int err = mt_write_byte(c->to_child, cmd);

	return err ? err : mt_read_byte(c->from_child, &ack);
}

/* Returns the child's wait status, or a negative errno. */
int mt_child_stop(struct mt_child *c)
{
	int status;

	close(c->to_child);
	close(c->from_child);
	if (waitpid(c->pid, &status, 0) != c->pid)
		return -errno;
	return status;
}

/*
 * Drop every privilege to uid/gid. Changing credentials makes a process
 * non-dumpable (suid_dumpable is 0), so dumpability is restored: the
 * tests set it explicitly where it matters.
 */
int mt_become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ? -errno : 0;
}

int64_t mt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool mt_module_loaded(void)
{
	return access("/sys/module/madvstat", F_OK) == 0;
}

int mt_module_load(const char *params)
{
	int fd = open(MT_MODULE_PATH, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		err = -errno;
	close(fd);
	return err;
}

/* A reader may hold the module busy for a moment: retry. */
int mt_module_unload(void)
{
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		if (!syscall(SYS_delete_module, "madvstat", O_NONBLOCK))
			return 0;
		if (errno != EBUSY && errno != EAGAIN)
			return -errno;
		usleep(1000);
	}
	return -EBUSY;
}

/* The [selected] word of a sysfs THP setting. */
int mt_thp_setting(const char *path, char *out, size_t size)
{
	char cur[128], *l, *r;
	int err = ms_read_str(path, cur, sizeof(cur));

	if (err)
		return err;
	l = strchr(cur, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r)
		return -EINVAL;
	snprintf(out, size, "%.*s", (int)(r - l - 1), l + 1);
	return 0;
}

/* Whether the running kernel's version is MAJOR.MINOR or later. */
bool mt_kernel_at_least(unsigned int major, unsigned int minor)
{
	struct utsname u;
	unsigned int ma, mi;

	if (uname(&u) || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * Before 6.12 (we test 6.1), MGLRU's sorter gives a lazily freed folio
 * that its page-table walk found written again back to the program
 * (sort_folio(): "dirty lazyfree") without unmapping it, so madvstat
 * cannot tell whose it was: such pages show as Dropped, not Rescued
 * (Documentation/madvstat.rst, "Limits").
 */
bool mt_mglru_sorter_restores(void)
{
	char lru_gen[32];

	if (mt_kernel_at_least(6, 12))
		return false;
	return ms_read_str("/sys/kernel/mm/lru_gen/enabled", lru_gen,
			   sizeof(lru_gen)) == 0 &&
	       strtoul(lru_gen, NULL, 0) != 0;
}

/*
 * An event count of the cgroup's memory.stat once the kernel has folded in
 * what it can: read again, for up to 3 s, while it is short of want (in
 * events). From 5.13 on, reading memory.stat flushes the per-CPU counts
 * (rstat), but only past a threshold (memcg_vmstats_needs_flush(), 6.x:
 * MEMCG_CHARGE_BATCH updates a CPU); the periodic flush, every 2 s, folds
 * in the rest. Before 5.13 the rest may never come (mt_cgroup_event_lag()):
 * one read.
 */
int64_t mt_cgroup_event_settled(const struct mt_cgroup *cg, const char *key,
				int64_t want)
{
	int64_t got = mt_cgroup_stat(cg, key);
	int tries;

	if (mt_cgroup_event_lag())
		return got;
	for (tries = 0; got < want && tries < 30; tries++) {
		usleep(100 * 1000);
		got = mt_cgroup_stat(cg, key);
	}
	return got;
}

/*
 * Before 5.13 (we test 5.10) the event counts of a memory cgroup's
 * memory.stat leave out what each CPU has not folded in yet:
 * __count_memcg_events() adds to the shared count only once a CPU holds
 * more than MEMCG_CHARGE_BATCH (32) events, and memory.stat reads the
 * shared count alone. How many events a count can lag behind for good; 0
 * from 5.13 on, where a later read or the periodic flush folds them in
 * (mt_cgroup_event_settled()).
 */
long mt_cgroup_event_lag(void)
{
	return mt_kernel_at_least(5, 13) ? 0 : 32 * sysconf(_SC_NPROCESSORS_CONF);
}

/*
 * Since 6.15 (try_to_unmap_one(): "set folio swapbacked iff folios are
 * dirty"), reclaim leaves a clean lazily freed folio it cannot discard
 * because of an extra reference (a pipe, a pin) lazily freed, instead of
 * making it swap-backed again: there is no RescuedPinned to count, and the
 * pages stay LazyFree.
 */
bool mt_pinned_stays_lazy(void)
{
	return mt_kernel_at_least(6, 15);
}

bool mt_preempt_rt(void)
{
	struct utsname u;

	return !uname(&u) && strstr(u.version, "PREEMPT_RT");
}

/*
 * The value of "KEY<sep>VALUE" in a /proc file of such lines: ':' for
 * /proc/meminfo ("MemTotal:  2014 kB"), ' ' for /proc/vmstat.
 */
static int64_t mt_proc_value(const char *path, const char *key, char sep)
{
	char line[128];
	size_t n = strlen(key);
	int64_t v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == sep) {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

int64_t mt_meminfo_kb(const char *key)
{
	return mt_proc_value("/proc/meminfo", key, ':');
}

int64_t mt_file_num(const char *path)
{
	char v[32];
	int err = ms_read_str(path, v, sizeof(v));

	return err ? err : strtoll(v, NULL, 10);
}

int64_t mt_vmstat(const char *key)
{
	return mt_proc_value("/proc/vmstat", key, ' ');
}

int64_t mt_status_kb(pid_t pid, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return mt_proc_value(path, key, ':');
}

int mt_raise_sysctl(const char *path, long min, char *saved, size_t size)
{
	char v[32];
	int err = ms_read_str(path, saved, size);

	if (err || atol(saved) >= min) {
		saved[0] = '\0';
		return err;
	}
	snprintf(v, sizeof(v), "%ld", min);
	return ms_write_str(path, v);
}

/*
 * madvise(advice) for MADV_HUGEPAGE or MADV_NOHUGEPAGE, or 0 on a kernel
 * built without THP (7.2's PREEMPT_RT flavour), which refuses both with
 * EINVAL and has only base pages anyway. Else -errno.
 */
int mt_thp_advise(void *p, size_t len, int advice)
{
	if (!madvise(p, len, advice))
		return 0;
	if (errno == EINVAL && access(MT_THP_ENABLED, F_OK))
		return 0;
	return -errno;
}

void *mt_map_4k(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mt_thp_advise(p, len, MADV_NOHUGEPAGE);
	return p;
}

void *mt_lazy_free_area(size_t len)
{
	char *p = mt_map_4k(len);

	if (p) {
		memset(p, 1, len);
		madvise(p, len, MADV_FREE);
	}
	return p;
}

int64_t mt_summary_get(const char *key)
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

void mt_leave_lazy_mms(void)
{
	long cpu, n = sysconf(_SC_NPROCESSORS_ONLN);

	for (cpu = 0; cpu < n; cpu++)
		if (!mt_pin_cpu((int)cpu))
			sched_yield();
}

void mt_wake_cpus(int ms)
{
	long cpu, n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t saved;
	int64_t until;

	if (sched_getaffinity(0, sizeof(saved), &saved))
		return;
	for (cpu = 0; cpu < n; cpu++) {
		if (mt_pin_cpu((int)cpu))
			continue;
		until = mt_now_ms() + ms;
		while (mt_now_ms() < until)
			;
	}
	sched_setaffinity(0, sizeof(saved), &saved);
}

int64_t mt_slab_objsize(const char *cache, int64_t *active)
{
	FILE *f = fopen("/proc/slabinfo", "re");
	char line[512], name[64];
	long long act, num, size;
	int64_t ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld %lld %lld", name, &act, &num,
			   &size) == 4 && !strcmp(name, cache)) {
			*active = act;
			ret = size;
			break;
		}
	fclose(f);
	return ret;
}

int mt_run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int status;

	if (!p)
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
