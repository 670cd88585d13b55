// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the exporter's parts that need no network: the host scan
 * on a fixture tree (per-cgroup sums, the top N, the cgroup files, the
 * caps, a missing or broken module), both exposition formats, the Accept
 * negotiation, --listen parsing and the atomic textfile.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expfmt.h"
#include "fixture.h"
#include "hostscan.h"
#include "httpd.h"
#include "textfile.h"
#include "tap.h"

#define MIB (1024ULL * 1024)

static char root[] = "/tmp/madvstat-expfmt-test.XXXXXX";
static char proc[PATH_MAX], cgfs[PATH_MAX], logdir[PATH_MAX];

static const char table[] =
	"# unreadable 2\n"
	"Pid Rss RssAnon LazyFree LazyFreeDirty Droppable Marked Reclaimed Rescued RescuedPinned Dropped ReclaimFreed Name Cgroup\n"
	"1 10240 2048 0 0 0 0 0 0 0 0 0 systemd /init.scope\n"
	"100 204800 204800 102400 0 0 102400 0 0 0 0 0 a /app.slice/a.service\n"
	"101 409600 409600 307200 1024 0 307200 0 0 0 0 0 b /app.slice/a.service\n"
	"102 51200 51200 51200 0 0 51200 0 0 0 0 0 c\\040\"x\" /app.slice/c\\040d.service\n"
	"103 4096 4096 4096 0 0 4096 0 0 0 0 0 e /../outside\n"
	"104 8192 8192 8192 0 0 8192 0 0 0 0 0 f /app.slice/a.service\n";

static const char summary[] =
	"Processes:            6\n"
	"Rss:             688128 kB\n"
	"Tracking:      partial, kprobes are disabled system-wide: Reclaimed, Rescued, RescuedPinned and ReclaimFreed are not counted\n"
	"AllMarked:       473088 kB\n"
	"AllReclaimed:      1024 kB\n"
	"AllRescued:           0 kB\n"
	"AllRescuedPinned:     0 kB\n"
	"AllReclaimFreed:   1024 kB\n"
	"AllUnattributed:      0 kB\n"
	"AllFreedUnowned:      0 kB\n"
	"KernelLazyFree:  473088 kB\n"
	"KernelLazyFreed:   1024 kB\n"
	"TrackedMms:          12\n"
	"MissedEvents:         3\n"
	"Walks:               31\n"
	"WalksSkipped:      2204\n"
	"CleanConfirmed:      27\n";

static void put(const char *rel, const char *text)
{
	fixture_put(root, rel, text);
}

static void make_fixture(void)
{
	put("proc/madvstat/processes", table);
	put("proc/madvstat/summary", summary);
	put("sys/fs/cgroup/app.slice/a.service/memory.current", "734003200\n");
	put("sys/fs/cgroup/app.slice/a.service/memory.max", "1073741824\n");
	put("sys/fs/cgroup/app.slice/a.service/memory.stat",
	    "anon 1\npglazyfree 102400\npglazyfreed 256\n");
	put("sys/fs/cgroup/app.slice/c d.service/memory.current", "52428800\n");
	put("sys/fs/cgroup/app.slice/c d.service/memory.max", "max\n");
	put("sys/fs/cgroup/init.scope/memory.current", "11000000\n");
	/* What a cgroup path with ".." would reach: never to be read. */
	put("sys/fs/outside/memory.current", "666\n");
}

static struct ms_scan_opts opts(size_t top_n, size_t max_cgroups)
{
	struct ms_scan_opts o = { .proc = proc, .cgroupfs = cgfs,
				  .top_n = top_n, .max_cgroups = max_cgroups,
				  .logdir = logdir };

	return o;
}

static const struct ms_cgroup_stats *find(const struct ms_host *h,
					  const char *path)
{
	size_t i;

	for (i = 0; i < h->nr_cgroups; i++)
		if (h->cgroups[i].sum.cgroup &&
		    !strcmp(h->cgroups[i].sum.cgroup, path))
			return &h->cgroups[i];
	return NULL;
}

static void test_scan(void)
{
	struct ms_scan_opts o = opts(3, 100);
	const struct ms_cgroup_stats *g;
	const char *detail;
	struct ms_host h;
	uint64_t v;

	is(ms_host_scan(&o, &h, &detail), 0, "scan of the fixture");
	ok(h.module && h.up, "module there, up");
	is(h.unreadable, 2, "# unreadable 2");
	is(h.nr_cgroups, 4, "four cgroups");
	ok(!strcmp(h.tracking_state, "partial"), "tracking state: first word");
	g = find(&h, "/app.slice/a.service");
	ok(g && g->sum.nr_procs == 3, "a.service: 3 processes");
	ok(g && g->sum.val[MS_LAZYFREE] == (102400 + 307200 + 8192) * 1024ULL,
	   "a.service: LazyFree summed");
	ok(g && g->sum.val[MS_LAZYFREE_DIRTY] == 1024 * 1024ULL,
	   "a.service: LazyFreeDirty summed");
	ok(g && g->current_known && g->current == 734003200 && g->max_known &&
	   g->max == 1073741824, "a.service: memory.current and memory.max");
	ok(g && g->stat_known && g->pglazyfree == 102400ULL * 4096 &&
	   g->pglazyfreed == 256ULL * 4096, "a.service: memory.stat in bytes");
	g = find(&h, "/app.slice/c d.service");
	ok(g && g->current_known && !g->max_known && !g->stat_known,
	   "c d.service: escaped path found; memory.max 'max' unknown; no memory.stat");
	g = find(&h, "/../outside");
	ok(g && !g->current_known, "a path with '..' is not read");
	is(h.nr_top, 3, "top 3");
	ok(h.nr_top == 3 && h.top[0].pid == 101 && h.top[1].pid == 100 &&
	   h.top[2].pid == 102, "top: by LazyFree, largest first");
	ok(h.nr_top == 3 && !strcmp(h.top[2].comm, "c \"x\"") && h.top[2].cgroup &&
	   !strcmp(h.top[2].cgroup, "/app.slice/c d.service"),
	   "top: comm and cgroup unescaped");
	ok(ms_host_summary(&h, "AllMarked", &v) && v == 473088ULL * 1024,
	   "summary AllMarked in bytes");
	ok(ms_host_summary(&h, "MissedEvents", &v) && v == 3,
	   "summary MissedEvents as a count");
	ok(!ms_host_summary(&h, "Nothing", &v), "absent summary field");
	ms_host_free(&h);

	o = opts(0, 2);
	is(ms_host_scan(&o, &h, &detail), 0, "scan capped at 2 cgroups, no top");
	ok(h.nr_cgroups == 2 && h.cgroups_omitted == 2 && h.nr_top == 0,
	   "2 kept, 2 counted as omitted, no process");
	ms_host_free(&h);
}

static void test_scan_broken(void)
{
	struct ms_scan_opts o = opts(5, 100);
	const char *detail;
	char path[PATH_MAX];
	struct ms_host h;

	put("proc/madvstat/processes", "Pid Rss LazyFree Name\n1 x 0 a\n");
	is(ms_host_scan(&o, &h, &detail), -EBADMSG, "a broken table: -EBADMSG");
	ok(!h.up && *detail, "not up, with a reason");
	ms_host_free(&h);
	snprintf(path, sizeof(path), "%s/proc/madvstat/processes", root);
	unlink(path);
	is(ms_host_scan(&o, &h, &detail), -ENOENT,
	   "a module without the table: -ENOENT");
	ok(strstr(detail, "older than") != NULL, "which says so");
	ms_host_free(&h);
	put("proc/madvstat/processes", table);
	snprintf(path, sizeof(path), "%s/proc/madvstat/summary", root);
	unlink(path);
	is(ms_host_scan(&o, &h, &detail), -ENOENT, "no summary: -ENOENT");
	ms_host_free(&h);
	put("proc/madvstat/summary", summary);
	o.proc = cgfs;	/* no madvstat in there */
	is(ms_host_scan(&o, &h, &detail), 0, "no module: not an error");
	ok(!h.module && !h.up && !h.nr_cgroups, "not up, nothing read");
	ms_host_free(&h);
}

static void test_cgroup_root(void)
{
	struct ms_scan_opts o = opts(5, 100);
	const char *detail;
	struct ms_host h;
	char *ns_root = NULL;

	ok(!ms_host_cgroup_root(proc, cgfs, 4242, &ns_root) && ns_root && !*ns_root,
	   "no <proc>/self/cgroup: no namespace root");
	free(ns_root);
	ns_root = NULL;
	put("proc/self/cgroup", "0::/system.slice/x.service\n");
	ok(!ms_host_cgroup_root(proc, cgfs, 4242, &ns_root) && ns_root && !*ns_root,
	   "in a cgroup of the host's: no namespace root");
	free(ns_root);
	ns_root = NULL;
	put("proc/self/cgroup", "0::/\n");
	is(ms_host_cgroup_root(proc, cgfs, 4242, &ns_root), -ENOENT,
	   "'/' but listed nowhere: -ENOENT");
	put("sys/fs/cgroup/app.slice/cgroup.procs", "4242\n");
	ok(!ms_host_cgroup_root(proc, cgfs, 4242, &ns_root) && ns_root &&
	   !strcmp(ns_root, "/app.slice"), "'/': the cgroup listing the PID");
	o.cgroup_root = ns_root;
	is(ms_host_scan(&o, &h, &detail), 0, "scan with a namespace root");
	ok(find(&h, "/app.slice/app.slice/a.service") &&
	   find(&h, "/app.slice/init.scope") && find(&h, "/outside"),
	   "paths joined to the root, '..' resolved");
	ms_host_free(&h);
	free(ns_root);
}

#define ID "9a3e0c1d2b4f5a6978877665544332211001a2b3c4d5e6f708192a3b4c5d6e7f"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "1f0c8a2e-3b4d-4c5e-9f6a-7b8c9d0e1f2a"
#define POD_SLICE "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" \
	"1f0c8a2e_3b4d_4c5e_9f6a_7b8c9d0e1f2a.slice"

static char *render(enum ms_expfmt fmt, size_t max, int *ret);
static bool has(const char *text, const char *s);

/*
 * A pod's container, its pod's own cgroup and a container of a pod with
 * no log directory: names in the labels, the pod's cgroup directories
 * absent (removed while the table was read).
 */
static void test_names(void)
{
	static const char kube_table[] =
		"# unreadable 0\n"
		"Pid Rss RssAnon LazyFree LazyFreeDirty Droppable Marked Reclaimed Rescued RescuedPinned Dropped ReclaimFreed Name Cgroup\n"
		"200 8192 8192 4096 0 0 4096 0 0 0 0 0 nginx " POD_SLICE "/cri-containerd-" ID ".scope\n"
		"201 4096 4096 1024 0 0 1024 0 0 0 0 0 pause " POD_SLICE "\n"
		"202 4096 4096 2048 0 0 2048 0 0 0 0 0 app /kubepods/pod44444444-3b4d-4c5e-9f6a-7b8c9d0e1f2a/" ID2 "\n"
		"1 10240 2048 0 0 0 0 0 0 0 0 0 systemd /init.scope\n";
	struct ms_scan_opts o = opts(5, 100);
	const struct ms_cgroup_stats *g;
	const char *detail;
	struct ms_host h;
	char *t;
	int ret;

	put("proc/madvstat/processes", kube_table);
	put("var/log/pods/shop_web-5d8f_" UID "/nginx/0.log", "");
	put("var/log/containers/web-5d8f_shop_nginx-" ID ".log", "");
	is(ms_host_scan(&o, &h, &detail), 0, "scan of pods");
	g = find(&h, POD_SLICE "/cri-containerd-" ID ".scope");
	ok(g && g->sum.cgname &&
	   g->sum.cgname->kind == MS_CG_POD_CONTAINER &&
	   !strcmp(g->sum.cgname->pod_name, "web-5d8f") &&
	   !strcmp(g->sum.cgname->container_name, "nginx") &&
	   !g->current_known, "a container named; its removed cgroup not read");
	ok(h.nr_top == 3 && h.top[0].cgname &&
	   !strcmp(h.top[0].cgname->container_name, "nginx"),
	   "the top processes named too");
	ms_host_free(&h);

	t = render(MS_EXPFMT_TEXT, 1 << 20, &ret);
	ok(has(t, "madvstat_cgroup_lazyfree_bytes{cgroup=\"" POD_SLICE "/cri-containerd-" ID
		  ".scope\",namespace=\"shop\",pod=\"web-5d8f\",container=\"nginx\"} 4194304\n"),
	   "cgroup series: namespace, pod, container");
	ok(has(t, "madvstat_cgroup_processes{cgroup=\"" POD_SLICE
		  "\",namespace=\"shop\",pod=\"web-5d8f\",container=\"\"} 1\n"),
	   "the pod's own cgroup: namespace and pod, no container");
	ok(has(t, "madvstat_cgroup_processes{cgroup=\"/kubepods/pod44444444-3b4d-4c5e-9f6a-7b8c9d0e1f2a/"
		  ID2 "\",namespace=\"\",pod=\"\",container=\"\"} 1\n") &&
	   has(t, "madvstat_cgroup_processes{cgroup=\"/init.scope\",namespace=\"\",pod=\"\",container=\"\"} 1\n"),
	   "no names known: the same label names, empty (one set per family)");
	ok(has(t, "madvstat_process_lazyfree_bytes{pid=\"200\",comm=\"nginx\",cgroup=\"" POD_SLICE
		  "/cri-containerd-" ID ".scope\",runtime=\"unknown\",namespace=\"shop\",pod=\"web-5d8f\",container=\"nginx\"} 4194304\n"),
	   "process series: the same labels, after the runtime");
	free(t);

	o.logdir = cgfs;	/* has no pods/ */
	is(ms_host_scan(&o, &h, &detail), 0, "scan with no log directory there");
	ok(h.logs_err == -ENOENT && strstr(h.logs_dir, "/sys/fs/cgroup/pods"),
	   "which the host says, for the exporter's log");
	ms_host_free(&h);
	o.logdir = NULL;
	is(ms_host_scan(&o, &h, &detail), 0, "scan without the log directories");
	ok(!h.logs_err, "none asked for: no error");
	g = find(&h, POD_SLICE "/cri-containerd-" ID ".scope");
	ok(g && g->sum.cgname && !strcmp(g->sum.cgname->pod_uid, UID) &&
	   !g->sum.cgname->pod_name[0], "the pod UID still, no name");
	ms_host_free(&h);
	o.logdir = logdir;
	put("proc/madvstat/processes", table);
	t = render(MS_EXPFMT_TEXT, 1 << 20, &ret);
	ok(has(t, "madvstat_cgroup_processes{cgroup=\"/init.scope\"} 1\n") &&
	   !strstr(t, "namespace="), "no pod on the host: no pod labels at all");
	free(t);
	put("proc/madvstat/processes", table);
}

/* The exposition of the fixture in fmt, in a malloc()ed string. */
static char *render(enum ms_expfmt fmt, size_t max, int *ret)
{
	struct ms_scan_opts o = opts(5, 100);
	struct ms_exporter_self self = { 0.25, 7 };
	const char *detail;
	struct ms_host h;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	ms_host_scan(&o, &h, &detail);
	*ret = ms_expfmt_write(f, fmt, &h, &self, max);
	ms_host_free(&h);
	fclose(f);
	return buf;
}

static bool has(const char *text, const char *s)
{
	bool found = strstr(text, s) != NULL;

	if (!found)
		printf("#   missing: %s", s);
	return found;
}

static void test_text(void)
{
	int ret;
	char *t = render(MS_EXPFMT_TEXT, 1 << 20, &ret);

	is(ret, 0, "text format rendered");
	ok(has(t, "madvstat_up 1\n"), "madvstat_up 1");
	ok(has(t, "# TYPE madvstat_all_marked_bytes_total counter\n") &&
	   has(t, "madvstat_all_marked_bytes_total 484442112\n"),
	   "text: counter family named with _total");
	ok(has(t, "madvstat_cgroup_lazyfree_bytes{cgroup=\"/app.slice/a.service\"} 427819008\n"),
	   "cgroup LazyFree in bytes");
	ok(has(t, "madvstat_cgroup_memory_current_bytes{cgroup=\"/app.slice/c d.service\"} 52428800\n"),
	   "memory.current of an escaped path");
	ok(has(t, "madvstat_cgroup_pglazyfree_bytes_total{cgroup=\"/app.slice/a.service\"} 419430400\n"),
	   "pglazyfree as a bytes counter");
	ok(has(t, "madvstat_process_lazyfree_bytes{pid=\"102\",comm=\"c \\\"x\\\"\",cgroup=\"/app.slice/c d.service\",runtime=\"unknown\"} 52428800\n"),
	   "top process with escaped comm label");
	ok(has(t, "madvstat_tracking{state=\"partial\"} 1\n") &&
	   has(t, "madvstat_tracking{state=\"live\"} 0\n"),
	   "tracking: the first word is 1, the others 0");
	ok(has(t, "madvstat_exporter_scrape_duration_seconds 0.250000\n") &&
	   has(t, "madvstat_exporter_scrape_errors_total 7\n") &&
	   has(t, "madvstat_exporter_processes_unreadable 2\n"),
	   "self metrics");
	ok(has(t, "# TYPE madvstat_exporter_build_info gauge\n"),
	   "text: build_info is a gauge");
	ok(!strstr(t, "# EOF") && !strstr(t, "# UNIT"), "text: no # EOF");
	ok(!strstr(t, "/outside\"} 666"), "nothing read outside the cgroupfs");
	free(t);
	t = render(MS_EXPFMT_TEXT, 100, &ret);
	is(ret, -E2BIG, "past the output limit: -E2BIG");
	free(t);
}

static void test_openmetrics(void)
{
	int ret;
	char *t = render(MS_EXPFMT_OPENMETRICS, 1 << 20, &ret);
	size_t len = t ? strlen(t) : 0;

	is(ret, 0, "OpenMetrics rendered");
	ok(len > 6 && !strcmp(t + len - 6, "# EOF\n"), "ends with # EOF");
	ok(has(t, "# TYPE madvstat_all_marked_bytes counter\n") &&
	   has(t, "# HELP madvstat_all_marked_bytes ") &&
	   has(t, "\nmadvstat_all_marked_bytes_total 484442112\n"),
	   "OpenMetrics: counter family without _total, samples with it");
	ok(has(t, "# TYPE madvstat_cgroup_pglazyfreed_bytes counter\n"),
	   "OpenMetrics: labelled counter family");
	ok(has(t, "# TYPE madvstat_exporter_build info\n") &&
	   has(t, "madvstat_exporter_build_info{version=\""),
	   "OpenMetrics: build info as an info family");
	ok(has(t, "# TYPE madvstat_up gauge\n"), "gauges as in text");
	free(t);
}

static void test_negotiate(void)
{
	static const struct {
		const char *accept;
		enum ms_expfmt want;
	} cases[] = {
		{ NULL, MS_EXPFMT_TEXT },
		{ "", MS_EXPFMT_TEXT },
		{ "*/*", MS_EXPFMT_TEXT },
		{ "text/plain", MS_EXPFMT_TEXT },
		{ "application/openmetrics-text", MS_EXPFMT_OPENMETRICS },
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		  MS_EXPFMT_OPENMETRICS },	/* Prometheus 2.x */
		{ "text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5",
		  MS_EXPFMT_TEXT },
		{ "application/openmetrics-text;q=0", MS_EXPFMT_TEXT },
		{ "APPLICATION/OpenMetrics-Text ; q=0.9, text/plain;q=0.9",
		  MS_EXPFMT_OPENMETRICS },
		{ "application/openmetrics-textx", MS_EXPFMT_TEXT },
		{ ",,;;q=,application/openmetrics-text;q=abc", MS_EXPFMT_TEXT },
	};
	char what[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(what, sizeof(what), "Accept '%.60s' -> %s",
			 cases[i].accept ? cases[i].accept : "(none)",
			 cases[i].want ? "OpenMetrics" : "text");
		is(ms_expfmt_negotiate(cases[i].accept), cases[i].want, what);
	}
	ok(strstr(ms_expfmt_content_type(MS_EXPFMT_TEXT), "version=0.0.4") &&
	   strstr(ms_expfmt_content_type(MS_EXPFMT_OPENMETRICS),
		  "application/openmetrics-text; version=1.0.0"),
	   "content types");
}

static void test_listen(void)
{
	static const struct {
		const char *s, *host;
		unsigned int port;
	} good[] = {
		{ ":19478", "", 19478 }, { "127.0.0.1:0", "127.0.0.1", 0 },
		{ "[::1]:9", "::1", 9 }, { "[::]:65535", "::", 65535 },
		{ "localhost:80", "localhost", 80 },
	};
	static const char *const bad[] = {
		"", "19478", ":", "1.2.3.4:", ":65536", ":12x", "::1:80",
		"[::1]80", "[]:80", "[::1:80", ":-1", ":1234567",
	};
	unsigned int port;
	char host[64], what[64];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(what, sizeof(what), "--listen '%s'", good[i].s);
		ok(!ms_listen_parse(good[i].s, host, sizeof(host), &port) &&
		   !strcmp(host, good[i].host) && port == good[i].port, what);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(what, sizeof(what), "--listen '%s' refused", bad[i]);
		is(ms_listen_parse(bad[i], host, sizeof(host), &port), -EINVAL,
		   what);
	}
}

static void test_textfile(void)
{
	char dir[PATH_MAX / 2], path[PATH_MAX], buf[64];
	const char *what = "";
	struct stat st;
	FILE *f;
	size_t n;

	snprintf(dir, sizeof(dir), "%s/textfile", root);
	mkdir(dir, 0755);
	is(ms_textfile_write(dir, "m.prom", "a 1\n", 4, &what), 0,
	   "textfile written");
	is(ms_textfile_write(dir, "m.prom", "b 2\n", 4, &what), 0,
	   "and replaced");
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	f = fopen(path, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	ok(!strcmp(buf, "b 2\n"), "the new content, whole");
	ok(!stat(path, &st) && (st.st_mode & 0777) == 0644, "mode 0644");
	snprintf(path, sizeof(path), "ls -A '%s' | grep -qv '^m.prom$'", dir);
	ok(system(path) != 0, "no temporary file left");
	snprintf(path, sizeof(path), "%s/none", root);
	ok(ms_textfile_write(path, "m.prom", "x", 1, &what) == -ENOENT &&
	   strstr(what, "temporary"), "a missing directory: -ENOENT, the step named");
}

int main(void)
{
	if (!ok(mkdtemp(root) != NULL, "fixture directory"))
		return tap_done();
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(cgfs, sizeof(cgfs), "%s/sys/fs/cgroup", root);
	snprintf(logdir, sizeof(logdir), "%s/var/log", root);
	make_fixture();
	test_scan();
	test_text();
	test_openmetrics();
	test_scan_broken();
	test_cgroup_root();
	test_names();
	test_negotiate();
	test_listen();
	test_textfile();
	fixture_remove(root);
	return tap_done();
}
