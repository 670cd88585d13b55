// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the madvstat command line: a table of argument vectors and
 * what they must parse to, or that they are usage errors.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tap.h"

#define MAX_ARGS 12

struct cli_case {
	const char *args[MAX_ARGS];	/* after argv[0], NULL-terminated */
	bool ok;
	enum ms_cmd cmd;
	enum ms_format format;
	size_t nr_pids;
	int pid0;
	unsigned int watch_ms;
	unsigned long count;
	size_t top_n;
	enum ms_sort_key sort;
	bool cgroup, vmas, no_module;
};

#define ARGS(...) { __VA_ARGS__, NULL }
#define BAD(...) { .args = ARGS(__VA_ARGS__), .ok = false }

static const struct cli_case cases[] = {
	{ ARGS("4242"), true, MS_CMD_PIDS, MS_FMT_HUMAN, 1, 4242, 0, 0, 20,
	  MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("1", "2", "3"), true, MS_CMD_PIDS, MS_FMT_HUMAN, 3, 1, 0, 0,
	  20, MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("--json", "7", "--vmas"), true, MS_CMD_PIDS, MS_FMT_JSON, 1, 7,
	  0, 0, 20, MS_SORT_LAZYFREE, false, true, false },
	{ ARGS("-j", "--no-module", "7"), true, MS_CMD_PIDS, MS_FMT_JSON, 1, 7,
	  0, 0, 20, MS_SORT_LAZYFREE, false, false, true },
	{ ARGS("--prometheus", "7"), true, MS_CMD_PIDS, MS_FMT_PROMETHEUS, 1,
	  7, 0, 0, 20, MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("-w", "2", "99"), true, MS_CMD_PIDS, MS_FMT_HUMAN, 1, 99, 2000,
	  0, 20, MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("--watch", "0.5", "-c", "3", "99"), true, MS_CMD_PIDS,
	  MS_FMT_HUMAN, 1, 99, 500, 3, 20, MS_SORT_LAZYFREE, false, false,
	  false },
	{ ARGS("99", "--watch=1.25", "--count=2", "--json"), true,
	  MS_CMD_PIDS, MS_FMT_JSON, 1, 99, 1250, 2, 20, MS_SORT_LAZYFREE,
	  false, false, false },
	/* --watch: 0.1 s to a day, three decimals at most */
	{ ARGS("-w", "0.1", "99"), true, MS_CMD_PIDS, MS_FMT_HUMAN, 1, 99,
	  100, 0, 20, MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("-w", "1.005", "99"), true, MS_CMD_PIDS, MS_FMT_HUMAN, 1, 99,
	  1005, 0, 20, MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("-w", "86400", "99"), true, MS_CMD_PIDS, MS_FMT_HUMAN, 1, 99,
	  86400000, 0, 20, MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("top"), true, MS_CMD_TOP, MS_FMT_HUMAN, 0, 0, 0, 0, 20,
	  MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("top", "-n", "5", "--sort", "reclaimed"), true, MS_CMD_TOP,
	  MS_FMT_HUMAN, 0, 0, 0, 0, 5, MS_SORT_RECLAIMED, false, false,
	  false },
	{ ARGS("-n", "0", "-s", "rss", "top", "--cgroup", "--json"), true,
	  MS_CMD_TOP, MS_FMT_JSON, 0, 0, 0, 0, 0, MS_SORT_RSS, true, false,
	  false },
	{ ARGS("top", "--prometheus", "--limit", "3"), true, MS_CMD_TOP,
	  MS_FMT_PROMETHEUS, 0, 0, 0, 0, 3, MS_SORT_LAZYFREE, false, false,
	  false },
	{ ARGS("--", "12"), true, MS_CMD_PIDS, MS_FMT_HUMAN, 1, 12, 0, 0, 20,
	  MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("2147483647"), true, MS_CMD_PIDS, MS_FMT_HUMAN, 1, 2147483647,
	  0, 0, 20, MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("-h"), true, MS_CMD_HELP, MS_FMT_HUMAN, 0, 0, 0, 0, 20,
	  MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("12x", "--help"), true, MS_CMD_HELP, MS_FMT_HUMAN, 0, 0, 0, 0,
	  20, MS_SORT_LAZYFREE, false, false, false },
	{ ARGS("--version"), true, MS_CMD_VERSION, MS_FMT_HUMAN, 0, 0, 0, 0,
	  20, MS_SORT_LAZYFREE, false, false, false },
	/* usage errors */
	BAD("12x"),
	BAD("--", "-5"),
	BAD("-5"),
	BAD("0"),
	BAD("+3"),
	BAD(" 3"),
	BAD("2147483648"),
	BAD("99999999999999999999"),
	BAD(""),
	BAD("--bogus", "1"),
	BAD("-x", "1"),
	BAD("1", "-w"),
	BAD("-w", "0", "1"),
	BAD("-w", "-1", "1"),
	BAD("-w", "x", "1"),
	BAD("-w", "0.05", "1"),
	BAD("-w", "0.09", "1"),
	BAD("-w", "1.5s", "1"),
	BAD("-w", "1..5", "1"),
	BAD("-w", "86400.001", "1"),
	BAD("-w", "1.2345", "1"),
	BAD("-w", "1.", "1"),
	BAD("-w", ".5", "1"),
	BAD("-w", "86401", "1"),
	BAD("-w", "1", "1", "2"),
	BAD("-w", "1", "--prometheus", "1"),
	BAD("-w", "1", "-c", "0", "1"),
	BAD("-c", "2", "1"),
	BAD("--csv", "t.csv", "1"),
	BAD("--svg", "t.svg", "1"),
	BAD("top", "--svg", "t.svg"),
	BAD("-w", "1", "--csv", "", "1"),
	BAD("-w", "1", "--svg", "-", "1"),
	BAD("-w", "1", "--svg", "", "1"),
	BAD("-w", "1", "--csv", "-", "--json", "1"),
	BAD("explain", "--svg", "t.svg", "1"),
	BAD("--json", "--prometheus", "1"),
	BAD("top", "--sort", "pss"),
	BAD("top", "-n", "-1"),
	BAD("top", "-n", "x"),
	BAD("top", "1"),
	BAD("top", "-w", "1"),
	BAD("top", "--vmas"),
	BAD("1", "-n", "3"),
	BAD("1", "--sort", "rss"),
	BAD("1", "--cgroup"),
	BAD("--json"),
	BAD("exporter", "1"),
	BAD("exporter", "--json"),
	BAD("exporter", "-n", "3"),
	BAD("exporter", "--listen", "19478"),
	BAD("exporter", "--listen", "[::1:80"),
	BAD("exporter", "--once"),
	BAD("exporter", "--interval", "5"),
	BAD("exporter", "--textfile", "/t", "--once", "--interval", "5"),
	BAD("exporter", "--textfile", "/t", "--once", "--listen", ":1"),
	BAD("exporter", "--textfile", "/t", "--interval", "0.5"),
	BAD("exporter", "--textfile", ""),
	BAD("exporter", "--top", "-1"),
	BAD("exporter", "--max-cgroups", "100001"),
	BAD("top", "--listen", ":1"),
	BAD("1", "--textfile", "/t"),
	BAD("top", "--top", "3"),
	{ .args = { NULL } },
};

static void describe(const struct cli_case *c, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; c->args[i] && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s'%s'", i ? " " : "",
				      c->args[i]);
}

static void test_case(const struct cli_case *c)
{
	char *argv[MAX_ARGS + 1], copies[MAX_ARGS][32], what[256], err[256];
	char label[400];
	struct ms_opts o;
	int argc = 0, ret;

	argv[argc++] = (char *)"madvstat";
	for (; c->args[argc - 1]; argc++) {
		snprintf(copies[argc - 1], sizeof(copies[0]), "%s",
			 c->args[argc - 1]);
		argv[argc] = copies[argc - 1];
	}
	argv[argc] = NULL;
	describe(c, what, sizeof(what));
	ret = ms_cli_parse(argc, argv, &o, err, sizeof(err));
	if (!c->ok) {
		snprintf(label, sizeof(label), "usage error: %s", what);
		if (!ok(ret == -1 && err[0], label))
			printf("#   parsed without error\n");
		else
			printf("#   %s\n", err);
		ms_cli_free(&o);
		return;
	}
	snprintf(label, sizeof(label), "parses: %s", what);
	if (!ok(ret == 0, label)) {
		printf("#   %s\n", err);
		ms_cli_free(&o);
		return;
	}
	snprintf(label, sizeof(label), "options of %s", what);
	ok(o.cmd == c->cmd && o.format == c->format &&
	   o.nr_pids == c->nr_pids && (!c->nr_pids || o.pids[0] == c->pid0) &&
	   o.watch_ms == c->watch_ms && o.count == c->count &&
	   o.top_n == c->top_n && o.sort == c->sort &&
	   o.cgroup == c->cgroup && o.vmas == c->vmas &&
	   o.no_module == c->no_module, label);
	ms_cli_free(&o);
}

static void test_usage(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ms_cli_usage(f);
	fclose(f);
	ok(strstr(text, "Usage: madvstat") != NULL, "usage starts with Usage:");
	ok(strstr(text, "--prometheus") && strstr(text, "--no-module") &&
	   strstr(text, "--watch") && strstr(text, "--count") &&
	   strstr(text, "--cgroup") && strstr(text, "--vmas") &&
	   strstr(text, "--listen") && strstr(text, "--textfile") &&
	   strstr(text, "--top") && strstr(text, "--max-cgroups") &&
	   strstr(text, "--interval") && strstr(text, "--once"),
	   "usage names every long option");
	ok(strstr(text, "--csv FILE") && strstr(text, "--svg FILE"),
	   "usage names the timeline files");
	free(text);
}

/* Parse args (NULL-terminated); 0 or -1. */
static int parse_args(const char *const *args, struct ms_opts *o)
{
	char *argv[MAX_ARGS + 1], err[256];
	int argc = 0;

	argv[argc++] = (char *)"madvstat";
	while (*args && argc < MAX_ARGS)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return ms_cli_parse(argc, argv, o, err, sizeof(err));
}

static void test_timeline_files(void)
{
	struct ms_opts o;

	ok(!parse_args((const char *const[]){ "-w", "1", "--csv", "t.csv",
					      "--svg=t.svg", "7", NULL }, &o) &&
	   o.watch_ms == 1000 && o.csv && !strcmp(o.csv, "t.csv") && o.svg &&
	   !strcmp(o.svg, "t.svg"), "--csv and --svg with --watch");
	ms_cli_free(&o);
	ok(!parse_args((const char *const[]){ "-w", "1", "--csv", "-", "7",
					      NULL }, &o) &&
	   !strcmp(o.csv, "-") && !o.svg, "--csv - with --watch");
	ms_cli_free(&o);
	ok(!parse_args((const char *const[]){ "-w", "1", "--json", "--csv",
					      "t.csv", "7", NULL }, &o) &&
	   o.format == MS_FMT_JSON && !strcmp(o.csv, "t.csv"),
	   "--csv FILE with --json");
	ms_cli_free(&o);
}

static void test_exporter(void)
{
	struct ms_opts o;

	ok(!parse_args((const char *const[]){ "exporter", NULL }, &o) &&
	   o.cmd == MS_CMD_EXPORTER && o.listen &&
	   !strcmp(o.listen, ":" MS_EXPORTER_PORT) && !o.textfile &&
	   o.exp_top == 5 && o.max_cgroups == 1000,
	   "exporter: listens on :" MS_EXPORTER_PORT ", top 5, 1000 cgroups");
	ms_cli_free(&o);
	ok(!parse_args((const char *const[]){ "exporter", "--listen",
		"127.0.0.1:0", "--top", "0", "--max-cgroups", "3", NULL }, &o) &&
	   !strcmp(o.listen, "127.0.0.1:0") && o.exp_top == 0 &&
	   o.max_cgroups == 3, "exporter --listen --top 0 --max-cgroups 3");
	ms_cli_free(&o);
	ok(!parse_args((const char *const[]){ "exporter", "--textfile", "/d",
		"--once", NULL }, &o) &&
	   !o.listen && o.once && !strcmp(o.textfile, "/d"),
	   "exporter --textfile --once: no HTTP");
	ms_cli_free(&o);
	ok(!parse_args((const char *const[]){ "exporter", "--textfile", "/d",
		"--interval", "15", "--listen", "[::1]:9", NULL }, &o) &&
	   o.interval_ms == 15000 && !strcmp(o.listen, "[::1]:9"),
	   "exporter --textfile --interval 15 with --listen: both");
	ms_cli_free(&o);
	ok(!parse_args((const char *const[]){ "exporter", "--textfile", "/d",
		NULL }, &o) && o.interval_ms == 60000,
	   "exporter --textfile: every 60 s by default");
	ms_cli_free(&o);
}

int main(void)
{
	const struct cli_case *c;

	for (c = cases; c->args[0]; c++)
		test_case(c);
	test_usage();
	test_timeline_files();
	test_exporter();
	return tap_done();
}
