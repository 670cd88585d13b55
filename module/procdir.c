// SPDX-License-Identifier: GPL-2.0
/*
 * The entries of /proc/madvstat/: one per live user process, named by its
 * pid in the initial pid namespace, like /proc itself.
 *
 * procfs gives modules no directory with a lookup of their own, so each
 * entry is a real proc entry, kept in step with the processes by
 * lifecycle.c. All changes are made under one mutex.
 *
 * Each entry remembers its struct pid, so a remove for a process long gone
 * never removes the entry of a newer process that reuses the number.
 *
 * A change that must remove an entry while listing_guard.c says the
 * directory is being listed is not made: it returns false, and the caller
 * retries it after madvstat_listing_wait(), or hands it to one that will.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "compat.h"
#include "madvstat.h"

static struct proc_dir_entry *madvstat_dir;
static DEFINE_MUTEX(madvstat_entries_lock);
static DEFINE_XARRAY(madvstat_entries);	/* pid number -> entry */

/*
 * A process whose exit has not yet been queued: not a kernel thread, and
 * some thread of it still running. Callers hold madvstat_entries_lock, so
 * a process found dead here has its remove event queued or applied.
 */
static bool madvstat_process_live(struct pid *pid)
{
	struct task_struct *task;
	bool live = false;

	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_TGID);
	if (task && !(task->flags & PF_KTHREAD))
		live = atomic_read(&task->signal->live) > 0;
	rcu_read_unlock();
	return live;
}

/* Whether pid has its entry; from any context, without the mutex. */
bool madvstat_procdir_has(struct pid *pid)
{
	struct madvstat_entry *e;
	bool present;

	rcu_read_lock();
	e = xa_load(&madvstat_entries, pid_nr(pid));
	present = e && e->pid == pid;
	rcu_read_unlock();
	return present;
}

/* Room for an unsigned long in decimal, and the NUL. */
#define MADVSTAT_NAME_SIZE	24

/* The entry's name: nr in decimal, without vsnprintf() (once per fork). */
static const char *madvstat_entry_name(char *buf, unsigned long nr)
{
	char *p = buf + MADVSTAT_NAME_SIZE - 1;

	*p = '\0';
	do {
		p--;
		*p = '0' + nr % 10;
	} while (nr /= 10);
	return p;
}

/* Remove e, unless the directory is being listed (returns false). */
static bool madvstat_entry_free(struct madvstat_entry *e)
{
	lockdep_assert_held(&madvstat_entries_lock);
	if (!madvstat_listing_idle())
		return false;
	xa_erase(&madvstat_entries, pid_nr(e->pid));
	/* Waits for readers in our file operations, and closes open files. */
	proc_remove(e->pde);
	put_pid(e->pid);
	kfree_rcu(e, rcu);	/* madvstat_on_exec() may be looking at it */
	return true;
}

static bool madvstat_entry_remove(struct pid *pid)
{
	struct madvstat_entry *e;

	lockdep_assert_held(&madvstat_entries_lock);
	e = xa_load(&madvstat_entries, pid_nr(pid));
	if (!e || e->pid != pid)
		return true;
	return madvstat_entry_free(e);
}

static bool madvstat_entry_add(struct pid *pid)
{
	unsigned long nr = pid_nr(pid);
	struct madvstat_entry *e;
	char name[MADVSTAT_NAME_SIZE];

	lockdep_assert_held(&madvstat_entries_lock);
	e = xa_load(&madvstat_entries, nr);
	if ((e && e->pid == pid) || !madvstat_process_live(pid))
		return true;
	/*
	 * Two live processes cannot share a number: this is a dead one whose
	 * remove has not been applied yet.
	 */
	if (e && !madvstat_entry_free(e))
		return false;

	/* The slot first: past the proc entry, nothing can fail. */
	if (xa_reserve(&madvstat_entries, nr, GFP_KERNEL))
		goto fail;
	e = madvstat_kzalloc_obj(e, GFP_KERNEL);
	if (!e)
		goto fail_slot;
	e->pid = get_pid(pid);
	e->pde = madvstat_report_create(madvstat_entry_name(name, nr),
					madvstat_dir, e);
	if (!e->pde)
		goto fail_pid;
	xa_store(&madvstat_entries, nr, e, GFP_KERNEL);
	return true;

fail_pid:
	put_pid(e->pid);
	kfree(e);
fail_slot:
	xa_release(&madvstat_entries, nr);
fail:
	pr_warn_ratelimited("no memory for the entry of pid %lu\n", nr);
	return true;
}

/*
 * Add or remove the entry of @pid, as a lifecycle event asks. Returns
 * false if that waits for a listing of the directory to end.
 */
bool madvstat_procdir_apply(struct pid *pid, bool add)
{
	bool done;

	mutex_lock(&madvstat_entries_lock);
	if (add)
		done = madvstat_entry_add(pid);
	else
		done = madvstat_entry_remove(pid);
	mutex_unlock(&madvstat_entries_lock);
	return done;
}

/* Enter every live process and drop entries of dead ones. */
static bool madvstat_rescan_locked(void)
{
	struct madvstat_entry *e;
	struct pid *pid;
	unsigned long nr;
	int next = 1;
	bool done = true;

	lockdep_assert_held(&madvstat_entries_lock);
	xa_for_each(&madvstat_entries, nr, e)
		if (!madvstat_process_live(e->pid) && !madvstat_entry_free(e))
			return false;

	for (;;) {
		rcu_read_lock();
		pid = madvstat_find_ge_pid(next, &init_pid_ns);
		if (pid) {
			get_pid(pid);
			next = pid_nr(pid) + 1;
		}
		rcu_read_unlock();
		if (!pid)
			break;
		if (pid_has_task(pid, PIDTYPE_TGID) &&
		    !madvstat_entry_add(pid))
			done = false;
		put_pid(pid);
		cond_resched();
	}
	return done;
}

/**
 * madvstat_procdir_pids - the pids of all processes with an entry
 * @pidsp: set to an array of pid references; put each, then kvfree() it
 *
 * Returns how many, or -ENOMEM.
 */
int madvstat_procdir_pids(struct pid ***pidsp)
{
	struct madvstat_entry *e;
	struct pid **pids;
	unsigned long nr;
	int n = 0, max = 0;

	mutex_lock(&madvstat_entries_lock);
	xa_for_each(&madvstat_entries, nr, e)
		max++;
	pids = kvmalloc_array(max ?: 1, sizeof(*pids), GFP_KERNEL);
	if (pids)
		xa_for_each(&madvstat_entries, nr, e)
			pids[n++] = get_pid(e->pid);
	mutex_unlock(&madvstat_entries_lock);
	if (!pids)
		return -ENOMEM;
	*pidsp = pids;
	return n;
}

/* Returns false if that waits for a listing of the directory to end. */
bool madvstat_procdir_rescan(void)
{
	bool done;

	mutex_lock(&madvstat_entries_lock);
	done = madvstat_rescan_locked();
	mutex_unlock(&madvstat_entries_lock);
	return done;
}

void madvstat_procdir_init(struct proc_dir_entry *dir)
{
	madvstat_dir = dir;
}

/* Remove every entry; lifecycle.c makes no more changes. */
void madvstat_procdir_exit(void)
{
	struct madvstat_entry *e;
	unsigned long nr;

	mutex_lock(&madvstat_entries_lock);
	xa_for_each(&madvstat_entries, nr, e) {
		while (!madvstat_entry_free(e)) {
			mutex_unlock(&madvstat_entries_lock);
			madvstat_listing_wait();
			mutex_lock(&madvstat_entries_lock);
		}
	}
	mutex_unlock(&madvstat_entries_lock);
	xa_destroy(&madvstat_entries);
}

/* How many entries there are now. */
unsigned long madvstat_procdir_count(void)
{
	struct madvstat_entry *e;
	unsigned long nr, n = 0;

	mutex_lock(&madvstat_entries_lock);
	xa_for_each(&madvstat_entries, nr, e)
		n++;
	mutex_unlock(&madvstat_entries_lock);
	return n;
}
