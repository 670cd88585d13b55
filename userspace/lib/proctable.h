/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/madvstat/processes, every process the reader may read in one
 * file (Documentation/madvstat.rst):
 *
 *   # unreadable N
 *   Pid Rss RssAnon LazyFree ... Name Cgroup
 *   1 10240 2048 0 ... systemd /init.scope
 *
 * Read as a stream, a line at a time, so that memory does not grow with
 * the number of processes: each row becomes a struct ms_proc (bytes, a
 * known flag per value) handed to a callback. Columns are found by the
 * header's names; columns it does not know are skipped.
 */
#ifndef MADVSTAT_PROCTABLE_H
#define MADVSTAT_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "procinfo.h"

#define MS_TABLE_MAX_COLS 64

/*
 * Called once per row. p is the parser's: the callback copies what it
 * keeps, or takes p->cgroup by setting it to NULL. A non-zero return stops
 * the parse and is returned by it.
 */
typedef int (*ms_table_fn)(void *arg, struct ms_proc *p);

struct ms_table {
	ms_table_fn fn;
	void *arg;
	unsigned long unreadable;	/* "# unreadable N" */
	bool unreadable_known;
	bool header;			/* the column names were read */
	unsigned int line;		/* lines read so far */
	size_t ncols;
	signed char col[MS_TABLE_MAX_COLS];	/* what each column is */
};

void ms_table_init(struct ms_table *t, ms_table_fn fn, void *arg);

/*
 * One line, without its newline. Returns 0, the callback's non-zero
 * return, or -EBADMSG with *err pointing at a static description.
 */
int ms_table_line(struct ms_table *t, const char *s, size_t len,
		  const char **err);

/* The whole text of the file in memory; every line ends with '\n'. */
int ms_table_parse(struct ms_table *t, const char *text, size_t len,
		   const char **err);

/*
 * Read <proc>/madvstat/processes through t. Returns 0; -ENOENT when there
 * is no such file (no module, or one older than the table); -EBADMSG with
 * *err; -EIO when the module went away while it was read; or another
 * negative errno.
 */
int ms_table_read(struct ms_table *t, const char *proc, const char **err);

#endif /* MADVSTAT_PROCTABLE_H */
