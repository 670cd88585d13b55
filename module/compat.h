/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels madvstat supports (Debian's 6.1,
 * 6.12 and 7.2) lives in this file. Each shim names the version that
 * changed what it papers over.
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
 * 6.17 removed pmd_devmap() with CONFIG_ARCH_HAS_PTE_DEVMAP: a DAX PMD is
 * an ordinary huge PMD there, and never in an anonymous VMA.
 */
static inline bool madvstat_pmd_devmap(pmd_t pmd)
{
#ifdef CONFIG_ARCH_HAS_PTE_DEVMAP
	return pmd_devmap(pmd);
#else
	return false;
#endif
}

/*
 * 6.19 replaced the swp_entry_t helpers for non-present entries that still
 * name a page (migration, device, hwpoison) with leafops.h's softleaf_t.
 * Each kernel's smaps counts the pages such a PTE names; so do we.
 */
#include <linux/swap.h>
#if KERNEL_VERSION(6, 19, 0) > LINUX_VERSION_CODE
#include <linux/swapops.h>

static inline struct page *madvstat_pte_leaf_page(pte_t pte)
{
	swp_entry_t entry;

	if (!is_swap_pte(pte))
		return NULL;
	entry = pte_to_swp_entry(pte);
	return is_pfn_swap_entry(entry) ? pfn_swap_entry_to_page(entry) : NULL;
}

static inline bool madvstat_pmd_is_migration(pmd_t pmd)
{
	return is_pmd_migration_entry(pmd);
}

/* Under the PMD lock, of a PMD madvstat_pmd_is_migration() accepts. */
static inline struct page *madvstat_pmd_migration_page(pmd_t pmd)
{
	return pfn_swap_entry_to_page(pmd_to_swp_entry(pmd));
}
#else
#include <linux/leafops.h>

static inline struct page *madvstat_pte_leaf_page(pte_t pte)
{
	softleaf_t entry = softleaf_from_pte(pte);

	return softleaf_has_pfn(entry) ? softleaf_to_page(entry) : NULL;
}

static inline bool madvstat_pmd_is_migration(pmd_t pmd)
{
	return pmd_is_migration_entry(pmd);
}

static inline struct page *madvstat_pmd_migration_page(pmd_t pmd)
{
	return softleaf_to_page(softleaf_from_pmd(pmd));
}
#endif

/*
 * Pages of @folio mapped by page tables, a PMD mapping counting for all of
 * them. On 6.1, 6.12 and kernels with CONFIG_PAGE_MAPCOUNT (7.2's default)
 * a page's _mapcount counts the PTEs mapping it and the entire mapcount
 * the PMDs. 6.15 made per-page mapcounts optional (CONFIG_NO_PAGE_MAPCOUNT):
 * there only the large mapcount, one per PTE and one per PMD, is kept.
 */
#ifdef CONFIG_NO_PAGE_MAPCOUNT
static inline long madvstat_folio_pages_mapped(struct folio *folio)
{
	long pmds;

	if (!folio_test_large(folio))
		return folio_mapcount(folio);
	pmds = folio_entire_mapcount(folio);
	return folio_large_mapcount(folio) - pmds +
	       pmds * (long)folio_nr_pages(folio);
}
#else
static inline long madvstat_folio_pages_mapped(struct folio *folio)
{
	long i, n = 0, nr = folio_nr_pages(folio);

	if (folio_test_large(folio))
		n = (long)folio_entire_mapcount(folio) * nr;
	for (i = 0; i < nr; i++)
		n += atomic_read(&folio_page(folio, i)->_mapcount) + 1;
	return n;
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
 * Whether a process's owner may read it (dumpable), and whether current
 * has CAP_SYS_PTRACE in the user namespace its program was exec'd in, as
 * ptrace asks. 7.2 moved both from the mm (mm->flags, mm->user_ns) to the
 * task (task->exec_state, read under RCU), and SUID_DUMP_USER went away.
 */
#include <linux/capability.h>
#include <linux/sched/coredump.h>
#ifdef SUID_DUMP_USER
static inline bool madvstat_dumpable(struct task_struct *task,
				     struct mm_struct *mm)
{
	return get_dumpable(mm) == SUID_DUMP_USER;
}

static inline bool madvstat_exec_ns_capable(struct task_struct *task,
					    struct mm_struct *mm, int cap)
{
	return ns_capable(mm->user_ns, cap);
}
#else
#include <linux/sched/exec_state.h>

static inline bool madvstat_dumpable(struct task_struct *task,
				     struct mm_struct *mm)
{
	bool dumpable;

	rcu_read_lock();
	dumpable = READ_ONCE(rcu_dereference(task->exec_state)->dumpable) ==
		   TASK_DUMPABLE_OWNER;
	rcu_read_unlock();
	return dumpable;
}

static inline bool madvstat_exec_ns_capable(struct task_struct *task,
					    struct mm_struct *mm, int cap)
{
	bool capable;

	rcu_read_lock();
	capable = ns_capable(rcu_dereference(task->exec_state)->user_ns, cap);
	rcu_read_unlock();
	return capable;
}
#endif

/*
 * 6.16 gave the sched_process_exit tracepoint a second argument,
 * group_dead (and moved it before exit_mm()): a probe's parameters.
 */
#if KERNEL_VERSION(6, 16, 0) > LINUX_VERSION_CODE
#define MADVSTAT_EXIT_PARAMS	struct task_struct *task
#else
#define MADVSTAT_EXIT_PARAMS	struct task_struct *task, bool group_dead
#endif

/*
 * 7.0 added the typed allocators kmalloc_obj() and kzalloc_obj(), which
 * its checkpatch asks for instead of k[mz]alloc(sizeof(*p), gfp).
 */
#include <linux/slab.h>
#ifdef kzalloc_obj
#define madvstat_kmalloc_obj(p, gfp)	kmalloc_obj(*(p), gfp)
#define madvstat_kzalloc_obj(p, gfp)	kzalloc_obj(*(p), gfp)
#else
#define madvstat_kmalloc_obj(p, gfp)	kmalloc(sizeof(*(p)), gfp)
#define madvstat_kzalloc_obj(p, gfp)	kzalloc(sizeof(*(p)), gfp)
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
