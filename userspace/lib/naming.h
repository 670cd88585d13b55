/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Naming what runs in the cgroups of processes (or of cgroup sums): the
 * layout of each path (cgname.h), and for Kubernetes the pod's and the
 * container's names from the kubelet's log directories (podlogs.h),
 * listed once, at the first Kubernetes path met.
 */
#ifndef MADVSTAT_NAMING_H
#define MADVSTAT_NAMING_H

#include <stdbool.h>
#include <stddef.h>

#include "podlogs.h"
#include "procinfo.h"

struct ms_namer {
	const char *logdir;	/* "/var/log"; NULL: no names from logs */
	bool logs_read;
	struct ms_podlogs logs;
};

void ms_namer_init(struct ms_namer *nm, const char *logdir);

/*
 * Give p (with a known cgroup, and no name yet) its malloc()ed
 * p->cgname, which ms_proc_free() frees. Returns 0 or -ENOMEM.
 */
int ms_namer_name(struct ms_namer *nm, struct ms_proc *p);

/*
 * Why the pods or containers are unnamed, when a Kubernetes path needed
 * the logs and a directory could not be listed: its negative errno, and
 * the directory ("<logdir>/pods") in dir_buf. 0 otherwise.
 */
int ms_namer_logs_error(const struct ms_namer *nm, char *dir_buf,
			size_t size);

void ms_namer_free(struct ms_namer *nm);

#endif /* MADVSTAT_NAMING_H */
