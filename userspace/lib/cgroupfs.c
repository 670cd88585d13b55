// SPDX-License-Identifier: GPL-2.0
/*
 * Small control files and cgroup reclaim; see cgroupfs.h.
 */
#include "cgroupfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

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

int ms_cgroup_read_u64(const char *dir, const char *name, uint64_t *v)
{
	char path[4096], buf[32];
	const char *end;
	int err;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	err = ms_read_str(path, buf, sizeof(buf));
	if (err)
		return err;
	if (!strcmp(buf, "max"))
		return -ERANGE;
	end = buf + strlen(buf);
	return ms_parse_u64(buf, end, 10, v) == end ? 0 : -EBADMSG;
}

int ms_cgroup_stat_get(const char *text, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (*p) {
		const char *eol = p + strcspn(p, "\n");

		if ((size_t)(eol - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == ' ')
			return ms_parse_u64(p + klen + 1, eol, 10, v) == eol ?
			       0 : -EBADMSG;
		p = *eol ? eol + 1 : eol;
	}
	return -ENOENT;
}

/* A cgroup path that stays inside the cgroupfs: no "." or ".." part. */
static bool safe_path(const char *path)
{
	const char *p = path;

	if (!path || *path != '/')
		return false;
	while (*p) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
	}
	return true;
}

int ms_cgroup_dir(const char *cgroupfs, const char *path, char *dir,
		  size_t size)
{
	int n;

	if (!safe_path(path))
		return -EINVAL;
	n = snprintf(dir, size, "%s%s", cgroupfs, path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

void ms_cgroup_read_mem(const char *dir, struct ms_cgroup_mem *m)
{
	m->current_err = ms_cgroup_read_u64(dir, "memory.current",
					    &m->current);
	m->high_err = ms_cgroup_read_u64(dir, "memory.high", &m->high);
	m->max_err = ms_cgroup_read_u64(dir, "memory.max", &m->max);
}

char *ms_cgroup_join(const char *root, const char *path)
{
	size_t size = (root ? strlen(root) : 0) + strlen(path) + 3;
	char *out = malloc(size), *tmp = malloc(size), *part, *save;
	size_t n = 0;

	if (!out || !tmp)
		goto fail;
	snprintf(tmp, size, "%s/%s", root ? root : "", path);
	for (part = strtok_r(tmp, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			if (!n)
				goto fail;	/* above the root */
			while (n && out[n - 1] != '/')
				n--;
			n--;	/* the slash */
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, part, strlen(part));
		n += strlen(part);
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	free(tmp);
	return out;
fail:
	free(out);
	free(tmp);
	return NULL;
}

/* Whether the cgroup.procs text lists pid. */
static bool procs_has(const char *text, long pid)
{
	const char *p = text;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			return false;
		if (v == pid)
			return true;
		p = end + strspn(end, "\n");
	}
	return false;
}

/* dir and what is below it on the device dev, depth levels down. */
static int find_pid(char *dir, size_t len, size_t size, long pid, dev_t dev,
		    int depth)
{
	struct dirent *de;
	struct stat st;
	char *text;
	DIR *d;
	int ret = -ENOENT;

	/* Another mount (cgroup v1's controllers beside v2's): not ours. */
	if (stat(dir, &st) || st.st_dev != dev)
		return -ENOENT;
	if (len + sizeof("/cgroup.procs") > size)
		return -ENAMETOOLONG;
	strcpy(dir + len, "/cgroup.procs");
	text = ms_read_file(dir, NULL);
	dir[len] = '\0';
	if (text && procs_has(text, pid)) {
		free(text);
		return 0;
	}
	free(text);
	if (depth >= 32 || !(d = opendir(dir)))
		return -ENOENT;
	while (ret == -ENOENT && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    len + 1 + n >= size)
			continue;
		dir[len] = '/';
		memcpy(dir + len + 1, de->d_name, n + 1);
		ret = find_pid(dir, len + 1 + n, size, pid, dev, depth + 1);
		if (ret)
			dir[len] = '\0';
	}
	closedir(d);
	return ret;
}

int ms_cgroup_find_pid(const char *cgroupfs, long pid, char *out,
		       size_t size)
{
	size_t base = strlen(cgroupfs);
	struct stat st;
	char dir[4096];
	int ret;

	if (base >= sizeof(dir))
		return -ENAMETOOLONG;
	if (stat(cgroupfs, &st))
		return -errno;
	memcpy(dir, cgroupfs, base + 1);
	ret = find_pid(dir, base, sizeof(dir), pid, st.st_dev, 0);
	if (ret)
		return ret;
	if (strlen(dir + base) >= size)
		return -ENAMETOOLONG;
	strcpy(out, dir + base);
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
	char path[256], old[32], high[32];
	uint64_t usage;
	int err, err2;

	err = ms_cgroup_read_u64(dir, "memory.current", &usage);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/memory.high", dir);
	err = ms_read_str(path, old, sizeof(old));
	if (err)
		return err;
	snprintf(high, sizeof(high), "%llu",
		 (unsigned long long)(usage > bytes ? usage - bytes : 0));
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
