// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/madvstat/processes: one line per process the reader may read, with
 * the fields of its /proc/madvstat/<pid> entry but no VMA lines, so that a
 * whole-host scan is one open and one read. The scan behind it also feeds
 * /proc/madvstat/summary.
 *
 * Format (Documentation/madvstat.rst is the reference):
 *
 *   # unreadable N
 *   Pid Rss RssAnon LazyFree LazyFreeDirty Droppable Marked Reclaimed ...
 *   1 10240 2048 0 0 0 0 0 ...
 *
 * Sizes in kB; the cumulative columns are "-" when tracking is off; Name
 * and Cgroup (the cgroup v2 path, as /proc/<pid>/cgroup shows it to the
 * reader) are last, with space, tab, newline and backslash escaped in
 * octal (\040), as /proc/mounts does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "madvstat.h"

/* A process whose walk found nothing, to confirm clean after a grace period. */
struct madvstat_pending_confirm {
	struct mm_struct *mm;	/* mmget()ed */
	struct madvstat_ticket ticket;
};

/*
 * Fill @p for the process of @pid. Returns 1 when it is readable, 0 when it
 * is gone or has no address space, -EACCES when the reader may not read it,
 * or an error from the walk. When its walk found nothing, @pc gets the mm
 * (referenced) and what a confirmation needs.
 */
static int madvstat_proc_fill(struct madvstat_proc *p, struct pid *pid,
			      bool cgroup, struct madvstat_pending_confirm *pc)
{
	struct task_struct *task;
	struct mm_struct *mm;
	int err = 0;

	task = get_pid_task(pid, PIDTYPE_TGID);
	if (!task)
		return 0;
	mm = madvstat_get_process_mm(task);
	if (!mm)
		goto out_task;
	err = madvstat_may_read(task, mm);
	if (err)
		goto out_mm;
	err = madvstat_snapshot(mm, &p->snap, NULL, NULL, &pc->ticket);
	if (err < 0)
		goto out_mm;
	if (err == 1)
		pc->mm = mm;	/* its reference is kept for the confirmation */
	p->pid = get_pid(pid);
	madvstat_mm_read(mm, &p->cumul);
	madvstat_mm_rss(mm, &p->rss, &p->anon);
	p->dropped = madvstat_dropped(&p->cumul, &p->snap);
	get_task_comm(p->comm, task);
	if (cgroup) {
		rcu_read_lock();
		p->cgrp = task_dfl_cgroup(task);
		cgroup_get(p->cgrp);
		rcu_read_unlock();
	}
	if (err == 1)
		goto out_task;
	err = 1;
out_mm:
	mmput(mm);
out_task:
	put_task_struct(task);
	return err;
}

void madvstat_scan_free(struct madvstat_scan *sc)
{
	int i;

	for (i = 0; i < sc->n; i++) {
		put_pid(sc->procs[i].pid);
		if (sc->procs[i].cgrp)
			cgroup_put(sc->procs[i].cgrp);
	}
	kvfree(sc->procs);
	sc->procs = NULL;
	sc->n = 0;
}

/**
 * madvstat_scan - the snapshot and counters of every readable process
 * @sc: filled; madvstat_scan_free() it
 * @cgroup: whether to take each process's cgroup too
 *
 * Walks only the processes that may hold lazily freed pages (snapshot.c);
 * those found without any are confirmed clean after one grace period for
 * them all, so the next scan skips them.
 *
 * Return: 0, or -ENOMEM, or -EINTR on a fatal signal.
 */
int madvstat_scan(struct madvstat_scan *sc, bool cgroup)
{
	struct madvstat_pending_confirm *pcs;
	struct pid **pids;
	int i, n, npc = 0, err = 0;

	*sc = (struct madvstat_scan) {};
	n = madvstat_procdir_pids(&pids);
	if (n < 0)
		return n;
	sc->procs = kvcalloc(n ?: 1, sizeof(*sc->procs), GFP_KERNEL);
	pcs = kvcalloc(n ?: 1, sizeof(*pcs), GFP_KERNEL);
	if (!sc->procs || !pcs)
		err = -ENOMEM;
	for (i = 0; i < n; i++) {
		int r = err ? 0 : madvstat_proc_fill(&sc->procs[sc->n], pids[i],
						     cgroup, &pcs[npc]);

		if (r == 1) {
			sc->n++;
			if (pcs[npc].mm)
				npc++;
		} else if (r == -EACCES) {
			sc->unreadable++;
		} else if (r < 0) {
			err = r;
		}
		put_pid(pids[i]);
	}
	kvfree(pids);

	if (npc)
		synchronize_rcu();
	for (i = 0; i < npc; i++) {
		if (!err)
			madvstat_snapshot_confirm(pcs[i].mm, &pcs[i].ticket);
		mmput(pcs[i].mm);
	}
	kvfree(pcs);
	if (err)
		madvstat_scan_free(sc);
	return err;
}

/* @s with space, tab, newline and backslash in octal, as /proc/mounts. */
static void madvstat_put_escaped(struct seq_file *m, const char *s)
{
	seq_putc(m, ' ');
	seq_escape(m, s, " \t\n\\");
}

static void madvstat_show_cgroup(struct seq_file *m, struct cgroup *cgrp,
				 char *buf)
{
	int len = cgroup_path_ns(cgrp, buf, PATH_MAX,
				 current->nsproxy->cgroup_ns);

	madvstat_put_escaped(m, len >= 0 && len < PATH_MAX ? buf : "?");
}

static const char *const madvstat_columns[] = {
	"Pid", "Rss", "RssAnon", "LazyFree", "LazyFreeDirty", "Droppable",
	"Marked", "Reclaimed", "Rescued", "RescuedPinned", "Dropped",
	"ReclaimFreed", "Name", "Cgroup",
};

static void madvstat_show_proc(struct seq_file *m, const struct madvstat_proc *p,
			       char *buf)
{
	static const enum madvstat_counter cumul[] = {
		MADVSTAT_MARKED, MADVSTAT_RECLAIMED, MADVSTAT_RESCUED,
		MADVSTAT_RESCUED_PINNED,
	};
	int i;

	seq_printf(m, "%d %lu %lu %lu %lu %lu", pid_nr(p->pid),
		   MADVSTAT_KB(p->rss), MADVSTAT_KB(p->anon),
		   MADVSTAT_KB(p->snap.lazyfree),
		   MADVSTAT_KB(p->snap.lazyfree_dirty),
		   MADVSTAT_KB(p->snap.droppable));
	if (madvstat_tracking()) {
		for (i = 0; i < ARRAY_SIZE(cumul); i++)
			seq_printf(m, " %lu", MADVSTAT_KB(p->cumul.count[cumul[i]]));
		seq_printf(m, " %lu %lu", MADVSTAT_KB(p->dropped),
			   MADVSTAT_KB(p->cumul.count[MADVSTAT_RECLAIM_FREED]));
	} else {
		seq_puts(m, " - - - - - -");
	}
	madvstat_put_escaped(m, p->comm);
	madvstat_show_cgroup(m, p->cgrp, buf);
	seq_putc(m, '\n');
}

/* Bytes the last table took: a scan repeated for a larger buffer walks again. */
static unsigned int madvstat_processes_size;

static int madvstat_processes_show(struct seq_file *m, void *v)
{
	struct madvstat_scan sc;
	char *buf;
	int i, err;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = madvstat_scan(&sc, true);
	if (err)
		goto out;
	seq_printf(m, "# unreadable %lu\n", sc.unreadable);
	for (i = 0; i < ARRAY_SIZE(madvstat_columns); i++)
		seq_printf(m, "%s%s", i ? " " : "", madvstat_columns[i]);
	seq_putc(m, '\n');
	for (i = 0; i < sc.n; i++)
		madvstat_show_proc(m, &sc.procs[i], buf);
	madvstat_scan_free(&sc);
	if (!seq_has_overflowed(m))
		WRITE_ONCE(madvstat_processes_size, m->count);
out:
	kfree(buf);
	return err;
}

static int madvstat_processes_open(struct inode *inode, struct file *file)
{
	size_t size;

	if (file->f_mode & FMODE_WRITE)
		return -EACCES;
	size = max3((size_t)PAGE_SIZE,
		    (size_t)READ_ONCE(madvstat_processes_size) * 9 / 8,
		    (size_t)madvstat_procdir_count() * 256);
	return single_open_size(file, madvstat_processes_show, NULL, size);
}

static const struct proc_ops madvstat_processes_ops = {
	.proc_open	= madvstat_processes_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

struct proc_dir_entry *madvstat_processes_create(struct proc_dir_entry *dir)
{
	return proc_create("processes", 0444, dir, &madvstat_processes_ops);
}
