// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic replacement of a textfile-collector file; see textfile.h.
 */
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int ms_textfile_write(const char *dir, const char *name, const char *data,
		      size_t len, const char **what)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, dfd, err;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >=
	    sizeof(tmp)) {
		*what = "naming the file";
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		*what = "creating a temporary file";
		return -errno;
	}
	*what = "writing the temporary file";
	err = write_all(fd, data, len);
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (!err && fsync(fd)) {
		*what = "fsync() of the temporary file";
		err = -errno;
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path)) {
		*what = "renaming the temporary file";
		err = -errno;
	}
	if (err) {
		unlink(tmp);
		return err;
	}
	/* The rename itself, durable: fsync() the directory. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
