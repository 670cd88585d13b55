/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of pods and containers from what every Kubernetes node has
 * on disk, with no call to any API: the kubelet's log directories.
 *
 *   <logdir>/pods/<namespace>_<pod>_<uid>/
 *       one per pod the kubelet runs (kubernetes, pkg/kubelet/kuberuntime/
 *       helpers.go, BuildPodLogsDirectory): a pod UID to its namespace
 *       and name.
 *   <logdir>/containers/<pod>_<namespace>_<container>-<id>.log
 *       one symbolic link per container (kuberuntime/legacy.go,
 *       logSymlink): a full container id to its pod's namespace and name
 *       and its own name.
 *
 * Only the directories are listed: no link is followed, no file opened,
 * so an entry removed meanwhile changes nothing. Names that are not what
 * Kubernetes allows (DNS labels and subdomains) are passed over, and so is
 * a link name the kubelet cut at 255 bytes, which lost the id's end.
 */
#ifndef MADVSTAT_PODLOGS_H
#define MADVSTAT_PODLOGS_H

#include <stddef.h>

#include "cgname.h"

/* Entries kept of each directory: far more than a node runs. */
#define MS_PODLOGS_MAX 8192

struct ms_pod_entry {
	char uid[MS_CG_UID_MAX + 1];
	char pod_namespace[MS_CG_LABEL_MAX + 1];
	char pod_name[MS_CG_SUBDOMAIN_MAX + 1];
};

struct ms_container_entry {
	char id[MS_CG_ID_LEN + 1];
	char pod_namespace[MS_CG_LABEL_MAX + 1];
	char pod_name[MS_CG_SUBDOMAIN_MAX + 1];
	char container_name[MS_CG_LABEL_MAX + 1];
};

struct ms_podlogs {
	struct ms_pod_entry *pods;	/* sorted by uid */
	size_t nr_pods;
	struct ms_container_entry *containers;	/* sorted by id */
	size_t nr_containers;
	/* 0, or the negative errno opening <logdir>/pods, .../containers. */
	int pods_err, containers_err;
};

/*
 * List <logdir>/pods and <logdir>/containers into pl (ms_podlogs_free()
 * it after, whatever the return). A directory missing or unreadable is
 * no error: its *_err says why, and it names nothing. Returns 0 or
 * -ENOMEM.
 */
int ms_podlogs_read(const char *logdir, struct ms_podlogs *pl);
void ms_podlogs_free(struct ms_podlogs *pl);

/*
 * Fill the namespace, pod and container names of n (a Kubernetes pod or
 * container) where pl knows them: the pod by its UID; the container by
 * its id, when its link names the same pod (or the pod's UID is not
 * listed). Anything else is left as it is.
 */
void ms_podlogs_name(const struct ms_podlogs *pl, struct ms_cgname *n);

#endif /* MADVSTAT_PODLOGS_H */
