// SPDX-License-Identifier: GPL-2.0
/*
 * madvstat: how much of a process's memory is lazily freed (MADV_FREE).
 * See Documentation/madvstat.1; the work is in userspace/lib/.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "exporter.h"

int main(int argc, char *argv[])
{
	/*
	 * The tests' fixture trees stand in for /proc, /sys/fs/cgroup and
	 * /var/log (the kubelet's log directories).
	 */
	const char *root = getenv("MADVSTAT_TEST_ROOT");
	char proc[PATH_MAX] = "/proc", cgroupfs[PATH_MAX] = "/sys/fs/cgroup";
	char logdir[PATH_MAX] = "/var/log";
	struct ms_opts o;
	char err[256];
	int status;

	if (root && *root) {
		snprintf(proc, sizeof(proc), "%s/proc", root);
		snprintf(cgroupfs, sizeof(cgroupfs), "%s/sys/fs/cgroup", root);
		snprintf(logdir, sizeof(logdir), "%s/var/log", root);
	}
	if (ms_cli_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "madvstat: %s\nTry 'madvstat --help'.\n", err);
		ms_cli_free(&o);
		return 2;
	}
	switch (o.cmd) {
	case MS_CMD_HELP:
		ms_cli_usage(stdout);
		status = 0;
		break;
	case MS_CMD_VERSION:
		printf("madvstat %s\n", MS_VERSION);
		status = 0;
		break;
	case MS_CMD_EXPORTER:
		status = ms_exporter_run(&o, proc, cgroupfs, logdir, stderr);
		break;
	default:
		status = ms_cmd_run(&o, proc, cgroupfs, logdir, stdout,
				    stderr);
		break;
	}
	ms_cli_free(&o);
	if (fflush(stdout) || ferror(stdout)) {
		perror("madvstat: writing the output");
		return 1;
	}
	return status;
}
