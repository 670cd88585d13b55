// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/madvstat/summary: every field of /proc/madvstat/<pid> summed over
 * the processes the reader may read, then the module's counts since load
 * for all processes (exited ones too) beside the kernel's own pglazyfree
 * and pglazyfreed since load, so one sees how much was attributed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmstat.h>

#include "madvstat.h"

struct madvstat_totals {
	unsigned long processes, rss, anon, dropped;
	struct madvstat_counts snap;
	struct madvstat_cumul cumul;
};

/* Kernel pglazyfree and pglazyfreed at load. */
static unsigned long madvstat_kernel_base[2];

static int madvstat_kernel_lazy(unsigned long out[2])
{
	unsigned long *ev = kcalloc(NR_VM_EVENT_ITEMS, sizeof(*ev), GFP_KERNEL);

	if (!ev)
		return -ENOMEM;
	all_vm_events(ev);
	out[0] = ev[PGLAZYFREE];
	out[1] = ev[PGLAZYFREED];
	kfree(ev);
	return 0;
}

/* Add up what a scan found. */
static void madvstat_add_scan(struct madvstat_totals *t,
			      const struct madvstat_scan *sc)
{
	int i, j;

	for (i = 0; i < sc->n; i++) {
		const struct madvstat_proc *p = &sc->procs[i];

		t->processes++;
		t->rss += p->rss;
		t->anon += p->anon;
		t->snap.lazyfree += p->snap.lazyfree;
		t->snap.lazyfree_dirty += p->snap.lazyfree_dirty;
		t->snap.droppable += p->snap.droppable;
		for (j = 0; j < MADVSTAT_NR_COUNTERS; j++)
			t->cumul.count[j] += p->cumul.count[j];
		t->dropped += p->dropped;
	}
}

static const char *const madvstat_event_names[MADVSTAT_NR_EVENTS] = {
	[MADVSTAT_MARKED] = "AllMarked:",
	[MADVSTAT_RECLAIMED] = "AllReclaimed:",
	[MADVSTAT_RESCUED] = "AllRescued:",
	[MADVSTAT_RESCUED_PINNED] = "AllRescuedPinned:",
	[MADVSTAT_RECLAIM_FREED] = "AllReclaimFreed:",
	[MADVSTAT_EV_UNATTRIBUTED] = "AllUnattributed:",
	[MADVSTAT_EV_FREED_UNOWNED] = "AllFreedUnowned:",
};

static int madvstat_summary_show(struct seq_file *m, void *v)
{
	struct madvstat_totals t = {};
	struct madvstat_scan sc;
	unsigned long kernel[2];
	int i, err;

	err = madvstat_scan(&sc, false);
	if (err)
		return err;
	madvstat_add_scan(&t, &sc);
	madvstat_scan_free(&sc);
	err = madvstat_kernel_lazy(kernel);
	if (err)
		return err;

	seq_printf(m, "%-15s%8lu\n", "Processes:", t.processes);
	madvstat_show_snapshot(m, t.rss, t.anon, &t.snap);
	madvstat_show_cumul(m, &t.cumul, t.dropped, NULL);
	if (!madvstat_tracking())
		return 0;
	for (i = 0; i < MADVSTAT_NR_EVENTS; i++)
		madvstat_show_kb(m, madvstat_event_names[i],
				 madvstat_event_sum(i));
	madvstat_show_kb(m, "KernelLazyFree:", kernel[0] - madvstat_kernel_base[0]);
	madvstat_show_kb(m, "KernelLazyFreed:", kernel[1] - madvstat_kernel_base[1]);
	seq_printf(m, "%-15s%8ld\n", "TrackedMms:", madvstat_mm_count());
	seq_printf(m, "%-15s%8lu\n", "MissedEvents:", madvstat_hooks_missed());
	seq_printf(m, "%-15s%8lu\n", "Walks:",
		   madvstat_snap_sum(MADVSTAT_SNAP_WALKED));
	seq_printf(m, "%-15s%8lu\n", "WalksSkipped:",
		   madvstat_snap_sum(MADVSTAT_SNAP_SKIPPED));
	seq_printf(m, "%-15s%8lu\n", "CleanConfirmed:",
		   madvstat_snap_sum(MADVSTAT_SNAP_CONFIRMED));
	return 0;
}

static int madvstat_summary_open(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_WRITE)
		return -EACCES;
	return single_open(file, madvstat_summary_show, NULL);
}

static const struct proc_ops madvstat_summary_ops = {
	.proc_open	= madvstat_summary_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

/*
 * Take the kernel's counts before any probe is attached: a batch that
 * drains in between is then in the kernel's counts and not in ours, and
 * AllMarked stays at or below KernelLazyFree. Taken after the probes (as
 * until 0.1.0), drains during the attaching counted on our side only, and
 * a module loaded while a process freed memory showed AllMarked above
 * KernelLazyFree (1,296 kB against 528 on 6.1 after stress_test).
 */
int madvstat_summary_init(void)
{
	return madvstat_kernel_lazy(madvstat_kernel_base);
}

struct proc_dir_entry *madvstat_summary_create(struct proc_dir_entry *dir)
{
	return proc_create("summary", 0444, dir, &madvstat_summary_ops);
}
