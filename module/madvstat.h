/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the parts of madvstat.ko.
 */
#ifndef MADVSTAT_H
#define MADVSTAT_H

#include <linux/rcupdate.h>
#include <linux/types.h>

struct file;
struct mm_struct;
struct pid;
struct proc_dir_entry;
struct task_struct;

/* Module parameters (main.c). */
extern bool madvstat_owner_read;

/* Counts of base pages, from one walk of page tables. */
struct madvstat_counts {
	unsigned long anon;		/* resident anonymous pages */
	unsigned long lazyfree;		/* lazily freed and clean */
	unsigned long lazyfree_dirty;	/* lazily freed, written again */
};

enum madvstat_vma_kind {
	MADVSTAT_VMA_ANON,
	MADVSTAT_VMA_HEAP,
	MADVSTAT_VMA_STACK,
	MADVSTAT_VMA_FILE,	/* a private mapping of e.g. /dev/zero */
};

/* What the walk reports of one VMA (or of a piece of it, see walk.c). */
struct madvstat_vma_rec {
	unsigned long start, end;
	unsigned long flags;		/* vm_flags */
	struct file *file;		/* referenced while the record lives */
	enum madvstat_vma_kind kind;
	struct madvstat_counts counts;
};

typedef void (*madvstat_vma_fn)(void *arg, const struct madvstat_vma_rec *rec);

/* walk.c */
int madvstat_walk(struct mm_struct *mm, struct madvstat_counts *total,
		  madvstat_vma_fn emit, void *arg);

/* access.c */
int madvstat_may_read(struct task_struct *task, struct mm_struct *mm);

/* report.c */
struct proc_dir_entry *madvstat_report_create(const char *name,
					      struct proc_dir_entry *dir,
					      void *data);

/* procdir.c: one per /proc/madvstat/<pid>, the data of its proc entry. */
struct madvstat_entry {
	struct pid *pid;
	struct proc_dir_entry *pde;
	unsigned int size_hint;		/* bytes the last report took */
	struct rcu_head rcu;		/* freed after probes are done with it */
};

int madvstat_procdir_init(struct proc_dir_entry *dir);
void madvstat_procdir_exit(void);

/* tracepoint.c */
struct madvstat_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;	/* set once registered */
};

int madvstat_tp_register(struct madvstat_tp *tps, unsigned int n);
void madvstat_tp_unregister(struct madvstat_tp *tps, unsigned int n);

#endif /* MADVSTAT_H */
