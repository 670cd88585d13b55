// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup names end to end in the guest: real cgroup v2 directories named
 * exactly as systemd, Docker (both drivers), containerd, CRI-O and the
 * kubelet (both drivers) name them, each holding a process that freed
 * memory with MADV_FREE, and the kubelet's log directories for three of
 * the four pods in a temporary root (MADVSTAT_TEST_ROOT, whose proc and sys
 * lead to the real ones). madvstat top --cgroup, its JSON, madvstat PID
 * and the exporter's textfile must name each one.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define MADVSTAT	"/root/bin/madvstat"
#define CGROUPFS	"/sys/fs/cgroup"
#define FREE_BYTES	(8UL << 20)
/* What MADV_FREE may leave out: folios still in another CPU's batch. */
#define SLACK_BYTES	(4UL << 20)
/* madvstat(1): top --cgroup cuts a NAME at 64 columns, with "...". */
#define TOP_NAME_MAX	64

#define ID(c) c "a3e0c1d2b4f5a6978877665544332211001a2b3c4d5e6f708192a3b4c5d6e7f"
#define UID_A "1f0c8a2e-3b4d-4c5e-9f6a-7b8c9d0e1f2a"
#define UID_A_ "1f0c8a2e_3b4d_4c5e_9f6a_7b8c9d0e1f2a"
#define UID_B "2b1d9f3a-4c5e-4d6f-8a7b-8c9d0e1f2a3b"
#define UID_C "3c2e0a4b-5d6f-4e70-9b8c-9d0e1f2a3b4c"
#define UID_C_ "3c2e0a4b_5d6f_4e70_9b8c_9d0e1f2a3b4c"
#define UID_D "4d3f1b5c-6e70-4f81-8c9d-0e1f2a3b4c5d"

static const struct layout {
	const char *path;	/* below /sys/fs/cgroup, as the manager makes it */
	const char *json_path;	/* the same as a JSON string writes it */
	const char *name;	/* what top --cgroup shows */
	const char *kind;	/* cgroup_kind in JSON */
} layouts[] = {
	{ "/system.slice/madvstat\\x2dtest.service",
	  "/system.slice/madvstat\\\\x2dtest.service",
	  "madvstat-test.service", "system-unit" },
	{ "/user.slice/user-1000.slice/session-3.scope", NULL,
	  "session-3.scope of uid 1000", "session" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/app-editor.scope",
	  NULL, "app-editor.scope of uid 1000", "user-unit" },
	{ "/system.slice/docker-" ID("1") ".scope", NULL,
	  "docker 1a3e0c1d2b4f", "container" },
	{ "/docker/" ID("2"), NULL, "docker 2a3e0c1d2b4f", "container" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_A_
	  ".slice/cri-containerd-" ID("3") ".scope", NULL,
	  "shop/web-5d8f/nginx", "kubernetes-container" },
	{ "/kubepods/pod" UID_B "/crio-" ID("4"), NULL,
	  "kube-system/coredns-x/coredns", "kubernetes-container" },
	{ "/kubepods/burstable/pod" UID_D "/" ID("5"), NULL,
	  "default/batch-1/5a3e0c1d2b4f", "kubernetes-container" },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_C_
	  ".slice/docker-" ID("6") ".scope", NULL,
	  "pod " UID_C "/docker 6a3e0c1d2b4f", "kubernetes-container" },
};

#define NR_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

/* mkdir -p of path below base (which exists): path's directories too. */
static int make_dirs(const char *base, const char *path)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + strlen(base) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*slash = '/';
	}
	return mkdir(dir, 0755) && errno != EEXIST ? -errno : 0;
}

/* A cgroup CGROUPFS + rel, and its parents. */
static int make_cgroup(const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s%s", CGROUPFS, rel);
	return make_dirs(CGROUPFS, path);
}

/* rmdir of CGROUPFS + rel and of its parents up to CGROUPFS. */
static void remove_cgroup(const char *rel)
{
	char path[4096], *slash;

	snprintf(path, sizeof(path), "%s%s", CGROUPFS, rel);
	while (strlen(path) > strlen(CGROUPFS)) {
		rmdir(path);	/* a parent still in use stays */
		slash = strrchr(path, '/');
		*slash = '\0';
	}
}

/*
 * A child in CGROUPFS + rel that frees FREE_BYTES lazily, then waits to be
 * killed. Returns its PID once it has, or -1.
 */
static pid_t start_holder(const char *rel)
{
	char path[4096], c = 'x';
	int ready[2];
	pid_t pid;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		unsigned char *mem;
		FILE *f;

		close(ready[0]);
		snprintf(path, sizeof(path), "%s%s/cgroup.procs", CGROUPFS, rel);
		f = fopen(path, "w");
		if (!f || fprintf(f, "0\n") < 0 || fclose(f))
			_exit(1);
		mem = mmap(NULL, FREE_BYTES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(2);
		madvise(mem, FREE_BYTES, MADV_NOHUGEPAGE);
		memset(mem, 0x5a, FREE_BYTES);
		if (madvise(mem, FREE_BYTES, MADV_FREE))
			_exit(3);
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || c != 'r') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	return pid;
}

/* An empty file root/rel, directories made on the way. */
static int put_empty(const char *root, const char *rel)
{
	char path[4096], *slash;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	err = make_dirs(root, path);
	*slash = '/';
	if (err)
		return err;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* A link var/log/containers/name -> target under root. */
static int put_link(const char *root, const char *name, const char *target)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/var/log/containers/%s", root, name);
	return symlink(target, path) ? -errno : 0;
}

FIXTURE(names) {
	pid_t holders[NR_LAYOUTS];
	char root[64];
	char env[128];		/* "MADVSTAT_TEST_ROOT=<root>" */
};

FIXTURE_SETUP(names)
{
	char path[4096];
	size_t i;

	if (access(MADVSTAT, X_OK))
		SKIP(return, "no %s", MADVSTAT);
	ASSERT_TRUE(mt_module_loaded());
	strcpy(self->root, "/tmp/madvstat-cgnames.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->env, sizeof(self->env), "MADVSTAT_TEST_ROOT=%s",
		 self->root);
	/* The real /proc and /sys, the kubelet's logs of two pods. */
	snprintf(path, sizeof(path), "%s/proc", self->root);
	ASSERT_EQ(0, symlink("/proc", path));
	snprintf(path, sizeof(path), "%s/sys", self->root);
	ASSERT_EQ(0, symlink("/sys", path));
	ASSERT_EQ(0, put_empty(self->root, "var/log/pods/shop_web-5d8f_" UID_A "/nginx/0.log"));
	ASSERT_EQ(0, put_empty(self->root, "var/log/pods/kube-system_coredns-x_" UID_B "/coredns/0.log"));
	/* A pod whose container has no link: its name, the container's id. */
	ASSERT_EQ(0, put_empty(self->root, "var/log/pods/default_batch-1_" UID_D "/job/0.log"));
	snprintf(path, sizeof(path), "%s/var/log/containers", self->root);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, put_link(self->root, "web-5d8f_shop_nginx-" ID("3") ".log",
			      "/var/log/pods/shop_web-5d8f_" UID_A "/nginx/0.log"));
	ASSERT_EQ(0, put_link(self->root, "coredns-x_kube-system_coredns-" ID("4") ".log",
			      "/var/log/pods/kube-system_coredns-x_" UID_B "/coredns/0.log"));
	for (i = 0; i < NR_LAYOUTS; i++) {
		ASSERT_EQ(0, make_cgroup(layouts[i].path)) {
			TH_LOG("mkdir %s%s", CGROUPFS, layouts[i].path);
		}
		self->holders[i] = start_holder(layouts[i].path);
		ASSERT_LT(0, self->holders[i]) {
			TH_LOG("no process in %s", layouts[i].path);
		}
	}
}

FIXTURE_TEARDOWN(names)
{
	char cmd[128];
	size_t i;

	for (i = 0; i < NR_LAYOUTS; i++) {
		if (self->holders[i] > 0) {
			kill(self->holders[i], SIGKILL);
			waitpid(self->holders[i], NULL, 0);
		}
	}
	for (i = 0; i < NR_LAYOUTS; i++)
		remove_cgroup(layouts[i].path);
	if (self->root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->root);
		if (system(cmd))
			TH_LOG("could not remove %s", self->root);
	}
}

/* The line of text that ends with "  " + tail, or NULL. */
static const char *line_ending(const char *text, const char *tail,
			       char *line, size_t size)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n"), n = strlen(tail);

		if (len > n + 2 && !memcmp(p + len - n, tail, n) &&
		    !memcmp(p + len - n - 2, "  ", 2)) {
			snprintf(line, size, "%.*s", (int)len, p);
			return line;
		}
		p += len + (p[len] == '\n');
	}
	return NULL;
}

TEST_F(names, top_cgroup_table)
{
	static char out[1 << 16];
	char cmd[256], line[1024], want[512];
	size_t i;

	snprintf(cmd, sizeof(cmd), "%s " MADVSTAT " top --cgroup -n 0",
		 self->env);
	ASSERT_EQ(0, mt_run(cmd, out, sizeof(out)));
	for (i = 0; i < NR_LAYOUTS; i++) {
		/* The NAME column, padded or cut, then the path. */
		if (strlen(layouts[i].name) > TOP_NAME_MAX)
			snprintf(want, sizeof(want), "  %.*s...  ",
				 TOP_NAME_MAX - 3, layouts[i].name);
		else
			snprintf(want, sizeof(want), "  %s ", layouts[i].name);
		EXPECT_TRUE(line_ending(out, layouts[i].path, line, sizeof(line)) &&
			    strstr(line, want)) {
			TH_LOG("%s: no line naming it '%s' in:\n%s",
			       layouts[i].path, layouts[i].name, out);
		}
	}
}

/* The value of "key": in a JSON line: a string, or "null", or a number. */
static const char *json_value(const char *line, const char *key, char *buf,
			      size_t size)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return "(absent)";
	p += strlen(pat);
	n = *p == '"' ? strcspn(p + 1, "\"") + 2 : strcspn(p, ",}");
	snprintf(buf, size, "%.*s", (int)n, p);
	return buf;
}

/* The line of NDJSON out whose "cgroup" is path, into line; false if none. */
static bool json_line(const char *out, const char *path, char *line,
		      size_t size)
{
	char pat[512];
	const char *at;

	snprintf(pat, sizeof(pat), "{\"cgroup\":\"%s\",", path);
	at = strstr(out, pat);
	if (!at)
		return false;
	snprintf(line, size, "%.*s", (int)strcspn(at, "\n"), at);
	return true;
}

TEST_F(names, top_cgroup_json)
{
	static char out[1 << 16];
	char cmd[256], pat[512], line[4096], v[512];
	size_t i;

	snprintf(cmd, sizeof(cmd), "%s " MADVSTAT " top --cgroup -n 0 --json",
		 self->env);
	ASSERT_EQ(0, mt_run(cmd, out, sizeof(out)));
	for (i = 0; i < NR_LAYOUTS; i++) {
		const struct layout *l = &layouts[i];

		ASSERT_TRUE(json_line(out, l->json_path ? l->json_path : l->path,
				      line, sizeof(line))) {
			TH_LOG("no JSON line for %s", l->path);
		}
		snprintf(pat, sizeof(pat), "\"%s\"", l->name);
		EXPECT_STREQ(pat, json_value(line, "cgroup_name", v, sizeof(v)));
		snprintf(pat, sizeof(pat), "\"%s\"", l->kind);
		EXPECT_STREQ(pat, json_value(line, "cgroup_kind", v, sizeof(v)));
		EXPECT_LE(FREE_BYTES - SLACK_BYTES,
			  strtoull(json_value(line, "lazyfree_bytes", v,
					      sizeof(v)), NULL, 10)) {
			TH_LOG("%s", line);
		}
	}
	/* Every name of the containerd container in its pod. */
	ASSERT_TRUE(json_line(out, layouts[5].path, line, sizeof(line)));
	EXPECT_STREQ("\"shop\"", json_value(line, "namespace", v, sizeof(v)));
	EXPECT_STREQ("\"web-5d8f\"", json_value(line, "pod", v, sizeof(v)));
	EXPECT_STREQ("\"nginx\"", json_value(line, "container", v, sizeof(v)));
	EXPECT_STREQ("\"" UID_A "\"", json_value(line, "pod_uid", v, sizeof(v)));
	EXPECT_STREQ("\"burstable\"", json_value(line, "qos_class", v, sizeof(v)));
	EXPECT_STREQ("\"containerd\"",
		     json_value(line, "container_runtime", v, sizeof(v)));
	EXPECT_STREQ("\"" ID("3") "\"",
		     json_value(line, "container_id", v, sizeof(v)));
	/* The pod without logs: its UID and QoS class, no names. */
	ASSERT_TRUE(json_line(out, layouts[8].path, line, sizeof(line)));
	EXPECT_STREQ("null", json_value(line, "pod", v, sizeof(v)));
	EXPECT_STREQ("\"besteffort\"", json_value(line, "qos_class", v, sizeof(v)));
}

TEST_F(names, pid_summary)
{
	char cmd[256], out[8192];

	snprintf(cmd, sizeof(cmd), "%s " MADVSTAT " %d", self->env,
		 (int)self->holders[6]);
	ASSERT_EQ(0, mt_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "  Cgroup             /kubepods/pod" UID_B
			       "/crio-" ID("4") "\n"
			       "  Cgroup name        kube-system/coredns-x/coredns (Kubernetes container, cri-o 4a3e0c1d2b4f, pod "
			       UID_B ", guaranteed)\n")) {
		TH_LOG("%s", out);
	}
}

TEST_F(names, exporter_labels)
{
	char cmd[512], out[1 << 16], want[1024];

	snprintf(cmd, sizeof(cmd),
		 "%s " MADVSTAT " exporter --textfile %s --once 2>&1 && cat %s/madvstat.prom",
		 self->env, self->root, self->root);
	ASSERT_EQ(0, mt_run(cmd, out, sizeof(out))) {
		TH_LOG("%.2000s", out);
	}
	snprintf(want, sizeof(want),
		 "madvstat_cgroup_processes{cgroup=\"%s\",namespace=\"shop\",pod=\"web-5d8f\",container=\"nginx\"} 1\n",
		 layouts[5].path);
	EXPECT_NE(NULL, strstr(out, want)) {
		TH_LOG("missing: %s", want);
	}
	snprintf(want, sizeof(want),
		 "madvstat_cgroup_processes{cgroup=\"%s\",namespace=\"\",pod=\"\",container=\"\"} 1\n",
		 layouts[3].path);
	EXPECT_NE(NULL, strstr(out, want)) {
		TH_LOG("missing: %s", want);
	}
}

TEST_HARNESS_MAIN
