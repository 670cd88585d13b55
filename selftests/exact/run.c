// SPDX-License-Identifier: GPL-2.0
/*
 * One seeded run: start the workers in a fresh cgroup, drive the random
 * sequence of operations across them, checkpoint at random and at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

static const char *const kind_names[X_NR_KINDS] = {
	[X_MMAP] = "mmap", [X_TOUCH] = "touch", [X_FREE] = "free",
	[X_REWRITE] = "rewrite", [X_DONTNEED] = "dontneed",
	[X_MUNMAP] = "munmap", [X_MREMAP] = "mremap", [X_PAGEOUT] = "pageout",
	[X_COLLAPSE] = "collapse", [X_MERGEABLE] = "mergeable",
	[X_PIN] = "pin", [X_UNPIN] = "unpin", [X_UFFD_MOVE] = "uffd-move",
	[X_VERIFY] = "verify", [X_THREAD_START] = "thread-start",
	[X_THREAD_EXIT] = "thread-exit", [X_FORK] = "fork", [X_EXEC] = "exec",
	[X_EXIT] = "exit",
};

const char *x_kind_name(unsigned int kind)
{
	return kind < X_NR_KINDS ? kind_names[kind] : "?";
}

void x_log(struct x_run *run, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (run->verbose)
		printf("#   %s\n", line);
	if (run->log_len + n + 2 > run->log_size) {
		size_t size = (run->log_size + n + 2) * 2;
		char *log = realloc(run->log, size);

		if (!log)
			return;
		run->log = log;
		run->log_size = size;
	}
	memcpy(run->log + run->log_len, line, n);
	run->log_len += n;
	run->log[run->log_len++] = '\n';
	run->log[run->log_len] = '\0';
}

#define REPLY_TIMEOUT_MS	(300 * 1000)	/* an operation that takes longer is hung */

static int recv_reply(int fd, struct x_reply *r, int *fd_out)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { r, sizeof(*r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t n;

	if (poll(&pfd, 1, REPLY_TIMEOUT_MS) == 0)
		return -ETIMEDOUT;
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)sizeof(*r))
		return n < 0 ? -errno : -EPIPE;
	cm = CMSG_FIRSTHDR(&mh);
	if (fd_out && cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd_out, CMSG_DATA(cm), sizeof(int));
	return 0;
}

/* Send @c to @w and wait for its answer; 0, or -errno if it is lost. */
int x_call(struct x_run *run, struct x_worker *w, const struct x_cmd *c,
	   struct x_reply *r, int *fd_out)
{
	int err;

	memset(r, 0, sizeof(*r));
	if (send(w->fd, c, sizeof(*c), MSG_NOSIGNAL) != (ssize_t)sizeof(*c))
		err = -errno;
	else
		err = recv_reply(w->fd, r, fd_out);
	if (err) {
		x_log(run, "worker %d lost: %s", (int)w->pid, strerror(-err));
		run->failed = true;
	}
	return err;
}

static void worker_closed(struct x_worker *w)
{
	int st;

	close(w->fd);
	if (w->top)
		waitpid(w->pid, &st, 0);
	w->live = false;
}

/* A new worker: a fresh exec of ourselves, in the cgroup before it allocates. */
static int spawn_worker(struct x_run *run)
{
	struct x_worker *w = &run->w[run->nr_w];
	struct x_reply r;
	char arg[16];
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		x_log(run, "spawn: socketpair(AF_UNIX): %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int err = errno;

		x_log(run, "spawn: fork: %s", strerror(err));
		close(sv[0]);
		close(sv[1]);
		return -err;
	}
	if (pid == 0) {
		close(sv[0]);
		if (mt_cgroup_join(&run->cg) ||
		    ms_write_str("/proc/self/oom_score_adj", "-1000"))
			_exit(3);
		snprintf(arg, sizeof(arg), "%d", sv[1]);
		fcntl(sv[1], F_SETFD, 0);
		execl("/proc/self/exe", "exactness_test", "--worker", arg,
		      (char *)NULL);
		_exit(4);
	}
	close(sv[1]);
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->fd = sv[0];
	w->live = w->top = true;
	run->nr_w++;
	if (recv_reply(w->fd, &r, NULL)) {
		x_log(run, "worker %d did not start", (int)pid);
		worker_closed(w);
		return -EPIPE;
	}
	x_log(run, "spawn worker %d", (int)pid);
	return 0;
}

static int live_workers(const struct x_run *run)
{
	int i, n = 0;

	for (i = 0; i < run->nr_w; i++)
		n += run->w[i].live;
	return n;
}

static struct x_worker *pick_worker(struct x_run *run)
{
	int n = live_workers(run), k, i;

	if (!n)
		return NULL;
	k = (int)x_below(&run->rng, n);
	for (i = 0; i < run->nr_w; i++)
		if (run->w[i].live && k-- == 0)
			return &run->w[i];
	return NULL;
}

static uint64_t mapped_pages(const struct x_run *run)
{
	uint64_t n = 0;
	int i, k;

	for (i = 0; i < run->nr_w; i++)
		for (k = 0; run->w[i].live && k < X_SLOTS; k++)
			if (run->w[i].slot[k].used)
				n += run->w[i].slot[k].pages;
	return n;
}

/* A slot of @w, in use or empty as @used says, at random; or -1. */
static int pick_slot(struct x_run *run, const struct x_worker *w, bool used)
{
	int k, n = 0, choice;

	for (k = 0; k < X_SLOTS; k++)
		n += w->slot[k].used == used;
	if (!n)
		return -1;
	choice = (int)x_below(&run->rng, n);
	for (k = 0; k < X_SLOTS; k++)
		if (w->slot[k].used == used && choice-- == 0)
			return k;
	return -1;
}

/* Log-uniform 1 .. X_MAX_PAGES pages. */
static uint64_t pick_pages(struct x_run *run)
{
	uint64_t top = 1ULL << x_below(&run->rng, 15);

	return top + x_below(&run->rng, top);
}

static void pick_range(struct x_run *run, uint64_t pages, struct x_cmd *c)
{
	c->off = x_below(&run->rng, pages);
	c->len = 1 + x_below(&run->rng, pages - c->off);
	/* Small ranges too: a page or a few. */
	if (x_below(&run->rng, 3) == 0 && c->len > 8)
		c->len = 1 + x_below(&run->rng, 8);
}

static void mark_shared(struct x_run *run, struct x_worker *w, const char *why)
{
	if (!w->shared)
		x_log(run, "worker %d may share pages from now on (%s)",
		      (int)w->pid, why);
	w->shared = true;
}

/* The mm of @w goes (exit, exec): check and keep what it counted. */
static int retire_mm(struct x_run *run, struct x_worker *w)
{
	struct x_cumul c;

	if (x_drain(run) || x_verify(run, w, &c))
		return -1;
	run->gone.marked += c.marked;
	run->gone.reclaimed += c.reclaimed;
	run->gone.reclaim_freed += c.reclaim_freed;
	run->gone.rescued += c.rescued;
	run->gone.rescued_pinned += c.rescued_pinned;
	x_log(run, "  retired mm of %d: Marked %lld Reclaimed %lld kB",
	      (int)w->pid, (long long)c.marked, (long long)c.reclaimed);
	return 0;
}

static int op_fork(struct x_run *run, struct x_worker *w)
{
	struct x_cmd c = { .kind = X_FORK, .thread = -1 };
	struct x_worker *child;
	struct x_reply r;
	int fd = -1;

	if (run->nr_w == X_MAX_WORKERS || live_workers(run) >= run->max_workers)
		return 0;
	/* A mark still in a batch would turn the child's copy lazy too. */
	if (x_drain(run))
		return -1;
	x_log(run, "%lu: worker %d fork", run->ops, (int)w->pid);
	if (x_call(run, w, &c, &r, &fd))
		return -1;
	if (r.err || fd < 0) {
		x_log(run, "  fork failed: %s", r.msg);
		return 0;
	}
	child = &run->w[run->nr_w++];
	*child = *w;
	child->pid = (pid_t)r.val;
	child->fd = fd;
	child->top = false;
	child->threads = 0;
	child->pinned = false;
	if (recv_reply(fd, &r, NULL)) {
		x_log(run, "  child %d did not start", (int)child->pid);
		run->failed = true;
		return -1;
	}
	mark_shared(run, w, "fork");
	mark_shared(run, child, "forked");
	x_log(run, "  child %d", (int)child->pid);
	return 0;
}

/*
 * Wait until @pidfd's process is gone: its threads have left, and the last
 * one tore its address space down. Until then reclaim can still take pages
 * from it, counted in the record its retirement has already read. Only we
 * read the workers' /proc files, so no one else holds the mm.
 */
static int wait_gone(struct x_run *run, struct x_worker *w, int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int n = poll(&p, 1, 30 * 1000);

	close(pidfd);
	if (n == 1)
		return 0;
	x_log(run, "  worker %d did not exit within 30 s", (int)w->pid);
	run->failed = true;
	return -1;
}

static int op_exit_or_exec(struct x_run *run, struct x_worker *w, bool exec)
{
	struct x_cmd c = { .kind = exec ? X_EXEC : X_EXIT, .thread = -1 };
	struct x_reply r;
	int pidfd = -1;

	if (!exec && live_workers(run) == 1)
		return 0;	/* keep one; it may exec instead */
	if (retire_mm(run, w))
		return -1;
	x_log(run, "%lu: worker %d %s", run->ops, (int)w->pid,
	      exec ? "exec" : "exit");
	if (!exec) {
		/* Before it exits: our children's pids are not reused until reaped. */
		pidfd = (int)syscall(SYS_pidfd_open, w->pid, 0);
		if (pidfd < 0) {
			x_log(run, "  pidfd_open(%d): %s", (int)w->pid,
			      strerror(errno));
			run->failed = true;
			return -1;
		}
	}
	if (x_call(run, w, &c, &r, NULL)) {
		if (pidfd >= 0)
			close(pidfd);
		return -1;
	}
	if (!exec) {
		worker_closed(w);
		return wait_gone(run, w, pidfd);
	}
	if (r.err) {
		x_log(run, "  exec failed: %s", r.msg);
		run->failed = true;
		return -1;
	}
	memset(w->slot, 0, sizeof(w->slot));
	w->threads = 0;
	w->pinned = false;
	w->shared = false;	/* a new mm, that shares nothing */
	return 0;
}

/* Write a cgroup file, logged. */
static int cg_write(struct x_run *run, const char *file, const char *value)
{
	int err = mt_cgroup_set(&run->cg, file, value);

	x_log(run, "%lu: %s <- %s%s%s", run->ops, file, value,
	      err ? ": " : "", err ? strerror(-err) : "");
	return err;
}

/* Lazily freed and clean in the cgroup, in bytes: what reclaim can take. */
static int64_t lazy_bytes(struct x_run *run)
{
	int64_t sum = 0, kb;
	int i;

	for (i = 0; i < run->nr_w; i++) {
		if (!run->w[i].live)
			continue;
		kb = mt_madvstat_get(run->w[i].pid, "LazyFree");
		if (kb > 0)
			sum += kb << 10;
	}
	return sum;
}

/*
 * Reclaim in the cgroup: memory.reclaim, or a squeeze of memory.max (or
 * of memory.high, before 5.19) below what the cgroup holds, by up to half
 * of what is lazily freed and clean: no swap, so only that can go, and a
 * deeper squeeze would end in the OOM killer (who finds no victim: the
 * workers have oom_score_adj -1000).
 */
static int op_reclaim(struct x_run *run, bool squeeze)
{
	char v[32], path[192];
	int64_t cur, lazy;

	if (!squeeze && run->feat.mreclaim) {
		snprintf(v, sizeof(v), "%lluK",
			 (unsigned long long)(64 << x_below(&run->rng, 10)));
		cg_write(run, "memory.reclaim", v);	/* EAGAIN is fine */
		return 0;
	}
	snprintf(path, sizeof(path), "%s/memory.current", run->cg.path);
	cur = mt_file_num(path);
	if (cur < 0)
		return 0;
	lazy = lazy_bytes(run);
	if (lazy < (1 << 20))
		return 0;
	cur -= (int64_t)x_below(&run->rng, (uint64_t)lazy / 2);
	snprintf(v, sizeof(v), "%lld", (long long)cur);
	cg_write(run, squeeze ? "memory.max" : "memory.high", v);
	cg_write(run, squeeze ? "memory.max" : "memory.high", "max");
	return 0;
}

/* One operation on @w, chosen by weight among those that apply. */
static int op_worker(struct x_run *run, struct x_worker *w)
{
	static const unsigned char weight[X_NR_KINDS] = {
		[X_MMAP] = 8, [X_TOUCH] = 10, [X_FREE] = 14, [X_REWRITE] = 8,
		[X_DONTNEED] = 3, [X_MUNMAP] = 3, [X_MREMAP] = 3,
		[X_PAGEOUT] = 3, [X_COLLAPSE] = 2, [X_MERGEABLE] = 1,
		[X_PIN] = 2, [X_UNPIN] = 2, [X_UFFD_MOVE] = 2, [X_VERIFY] = 2,
		[X_THREAD_START] = 1, [X_THREAD_EXIT] = 1, [X_FORK] = 2,
		[X_EXEC] = 1, [X_EXIT] = 1,
	};
	struct x_cmd c = { .thread = -1 };
	struct x_slot_view *s;
	struct x_reply r;
	unsigned int total = 0, k, pick;
	int slot, empty;

	for (k = 0; k < X_NR_KINDS; k++)
		total += weight[k];
	pick = (unsigned int)x_below(&run->rng, total);
	for (k = 0; pick >= weight[k]; k++)
		pick -= weight[k];
	c.kind = k;
	slot = pick_slot(run, w, true);
	empty = pick_slot(run, w, false);

	switch (c.kind) {
	case X_FORK:
		return op_fork(run, w);
	case X_EXEC:
	case X_EXIT:
		return op_exit_or_exec(run, w, c.kind == X_EXEC);
	case X_THREAD_EXIT:
		if (!w->threads)
			return 0;
		break;
	case X_THREAD_START:
	case X_UNPIN:
	case X_VERIFY:
		break;
	case X_MMAP:
		if (empty < 0)
			return 0;
		c.slot = (unsigned int)empty;
		c.len = pick_pages(run);
		if (mapped_pages(run) + c.len > X_BUDGET_PAGES)
			return 0;
		c.arg = x_below(&run->rng, 3) == 0 ? X_MAP_THP :
			x_below(&run->rng, 2) ? X_MAP_NOTHP : 0;
		if (x_below(&run->rng, 2))
			c.arg |= X_MAP_ALIGN;
		if (run->feat.droppable && x_below(&run->rng, 10) == 0)
			c.arg = X_MAP_DROPPABLE;
		break;
	case X_UFFD_MOVE:
		if (!run->feat.uffd_move || slot < 0 || empty < 0 ||
		    (w->slot[slot].flags & X_MAP_DROPPABLE) ||
		    mapped_pages(run) + w->slot[slot].pages > X_BUDGET_PAGES)
			return 0;
		c.slot = (unsigned int)slot;
		c.arg = (unsigned int)empty;
		break;
	case X_MREMAP:
		if (slot < 0)
			return 0;
		s = &w->slot[slot];
		c.slot = (unsigned int)slot;
		c.arg = s->pages;
		switch (x_below(&run->rng, 3)) {
		case 0:
			c.arg2 = 1;	/* move */
			break;
		case 1:
			c.arg = s->pages + 1 + x_below(&run->rng, s->pages);
			break;
		default:
			c.arg = (s->pages + 1) / 2;
		}
		if (c.arg > X_MAX_PAGES || mapped_pages(run) + c.arg > X_BUDGET_PAGES)
			return 0;
		break;
	default:
		if (slot < 0)
			return 0;
		if ((c.kind == X_COLLAPSE && !run->feat.collapse) ||
		    (c.kind == X_MERGEABLE && !run->feat.ksm))
			return 0;
		s = &w->slot[slot];
		c.slot = (unsigned int)slot;
		pick_range(run, s->pages, &c);
		/* All of it, or a tail: the slot stays one mapping. */
		if (c.kind == X_MUNMAP) {
			if (x_below(&run->rng, 2))
				c.off = 0;
			c.len = s->pages - c.off;
		}
		if (c.kind == X_FREE && w->last_free[2] && x_below(&run->rng, 5) == 0 &&
		    w->slot[w->last_free[0]].used &&
		    w->last_free[1] + w->last_free[2] <= w->slot[w->last_free[0]].pages) {
			c.slot = (unsigned int)w->last_free[0];
			c.off = w->last_free[1];
			c.len = w->last_free[2];
		}
		if (c.kind == X_REWRITE)
			c.arg = 1 + x_below(&run->rng, c.len < 64 ? c.len : 64);
		if (c.kind == X_PIN && c.len > 256)
			c.len = 256;
		if ((c.kind == X_FREE || c.kind == X_REWRITE || c.kind == X_TOUCH) &&
		    w->threads && x_below(&run->rng, 2))
			c.thread = (int)x_below(&run->rng, w->threads);
		c.seed = x_rand(&run->rng);
	}
	x_log(run, "%lu: worker %d %s slot %u [%llu +%llu) arg %llu%s%s",
	      run->ops, (int)w->pid, x_kind_name(c.kind), c.slot,
	      (unsigned long long)c.off, (unsigned long long)c.len,
	      (unsigned long long)c.arg, c.arg2 ? " move" : "",
	      c.thread >= 0 ? " (thread)" : "");
	if (c.kind == X_VERIFY) {
		struct x_cumul cu;

		return x_verify(run, w, &cu);
	}
	if (x_call(run, w, &c, &r, NULL))
		return -1;
	if (r.err) {
		x_log(run, "  error %d: %s", r.err, r.msg);
		/* The contents check failing is a miscount of the worst kind. */
		if (r.err == EIO) {
			run->failed = true;
			return -1;
		}
		return 0;
	}
	switch (c.kind) {
	case X_MMAP:
		w->slot[c.slot] = (struct x_slot_view){ true, c.len,
			(unsigned int)c.arg, r.addr };
		break;
	case X_MUNMAP:
		if (c.off == 0)
			w->slot[c.slot].used = false;
		else
			w->slot[c.slot].pages = c.off;
		break;
	case X_MREMAP:
		w->slot[c.slot].pages = r.val;
		w->slot[c.slot].addr = r.addr;
		break;
	case X_UFFD_MOVE:
		w->pinned = false;
		w->slot[c.arg] = w->slot[c.slot];
		w->slot[c.arg].addr = r.addr;
		x_log(run, "  moved %llu pages", (unsigned long long)r.val);
		break;
	case X_FREE:
		w->last_free[0] = c.slot;
		w->last_free[1] = c.off;
		w->last_free[2] = c.len;
		break;
	case X_MERGEABLE:
		mark_shared(run, w, "KSM");
		break;
	case X_PIN:
		w->pinned = true;
		x_log(run, "  pinned %llu pages", (unsigned long long)r.val);
		break;
	case X_UNPIN:
		w->pinned = false;
		break;
	case X_THREAD_START:
		w->threads++;
		break;
	case X_THREAD_EXIT:
		w->threads--;
		break;
	}
	return 0;
}

static int one_op(struct x_run *run)
{
	struct x_worker *w;
	unsigned int pick = (unsigned int)x_below(&run->rng, 100);

	if (pick < 4)
		return op_reclaim(run, false);
	if (pick < 5)
		return op_reclaim(run, true);
	if (pick < 6) {
		x_log(run, "%lu: compact_memory", run->ops);
		return mt_drain_lru();
	}
	if (pick < 9 || live_workers(run) == 0) {
		if (live_workers(run) < run->max_workers && run->nr_w < X_MAX_WORKERS)
			return spawn_worker(run);
	}
	w = pick_worker(run);
	return w ? op_worker(run, w) : 0;
}

static void detect(struct x_features *f)
{
	f->collapse = mt_kernel_at_least(6, 1);
	f->uffd_move = mt_kernel_at_least(6, 8);
	f->droppable = mt_kernel_at_least(6, 11);
	f->ksm = !access("/sys/kernel/mm/ksm/run", W_OK);
	f->mreclaim = mt_kernel_at_least(5, 19);
	f->event_lag = mt_cgroup_event_lag();
	f->rt = mt_preempt_rt();
	/* Without THP (PREEMPT_RT) there is no such file, and no khugepaged. */
	f->refills = mt_file_num(MAX_PTES_NONE) > 0;
}

static void stop_all(struct x_run *run)
{
	struct x_cmd c = { .kind = X_EXIT, .thread = -1 };
	struct x_reply r;
	int i;

	for (i = 0; i < run->nr_w; i++) {
		if (!run->w[i].live)
			continue;
		if (!run->failed)
			x_call(run, &run->w[i], &c, &r, NULL);
		else
			kill(run->w[i].pid, SIGKILL);
		worker_closed(&run->w[i]);
	}
}

/*
 * Run @ops operations of @seed; 0 if every checkpoint agreed, else -1
 * (the seed, the log since the last checkpoint and the numbers printed).
 */
int x_run_seed(uint64_t seed, unsigned long ops, bool verbose,
	       unsigned long *ops_done)
{
	struct x_run *run = calloc(1, sizeof(*run));
	char tag[32];
	int err = 0;

	if (!run)
		return -1;
	run->seed = seed;
	run->rng = seed;
	run->max_ops = ops;
	run->verbose = verbose;
	if (getenv("EXACT_CHECK_EVERY"))
		run->check_every = strtoul(getenv("EXACT_CHECK_EVERY"), NULL, 10);
	run->max_workers = 1 + (int)x_below(&run->rng, X_MAX_WORKERS);
	detect(&run->feat);
	snprintf(tag, sizeof(tag), "exact-%llu", (unsigned long long)seed);
	run->drain_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (run->drain_page == MAP_FAILED || mt_cgroup_create(&run->cg, tag) ||
	    x_baseline(run)) {
		printf("# seed %llu: cannot set up (cgroup, baseline)\n",
		       (unsigned long long)seed);
		free(run);
		return -1;
	}
	while (run->ops < run->max_ops && !run->failed) {
		run->ops++;
		if (one_op(run) || run->failed) {
			run->failed = true;
			break;
		}
		if ((x_below(&run->rng, 40) == 0 ||
		     (run->check_every && run->ops % run->check_every == 0)) &&
		    x_checkpoint(run, "random"))
			break;
	}
	if (!run->failed)
		x_checkpoint(run, "end");
	printf("# seed %llu: %lu checkpoints; Reclaimed matched the discards a worker saw %lu times (up to %lld kB)\n",
	       (unsigned long long)seed, run->checkpoints, run->reclaim_checks,
	       (long long)run->reclaim_checked_kb);
	if (run->failed) {
		printf("# seed %llu FAILED after %lu operations; since the last checkpoint:\n",
		       (unsigned long long)seed, run->ops);
		fwrite(run->log ? run->log : "", 1, run->log_len, stdout);
		err = -1;
	}
	stop_all(run);
	mt_cgroup_remove(&run->cg);
	munmap(run->drain_page, 4096);
	*ops_done = run->ops;
	free(run->log);
	free(run);
	return err;
}
