// SPDX-License-Identifier: GPL-2.0
/*
 * madvfree-repro: reproduce "RSS won't go down" on purpose.
 *
 * Allocates memory (one arena, or many small objects as a map of pointers
 * to 2 KiB arrays would), touches it, frees it the way an allocator does
 * (MADV_FREE or MADV_DONTNEED), optionally writes part of it again, holds,
 * optionally applies memory pressure, and prints one line per step with
 * what the kernel reports about the process. See --help.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "procinfo.h"
#include "size.h"
#include "timeline.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define OBJECT_SIZE	2048
#define FILL		0x5a
#define REFILL		0xa5

enum pressure { PRESSURE_NONE, PRESSURE_CGROUP, PRESSURE_HOG };

struct opts {
	size_t size;
	bool objects;
	int advice;		/* MADV_FREE or MADV_DONTNEED */
	unsigned int reuse_pct;
	enum pressure pressure;
	unsigned int hold;
	const char *csv;
	bool quiet;
};

struct run {
	const struct opts *o;
	struct timespec t0;
	FILE *csv;
	char cgroup[128];
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: madvfree-repro [options]\n"
"  -s, --size SIZE        memory to allocate (K, M, G suffixes; default 256M)\n"
"  -l, --layout KIND      arena (one mapping) or objects (%d-byte objects\n"
"                         reached through a table of pointers); default arena\n"
"  -m, --mode MODE        free (MADV_FREE, lazy) or dontneed (MADV_DONTNEED,\n"
"                         immediate); default free\n"
"  -r, --reuse PCT        after freeing, write again to PCT%% of the pages\n"
"  -p, --pressure KIND    after freeing: cgroup (join a cgroup of our own\n"
"                         before allocating, then drive memory.reclaim, or\n"
"                         memory.high before 5.19) or\n"
"                         hog (a child allocates until we lose our lazily\n"
"                         freed memory; it may be OOM-killed); default none\n"
"  -H, --hold SECS        after freeing, hold this long, sampling each second\n"
"                         (so others can inspect us: madvstat PID)\n"
"  -c, --csv FILE         also write the timeline as CSV\n"
"  -q, --quiet            no timeline on stdout\n"
"  -h, --help\n"
"Values come from /proc/madvstat/PID when madvstat.ko is loaded, otherwise\n"
"from /proc/PID/smaps_rollup (no LazyFreeDirty, no Reclaimed); the last\n"
"column says which. Pressure needs root and cgroup v2.\n", OBJECT_SIZE);
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end || !v)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "layout", required_argument, NULL, 'l' },
		{ "mode", required_argument, NULL, 'm' },
		{ "reuse", required_argument, NULL, 'r' },
		{ "pressure", required_argument, NULL, 'p' },
		{ "hold", required_argument, NULL, 'H' },
		{ "csv", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	long v;
	int c;

	*o = (struct opts){ .size = 256UL << 20, .advice = MADV_FREE };
	while ((c = getopt_long(argc, argv, "s:l:m:r:p:H:c:qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_size(optarg, &o->size))
				return -1;
			break;
		case 'l':
			if (!strcmp(optarg, "objects"))
				o->objects = true;
			else if (strcmp(optarg, "arena"))
				return -1;
			break;
		case 'm':
			if (!strcmp(optarg, "free"))
				o->advice = MADV_FREE;
			else if (!strcmp(optarg, "dontneed"))
				o->advice = MADV_DONTNEED;
			else
				return -1;
			break;
		case 'r':
		case 'H':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 ||
			    (c == 'r' && v > 100) || v > 86400)
				return -1;
			if (c == 'r')
				o->reuse_pct = (unsigned int)v;
			else
				o->hold = (unsigned int)v;
			break;
		case 'p':
			if (!strcmp(optarg, "cgroup"))
				o->pressure = PRESSURE_CGROUP;
			else if (!strcmp(optarg, "hog"))
				o->pressure = PRESSURE_HOG;
			else if (strcmp(optarg, "none"))
				return -1;
			break;
		case 'c':
			o->csv = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static double elapsed(const struct run *r)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - r->t0.tv_sec) +
	       (double)(t.tv_nsec - r->t0.tv_nsec) / 1e9;
}

static void step(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void step(struct run *r, const char *fmt, ...)
{
	struct ms_sample s = { 0 };
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(s.step, sizeof(s.step), fmt, ap);
	va_end(ap);
	err = ms_sample_read(getpid(), &s);
	if (err) {
		fprintf(stderr, "madvfree-repro: cannot read our own memory counts: %s\n",
			strerror(-err));
		exit(1);
	}
	s.elapsed = elapsed(r);
	if (!r->o->quiet)
		ms_sample_print(stdout, &s);
	if (r->csv)
		ms_sample_csv(r->csv, &s);
}

/* A cgroup of our own, joined before we allocate: we are charged for it. */
static int cgroup_enter(struct run *r)
{
	char path[192], pid[24];
	int err;

	snprintf(r->cgroup, sizeof(r->cgroup), CGROUP_ROOT "/madvfree-repro-%d",
		 (int)getpid());
	if (mkdir(r->cgroup, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/cgroup.procs", r->cgroup);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	err = ms_write_str(path, pid);
	if (err)
		rmdir(r->cgroup);
	return err;
}

static void cgroup_leave(struct run *r)
{
	if (!r->cgroup[0])
		return;
	ms_write_str(CGROUP_ROOT "/cgroup.procs", "0");
	rmdir(r->cgroup);
}

static bool lazy_left(void)
{
	struct ms_sample s;

	if (ms_sample_read(getpid(), &s))
		return false;
	return s.lazy_kb > 0 || s.dirty_kb > 0;
}

/*
 * memory.reclaim (or, before 5.19, memory.high) in quarters of the size,
 * until nothing lazy is left.
 */
static void pressure_cgroup(struct run *r)
{
	size_t quarter = (r->o->size >> 10) / 4 ?: 4;	/* kB */
	char path[192];
	bool high;
	unsigned int i;

	snprintf(path, sizeof(path), "%s/memory.reclaim", r->cgroup);
	high = access(path, F_OK) && errno == ENOENT;
	for (i = 1; i <= 12 && lazy_left(); i++) {
		int err = ms_cgroup_reclaim(r->cgroup, (uint64_t)quarter << 10);

		if (err && err != -EAGAIN) {
			fprintf(stderr, "madvfree-repro: %s: %s\n",
				high ? "memory.high" : path, strerror(-err));
			return;
		}
		step(r, "reclaim %u (%zuK%s)", i, quarter,
		     high ? " by memory.high" : "");
	}
}

/* A child allocating 16 MiB at a time until we hold nothing lazy. */
static void pressure_hog(struct run *r)
{
	const size_t chunk = 16UL << 20;
	pid_t parent = getpid(), hog;
	int status;

	fflush(NULL);
	hog = fork();
	if (hog < 0) {
		perror("madvfree-repro: fork");
		return;
	}
	if (hog == 0) {
		ms_write_str("/proc/self/oom_score_adj", "1000");
		for (size_t total = 0; total < (64UL << 30); total += chunk) {
			struct ms_sample s;
			char *p;

			if (!ms_sample_read(parent, &s) && s.lazy_kb <= 0 &&
			    s.dirty_kb <= 0)
				_exit(0);
			p = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(1);
			memset(p, 0x77, chunk);
		}
		_exit(1);
	}
	while (waitpid(hog, &status, WNOHANG) == 0) {
		usleep(250000);
		step(r, "hog running");
	}
	step(r, WIFSIGNALED(status) ? "hog OOM-killed" : "hog done");
}

/* Pages of the area written again keep REFILL; the others read zero or FILL. */
static void check_kept(struct run *r, const unsigned char *mem, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = len / page * r->o->reuse_pct / 100, bad = 0, i;

	for (i = 0; i < n; i++)
		bad += mem[i * page] != REFILL;
	if (n && !r->o->quiet)
		printf("pages written again: %zu, contents kept: %s\n", n,
		       bad ? "NO" : "yes");
	if (bad)
		exit(1);
}

/* What the module counted for us: where the freed memory went. */
static void print_counters(const struct opts *o)
{
	char size[MS_SIZE_STR_LEN];
	struct ms_proc p;
	int v;

	if (o->quiet ||
	    ms_proc_collect("/proc", true, (int)getpid(), false, &p, NULL))
		return;
	if (p.known[MS_MARKED]) {
		printf("madvstat counters:");
		for (v = MS_MARKED; v < MS_NR_VALS; v++)
			printf(" %s %s%s", ms_val_descs[v].field, p.known[v] ?
			       ms_size_str(p.val[v], size, sizeof(size)) : "-",
			       v + 1 < MS_NR_VALS ? "," : "\n");
	}
	ms_proc_free(&p);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r = { .o = &o };
	unsigned char *mem, **objects = NULL;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned int t;

	if (parse_opts(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	o.size = (o.size + page - 1) / page * page;
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	if (o.csv) {
		r.csv = fopen(o.csv, "we");
		if (!r.csv) {
			perror(o.csv);
			return 1;
		}
		fprintf(r.csv, MS_CSV_HEADER "\n");
	}
	if (o.pressure == PRESSURE_CGROUP && cgroup_enter(&r)) {
		fprintf(stderr, "madvfree-repro: cannot create and join a cgroup under "
			CGROUP_ROOT " (root and cgroup v2 needed)\n");
		return 1;
	}
	if (!o.quiet) {
		printf("madvfree-repro: pid %d, %zu MiB as %s, then %s%s\n",
		       (int)getpid(), o.size >> 20,
		       o.objects ? "2 KiB objects" : "one arena",
		       o.advice == MADV_FREE ? "MADV_FREE" : "MADV_DONTNEED",
		       o.pressure == PRESSURE_NONE ? "" :
		       o.pressure == PRESSURE_CGROUP ? ", memory.reclaim" :
		       ", a memory hog");
		ms_sample_print_header(stdout);
	}
	step(&r, "start");

	mem = mmap(NULL, o.size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("madvfree-repro: mmap");
		return 1;
	}
	if (o.objects) {
		/* Like a map of pointers to 2 KiB arrays, from one heap. */
		size_t i, n = o.size / OBJECT_SIZE;

		objects = calloc(n, sizeof(*objects));
		if (!objects) {
			perror("madvfree-repro: calloc");
			return 1;
		}
		for (i = 0; i < n; i++) {
			objects[i] = mem + i * OBJECT_SIZE;
			memset(objects[i], FILL, OBJECT_SIZE);
		}
		step(&r, "touched %zu objects", n);
	} else {
		memset(mem, FILL, o.size);
		step(&r, "touched");
	}

	/* The allocator frees: the objects first, then their pages. */
	free(objects);
	if (madvise(mem, o.size, o.advice)) {
		perror("madvfree-repro: madvise");
		return 1;
	}
	step(&r, "freed %s", o.advice == MADV_FREE ? "MADV_FREE" : "MADV_DONTNEED");

	if (o.reuse_pct) {
		size_t len = o.size / page * o.reuse_pct / 100 * page;

		memset(mem, REFILL, len);
		step(&r, "rewrote %u%%", o.reuse_pct);
	}
	for (t = 1; t <= o.hold; t++) {
		sleep(1);
		step(&r, "hold %us", t);
	}
	if (o.pressure == PRESSURE_CGROUP)
		pressure_cgroup(&r);
	else if (o.pressure == PRESSURE_HOG)
		pressure_hog(&r);
	if (o.pressure != PRESSURE_NONE)
		step(&r, "after pressure");
	check_kept(&r, mem, o.size);
	print_counters(&o);
	munmap(mem, o.size);
	step(&r, "unmapped");
	cgroup_leave(&r);
	if (r.csv && fclose(r.csv)) {
		perror(o.csv);
		return 1;
	}
	return 0;
}
