/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the parts of madvstat.ko.
 */
#ifndef MADVSTAT_H
#define MADVSTAT_H

#include "requirements.h"

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/ftrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>

struct file;
struct folio;
struct mm_struct;
struct pid;
struct proc_dir_entry;
struct seq_file;
struct task_struct;

/* Module parameters (main.c). */
extern bool madvstat_owner_read;
extern bool madvstat_track;

/* Counts of base pages, from one walk of page tables. */
struct madvstat_counts {
	unsigned long anon;		/* resident anonymous pages */
	unsigned long lazyfree;		/* lazily freed and clean */
	unsigned long lazyfree_dirty;	/* lazily freed, written again */
	unsigned long droppable;	/* of the two: MAP_DROPPABLE, never marked */
	unsigned int doubt;		/* of a total: MADVSTAT_DOUBT_* */
};

/*
 * Why a walk that found no lazily freed page does not prove there is none
 * (snapshot.c): the walk let mmap_lock go (mremap may have moved pages
 * behind it); UFFDIO_MOVE can move pages under mmap_read_lock; a
 * MAP_DROPPABLE mapping gains lazily freed pages with no mark at all.
 */
#define MADVSTAT_DOUBT_RELOCKED		BIT(0)
#define MADVSTAT_DOUBT_UFFD		BIT(1)
#define MADVSTAT_DOUBT_DROPPABLE	BIT(2)

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

/* snapshot.c: the walk, or none where none is needed. */
enum madvstat_snap_stat {
	MADVSTAT_SNAP_WALKED,
	MADVSTAT_SNAP_SKIPPED,		/* recorded clean: no walk */
	MADVSTAT_SNAP_CONFIRMED,	/* recorded clean after a walk */
	MADVSTAT_NR_SNAP
};

struct madvstat_ticket;
int madvstat_snapshot(struct mm_struct *mm, struct madvstat_counts *c,
		      madvstat_vma_fn emit, void *arg,
		      struct madvstat_ticket *t);
void madvstat_snapshot_confirm(struct mm_struct *mm,
			       const struct madvstat_ticket *t);
unsigned long madvstat_snap_sum(enum madvstat_snap_stat stat);

/* access.c */
int madvstat_may_read(struct task_struct *task, struct mm_struct *mm);

/* report.c */
struct mm_struct *madvstat_get_process_mm(struct task_struct *leader);
struct proc_dir_entry *madvstat_report_create(const char *name,
					      struct proc_dir_entry *dir,
					      void *data);

/* listing_guard.c: removals kept out of listings (MADVSTAT_READDIR_UAF) */
#define MADVSTAT_PROC_DIR	"madvstat"
int madvstat_listing_init(void);
bool madvstat_listing_idle(void);
void madvstat_listing_wait(void);
void madvstat_listing_remove(struct proc_dir_entry *pde);

/* procdir.c: one per /proc/madvstat/<pid>, the data of its proc entry. */
struct madvstat_entry {
	struct pid *pid;
	struct proc_dir_entry *pde;
	unsigned int size_hint;		/* bytes the last report took */
	struct rcu_head rcu;		/* freed after probes are done with it */
};

void madvstat_procdir_init(struct proc_dir_entry *dir);
bool madvstat_procdir_has(struct pid *pid);
bool madvstat_procdir_apply(struct pid *pid, bool add);
bool madvstat_procdir_rescan(void);
int madvstat_procdir_pids(struct pid ***pidsp);
unsigned long madvstat_procdir_count(void);
void madvstat_procdir_exit(void);

/* lifecycle.c: processes and address spaces as they come and go. */
int madvstat_lifecycle_init(void);
void madvstat_lifecycle_exit(void);

/*
 * Cumulative counters of one address space, in base pages (mmstate.c).
 * Documentation/madvstat.rst defines each.
 */
enum madvstat_counter {
	MADVSTAT_MARKED,
	MADVSTAT_RECLAIMED,
	MADVSTAT_RESCUED,
	MADVSTAT_RESCUED_PINNED,
	MADVSTAT_RECLAIM_FREED,		/* not part of what Marked became */
	MADVSTAT_NR_COUNTERS
};

/* Module-wide event totals: the counters above, plus what went unnamed. */
enum madvstat_event_kind {
	MADVSTAT_EV_UNATTRIBUTED = MADVSTAT_NR_COUNTERS,
	MADVSTAT_EV_FREED_UNOWNED,	/* ReclaimFreed of no process */
	MADVSTAT_NR_EVENTS
};

struct madvstat_family;

struct madvstat_mm {
	struct hlist_node node;		/* in the hash table, under RCU */
	const struct mm_struct *mm;	/* the key; never dereferenced */
	u64 id;				/* unique for the module's lifetime */
	atomic_long_t count[MADVSTAT_NR_COUNTERS];
	struct madvstat_family *fam;	/* NULL: madvstat_family0 */
	long clean_gen, clean_global;	/* see "Known clean" in mmstate.c */
	struct rcu_head rcu;
};

/* A confirmation of "clean" under way (madvstat_mm_arm()). */
struct madvstat_ticket {
	struct madvstat_family *fam;
	long gen, global;
};

struct madvstat_cumul {
	unsigned long count[MADVSTAT_NR_COUNTERS];
};

int madvstat_mm_init(void);
void madvstat_mm_exit(void);
struct madvstat_mm *madvstat_mm_find(const struct mm_struct *mm);
struct madvstat_mm *madvstat_mm_find_or_add(const struct mm_struct *mm);
void madvstat_mm_remove(const struct mm_struct *mm);
bool madvstat_mm_add_noted(const struct mm_struct *mm, u64 id,
			   enum madvstat_counter c, long nr);
struct madvstat_mm *madvstat_mm_noted(const struct mm_struct *mm, u64 id);
void madvstat_mm_turned_lazy(struct madvstat_mm *s, long nr);

/*
 * States removed so far (mmstate.c). A probe that reads this, then finds a
 * state, may keep the pointer past its RCU read-side section: in any later
 * section that reads the same value again the state is still there, as
 * its removal counts here before its grace period starts.
 */
extern atomic_long_t madvstat_mm_gone;

static inline unsigned long madvstat_mm_gone_seq(void)
{
	return atomic_long_read(&madvstat_mm_gone);
}

void madvstat_mm_born_exec(struct mm_struct *mm);
void madvstat_mm_born_fork(const struct mm_struct *parent,
			   const struct mm_struct *child);
bool madvstat_mm_clean(const struct mm_struct *mm);
void madvstat_mm_arm(const struct mm_struct *mm, struct madvstat_ticket *t);
bool madvstat_mm_confirm(const struct mm_struct *mm,
			 const struct madvstat_ticket *t);
void madvstat_mm_read(const struct mm_struct *mm, struct madvstat_cumul *c);
void madvstat_mm_free_all(void);
long madvstat_mm_count(void);
void madvstat_event_add(unsigned int event, unsigned long nr);
unsigned long madvstat_event_sum(unsigned int event);

/* fields.c */
#define MADVSTAT_KB(pages)	((pages) << (PAGE_SHIFT - 10))
void madvstat_show_kb(struct seq_file *m, const char *name,
		      unsigned long pages);
void madvstat_mm_rss(struct mm_struct *mm, unsigned long *rss,
		     unsigned long *anon);
void madvstat_show_snapshot(struct seq_file *m, unsigned long rss,
			    unsigned long anon,
			    const struct madvstat_counts *c);
unsigned long madvstat_dropped(const struct madvstat_cumul *cu,
			       const struct madvstat_counts *c);
void madvstat_show_cumul(struct seq_file *m, const struct madvstat_cumul *cu,
			 unsigned long dropped, struct task_struct *leader);

/* processes.c: every readable process at once. */
struct cgroup;

struct madvstat_proc {
	struct pid *pid;		/* referenced */
	struct cgroup *cgrp;		/* referenced, if asked for */
	unsigned long rss, anon, dropped;
	struct madvstat_counts snap;
	struct madvstat_cumul cumul;
	char comm[TASK_COMM_LEN];
};

struct madvstat_scan {
	struct madvstat_proc *procs;
	int n;
	unsigned long unreadable;	/* refused to the reader */
};

int madvstat_scan(struct madvstat_scan *sc, bool cgroup);
void madvstat_scan_free(struct madvstat_scan *sc);
struct proc_dir_entry *madvstat_processes_create(struct proc_dir_entry *dir);

/* summary.c */
int madvstat_summary_init(void);
struct proc_dir_entry *madvstat_summary_create(struct proc_dir_entry *dir);

/* hooks.c: the probes that feed the counters. */
int madvstat_hooks_init(void);
void madvstat_hooks_exit(void);
bool madvstat_tracking(void);
void madvstat_show_tracking(struct seq_file *m, struct task_struct *leader);
unsigned long madvstat_hooks_missed(void);
unsigned int madvstat_sym_which(unsigned long ip, const char *const *names,
				unsigned int n);

/* The hooks' handlers, as direct.c's trampolines call them. */
void madvstat_mark_direct(unsigned long arg0);
void madvstat_drain_direct(unsigned long arg0, unsigned long arg1);

/* direct.c: direct calls from a function's ftrace site to a handler. */
enum madvstat_direct_fn {
	MADVSTAT_DIRECT_MARK,
	MADVSTAT_DIRECT_DRAIN,
};

struct madvstat_direct {
	struct ftrace_ops ops;
	enum madvstat_direct_fn fn;
};

int madvstat_direct_on(struct madvstat_direct *d, enum madvstat_direct_fn fn,
		       const char *name);
void madvstat_direct_off(struct madvstat_direct *d);
void madvstat_tramp_mark(void);		/* the trampolines, in assembly */
void madvstat_tramp_drain(void);

/* reclaim_free.c: ReclaimFreed, charged where reclaim frees. */
void madvstat_freeing_note(const struct folio *folio,
			   const struct mm_struct *mm,
			   const struct madvstat_mm *s);
void madvstat_freeing_init(void);
struct ftrace_ops;
struct ftrace_regs;
void madvstat_on_free(unsigned long ip, unsigned long parent_ip,
		      struct ftrace_ops *op, struct ftrace_regs *fregs);
#ifdef MADVSTAT_FREE_LARGE_SYMBOL
void madvstat_on_free_large(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *op, struct ftrace_regs *fregs);
#endif

/* kprobe_canary.c: whether kprobes fire now, and when they did not. */
int madvstat_canary_init(void);
void madvstat_canary_exit(void);
bool madvstat_kprobes_fire(void);
bool madvstat_kprobes_off_seen(u64 *first, u64 *last);

/* tracepoint.c */
struct madvstat_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;	/* set once registered */
};

int madvstat_tp_register(struct madvstat_tp *tps, unsigned int n);
void madvstat_tp_unregister(struct madvstat_tp *tps, unsigned int n);

#endif /* MADVSTAT_H */
