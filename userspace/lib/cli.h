/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The madvstat command line: options and operands into struct ms_opts,
 * and the usage text.
 */
#ifndef MADVSTAT_CLI_H
#define MADVSTAT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "toplist.h"

/* The Makefile passes the contents of the file VERSION. */
#ifdef MADVSTAT_VERSION
#define MS_VERSION MADVSTAT_VERSION
#else
#define MS_VERSION "unknown"
#endif
#define MS_TOP_DEFAULT 20
/* The exporter's defaults: Documentation/exporter.rst says why. */
#define MS_EXPORTER_PORT "19478"
#define MS_EXPORTER_LISTEN ":" MS_EXPORTER_PORT
#define MS_EXPORTER_TOP 5
#define MS_EXPORTER_MAX_CGROUPS 1000
#define MS_EXPORTER_INTERVAL_MS 60000

enum ms_cmd {
	MS_CMD_PIDS,		/* madvstat PID... */
	MS_CMD_TOP,		/* madvstat top */
	MS_CMD_EXPORTER,	/* madvstat exporter */
	MS_CMD_EXPLAIN,		/* madvstat explain PID */
	MS_CMD_HELP,
	MS_CMD_VERSION,
};

enum ms_format {
	MS_FMT_HUMAN,
	MS_FMT_JSON,
	MS_FMT_PROMETHEUS,
};

struct ms_opts {
	enum ms_cmd cmd;
	enum ms_format format;
	bool vmas, no_module, cgroup;
	unsigned int watch_ms;		/* 0: no watch */
	unsigned long count;		/* watch samples; 0: until stopped */
	const char *csv, *svg;		/* watch timeline files; NULL: none */
	size_t top_n;			/* 0: all */
	enum ms_sort_key sort;
	int *pids;			/* malloc()ed */
	size_t nr_pids;
	/* exporter */
	const char *listen;		/* [ADDR]:PORT, or NULL: none */
	const char *textfile;		/* directory, or NULL: none */
	bool once;			/* write the textfile once, exit */
	unsigned int interval_ms;	/* between textfile writes */
	size_t exp_top;			/* processes by LazyFree; 0: none */
	size_t max_cgroups;
};

/*
 * Parse argv (which getopt_long may permute). Returns 0, or -1 with a
 * one-line message in err for a usage error. Release o with ms_cli_free()
 * either way.
 */
int ms_cli_parse(int argc, char *argv[], struct ms_opts *o, char *err,
		 size_t errsize);
void ms_cli_free(struct ms_opts *o);

void ms_cli_usage(FILE *f);

#endif /* MADVSTAT_CLI_H */
