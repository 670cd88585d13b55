// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot of one address space at a cost that follows what may be
 * lazily freed, not what is resident.
 *
 * An mm recorded clean (mmstate.c: born by exec since load, or confirmed)
 * is reported with no walk: LazyFree and LazyFreeDirty 0, exactly. Any
 * other mm is walked; when the walk finds nothing, the reader may confirm
 * it clean: arm its family, wait for one RCU grace period (one for any
 * number of mms), walk again, and record it if the family's generation
 * did not move. Two ways in bypass marks and drains, and are checked on
 * every read: KSM (a merged folio is shared with any mm KSM merged into
 * it) and MAP_DROPPABLE mappings (born lazily freed, 6.11+).
 *
 * Without the counting probes (track=0, or they failed to attach) no
 * drain is seen, and every read walks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/percpu.h>

#include "compat.h"
#include "madvstat.h"

static DEFINE_PER_CPU(unsigned long, madvstat_snap_stats[MADVSTAT_NR_SNAP]);

static void madvstat_snap_count(enum madvstat_snap_stat stat)
{
	this_cpu_inc(madvstat_snap_stats[stat]);
}

unsigned long madvstat_snap_sum(enum madvstat_snap_stat stat)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(madvstat_snap_stats[stat], cpu);
	return sum;
}

/*
 * Whether @mm has a MAP_DROPPABLE mapping. One pass over the VMAs, not the
 * page tables; nothing to do on a kernel without them. On a fatal signal,
 * say yes: the caller then walks, and the walk returns the error.
 */
static bool madvstat_mm_droppable(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	unsigned long addr = 0;
	bool found = false;

	if (!VM_DROPPABLE)
		return false;
	if (mmap_read_lock_killable(mm))
		return true;
	while (!found && (vma = find_vma(mm, addr))) {
		found = vma->vm_flags & VM_DROPPABLE;
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return found;
}

/* Whether lazily freed folios can be in @mm without a mark we saw. */
static bool madvstat_mm_unseen_way_in(struct mm_struct *mm)
{
	return !madvstat_tracking() || madvstat_mm_ksm(mm);
}

/**
 * madvstat_snapshot - count the lazily freed pages of @mm, walking if need be
 * @mm: the address space; the caller holds a reference (mmget)
 * @c: set to the counts (with no walk: lazily freed ones only, anon 0)
 * @emit: called once per VMA record a walk finds, or NULL
 * @arg: passed to @emit
 * @t: where to keep what a confirmation needs, or NULL not to try one
 *
 * Return: 1 when @mm may be confirmed clean: wait for an RCU grace period
 * (synchronize_rcu(); one serves any number of mms), then call
 * madvstat_snapshot_confirm(). Else 0, or an error from the walk.
 */
int madvstat_snapshot(struct mm_struct *mm, struct madvstat_counts *c,
		      madvstat_vma_fn emit, void *arg,
		      struct madvstat_ticket *t)
{
	bool unseen = madvstat_mm_unseen_way_in(mm);
	int err;

	if (!unseen && madvstat_mm_clean(mm) && !madvstat_mm_droppable(mm)) {
		*c = (struct madvstat_counts) {};
		madvstat_snap_count(MADVSTAT_SNAP_SKIPPED);
		return 0;
	}
	err = madvstat_walk(mm, c, emit, arg);
	madvstat_snap_count(MADVSTAT_SNAP_WALKED);
	if (err || !t || unseen || c->lazyfree || c->lazyfree_dirty ||
	    c->doubt)
		return err;
	madvstat_mm_arm(mm, t);
	return 1;
}

/**
 * madvstat_snapshot_confirm - record @mm clean if a second walk agrees
 * @mm: the address space of a madvstat_snapshot() that returned 1
 * @t: what it kept
 *
 * Call after an RCU grace period that began after that snapshot returned.
 */
void madvstat_snapshot_confirm(struct mm_struct *mm,
			       const struct madvstat_ticket *t)
{
	struct madvstat_counts c;

	if (madvstat_walk(mm, &c, NULL, NULL) || c.lazyfree ||
	    c.lazyfree_dirty || c.doubt || madvstat_mm_unseen_way_in(mm))
		return;
	if (madvstat_mm_confirm(mm, t))
		madvstat_snap_count(MADVSTAT_SNAP_CONFIRMED);
}
