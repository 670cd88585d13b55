// SPDX-License-Identifier: GPL-2.0
/*
 * Reads that skip the walk (Documentation/madvstat.rst, "Known clean"):
 * a process born by exec since load, or one confirmed to hold no lazily
 * freed page, is read without walking its page tables; anything that can
 * put a lazily freed page into it (a mark and drain in it or in a process
 * that shares its pages by fork, a MAP_DROPPABLE mapping, KSM) makes the
 * next read walk again. Every figure is checked against smaps_rollup and
 * the summary's Walks and WalksSkipped counters.
 *
 * The holder is this program exec()ed again, so that its address space is
 * born after load; it obeys one-letter commands on a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define HOLD_BYTES	(64UL << 20)
#define SMALL_BYTES	(128UL << 10)	/* 32 pages: more than a batch */
#define DROP_BYTES	(1UL << 20)
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif
#define HOLD_CMD_FD	3
#define HOLD_ACK_FD	4

/* The holder's child: shares its pages by fork(), frees on command. */
static int kid_go[2], kid_done[2];

static int kid_start(unsigned char *mem)
{
	pid_t pid;
	char c;

	if (pipe(kid_go) || pipe(kid_done))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid)
		return 0;
	/* Only the holder writes commands: its exit ends the loop. */
	close(kid_go[1]);
	close(kid_done[0]);
	while (read(kid_go[0], &c, 1) == 1) {
		if (c == 'f' && madvise(mem, SMALL_BYTES, MADV_FREE))
			c = 'E';
		if (write(kid_done[1], &c, 1) != 1)
			break;
	}
	_exit(0);
}

static char kid_cmd(char c)
{
	if (write(kid_go[1], &c, 1) != 1 || read(kid_done[0], &c, 1) != 1)
		return 0;
	return c;
}

/* The exec()ed holder: HOLD_BYTES written, then commands until EOF. */
static int holder_main(void)
{
	unsigned char *mem, *drop = NULL;
	char cmd, ack;
	int last = 'n';

	mem = mt_map_4k(HOLD_BYTES);
	if (!mem)
		return 2;
	memset(mem, 0x5a, HOLD_BYTES);
	if (write(HOLD_ACK_FD, "r", 1) != 1)
		return 3;
	while (read(HOLD_CMD_FD, &cmd, 1) == 1) {
		ack = cmd;
		switch (cmd) {
		case 'f':	/* free the small range lazily */
			ack = madvise(mem, SMALL_BYTES, MADV_FREE) ? 'E' : cmd;
			break;
		case 'd':	/* and unmap its pages */
			ack = madvise(mem, SMALL_BYTES, MADV_DONTNEED) ? 'E' : cmd;
			break;
		case 'w':	/* write it again */
			memset(mem, 0x6b, SMALL_BYTES);
			break;
		case 'p':	/* a MAP_DROPPABLE mapping, written */
			drop = mmap(NULL, DROP_BYTES, PROT_READ | PROT_WRITE,
				    MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
			if (drop == MAP_FAILED)
				ack = 'E';
			else
				memset(drop, 1, DROP_BYTES);
			break;
		case 'c':	/* fork a child sharing the small range */
			ack = kid_start(mem) ? 'E' : cmd;
			break;
		case 'g':	/* the child frees the shared range lazily */
			ack = kid_cmd('f') == 'f' ? cmd : 'E';
			break;
		case 'k':	/* offer the small range to KSM */
			ack = madvise(mem, SMALL_BYTES, MADV_MERGEABLE) ? 'E' : cmd;
			break;
		case 'l': {	/* free and unmap in turn until the next byte */
			int fl = fcntl(HOLD_CMD_FD, F_GETFL);
			unsigned long n = 0;

			fcntl(HOLD_CMD_FD, F_SETFL, fl | O_NONBLOCK);
			while (read(HOLD_CMD_FD, &cmd, 1) != 1) {
				memset(mem, 0x6b, SMALL_BYTES);
				last = n++ & 1 ? 'd' : 'f';
				madvise(mem, SMALL_BYTES, last == 'f' ?
					MADV_FREE : MADV_DONTNEED);
			}
			fcntl(HOLD_CMD_FD, F_SETFL, fl);
			ack = last;
			break;
		}
		}
		if (write(HOLD_ACK_FD, &ack, 1) != 1)
			return 4;
	}
	return 0;
}

struct holder {
	pid_t pid;
	int cmd, ack;
};

static int holder_start(struct holder *h)
{
	int down[2], up[2];
	char ready;

	/* Close-on-exec: the holder must keep no end but its two. */
	if (pipe2(down, O_CLOEXEC) || pipe2(up, O_CLOEXEC))
		return -errno;
	h->pid = fork();
	if (h->pid < 0)
		return -errno;
	if (!h->pid) {
		char *argv[] = { "known_clean_test", "--holder", NULL };
		int in = fcntl(down[0], F_DUPFD_CLOEXEC, 10);
		int out = fcntl(up[1], F_DUPFD_CLOEXEC, 10);

		/* dup2() to another number clears close-on-exec. */
		if (in < 0 || out < 0 || dup2(in, HOLD_CMD_FD) < 0 ||
		    dup2(out, HOLD_ACK_FD) < 0)
			_exit(1);
		execv("/proc/self/exe", argv);
		_exit(1);
	}
	close(down[0]);
	close(up[1]);
	h->cmd = down[1];
	h->ack = up[0];
	if (read(h->ack, &ready, 1) != 1 || ready != 'r')
		return -EIO;
	return mt_wait_entry(h->pid, true, 5000);
}

static int holder_send(struct holder *h, char cmd)
{
	return write(h->cmd, &cmd, 1) == 1 ? 0 : -EIO;
}

static char holder_recv(struct holder *h)
{
	char ack;

	return read(h->ack, &ack, 1) == 1 ? ack : 0;
}

/* Send cmd; returns the holder's answer, 'E' on its error, 0 on ours. */
static char holder_cmd(struct holder *h, char cmd)
{
	return holder_send(h, cmd) ? 0 : holder_recv(h);
}

static int holder_stop(struct holder *h)
{
	int status;

	close(h->cmd);
	close(h->ack);
	if (waitpid(h->pid, &status, 0) != h->pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

/* The summary's Walks, from one read, and what one such read walks. */
struct walks {
	int64_t walked;
	int64_t per_read;	/* walks a summary read does by itself */
};

static int64_t walks_read(void)
{
	struct ms_report r;
	const char *why;
	unsigned int line;
	size_t len;
	char *text = ms_read_file(MT_MADVSTAT_DIR "/summary", &len);
	int64_t v;

	if (!text)
		return -errno;
	if (ms_report_parse(text, len, &r, &why, &line)) {
		free(text);
		return -EINVAL;
	}
	v = ms_report_get(&r, "Walks");
	ms_report_free(&r);
	free(text);
	return v;
}

/*
 * Read the summary until two reads in a row walk as many processes: those
 * not known clean (holding lazily freed pages, or KSM's). Then the walks
 * other reads cause are what it counts beyond that.
 */
static int walks_settle(struct walks *w)
{
	int64_t a = walks_read(), b = walks_read(), c;
	int i;

	for (i = 0; i < 8 && a >= 0 && b >= 0; i++) {
		c = walks_read();
		if (c < 0)
			return (int)c;
		if (c - b == b - a) {
			w->walked = c;
			w->per_read = c - b;
			return 0;
		}
		a = b;
		b = c;
	}
	return a < 0 ? (int)a : b < 0 ? (int)b : -EAGAIN;
}

/* Walks done by the reads since @before, the summary's own read aside. */
static int64_t walks_since(struct __test_metadata *_metadata,
			   const struct walks *before)
{
	int64_t now = walks_read();

	EXPECT_LE(0, now);
	return now - before->walked - before->per_read;
}

/* LazyFree and LazyFreeDirty of pid, both sides of smaps agreeing. */
static void expect_lazy(struct __test_metadata *_metadata, pid_t pid,
			int64_t lazy_kb, int64_t dirty_kb)
{
	struct ms_report r;

	ASSERT_EQ(0, mt_madvstat_read(pid, &r));
	EXPECT_EQ(lazy_kb, ms_report_get(&r, "LazyFree"));
	EXPECT_EQ(dirty_kb, ms_report_get(&r, "LazyFreeDirty"));
	EXPECT_EQ(mt_rollup_get(pid, "LazyFree"), ms_report_get(&r, "LazyFree"));
	ms_report_free(&r);
}

FIXTURE(clean) {
	struct holder h;
};

FIXTURE_SETUP(clean)
{
	ASSERT_EQ(0, mt_pin_cpu(0));
	ASSERT_EQ(0, holder_start(&self->h));
}

FIXTURE_TEARDOWN(clean)
{
	EXPECT_EQ(0, holder_stop(&self->h));
}

/* Born by exec after load: known clean without any walk, whatever its RSS. */
TEST_F(clean, exec_needs_no_walk)
{
	struct walks w;
	int i;

	ASSERT_EQ(0, walks_settle(&w));
	for (i = 0; i < 3; i++)
		expect_lazy(_metadata, self->h.pid, 0, 0);
	EXPECT_EQ(0, walks_since(_metadata, &w));
}

/* A mark voids it; a walk that finds none again restores it. */
TEST_F(clean, mark_voids_and_walk_restores)
{
	const int64_t small_kb = MT_KB(SMALL_BYTES);
	struct walks w;

	ASSERT_EQ('f', holder_cmd(&self->h, 'f'));
	ASSERT_EQ(0, mt_drain_lru());
	ASSERT_EQ(0, walks_settle(&w));
	expect_lazy(_metadata, self->h.pid, small_kb, 0);
	EXPECT_EQ(1, walks_since(_metadata, &w));

	/* Written again: still lazily freed folios, dirty now. */
	ASSERT_EQ('w', holder_cmd(&self->h, 'w'));
	ASSERT_EQ(0, walks_settle(&w));
	expect_lazy(_metadata, self->h.pid, 0, small_kb);
	EXPECT_EQ(1, walks_since(_metadata, &w));

	/* Gone: the next read walks, finds none, confirms; then no walk. */
	ASSERT_EQ('d', holder_cmd(&self->h, 'd'));
	expect_lazy(_metadata, self->h.pid, 0, 0);
	ASSERT_EQ(0, walks_settle(&w));
	expect_lazy(_metadata, self->h.pid, 0, 0);
	EXPECT_EQ(0, walks_since(_metadata, &w));

	/* Marked again: seen at once. */
	ASSERT_EQ('w', holder_cmd(&self->h, 'w'));
	ASSERT_EQ('f', holder_cmd(&self->h, 'f'));
	ASSERT_EQ(0, mt_drain_lru());
	expect_lazy(_metadata, self->h.pid, small_kb, 0);
}

/*
 * MADV_FREE in a child makes the pages it still shares with its parent
 * lazily freed in the parent too (a clean folio is marked however many
 * map it); the parent's written mapping keeps them, as LazyFreeDirty.
 * The parent, known clean before, must be walked again: the child is of
 * its family.
 */
TEST_F(clean, child_mark_reaches_parent)
{
	struct walks w;

	ASSERT_EQ('c', holder_cmd(&self->h, 'c'));
	ASSERT_EQ(0, walks_settle(&w));
	expect_lazy(_metadata, self->h.pid, 0, 0);
	EXPECT_EQ(0, walks_since(_metadata, &w));

	ASSERT_EQ('g', holder_cmd(&self->h, 'g'));
	ASSERT_EQ(0, mt_drain_lru());
	expect_lazy(_metadata, self->h.pid, 0, MT_KB(SMALL_BYTES));
}

/* A MAP_DROPPABLE mapping is lazily freed from birth, with no mark. */
TEST_F(clean, droppable_is_seen)
{
	struct walks w;

	if (!mt_kernel_at_least(6, 11))
		SKIP(return, "MAP_DROPPABLE needs Linux 6.11");
	ASSERT_EQ(0, walks_settle(&w));
	expect_lazy(_metadata, self->h.pid, 0, 0);
	EXPECT_EQ(0, walks_since(_metadata, &w));
	ASSERT_EQ('p', holder_cmd(&self->h, 'p'));
	/* Written, so dirty: smaps counts it nowhere, we as LazyFreeDirty. */
	expect_lazy(_metadata, self->h.pid, 0, MT_KB(DROP_BYTES));
	EXPECT_EQ(MT_KB(DROP_BYTES),
		  mt_madvstat_get(self->h.pid, "Droppable"));
}

/* KSM can share a lazily freed folio across families: always walked. */
TEST_F(clean, ksm_is_walked)
{
	struct walks w;

	if (access("/sys/kernel/mm/ksm/run", F_OK))
		SKIP(return, "no KSM in this kernel");
	ASSERT_EQ('k', holder_cmd(&self->h, 'k'));
	ASSERT_EQ(0, walks_settle(&w));
	expect_lazy(_metadata, self->h.pid, 0, 0);
	EXPECT_EQ(1, walks_since(_metadata, &w));
}

/*
 * Reads race with marks, drains and unmaps: a confirmation must never
 * stand while the pages are lazily freed. The holder frees and unmaps in
 * turn while a thread reads it; when it stops, its report must say what
 * it last did, as smaps does.
 */
struct reader {
	pid_t pid;
	atomic_bool stop;
	unsigned long reads;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	struct ms_report rep;

	while (!atomic_load(&r->stop)) {
		if (!mt_madvstat_read(r->pid, &rep)) {
			ms_report_free(&rep);
			r->reads++;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(clean, confirm_races_marks, 300)
{
	struct reader rd = { .pid = self->h.pid };
	unsigned long lazy_rounds = 0;
	pthread_t t;
	int round;
	char last;

	ASSERT_EQ(0, pthread_create(&t, NULL, reader_fn, &rd));
	for (round = 0; round < 40; round++) {
		ASSERT_EQ(0, holder_send(&self->h, 'l'));
		usleep(20000 + (round % 7) * 7000);
		last = holder_cmd(&self->h, '.');
		ASSERT_TRUE(last == 'f' || last == 'd');
		ASSERT_EQ(0, mt_drain_lru());
		expect_lazy(_metadata, self->h.pid,
			    last == 'f' ? MT_KB(SMALL_BYTES) : 0, 0);
		lazy_rounds += last == 'f';
	}
	atomic_store(&rd.stop, true);
	pthread_join(t, NULL);
	TH_LOG("%lu reads, %lu of 40 rounds ended lazily freed", rd.reads,
	       lazy_rounds);
	EXPECT_LT(0, rd.reads);
}

/* /proc/madvstat/processes: the same figures as each process's entry. */
static int processes_row(pid_t pid, char *out, size_t size)
{
	size_t len;
	char *text = ms_read_file(MT_MADVSTAT_DIR "/processes", &len);
	char key[32], *p, *eol;
	int err = -ENOENT;

	if (!text)
		return -errno;
	snprintf(key, sizeof(key), "\n%d ", (int)pid);
	p = strstr(text, key);
	if (p) {
		p++;
		eol = strchr(p, '\n');
		if (eol && (size_t)(eol - p) < size) {
			memcpy(out, p, eol - p);
			out[eol - p] = '\0';
			err = 0;
		}
	}
	free(text);
	return err;
}

TEST_F(clean, processes_table)
{
	long long v[12];
	char row[512], name[64], cgroup[256], first[64];
	struct ms_report r;
	size_t len;
	char *text;

	ASSERT_EQ('f', holder_cmd(&self->h, 'f'));
	ASSERT_EQ(0, mt_drain_lru());
	ASSERT_EQ(0, processes_row(self->h.pid, row, sizeof(row)));
	ASSERT_EQ(14, sscanf(row, "%lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %63s %255s",
			     &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			     &v[7], &v[8], &v[9], &v[10], &v[11], name, cgroup));
	ASSERT_EQ(0, mt_madvstat_read(self->h.pid, &r));
	EXPECT_EQ(self->h.pid, v[0]);
	EXPECT_EQ(ms_report_get(&r, "LazyFree"), v[3]);
	EXPECT_EQ(ms_report_get(&r, "LazyFreeDirty"), v[4]);
	EXPECT_EQ(ms_report_get(&r, "Marked"), v[6]);
	EXPECT_EQ(MT_KB(SMALL_BYTES), v[3]);
	EXPECT_STREQ("exe", name);	/* exec()ed as /proc/self/exe */
	EXPECT_EQ('/', cgroup[0]);
	ms_report_free(&r);

	text = ms_read_file(MT_MADVSTAT_DIR "/processes", &len);
	ASSERT_NE(NULL, text);
	ASSERT_EQ(1, sscanf(text, "# unreadable %63s", first));
	EXPECT_STREQ("0", first);
	EXPECT_NE(NULL, strstr(text, "\nPid Rss RssAnon LazyFree LazyFreeDirty Droppable Marked Reclaimed Rescued RescuedPinned Dropped ReclaimFreed Name Cgroup\n"));
	free(text);
}

/* Permissions as for the entries: an unprivileged reader sees none of root's. */
TEST_F(clean, processes_table_permissions)
{
	unsigned long unreadable = 0;
	char *text, *line;
	int lines = 0;
	size_t len;
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (mt_become(65534, 65534))
			_exit(2);
		text = ms_read_file(MT_MADVSTAT_DIR "/processes", &len);
		if (!text)
			_exit(3);
		if (sscanf(text, "# unreadable %lu", &unreadable) != 1 ||
		    !unreadable)
			_exit(4);
		/* The two header lines, and not one row. */
		for (line = text; (line = strchr(line, '\n')); line++)
			lines++;
		_exit(lines == 2 ? 0 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--holder"))
		return holder_main();
	return test_harness_run(argc, argv);
}
