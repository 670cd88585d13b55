// SPDX-License-Identifier: GPL-2.0
/*
 * Following processes as they come and go: their /proc/madvstat entries
 * (procdir.c) and the birth of their address spaces (mmstate.c).
 *
 * - at load, every process is entered;
 * - the sched_process_fork tracepoint asks both the new process and its
 *   parent (task_work) to enter it before they next return to user space,
 *   so the entry exists by the time fork() returns in either; a child with
 *   an address space of its own joins its parent's family (mmstate.c);
 * - sched_process_exit asks the last thread of a process to remove its
 *   entry (task_work again: do_exit() runs task_works after this
 *   tracepoint and before it notifies the parent), so the entry is gone
 *   by the time wait() returns, and no worker is woken per process;
 * - sched_process_exec records the new address space clean, and queues an
 *   "add" for a process it has no entry for (a usermode helper); a worker
 *   applies queued events in order.
 * Probes may run with preemption disabled and must not sleep, so they
 * only allocate (GFP_ATOMIC) and queue; if the task_work cannot be added,
 * the event goes to the worker, and if even that allocation fails, the
 * worker rescans all processes. A task_work that would remove an entry
 * while the directory is being listed (listing_guard.c, old kernels only)
 * queues its event too: only the worker waits for listings to end.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/llist.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "madvstat.h"

struct madvstat_event {
	struct llist_node node;
	struct pid *pid;
	bool add;
};

/* One allocation for the works of a fork's child and parent alike. */
struct madvstat_task_work {
	struct callback_head cb[2];
	struct pid *pid;
	atomic_t users;		/* of cb[], queued and not yet run */
	bool add;
};

static LLIST_HEAD(madvstat_events);
static atomic_t madvstat_rescan_needed = ATOMIC_INIT(0);
static struct workqueue_struct *madvstat_wq;
static void madvstat_events_fn(struct work_struct *work);
static DECLARE_WORK(madvstat_events_work, madvstat_events_fn);
/* task_work callbacks queued and not yet finished */
static atomic_t madvstat_task_works = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(madvstat_task_works_done);

static void madvstat_rescan(void)
{
	while (!madvstat_procdir_rescan())
		madvstat_listing_wait();
}

static void madvstat_events_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&madvstat_events);
	struct madvstat_event *ev, *tmp;

	llist_for_each_entry_safe(ev, tmp, llist_reverse_order(list), node) {
		while (!madvstat_procdir_apply(ev->pid, ev->add))
			madvstat_listing_wait();
		put_pid(ev->pid);
		kfree(ev);
	}
	if (atomic_xchg(&madvstat_rescan_needed, 0))
		madvstat_rescan();
}

/* From tracepoint probes (atomic context) and task_works. */
static void madvstat_queue(struct pid *pid, bool add)
{
	struct madvstat_event *ev = madvstat_kmalloc_obj(ev, GFP_ATOMIC |
							 __GFP_NOWARN);

	if (ev) {
		ev->pid = get_pid(pid);
		ev->add = add;
		llist_add(&ev->node, &madvstat_events);
	} else {
		atomic_set(&madvstat_rescan_needed, 1);
	}
	queue_work(madvstat_wq, &madvstat_events_work);
}

static void madvstat_task_work_done(void)
{
	/* Only madvstat_procdir_exit() waits for the count to drop. */
	if (atomic_dec_and_test(&madvstat_task_works) &&
	    wq_has_sleeper(&madvstat_task_works_done))
		wake_up(&madvstat_task_works_done);
}

static void madvstat_task_work_put(struct madvstat_task_work *w)
{
	if (atomic_dec_and_test(&w->users)) {
		put_pid(w->pid);
		kfree(w);
	}
	/*
	 * The rest of this function still runs from module text after the
	 * count drops: madvstat_procdir_exit() waits for an RCU-tasks grace
	 * period for that reason.
	 */
	madvstat_task_work_done();
}

/* task_work: process context, on the way back to user space or in exit. */
static void madvstat_task_work_run(struct madvstat_task_work *w)
{
	/* After fork, one of parent and child finds the other made it. */
	if ((!w->add || !madvstat_procdir_has(w->pid)) &&
	    !madvstat_procdir_apply(w->pid, w->add))
		madvstat_queue(w->pid, w->add);
	madvstat_task_work_put(w);
}

static void madvstat_task_work_fn0(struct callback_head *cb)
{
	madvstat_task_work_run(container_of(cb, struct madvstat_task_work,
					    cb[0]));
}

static void madvstat_task_work_fn1(struct callback_head *cb)
{
	madvstat_task_work_run(container_of(cb, struct madvstat_task_work,
					    cb[1]));
}

/*
 * Add or remove the entry of pid from the context of each of tasks[0..n)
 * (n <= 2), before it next returns to user space or finishes exiting.
 * From atomic context. Returns a bit per task whose work was queued.
 */
static unsigned int madvstat_task_work(struct task_struct *const *tasks,
				       int n, struct pid *pid, bool add)
{
	static const task_work_func_t fns[] = {
		madvstat_task_work_fn0, madvstat_task_work_fn1,
	};
	struct madvstat_task_work *w = madvstat_kmalloc_obj(w, GFP_ATOMIC |
							    __GFP_NOWARN);
	unsigned int queued = 0;
	int i;

	if (!w)
		return 0;
	w->pid = get_pid(pid);
	w->add = add;
	atomic_set(&w->users, n);
	for (i = 0; i < n; i++) {
		init_task_work(&w->cb[i], fns[i]);
		atomic_inc(&madvstat_task_works);
		if (!task_work_add(tasks[i], &w->cb[i], TWA_RESUME))
			queued |= 1U << i;
		else	/* the task is past exit_task_work() */
			madvstat_task_work_put(w);
	}
	return queued;
}

static void madvstat_on_fork(void *data, struct task_struct *parent,
			     struct task_struct *child)
{
	struct task_struct *const tasks[] = { child, parent };
	struct pid *pid = task_tgid(child);

	if (!thread_group_leader(child) || !child->mm ||
	    (child->flags & PF_KTHREAD))
		return;
	if (child->mm != parent->mm)
		madvstat_mm_born_fork(parent->mm, child->mm);
	/*
	 * Not the parent after vfork(), which returns only after the child
	 * execs or exits: the child's own work has run by then, and the
	 * parent's would keep rmmod waiting that long.
	 */
	if (!(madvstat_task_work(tasks, child->mm != parent->mm ? 2 : 1,
				 pid, true) & 1))
		madvstat_queue(pid, true);
}

static void madvstat_on_exec(void *data, struct task_struct *task,
			     pid_t old_pid, struct linux_binprm *bprm)
{
	struct pid *pid = task_tgid(task);

	madvstat_mm_born_exec(task->mm);
	/*
	 * Nearly every process was entered when it forked; only one that
	 * never forked as a user process (a usermode helper) is new here.
	 */
	if (!madvstat_procdir_has(pid))
		madvstat_queue(pid, true);
}

static void madvstat_on_exit(void *data, MADVSTAT_EXIT_PARAMS)
{
	struct pid *pid = task_tgid(task);

	/* The last thread out has dropped signal->live to zero. */
	if ((task->flags & PF_KTHREAD) || atomic_read(&task->signal->live))
		return;
	if (!madvstat_task_work(&task, 1, pid, false))
		madvstat_queue(pid, false);
}

static struct madvstat_tp madvstat_lifecycle_tps[] = {
	{ .name = "sched_process_fork", .probe = madvstat_on_fork },
	{ .name = "sched_process_exec", .probe = madvstat_on_exec },
	{ .name = "sched_process_exit", .probe = madvstat_on_exit },
};

int madvstat_lifecycle_init(void)
{
	int err;

	madvstat_wq = alloc_ordered_workqueue("madvstat", 0);
	if (!madvstat_wq)
		return -ENOMEM;
	/* Hooks first, so no process is missed between scan and hooks. */
	err = madvstat_tp_register(madvstat_lifecycle_tps,
				   ARRAY_SIZE(madvstat_lifecycle_tps));
	if (err) {
		destroy_workqueue(madvstat_wq);
		return err;
	}
	madvstat_rescan();
	return 0;
}

void madvstat_lifecycle_exit(void)
{
	madvstat_tp_unregister(madvstat_lifecycle_tps,
			       ARRAY_SIZE(madvstat_lifecycle_tps));
	/*
	 * No probe runs now. Let the task_works they queued run (each runs
	 * as soon as its task returns to user space, or exits), and let
	 * each of them return from our text: a task that was preempted
	 * there has not yet passed a voluntary context switch.
	 */
	wait_event(madvstat_task_works_done,
		   !atomic_read(&madvstat_task_works));
	synchronize_rcu_tasks();
	/* Then apply what the probes queued, and stop. */
	flush_workqueue(madvstat_wq);
	destroy_workqueue(madvstat_wq);
}
