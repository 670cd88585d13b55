// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the parser of /proc/madvstat/processes: columns by name,
 * unknown columns skipped, '-' as unknown, octal escapes, the unreadable
 * count, malformed tables, and reading a file in chunks.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "proctable.h"
#include "tap.h"

#define KB 1024ULL
#define HEADER "Pid Rss RssAnon LazyFree LazyFreeDirty Droppable Marked " \
	"Reclaimed Rescued RescuedPinned Dropped ReclaimFreed Name Cgroup\n"

static const char table_fixture[] =
	"# unreadable 3\n"
	HEADER
	"1 10240 2048 0 0 0 0 0 0 0 0 0 systemd /init.scope\n"
	"4242 265588 262704 196608 65536 0 262144 1024 0 0 0 512 madvfree-repro /app.slice/repro.service\n"
	"77 8192 4096 2048 0 0 - - - - - - my\\040worker /a\\040b/c\\134d\n";

/* What the callback saw. */
struct seen {
	struct ms_proc v[8];
	size_t n;
	int stop_at;	/* return -EINTR at this row (1-based); 0: never */
};

static int keep(void *arg, struct ms_proc *p)
{
	struct seen *s = arg;

	if (s->n == sizeof(s->v) / sizeof(s->v[0]))
		return -ENOSPC;
	s->v[s->n++] = *p;
	p->cgroup = NULL;
	return s->stop_at && (int)s->n == s->stop_at ? -EINTR : 0;
}

static void seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		ms_proc_free(&s->v[i]);
	s->n = 0;
}

static int parse(const char *text, struct seen *s, struct ms_table *t,
		 const char **err)
{
	ms_table_init(t, keep, s);
	return ms_table_parse(t, text, strlen(text), err);
}

static void test_fixture(void)
{
	struct seen s = { 0 };
	struct ms_table t;
	const char *err = "";
	struct ms_proc *p;

	is(parse(table_fixture, &s, &t, &err), 0, "the fixture parses");
	is(s.n, 3, "three rows");
	ok(t.unreadable_known && t.unreadable == 3, "# unreadable 3");
	p = &s.v[1];
	is(p->pid, 4242, "Pid");
	ok(!strcmp(p->comm, "madvfree-repro"), "Name");
	ok(p->cgroup && !strcmp(p->cgroup, "/app.slice/repro.service"),
	   "Cgroup");
	is(p->val[MS_RSS], 265588 * KB, "Rss in bytes");
	is(p->val[MS_RSS_ANON], 262704 * KB, "RssAnon in bytes");
	is(p->val[MS_LAZYFREE], 196608 * KB, "LazyFree in bytes");
	is(p->val[MS_LAZYFREE_DIRTY], 65536 * KB, "LazyFreeDirty in bytes");
	is(p->val[MS_MARKED], 262144 * KB, "Marked in bytes");
	is(p->val[MS_RECLAIMED], 1024 * KB, "Reclaimed in bytes");
	ok(p->known[MS_DROPPED] && !p->val[MS_DROPPED], "Dropped 0 known");
	is(p->val[MS_RSS_EFFECTIVE], (265588 - 196608) * KB,
	   "RssEffective derived: Rss - LazyFree");
	ok(p->known[MS_RSS_EFFECTIVE], "RssEffective known");
	ok(p->source == MS_SRC_MODULE && p->nr_procs == 1 &&
	   !p->tracking_known, "source module, one process, no Tracking");
	p = &s.v[2];
	ok(!p->known[MS_MARKED] && !p->known[MS_RECLAIMED] &&
	   !p->known[MS_DROPPED], "'-': counters unknown (tracking off)");
	ok(p->known[MS_LAZYFREE] && p->val[MS_LAZYFREE] == 2048 * KB,
	   "the snapshot is known without tracking");
	ok(!strcmp(p->comm, "my worker"), "Name: \\040 is a space");
	ok(p->cgroup && !strcmp(p->cgroup, "/a b/c\\d"),
	   "Cgroup: \\040 and \\134 undone");
	seen_free(&s);
}

static void test_columns_by_name(void)
{
	static const char reordered[] =
		"Name Future LazyFree Pid Rss\n"
		"sh 7 4 12 8\n"
		"# a comment of a later version\n"
		"\\134x\\7 x 0 13 4\n";
	static const char minimal[] = "Pid Rss LazyFree Name\n9 4 0 init\n";
	struct seen s = { 0 };
	struct ms_table t;
	const char *err = "";

	is(parse(reordered, &s, &t, &err), 0,
	   "columns in another order, an unknown column, a comment");
	ok(s.n == 2 && s.v[0].pid == 12 && s.v[0].val[MS_LAZYFREE] == 4 * KB &&
	   s.v[0].val[MS_RSS] == 8 * KB && !strcmp(s.v[0].comm, "sh"),
	   "values found by column name");
	ok(!s.v[0].cgroup && !s.v[0].known[MS_RSS_ANON],
	   "absent columns are unknown");
	ok(!strcmp(s.v[1].comm, "\\x\\7"),
	   "a backslash not followed by 3 octal digits stays");
	ok(!t.unreadable_known, "no # unreadable line: not known");
	seen_free(&s);
	is(parse(minimal, &s, &t, &err), 0, "Pid Rss LazyFree Name suffice");
	seen_free(&s);
	is(parse("# unreadable 0\n" HEADER, &s, &t, &err), 0,
	   "no process readable: a header only");
	ok(s.n == 0 && t.unreadable == 0 && t.unreadable_known,
	   "no row, unreadable 0");
}

static void test_malformed(void)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "", "empty: no header" },
		{ "# unreadable 2\n", "no header" },
		{ "# unreadable x\n" HEADER, "unreadable not a number" },
		{ "Pid Rss Name\n", "header without LazyFree" },
		{ "Pid Rss LazyFree Name\n1 2 3\n", "a row short of a column" },
		{ "Pid Rss LazyFree Name\n1 2 3 a b\n", "a row with a column more" },
		{ "Pid Rss LazyFree Name\n1 2x 3 a\n", "a value not a number" },
		{ "Pid Rss LazyFree Name\n0 2 3 a\n", "PID 0" },
		{ "Pid Rss LazyFree Name\n-1 2 3 a\n", "a negative PID" },
		{ "Pid Rss LazyFree Name\n1 -2 3 a\n", "a negative size" },
		{ "Pid Rss LazyFree Name\n1 99999999999999999999 3 a\n",
		  "a size that overflows" },
		{ "Pid Rss LazyFree Name\n1 18014398509481984 3 a\n",
		  "kB that overflow in bytes" },
		{ "Pid Rss LazyFree Name\n1 2 3 a", "last line not terminated" },
		{ "Pid Rss LazyFree Name\n\n", "an empty line" },
		{ "Pid  Rss LazyFree Name\n", "an empty column name" },
	};
	struct seen s = { 0 };
	struct ms_table t;
	char what[96];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *err = NULL;

		snprintf(what, sizeof(what), "malformed: %s", bad[i].why);
		ok(parse(bad[i].text, &s, &t, &err) == -EBADMSG && err && *err,
		   what);
		seen_free(&s);
	}
	s.stop_at = 2;
	{
		const char *err = NULL;

		is(parse(table_fixture, &s, &t, &err), -EINTR,
		   "a callback's error stops the parse and is returned");
	}
	is(s.n, 2, "no row after the stop");
	seen_free(&s);
}

/* A table of n rows, written to root/madvstat/processes. */
static int write_table(const char *root, int n)
{
	char path[PATH_MAX];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/madvstat", root);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/madvstat/processes", root);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("# unreadable 1\n" HEADER, f);
	for (i = 1; i <= n; i++)
		fprintf(f, "%d %d 4 %d 0 0 - - - - - - proc\\040%d /s/%d\n",
			i, 8 + i, i, i, i % 7);
	return fclose(f);
}

struct count {
	size_t rows;
	unsigned long long lazy;
};

static int count_row(void *arg, struct ms_proc *p)
{
	struct count *c = arg;

	c->rows++;
	c->lazy += p->val[MS_LAZYFREE] / KB;
	return 0;
}

static void test_read(void)
{
	char root[] = "/tmp/madvstat-proctable-test.XXXXXX";
	char cmd[PATH_MAX];
	struct count c = { 0 };
	struct ms_table t;
	const char *err = "";
	int n = 20000;

	if (!ok(mkdtemp(root) != NULL, "fixture directory"))
		return;
	ms_table_init(&t, count_row, &c);
	is(ms_table_read(&t, root, &err), -ENOENT,
	   "no table: -ENOENT (a module without it)");
	ok(!write_table(root, n), "a table of 20,000 processes");
	ms_table_init(&t, count_row, &c);
	is(ms_table_read(&t, root, &err), 0,
	   "read in chunks of 64 KiB, lines across the chunks");
	is(c.rows, n, "every row seen once");
	is(c.lazy, (unsigned long long)n * (n + 1) / 2, "every value right");
	ok(t.unreadable == 1, "the unreadable count");
	snprintf(cmd, sizeof(cmd), "printf 'Pid Rss LazyFree Name\\n1 2 3 %%070000d\\n' 0 > %s/madvstat/processes", root);
	if (!system(cmd)) {
		ms_table_init(&t, count_row, &c);
		is(ms_table_read(&t, root, &err), -EBADMSG,
		   "a line longer than the buffer is an error");
		ok(!strcmp(err, "line too long"), "and says so");
	}
	fixture_remove(root);
}

int main(void)
{
	test_fixture();
	test_columns_by_name();
	test_malformed();
	test_read();
	return tap_done();
}
