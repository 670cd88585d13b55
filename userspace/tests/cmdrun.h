/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a madvstat command line in a unit test, as the program does
 * (ms_cli_parse(), then ms_cmd_run()), on fixture directories, with its
 * output and messages in memory.
 */
#ifndef MADVSTAT_CMDRUN_H
#define MADVSTAT_CMDRUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

struct run {
	int status;	/* 2 for a usage error, as madvstat exits */
	char *out, *err;	/* malloc()ed; err has the usage error */
};

/* madvstat args... (NULL-terminated) against the proc root and cgroupfs. */
static inline struct run run_cmd(const char *proc, const char *cgroupfs,
				 const char *const *args)
{
	char *argv[16], err[256];
	struct run r = { 2, NULL, NULL };
	struct ms_opts o;
	size_t lo, le;
	FILE *out, *errf;
	int argc = 0;

	argv[argc++] = (char *)"madvstat";
	while (*args && argc < 15)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	if (ms_cli_parse(argc, argv, &o, err, sizeof(err))) {
		printf("#   usage error: %s\n", err);
		r.out = strdup("");
		r.err = strdup(err);
		ms_cli_free(&o);
		return r;
	}
	out = open_memstream(&r.out, &lo);
	errf = open_memstream(&r.err, &le);
	r.status = ms_cmd_run(&o, proc, cgroupfs, NULL, out, errf);
	fclose(out);
	fclose(errf);
	ms_cli_free(&o);
	return r;
}

static inline void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#endif /* MADVSTAT_CMDRUN_H */
