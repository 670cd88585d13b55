// SPDX-License-Identifier: GPL-2.0
/*
 * The "Field: value" lines shared by /proc/madvstat/<pid> and
 * /proc/madvstat/summary. Documentation/madvstat.rst defines each field.
 */
#include <linux/mm.h>
#include <linux/seq_file.h>

#include "compat.h"
#include "madvstat.h"

void madvstat_show_kb(struct seq_file *m, const char *name,
		      unsigned long pages)
{
	seq_printf(m, "%-15s%8lu kB\n", name, MADVSTAT_KB(pages));
}

/* Rss and RssAnon of @mm, from the counters VmRSS and RssAnon come from. */
void madvstat_mm_rss(struct mm_struct *mm, unsigned long *rss,
		     unsigned long *anon)
{
	*anon = madvstat_mm_pages(mm, MM_ANONPAGES);
	*rss = *anon + madvstat_mm_pages(mm, MM_FILEPAGES) +
	       madvstat_mm_pages(mm, MM_SHMEMPAGES);
}

/* Rss, RssAnon, LazyFree, LazyFreeDirty, RssEffective. */
void madvstat_show_snapshot(struct seq_file *m, unsigned long rss,
			    unsigned long anon,
			    const struct madvstat_counts *c)
{
	madvstat_show_kb(m, "Rss:", rss);
	madvstat_show_kb(m, "RssAnon:", anon);
	madvstat_show_kb(m, "LazyFree:", c->lazyfree);
	madvstat_show_kb(m, "LazyFreeDirty:", c->lazyfree_dirty);
	madvstat_show_kb(m, "Droppable:", c->droppable);
	madvstat_show_kb(m, "RssEffective:",
			 rss > c->lazyfree ? rss - c->lazyfree : 0);
}

/*
 * Dropped is not counted: every lazily freed page marked and not still
 * there, reclaimed or rescued left some other way (munmap, MADV_DONTNEED,
 * exit, copy on write...). MAP_DROPPABLE pages were never marked and are
 * left out. Exact only while tracking covers the whole life of the address
 * space and nothing runs meanwhile; never below zero.
 */
unsigned long madvstat_dropped(const struct madvstat_cumul *cu,
			       const struct madvstat_counts *c)
{
	unsigned long out = c->lazyfree + c->lazyfree_dirty - c->droppable;

	out += cu->count[MADVSTAT_RECLAIMED] + cu->count[MADVSTAT_RESCUED] +
	       cu->count[MADVSTAT_RESCUED_PINNED];
	return cu->count[MADVSTAT_MARKED] > out ?
	       cu->count[MADVSTAT_MARKED] - out : 0;
}

/* Marked ... Dropped, if tracking is on, then Tracking. */
void madvstat_show_cumul(struct seq_file *m, const struct madvstat_cumul *cu,
			 unsigned long dropped, struct task_struct *leader)
{
	if (madvstat_tracking()) {
		madvstat_show_kb(m, "Marked:", cu->count[MADVSTAT_MARKED]);
		madvstat_show_kb(m, "Reclaimed:", cu->count[MADVSTAT_RECLAIMED]);
		madvstat_show_kb(m, "Rescued:", cu->count[MADVSTAT_RESCUED]);
		madvstat_show_kb(m, "RescuedPinned:",
				 cu->count[MADVSTAT_RESCUED_PINNED]);
		madvstat_show_kb(m, "Dropped:", dropped);
		madvstat_show_kb(m, "ReclaimFreed:",
				 cu->count[MADVSTAT_RECLAIM_FREED]);
	}
	madvstat_show_tracking(m, leader);
}
