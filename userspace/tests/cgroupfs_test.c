// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control-file helpers on plain files: whole reads and
 * writes, and the two ways ms_cgroup_reclaim() asks a cgroup for memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_files();
	test_reclaim();
	unlink(at("f"));
	unlink(at("memory.current"));
	unlink(at("memory.reclaim"));
	rmdir(dir);
	return tap_done();
}
