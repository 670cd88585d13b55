// SPDX-License-Identifier: GPL-2.0
/*
 * madvstat: how much of a process's memory is lazily freed (MADV_FREE).
 * See Documentation/madvstat.1; the work is in userspace/lib/.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"

int main(int argc, char *argv[])
{
	struct ms_opts o;
	char err[256];
	int status;

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
	default:
		status = ms_cmd_run(&o, "/proc", stdout, stderr);
		break;
	}
	ms_cli_free(&o);
	if (fflush(stdout) || ferror(stdout)) {
		perror("madvstat: writing the output");
		return 1;
	}
	return status;
}
