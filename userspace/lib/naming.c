// SPDX-License-Identifier: GPL-2.0
/*
 * Names for the cgroups of processes; see naming.h.
 */
#include "naming.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ms_namer_init(struct ms_namer *nm, const char *logdir)
{
	memset(nm, 0, sizeof(*nm));
	nm->logdir = logdir;
}

int ms_namer_name(struct ms_namer *nm, struct ms_proc *p)
{
	struct ms_cgname *n;

	if (!p->cgroup || p->cgname)
		return 0;
	n = malloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	ms_cgname_parse(p->cgroup, n);
	p->cgname = n;
	if ((n->kind != MS_CG_POD && n->kind != MS_CG_POD_CONTAINER) ||
	    !nm->logdir)
		return 0;
	if (!nm->logs_read) {
		nm->logs_read = true;
		if (ms_podlogs_read(nm->logdir, &nm->logs))
			return -ENOMEM;
	}
	ms_podlogs_name(&nm->logs, n);
	return 0;
}

int ms_namer_logs_error(const struct ms_namer *nm, char *dir_buf,
			size_t size)
{
	const struct ms_podlogs *pl = &nm->logs;
	int err;

	if (!nm->logs_read || (!pl->pods_err && !pl->containers_err))
		return 0;
	err = pl->pods_err ? pl->pods_err : pl->containers_err;
	snprintf(dir_buf, size, "%s/%s", nm->logdir,
		 pl->pods_err ? "pods" : "containers");
	return err;
}

void ms_namer_free(struct ms_namer *nm)
{
	ms_podlogs_free(&nm->logs);
	nm->logs_read = false;
}
