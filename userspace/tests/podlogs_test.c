// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of podlogs.c and naming.c on a fixture /var/log: pods named
 * by UID, containers by id (containerd, CRI-O, Docker, both kubelet
 * drivers), links of another pod, malformed and cut entries, the
 * directories missing or unreadable, and the logs listed only when a
 * Kubernetes cgroup needs them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "naming.h"
#include "podlogs.h"
#include "tap.h"

#define ID1 "9a3e0c1d2b4f5a6978877665544332211001a2b3c4d5e6f708192a3b4c5d6e7f"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID3 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define ID4 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define UID1 "1f0c8a2e-3b4d-4c5e-9f6a-7b8c9d0e1f2a"
#define UID2 "22222222-3b4d-4c5e-9f6a-7b8c9d0e1f2a"
#define UID3 "33333333-3b4d-4c5e-9f6a-7b8c9d0e1f2a"

static char root[] = "/tmp/madvstat-podlogs-test.XXXXXX";
static char logdir[PATH_MAX];

static void put(const char *rel, const char *text)
{
	fixture_put(root, rel, text);
}

/* A link in var/log/containers, to where the kubelet points it. */
static void link_container(const char *name, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/var/log/containers/%s", root, name);
	if (symlink(target, path))
		printf("# symlink %s: %s\n", path, strerror(errno));
}

static void make_fixture(void)
{
	/* Pods: default/web-5d8f (UID1), kube-system/coredns-x (UID2). */
	put("var/log/pods/default_web-5d8f_" UID1 "/nginx/0.log", "");
	put("var/log/pods/default_web-5d8f_" UID1 "/sidecar/0.log", "");
	put("var/log/pods/kube-system_coredns-x_" UID2 "/coredns/1.log", "");
	/* A static pod: a 32-digit UID; a name with dots. */
	put("var/log/pods/kube-system_etcd-node1.example_0f3b9e8c7d6a5b4c3d2e1f0a9b8c7d6e/etcd/0.log",
	    "");
	/* Not the kubelet's: old layout, capitals, extra '_', no UID. */
	put("var/log/pods/" UID3 "/c/0.log", "");
	put("var/log/pods/Default_web_" UID3 "/c/0.log", "");
	put("var/log/pods/a_b_c_" UID3 "/c/0.log", "");
	put("var/log/pods/default_nouid_/c/0.log", "");
	put("var/log/containers/.keep", "");
	link_container("web-5d8f_default_nginx-" ID1 ".log",
		       "/var/log/pods/default_web-5d8f_" UID1 "/nginx/0.log");
	link_container("web-5d8f_default_side-car-" ID2 ".log",
		       "/var/log/pods/default_web-5d8f_" UID1 "/side-car/0.log");
	/* A link naming another pod than the cgroup's UID. */
	link_container("other_default_x-" ID3 ".log", "/nowhere");
	/* A container whose pod has no directory (removed meanwhile). */
	link_container("gone_team-a_app-" ID4 ".log", "/nowhere");
	/* Malformed: cut id, id not hex, no .log, upper case. */
	link_container("web-5d8f_default_nginx-9a3e0c1d2b4f.log", "/x");
	link_container("web-5d8f_default_nginx-" "zz3e0c1d2b4f5a6978877665544332211001a2b3c4d5e6f708192a3b4c5d6e7f"
		       ".log", "/x");
	link_container("web-5d8f_default_nginx-" ID1, "/x");
	link_container("Web_default_nginx-" ID1 "0.log", "/x");
}

static void parse(const char *path, struct ms_cgname *n)
{
	ms_cgname_parse(path, n);
}

static void test_read(void)
{
	struct ms_podlogs pl;
	struct ms_cgname n;

	is(ms_podlogs_read(logdir, &pl), 0, "read the fixture");
	ok(!pl.pods_err && !pl.containers_err, "both directories listed");
	is(pl.nr_pods, 3, "3 pods: old layout, capitals, extra _, no UID passed over");
	is(pl.nr_containers, 4, "4 links: cut, not hex, no .log, capitals passed over");

	parse("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      "1f0c8a2e_3b4d_4c5e_9f6a_7b8c9d0e1f2a.slice/cri-containerd-" ID1
	      ".scope", &n);
	ms_podlogs_name(&pl, &n);
	ok(!strcmp(n.pod_namespace, "default") &&
	   !strcmp(n.pod_name, "web-5d8f") && !strcmp(n.container_name, "nginx"),
	   "containerd, systemd driver: default/web-5d8f/nginx");

	parse("/kubepods/burstable/pod" UID1 "/crio-" ID2, &n);
	ms_podlogs_name(&pl, &n);
	ok(!strcmp(n.pod_name, "web-5d8f") &&
	   !strcmp(n.container_name, "side-car"),
	   "CRI-O, cgroupfs driver: a container name with a dash");

	parse("/kubepods/pod" UID1 "/" ID3, &n);
	ms_podlogs_name(&pl, &n);
	ok(!strcmp(n.pod_name, "web-5d8f") && !n.container_name[0],
	   "a link of another pod: the pod by UID, no container name");

	parse("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
	      "44444444_3b4d_4c5e_9f6a_7b8c9d0e1f2a.slice/docker-" ID4 ".scope",
	      &n);
	ms_podlogs_name(&pl, &n);
	ok(!strcmp(n.pod_namespace, "team-a") && !strcmp(n.pod_name, "gone") &&
	   !strcmp(n.container_name, "app"),
	   "pod directory absent: every name from the container's link");

	parse("/kubepods/burstable/pod" UID2, &n);
	ms_podlogs_name(&pl, &n);
	ok(!strcmp(n.pod_namespace, "kube-system") &&
	   !strcmp(n.pod_name, "coredns-x") && !n.container_name[0],
	   "the pod's own cgroup: its names, no container");

	parse("/kubepods/burstable/pod0f3b9e8c7d6a5b4c3d2e1f0a9b8c7d6e/" ID2,
	      &n);
	ms_podlogs_name(&pl, &n);
	ok(!strcmp(n.pod_name, "etcd-node1.example") && !n.container_name[0],
	   "a static pod by its 32-digit UID; a container id of another pod");

	parse("/kubepods/burstable/pod" UID3 "/" ID1, &n);
	ms_podlogs_name(&pl, &n);
	ok(!strcmp(n.pod_name, "web-5d8f") && !strcmp(n.container_name, "nginx"),
	   "UID listed by no valid pod directory: the link's names");

	parse("/system.slice/docker-" ID1 ".scope", &n);
	ms_podlogs_name(&pl, &n);
	ok(!n.pod_name[0] && !n.container_name[0],
	   "a container outside Kubernetes: nothing from the pod logs");
	ms_podlogs_free(&pl);
}

static void test_missing(void)
{
	char dir[PATH_MAX], sub[PATH_MAX + 16];
	struct ms_podlogs pl;
	struct ms_cgname n;

	snprintf(dir, sizeof(dir), "%s/none", root);
	is(ms_podlogs_read(dir, &pl), 0, "no log directories: no error");
	ok(pl.pods_err == -ENOENT && pl.containers_err == -ENOENT &&
	   !pl.nr_pods && !pl.nr_containers, "both -ENOENT, nothing listed");
	parse("/kubepods/pod" UID1 "/" ID1, &n);
	ms_podlogs_name(&pl, &n);
	ok(!n.pod_name[0] && !strcmp(n.pod_uid, UID1),
	   "without them: the pod UID and the id still, no names");
	ms_podlogs_free(&pl);

	/*
	 * Unreadable: the tests run as root, whom no mode stops, so a file
	 * where the directory should be and a loop of links stand in.
	 */
	snprintf(dir, sizeof(dir), "%s/odd", root);
	put("odd/pods", "not a directory\n");
	snprintf(sub, sizeof(sub), "%s/containers", dir);
	if (symlink("containers", sub))
		printf("# symlink %s: %s\n", sub, strerror(errno));
	is(ms_podlogs_read(dir, &pl), 0, "unreadable directories: no error");
	ok(pl.pods_err == -ENOTDIR && pl.containers_err == -ELOOP,
	   "pods a file (-ENOTDIR), containers a loop (-ELOOP)");
	ms_podlogs_free(&pl);

	memset(sub, 'x', sizeof(sub) - 1);
	sub[0] = '/';
	sub[sizeof(sub) - 1] = '\0';
	is(ms_podlogs_read(sub, &pl), 0, "a log directory beyond PATH_MAX");
	ok(pl.pods_err == -ENAMETOOLONG && pl.containers_err == -ENAMETOOLONG,
	   "-ENAMETOOLONG, nothing read");
	ms_podlogs_free(&pl);
}

/* A process in cgroup, as ms_proc_collect() leaves it. */
static struct ms_proc proc_in(const char *cgroup)
{
	struct ms_proc p = { 0 };

	p.pid = 1;
	p.cgroup = strdup(cgroup);
	return p;
}

static void test_namer(void)
{
	struct ms_namer nm;
	struct ms_proc p, q;
	char dir[PATH_MAX];

	ms_namer_init(&nm, logdir);
	p = proc_in("/system.slice/foo.service");
	is(ms_namer_name(&nm, &p), 0, "a service named");
	ok(p.cgname && p.cgname->kind == MS_CG_SYSTEM && !nm.logs_read,
	   "from its path alone: the logs not listed");
	is(ms_namer_logs_error(&nm, dir, sizeof(dir)), 0,
	   "logs not needed: no error to tell");
	ms_proc_free(&p);
	ok(!p.cgname, "ms_proc_free() frees the name");

	p = proc_in("/kubepods/burstable/pod" UID1 "/" ID1);
	is(ms_namer_name(&nm, &p), 0, "a pod's container named");
	ok(nm.logs_read && p.cgname &&
	   !strcmp(p.cgname->container_name, "nginx"),
	   "the logs listed at the first Kubernetes path");
	/* Listed once: a pod created since is not seen in this run. */
	put("var/log/pods/default_new_" UID3 "/c/0.log", "");
	q = proc_in("/kubepods/pod" UID3);
	ms_namer_name(&nm, &q);
	ok(q.cgname && q.cgname->kind == MS_CG_POD && !q.cgname->pod_name[0],
	   "listed once per run: what came after is not seen");
	ms_proc_free(&q);
	ms_proc_free(&p);
	ms_namer_free(&nm);

	ms_namer_init(&nm, "/nonexistent/var/log");
	p = proc_in("/kubepods/burstable/pod" UID1 "/" ID1);
	ms_namer_name(&nm, &p);
	is(ms_namer_logs_error(&nm, dir, sizeof(dir)), -ENOENT,
	   "logs needed and missing: -ENOENT");
	ok(!strcmp(dir, "/nonexistent/var/log/pods"), "the directory named");
	ms_proc_free(&p);
	ms_namer_free(&nm);

	ms_namer_init(&nm, NULL);
	p = proc_in("/kubepods/burstable/pod" UID1 "/" ID1);
	ms_namer_name(&nm, &p);
	ok(p.cgname && p.cgname->kind == MS_CG_POD_CONTAINER &&
	   !p.cgname->pod_name[0] && !nm.logs_read,
	   "no log directory given: the path's names only");
	ms_proc_free(&p);
	p.cgroup = NULL;
	is(ms_namer_name(&nm, &p), 0, "an unknown cgroup: nothing to name");
	ok(!p.cgname, "and no name");
	ms_namer_free(&nm);

	/* A pod's logs removed between two runs. */
	snprintf(dir, sizeof(dir), "rm -rf '%s/var/log/pods/default_web-5d8f_%s'",
		 root, UID1);
	if (system(dir))
		printf("# could not remove the pod's logs\n");
	ms_namer_init(&nm, logdir);
	p = proc_in("/kubepods/burstable/pod" UID1 "/" ID1);
	ms_namer_name(&nm, &p);
	ok(p.cgname && !strcmp(p.cgname->pod_name, "web-5d8f") &&
	   !strcmp(p.cgname->container_name, "nginx"),
	   "pod directory gone, its link left: names from the link");
	ms_proc_free(&p);
	ms_namer_free(&nm);
}

int main(void)
{
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(logdir, sizeof(logdir), "%s/var/log", root);
	make_fixture();
	test_read();
	test_missing();
	test_namer();
	fixture_remove(root);
	return tap_done();
}
