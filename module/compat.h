/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels madvstat supports (Debian's 5.10,
 * 6.1, 6.12 and 7.2) lives in this file. Each shim names the version that
 * changed what it papers over.
 */
#ifndef MADVSTAT_COMPAT_H
#define MADVSTAT_COMPAT_H

#include "requirements.h"

#include <linux/version.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>

/* Debian 11's 5.10 is the oldest kernel supported (proc_read_iter: 5.10). */
#if KERNEL_VERSION(5, 10, 0) > LINUX_VERSION_CODE
#error "madvstat needs Linux 5.10 or later"
#endif

/*
 * 5.16 introduced struct folio. Before, a compound page is handled through
 * its head page: an incomplete struct folio stands for a head page (or a
 * base page), and the folio helpers madvstat uses map to the page API.
 */
#if KERNEL_VERSION(5, 16, 0) > LINUX_VERSION_CODE
struct folio;

static inline struct page *madvstat_folio_head(struct folio *folio)
{
	return (struct page *)folio;
}

static inline struct folio *page_folio(struct page *page)
{
	return (struct folio *)compound_head(page);
}

static inline struct page *folio_page(struct folio *folio, long n)
{
	return nth_page(madvstat_folio_head(folio), n);
}

static inline long folio_nr_pages(struct folio *folio)
{
	return compound_nr(madvstat_folio_head(folio));
}

static inline bool folio_test_large(struct folio *folio)
{
	return PageCompound(madvstat_folio_head(folio));
}

/* PMD mappings of a large folio. */
static inline int folio_entire_mapcount(struct folio *folio)
{
	return compound_mapcount(madvstat_folio_head(folio));
}

static inline bool folio_test_anon(struct folio *folio)
{
	return PageAnon(madvstat_folio_head(folio));
}

static inline bool folio_test_swapbacked(struct folio *folio)
{
	return PageSwapBacked(madvstat_folio_head(folio));
}

static inline bool folio_test_swapcache(struct folio *folio)
{
	return PageSwapCache(madvstat_folio_head(folio));
}

static inline bool folio_test_unevictable(struct folio *folio)
{
	return PageUnevictable(madvstat_folio_head(folio));
}

static inline bool folio_test_lru(struct folio *folio)
{
	return PageLRU(madvstat_folio_head(folio));
}

static inline bool folio_test_dirty(struct folio *folio)
{
	return PageDirty(madvstat_folio_head(folio));
}
#endif

/*
 * 5.14 added is_pfn_swap_entry() and pfn_swap_entry_to_page(); in 5.10 the
 * swap entries that hold a resident page are migration and device-private
 * ones, each with its own accessor.
 */
#if KERNEL_VERSION(5, 14, 0) > LINUX_VERSION_CODE
#include <linux/swap.h>
#include <linux/swapops.h>

static inline bool is_pfn_swap_entry(swp_entry_t entry)
{
	return is_migration_entry(entry) || is_device_private_entry(entry);
}

static inline struct page *pfn_swap_entry_to_page(swp_entry_t entry)
{
	if (is_migration_entry(entry))
		return migration_entry_to_page(entry);
	return device_private_entry_to_page(entry);
}
#endif

/* 5.17 renamed PDE_DATA() to pde_data(). */
#include <linux/proc_fs.h>
#if KERNEL_VERSION(5, 17, 0) > LINUX_VERSION_CODE
#define pde_data(inode)		PDE_DATA(inode)
#endif

/*
 * find_ge_pid(), the next pid in a namespace, is exported in 6.1 but not
 * in 5.10, where it is an RCU-safe lookup in the namespace's IDR.
 */
#include <linux/pid_namespace.h>
#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
static inline struct pid *madvstat_find_ge_pid(int nr,
					       struct pid_namespace *ns)
{
	return idr_get_next(&ns->idr, &nr);
}
#else
#define madvstat_find_ge_pid(nr, ns)	find_ge_pid(nr, ns)
#endif

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

/* 6.11 added MAP_DROPPABLE: anonymous memory without PG_swapbacked, never marked. */
#ifndef VM_DROPPABLE
#define VM_DROPPABLE	VM_NONE
#endif

/* 6.18 made mm->flags a bitmap read through mm_flags_test(). */
#if KERNEL_VERSION(6, 18, 0) > LINUX_VERSION_CODE
#define madvstat_mm_ksm(mm)	test_bit(MMF_VM_MERGEABLE, &(mm)->flags)
#else
#define madvstat_mm_ksm(mm)	mm_flags_test(MMF_VM_MERGEABLE, mm)
#endif

/* 7.1 renamed PAGEVEC_SIZE FOLIO_BATCH_SIZE (15 on 5.10, 6.1; 31 on 6.12, 7.2). */
#if KERNEL_VERSION(7, 1, 0) > LINUX_VERSION_CODE
#include <linux/pagevec.h>
#define MADVSTAT_BATCH_SIZE	PAGEVEC_SIZE
#else
#include <linux/folio_batch.h>
#define MADVSTAT_BATCH_SIZE	FOLIO_BATCH_SIZE
#endif

/*
 * Where reclaim hands the folios it freed to the page allocator: the
 * reclaim function (5.10's shrink_page_list() is shrink_folio_list() by
 * 6.1) calls free_unref_page_list() with a list of small ones, and 6.1
 * destroy_large_folio() with each large one; 6.10 made it one folio batch,
 * large folios included, to free_unref_folios(). 5.10 splits a lazily
 * freed THP before it reclaims it, so it frees no large lazily freed one.
 */
#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#define MADVSTAT_SHRINK_SYMBOL	"shrink_page_list"
#else
#define MADVSTAT_SHRINK_SYMBOL	"shrink_folio_list"
#endif
#if KERNEL_VERSION(6, 10, 0) > LINUX_VERSION_CODE
#define MADVSTAT_FREE_SYMBOL	"free_unref_page_list"
struct madvstat_freed {
	struct list_head *head, *pos;
};

static inline struct folio *madvstat_freed_next(struct madvstat_freed *it)
{
	it->pos = it->pos->next;
	if (it->pos == it->head)
		return NULL;
	return page_folio(list_entry(it->pos, struct page, lru));
}

static inline struct folio *madvstat_freed_first(struct madvstat_freed *it,
						 unsigned long list)
{
	it->head = (struct list_head *)list;
	it->pos = it->head;
	return madvstat_freed_next(it);
}
#else
#define MADVSTAT_FREE_SYMBOL	"free_unref_folios"
struct madvstat_freed {
	struct folio_batch *batch;
	unsigned int i;
};

static inline struct folio *madvstat_freed_next(struct madvstat_freed *it)
{
	if (it->i >= folio_batch_count(it->batch))
		return NULL;
	return it->batch->folios[it->i++];
}

static inline struct folio *madvstat_freed_first(struct madvstat_freed *it,
						 unsigned long batch)
{
	it->batch = (struct folio_batch *)batch;
	it->i = 0;
	return madvstat_freed_next(it);
}
#endif
#if KERNEL_VERSION(6, 1, 0) <= LINUX_VERSION_CODE && \
	KERNEL_VERSION(6, 10, 0) > LINUX_VERSION_CODE
#define MADVSTAT_FREE_LARGE_SYMBOL	"destroy_large_folio"
#endif

/*
 * 5.11 gave ftrace callbacks a struct ftrace_regs, filled with the
 * arguments (DYNAMIC_FTRACE_WITH_ARGS), and made them recursion-safe by
 * default. 5.10 passes the struct pt_regs that it wraps, filled in only
 * for FTRACE_OPS_FL_SAVE_REGS (DYNAMIC_FTRACE_WITH_REGS), and calls a
 * callback through a recursion guard unless it is
 * FTRACE_OPS_FL_RECURSION_SAFE: ours need none (hooks.c).
 */
#include <linux/ftrace.h>
#if KERNEL_VERSION(5, 11, 0) > LINUX_VERSION_CODE
#define ftrace_regs				pt_regs
#define ftrace_regs_get_argument(regs, n)	regs_get_kernel_argument(regs, n)
#define MADVSTAT_FTRACE_RECURSION		FTRACE_OPS_FL_RECURSION_SAFE
#else
#define MADVSTAT_FTRACE_RECURSION		0
#endif
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_ARGS
#define MADVSTAT_FTRACE_FLAGS	MADVSTAT_FTRACE_RECURSION
#else
#define MADVSTAT_FTRACE_FLAGS	(MADVSTAT_FTRACE_RECURSION | FTRACE_OPS_FL_SAVE_REGS)
#endif

/*
 * ftrace_free_filter() is exported in 6.2 (and 6.1 stable), not in 5.10;
 * there, resetting the filter to nothing frees it as well.
 */
#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
static inline void madvstat_ftrace_free_filter(struct ftrace_ops *ops)
{
	ftrace_set_filter(ops, NULL, 0, 1);
}
#else
#define madvstat_ftrace_free_filter(ops)	ftrace_free_filter(ops)
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
 * arm64's ftrace_regs holds x0-x8, not a pt_regs, and its accessor is an
 * inline function, so no macro to test: it came with arm64's
 * DYNAMIC_FTRACE_WITH_ARGS (6.2).
 */
#if defined(ftrace_regs_get_argument) || \
	(defined(CONFIG_ARM64) && defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS))
#define madvstat_fregs_arg(fregs, n)	ftrace_regs_get_argument(fregs, n)
#else
#define madvstat_fregs_arg(fregs, n)	regs_get_kernel_argument(&(fregs)->regs, n)
#endif

/*
 * The drain callback's page or folio, from its first two arguments, or
 * NULL if it will not turn lazily freed for want of PG_lru. 5.10's
 * lru_lazyfree_fn(page, lruvec, arg) runs for every queued page and tests
 * PG_lru itself; 5.11 moved that test to its caller (TestClearPageLRU() in
 * pagevec_lru_move_fn()), and by 6.1 the callback takes (lruvec, folio).
 */
#if KERNEL_VERSION(5, 11, 0) > LINUX_VERSION_CODE
static inline struct folio *madvstat_drain_folio(unsigned long arg0,
						 unsigned long arg1)
{
	struct page *page = (struct page *)arg0;

	return PageLRU(page) ? page_folio(page) : NULL;
}
#else
static inline struct folio *madvstat_drain_folio(unsigned long arg0,
						 unsigned long arg1)
{
	return (struct folio *)arg1;
}
#endif

/*
 * Direct calls from a function's ftrace site into a trampoline of ours
 * (direct.c): 5.16 added register_ftrace_direct_multi(); 6.5 renamed it
 * register_ftrace_direct() and let the unregister free the filter. 6.2
 * added call-depth tracking, which such a trampoline must account.
 */
#if defined(CONFIG_X86_64) && \
	defined(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS) && \
	KERNEL_VERSION(5, 16, 0) <= LINUX_VERSION_CODE
#define MADVSTAT_DIRECT		1
#else
#define MADVSTAT_DIRECT		0
#endif
#if MADVSTAT_DIRECT && KERNEL_VERSION(6, 5, 0) > LINUX_VERSION_CODE
#define madvstat_direct_register(ops, addr) \
	register_ftrace_direct_multi(ops, addr)
static inline void madvstat_direct_unregister(struct ftrace_ops *ops,
					      unsigned long addr)
{
	unregister_ftrace_direct_multi(ops, addr);
	madvstat_ftrace_free_filter(ops);
}
#elif MADVSTAT_DIRECT
#define madvstat_direct_register(ops, addr)	register_ftrace_direct(ops, addr)
#define madvstat_direct_unregister(ops, addr) \
	unregister_ftrace_direct(ops, addr, true)
#endif
#if MADVSTAT_DIRECT
#include <asm/linkage.h>
#include <asm/nospec-branch.h>
/* 5.18 added IBT, whose ENDBR must start anything called indirectly. */
#if KERNEL_VERSION(5, 18, 0) <= LINUX_VERSION_CODE
#include <asm/ibt.h>
#else
#define ASM_ENDBR
#endif
#ifndef CALL_DEPTH_ACCOUNT
#define CALL_DEPTH_ACCOUNT	""	/* before 6.2 */
#endif
#endif

/*
 * Until 5.14 (try_to_migrate_one()), migration and the freezing of a THP
 * being split also went through try_to_unmap_one(), flagged TTU_MIGRATION
 * or TTU_SPLIT_FREEZE (its fourth argument): they leave migration entries
 * where the pages were mapped, which is no reclaim.
 */
#if KERNEL_VERSION(5, 14, 0) > LINUX_VERSION_CODE
#include <linux/rmap.h>
static inline bool madvstat_unmap_is_reclaim(struct pt_regs *regs)
{
	unsigned long flags = regs_get_kernel_argument(regs, 3);

	return !(flags & (TTU_MIGRATION | TTU_SPLIT_FREEZE));
}
#else
static inline bool madvstat_unmap_is_reclaim(struct pt_regs *regs)
{
	return true;
}
#endif

/*
 * 6.18 fixed CVE-2025-40271 (stable: 5.10.247, 6.1.159, 6.12.59; other
 * lines are taken as unfixed): a proc directory's readdir stepped from an
 * entry removed under it into freed memory. See listing_guard.c.
 */
#define MADVSTAT_READDIR_UAF \
	(KERNEL_VERSION(5, 10, 247) > LINUX_VERSION_CODE || \
	 (KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE && \
	  KERNEL_VERSION(6, 1, 159) > LINUX_VERSION_CODE) || \
	 (KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE && \
	  KERNEL_VERSION(6, 12, 59) > LINUX_VERSION_CODE) || \
	 (KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE && \
	  KERNEL_VERSION(6, 18, 0) > LINUX_VERSION_CODE))

#endif /* MADVSTAT_COMPAT_H */
