// SPDX-License-Identifier: GPL-2.0
/*
 * The worker side of the exactness checker: one process of the workload.
 * It runs the commands of the orchestrator one at a time, on its main
 * thread or on one of its extra threads, and keeps a ledger of what it
 * wrote where, to check that no page ever reads what it should not:
 *   X_ZERO  never written, or dropped (MADV_DONTNEED, moved away): zero;
 *   X_DATA  written since its last MADV_FREE: what was written;
 *   X_MAYBE lazily freed and not written since: what was written, or
 *           zero if reclaim took it (MAP_DROPPABLE pages always).
 * A page holds its tag in its first and last eight bytes.
 *
 * It also counts the pages it saw reclaim take: X_MAYBE pages that are
 * neither present nor swapped in /proc/self/pagemap. The guest has no swap,
 * so nothing but the discard of a lazily freed page clears such a page's
 * entry. Each command looks at its slot first (every slot for VERIFY),
 * before anything it does could map the page again (a write, a read, a pin,
 * MADV_COLLAPSE) or drop it (MADV_DONTNEED, munmap, mremap, UFFDIO_MOVE);
 * the orchestrator asks for a VERIFY before an exit or an exec. Only
 * khugepaged, with max_ptes_none above 0, maps such a page again behind our
 * back. MAP_DROPPABLE slots are left out: their discards are not Reclaimed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "exact.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21	/* 5.4 */
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25	/* 6.1 */
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08	/* 6.11 */
#endif
#ifndef UFFDIO_MOVE
/* 6.8; the uapi headers of bookworm predate it. */
#define UFFD_FEATURE_MOVE		(1 << 16)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES	((__u64)1 << 1)
struct uffdio_move {
	__u64 dst, src, len, mode;
	__s64 move;
};
#define UFFDIO_MOVE	_IOWR(UFFDIO, 0x05, struct uffdio_move)
#endif

#define SZ_2M		(2UL << 20)
#define KSM_TAG		0x4b534d4b534d4b53ULL	/* same in every page */

enum { X_ZERO, X_DATA, X_MAYBE };

struct slot {
	unsigned char *p;	/* NULL: empty */
	size_t pages;
	unsigned int flags;	/* X_MAP_* */
	uint64_t *tag;		/* per page */
	unsigned char *st;	/* per page: X_ZERO... */
};

struct thread {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const struct x_cmd *job;	/* set by main, cleared when done */
	struct x_reply *reply;
	bool quit;
};

static struct slot slots[X_SLOTS];
static struct thread *threads[X_THREADS];
static int nr_threads;
static int pin_pipe[2] = { -1, -1 };
static uint64_t tag_state;
static size_t page_size;
static uint64_t discarded;	/* pages: see the top of this file */

static int fail(struct x_reply *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->err = err ? err : EINVAL;
	return -1;
}

static unsigned char *page_at(const struct slot *s, size_t i)
{
	return s->p + i * page_size;
}

static void write_page(struct slot *s, size_t i, uint64_t tag)
{
	unsigned char *p = page_at(s, i);

	memcpy(p, &tag, sizeof(tag));
	memcpy(p + page_size - sizeof(tag), &tag, sizeof(tag));
	s->tag[i] = tag;
	s->st[i] = s->flags & X_MAP_DROPPABLE ? X_MAYBE : X_DATA;
}

static uint64_t new_tag(void)
{
	return x_rand(&tag_state) | 1;
}

static int ledger_resize(struct slot *s, size_t pages)
{
	uint64_t *tag = realloc(s->tag, pages * sizeof(*tag) + 1);
	unsigned char *st;

	if (!tag)
		return -1;
	s->tag = tag;
	st = realloc(s->st, pages + 1);
	if (!st)
		return -1;
	s->st = st;
	if (pages > s->pages) {
		memset(s->tag + s->pages, 0, (pages - s->pages) * sizeof(*tag));
		memset(s->st + s->pages, X_ZERO, pages - s->pages);
	}
	s->pages = pages;
	return 0;
}

static void slot_clear(struct slot *s)
{
	free(s->tag);
	free(s->st);
	memset(s, 0, sizeof(*s));
}

static bool range_ok(const struct slot *s, const struct x_cmd *c)
{
	return s->p && c->len && c->off + c->len <= s->pages;
}

static void *map_anon(size_t len, unsigned int flags)
{
	int type = flags & X_MAP_DROPPABLE ? MAP_DROPPABLE : MAP_PRIVATE;
	size_t extra = flags & X_MAP_ALIGN ? SZ_2M : 0;
	unsigned char *p, *a;

	p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE,
		 type | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || !extra)
		return p;
	a = (unsigned char *)(((uintptr_t)p + SZ_2M - 1) & ~(SZ_2M - 1));
	if (a > p)
		munmap(p, a - p);
	if (a + len < p + len + extra)
		munmap(a + len, p + len + extra - (a + len));
	return a;
}

/* Bit 63: present; bit 62: swapped (a migration entry too). */
#define PM_MAPPED(e)	((e) >> 62)

/*
 * The pages of @s in [@off, @off + @len) in state @from that pagemap shows
 * mapped (present or swapped), if @mapped, or not, if not, go to state @to.
 * Returns how many did, or -1.
 */
static long pagemap_retag(struct slot *s, size_t off, size_t len,
			  unsigned char from, bool mapped, unsigned char to,
			  struct x_reply *r)
{
	uint64_t e[512];
	size_t i, j, n;
	long moved = 0;
	ssize_t got;
	int fd = -1;

	for (i = off; i < off + len; i += n) {
		n = off + len - i < 512 ? off + len - i : 512;
		if (!memchr(s->st + i, from, n))
			continue;
		if (fd < 0)
			fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail(r, errno, "pagemap: %s", strerror(errno));
		got = pread(fd, e, n * sizeof(e[0]),
			    (off_t)((uintptr_t)page_at(s, i) / page_size * sizeof(e[0])));
		if (got != (ssize_t)(n * sizeof(e[0]))) {
			close(fd);
			return fail(r, got < 0 ? errno : EIO, "pagemap read");
		}
		for (j = 0; j < n; j++) {
			if (s->st[i + j] == from && !PM_MAPPED(e[j]) == !mapped) {
				s->st[i + j] = to;
				moved++;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	return moved;
}

/* Count, once, the pages of @s that reclaim discarded since the last look. */
static int note_discards(struct slot *s, struct x_reply *r)
{
	long n;

	if (!s->p || (s->flags & X_MAP_DROPPABLE))
		return 0;
	n = pagemap_retag(s, 0, s->pages, X_MAYBE, false, X_ZERO, r);
	if (n < 0)
		return -1;
	discarded += (uint64_t)n;
	return 0;
}

static int do_mmap(struct slot *s, const struct x_cmd *c, struct x_reply *r)
{
	size_t len = c->len * page_size;
	unsigned char *p;

	if (s->p)
		return fail(r, EEXIST, "slot %u is in use", c->slot);
	p = map_anon(len, c->arg);
	if (p == MAP_FAILED)
		return fail(r, errno, "mmap %zu kB: %s", len >> 10, strerror(errno));
	if (c->arg & X_MAP_THP)
		madvise(p, len, MADV_HUGEPAGE);
	else if (c->arg & X_MAP_NOTHP)
		madvise(p, len, MADV_NOHUGEPAGE);
	s->p = p;
	s->flags = c->arg;
	s->pages = 0;
	if (ledger_resize(s, c->len))
		return fail(r, ENOMEM, "ledger");
	r->addr = (uintptr_t)p;
	return 0;
}

static int do_madvise(struct slot *s, const struct x_cmd *c, int advice,
		      struct x_reply *r)
{
	size_t i;

	if (!range_ok(s, c))
		return fail(r, EINVAL, "bad range");
	if (madvise(page_at(s, c->off), c->len * page_size, advice))
		return fail(r, errno, "madvise(%d): %s", advice, strerror(errno));
	for (i = c->off; i < c->off + c->len; i++) {
		if (advice == MADV_FREE && s->st[i] == X_DATA)
			s->st[i] = X_MAYBE;
		else if (advice == MADV_DONTNEED)
			s->st[i] = X_ZERO;
	}
	/*
	 * Pages never written but there all the same (a THP or mTHP fault
	 * filled them around a written one) are lazily freed too, so that
	 * their discard counts. (A pte of the shared zero page is not freed,
	 * and stays.)
	 */
	if (advice == MADV_FREE && !(s->flags & X_MAP_DROPPABLE) &&
	    pagemap_retag(s, c->off, c->len, X_ZERO, true, X_MAYBE, r) < 0)
		return -1;
	return 0;
}

static int do_rewrite(struct slot *s, const struct x_cmd *c, struct x_reply *r)
{
	uint64_t seed = c->seed, n;

	if (!range_ok(s, c))
		return fail(r, EINVAL, "bad range");
	for (n = 0; n < c->arg; n++)
		write_page(s, c->off + x_below(&seed, c->len), new_tag());
	return 0;
}

static int do_munmap(struct slot *s, const struct x_cmd *c, struct x_reply *r)
{
	if (!range_ok(s, c))
		return fail(r, EINVAL, "bad range");
	if (c->off == 0 && c->len == s->pages) {
		munmap(s->p, s->pages * page_size);
		slot_clear(s);
		return 0;
	}
	/* Only a tail, so that the slot stays one mapping. */
	if (c->off + c->len != s->pages)
		return fail(r, EINVAL, "partial munmap must be a tail");
	if (munmap(page_at(s, c->off), c->len * page_size))
		return fail(r, errno, "munmap: %s", strerror(errno));
	return ledger_resize(s, c->off) ? fail(r, ENOMEM, "ledger") : 0;
}

/* Grow, shrink or move (arg2) to arg pages; the contents go along. */
static int do_mremap(struct slot *s, const struct x_cmd *c, struct x_reply *r)
{
	size_t old = s->pages * page_size, len = c->arg * page_size;
	void *p, *where = NULL;

	if (!s->p || !c->arg)
		return fail(r, EINVAL, "empty slot");
	if (c->arg2) {
		where = map_anon(len, s->flags & X_MAP_ALIGN);
		if (where == MAP_FAILED)
			return fail(r, errno, "mmap: %s", strerror(errno));
		p = mremap(s->p, old, len, MREMAP_MAYMOVE | MREMAP_FIXED, where);
	} else {
		p = mremap(s->p, old, len, MREMAP_MAYMOVE);
	}
	if (p == MAP_FAILED) {
		int err = errno;

		if (c->arg2)
			munmap(where, len);
		return fail(r, err, "mremap: %s", strerror(err));
	}
	s->p = p;
	if (ledger_resize(s, c->arg))
		return fail(r, ENOMEM, "ledger");
	r->addr = (uintptr_t)p;
	r->val = c->arg;
	return 0;
}

static int do_collapse(struct slot *s, const struct x_cmd *c, struct x_reply *r)
{
	if (!range_ok(s, c))
		return fail(r, EINVAL, "bad range");
	/* It may fail for many reasons (EAGAIN, EINVAL): what it did is what counts. */
	madvise(page_at(s, c->off), c->len * page_size, MADV_COLLAPSE);
	return 0;
}

static int do_mergeable(struct slot *s, const struct x_cmd *c,
			struct x_reply *r)
{
	size_t i;

	if (!range_ok(s, c))
		return fail(r, EINVAL, "bad range");
	for (i = c->off; i < c->off + c->len; i++)
		write_page(s, i, KSM_TAG);
	/*
	 * The whole slot, so that it stays one mapping: a part would split the
	 * VMA, and mremap of the slot then fails with EFAULT.
	 */
	if (madvise(s->p, s->pages * page_size, MADV_MERGEABLE))
		return fail(r, errno, "MADV_MERGEABLE: %s", strerror(errno));
	return 0;
}

static void unpin(void)
{
	if (pin_pipe[0] >= 0) {
		close(pin_pipe[0]);
		close(pin_pipe[1]);
	}
	pin_pipe[0] = pin_pipe[1] = -1;
}

/* vmsplice() takes a reference on each page until the pipe is read or closed. */
static int do_pin(struct slot *s, const struct x_cmd *c, struct x_reply *r)
{
	struct iovec iov[256];
	size_t i, n = c->len < 256 ? c->len : 256;
	ssize_t done;

	if (!range_ok(s, c))
		return fail(r, EINVAL, "bad range");
	unpin();
	if (pipe2(pin_pipe, O_NONBLOCK))
		return fail(r, errno, "pipe: %s", strerror(errno));
	fcntl(pin_pipe[1], F_SETPIPE_SZ, 256 * 4096);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = page_at(s, c->off + i);
		iov[i].iov_len = page_size;
	}
	done = vmsplice(pin_pipe[1], iov, n, 0);
	if (done < 0 && errno != EAGAIN)
		return fail(r, errno, "vmsplice: %s", strerror(errno));
	r->val = done < 0 ? 0 : (uint64_t)done / page_size;
	return 0;
}

static void slot_unmap(struct slot *s)
{
	munmap(s->p, s->pages * page_size);
	slot_clear(s);
}

/*
 * Move src's pages into slot arg (empty): its mapping is made here, and
 * undone if nothing could move. Our pin goes first: on 7.2 UFFDIO_MOVE of
 * a large folio it cannot split, for an extra reference such as the pipe's,
 * retries without end (move_pages() takes split_folio()'s -EAGAIN for a
 * transient failure), and the ioctl never returns.
 */
static int do_uffd_move(struct slot *src, const struct x_cmd *c,
			struct x_reply *r)
{
	struct slot *dst = &slots[c->arg];
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_MOVE };
	struct uffdio_register reg = { 0 };
	struct uffdio_move mv = { 0 };
	struct x_cmd mk = *c;
	size_t i, moved;
	int fd, err = 0;

	if (!src->p || dst->p || c->arg == c->slot)
		return fail(r, EINVAL, "bad slots");
	mk.len = src->pages;
	mk.arg = src->flags & ~(uint64_t)X_MAP_DROPPABLE;
	if (src->flags & X_MAP_DROPPABLE)
		return fail(r, EINVAL, "no move of droppable memory");
	unpin();
	if (do_mmap(dst, &mk, r))
		return -1;
	fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0) {
		err = errno;
		slot_unmap(dst);
		return fail(r, err, "userfaultfd: %s", strerror(err));
	}
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = errno;
		close(fd);
		slot_unmap(dst);
		return fail(r, err, "UFFDIO_API: %s", strerror(err));
	}
	reg.range.start = (uintptr_t)dst->p;
	reg.range.len = src->pages * page_size;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		err = errno;
		close(fd);
		slot_unmap(dst);
		return fail(r, err, "UFFDIO_REGISTER: %s", strerror(err));
	}
	mv.dst = (uintptr_t)dst->p;
	mv.src = (uintptr_t)src->p;
	mv.len = src->pages * page_size;
	mv.mode = UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES;
	if (ioctl(fd, UFFDIO_MOVE, &mv))
		err = errno;	/* EBUSY: a page shared after fork; partial */
	/* No fault in dst may wait for a handler that does not exist. */
	ioctl(fd, UFFDIO_UNREGISTER, &reg.range);
	close(fd);
	moved = mv.move > 0 ? (size_t)mv.move / page_size : 0;
	if (err == 0)
		moved = src->pages;
	for (i = 0; i < moved && i < src->pages; i++) {
		dst->tag[i] = src->tag[i];
		dst->st[i] = src->st[i];
		src->tag[i] = 0;
		src->st[i] = X_ZERO;
	}
	r->val = moved;
	r->addr = (uintptr_t)dst->p;
	if (err && err != EBUSY && err != EAGAIN) {
		if (!moved)
			slot_unmap(dst);
		return fail(r, err, "UFFDIO_MOVE: %s (%zu pages moved)",
			    strerror(err), moved);
	}
	return 0;
}

static int verify(struct x_reply *r)
{
	unsigned int k;
	size_t i;

	for (k = 0; k < X_SLOTS; k++)
		if (note_discards(&slots[k], r))
			return -1;
	for (k = 0; k < X_SLOTS; k++) {
		struct slot *s = &slots[k];

		for (i = 0; s->p && i < s->pages; i++) {
			unsigned char *p = page_at(s, i);
			uint64_t a, b, t = s->tag[i];
			bool zero, data;

			memcpy(&a, p, sizeof(a));
			memcpy(&b, p + page_size - sizeof(b), sizeof(b));
			zero = !a && !b;
			data = a == t && b == t;
			/*
			 * A kernel bug, not ours: KSM merges a page into a
			 * stable page someone lazily freed, and reclaim then
			 * discards it for every process that maps it, this
			 * one too (madvstat.rst). Counted, and named.
			 */
			if (s->st[i] == X_DATA && t == KSM_TAG && zero) {
				s->st[i] = X_ZERO;
				s->tag[i] = 0;
				r->val++;
				continue;
			}
			if ((s->st[i] == X_ZERO && zero) ||
			    (s->st[i] == X_DATA && data) ||
			    (s->st[i] == X_MAYBE && (zero || data)))
				continue;
			return fail(r, EIO,
				    "slot %u page %zu (state %d): read %#llx/%#llx, wrote %#llx",
				    k, i, s->st[i], (unsigned long long)a,
				    (unsigned long long)b, (unsigned long long)t);
		}
	}
	return 0;
}

static int run(const struct x_cmd *c, struct x_reply *r)
{
	struct slot *s = &slots[c->slot % X_SLOTS];
	size_t i;

	if (c->kind != X_VERIFY && c->kind != X_UNPIN && note_discards(s, r))
		return -1;
	switch (c->kind) {
	case X_MMAP:
		return do_mmap(s, c, r);
	case X_TOUCH:
		if (!range_ok(s, c))
			return fail(r, EINVAL, "bad range");
		for (i = c->off; i < c->off + c->len; i++)
			write_page(s, i, new_tag());
		return 0;
	case X_FREE:
		return do_madvise(s, c, MADV_FREE, r);
	case X_REWRITE:
		return do_rewrite(s, c, r);
	case X_DONTNEED:
		return do_madvise(s, c, MADV_DONTNEED, r);
	case X_MUNMAP:
		return do_munmap(s, c, r);
	case X_MREMAP:
		return do_mremap(s, c, r);
	case X_PAGEOUT:
		return do_madvise(s, c, MADV_PAGEOUT, r);
	case X_COLLAPSE:
		return do_collapse(s, c, r);
	case X_MERGEABLE:
		return do_mergeable(s, c, r);
	case X_PIN:
		return do_pin(s, c, r);
	case X_UNPIN:
		unpin();
		return 0;
	case X_UFFD_MOVE:
		return do_uffd_move(s, c, r);
	case X_VERIFY:
		return verify(r);
	}
	return fail(r, EINVAL, "command %s not for a thread", x_kind_name(c->kind));
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		while (!t->job && !t->quit)
			pthread_cond_wait(&t->cond, &t->lock);
		if (t->quit)
			break;
		run(t->job, t->reply);
		t->job = NULL;
		pthread_cond_broadcast(&t->cond);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void on_thread(struct thread *t, const struct x_cmd *c, struct x_reply *r)
{
	pthread_mutex_lock(&t->lock);
	t->reply = r;
	t->job = c;
	pthread_cond_broadcast(&t->cond);
	while (t->job)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

static int thread_start(struct x_reply *r)
{
	struct thread *t;
	int err;

	if (nr_threads == X_THREADS)
		return fail(r, EAGAIN, "thread limit");
	t = calloc(1, sizeof(*t));
	if (!t)
		return fail(r, ENOMEM, "calloc");
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	err = pthread_create(&t->tid, NULL, thread_main, t);
	if (err) {
		free(t);
		return fail(r, err, "pthread_create: %s", strerror(err));
	}
	threads[nr_threads++] = t;
	return 0;
}

static int thread_exit(struct x_reply *r)
{
	struct thread *t;

	if (!nr_threads)
		return fail(r, EINVAL, "no thread");
	t = threads[--nr_threads];
	pthread_mutex_lock(&t->lock);
	t->quit = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->tid, NULL);
	free(t);
	return 0;
}

static int send_reply(int fd, const struct x_reply *r, int pass_fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)r, sizeof(*r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (pass_fd >= 0) {
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(*r) ? 0 : -1;
}

/* The child serves on a new socket; the parent passes its other end on. */
static int do_fork(int *fd, struct x_reply *r)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return fail(r, errno, "socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return fail(r, errno, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(sv[0]);
		close(*fd);
		*fd = sv[1];
		nr_threads = 0;		/* they stayed with the parent */
		discarded = 0;		/* a new mm */
		unpin();
		return 1;
	}
	close(sv[1]);
	r->val = (uint64_t)pid;
	send_reply(*fd, r, sv[0]);
	close(sv[0]);
	return 2;		/* replied */
}

static void do_exec(int fd, struct x_reply *r)
{
	char arg[16];
	char *argv[] = { "exactness_test", "--worker", arg, NULL };
	int flags = fcntl(fd, F_GETFD);

	while (nr_threads)
		thread_exit(r);
	unpin();
	snprintf(arg, sizeof(arg), "%d", fd);
	fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
	execv("/proc/self/exe", argv);
	fail(r, errno, "execv: %s", strerror(errno));
}

int x_worker_main(int fd)
{
	struct x_cmd c;
	ssize_t n;

	page_size = (size_t)sysconf(_SC_PAGESIZE);
	tag_state = (uint64_t)getpid() << 32;
	signal(SIGCHLD, SIG_IGN);	/* our forked children reap themselves */
	/* Started or exec'd: say so. */
	if (send_reply(fd, &(struct x_reply){ 0 }, -1))
		return 1;
	for (;;) {
		struct x_reply r = { 0 };
		int rc = 0;

		n = recv(fd, &c, sizeof(c), 0);
		if (n != (ssize_t)sizeof(c))
			return n == 0 ? 0 : 1;
		if (c.slot >= X_SLOTS || (c.kind == X_UFFD_MOVE && c.arg >= X_SLOTS)) {
			fail(&r, EINVAL, "slot out of range");
		} else if (c.kind == X_THREAD_START) {
			thread_start(&r);
		} else if (c.kind == X_THREAD_EXIT) {
			thread_exit(&r);
		} else if (c.kind == X_FORK) {
			rc = do_fork(&fd, &r);
			if (rc == 1) {
				r.val = 0;	/* the child: ready */
				rc = 0;
			}
		} else if (c.kind == X_EXEC) {
			do_exec(fd, &r);
		} else if (c.kind == X_EXIT) {
			send_reply(fd, &r, -1);
			_exit(0);
		} else if (c.thread >= 0 && c.thread < nr_threads) {
			on_thread(threads[c.thread], &c, &r);
		} else {
			run(&c, &r);
		}
		r.discarded = discarded;
		if (rc != 2 && send_reply(fd, &r, -1))
			return 1;
	}
}
