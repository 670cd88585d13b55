/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's memory of runtimes between scrapes: identifying one
 * (runtime.h) reads the executable, up to 64 MiB of it, so a process
 * already identified at the last scrape is not read again while it is the
 * same program: the same PID, start time (/proc/PID/stat) and executable
 * file (device and inode of /proc/PID/exe). An exec changes the file, a
 * new process the start time.
 */
#ifndef MADVSTAT_RTCACHE_H
#define MADVSTAT_RTCACHE_H

#include "procinfo.h"

struct ms_rt_cache;

struct ms_rt_cache *ms_rt_cache_new(void);
void ms_rt_cache_free(struct ms_rt_cache *c);

/*
 * As ms_rt_attach(), from the cache when p is the same program as when it
 * was last identified. 0, or -ENOMEM.
 */
int ms_rt_cache_attach(struct ms_rt_cache *c, const char *proc,
		       struct ms_proc *p);

/* A scan is over: forget the processes it did not attach. */
void ms_rt_cache_end_scan(struct ms_rt_cache *c);

/* Identifications taken from the cache, and made, since it was new. */
void ms_rt_cache_stats(const struct ms_rt_cache *c, unsigned long *hits,
		       unsigned long *misses);

#endif /* MADVSTAT_RTCACHE_H */
