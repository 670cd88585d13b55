/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small control files (/proc, /sys, cgroup v2) read and written whole, and
 * reclaim asked of a cgroup: shared by madvfree-repro and the selftests.
 * Every function returns 0 or a negative errno.
 */
#ifndef MADVSTAT_CGROUPFS_H
#define MADVSTAT_CGROUPFS_H

#include <stddef.h>
#include <stdint.h>

/* Write s to the existing file path in one write(); a short write is -EIO. */
int ms_write_str(const char *path, const char *s);
/* Read a small file into buf (NUL-terminated), without its trailing newline. */
int ms_read_str(const char *path, char *buf, size_t size);
/*
 * The number in the file dir/name (memory.current, memory.max...): 0 and
 * *v, -ERANGE for "max" (no limit), -EBADMSG for anything else that is
 * not one number, or a negative errno.
 */
int ms_cgroup_read_u64(const char *dir, const char *name, uint64_t *v);
/*
 * The value of key in "key value" lines (memory.stat): 0 and *v,
 * -ENOENT if absent, -EBADMSG if not a number.
 */
int ms_cgroup_stat_get(const char *text, const char *key, uint64_t *v);
/*
 * The directory of the cgroup path (as /proc/PID/cgroup writes it, "/a/b")
 * below cgroupfs, into dir: 0, -EINVAL for a path that is not absolute or
 * has a "." or ".." part (it could leave cgroupfs), -ENAMETOOLONG.
 */
int ms_cgroup_dir(const char *cgroupfs, const char *path, char *dir,
		  size_t size);

/* A cgroup's memory.current, memory.high and memory.max. */
struct ms_cgroup_mem {
	uint64_t current, high, max;	/* bytes */
	/* Each 0 if read; -ERANGE for "max" (no limit); else why not. */
	int current_err, high_err, max_err;
};

/* Read m from the cgroup directory dir (ms_cgroup_dir()). */
void ms_cgroup_read_mem(const char *dir, struct ms_cgroup_mem *m);

/*
 * root and path ("/a/b", "/../c": a path as the kernel writes it for a
 * reader in a cgroup namespace rooted at root) joined into one absolute
 * path, "." and ".." resolved: malloc()ed, or NULL if it would climb
 * above "/" (or no memory). root may be NULL or "" for "/".
 */
char *ms_cgroup_join(const char *root, const char *path);
/*
 * The cgroup (a path below cgroupfs, "/..." or "" for the root) whose
 * cgroup.procs lists pid, searched to a depth of 32 directories on
 * cgroupfs's own file system (not into other mounts below it).
 * Returns 0, -ENOENT, or another negative errno.
 */
int ms_cgroup_find_pid(const char *cgroupfs, long pid, char *out,
		       size_t size);
/*
 * Ask the cgroup v2 directory dir to reclaim bytes: through memory.reclaim
 * (5.19+), or, where it does not exist, by lowering memory.high that much
 * below memory.current and putting the old limit back. memory.reclaim's
 * -EAGAIN (less reclaimable than asked) is passed on.
 */
int ms_cgroup_reclaim(const char *dir, uint64_t bytes);

#endif /* MADVSTAT_CGROUPFS_H */
