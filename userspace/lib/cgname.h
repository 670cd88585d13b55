/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a cgroup v2 path says of what runs in it, from the path alone:
 * the layouts systemd, Docker, containerd, CRI-O and the kubelet create
 * (Documentation/madvstat.rst, "Cgroup names", says where each comes
 * from). Nothing here reads a file: podlogs.h adds the names of pods and
 * containers that only the kubelet's log directories know.
 */
#ifndef MADVSTAT_CGNAME_H
#define MADVSTAT_CGNAME_H

#include <stdbool.h>
#include <stddef.h>

/* A container id as every runtime here writes it: 64 hex digits. */
#define MS_CG_ID_LEN 64
/* The short form `docker ps` shows. */
#define MS_CG_SHORT_ID_LEN 12
/* A pod UID: a UUID, 36 characters (32 hex digits for a static pod). */
#define MS_CG_UID_MAX 36
/* Kubernetes' limits: a namespace and a container name are DNS labels. */
#define MS_CG_LABEL_MAX 63
/* A pod name is a DNS subdomain. */
#define MS_CG_SUBDOMAIN_MAX 253
/* A systemd unit name (UNIT_NAME_MAX), unescaped. */
#define MS_CG_UNIT_MAX 255
/* Room for any ms_cgname_str(). */
#define MS_CGNAME_STR_LEN 640

enum ms_cg_kind {
	MS_CG_OTHER,		/* no layout recognised: the path is all */
	MS_CG_SYSTEM,		/* a system unit: /system.slice/foo.service */
	MS_CG_SESSION,		/* a login session: session-3.scope */
	MS_CG_USER,		/* a unit of a user's systemd: user@1000.service/... */
	MS_CG_CONTAINER,	/* a container outside Kubernetes */
	MS_CG_POD,		/* a Kubernetes pod, no container of it known */
	MS_CG_POD_CONTAINER,	/* a container of a Kubernetes pod */
	MS_CG_NR_KINDS
};

/* The kubelet's QoS classes, as its cgroups encode them. */
enum ms_cg_qos {
	MS_QOS_UNKNOWN,
	MS_QOS_GUARANTEED,
	MS_QOS_BURSTABLE,
	MS_QOS_BESTEFFORT,
};

struct ms_cgname {
	enum ms_cg_kind kind;
	/* The unit (system, session, user), unescaped; "" for none. */
	char unit[MS_CG_UNIT_MAX + 1];
	long uid;		/* the user of a session or user unit; -1 */
	const char *runtime;	/* "docker", "containerd", "cri-o"; NULL */
	bool conmon;		/* CRI-O's monitor of the container */
	char id[MS_CG_ID_LEN + 1];	/* the container's, lower-case hex */
	char pod_uid[MS_CG_UID_MAX + 1];	/* with dashes */
	enum ms_cg_qos qos;
	/* From the kubelet's log directories (podlogs.h); "" when unknown. */
	char pod_namespace[MS_CG_LABEL_MAX + 1];
	char pod_name[MS_CG_SUBDOMAIN_MAX + 1];
	char container_name[MS_CG_LABEL_MAX + 1];
};

/*
 * Recognise the layout of path ("/system.slice/foo.service"), of any
 * length, into n. Never fails: what no layout explains is MS_CG_OTHER.
 */
void ms_cgname_parse(const char *path, struct ms_cgname *n);

/*
 * The len bytes of a systemd unit name at s with its \xNN escapes
 * (systemd-escape(1)) decoded, into out (NUL-terminated, cut to size).
 * An escape of NUL or '/' stays as it is. Returns the length written.
 */
size_t ms_cgname_unescape(const char *s, size_t len, char *out,
			  size_t size);

/*
 * Whether the len bytes at s are a pod UID as the kubelet writes it: a
 * UUID in lower case with its dashes (8-4-4-4-12), or the 32 hex digits
 * of a static pod (an MD5 sum of its manifest).
 */
bool ms_cgname_is_pod_uid(const char *s, size_t len);

/* "system-unit", "kubernetes-container"...: the JSON value of a kind. */
const char *ms_cgname_kind_key(enum ms_cg_kind kind);

/* "guaranteed", "burstable", "besteffort"; NULL when unknown. */
const char *ms_cgname_qos_str(enum ms_cg_qos qos);

/* Whether n (or NULL) has a namespace, pod or container name. */
bool ms_cgname_has_pod_names(const struct ms_cgname *n);

/*
 * What runs in the cgroup for people, into buf: "foo.service",
 * "default/web-5d8f/nginx", "docker 9a3e0c1d2b4f"; "" for MS_CG_OTHER.
 * With detail, the kind in words and what identifies it follow in
 * parentheses (the runtime and short id, the pod UID, the QoS class).
 * Returns buf.
 */
const char *ms_cgname_str(const struct ms_cgname *n, bool detail, char *buf,
			  size_t size);

#endif /* MADVSTAT_CGNAME_H */
