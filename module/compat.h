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

/* 7.1 renamed pagevec.h's PAGEVEC_SIZE (15 to 6.1, 31 on 6.12) FOLIO_BATCH_SIZE. */
#if KERNEL_VERSION(7, 1, 0) > LINUX_VERSION_CODE
#include <linux/pagevec.h>
#define MADVSTAT_BATCH_SIZE	PAGEVEC_SIZE
#else
#include <linux/folio_batch.h>
#define MADVSTAT_BATCH_SIZE	FOLIO_BATCH_SIZE
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
