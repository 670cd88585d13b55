/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The madvstat commands, run on parsed options: read the processes, print
 * them, report what could not be read. The proc root and the output
 * streams are parameters so that tests can run them on fixtures.
 */
#ifndef MADVSTAT_COMMANDS_H
#define MADVSTAT_COMMANDS_H

#include <stdio.h>

#include "cli.h"

/*
 * Run o->cmd (MS_CMD_PIDS, MS_CMD_TOP or MS_CMD_EXPLAIN) against the proc
 * root proc ("/proc") and, for explain's limits, the cgroup v2 mount
 * cgroupfs ("/sys/fs/cgroup"), naming cgroups with the kubelet's log
 * directories under logdir ("/var/log"; NULL: names from the paths
 * alone): results to out, messages "madvstat: ..." to err. Returns the
 * exit status: 0 if every requested process was reported, else 1.
 */
int ms_cmd_run(const struct ms_opts *o, const char *proc,
	       const char *cgroupfs, const char *logdir, FILE *out, FILE *err);

#endif /* MADVSTAT_COMMANDS_H */
