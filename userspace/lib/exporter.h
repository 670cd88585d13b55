/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `madvstat exporter`: scans the host on each scrape (or every --interval
 * for --textfile) and serves or writes the metrics of expfmt.h until
 * SIGTERM or SIGINT. Problems go to stderr, one line each when they start
 * and one when they end, never one per scrape.
 */
#ifndef MADVSTAT_EXPORTER_H
#define MADVSTAT_EXPORTER_H

#include <stdio.h>

#include "cli.h"

/* Limits of the HTTP side (Documentation/exporter.rst). */
#define MS_EXPORTER_CONNECTIONS 32
#define MS_EXPORTER_TIMEOUT_S 10
#define MS_EXPORTER_CONN_MEMORY (32 * 1024)
#define MS_EXPORTER_MAX_OUTPUT (16 << 20)

/*
 * Run the exporter of o against the proc root proc ("/proc"), the
 * cgroup v2 root cgroupfs ("/sys/fs/cgroup") and the kubelet's log
 * directories under logdir ("/var/log"), logging to log. Returns the
 * exit status: 0 when stopped by a signal (or --once written), 1 when it
 * could not start or --once failed.
 */
int ms_exporter_run(const struct ms_opts *o, const char *proc,
		    const char *cgroupfs, const char *logdir, FILE *log);

#endif /* MADVSTAT_EXPORTER_H */
