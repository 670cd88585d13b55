// SPDX-License-Identifier: GPL-2.0
/*
 * Every way to misuse /proc/madvstat/ that Documentation/madvstat.rst
 * lists under "Misuse", with the errno each one gets. The table there and
 * the checks here are kept in the same order.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define NOBODY		65534
#define SUMMARY		MT_MADVSTAT_DIR "/summary"
#define PID_MAX		"/proc/sys/kernel/pid_max"

static int open_self(void)
{
	char path[64];

	snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%d", (int)getpid());
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Names that are not a live process's entry. */
TEST(bad_names)
{
	static const char *const names[] = {
		"999999", "0", "-1", "abc", "1abc", " 1", "01",
		"18446744073709551617", "self", "..madvstat", "summary/1",
	};
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%s", names[i]);
		errno = 0;
		EXPECT_EQ(-1, open(path, O_RDONLY));
		EXPECT_TRUE(errno == ENOENT || errno == ENOTDIR) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
	}
}

/* Nothing can be created, removed or renamed in the directory, by root either. */
TEST(directory_is_read_only)
{
	char path[64];

	snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%d", (int)getpid());
	/* procfs answers a lookup of a name it does not have with ENOENT. */
	EXPECT_EQ(-1, open(MT_MADVSTAT_DIR "/new", O_RDONLY | O_CREAT, 0600));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, mkdir(MT_MADVSTAT_DIR "/dir", 0700));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, rename(path, MT_MADVSTAT_DIR "/new"));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, unlink(path));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(path, MT_MADVSTAT_DIR "/summary"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, access(path, F_OK));
}

/* An entry is a file, the directory a directory. */
TEST(wrong_file_type)
{
	char path[64];

	snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%d", (int)getpid());
	EXPECT_EQ(-1, open(path, O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(-1, open(MT_MADVSTAT_DIR, O_WRONLY));
	EXPECT_EQ(EISDIR, errno);
}

/* Writing: refused at open, for root too; summary as well. */
TEST(writes)
{
	int fd;

	EXPECT_EQ(-1, open(SUMMARY, O_WRONLY));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, open(SUMMARY, O_RDWR | O_TRUNC));
	EXPECT_EQ(EACCES, errno);
	fd = open_self();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

/* Seeks: negative offsets fail, huge ones read nothing, SEEK_END is refused. */
TEST(seeks_and_offsets)
{
	char buf[64];
	int fd = open_self();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), -4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((off_t)1 << 40, lseek(fd, (off_t)1 << 40, SEEK_SET));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, pread(fd, buf, sizeof(buf), (off_t)1 << 50));
	/* And back: still the whole report. */
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(sizeof(buf), (size_t)read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "Pid:", 4));
	close(fd);
}

/* Reads of zero bytes and into a bad buffer. */
TEST(bad_reads)
{
	char buf[8];
	int fd = open_self();
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	ASSERT_LE(0, fd);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(0, read(fd, buf, 0));
	EXPECT_EQ(-1, read(fd, none, 64));
	EXPECT_EQ(EFAULT, errno);
	munmap(none, 4096);
	/* The file still reads from where it was. */
	EXPECT_EQ(4, read(fd, buf, 4));
	EXPECT_EQ(0, strncmp(buf, "Pid:", 4));
	close(fd);
}

/* mmap, ioctl and poll: what procfs does for a file without them. */
TEST(mmap_ioctl_poll)
{
	struct pollfd pfd;
	struct termios t;
	int fd = open_self(), n = -1;

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, ioctl(fd, TCGETS, &t));
	EXPECT_EQ(ENOTTY, errno);
	/* The VFS answers FIONREAD from the size, which procfs leaves at 0. */
	EXPECT_EQ(0, ioctl(fd, FIONREAD, &n));
	EXPECT_EQ(0, n);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLPRI };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);
	close(fd);
}

/*
 * Pid reuse, made quick: with pid_max 400, pids wrap around from 399 to
 * 300. fork_victim() forks a child that gets a pid >= 300 and runs fn (if
 * any) before waiting to be killed; reuse_pid() forks until a child gets
 * that pid again, and leaves that one waiting too. Both return the pid,
 * or 0.
 */
static pid_t fork_victim(void (*fn)(void))
{
	pid_t victim = 0;
	int tries;

	for (tries = 0; tries < 1000 && victim <= 0; tries++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (getpid() >= 300) {
				if (fn)
					fn();
				for (;;)
					pause();
			}
			_exit(0);
		}
		if (pid < 0)
			break;
		if (pid < 300)
			waitpid(pid, NULL, 0);
		else
			victim = pid;
	}
	return victim > 0 ? victim : 0;
}

static pid_t reuse_pid(pid_t victim, int *tries)
{
	pid_t again = 0;

	for (*tries = 0; *tries < 2000 && again != victim; (*tries)++) {
		again = fork();
		if (again == 0) {
			for (;;)
				pause();
		}
		if (again < 0)
			return 0;
		if (again != victim) {
			kill(again, SIGKILL);
			waitpid(again, NULL, 0);
		}
	}
	return again == victim ? again : 0;
}

static void kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Open an entry, the process dies and its pid is reused: the open file
 * fails with EIO and never shows the new process.
 */
TEST(pid_reused_after_open)
{
	char path[64], buf[256], saved[32];
	pid_t victim, again;
	int fd, tries;

	ASSERT_EQ(0, ms_read_str(PID_MAX, saved, sizeof(saved)));
	ASSERT_EQ(0, ms_write_str(PID_MAX, "400"));
	victim = fork_victim(NULL);
	EXPECT_LT(0, victim);
	EXPECT_EQ(0, mt_wait_entry(victim, true, 2000));
	snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%d", (int)victim);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	EXPECT_LE(0, fd);
	kill_wait(victim);

	again = reuse_pid(victim, &tries);
	EXPECT_EQ(0, ms_write_str(PID_MAX, saved));
	ASSERT_EQ(victim, again) {
		TH_LOG("pid %d not reused after %d forks", (int)victim, tries);
	}
	TH_LOG("pid %d reused after %d forks", (int)victim, tries);
	/* The file opened for the old process never shows the new one. */
	errno = 0;
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno) {
		TH_LOG("%s", strerror(errno));
	}
	close(fd);
	kill_wait(again);
}

/* What the victim of pid_reused_counters does: free 1 MiB, drained. */
static void free_1m(void)
{
	if (!mt_lazy_free_area(1UL << 20))
		_exit(1);
	mt_drain_lru();
}

/*
 * A process that frees memory dies; a new one gets its pid: the new
 * entry's counters start from zero (not a stress of the lookup: the
 * module keys counters by address space, and a new process's mm_struct
 * is often the old one's memory reused).
 */
TEST(pid_reused_counters)
{
	char saved[32];
	pid_t victim, again;
	int64_t marked = -1;
	int tries, waited;

	if (access(MT_MADVSTAT_DIR "/summary", R_OK) ||
	    mt_madvstat_get(getpid(), "Marked") < 0)
		SKIP(return, "tracking is off: no Marked field");
	ASSERT_EQ(0, ms_read_str(PID_MAX, saved, sizeof(saved)));
	ASSERT_EQ(0, ms_write_str(PID_MAX, "400"));
	victim = fork_victim(free_1m);
	EXPECT_LT(0, victim);
	for (waited = 0; waited < 5000 && marked != 1024; waited += 10) {
		marked = mt_madvstat_get(victim, "Marked");
		usleep(10 * 1000);
	}
	EXPECT_EQ(1024, marked);
	kill_wait(victim);

	again = reuse_pid(victim, &tries);
	EXPECT_EQ(0, ms_write_str(PID_MAX, saved));
	ASSERT_EQ(victim, again) {
		TH_LOG("pid %d not reused after %d forks", (int)victim, tries);
	}
	EXPECT_EQ(0, mt_wait_entry(again, true, 2000));
	EXPECT_EQ(again, mt_madvstat_get(again, "Pid"));
	EXPECT_EQ(0, mt_madvstat_get(again, "Marked"));
	EXPECT_EQ(0, mt_madvstat_get(again, "Reclaimed"));
	kill_wait(again);
}

/* Run fn in a forked child; its exit status, or -1 if it did not exit. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int read_as_nobody(void)
{
	char *text;
	size_t len;
	int ret = 0;

	if (mt_become(NOBODY, NOBODY))
		return 10;
	if (open(MT_MADVSTAT_DIR "/1", O_RDONLY) != -1 || errno != EACCES)
		return 11;
	text = ms_read_file(SUMMARY, &len);
	if (!text || strncmp(text, "Processes:            0\n", 24))
		ret = 12;
	free(text);
	return ret;
}

/* Unprivileged: entries refused, the summary covers nothing. */
TEST(unprivileged)
{
	EXPECT_EQ(0, in_child(read_as_nobody));
}

static int read_from_new_user_ns(void)
{
	char path[64];

	if (unshare(CLONE_NEWUSER))
		return 10;
	snprintf(path, sizeof(path), MT_MADVSTAT_DIR "/%d", (int)getppid());
	if (open(path, O_RDONLY) != -1)
		return 11;
	return errno == EACCES ? 0 : 12;
}

/*
 * Root of a new user namespace has CAP_SYS_PTRACE there only, not in the
 * namespace of the processes it would read: refused.
 */
TEST(other_user_namespace)
{
	EXPECT_EQ(0, in_child(read_from_new_user_ns));
}

TEST_HARNESS_MAIN
