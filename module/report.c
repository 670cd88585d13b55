// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/madvstat/<pid>: open, read and release of one process's report.
 *
 * Format (Documentation/madvstat.rst is the reference): "Field: value"
 * lines, sizes in kB, a blank line, then one line per VMA holding lazily
 * freed pages:
 *
 *   start-end perms RssAnon LazyFree LazyFreeDirty name
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "madvstat.h"

/*
 * What an open file holds: the process and its address space. The entry
 * outlives the open file: proc_remove() closes open files first.
 */
struct madvstat_report {
	struct madvstat_entry *entry;
	struct pid *pid;
	struct mm_struct *mm;	/* mmgrab()bed: the struct, not the pages */
};

static const char *const madvstat_kind_names[] = {
	[MADVSTAT_VMA_ANON] = "[anon]",
	[MADVSTAT_VMA_HEAP] = "[heap]",
	[MADVSTAT_VMA_STACK] = "[stack]",
};

static void madvstat_show_vma(void *arg, const struct madvstat_vma_rec *rec)
{
	const struct madvstat_counts *c = &rec->counts;
	struct seq_file *m = arg;

	if (!c->lazyfree && !c->lazyfree_dirty)
		return;
	seq_printf(m, "%08lx-%08lx %c%c%c%c %lu %lu %lu ",
		   rec->start, rec->end,
		   rec->flags & VM_READ ? 'r' : '-',
		   rec->flags & VM_WRITE ? 'w' : '-',
		   rec->flags & VM_EXEC ? 'x' : '-',
		   rec->flags & VM_MAYSHARE ? 's' : 'p',
		   MADVSTAT_KB(c->anon), MADVSTAT_KB(c->lazyfree),
		   MADVSTAT_KB(c->lazyfree_dirty));
	if (rec->kind == MADVSTAT_VMA_FILE)
		seq_file_path(m, rec->file, "\n");
	else
		seq_puts(m, madvstat_kind_names[rec->kind]);
	seq_putc(m, '\n');
}

/* Turn buf[0..len) = A B into B A, in place. */
static void madvstat_reverse(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len / 2; i++)
		swap(s[i], s[len - 1 - i]);
}

static void madvstat_rotate(char *buf, size_t a, size_t len)
{
	madvstat_reverse(buf, a);
	madvstat_reverse(buf + a, len - a);
	madvstat_reverse(buf, len);
}

static int madvstat_show(struct seq_file *m, void *v)
{
	struct madvstat_report *r = m->private;
	struct mm_struct *mm = r->mm;
	struct madvstat_ticket ticket;
	struct madvstat_counts total;
	struct madvstat_cumul cumul;
	char comm[TASK_COMM_LEN] = "";
	unsigned long rss, anon;
	struct task_struct *task;
	size_t base = m->count, vma_len;
	int err;

	if (!mmget_not_zero(mm))
		return -ESRCH;	/* it exited after open() */

	/*
	 * The per-VMA lines are printed during the walk, before the summary
	 * they come after; the two parts are swapped once both are known.
	 */
	err = madvstat_snapshot(mm, &total, madvstat_show_vma, m, &ticket);
	if (err < 0)
		goto out;
	if (err == 1) {		/* found none: next time, no walk */
		synchronize_rcu();
		madvstat_snapshot_confirm(mm, &ticket);
		err = 0;
	}
	vma_len = m->count - base;

	madvstat_mm_read(mm, &cumul);

	task = get_pid_task(r->pid, PIDTYPE_TGID);
	if (task)
		get_task_comm(comm, task);
	seq_printf(m, "%-15s%8d\n", "Pid:", pid_nr(r->pid));
	seq_printf(m, "%-15s%s\n", "Name:", comm);
	madvstat_mm_rss(mm, &rss, &anon);
	madvstat_show_snapshot(m, rss, anon, &total);
	madvstat_show_cumul(m, &cumul, madvstat_dropped(&cumul, &total), task);
	if (task)
		put_task_struct(task);
	seq_putc(m, '\n');

	/* On overflow seq_file calls us again with a larger buffer. */
	if (!seq_has_overflowed(m)) {
		madvstat_rotate(m->buf + base, vma_len, m->count - base);
		WRITE_ONCE(r->entry->size_hint, m->count);
	}
out:
	mmput(mm);
	return err;
}

/*
 * The process's address space, from the leader or, if the leader has
 * exited before its other threads (it stays a zombie until they all have),
 * from any thread still running.
 */
struct mm_struct *madvstat_get_process_mm(struct task_struct *leader)
{
	struct mm_struct *mm = get_task_mm(leader);
	struct task_struct *t;

	if (mm)
		return mm;
	rcu_read_lock();
	for_each_thread(leader, t) {
		mm = get_task_mm(t);
		if (mm)
			break;
	}
	rcu_read_unlock();
	return mm;
}

static int madvstat_open(struct inode *inode, struct file *file)
{
	struct madvstat_entry *entry = pde_data(inode);
	struct pid *pid = entry->pid;
	struct madvstat_report *r;
	struct task_struct *task;
	struct mm_struct *mm;
	size_t size;
	int err;

	if (file->f_mode & FMODE_WRITE)
		return -EACCES;

	task = get_pid_task(pid, PIDTYPE_TGID);
	if (!task)
		return -ESRCH;
	mm = madvstat_get_process_mm(task);
	if (!mm) {
		err = -ESRCH;	/* exiting, or a zombie */
		goto out_task;
	}
	err = madvstat_may_read(task, mm);
	if (err)
		goto out_mm;

	r = madvstat_kmalloc_obj(r, GFP_KERNEL);
	if (!r) {
		err = -ENOMEM;
		goto out_mm;
	}
	r->entry = entry;
	r->pid = get_pid(pid);
	r->mm = mm;
	mmgrab(mm);

	/*
	 * A report that does not fit is made again in a buffer twice as
	 * large; start from what the last one took, so that is rare.
	 */
	size = max_t(size_t, PAGE_SIZE, READ_ONCE(entry->size_hint) * 9 / 8);
	err = single_open_size(file, madvstat_show, r, size);
	if (err) {
		mmdrop(mm);
		put_pid(r->pid);
		kfree(r);
	}
out_mm:
	mmput(mm);
out_task:
	put_task_struct(task);
	return err;
}

static int madvstat_release(struct inode *inode, struct file *file)
{
	struct madvstat_report *r = ((struct seq_file *)file->private_data)->private;

	mmdrop(r->mm);
	put_pid(r->pid);
	kfree(r);
	return single_release(inode, file);
}

static const struct proc_ops madvstat_report_ops = {
	.proc_open	= madvstat_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= madvstat_release,
};

struct proc_dir_entry *madvstat_report_create(const char *name,
					      struct proc_dir_entry *dir,
					      void *data)
{
	return proc_create_data(name, 0444, dir, &madvstat_report_ops, data);
}
