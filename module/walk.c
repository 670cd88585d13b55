// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot: one walk of a process's anonymous VMAs and of the page
 * tables under them, counting resident anonymous pages and those of them
 * that MADV_FREE made lazily freed (clean, or written again since).
 *
 * Only symbols exported on every supported kernel are used: find_vma() to
 * step through VMAs, and our own page-table descent, down to the PTE table
 * mapping that 6.5+ no longer exports.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/page-flags.h>
#include <linux/sched/signal.h>
#include <linux/swap.h>
#include <linux/userfaultfd_k.h>

#include "compat.h"
#include "madvstat.h"

#define MADVSTAT_PMD_PAGES	(PMD_SIZE >> PAGE_SHIFT)

/*
 * Lazily freed folios only ever live in anonymous VMAs: MADV_FREE refuses
 * any other (madvise_free_single_vma()), and fork and mremap keep the VMA
 * anonymous. A driver mapping without vm_ops looks anonymous too, hence
 * the flags.
 */
static bool madvstat_vma_walkable(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) &&
	       !(vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP | VM_IO));
}

/* The same classification as /proc/<pid>/maps. */
static enum madvstat_vma_kind madvstat_vma_kind(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	if (vma->vm_file)
		return MADVSTAT_VMA_FILE;
	if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		return MADVSTAT_VMA_HEAP;
	if (vma->vm_start <= mm->start_stack &&
	    vma->vm_end >= mm->start_stack)
		return MADVSTAT_VMA_STACK;
	return MADVSTAT_VMA_ANON;
}

/*
 * smaps' definition (smaps_account()): an anonymous folio without
 * PG_swapbacked is lazily freed; it is LazyFree while neither the mapping
 * entry nor the folio is dirty. When either is dirty, the program wrote to
 * it after MADV_FREE and reclaim will give it back (LazyFreeDirty).
 */
static void madvstat_account(struct folio *folio, unsigned long nr,
			     bool dirty, struct madvstat_counts *c)
{
	if (!folio_test_anon(folio))
		return;
	c->anon += nr;
	if (folio_test_swapbacked(folio))
		return;
	if (dirty || folio_test_dirty(folio))
		c->lazyfree_dirty += nr;
	else
		c->lazyfree += nr;
}

/* Called with the PTE table locked. */
static void madvstat_account_pte(pte_t pte, struct madvstat_counts *c)
{
	struct page *page;
	bool dirty = false;

	if (pte_present(pte)) {
		unsigned long pfn = pte_pfn(pte);

		/* The zero page and raw PFNs are special: not ours. */
		if (pte_special(pte) || !pfn_valid(pfn))
			return;
		page = pfn_to_page(pfn);
		dirty = pte_dirty(pte);
	} else {
		/*
		 * A page being migrated is still resident and still counted
		 * by smaps; a real swap entry is not resident.
		 */
		page = madvstat_pte_leaf_page(pte);
		if (!page)
			return;
	}
	madvstat_account(page_folio(page), 1, dirty, c);
}

/*
 * Account each PTE of [addr, end) (within one PMD) with the PTE table
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
 */
static bool madvstat_walk_pte_table(struct mm_struct *mm, pmd_t *pmdp,
				    unsigned long addr, unsigned long end,
				    pmd_t *pmdvalp, struct madvstat_counts *c)
{
	spinlock_t *ptl;	/* the lock of the table pmdval points to */
	pmd_t pmdval;
	pte_t *pte;

	rcu_read_lock();
	for (;;) {
		pmdval = madvstat_pmdp_get_lockless(pmdp);
		*pmdvalp = pmdval;
		if (pmd_none(pmdval) || !pmd_present(pmdval) ||
		    pmd_trans_huge(pmdval) || madvstat_pmd_devmap(pmdval) ||
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
		madvstat_account_pte(ptep_get(pte), c);
	spin_unlock(ptl);
	rcu_read_unlock();
	return true;
}

/* A PMD that maps a THP, or a THP being migrated: under the PMD lock. */
static bool madvstat_account_huge_pmd(struct mm_struct *mm, pmd_t *pmdp,
				      struct madvstat_counts *c)
{
	spinlock_t *ptl = pmd_lock(mm, pmdp);	/* held while we look */
	pmd_t pmd = *pmdp;
	struct page *page = NULL;
	bool dirty = false;

	if (pmd_trans_huge(pmd)) {
		page = pmd_page(pmd);
		dirty = pmd_dirty(pmd);
	} else if (madvstat_pmd_is_migration(pmd)) {
		page = madvstat_pmd_migration_page(pmd);
	}
	if (page)
		madvstat_account(page_folio(page), MADVSTAT_PMD_PAGES, dirty,
				 c);
	spin_unlock(ptl);
	return page;
}

/* Count what the PMD at pmdp maps of [addr, end), within one PMD. */
static void madvstat_walk_pmd(struct mm_struct *mm, pmd_t *pmdp,
			      unsigned long addr, unsigned long end,
			      struct madvstat_counts *c)
{
	pmd_t pmdval;

	for (;;) {
		if (madvstat_walk_pte_table(mm, pmdp, addr, end, &pmdval, c))
			return;
		if (pmd_none(pmdval))
			return;
		if (!pmd_trans_huge(pmdval) && !madvstat_pmd_is_migration(pmdval))
			return;		/* devmap or bad: nothing anonymous */
		if (madvstat_account_huge_pmd(mm, pmdp, c))
			return;
		/* Split or zapped since we looked: look again. */
	}
}

/*
 * Find the PUD entry covering addr, or return NULL and set *next past the
 * empty upper-level range around addr, so that unpopulated address space
 * costs one check per PGD/P4D/PUD entry. Otherwise *next is the end of
 * the PUD's range. Upper levels are not freed while we hold mmap_read_lock
 * on a VMA still in the tree.
 */
static pud_t *madvstat_pud_lookup(struct mm_struct *mm, unsigned long addr,
				  unsigned long end, unsigned long *next)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;

	if (pgd_none(READ_ONCE(*pgd)) || pgd_bad(READ_ONCE(*pgd))) {
		*next = pgd_addr_end(addr, end);
		return NULL;
	}
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(READ_ONCE(*p4d)) || p4d_bad(READ_ONCE(*p4d))) {
		*next = p4d_addr_end(addr, end);
		return NULL;
	}
	pud = pud_offset(p4d, addr);
	*next = pud_addr_end(addr, end);
	/* Anonymous memory is never PUD-mapped; x86 calls that bad too. */
	if (pud_none(READ_ONCE(*pud)) || pud_bad(READ_ONCE(*pud)))
		return NULL;
	return pud;
}

/*
 * Walk [addr, end) of one VMA. Returns the address reached: end, or less
 * when a writer waits for mmap_lock and the caller should let it in.
 */
static unsigned long madvstat_walk_range(struct mm_struct *mm,
					 unsigned long addr, unsigned long end,
					 struct madvstat_counts *c)
{
	unsigned long pud_end, next;
	pmd_t *pmdp;
	pud_t *pud;

	while (addr < end) {
		pud = madvstat_pud_lookup(mm, addr, end, &pud_end);
		if (!pud) {
			addr = pud_end;
			continue;
		}
		pmdp = pmd_offset(pud, addr);
		for (; addr < pud_end; addr = next, pmdp++) {
			next = pmd_addr_end(addr, pud_end);
			/* An empty PMD needs no lock: skip it cheaply. */
			if (pmd_none(madvstat_pmdp_get_lockless(pmdp)))
				continue;
			madvstat_walk_pmd(mm, pmdp, addr, next, c);
			if (mmap_lock_is_contended(mm) ||
			    fatal_signal_pending(current))
				return next;
			cond_resched();
		}
	}
	return addr;
}

static void madvstat_rec_start(struct madvstat_vma_rec *rec,
			       struct vm_area_struct *vma)
{
	*rec = (struct madvstat_vma_rec) {
		.start = vma->vm_start,
		.end = vma->vm_end,
		.flags = vma->vm_flags,
		.kind = madvstat_vma_kind(vma),
		.file = vma->vm_file ? get_file(vma->vm_file) : NULL,
	};
}

static void madvstat_rec_finish(struct madvstat_vma_rec *rec,
				struct madvstat_counts *total,
				madvstat_vma_fn emit, void *arg)
{
	total->anon += rec->counts.anon;
	total->lazyfree += rec->counts.lazyfree;
	total->lazyfree_dirty += rec->counts.lazyfree_dirty;
	/* Born lazily freed: every anonymous page there is (6.11+). */
	if (rec->flags & VM_DROPPABLE)
		total->droppable += rec->counts.lazyfree +
				    rec->counts.lazyfree_dirty;
	if (emit)
		emit(arg, rec);
	if (rec->file)
		fput(rec->file);
	rec->file = NULL;
	rec->start = 0;
	rec->end = 0;
}

/**
 * madvstat_walk - count lazily freed pages of an address space
 * @mm: the address space; the caller holds a reference (mmget)
 * @total: set to the counts over all anonymous VMAs
 * @emit: called once per VMA record, or NULL
 * @arg: passed to @emit
 *
 * Takes mmap_read_lock killably and lets writers in: when the lock is
 * contended it is dropped between PMDs and the walk resumes where it
 * stopped (what changed meanwhile is seen as it is then). A VMA that
 * changed across such a pause is reported in more than one record.
 *
 * Return: 0, or -EINTR on a fatal signal (@total is then partial).
 */
int madvstat_walk(struct mm_struct *mm, struct madvstat_counts *total,
		  madvstat_vma_fn emit, void *arg)
{
	struct madvstat_vma_rec rec = {};
	struct vm_area_struct *vma;
	unsigned long addr = 0;
	int err;

	*total = (struct madvstat_counts) {};
	err = mmap_read_lock_killable(mm);
	if (err)
		return err;

	while ((vma = find_vma(mm, addr))) {
		if (!madvstat_vma_walkable(vma)) {
			addr = vma->vm_end;
			continue;
		}
		if (vma->vm_flags & VM_DROPPABLE)
			total->doubt |= MADVSTAT_DOUBT_DROPPABLE;
		if (userfaultfd_armed(vma))
			total->doubt |= MADVSTAT_DOUBT_UFFD;
		if (rec.end && (rec.start != vma->vm_start ||
				rec.end != vma->vm_end ||
				rec.flags != vma->vm_flags))
			madvstat_rec_finish(&rec, total, emit, arg);
		if (!rec.end)
			madvstat_rec_start(&rec, vma);

		addr = madvstat_walk_range(mm, max(addr, vma->vm_start),
					   vma->vm_end, &rec.counts);
		if (addr >= vma->vm_end) {
			madvstat_rec_finish(&rec, total, emit, arg);
			if (!mmap_lock_is_contended(mm) &&
			    !fatal_signal_pending(current))
				continue;
		}

		/* Let the writer in, then find where we were. */
		mmap_read_unlock(mm);
		total->doubt |= MADVSTAT_DOUBT_RELOCKED;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
		err = mmap_read_lock_killable(mm);
		if (err)
			break;
	}
	if (!err)
		mmap_read_unlock(mm);
	if (rec.end)
		madvstat_rec_finish(&rec, total, err ? NULL : emit, arg);
	return err;
}
