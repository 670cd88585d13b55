// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the /proc/madvstat/<pid> and smaps_rollup parser, on
 * fixtures written the way the module and the kernel print them.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tap.h"

static const char module_fixture[] =
	"Pid:               4242\n"
	"Name:          repro two\n"
	"Rss:             264816 kB\n"
	"RssAnon:         262528 kB\n"
	"LazyFree:        196608 kB\n"
	"LazyFreeDirty:    65536 kB\n"
	"RssEffective:     68208 kB\n"
	"\n"
	"7f0a00000000-7f0a10000000 rw-p 262144 196608 65536 [anon]\n"
	"55d000000000-55d000021000 rw-p 132 0 4 [heap]\n"
	"7f0b00000000-7f0b00001000 rw-p 4 4 0 /dev/zero (deleted)\n";

static const char rollup_fixture[] =
	"5591a0a00000-7ffd4b3f9000 ---p 00000000 00:00 0                          [rollup]\n"
	"Rss:                1460 kB\n"
	"Pss:                 213 kB\n"
	"Anonymous:            68 kB\n"
	"LazyFree:              0 kB\n"
	"SwapPss:               0 kB\n"
	"Locked:                0 kB\n";

static int parse(const char *text, struct ms_report *r)
{
	const char *err = NULL;
	unsigned int line = 0;

	return ms_report_parse(text, strlen(text), r, &err, &line);
}

static void test_module_format(void)
{
	struct ms_report r;

	ok(parse(module_fixture, &r) == 0, "module report parses");
	is(ms_report_get(&r, "Pid"), 4242, "Pid");
	ok(!strcmp(r.comm, "repro two"), "Name keeps its spaces");
	is(ms_report_get(&r, "LazyFree"), 196608, "LazyFree in kB");
	is(ms_report_get(&r, "LazyFreeDirty"), 65536, "LazyFreeDirty in kB");
	is(ms_report_get(&r, "RssEffective"), 68208, "RssEffective in kB");
	is(ms_report_get(&r, "Marked"), -1, "absent field reads -1");
	is(r.nr_vmas, 3, "three VMA lines");
	is(r.vmas[0].start, 0x7f0a00000000ULL, "VMA start");
	is(r.vmas[0].end, 0x7f0a10000000ULL, "VMA end");
	ok(!strcmp(r.vmas[0].perms, "rw-p"), "VMA perms");
	is(r.vmas[0].rss_anon_bytes, 262144 * 1024LL, "VMA RssAnon in bytes");
	is(r.vmas[0].lazyfree_bytes, 196608 * 1024LL, "VMA LazyFree in bytes");
	is(r.vmas[1].lazyfree_dirty_bytes, 4096, "VMA LazyFreeDirty in bytes");
	ok(!strcmp(r.vmas[2].name, "/dev/zero (deleted)"),
	   "VMA name keeps its spaces");
	ms_report_free(&r);
}

static void test_field_lookup(void)
{
	const struct ms_field *f;
	struct ms_report r;

	ok(parse(module_fixture, &r) == 0, "module report parses");
	f = ms_report_field(&r, "LazyFree");
	ok(f && f->is_kb && f->value == 196608, "field: a size in kB");
	f = ms_report_field(&r, "Pid");
	ok(f && !f->is_kb && f->value == 4242, "field: a plain number");
	f = ms_report_field(&r, "Name");
	ok(f && f->value == -1, "field: a text field is there, without a value");
	is(ms_report_get(&r, "Name"), -1, "a text field has no number");
	ok(!ms_report_field(&r, "Marked"), "field: absent is NULL");
	ok(!ms_report_field(&r, "lazyfree"), "field: names are exact");
	ms_report_free(&r);
}

static void test_rollup_format(void)
{
	struct ms_report r;

	ok(parse(rollup_fixture, &r) == 0, "smaps_rollup parses");
	is(ms_report_get(&r, "Rss"), 1460, "rollup Rss");
	is(ms_report_get(&r, "LazyFree"), 0, "rollup LazyFree");
	is(r.nr_vmas, 0, "rollup has no VMA lines");
	ms_report_free(&r);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"Rss: 12 kB",				/* no newline */
		"Rss 12 kB\n",				/* no colon */
		"Rss: twelve kB\n",
		"Rss: 12 MB\n",
		"Rss: -12 kB\n",
		"Rss: 99999999999999999999999 kB\n",	/* overflow */
		"R$s: 12 kB\n",
		"Rss: 1 kB\n\n7f-7e rw-p 1 1 1 [anon]\n", /* end < start */
		"Rss: 1 kB\n\n1000-2000 rw-p 1 1 [anon]\n", /* column missing */
		"Rss: 1 kB\n\n1000-2000 rw-p 1 1 1\n",	/* no name */
		"Rss: 1 kB\n\n1000-2000 rw-p 1 1 1 x\n\n", /* two blanks */
		/* a VMA size of 2^54 kB has no uint64_t in bytes */
		"Rss: 1 kB\n\n1000-2000 rw-p 18014398509481984 0 0 x\n",
		":12 kB\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ms_report r;
		char what[96];

		snprintf(what, sizeof(what), "malformed input %zu refused", i);
		ok(parse(bad[i], &r) == -1, what);
	}
}

static void test_error_position(void)
{
	const char *text = "Rss: 1 kB\nLazyFree: x kB\n";
	const char *err = NULL;
	unsigned int line = 0;
	struct ms_report r;

	ok(ms_report_parse(text, strlen(text), &r, &err, &line) == -1,
	   "bad value refused");
	is(line, 2, "error names line 2");
	ok(err && strstr(err, "number"), "error says a number was expected");
}

static void test_truncated_everywhere(void)
{
	size_t len = strlen(module_fixture), cut, accepted = 0;

	/* Every prefix either parses (cut at a line end) or is refused. */
	for (cut = 0; cut < len; cut++) {
		struct ms_report r;
		const char *err;
		unsigned int line;

		if (!ms_report_parse(module_fixture, cut, &r, &err, &line)) {
			accepted++;
			ok(module_fixture[cut - 1] == '\n',
			   "prefix accepted only at a line end");
			ms_report_free(&r);
		}
	}
	ok(accepted > 0, "some prefixes parse");
}

int main(void)
{
	test_module_format();
	test_field_lookup();
	test_rollup_format();
	test_malformed();
	test_error_position();
	test_truncated_everywhere();
	return tap_done();
}
