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
 * Call fn on each PTE of [addr, end) (within one PMD) with the PTE table
 * mapped and locked, and return true; or return false, with *pmdvalp set,
 * when *pmdp holds no PTE table (none, huge, migrating or bad: the caller
 * decides what to do).
 *
 * Since 6.5 a PTE table can be freed under mmap_read_lock (by RCU, after
 * khugepaged retracts it), pte_offset_map*() may fail, and they rest on
 * __pte_offset_map(), which is not exported. This is our own equivalent of
 * the 6.5+ __pte_offset_map_lock(): read the PMD once, map the table it
 * points to under rcu_read_lock(), take that table's lock, and start over
 * if the PMD changed meanwhile. It never clears a bad PMD (pmd_clear_bad()
 * is not exported either). On 6.1 tables of anonymous VMAs do not go away
 * under mmap_read_lock, so the same code is merely careful there.
 *
 * x86-64 has no HIGHPTE, so pte_offset_kernel() is all the mapping needed.
 * Inlined with a constant fn, the indirect call disappears.
 */
static __always_inline bool
madvstat_pte_table_walk(struct mm_struct *mm, pmd_t *pmdp, unsigned long addr,
			unsigned long end, pmd_t *pmdvalp,
			void (*fn)(pte_t pte, void *arg), void *arg)
{
	spinlock_t *ptl;	/* the lock of the table pmdval points to */
	pmd_t pmdval;
	pte_t *pte;

	rcu_read_lock();
	for (;;) {
		pmdval = madvstat_pmdp_get_lockless(pmdp);
		*pmdvalp = pmdval;
		if (pmd_none(pmdval) || !pmd_present(pmdval) ||
		    pmd_trans_huge(pmdval) || pmd_devmap(pmdval) ||
		    pmd_bad(pmdval)) {
			rcu_read_unlock();
			return false;
		}
		ptl = pte_lockptr(mm, &pmdval);
		spin_lock(ptl);
		if (likely(pmd_same(pmdval, madvstat_pmdp_get_lockless(pmdp))))
			break;
		spin_unlock(ptl);
	}
	for (pte = pte_offset_kernel(&pmdval, addr); addr < end;
	     addr += PAGE_SIZE, pte++)
		fn(ptep_get(pte), arg);
	spin_unlock(ptl);
	rcu_read_unlock();
	return true;
}

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
