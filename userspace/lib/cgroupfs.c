// SPDX-License-Identifier: GPL-2.0
/*
 * Small control files and cgroup reclaim; see cgroupfs.h.
 */
#include "cgroupfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ms_write_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	/* As the shell's "echo s > path", which every control file takes. */
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

int ms_read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/*
 * Before 5.19 there is no memory.reclaim. Writing memory.high reclaims
 * synchronously until the group's usage is below the new limit (5.10's
 * memory_high_write() loops over try_to_free_mem_cgroup_pages()), so set
 * it bytes below the current usage, then put the old limit back.
 */
static int ms_cgroup_squeeze_high(const char *dir, uint64_t bytes)
{
	char path[256], cur[32], old[32], high[32];
	unsigned long long usage;
	int err, err2;

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	err = ms_read_str(path, cur, sizeof(cur));
	if (err)
		return err;
	usage = strtoull(cur, NULL, 10);
	snprintf(path, sizeof(path), "%s/memory.high", dir);
	err = ms_read_str(path, old, sizeof(old));
	if (err)
		return err;
	snprintf(high, sizeof(high), "%llu",
		 usage > bytes ? usage - (unsigned long long)bytes : 0);
	err = ms_write_str(path, high);
	err2 = ms_write_str(path, old);
	return err ? err : err2;
}

int ms_cgroup_reclaim(const char *dir, uint64_t bytes)
{
	char path[256], amount[32];

	snprintf(path, sizeof(path), "%s/memory.reclaim", dir);
	if (access(path, F_OK) && errno == ENOENT)
		return ms_cgroup_squeeze_high(dir, bytes);
	snprintf(amount, sizeof(amount), "%llu", (unsigned long long)bytes);
	return ms_write_str(path, amount);
}
