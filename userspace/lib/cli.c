// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing for madvstat.
 */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "procinfo.h"

enum {
	OPT_PROMETHEUS = 256,
	OPT_VMAS,
	OPT_NO_MODULE,
	OPT_CGROUP,
	OPT_LISTEN,
	OPT_TOP,
	OPT_MAX_CGROUPS,
	OPT_TEXTFILE,
	OPT_ONCE,
	OPT_INTERVAL,
	OPT_CSV,
	OPT_SVG,
};

static const struct option long_options[] = {
	{ "watch", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'c' },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "limit", required_argument, NULL, 'n' },
	{ "sort", required_argument, NULL, 's' },
	{ "cgroup", no_argument, NULL, OPT_CGROUP },
	{ "vmas", no_argument, NULL, OPT_VMAS },
	{ "json", no_argument, NULL, 'j' },
	{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
	{ "no-module", no_argument, NULL, OPT_NO_MODULE },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "max-cgroups", required_argument, NULL, OPT_MAX_CGROUPS },
	{ "textfile", required_argument, NULL, OPT_TEXTFILE },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* What the options said, before the operands are known. */
struct seen {
	bool help, version, json, prometheus, count, limit, sort;
	bool exporter;	/* an option of the exporter's */
};

static int usage_error(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int usage_error(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* Decimal digits only, no sign, no blanks; false on overflow. */
static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	for (p = s; *p; p++) {
		unsigned long d = (unsigned long)(*p - '0');

		if (*p < '0' || *p > '9' || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (p == s)
		return false;
	*out = v;
	return true;
}

/* Seconds, with up to three decimals, 0.1 to 86400, in ms; 0 if not. */
static unsigned int parse_secs(const char *s)
{
	const char *dot = strchr(s, '.');
	unsigned long whole, frac = 0;
	size_t i, nfrac = 0;
	char ibuf[16];

	if (dot) {
		nfrac = strlen(dot + 1);
		if (dot == s || nfrac < 1 || nfrac > 3 ||
		    (size_t)(dot - s) >= sizeof(ibuf) ||
		    !parse_ulong(dot + 1, 999, &frac))
			return 0;
		memcpy(ibuf, s, (size_t)(dot - s));
		ibuf[dot - s] = '\0';
		s = ibuf;
	}
	if (!parse_ulong(s, 86400, &whole))
		return 0;
	for (i = nfrac; i < 3; i++)
		frac *= 10;
	whole = whole * 1000 + frac;
	if (whole < 100 || whole > 86400UL * 1000)
		return 0;
	return (unsigned int)whole;
}

static int parse_option(int c, const char *arg, char *const argv[],
			struct ms_opts *o, struct seen *seen, char *err,
			size_t size)
{
	unsigned long v;
	int key;

	switch (c) {
	case 'w':
		o->watch_ms = parse_secs(arg);
		if (!o->watch_ms)
			return usage_error(err, size,
				"invalid --watch interval '%s' (seconds, 0.1 to 86400)",
				arg);
		return 0;
	case 'c':
		if (!parse_ulong(arg, ULONG_MAX, &v) || !v)
			return usage_error(err, size,
				"invalid --count '%s' (a number of samples, 1 or more)",
				arg);
		o->count = v;
		seen->count = true;
		return 0;
	case OPT_CSV:
		if (!*arg)
			return usage_error(err, size,
				"--csv needs a file name ('-': standard output)");
		o->csv = arg;
		return 0;
	case OPT_SVG:
		if (!*arg || !strcmp(arg, "-"))
			return usage_error(err, size,
				"--svg needs a file name");
		o->svg = arg;
		return 0;
	case 'n':
		if (!parse_ulong(arg, INT_MAX, &v))
			return usage_error(err, size,
				"invalid -n '%s' (a number of lines, 0 for all)",
				arg);
		o->top_n = v;
		seen->limit = true;
		return 0;
	case 's':
		key = ms_top_parse_sort(arg);
		if (key < 0)
			return usage_error(err, size,
				"invalid sort key '%s' (lazyfree, reclaimed or rss)",
				arg);
		o->sort = (enum ms_sort_key)key;
		seen->sort = true;
		return 0;
	case OPT_CGROUP:
		o->cgroup = true;
		return 0;
	case OPT_VMAS:
		o->vmas = true;
		return 0;
	case 'j':
		seen->json = true;
		return 0;
	case OPT_PROMETHEUS:
		seen->prometheus = true;
		return 0;
	case OPT_NO_MODULE:
		o->no_module = true;
		return 0;
	case OPT_LISTEN:
		if (ms_listen_parse(arg, NULL, 0, NULL))
			return usage_error(err, size,
				"invalid --listen '%s' ([ADDR]:PORT, e.g. :%s, 127.0.0.1:%s, [::1]:%s)",
				arg, MS_EXPORTER_PORT, MS_EXPORTER_PORT,
				MS_EXPORTER_PORT);
		o->listen = arg;
		seen->exporter = true;
		return 0;
	case OPT_TOP:
	case OPT_MAX_CGROUPS:
		if (!parse_ulong(arg, 100000, &v))
			return usage_error(err, size,
				"invalid %s '%s' (a number, 0 to 100000)",
				c == OPT_TOP ? "--top" : "--max-cgroups", arg);
		if (c == OPT_TOP)
			o->exp_top = v;
		else
			o->max_cgroups = v;
		seen->exporter = true;
		return 0;
	case OPT_TEXTFILE:
		if (!*arg)
			return usage_error(err, size,
				"--textfile needs a directory");
		o->textfile = arg;
		seen->exporter = true;
		return 0;
	case OPT_ONCE:
		o->once = true;
		seen->exporter = true;
		return 0;
	case OPT_INTERVAL:
		o->interval_ms = parse_secs(arg);
		if (o->interval_ms < 1000)
			return usage_error(err, size,
				"invalid --interval '%s' (seconds, 1 to 86400)",
				arg);
		seen->exporter = true;
		return 0;
	case 'h':
		seen->help = true;
		return 0;
	case 'V':
		seen->version = true;
		return 0;
	case ':':
		return usage_error(err, size, "option '%s' needs an argument",
				   argv[optind - 1]);
	default:
		if (optopt)
			return usage_error(err, size, "invalid option '-%c'",
					   optopt);
		return usage_error(err, size, "unknown option '%s'",
				   argv[optind - 1]);
	}
}

static int parse_operands(int argc, char *argv[], struct ms_opts *o,
			  char *err, size_t size)
{
	int i;

	if (optind == argc)
		return usage_error(err, size,
			"no PID given ('madvstat top' shows every process)");
	if (!strcmp(argv[optind], "top") || !strcmp(argv[optind], "exporter")) {
		o->cmd = argv[optind][0] == 't' ? MS_CMD_TOP : MS_CMD_EXPORTER;
		if (optind + 1 < argc)
			return usage_error(err, size, "'%s' takes no PID ('%s')",
					   argv[optind], argv[optind + 1]);
		return 0;
	}
	if (!strcmp(argv[optind], "explain")) {
		o->cmd = MS_CMD_EXPLAIN;
		if (argc - optind != 2)
			return usage_error(err, size,
				"'explain' takes one PID");
		optind++;
	}
	o->pids = calloc((size_t)(argc - optind), sizeof(*o->pids));
	if (!o->pids)
		return usage_error(err, size, "out of memory");
	for (i = optind; i < argc; i++) {
		int pid = ms_proc_parse_pid(argv[i]);

		if (pid < 0)
			return usage_error(err, size,
				"'%s' is not a PID (a number from 1)", argv[i]);
		o->pids[o->nr_pids++] = pid;
	}
	return 0;
}

static int check_exporter(struct ms_opts *o, const struct seen *seen,
			  char *err, size_t size)
{
	if (seen->json || seen->prometheus || o->watch_ms || o->vmas ||
	    seen->limit || seen->sort || o->cgroup || o->no_module)
		return usage_error(err, size,
			"'exporter' takes only --listen, --top, --max-cgroups, --textfile, --once and --interval");
	if ((o->once || o->interval_ms) && !o->textfile)
		return usage_error(err, size,
			"--once and --interval go with --textfile");
	if (o->once && (o->interval_ms || o->listen))
		return usage_error(err, size,
			"--once writes the textfile and exits: not with --interval or --listen");
	if (!o->listen && !o->textfile)
		o->listen = MS_EXPORTER_LISTEN;
	if (!o->interval_ms)
		o->interval_ms = MS_EXPORTER_INTERVAL_MS;
	return 0;
}

/* Options that go with one command only, or not together. */
static int check_combinations(struct ms_opts *o, const struct seen *seen,
			      char *err, size_t size)
{
	if (seen->json && seen->prometheus)
		return usage_error(err, size,
			"--json and --prometheus exclude each other");
	o->format = seen->json ? MS_FMT_JSON :
		    seen->prometheus ? MS_FMT_PROMETHEUS : MS_FMT_HUMAN;
	if (seen->count && !o->watch_ms)
		return usage_error(err, size, "--count goes with --watch");
	if ((o->csv || o->svg) && !o->watch_ms)
		return usage_error(err, size, "--csv and --svg go with --watch");
	if (o->csv && !strcmp(o->csv, "-") && seen->json)
		return usage_error(err, size,
			"--csv - writes CSV to standard output: not with --json");
	if (o->cmd == MS_CMD_EXPORTER)
		return check_exporter(o, seen, err, size);
	if (seen->exporter)
		return usage_error(err, size,
			"--listen, --top, --max-cgroups, --textfile, --once and --interval go with 'exporter'");
	if (o->cmd == MS_CMD_EXPLAIN) {
		if (seen->json || seen->prometheus || o->watch_ms ||
		    o->vmas || seen->limit || seen->sort || o->cgroup)
			return usage_error(err, size,
				"'explain' takes only --no-module");
		return 0;
	}
	if (o->cmd == MS_CMD_TOP) {
		if (o->watch_ms)
			return usage_error(err, size,
				"--watch takes one PID, not 'top'");
		if (o->vmas)
			return usage_error(err, size,
				"--vmas goes with PIDs, not 'top'");
		return 0;
	}
	if (seen->limit || seen->sort || o->cgroup)
		return usage_error(err, size,
			"-n, --sort and --cgroup go with 'top'");
	if (o->watch_ms && o->nr_pids != 1)
		return usage_error(err, size, "--watch takes exactly one PID");
	if (o->watch_ms && o->format == MS_FMT_PROMETHEUS)
		return usage_error(err, size,
			"--watch and --prometheus do not go together");
	return 0;
}

int ms_cli_parse(int argc, char *argv[], struct ms_opts *o, char *err,
		 size_t size)
{
	struct seen seen = { 0 };
	int c;

	memset(o, 0, sizeof(*o));
	o->top_n = MS_TOP_DEFAULT;
	o->sort = MS_SORT_LAZYFREE;
	o->exp_top = MS_EXPORTER_TOP;
	o->max_cgroups = MS_EXPORTER_MAX_CGROUPS;
	err[0] = '\0';
	opterr = 0;
	optind = 0;	/* glibc: start afresh, even after an earlier parse */
	while ((c = getopt_long(argc, argv, ":w:c:n:s:jhV", long_options,
				NULL)) != -1) {
		if (parse_option(c, optarg, argv, o, &seen, err, size))
			return -1;
	}
	if (seen.help || seen.version) {
		o->cmd = seen.help ? MS_CMD_HELP : MS_CMD_VERSION;
		return 0;
	}
	if (parse_operands(argc, argv, o, err, size))
		return -1;
	return check_combinations(o, &seen, err, size);
}

void ms_cli_free(struct ms_opts *o)
{
	free(o->pids);
	o->pids = NULL;
	o->nr_pids = 0;
}

void ms_cli_usage(FILE *f)
{
	fputs(
"Usage: madvstat [OPTION]... PID...\n"
"       madvstat top [-n N] [--sort KEY] [--cgroup] [OPTION]...\n"
"       madvstat exporter [--listen [ADDR]:PORT] [--top N] [--textfile DIR]\n"
"       madvstat explain PID\n"
"How much of a process's memory is lazily freed (MADV_FREE): memory it\n"
"already gave back that still counts in its RSS until the kernel needs it.\n"
"Reads /proc/madvstat (madvstat.ko), else /proc/PID/smaps_rollup.\n"
"\n"
"Commands:\n"
"  PID...               a summary and a verdict for each process\n"
"  top                  every process, largest first\n"
"  exporter             serve Prometheus metrics over HTTP, and/or write\n"
"                       them for node_exporter's textfile collector\n"
"  explain PID          one screen in plain words: the process, its cgroup's\n"
"                       limits, whether its lazily freed memory puts them\n"
"                       at risk, its runtime's switch, what to run next\n"
"\n"
"Options:\n"
"  -w, --watch SECS     redraw the summary of one PID every SECS seconds,\n"
"                       with the changes since the previous sample\n"
"  -c, --count N        with --watch: stop after N samples\n"
"      --csv FILE       with --watch: also write each sample to FILE as CSV\n"
"                       ('-': to standard output, instead of the summary)\n"
"      --svg FILE       with --watch: when it ends (--count, the process\n"
"                       exits, Ctrl-C), draw the samples as an SVG chart\n"
"  -n, --limit N        top: show the first N lines (default 20; 0: all)\n"
"  -s, --sort KEY       top: sort by lazyfree (default), reclaimed or rss\n"
"      --cgroup         top: one line per cgroup (v2), summed\n"
"      --vmas           also show each VMA holding lazily freed pages\n"
"  -j, --json           one JSON object per line, sizes in bytes\n"
"      --prometheus     Prometheus text format, for node_exporter's\n"
"                       textfile collector\n"
"      --no-module      read smaps_rollup even if the module is loaded\n"
"\n"
"Exporter options (Documentation/exporter.rst lists the metrics):\n"
"      --listen [ADDR]:PORT  serve /metrics there (default " MS_EXPORTER_LISTEN ";\n"
"                       the default when --textfile is not given)\n"
"      --top N          export the N processes holding the most lazily\n"
"                       freed memory, with pid and comm labels (default 5)\n"
"      --max-cgroups N  export at most N cgroups (default 1000)\n"
"      --textfile DIR   write DIR/madvstat.prom atomically every --interval\n"
"      --interval SECS  seconds between textfile writes (default 60)\n"
"      --once           write the textfile once and exit\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"
"Exit status: 0 every process reported, 1 a process could not be read,\n"
"2 usage error. See madvstat(1).\n", f);
}
