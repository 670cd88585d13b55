/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels madvstat supports (Debian's 6.1 and
 * 6.12) lives in this file. Each shim names the version that changed what
 * it papers over.
 */
#ifndef MADVSTAT_COMPAT_H
#define MADVSTAT_COMPAT_H

#include "requirements.h"

#include <linux/version.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>

/*
 * 6.1 has no pmdp_get_lockless() outside of 32-bit PAE code; by 6.5 it is
 * the generic way to read a PMD that can change under us. On the 64-bit
 * configurations we build for, a PMD is read in one access either way.
 */
#if KERNEL_VERSION(6, 5, 0) > LINUX_VERSION_CODE
static inline pmd_t madvstat_pmdp_get_lockless(pmd_t *pmdp)
{
	return READ_ONCE(*pmdp);
}
#else
static inline pmd_t madvstat_pmdp_get_lockless(pmd_t *pmdp)
{
	return pmdp_get_lockless(pmdp);
}
#endif

/*
 * Pages of an mm counted in one of its rss_stat counters (MM_ANONPAGES...).
 * Until 6.2 each thread batches up to 64 counter events in its own
 * task_struct before the mm sees them, and nothing outside that thread can
 * add them up. 6.2 made the counters per-CPU; get_mm_counter() reads them
 * without summing (off by up to a batch per CPU), their sum is exact, and
 * /proc/<pid>/status sums them on the 6.12 and 7.2 kernels we test.
 */
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
static inline unsigned long madvstat_mm_pages(struct mm_struct *mm, int member)
{
	return get_mm_counter(mm, member);
}
#else
static inline unsigned long madvstat_mm_pages(struct mm_struct *mm, int member)
{
	return percpu_counter_sum_positive(&mm->rss_stat[member]);
}
#endif

/*
 * Where MADV_FREE queues a folio to become lazily freed, and where the
 * queued folio actually turns (the per-CPU batch drain). 6.3 converted
 * mark_page_lazyfree(page) into folio_mark_lazyfree(folio); 6.11 renamed
 * the drain callback lru_lazyfree_fn() to lru_lazyfree(). Both are called
 * with the folio (or page) as an argument; the drain's is the second.
 */
#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
#define MADVSTAT_MARK_SYMBOL	"mark_page_lazyfree"
static inline struct folio *madvstat_mark_folio(unsigned long arg)
{
	return page_folio((struct page *)arg);
}
#else
#define MADVSTAT_MARK_SYMBOL	"folio_mark_lazyfree"
static inline struct folio *madvstat_mark_folio(unsigned long arg)
{
	return (struct folio *)arg;
}
#endif

#if KERNEL_VERSION(6, 11, 0) > LINUX_VERSION_CODE
#define MADVSTAT_DRAIN_SYMBOL	"lru_lazyfree_fn"
#else
#define MADVSTAT_DRAIN_SYMBOL	"lru_lazyfree"
#endif

/*
 * Function arguments in an ftrace callback. 6.1's x86 struct ftrace_regs
 * is an open wrapper of pt_regs with no accessor; 6.12 has the
 * ftrace_regs_get_argument() macro (and no longer lets us see inside).
 */
#include <linux/ftrace.h>
#ifdef ftrace_regs_get_argument
#define madvstat_fregs_arg(fregs, n)	ftrace_regs_get_argument(fregs, n)
#else
#define madvstat_fregs_arg(fregs, n)	regs_get_kernel_argument(&(fregs)->regs, n)
#endif

#endif /* MADVSTAT_COMPAT_H */
