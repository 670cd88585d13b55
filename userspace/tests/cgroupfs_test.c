// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control-file helpers on plain files: whole reads and
 * writes, and the two ways ms_cgroup_reclaim() asks a cgroup for memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "tap.h"

static char dir[] = "/tmp/madvstat-cgroupfs-XXXXXX";

static const char *at(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Control files exist before anyone writes them: make ours. */
static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_files(void)
{
	char buf[16];

	put("f", "a longer old content\n");
	is(ms_write_str(at("f"), "12345\n"), 0, "write a file");
	is(ms_read_str(at("f"), buf, sizeof(buf)), 0, "read it back");
	ok(!strcmp(buf, "12345"), "without its newline");
	is(ms_read_str(at("f"), buf, 4), 0, "read into a short buffer");
	ok(!strcmp(buf, "123"), "cut to the buffer, NUL-terminated");
	is(ms_read_str(at("missing"), buf, sizeof(buf)), -ENOENT,
	   "a missing file is -ENOENT");
	is(ms_write_str(at("missing"), "1"), -ENOENT,
	   "writing a file that does not exist is -ENOENT");
}

static void test_reclaim(void)
{
	char buf[32];

	/* No memory.reclaim (before 5.19): memory.high is lowered, then restored. */
	put("memory.current", "1048576\n");
	put("memory.high", "max\n");
	is(ms_cgroup_reclaim(dir, 4096), 0, "reclaim by memory.high");
	ms_read_str(at("memory.high"), buf, sizeof(buf));
	ok(!strcmp(buf, "max"), "memory.high put back as it was");
	unlink(at("memory.high"));
	is(ms_cgroup_reclaim(dir, 4096), -ENOENT,
	   "without memory.high either: -ENOENT");

	/* memory.reclaim: the amount in bytes. */
	put("memory.reclaim", "");
	is(ms_cgroup_reclaim(dir, 65536), 0, "reclaim by memory.reclaim");
	ms_read_str(at("memory.reclaim"), buf, sizeof(buf));
	ok(!strcmp(buf, "65536"), "the amount written in bytes");
}

static void test_numbers(void)
{
	static const char stat[] =
		"anon 1000\npglazyfree_x 5\npglazyfree 65536\n"
		"pglazyfreed 7\nbad 12x\nlast 9";
	uint64_t v = 0;

	put("memory.max", "536870912\n");
	is(ms_cgroup_read_u64(dir, "memory.max", &v), 0, "memory.max: a number");
	is(v, 536870912, "its value");
	put("memory.max", "max\n");
	is(ms_cgroup_read_u64(dir, "memory.max", &v), -ERANGE,
	   "memory.max 'max': -ERANGE (no limit)");
	put("memory.max", "12 kB\n");
	is(ms_cgroup_read_u64(dir, "memory.max", &v), -EBADMSG,
	   "not one number: -EBADMSG");
	is(ms_cgroup_read_u64(dir, "memory.none", &v), -ENOENT,
	   "a missing file: -ENOENT");
	unlink(at("memory.max"));
	is(ms_cgroup_stat_get(stat, "pglazyfree", &v), 0,
	   "memory.stat: a key found whole, not by prefix");
	is(v, 65536, "its value");
	ok(!ms_cgroup_stat_get(stat, "pglazyfreed", &v) && v == 7,
	   "the next key");
	ok(!ms_cgroup_stat_get(stat, "last", &v) && v == 9,
	   "the last line without a newline");
	is(ms_cgroup_stat_get(stat, "bad", &v), -EBADMSG, "not a number");
	is(ms_cgroup_stat_get(stat, "pgfault", &v), -ENOENT, "absent");
	is(ms_cgroup_stat_get("", "anon", &v), -ENOENT, "empty text");
}

static void test_join(void)
{
	static const struct {
		const char *root, *path, *want;
	} cases[] = {
		{ NULL, "/a/b", "/a/b" },
		{ "", "/", "/" },
		{ "/k/pod1/ctr", "/", "/k/pod1/ctr" },
		{ "/k/pod1/ctr", "/../../pod2/ctr2", "/k/pod2/ctr2" },
		{ "/k/pod1/ctr", "/../../../init.scope", "/init.scope" },
		{ "/k/pod1/ctr", "/./x//y/", "/k/pod1/ctr/x/y" },
		{ "/k", "/../..", NULL },
		{ NULL, "/..", NULL },
		{ "/a", "/..", "/" },
	};
	char what[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = ms_cgroup_join(cases[i].root, cases[i].path);

		snprintf(what, sizeof(what), "join '%s' '%s' -> %s",
			 cases[i].root ? cases[i].root : "(null)",
			 cases[i].path, cases[i].want ? cases[i].want : "NULL");
		ok(cases[i].want ? got && !strcmp(got, cases[i].want) : !got,
		   what);
		free(got);
	}
}

static void test_find_pid(void)
{
	char path[128], found[128];

	snprintf(path, sizeof(path), "%s/k", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/k/pod1", dir);
	mkdir(path, 0755);
	put("cgroup.procs", "1\n2\n");
	put("k/cgroup.procs", "");
	put("k/pod1/cgroup.procs", "70\n4242\n");
	is(ms_cgroup_find_pid(dir, 4242, found, sizeof(found)), 0,
	   "find_pid: found below");
	ok(!strcmp(found, "/k/pod1"), "find_pid: its path below the root");
	ok(!ms_cgroup_find_pid(dir, 2, found, sizeof(found)) && !*found,
	   "find_pid: in the root itself: an empty path");
	is(ms_cgroup_find_pid(dir, 424, found, sizeof(found)), -ENOENT,
	   "find_pid: not a prefix of a listed PID");
	unlink(at("k/pod1/cgroup.procs"));
	unlink(at("k/cgroup.procs"));
	unlink(at("cgroup.procs"));
	rmdir(at("k/pod1"));
	rmdir(at("k"));
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_files();
	test_reclaim();
	test_numbers();
	test_join();
	test_find_pid();
	unlink(at("f"));
	unlink(at("memory.current"));
	unlink(at("memory.reclaim"));
	rmdir(dir);
	return tap_done();
}
