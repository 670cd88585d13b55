/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `madvstat exporter` reports of a host, read in one scan: the
 * processes of /proc/madvstat/processes summed per cgroup with the
 * cgroup's own memory files, the N processes holding the most lazily
 * freed memory, and /proc/madvstat/summary. Memory is bounded by the
 * number of cgroups kept and N, never by the number of processes.
 */
#ifndef MADVSTAT_HOSTSCAN_H
#define MADVSTAT_HOSTSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procinfo.h"
#include "report.h"

struct ms_rt_cache;

/*
 * One cgroup: its processes' sum (sum.cgname says what runs there), and
 * what its cgroupfs files say.
 */
struct ms_cgroup_stats {
	struct ms_proc sum;	/* cgroup path, nr_procs, values summed */
	bool current_known, max_known, stat_known;
	uint64_t current, max;	/* memory.current, memory.max (bytes) */
	uint64_t pglazyfree, pglazyfreed;	/* memory.stat, in bytes */
};

struct ms_scan_opts {
	const char *proc;	/* "/proc" */
	const char *cgroupfs;	/* "/sys/fs/cgroup" */
	size_t top_n;		/* processes kept by LazyFree; 0: none */
	size_t max_cgroups;	/* cgroups kept; the others are counted */
	/*
	 * The root of the reader's cgroup namespace below cgroupfs, when it
	 * is not the host's (a container): the kernel writes paths relative
	 * to it ("/", "/../pod/ctr"), made absolute by prefixing it. NULL:
	 * paths are used as they are.
	 */
	const char *cgroup_root;
	/*
	 * Where the kubelet's log directories are ("/var/log"), for the
	 * names of pods and containers (podlogs.h); NULL: not read.
	 */
	const char *logdir;
	/*
	 * What was identified at the last scan (rtcache.h), or NULL: every
	 * top process's runtime identified anew.
	 */
	struct ms_rt_cache *rt_cache;
};

/*
 * The cgroup_root of ms_scan_opts for this process: when <proc>/self/cgroup
 * says "/" (a cgroup namespace of its own, or the host's root cgroup), the
 * cgroup below cgroupfs whose cgroup.procs lists pid. Returns 0 and a
 * malloc()ed path in *root ("" for none), or a negative errno.
 */
int ms_host_cgroup_root(const char *proc, const char *cgroupfs, long pid,
			char **root);

struct ms_host {
	bool module;		/* <proc>/madvstat exists */
	bool up;		/* its table and summary were read */
	unsigned long unreadable;	/* processes refused to the reader */
	struct ms_cgroup_stats *cgroups;	/* sorted by path */
	size_t nr_cgroups, cgroups_omitted;
	struct ms_proc *top;	/* by LazyFree, largest first, named */
	size_t nr_top;
	struct ms_report summary;	/* valid if up */
	/*
	 * 0, or why a directory of the kubelet's logs could not be listed
	 * when a pod's cgroup needed it (naming.h), and which.
	 */
	int logs_err;
	char logs_dir[256];
	char tracking_state[16];	/* first word of Tracking, if up */
};

/*
 * Scan the host into h (ms_host_free() it after, whatever the return).
 * Returns 0 (h->up says whether the module was there), or when the
 * module's files could not be read, a negative errno with *detail saying
 * which and why in a static string: -ENOENT for a module without
 * /proc/madvstat/processes, -EIO for one unloaded during the read,
 * -EBADMSG for a format not understood, -ENOMEM.
 */
int ms_host_scan(const struct ms_scan_opts *o, struct ms_host *h,
		 const char **detail);
void ms_host_free(struct ms_host *h);

/* A summary field in bytes (kB fields) or as is; false if absent. */
bool ms_host_summary(const struct ms_host *h, const char *name,
		     uint64_t *v);

#endif /* MADVSTAT_HOSTSCAN_H */
