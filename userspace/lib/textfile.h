/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing a file for node_exporter's textfile collector so that it never
 * reads half of one: a temporary file in the same directory (named
 * without the .prom ending the collector reads), written whole, made
 * durable with fsync(), then renamed over the old one.
 */
#ifndef MADVSTAT_TEXTFILE_H
#define MADVSTAT_TEXTFILE_H

#include <stddef.h>

#define MS_TEXTFILE_NAME "madvstat.prom"

/*
 * Replace dir/name with the len bytes of data, atomically. Returns 0, or
 * a negative errno with *what naming the step that failed.
 */
int ms_textfile_write(const char *dir, const char *name, const char *data,
		      size_t len, const char **what);

#endif /* MADVSTAT_TEXTFILE_H */
