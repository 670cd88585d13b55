// SPDX-License-Identifier: GPL-2.0
/*
 * Recognising cgroup layouts; see cgname.h. Where each layout comes from
 * (read in those projects' sources and manuals, not copied):
 *
 * - The kubelet (kubernetes, pkg/kubelet/cm/cgroup_manager_linux.go,
 *   qos_container_manager_linux.go, pod_container_manager_linux.go):
 *   pods under a "kubepods" cgroup, in "burstable" or "besteffort"
 *   below it or, guaranteed, directly in it; a pod's cgroup is "pod"
 *   and its UID. The cgroupfs driver joins those names with '/'
 *   (/kubepods/burstable/pod<uid>); the systemd driver turns each '-'
 *   of a name into '_' and makes nested slices, each named after its
 *   ancestors joined with '-' (kubepods-burstable-pod<uid_>.slice).
 *   --cgroup-root adds words in front (kind's kubelet-kubepods.slice),
 *   so the "kubepods" word is looked for, not a fixed path.
 * - A pod's containers, one level below its cgroup, named by the
 *   runtime with the driver it shares with the kubelet: containerd
 *   (containerd, the CRI plugin's helpers_linux.go) "cri-containerd-
 *   <id>.scope" when the pod's cgroup is a slice, else "<id>"; CRI-O (cri-o, internal/config/cgmgr/
 *   systemd_linux.go and cgroupfs_linux.go) "crio-<id>.scope" or
 *   "crio-<id>", and its conmon monitor in "crio-conmon-<id>[.scope]";
 *   Docker through cri-dockerd "docker-<id>.scope" or "<id>".
 * - Docker alone (moby, daemon/oci_linux.go): "docker-<id>.scope" in
 *   system.slice with the systemd driver, /docker/<id> with cgroupfs.
 *   runc's systemd driver turns "slice:prefix:name" into the scope
 *   "prefix-name.scope" in that slice for all of them.
 * - systemd (systemd.slice(5), systemd.scope(5), user@.service(5),
 *   systemd-logind.service(8)): services and scopes in slices, a
 *   user's login sessions as user.slice/user-<uid>.slice/session-<id>.
 *   scope and the units of their own systemd below user@<uid>.service;
 *   unit names escape bytes as \xNN (systemd-escape(1), "String
 *   Escaping for Inclusion in Unit Names" in systemd.unit(5)).
 *
 * Every container id those runtimes make is 64 lower-case hex digits;
 * anything else is not taken for one.
 */
#include "cgname.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One component of a path: not NUL-terminated. */
struct part {
	const char *s;
	size_t len;
};

static bool part_is(struct part p, const char *word)
{
	return p.len == strlen(word) && !memcmp(p.s, word, p.len);
}

/* Whether p starts with prefix; *rest is what follows. */
static bool cut_prefix(struct part p, const char *prefix, struct part *rest)
{
	size_t n = strlen(prefix);

	if (p.len < n || memcmp(p.s, prefix, n))
		return false;
	rest->s = p.s + n;
	rest->len = p.len - n;
	return true;
}

/* Whether p ends with suffix; *stem is what precedes it. */
static bool cut_suffix(struct part p, const char *suffix, struct part *stem)
{
	size_t n = strlen(suffix);

	if (p.len <= n || memcmp(p.s + p.len - n, suffix, n))
		return false;
	stem->s = p.s;
	stem->len = p.len - n;
	return true;
}

static bool all_of(struct part p, const char *set)
{
	size_t i;

	for (i = 0; i < p.len; i++)
		if (!p.s[i] || !strchr(set, p.s[i]))
			return false;
	return p.len > 0;
}

#define HEX "0123456789abcdef"

static bool is_container_id(struct part p)
{
	return p.len == MS_CG_ID_LEN && all_of(p, HEX);
}

/* A user id ("1000"): decimal, no sign, at most 10 digits. */
static bool parse_uid(struct part p, long *uid)
{
	char num[11];

	if (p.len >= sizeof(num) || !all_of(p, "0123456789"))
		return false;
	memcpy(num, p.s, p.len);
	num[p.len] = '\0';
	*uid = strtol(num, NULL, 10);
	return true;
}

/* The last '-'-separated word of a slice's name ("kubepods-burstable"). */
static struct part last_word(struct part p)
{
	struct part w = p;
	size_t i;

	for (i = p.len; i > 0; i--) {
		if (p.s[i - 1] == '-') {
			w.s = p.s + i;
			w.len = p.len - i;
			break;
		}
	}
	return w;
}

bool ms_cgname_is_pod_uid(const char *s, size_t len)
{
	size_t i;

	if (len != 32 && len != 36)
		return false;
	for (i = 0; i < len; i++) {
		bool dash = len == 36 && (i == 8 || i == 13 || i == 18 ||
					  i == 23);

		if (dash ? s[i] != '-' : !s[i] || !strchr(HEX, s[i]))
			return false;
	}
	return true;
}

/*
 * A pod UID as the kubelet names the pod's cgroup: '_' for '-' with the
 * systemd driver. Copied into uid with dashes; false if it is none.
 */
static bool take_pod_uid(struct part p, char *uid)
{
	size_t i;

	if (p.len > MS_CG_UID_MAX)
		return false;
	for (i = 0; i < p.len; i++)
		uid[i] = p.s[i] == '_' ? '-' : p.s[i];
	uid[p.len] = '\0';
	return ms_cgname_is_pod_uid(uid, p.len);
}

/* The runtimes' names for a container's cgroup, with either driver. */
static const struct {
	const char *prefix, *runtime;
	bool conmon;
} runtime_prefixes[] = {
	{ "cri-containerd-", "containerd", false },
	{ "crio-conmon-", "cri-o", true },	/* before "crio-" */
	{ "crio-", "cri-o", false },
	{ "docker-", "docker", false },
};

/*
 * A container's cgroup: "<prefix><id>.scope" (systemd) or "<prefix><id>"
 * (cgroupfs; for a pod's container also the bare "<id>" of containerd
 * and Docker, whose runtime then stays unknown).
 */
static bool take_container(struct part c, bool bare_id, struct ms_cgname *n)
{
	struct part stem = c, id;
	size_t i;

	cut_suffix(c, ".scope", &stem);
	for (i = 0; i < sizeof(runtime_prefixes) / sizeof(runtime_prefixes[0]);
	     i++) {
		if (cut_prefix(stem, runtime_prefixes[i].prefix, &id)) {
			if (!is_container_id(id))
				return false;
			n->runtime = runtime_prefixes[i].runtime;
			n->conmon = runtime_prefixes[i].conmon;
			memcpy(n->id, id.s, id.len);
			n->id[id.len] = '\0';
			return true;
		}
	}
	if (!bare_id || stem.len != c.len || !is_container_id(c))
		return false;
	memcpy(n->id, c.s, c.len);
	n->id[c.len] = '\0';
	return true;
}

enum kube_state {
	KUBE_NONE,		/* no kubepods cgroup yet */
	KUBE_ROOT,		/* in kubepods: a QoS level or a pod next */
	KUBE_QOS,		/* in burstable or besteffort: a pod next */
	KUBE_POD,		/* in a pod: a container next */
	KUBE_IN_POD,		/* below the pod, in a container or not */
	KUBE_BROKEN,		/* kubepods, then no layout of the kubelet's */
};

/* What the walk over the components found so far. */
struct walk {
	enum kube_state kube;
	bool kube_systemd;	/* the kubelet's systemd driver */
	struct ms_cgname kn;	/* the pod and its container */
	bool container;		/* a container outside Kubernetes, in cn */
	struct ms_cgname cn;
	struct part prev;	/* the component before */
	long slice_uid;		/* of user-<uid>.slice; -1 */
	struct part session;	/* session-<id>.scope in it */
	long manager_uid;	/* of user@<uid>.service; -1 */
	struct part unit;	/* the deepest service or scope */
};

static void walk_kube(struct walk *w, struct part c)
{
	struct part stem, word, uid;

	switch (w->kube) {
	case KUBE_NONE:
		w->kube_systemd = cut_suffix(c, ".slice", &stem) &&
				  part_is(last_word(stem), "kubepods");
		if (w->kube_systemd || part_is(c, "kubepods")) {
			w->kube = KUBE_ROOT;
			w->kn.qos = MS_QOS_GUARANTEED;	/* unless a level says */
		}
		return;
	case KUBE_ROOT:
	case KUBE_QOS:
		word = c;
		if (w->kube_systemd)
			word = cut_suffix(c, ".slice", &stem) ?
			       last_word(stem) : (struct part){ "", 0 };
		if (w->kube == KUBE_ROOT && part_is(word, "burstable")) {
			w->kn.qos = MS_QOS_BURSTABLE;
			w->kube = KUBE_QOS;
		} else if (w->kube == KUBE_ROOT && part_is(word, "besteffort")) {
			w->kn.qos = MS_QOS_BESTEFFORT;
			w->kube = KUBE_QOS;
		} else if (cut_prefix(word, "pod", &uid) &&
			   take_pod_uid(uid, w->kn.pod_uid)) {
			w->kube = KUBE_POD;
		} else {
			w->kube = KUBE_BROKEN;
		}
		return;
	case KUBE_POD:
		/* Something else below a pod leaves the pod known. */
		if (take_container(c, true, &w->kn))
			w->kn.kind = MS_CG_POD_CONTAINER;
		w->kube = KUBE_IN_POD;
		return;
	default:
		return;
	}
}

static void walk_part(struct walk *w, struct part c)
{
	struct part stem, rest;

	walk_kube(w, c);
	if (!w->container && w->kube != KUBE_POD && w->kube != KUBE_IN_POD) {
		/* Docker with cgroupfs: /docker/<id>; else a runtime's scope. */
		if (part_is(w->prev, "docker") && is_container_id(c)) {
			w->container = take_container(c, true, &w->cn);
			w->cn.runtime = "docker";
		} else if (cut_suffix(c, ".scope", &stem)) {
			w->container = take_container(c, false, &w->cn);
		}
	}
	if (cut_suffix(c, ".slice", &stem) && cut_prefix(stem, "user-", &rest))
		parse_uid(rest, &w->slice_uid);
	if (cut_suffix(c, ".service", &stem) && cut_prefix(stem, "user@", &rest))
		parse_uid(rest, &w->manager_uid);
	if (w->slice_uid >= 0 && w->manager_uid < 0 &&
	    cut_prefix(c, "session-", &rest) && cut_suffix(c, ".scope", &stem))
		w->session = c;
	if (c.len <= MS_CG_UNIT_MAX && (cut_suffix(c, ".service", &stem) ||
					cut_suffix(c, ".scope", &stem)))
		w->unit = c;
	w->prev = c;
}

void ms_cgname_parse(const char *path, struct ms_cgname *n)
{
	struct walk w;
	const char *p = path;

	memset(&w, 0, sizeof(w));
	w.slice_uid = w.manager_uid = -1;
	while (*p) {
		struct part c;

		p += strspn(p, "/");
		c.s = p;
		c.len = strcspn(p, "/");
		p += c.len;
		if (c.len)
			walk_part(&w, c);
	}
	if (w.kube == KUBE_POD || w.kube == KUBE_IN_POD) {
		*n = w.kn;
		if (n->kind != MS_CG_POD_CONTAINER)
			n->kind = MS_CG_POD;
		n->uid = -1;
		return;
	}
	if (w.container) {
		*n = w.cn;
		n->kind = MS_CG_CONTAINER;
		n->uid = -1;
		n->qos = MS_QOS_UNKNOWN;
		return;
	}
	memset(n, 0, sizeof(*n));
	n->uid = -1;
	if (w.manager_uid >= 0) {
		n->kind = MS_CG_USER;
		n->uid = w.manager_uid;
	} else if (w.session.len) {
		n->kind = MS_CG_SESSION;
		n->uid = w.slice_uid;
		w.unit = w.session;
	} else if (w.unit.len) {
		n->kind = MS_CG_SYSTEM;
	}
	if (n->kind != MS_CG_OTHER)
		ms_cgname_unescape(w.unit.s, w.unit.len, n->unit,
				   sizeof(n->unit));
}

static int hex_value(char c)
{
	const char *d = strchr(HEX, c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);

	return c && d ? (int)(d - HEX) : -1;
}

size_t ms_cgname_unescape(const char *s, size_t len, char *out, size_t size)
{
	size_t i = 0, n = 0;

	if (!size)
		return 0;
	while (i < len && n + 1 < size) {
		bool esc = s[i] == '\\' && i + 3 < len && s[i + 1] == 'x';
		int hi = esc ? hex_value(s[i + 2]) : -1;
		int lo = esc ? hex_value(s[i + 3]) : -1;
		int c = hi < 0 || lo < 0 ? 0 : hi * 16 + lo;

		if (c && c != '/') {
			out[n++] = (char)c;
			i += 4;
		} else {
			out[n++] = s[i++];
		}
	}
	out[n] = '\0';
	return n;
}

static const struct {
	const char *key, *words;
} kinds[MS_CG_NR_KINDS] = {
	[MS_CG_OTHER] = { "other", "not recognised" },
	[MS_CG_SYSTEM] = { "system-unit", "system unit" },
	[MS_CG_SESSION] = { "session", "login session" },
	[MS_CG_USER] = { "user-unit", "unit of the user's systemd" },
	[MS_CG_CONTAINER] = { "container", "container" },
	[MS_CG_POD] = { "kubernetes-pod", "Kubernetes pod" },
	[MS_CG_POD_CONTAINER] = { "kubernetes-container",
				  "Kubernetes container" },
};

const char *ms_cgname_kind_key(enum ms_cg_kind kind)
{
	return kinds[kind].key;
}

const char *ms_cgname_qos_str(enum ms_cg_qos qos)
{
	static const char *const names[] = {
		[MS_QOS_GUARANTEED] = "guaranteed",
		[MS_QOS_BURSTABLE] = "burstable",
		[MS_QOS_BESTEFFORT] = "besteffort",
	};

	return names[qos];
}

bool ms_cgname_has_pod_names(const struct ms_cgname *n)
{
	return n && (n->pod_namespace[0] || n->pod_name[0] ||
		     n->container_name[0]);
}

/* A string built piece by piece into a fixed buffer, cut when full. */
struct sbuf {
	char *buf;
	size_t size, len;
};

static void put(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->size - b->len ? (size_t)n :
			  b->size - b->len - 1;
}

/* "containerd 9a3e0c1d2b4f", or the short id alone. */
static void put_container_id(struct sbuf *b, const struct ms_cgname *n)
{
	put(b, "%s%s%.*s", n->runtime ? n->runtime : "",
	    n->runtime ? " " : "", MS_CG_SHORT_ID_LEN, n->id);
}

static void put_pod(struct sbuf *b, const struct ms_cgname *n)
{
	if (n->pod_name[0])
		put(b, "%s/%s", n->pod_namespace, n->pod_name);
	else
		put(b, "pod %s", n->pod_uid);
}

static void put_name(struct sbuf *b, const struct ms_cgname *n)
{
	switch (n->kind) {
	case MS_CG_SYSTEM:
		put(b, "%s", n->unit);
		break;
	case MS_CG_SESSION:
	case MS_CG_USER:
		put(b, "%s of uid %ld", n->unit, n->uid);
		break;
	case MS_CG_CONTAINER:
		put_container_id(b, n);
		break;
	case MS_CG_POD:
		put_pod(b, n);
		break;
	case MS_CG_POD_CONTAINER:
		put_pod(b, n);
		put(b, "/");
		if (n->container_name[0])
			put(b, "%s", n->container_name);
		else
			put_container_id(b, n);
		if (n->conmon)
			put(b, " conmon");
		break;
	default:
		break;
	}
}

static void put_detail(struct sbuf *b, const struct ms_cgname *n)
{
	put(b, " (%s", kinds[n->kind].words);
	if (n->kind == MS_CG_POD_CONTAINER && n->container_name[0]) {
		put(b, ", ");
		put_container_id(b, n);
	}
	if (n->kind == MS_CG_POD || n->kind == MS_CG_POD_CONTAINER) {
		if (n->pod_name[0])
			put(b, ", pod %s", n->pod_uid);
		put(b, ", %s", ms_cgname_qos_str(n->qos));
	}
	put(b, ")");
}

const char *ms_cgname_str(const struct ms_cgname *n, bool detail, char *buf,
			  size_t size)
{
	struct sbuf b = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	if (n->kind == MS_CG_OTHER)
		return buf;
	put_name(&b, n);
	if (detail)
		put_detail(&b, n);
	return buf;
}
