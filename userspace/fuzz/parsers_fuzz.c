// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for every parser of outside input in user space: the
 * first byte picks the parser, the rest is its input.
 *   0: /proc/madvstat/<pid> or smaps_rollup text -> ms_proc -> every output
 *   1: a CSV timeline -> SVG
 *   2: /proc/<pid>/cgroup text, and the layout of its path (cgname.h)
 *   3: a command line (arguments separated by NUL bytes)
 *   4: /proc/madvstat/processes text -> every row, named by the
 *      layout of its cgroup, through the outputs
 *   5: the exporter's small parsers: an Accept header, a --listen
 *      address, memory.stat text
 * Built and run by `make fuzz` (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgname.h"
#include "chart.h"
#include "cgroupfs.h"
#include "cli.h"
#include "expfmt.h"
#include "httpd.h"
#include "naming.h"
#include "output.h"
#include "procinfo.h"
#include "proctable.h"
#include "report.h"
#include "timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void fuzz_report(const char *text, size_t len)
{
	struct ms_report r;
	struct ms_proc p;
	const char *err;
	unsigned int line;

	if (ms_report_parse(text, len, &r, &err, &line))
		return;
	memset(&p, 0, sizeof(p));
	if (!ms_proc_from_module(&r, true, &p)) {
		ms_out_human(devnull, &p, NULL, true);
		ms_out_json(devnull, &p, false, true);
		ms_out_prometheus(devnull, &p, 1, false);
		ms_proc_free(&p);
	}
	memset(&p, 0, sizeof(p));
	if (!ms_proc_from_rollup(&r, &p)) {
		ms_out_human(devnull, &p, NULL, false);
		ms_out_json(devnull, &p, false, false);
		ms_proc_free(&p);
	}
	ms_report_free(&r);
}

static void fuzz_csv(const char *text)
{
	struct ms_sample *s;
	const char *err;
	int n = ms_timeline_parse_csv(text, &s, &err);

	if (n < 0)
		return;
	ms_chart_svg(devnull, s, n, text);
	free(s);
}

static void fuzz_argv(char *text, size_t len)
{
	char *argv[64], err[256];
	struct ms_opts o;
	int argc = 1;
	size_t i;

	argv[0] = "madvstat";
	argv[argc++] = text;
	for (i = 0; i < len && argc < 63; i++)
		if (!text[i])
			argv[argc++] = text + i + 1;
	argv[argc] = NULL;
	ms_cli_parse(argc, argv, &o, err, sizeof(err));
	ms_cli_free(&o);
}

static int fuzz_row(void *arg, struct ms_proc *p)
{
	struct ms_namer nm;

	(void)arg;
	ms_namer_init(&nm, NULL);
	ms_namer_name(&nm, p);
	ms_out_top(devnull, p, 1, false);
	ms_out_top(devnull, p, 1, true);
	ms_out_human(devnull, p, NULL, false);
	ms_out_json(devnull, p, false, false);
	ms_out_prometheus(devnull, p, 1, false);
	ms_namer_free(&nm);
	return 0;
}

static void fuzz_cgroup(const char *text)
{
	char buf[MS_CGNAME_STR_LEN];
	struct ms_cgname n;
	char *cg = ms_proc_parse_cgroup(text);

	ms_cgname_parse(cg ? cg : text, &n);
	ms_cgname_str(&n, true, buf, sizeof(buf));
	ms_cgname_str(&n, false, buf, 7);
	free(cg);
}

static void fuzz_table(const char *text, size_t len)
{
	struct ms_table t;
	const char *err;

	ms_table_init(&t, fuzz_row, NULL);
	ms_table_parse(&t, text, len, &err);
}

static void fuzz_exporter(const char *text)
{
	unsigned int port;
	char host[64];
	uint64_t v;

	ms_expfmt_negotiate(text);
	ms_listen_parse(text, host, sizeof(host), &port);
	ms_cgroup_stat_get(text, "pglazyfree", &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (size < 1)
		return 0;
	/* Every parser gets a NUL-terminated copy of exactly the input. */
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 6) {
	case 0:
		fuzz_report(text, size - 1);
		break;
	case 1:
		fuzz_csv(text);
		break;
	case 2:
		fuzz_cgroup(text);
		break;
	case 3:
		fuzz_argv(text, size - 1);
		break;
	case 4:
		fuzz_table(text, size - 1);
		break;
	case 5:
		fuzz_exporter(text);
		break;
	}
	free(text);
	return 0;
}
