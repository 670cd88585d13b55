// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what madvstat prints: percentages, the verdict, the
 * human summary, JSON (checked by a small validator) and the Prometheus
 * text format (checked line by line).
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "tap.h"

#define KB 1024ULL
#define MB (1024 * KB)
#define GB (1024 * MB)

/* A process as the module would report it; every value known. */
static struct ms_proc make_proc(int pid, const char *comm, uint64_t rss,
				uint64_t lazyfree, uint64_t dirty,
				uint64_t reclaimed)
{
	struct ms_proc p = { 0 };
	int i;

	p.pid = pid;
	p.nr_procs = 1;
	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	p.source = MS_SRC_MODULE;
	p.tracking_known = true;
	snprintf(p.tracking, sizeof(p.tracking), "live, since process start");
	for (i = 0; i < MS_NR_VALS; i++)
		p.known[i] = true;
	p.val[MS_RSS] = rss;
	p.val[MS_RSS_ANON] = rss;
	p.val[MS_LAZYFREE] = lazyfree;
	p.val[MS_LAZYFREE_DIRTY] = dirty;
	p.val[MS_RSS_EFFECTIVE] = rss - lazyfree;
	p.val[MS_MARKED] = lazyfree + dirty + reclaimed;
	p.val[MS_RECLAIMED] = reclaimed;
	return p;
}

/* The same, as smaps_rollup gives it: no LazyFreeDirty nor counters. */
static struct ms_proc make_rollup(int pid, const char *comm, uint64_t rss,
				  uint64_t lazyfree)
{
	struct ms_proc p = make_proc(pid, comm, rss, lazyfree, 0, 0);
	int i;

	p.source = MS_SRC_ROLLUP;
	p.tracking_known = false;
	p.known[MS_LAZYFREE_DIRTY] = false;
	for (i = MS_MARKED; i < MS_NR_VALS; i++)
		p.known[i] = false;
	return p;
}

/* Run a printing function into a string. */
#define CAPTURE(text, call)						\
	do {								\
		size_t len_;						\
		FILE *f = open_memstream(&(text), &len_);		\
		call;							\
		fclose(f);						\
	} while (0)

/* The LF% column of `top`: LAZYFREE as a percentage of RSS. */
static void test_percentages(void)
{
	static const struct {
		uint64_t part, whole;
		const char *want;
	} cases[] = {
		{ 0, 100, " 0.0% " },
		{ 74, 100, " 74.0% " },
		{ 196608, 265588, " 74.0% " },	/* the module example */
		{ 1, 3, " 33.3% " },		/* rounded to a tenth */
		{ 2, 3, " 66.7% " },
		{ 200, 100, " 200.0% " },	/* over 100 % as it is */
		{ UINT64_MAX, 1, " 99999.9% " },	/* clamped, no overflow */
		{ 1, 0, "      - " },		/* no percentage of nothing */
	};
	char what[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ms_proc p = make_proc(1, "a", cases[i].whole,
					     cases[i].part, 0, 0);
		char *text = NULL;

		CAPTURE(text, ms_out_top(f, &p, 1, false));
		snprintf(what, sizeof(what), "LF%% of %llu in %llu is%s",
			 (unsigned long long)cases[i].part,
			 (unsigned long long)cases[i].whole, cases[i].want);
		if (!ok(strstr(text, cases[i].want) != NULL, what))
			printf("#   got '%s'\n", text);
		free(text);
	}
}

struct verdict_case {
	const char *what;
	struct ms_proc p;
	enum ms_verdict want;
	const char *must_contain;
};

static void test_verdicts(void)
{
	struct verdict_case cases[] = {
		{ "no RSS", make_proc(1, "a", 0, 0, 0, 0),
		  MS_VERDICT_NO_RSS, "no resident memory" },
		{ "nothing lazily freed", make_proc(1, "a", 100 * MB, 0, 0, 0),
		  MS_VERDICT_IN_USE, "RSS is memory in use" },
		{ "5 % lazily freed", make_proc(1, "a", 100 * MB, 5 * MB, 0, 0),
		  MS_VERDICT_LITTLE_FREED, "only 5.0 MiB (5%)" },
		{ "74 % lazily freed",
		  make_proc(1, "a", 265588 * KB, 196608 * KB, 65536 * KB, 0),
		  MS_VERDICT_FREED, "74% of RSS is memory the program already freed" },
		{ "mostly written again",
		  make_proc(1, "a", 256 * MB, 16 * MB, 200 * MB, 0),
		  MS_VERDICT_CANCELLED, "cancelled" },
		{ "reclaimed is mentioned",
		  make_proc(1, "a", 100 * MB, 0, 0, GB + GB / 5),
		  MS_VERDICT_IN_USE, "already took back 1.2 GiB" },
		{ "fallback: no dirty data, freed",
		  make_rollup(1, "a", 100 * MB, 50 * MB),
		  MS_VERDICT_FREED, "50% of RSS" },
		{ "tiny amount", make_proc(1, "a", 100 * GB, 4 * KB, 0, 0),
		  MS_VERDICT_LITTLE_FREED, "(<1%)" },
	};
	char buf[512], what[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ms_verdict v = ms_out_verdict(&cases[i].p, buf,
						   sizeof(buf));

		snprintf(what, sizeof(what), "verdict: %s", cases[i].what);
		is(v, cases[i].want, what);
		snprintf(what, sizeof(what), "verdict text: %s", cases[i].what);
		if (!ok(strstr(buf, cases[i].must_contain) != NULL, what))
			printf("#   got '%s'\n", buf);
		ok(!strchr(buf, '\n'), "verdict is one line");
	}
	ok(ms_out_verdict(&cases[0].p, buf, 8) == MS_VERDICT_NO_RSS &&
	   strlen(buf) == 7, "verdict truncates to a small buffer");
}

static void test_human(void)
{
	struct ms_proc p = make_proc(4242, "repro", 265588 * KB, 196608 * KB,
				     65536 * KB, 0);
	struct ms_proc prev = p, r = make_rollup(7, "bash", 4 * MB, 0);
	struct ms_vma vma = { 0x7f3a1c000000, 0x7f3a2c001000, "rw-p",
				   262148 * KB, 196608 * KB, 65536 * KB,
				   "[anon]" };
	char *text = NULL;

	p.vmas = &vma;
	p.nr_vmas = 1;
	p.vmas_known = true;
	prev.val[MS_RECLAIMED] = 0;
	p.val[MS_RECLAIMED] = 256 * MB;
	CAPTURE(text, ms_out_human(f, &p, &prev, true));
	ok(strstr(text, "PID 4242 (repro)") != NULL, "human: header");
	ok(strstr(text, "192.0 MiB") && strstr(text, "74.0% of RSS"),
	   "human: LazyFree with unit and percentage");
	ok(strstr(text, "(+256.0 MiB)") != NULL, "human: watch delta");
	ok(strstr(text, "live, since process start") != NULL,
	   "human: tracking state");
	ok(strstr(text, "Verdict: ") != NULL, "human: verdict");
	ok(strstr(text, "7f3a1c000000-7f3a2c001000") && strstr(text, "[anon]"),
	   "human: VMA table");
	ok(!strstr(text, " \n"), "human: no trailing blanks");
	free(text);

	CAPTURE(text, ms_out_human(f, &r, NULL, true));
	ok(strstr(text, "Written again") && strstr(text, "unknown  needs the module"),
	   "human fallback: unknown, not 0");
	ok(strstr(text, "per-VMA lines need the module") != NULL,
	   "human fallback: VMAs unknown");
	free(text);

	snprintf(r.comm, sizeof(r.comm), "a\nb\033c");
	CAPTURE(text, ms_out_human(f, &r, NULL, false));
	ok(strstr(text, "(a?b?c)") != NULL, "human: control characters masked");
	free(text);
}

/* A small JSON validator: RFC 8259 grammar, UTF-8 not checked. */
struct json {
	const char *p;
	int depth;
};

static bool json_value(struct json *j);

static void json_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool json_string(struct json *j)
{
	if (*j->p++ != '"')
		return false;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		c = (unsigned char)*j->p++;
		if (c == 'u') {
			int i;

			for (i = 0; i < 4; i++, j->p++)
				if (!strchr("0123456789abcdefABCDEF", *j->p) ||
				    !*j->p)
					return false;
		} else if (!c || !strchr("\"\\/bfnrt", c)) {
			return false;
		}
	}
	j->p++;
	return true;
}

static bool json_number(struct json *j)
{
	const char *start = j->p;

	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	return j->p > start && j->p[-1] != '-';
}

static bool json_seq(struct json *j, char close, bool object)
{
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (object) {
			if (!json_string(j))
				return false;
			json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!json_value(j))
			return false;
		json_ws(j);
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool json_value(struct json *j)
{
	bool ret;

	json_ws(j);
	if (++j->depth > 16)
		return false;
	switch (*j->p) {
	case '{':
		ret = json_seq(j, '}', true);
		break;
	case '[':
		ret = json_seq(j, ']', false);
		break;
	case '"':
		ret = json_string(j);
		break;
	case 'n':
		ret = !strncmp(j->p, "null", 4);
		j->p += ret ? 4 : 0;
		break;
	default:
		ret = json_number(j);
		break;
	}
	j->depth--;
	return ret;
}

/* One NDJSON line: exactly one object, then the newline. */
static bool json_line_valid(const char *line)
{
	struct json j = { line, 0 };

	if (*line != '{' || !json_value(&j))
		return false;
	return !strcmp(j.p, "\n");
}

static void test_json_validator(void)
{
	ok(json_line_valid("{\"a\":[1,null,\"x\\u00e9\"],\"b\":{}}\n"),
	   "validator accepts valid JSON");
	ok(!json_line_valid("{\"a\":1,}\n"), "validator: trailing comma");
	ok(!json_line_valid("{\"a\":\"x\ny\"}\n"), "validator: raw newline");
	ok(!json_line_valid("{\"a\":1\n"), "validator: unbalanced");
	ok(!json_line_valid("{\"a\":\"\\q\"}\n"), "validator: bad escape");
}

static void test_json(void)
{
	struct ms_proc p = make_proc(4242, "a\"b\\c\nd\001", 265588 * KB,
				     196608 * KB, 65536 * KB, 0);
	struct ms_proc r = make_rollup(7, "bash", 4 * MB, 0);
	struct ms_vma vma = { 0x7f3a1c000000, 0x7f3a2c001000, "rw-p",
				   262148 * KB, 196608 * KB, 65536 * KB,
				   "/dev/zero (\"deleted\")" };
	char *text = NULL;
	size_t i;

	p.cgroup = (char *)"/user.slice/app.service";
	p.vmas = &vma;
	p.nr_vmas = 1;
	p.vmas_known = true;
	CAPTURE(text, ms_out_json(f, &p, false, true));
	ok(json_line_valid(text), "JSON of a module process is valid");
	if (!ok(strstr(text, "\"comm\":\"a\\\"b\\\\c\\nd\\u0001\"") != NULL,
		"JSON escapes quote, backslash, newline, control"))
		printf("#   %s", text);
	ok(!strncmp(text, "{\"pid\":4242,\"comm\":", 19), "JSON starts with pid");
	ok(strstr(text, "\"lazyfree_bytes\":201326592,") != NULL,
	   "JSON sizes in bytes");
	ok(strstr(text, "\"source\":\"madvstat\"") != NULL, "JSON source");
	ok(strstr(text, "\"tracking\":\"live, since process start\"") != NULL,
	   "JSON tracking");
	ok(strstr(text, "\"vmas\":[{\"start\":\"0x7f3a1c000000\",\"end\":\"0x7f3a2c001000\",\"perms\":\"rw-p\"") != NULL,
	   "JSON vmas with hex strings");
	ok(strstr(text, "\"name\":\"/dev/zero (\\\"deleted\\\")\"") != NULL,
	   "JSON VMA name escaped");
	for (i = 0; i < MS_NR_VALS; i++) {
		char key[64];

		snprintf(key, sizeof(key), "\"%s_bytes\":", ms_val_descs[i].key);
		if (!ok(strstr(text, key) != NULL, "JSON has every size key"))
			printf("#   missing %s\n", key);
	}
	free(text);

	CAPTURE(text, ms_out_json(f, &r, false, true));
	ok(json_line_valid(text), "JSON of a fallback process is valid");
	ok(strstr(text, "\"lazyfree_dirty_bytes\":null") &&
	   strstr(text, "\"reclaimed_bytes\":null") &&
	   strstr(text, "\"tracking\":null") && strstr(text, "\"cgroup\":null") &&
	   strstr(text, "\"vmas\":null"), "JSON unknowns are null");
	ok(strstr(text, "\"source\":\"smaps_rollup\"") != NULL,
	   "JSON fallback source");
	free(text);

	r.nr_procs = 3;
	r.cgroup = (char *)"/system.slice";
	CAPTURE(text, ms_out_json(f, &r, true, false));
	ok(json_line_valid(text), "JSON of a cgroup is valid");
	ok(!strncmp(text, "{\"cgroup\":\"/system.slice\",\"processes\":3,",
		     strlen("{\"cgroup\":\"/system.slice\",\"processes\":3,")),
	   "JSON cgroup object");
	ok(!strstr(text, "\"pid\""), "JSON cgroup object has no pid");
	free(text);

	snprintf(r.comm, sizeof(r.comm), "x\xff\xc3\xa9\xed\xa0\x80y");
	CAPTURE(text, ms_out_json(f, &r, false, false));
	ok(strstr(text, "\"comm\":\"x\\ufffd\xc3\xa9\\ufffd\\ufffd\\ufffdy\"") != NULL,
	   "JSON: invalid UTF-8 becomes U+FFFD, valid kept");
	ok(json_line_valid(text), "JSON with odd bytes is valid");
	free(text);
}

/* Check a whole exposition; returns the number of sample lines or -1. */
static int prom_check(const char *text)
{
	char help[64][96], type[64][96], last[96] = "";
	int nr_help = 0, nr_type = 0, samples = 0, i;
	regex_t sample_re;
	const char *p = text;
	bool fine = true;

	if (regcomp(&sample_re, "^[a-z_]+\\{[^}]*\\} [0-9]+$",
		    REG_EXTENDED | REG_NOSUB))
		return -1;
	while (*p && fine) {
		size_t len = strcspn(p, "\n");
		char line[1024], name[96];

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (sscanf(line, "# HELP %95s", name) == 1) {
			for (i = 0; i < nr_help; i++)
				fine = fine && strcmp(help[i], name);
			snprintf(help[nr_help++ % 64], 96, "%s", name);
		} else if (sscanf(line, "# TYPE %95s", name) == 1) {
			bool counter = strstr(line, " counter") != NULL;
			size_t n = strlen(name);

			for (i = 0; i < nr_type; i++)
				fine = fine && strcmp(type[i], name);
			/* TYPE follows its HELP, counters are *_total */
			fine = fine && nr_help && !strcmp(help[(nr_help - 1) % 64], name);
			fine = fine && (counter == (n > 6 && !strcmp(name + n - 6, "_total")));
			fine = fine && (counter || strstr(line, " gauge"));
			snprintf(type[nr_type++ % 64], 96, "%s", name);
			snprintf(last, sizeof(last), "%s", name);
		} else {
			size_t n = strlen(last);

			fine = !regexec(&sample_re, line, 0, NULL, 0) && n &&
			       !strncmp(line, last, n) && line[n] == '{';
			samples++;
		}
		if (!fine)
			printf("#   bad line: %s\n", line);
	}
	regfree(&sample_re);
	return fine && nr_help == nr_type ? samples : -1;
}

static void test_prometheus(void)
{
	struct ms_proc v[3];
	char *text = NULL;

	v[0] = make_proc(4242, "repro", 265588 * KB, 196608 * KB, 65536 * KB,
			 0);
	v[1] = make_proc(7, "we\"ird\\na\nme", 8 * MB, 0, 0, 4 * MB);
	v[2] = make_rollup(9, "bash", 4 * MB, 0);
	CAPTURE(text, ms_out_prometheus(f, v, 3, false));
	/* 5 gauges: 3 + 3 + 3 + 2 + 3 samples; 5 counters, 2 each */
	is(prom_check(text), 14 + 10, "Prometheus format, known samples only");
	ok(strstr(text, "madvstat_lazyfree_bytes{pid=\"4242\",comm=\"repro\"} 201326592\n") != NULL,
	   "Prometheus sample with pid and comm labels");
	ok(strstr(text, "comm=\"we\\\"ird\\\\na\\nme\"") != NULL,
	   "Prometheus label escaping");
	ok(strstr(text, "# TYPE madvstat_reclaimed_bytes_total counter\n") != NULL,
	   "Prometheus counter TYPE");
	ok(strstr(text, "# TYPE madvstat_rss_effective_bytes gauge\n") != NULL,
	   "Prometheus gauge TYPE");
	ok(!strstr(text, "madvstat_reclaimed_bytes_total{pid=\"9\""),
	   "Prometheus: no sample for an unknown value");
	free(text);

	CAPTURE(text, ms_out_prometheus(f, &v[2], 1, false));
	ok(prom_check(text) == 4 && !strstr(text, "_total") &&
	   !strstr(text, "lazyfree_dirty"),
	   "Prometheus fallback: counters left out entirely");
	free(text);

	v[0].cgroup = (char *)"/a\"b";
	v[0].nr_procs = 2;
	CAPTURE(text, ms_out_prometheus(f, v, 1, true));
	is(prom_check(text), 11, "Prometheus cgroups: 10 metrics + processes");
	ok(strstr(text, "madvstat_rss_bytes{cgroup=\"/a\\\"b\"}") &&
	   strstr(text, "madvstat_cgroup_processes{cgroup=\"/a\\\"b\"} 2\n") &&
	   !strstr(text, "pid="), "Prometheus cgroup label instead of pid");
	free(text);

	CAPTURE(text, ms_out_prometheus(f, v, 0, false));
	ok(text[0] == '\0', "Prometheus: nothing for no process");
	free(text);

	snprintf(v[2].comm, sizeof(v[2].comm), "x\xff\ty\xc3\xa9");
	CAPTURE(text, ms_out_prometheus(f, &v[2], 1, false));
	ok(strstr(text, "comm=\"x\xef\xbf\xbd\ty\xc3\xa9\"}") != NULL,
	   "Prometheus label: invalid UTF-8 becomes U+FFFD, tab and valid kept");
	free(text);
}

static void test_top_table(void)
{
	struct ms_proc v[2];
	char *text = NULL;

	v[0] = make_proc(4242, "repro", 256 * MB, 192 * MB, 0, 0);
	v[1] = make_rollup(7, "bash", 4 * MB, 0);
	CAPTURE(text, ms_out_top(f, v, 2, false));
	ok(!strncmp(text, "    PID COMM", 12), "top: header");
	ok(strstr(text, "   4242 repro") && strstr(text, "192.0 MiB  75.0%"),
	   "top: a module row");
	ok(strstr(text, "      7 bash") && strstr(text, "      -"),
	   "top: unknown shown as -");
	free(text);
	v[0].nr_procs = 3;
	v[0].cgroup = (char *)"/user.slice";
	CAPTURE(text, ms_out_top(f, v, 1, true));
	ok(strstr(text, "PROCS") && strstr(text, "CGROUP") &&
	   strstr(text, "     3 ") && strstr(text, "/user.slice\n"),
	   "top --cgroup: processes and path columns");
	free(text);
}

#define ID "9a3e0c1d2b4f5a6978877665544332211001a2b3c4d5e6f708192a3b4c5d6e7f"
#define UID "1f0c8a2e-3b4d-4c5e-9f6a-7b8c9d0e1f2a"
#define KUBE_PATH "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" \
	"1f0c8a2e_3b4d_4c5e_9f6a_7b8c9d0e1f2a.slice/cri-containerd-" ID ".scope"

/* p in a pod's container, named as podlogs.c would name it. */
static void in_pod(struct ms_proc *p, struct ms_cgname *n, const char *ctr)
{
	p->cgroup = (char *)KUBE_PATH;
	ms_cgname_parse(p->cgroup, n);
	snprintf(n->pod_namespace, sizeof(n->pod_namespace), "default");
	snprintf(n->pod_name, sizeof(n->pod_name), "web-5d8f");
	snprintf(n->container_name, sizeof(n->container_name), "%s", ctr);
	p->cgname = n;
}

/* The names of cgroups in every output. */
static void test_cgnames(void)
{
	struct ms_proc v[3];
	struct ms_cgname n[3];
	char *text = NULL;

	v[0] = make_proc(4242, "nginx", 256 * MB, 192 * MB, 0, 0);
	in_pod(&v[0], &n[0], "nginx");
	CAPTURE(text, ms_out_human(f, &v[0], NULL, false));
	if (!ok(strstr(text, "  Cgroup             " KUBE_PATH "\n"
			     "  Cgroup name        default/web-5d8f/nginx (Kubernetes container, containerd 9a3e0c1d2b4f, pod "
			     UID ", burstable)\n") != NULL,
		"human: the cgroup's name after its path, with detail"))
		printf("#   %s", text);
	free(text);

	memset(n[0].pod_name, 'p', MS_CG_SUBDOMAIN_MAX);
	n[0].pod_name[MS_CG_SUBDOMAIN_MAX] = '\0';
	CAPTURE(text, ms_out_human(f, &v[0], NULL, false));
	ok(strstr(text, "ppp/nginx (Kubernetes container, containerd 9a3e0c1d2b4f, pod "
			UID ", burstable)\n") != NULL,
	   "human: a 253-byte pod name and the detail after it, not cut");
	free(text);
	snprintf(n[0].pod_name, sizeof(n[0].pod_name), "web-5d8f");

	CAPTURE(text, ms_out_json(f, &v[0], false, false));
	ok(json_line_valid(text), "JSON with names is valid");
	if (!ok(strstr(text, "\"cgroup\":\"" KUBE_PATH "\",\"cgroup_kind\":\"kubernetes-container\","
			     "\"cgroup_name\":\"default/web-5d8f/nginx\",\"unit\":null,\"user_id\":null,"
			     "\"container_runtime\":\"containerd\",\"container_id\":\"" ID "\","
			     "\"pod_uid\":\"" UID "\",\"qos_class\":\"burstable\",\"namespace\":\"default\","
			     "\"pod\":\"web-5d8f\",\"container\":\"nginx\",") != NULL,
		"JSON: the old cgroup key, then every name"))
		printf("#   %s", text);
	free(text);

	CAPTURE(text, ms_out_prometheus(f, &v[0], 1, false));
	ok(strstr(text, "madvstat_lazyfree_bytes{pid=\"4242\",comm=\"nginx\",namespace=\"default\",pod=\"web-5d8f\",container=\"nginx\"} 201326592\n") != NULL,
	   "Prometheus: namespace, pod and container labels");
	free(text);

	/* A value the escaper must see to (podlogs.c lets none through). */
	snprintf(n[0].container_name, sizeof(n[0].container_name), "a\"b\\c\nd");
	CAPTURE(text, ms_out_prometheus(f, &v[0], 1, false));
	ok(strstr(text, ",container=\"a\\\"b\\\\c\\nd\"}") != NULL,
	   "Prometheus: label values through the one escaper");
	free(text);

	v[0].nr_procs = 2;
	in_pod(&v[0], &n[0], "nginx");
	v[1] = make_proc(1, "systemd", 4 * MB, 0, 0, 0);
	v[1].nr_procs = 1;
	v[1].cgroup = (char *)"/system.slice/foo\\x2dbar.service";
	ms_cgname_parse(v[1].cgroup, &n[1]);
	v[1].cgname = &n[1];
	v[2] = make_proc(2, "x", 4 * MB, 0, 0, 0);
	v[2].cgroup = (char *)"/";
	ms_cgname_parse(v[2].cgroup, &n[2]);
	v[2].cgname = &n[2];
	CAPTURE(text, ms_out_top(f, v, 3, true));
	if (!ok(strstr(text, "EFFECTIVE  NAME                    CGROUP\n") &&
		strstr(text, "  default/web-5d8f/nginx  " KUBE_PATH "\n") &&
		strstr(text, "  foo-bar.service         /system.slice/foo\\x2dbar.service\n") &&
		strstr(text, "  -                       /\n"),
		"top --cgroup: NAME as wide as the widest, unescaped; - for none"))
		printf("%s", text);
	free(text);

	CAPTURE(text, ms_out_prometheus(f, v, 3, true));
	ok(strstr(text, "madvstat_cgroup_processes{cgroup=\"/system.slice/foo\\\\x2dbar.service\",namespace=\"\",pod=\"\",container=\"\"} 1\n") &&
	   strstr(text, "madvstat_cgroup_processes{cgroup=\"" KUBE_PATH "\",namespace=\"default\",pod=\"web-5d8f\",container=\"nginx\"} 2\n"),
	   "Prometheus: one pod named, every series has the labels, empty where unknown");
	free(text);
	CAPTURE(text, ms_out_prometheus(f, &v[1], 2, true));
	ok(!strstr(text, "namespace="), "Prometheus: no pod named, no pod labels");
	free(text);

	snprintf(n[0].pod_name, sizeof(n[0].pod_name), "%s",
		 "a-pod-name-that-is-much-longer-than-the-column-allows-even-at-64");
	CAPTURE(text, ms_out_top(f, v, 1, true));
	if (!ok(strstr(text, "  default/a-pod-name-that-is-much-longer-than-the-column-allows...  /kubepods") != NULL,
		"top --cgroup: a name cut at 64 columns with ..."))
		printf("%s", text);
	free(text);

	v[0].cgname = NULL;
	CAPTURE(text, ms_out_json(f, &v[0], true, false));
	ok(strstr(text, "\"cgroup_kind\":null,\"cgroup_name\":null,") &&
	   strstr(text, "\"container\":null,") && json_line_valid(text),
	   "JSON: no name known, every key null");
	free(text);
	CAPTURE(text, ms_out_json(f, &v[1], true, false));
	ok(strstr(text, "\"cgroup_kind\":\"system-unit\",\"cgroup_name\":\"foo-bar.service\",\"unit\":\"foo-bar.service\",") &&
	   strstr(text, "\"pod\":null,") && json_line_valid(text),
	   "JSON: a system unit, no pod");
	free(text);
}

int main(void)
{
	test_percentages();
	test_verdicts();
	test_human();
	test_json_validator();
	test_json();
	test_prometheus();
	test_top_table();
	test_cgnames();
	return tap_done();
}
