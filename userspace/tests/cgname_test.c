// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of cgname.c: each layout of systemd, Docker, containerd,
 * CRI-O and the kubelet (both cgroup drivers), systemd's escapes, odd
 * and malformed names, and paths longer than PATH_MAX.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cgname.h"
#include "tap.h"

#define ID "9a3e0c1d2b4f5a6978877665544332211001a2b3c4d5e6f708192a3b4c5d6e7f"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "1f0c8a2e-3b4d-4c5e-9f6a-7b8c9d0e1f2a"
#define UID_ "1f0c8a2e_3b4d_4c5e_9f6a_7b8c9d0e1f2a"

struct layout {
	const char *what, *path;
	enum ms_cg_kind kind;
	const char *unit;	/* NULL: "" */
	long uid;
	const char *runtime;	/* NULL: none */
	const char *id;		/* NULL: "" */
	const char *pod_uid;	/* NULL: "" */
	enum ms_cg_qos qos;
	const char *name;	/* ms_cgname_str(), without detail */
};

static bool same(const char *got, const char *want)
{
	return !strcmp(got, want ? want : "");
}

static void check(const struct layout *l)
{
	char buf[MS_CGNAME_STR_LEN];
	struct ms_cgname n;
	bool good;

	ms_cgname_parse(l->path, &n);
	ms_cgname_str(&n, false, buf, sizeof(buf));
	good = n.kind == l->kind && same(n.unit, l->unit) && n.uid == l->uid &&
	       ((!n.runtime && !l->runtime) ||
		(n.runtime && l->runtime && !strcmp(n.runtime, l->runtime))) &&
	       same(n.id, l->id) && same(n.pod_uid, l->pod_uid) &&
	       n.qos == l->qos && same(buf, l->name) && !n.pod_name[0] &&
	       !n.pod_namespace[0] && !n.container_name[0];
	if (!ok(good, l->what))
		printf("#   %s: kind %s unit '%s' uid %ld runtime %s id '%s' pod '%s' qos %d name '%s'\n",
		       l->path, ms_cgname_kind_key(n.kind), n.unit, n.uid,
		       n.runtime ? n.runtime : "-", n.id, n.pod_uid, n.qos,
		       buf);
}

static const struct layout layouts[] = {
	/* The kubelet's systemd driver, each runtime, each QoS class. */
	{ "kubelet systemd, burstable, containerd",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope",
	  MS_CG_POD_CONTAINER, NULL, -1, "containerd", ID, UID,
	  MS_QOS_BURSTABLE, "pod " UID "/containerd 9a3e0c1d2b4f" },
	{ "kubelet systemd, besteffort, CRI-O",
	  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
	  UID_ ".slice/crio-" ID ".scope",
	  MS_CG_POD_CONTAINER, NULL, -1, "cri-o", ID, UID, MS_QOS_BESTEFFORT,
	  "pod " UID "/cri-o 9a3e0c1d2b4f" },
	{ "kubelet systemd, guaranteed (pod directly in kubepods), docker",
	  "/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" ID ".scope",
	  MS_CG_POD_CONTAINER, NULL, -1, "docker", ID, UID, MS_QOS_GUARANTEED,
	  "pod " UID "/docker 9a3e0c1d2b4f" },
	{ "kubelet systemd, CRI-O's conmon",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/crio-conmon-" ID ".scope",
	  MS_CG_POD_CONTAINER, NULL, -1, "cri-o", ID, UID, MS_QOS_BURSTABLE,
	  "pod " UID "/cri-o 9a3e0c1d2b4f conmon" },
	{ "kubelet systemd, the pod's own cgroup",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice", MS_CG_POD, NULL, -1, NULL, NULL, UID, MS_QOS_BURSTABLE,
	  "pod " UID },
	{ "kubelet systemd, a cgroup below a container is the container's",
	  "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID
	  ".scope/init", MS_CG_POD_CONTAINER, NULL, -1, "containerd", ID, UID,
	  MS_QOS_GUARANTEED, "pod " UID "/containerd 9a3e0c1d2b4f" },
	{ "kubelet systemd, --cgroup-root (kind's kubelet-kubepods)",
	  "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod"
	  UID_ ".slice/cri-containerd-" ID ".scope",
	  MS_CG_POD_CONTAINER, NULL, -1, "containerd", ID, UID,
	  MS_QOS_BESTEFFORT, "pod " UID "/containerd 9a3e0c1d2b4f" },
	{ "kubelet systemd, a static pod's 32-digit UID",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3b9e8c7d6a5b4c3d2e1f0a9b8c7d6e.slice/crio-"
	  ID ".scope", MS_CG_POD_CONTAINER, NULL, -1, "cri-o", ID,
	  "0f3b9e8c7d6a5b4c3d2e1f0a9b8c7d6e", MS_QOS_BURSTABLE,
	  "pod 0f3b9e8c7d6a5b4c3d2e1f0a9b8c7d6e/cri-o 9a3e0c1d2b4f" },
	/* The cgroupfs driver. */
	{ "kubelet cgroupfs, burstable, containerd or docker (bare id)",
	  "/kubepods/burstable/pod" UID "/" ID,
	  MS_CG_POD_CONTAINER, NULL, -1, NULL, ID, UID, MS_QOS_BURSTABLE,
	  "pod " UID "/9a3e0c1d2b4f" },
	{ "kubelet cgroupfs, guaranteed (pod directly in kubepods)",
	  "/kubepods/pod" UID "/" ID2, MS_CG_POD_CONTAINER, NULL, -1, NULL,
	  ID2, UID, MS_QOS_GUARANTEED, "pod " UID "/0123456789ab" },
	{ "kubelet cgroupfs, besteffort, CRI-O",
	  "/kubepods/besteffort/pod" UID "/crio-" ID, MS_CG_POD_CONTAINER,
	  NULL, -1, "cri-o", ID, UID, MS_QOS_BESTEFFORT,
	  "pod " UID "/cri-o 9a3e0c1d2b4f" },
	{ "kubelet cgroupfs, CRI-O's conmon",
	  "/kubepods/besteffort/pod" UID "/crio-conmon-" ID,
	  MS_CG_POD_CONTAINER, NULL, -1, "cri-o", ID, UID, MS_QOS_BESTEFFORT,
	  "pod " UID "/cri-o 9a3e0c1d2b4f conmon" },
	{ "kubelet cgroupfs, the pod's own cgroup",
	  "/kubepods/burstable/pod" UID, MS_CG_POD, NULL, -1, NULL, NULL, UID,
	  MS_QOS_BURSTABLE, "pod " UID },
	/* Docker alone. */
	{ "docker, systemd driver",
	  "/system.slice/docker-" ID ".scope", MS_CG_CONTAINER, NULL, -1,
	  "docker", ID, NULL, MS_QOS_UNKNOWN, "docker 9a3e0c1d2b4f" },
	{ "docker, cgroupfs driver", "/docker/" ID, MS_CG_CONTAINER, NULL,
	  -1, "docker", ID, NULL, MS_QOS_UNKNOWN, "docker 9a3e0c1d2b4f" },
	{ "docker, cgroupfs, a cgroup inside the container",
	  "/docker/" ID "/sub", MS_CG_CONTAINER, NULL, -1, "docker", ID, NULL,
	  MS_QOS_UNKNOWN, "docker 9a3e0c1d2b4f" },
	{ "rootless containerd: a scope in the user's systemd, no pod",
	  "/user.slice/user-1001.slice/user@1001.service/user.slice/cri-containerd-"
	  ID ".scope", MS_CG_CONTAINER, NULL, -1, "containerd", ID, NULL,
	  MS_QOS_UNKNOWN, "containerd 9a3e0c1d2b4f" },
	/* systemd. */
	{ "a system service", "/system.slice/foo.service", MS_CG_SYSTEM,
	  "foo.service", -1, NULL, NULL, NULL, MS_QOS_UNKNOWN, "foo.service" },
	{ "a service in a nested slice",
	  "/system.slice/system-getty.slice/getty@tty1.service", MS_CG_SYSTEM,
	  "getty@tty1.service", -1, NULL, NULL, NULL, MS_QOS_UNKNOWN,
	  "getty@tty1.service" },
	{ "a cgroup a service made below itself: the service",
	  "/system.slice/containerd.service/sub", MS_CG_SYSTEM,
	  "containerd.service", -1, NULL, NULL, NULL, MS_QOS_UNKNOWN,
	  "containerd.service" },
	{ "init.scope", "/init.scope", MS_CG_SYSTEM, "init.scope", -1, NULL,
	  NULL, NULL, MS_QOS_UNKNOWN, "init.scope" },
	{ "escaped unit name: \\x2d and \\x40 decoded",
	  "/machine.slice/machine-qemu\\x2d1\\x2dvm\\x40x.scope", MS_CG_SYSTEM,
	  "machine-qemu-1-vm@x.scope", -1, NULL, NULL, NULL, MS_QOS_UNKNOWN,
	  "machine-qemu-1-vm@x.scope" },
	{ "escapes of NUL and '/', a bad and a cut one, kept",
	  "/system.slice/a\\x00b\\x2fc\\xzz\\x4.service", MS_CG_SYSTEM,
	  "a\\x00b\\x2fc\\xzz\\x4.service", -1, NULL, NULL, NULL,
	  MS_QOS_UNKNOWN, "a\\x00b\\x2fc\\xzz\\x4.service" },
	{ "a login session",
	  "/user.slice/user-1000.slice/session-3.scope", MS_CG_SESSION,
	  "session-3.scope", 1000, NULL, NULL, NULL, MS_QOS_UNKNOWN,
	  "session-3.scope of uid 1000" },
	{ "the user's systemd itself",
	  "/user.slice/user-1000.slice/user@1000.service/init.scope",
	  MS_CG_USER, "init.scope", 1000, NULL, NULL, NULL, MS_QOS_UNKNOWN,
	  "init.scope of uid 1000" },
	{ "an app of the user's systemd, escaped",
	  "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Terminal-4242.scope",
	  MS_CG_USER, "app-gnome-org.gnome.Terminal-4242.scope", 1000, NULL,
	  NULL, NULL, MS_QOS_UNKNOWN,
	  "app-gnome-org.gnome.Terminal-4242.scope of uid 1000" },
	{ "a service of the user's systemd",
	  "/user.slice/user-1000.slice/user@1000.service/app.slice/dbus\\x2dbroker.service",
	  MS_CG_USER, "dbus-broker.service", 1000, NULL, NULL, NULL,
	  MS_QOS_UNKNOWN, "dbus-broker.service of uid 1000" },
	/* Nothing to recognise, and malformed names. */
	{ "the root cgroup", "/", MS_CG_OTHER, NULL, -1, NULL, NULL, NULL,
	  MS_QOS_UNKNOWN, "" },
	{ "an empty path", "", MS_CG_OTHER, NULL, -1, NULL, NULL, NULL,
	  MS_QOS_UNKNOWN, "" },
	{ "a slice alone", "/app.slice", MS_CG_OTHER, NULL, -1, NULL, NULL,
	  NULL, MS_QOS_UNKNOWN, "" },
	{ "a cgroup of no manager", "/a/b/c", MS_CG_OTHER, NULL, -1, NULL,
	  NULL, NULL, MS_QOS_UNKNOWN, "" },
	{ "a pod slice without a UID: no pod; the containerd scope is kept",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod.slice/cri-containerd-"
	  ID ".scope", MS_CG_CONTAINER, NULL, -1, "containerd", ID, NULL,
	  MS_QOS_UNKNOWN, "containerd 9a3e0c1d2b4f" },
	{ "a pod directory with a UID not hex: no pod",
	  "/kubepods/burstable/podXYZ/" ID, MS_CG_OTHER, NULL, -1, NULL, NULL,
	  NULL, MS_QOS_UNKNOWN, "" },
	{ "a pod UID too short (pod1): no pod",
	  "/kubepods/pod1/" ID, MS_CG_OTHER, NULL, -1, NULL, NULL, NULL,
	  MS_QOS_UNKNOWN, "" },
	{ "a QoS level alone", "/kubepods/burstable", MS_CG_OTHER, NULL, -1,
	  NULL, NULL, NULL, MS_QOS_UNKNOWN, "" },
	{ "a container id not hex: the pod only",
	  "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-xyz.scope",
	  MS_CG_POD, NULL, -1, NULL, NULL, UID, MS_QOS_GUARANTEED, "pod " UID },
	{ "a container id in upper case or short: the pod only",
	  "/kubepods/pod" UID "/9A3E0C1D2B4F", MS_CG_POD, NULL, -1, NULL, NULL,
	  UID, MS_QOS_GUARANTEED, "pod " UID },
	{ "a docker scope with a short id: not a container, a scope",
	  "/system.slice/docker-9a3e0c1d2b4f.scope", MS_CG_SYSTEM,
	  "docker-9a3e0c1d2b4f.scope", -1, NULL, NULL, NULL, MS_QOS_UNKNOWN,
	  "docker-9a3e0c1d2b4f.scope" },
	{ "/docker/ with no id below: nothing",
	  "/docker/buildkit", MS_CG_OTHER, NULL, -1, NULL, NULL, NULL,
	  MS_QOS_UNKNOWN, "" },
	{ "a user slice with no number: the session is a system scope",
	  "/user.slice/user-x.slice/session-3.scope", MS_CG_SYSTEM,
	  "session-3.scope", -1, NULL, NULL, NULL, MS_QOS_UNKNOWN,
	  "session-3.scope" },
	{ "slashes doubled and trailing",
	  "//system.slice//foo.service/", MS_CG_SYSTEM, "foo.service", -1,
	  NULL, NULL, NULL, MS_QOS_UNKNOWN, "foo.service" },
};

static void test_detail(void)
{
	char buf[MS_CGNAME_STR_LEN];
	struct ms_cgname n;

	ms_cgname_parse("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
			UID_ ".slice/cri-containerd-" ID ".scope", &n);
	snprintf(n.pod_namespace, sizeof(n.pod_namespace), "default");
	snprintf(n.pod_name, sizeof(n.pod_name), "web-5d8f");
	snprintf(n.container_name, sizeof(n.container_name), "nginx");
	ok(!strcmp(ms_cgname_str(&n, false, buf, sizeof(buf)),
		   "default/web-5d8f/nginx"), "named: namespace/pod/container");
	if (!ok(!strcmp(ms_cgname_str(&n, true, buf, sizeof(buf)),
			"default/web-5d8f/nginx (Kubernetes container, containerd 9a3e0c1d2b4f, pod "
			UID ", burstable)"), "with detail: runtime, id, UID, QoS"))
		printf("#   got '%s'\n", buf);
	n.container_name[0] = '\0';
	ok(!strcmp(ms_cgname_str(&n, false, buf, sizeof(buf)),
		   "default/web-5d8f/containerd 9a3e0c1d2b4f"),
	   "pod named, container not: its runtime and short id");
	ms_cgname_parse("/system.slice/foo.service", &n);
	ok(!strcmp(ms_cgname_str(&n, true, buf, sizeof(buf)),
		   "foo.service (system unit)"), "a service with detail");
	ms_cgname_str(&n, true, buf, 8);
	ok(!strcmp(buf, "foo.ser"), "cut to the buffer");
	ms_cgname_parse("/", &n);
	ok(!strcmp(ms_cgname_str(&n, true, buf, sizeof(buf)), ""),
	   "nothing for an unrecognised path, detail or not");
	ok(!strcmp(ms_cgname_kind_key(MS_CG_POD_CONTAINER),
		   "kubernetes-container") &&
	   !strcmp(ms_cgname_qos_str(MS_QOS_BESTEFFORT), "besteffort") &&
	   !ms_cgname_qos_str(MS_QOS_UNKNOWN), "kind and QoS names");
}

static void test_pod_uid(void)
{
	ok(ms_cgname_is_pod_uid(UID, 36), "a UUID is a pod UID");
	ok(ms_cgname_is_pod_uid("0f3b9e8c7d6a5b4c3d2e1f0a9b8c7d6e", 32),
	   "32 hex digits (a static pod) too");
	ok(!ms_cgname_is_pod_uid(UID_, 36), "not with '_' for '-'");
	ok(!ms_cgname_is_pod_uid("1f0c8a2e3-b4d-4c5e-9f6a-7b8c9d0e1f2a", 36),
	   "not with a dash out of place");
	ok(!ms_cgname_is_pod_uid("1F0C8A2E-3B4D-4C5E-9F6A-7B8C9D0E1F2A", 36),
	   "not in upper case");
	ok(!ms_cgname_is_pod_uid(UID, 35) && !ms_cgname_is_pod_uid("", 0),
	   "not cut, not empty");
}

static void test_unescape(void)
{
	char out[8];

	is(ms_cgname_unescape("a\\x2db", 6, out, sizeof(out)), 3,
	   "\\x2d: one byte");
	ok(!strcmp(out, "a-b"), "decoded to '-'");
	is(ms_cgname_unescape("abcdefghij", 10, out, sizeof(out)), 7,
	   "cut to the buffer");
	ok(!strcmp(out, "abcdefg"), "NUL-terminated");
	is(ms_cgname_unescape("a\\x2d", 3, out, sizeof(out)), 3,
	   "only len bytes read: an escape cut by len is kept");
	is(ms_cgname_unescape("x", 1, out, 0), 0, "no room: nothing written");
}

/* Paths longer than PATH_MAX, of long components and of many. */
static void test_long(void)
{
	size_t big = 3 * PATH_MAX, len;
	char *path = malloc(big + 64), buf[MS_CGNAME_STR_LEN];
	struct ms_cgname n;

	if (!path) {
		ok(false, "memory for the long paths");
		return;
	}
	/* Many components, then a real service at the end. */
	for (len = 0; len < big; len += 2)
		memcpy(path + len, "/a", 2);
	strcpy(path + len, "/system.slice/foo.service");
	ms_cgname_parse(path, &n);
	ok(n.kind == MS_CG_SYSTEM && !strcmp(n.unit, "foo.service"),
	   "a path of 3 x PATH_MAX in many components: the unit at its end");
	/* One component longer than a unit name may be: not a unit. */
	path[0] = '/';
	memset(path + 1, 'x', big);
	strcpy(path + 1 + big, ".service");
	ms_cgname_parse(path, &n);
	ok(n.kind == MS_CG_OTHER && !n.unit[0],
	   "a service name of 3 x PATH_MAX bytes: not a unit, no overflow");
	/* A pod UID far too long. */
	len = (size_t)snprintf(path, big, "/kubepods/burstable/pod");
	memset(path + len, 'a', big - len - 1);
	path[big - 1] = '\0';
	ms_cgname_parse(path, &n);
	ok(n.kind == MS_CG_OTHER && !n.pod_uid[0],
	   "a pod UID of 3 x PATH_MAX digits: no pod, no overflow");
	/* A long name in a small buffer: cut. */
	memset(&n, 0, sizeof(n));
	n.kind = MS_CG_SYSTEM;
	memset(n.unit, 'u', MS_CG_UNIT_MAX);
	n.unit[MS_CG_UNIT_MAX] = '\0';
	ms_cgname_str(&n, true, buf, 100);
	is(strlen(buf), 99, "a 255-byte unit in 100 bytes: cut to 99");
	free(path);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		check(&layouts[i]);
	test_detail();
	test_pod_uid();
	test_unescape();
	test_long();
	return tap_done();
}
