// SPDX-License-Identifier: GPL-2.0
/* A crowd of processes freeing memory on command: see crowd.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crowd.h"
#include "memtest.h"

static void child(const struct crowd *c, size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char b;

	if (p == MAP_FAILED)
		_exit(2);
	memset(p, 1, bytes);
	if (read(c->go_free[0], &b, 1) != 1)
		_exit(3);
	if (madvise(p, bytes, MADV_FREE))
		_exit(4);
	if (write(c->done[1], "d", 1) != 1)
		_exit(5);
	if (read(c->go_exit[0], &b, 1) != 1)
		_exit(6);
	_exit(0);
}

static int rw_bytes(int fd, int n, int writing)
{
	char buf[1024];
	ssize_t r;

	memset(buf, 'g', sizeof(buf));
	while (n > 0) {
		size_t chunk = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf);

		r = writing ? write(fd, buf, chunk) : read(fd, buf, chunk);
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		n -= (int)r;
	}
	return 0;
}

int crowd_start(struct crowd *c, int n, size_t bytes)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->pids = calloc((size_t)n, sizeof(pid_t));
	if (!c->pids)
		return -ENOMEM;
	if (pipe(c->go_free) || pipe(c->done) || pipe(c->go_exit)) {
		err = -errno;
		crowd_kill(c);
		return err;
	}
	while (c->nr < n) {
		pid_t pid = fork();

		if (pid == 0)
			child(c, bytes);
		if (pid < 0) {
			err = -errno;
			crowd_kill(c);
			return err;
		}
		c->pids[c->nr++] = pid;
	}
	return 0;
}

int crowd_free(struct crowd *c)
{
	int err = rw_bytes(c->go_free[1], c->nr, 1);

	return err ? err : rw_bytes(c->done[0], c->nr, 0);
}

int crowd_exit(struct crowd *c)
{
	int i, status, bad = 0;

	if (rw_bytes(c->go_exit[1], c->nr, 1))
		return c->nr;
	for (i = 0; i < c->nr; i++)
		if (waitpid(c->pids[i], &status, 0) != c->pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	c->nr = 0;
	crowd_kill(c);
	return bad;
}

void crowd_kill(struct crowd *c)
{
	int i, *fds[] = { c->go_free, c->done, c->go_exit };
	size_t f;

	for (i = 0; i < c->nr; i++)
		kill(c->pids[i], SIGKILL);
	for (i = 0; i < c->nr; i++)
		waitpid(c->pids[i], NULL, 0);
	c->nr = 0;
	free(c->pids);
	c->pids = NULL;
	for (f = 0; f < sizeof(fds) / sizeof(fds[0]); f++) {
		if (fds[f][0] > 0)
			close(fds[f][0]);
		if (fds[f][1] > 0)
			close(fds[f][1]);
		fds[f][0] = fds[f][1] = -1;
	}
}
