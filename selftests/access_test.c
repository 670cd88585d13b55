// SPDX-License-Identifier: GPL-2.0
/*
 * Who may open /proc/madvstat/<pid>, and how the file behaves as a file:
 * errors for bad names and modes, seq_file reads and seeks, and entries
 * of processes that die.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define NOBODY		65534
#define BIG_READ	(1 << 20)

static void entry_path(char *buf, size_t size, pid_t pid)
{
	snprintf(buf, size, MT_MADVSTAT_DIR "/%d", (int)pid);
}

/* 0 if pid's entry opens and reads, else the errno of the failure. */
static int try_read(pid_t pid)
{
	char path[64], buf[256];
	int fd, err = 0;

	entry_path(path, sizeof(path), pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	errno = 0;
	if (read(fd, buf, sizeof(buf)) <= 0)
		err = errno ? errno : EIO;	/* EIO also for an empty read */
	close(fd);
	return err;
}

/*
 * try_read() of target (0: itself) from a forked process that is nobody,
 * optionally made non-dumpable. Returns the errno, or -1 on setup failure.
 */
static int try_read_as_nobody(pid_t target, bool dumpable)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (mt_become(NOBODY, NOBODY))
			_exit(255);
		if (!dumpable && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
			_exit(255);
		if (!target)
			target = getpid();
		_exit(try_read(target));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) >= 254 ? -1 : WEXITSTATUS(status);
}

/* Commands for a helper child: become nobody, become non-dumpable. */
static void target_cmd(void *arg, char cmd)
{
	(void)arg;
	if (cmd == 'n' && mt_become(NOBODY, NOBODY))
		_exit(1);
	if (cmd == 'u' && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		_exit(1);
}

/* Keeps owner_read at N outside the tests that set it. */
FIXTURE(owner) {
	struct mt_child nobody;		/* another process of nobody's */
};

FIXTURE_SETUP(owner)
{
	if (access(MT_OWNER_READ, W_OK))
		SKIP(return, "no writable %s", MT_OWNER_READ);
	ASSERT_EQ(0, ms_write_str(MT_OWNER_READ, "N"));
	ASSERT_EQ(0, mt_child_start(&self->nobody, target_cmd, NULL));
	ASSERT_EQ(0, mt_child_cmd(&self->nobody, 'n'));
}

FIXTURE_TEARDOWN(owner)
{
	EXPECT_EQ(0, ms_write_str(MT_OWNER_READ, "N"));
	if (self->nobody.pid > 0)
		mt_child_stop(&self->nobody);
}

TEST_F(owner, denied_by_default)
{
	EXPECT_EQ(EACCES, try_read_as_nobody(0, true));
	EXPECT_EQ(EACCES, try_read_as_nobody(1, true));
	EXPECT_EQ(EACCES, try_read_as_nobody(getpid(), true));
	EXPECT_EQ(EACCES, try_read_as_nobody(self->nobody.pid, true));
	/* Root (CAP_SYS_PTRACE) reads anyone. */
	EXPECT_EQ(0, try_read(self->nobody.pid));
	EXPECT_EQ(0, try_read(getpid()));
}

TEST_F(owner, owner_read)
{
	char val[8];

	ASSERT_EQ(0, ms_write_str(MT_OWNER_READ, "Y"));
	ASSERT_EQ(0, ms_read_str(MT_OWNER_READ, val, sizeof(val)));
	ASSERT_STREQ("Y", val);

	EXPECT_EQ(0, try_read_as_nobody(0, true));
	EXPECT_EQ(0, try_read_as_nobody(self->nobody.pid, true));
	/* Other owners stay closed: init and this (root) process. */
	EXPECT_EQ(EACCES, try_read_as_nobody(1, true));
	EXPECT_EQ(EACCES, try_read_as_nobody(getpid(), true));
	/* So does a non-dumpable process, even to itself. */
	EXPECT_EQ(EACCES, try_read_as_nobody(0, false));
	ASSERT_EQ(0, mt_child_cmd(&self->nobody, 'u'));
	EXPECT_EQ(EACCES, try_read_as_nobody(self->nobody.pid, true));
	/* Root still reads the non-dumpable one. */
	EXPECT_EQ(0, try_read(self->nobody.pid));

	ASSERT_EQ(0, ms_write_str(MT_OWNER_READ, "N"));
	EXPECT_EQ(EACCES, try_read_as_nobody(0, true));
}

TEST(unknown_names)
{
	static const char *const names[] = { "999999", "0", "abc", "-1" };
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%s", names[i]);
		EXPECT_EQ(-1, open(path, O_RDONLY));
		EXPECT_EQ(ENOENT, errno) {
			TH_LOG("%s", path);
		}
	}
}

/*
 * The module enters a new process before fork() returns to the parent or
 * the child, so neither ever finds the entry missing.
 */
TEST(entry_exists_when_fork_returns)
{
	int in_parent = 0, in_child = 0, i;

	for (i = 0; i < 200; i++) {
		int go[2], res[2], status, fd;
		char path[64], c = 0;
		pid_t pid;

		ASSERT_EQ(0, pipe(go));
		ASSERT_EQ(0, pipe(res));
		fflush(NULL);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(go[1]);
			entry_path(path, sizeof(path), getpid());
			fd = open(path, O_RDONLY);
			c = fd < 0 ? (char)errno : 0;
			if (write(res[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		entry_path(path, sizeof(path), pid);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			in_parent++;
		else
			close(fd);
		ASSERT_EQ(1, read(res[0], &c, 1));
		if (c)
			in_child++;
		close(go[1]);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		close(go[0]);
		close(res[0]);
		close(res[1]);
	}
	TH_LOG("200 forks: entry missing %d times in the parent, %d in the child",
	       in_parent, in_child);
	EXPECT_EQ(0, in_parent);
	EXPECT_EQ(0, in_child);
}

TEST(open_for_writing)
{
	char path[64];

	entry_path(path, sizeof(path), getpid());
	EXPECT_EQ(-1, open(path, O_WRONLY));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, open(path, O_RDWR));
	EXPECT_EQ(EACCES, errno);
}

/* A child with 64 lazily freed pages, so its report has a VMA line. */
static void lazy_child_cmd(void *arg, char cmd)
{
	size_t len = 64 * mt_page_size();
	char *p;

	(void)arg;
	if (cmd != 'f')
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mt_thp_advise(p, len, MADV_NOHUGEPAGE))
		_exit(1);
	memset(p, 1, len);
	if (madvise(p, len, MADV_FREE))
		_exit(1);
}

FIXTURE(quiet) {
	struct mt_child child;
	char path[64];
	char *full;
	ssize_t len;
};

FIXTURE_SETUP(quiet)
{
	int fd;

	ASSERT_EQ(0, mt_pin_cpu(0));
	ASSERT_EQ(0, mt_child_start(&self->child, lazy_child_cmd, NULL));
	ASSERT_EQ(0, mt_child_cmd(&self->child, 'f'));
	ASSERT_EQ(0, mt_drain_lru());
	entry_path(self->path, sizeof(self->path), self->child.pid);

	self->full = malloc(BIG_READ);
	ASSERT_NE(NULL, self->full);
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	self->len = read(fd, self->full, BIG_READ);
	close(fd);
	ASSERT_LT(0, self->len);
	ASSERT_LT(self->len, BIG_READ);
	ASSERT_NE(NULL, memmem(self->full, (size_t)self->len, "[anon]", 6));
}

FIXTURE_TEARDOWN(quiet)
{
	free(self->full);
	if (self->child.pid > 0)
		mt_child_stop(&self->child);
}

TEST_F(quiet, byte_reads)
{
	char *bytes = malloc((size_t)self->len + 1);
	ssize_t n, got = 0;
	int fd = open(self->path, O_RDONLY);

	ASSERT_NE(NULL, bytes);
	ASSERT_LE(0, fd);
	while (got <= self->len && (n = read(fd, bytes + got, 1)) == 1)
		got++;
	EXPECT_EQ(0, n);
	close(fd);
	ASSERT_EQ(self->len, got);
	EXPECT_EQ(0, memcmp(self->full, bytes, (size_t)got));
	free(bytes);
}

TEST_F(quiet, pread_and_seek)
{
	const off_t offsets[] = { 1, 7, 101, 17, self->len - 5 };
	char buf[64];
	size_t i;
	int fd = open(self->path, O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_LT(101, self->len);
	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		off_t off = offsets[i];
		size_t want = sizeof(buf);

		if ((size_t)(self->len - off) < want)
			want = (size_t)(self->len - off);
		EXPECT_EQ((ssize_t)want, pread(fd, buf, sizeof(buf), off));
		EXPECT_EQ(0, memcmp(self->full + off, buf, want)) {
			TH_LOG("pread at %ld differs", (long)off);
		}
	}
	EXPECT_EQ(0, pread(fd, buf, sizeof(buf), self->len));
	EXPECT_EQ(0, pread(fd, buf, sizeof(buf), self->len + 4096));

	EXPECT_EQ(50, lseek(fd, 50, SEEK_SET));
	EXPECT_EQ(10, read(fd, buf, 10));
	EXPECT_EQ(0, memcmp(self->full + 50, buf, 10));
	EXPECT_EQ(65, lseek(fd, 5, SEEK_CUR));
	EXPECT_EQ(10, read(fd, buf, 10));
	EXPECT_EQ(0, memcmp(self->full + 65, buf, 10));
	/* seq_file knows no end before it has read it. */
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/*
 * Open files outlive the process: a read after it exited gives ESRCH (or
 * EIO if its entry is already gone), once the entry is gone always EIO.
 */
TEST_F(quiet, exit_after_open)
{
	int early = open(self->path, O_RDONLY);
	int late = open(self->path, O_RDONLY);
	char buf[64];
	pid_t pid = self->child.pid;

	ASSERT_LE(0, early);
	ASSERT_LE(0, late);
	ASSERT_EQ(0, mt_child_stop(&self->child));
	self->child.pid = 0;

	EXPECT_EQ(-1, read(early, buf, sizeof(buf)));
	EXPECT_TRUE(errno == ESRCH || errno == EIO) {
		TH_LOG("read right after exit: %s", strerror(errno));
	}
	ASSERT_EQ(0, mt_wait_entry(pid, false, 2000));
	EXPECT_EQ(-1, read(late, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pread(late, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	close(early);
	close(late);
}

/*
 * A zombie has no entry: its last thread removes it on the way out, before
 * the parent is notified, so it is gone when waitid() returns. Waits for
 * child pid to exit, checks that, reaps it; info is how it exited.
 */
static void expect_gone_when_waited(struct __test_metadata *_metadata,
				    pid_t pid, siginfo_t *info)
{
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, waitid(P_PID, (id_t)pid, info, WEXITED | WNOWAIT));
	EXPECT_EQ(ENOENT, try_read(pid));
	EXPECT_EQ(pid, waitpid(pid, NULL, 0));
}

TEST(zombie)
{
	siginfo_t info;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(0);
	expect_gone_when_waited(_metadata, pid, &info);
}

/* The same for a process whose last thread is not its leader. */
static void *exit_group_later(void *arg)
{
	(void)arg;
	usleep(10000);
	_exit(0);
}

TEST(zombie_threaded)
{
	siginfo_t info;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, exit_group_later, NULL))
			_exit(1);
		pthread_exit(NULL);	/* the leader goes first */
	}
	expect_gone_when_waited(_metadata, pid, &info);
	EXPECT_EQ(0, info.si_status);
}

TEST_HARNESS_MAIN
