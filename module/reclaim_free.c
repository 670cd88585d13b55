// SPDX-License-Identifier: GPL-2.0
/*
 * ReclaimFreed: the lazily freed memory reclaim frees, charged to the
 * process whose mapping of it reclaim took last.
 *
 * The kernel counts pglazyfreed in shrink_folio_list() when it frees a
 * lazily freed folio that nothing maps and nobody else holds (its
 * reference freeze). That is not always a folio try_to_unmap_one() has
 * just unmapped: the freeze fails on a transient reference, and the folio
 * is then freed later, by whoever put the last reference (no pglazyfreed)
 * or by another pass of reclaim (pglazyfreed then); and a folio whose last
 * mapping went by munmap(), MADV_DONTNEED or exit while reclaim held it
 * isolated is freed by reclaim with no unmap at all. So the unmap probe
 * only notes whose mapping went last (madvstat_freeing_note()), and the
 * charge is made where shrink_folio_list() hands what it freed to the
 * page allocator: every lazily freed folio there is one pglazyfreed
 * counted. What no note claims is AllFreedUnowned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "compat.h"
#include "madvstat.h"

/* A folio reclaim unmapped from its last mapping, not freed yet. */
struct madvstat_freeing {
	const struct folio *folio;	/* NULL: a free way */
	const struct mm_struct *mm;
	u64 id;				/* of the mm's state; 0 if it had none */
};

/*
 * Notes live from the unmap to the free: a reclaim batch (up to 32 folios,
 * 64 with MGLRU, 512 for MADV_PAGEOUT) per reclaiming task. Eight ways a
 * bucket: a new note evicts the oldest only when eight more wait in the
 * same bucket, or stale ones do (a freeze that failed); the evicted folio,
 * if reclaim frees it after all, is unowned.
 */
#define MADVSTAT_FREEING_BITS	9
#define MADVSTAT_FREEING_WAYS	8

struct madvstat_freeing_bucket {
	raw_spinlock_t lock;
	unsigned int victim;		/* the next way to evict */
	struct madvstat_freeing way[MADVSTAT_FREEING_WAYS];
};

static struct madvstat_freeing_bucket
	madvstat_freeing[1 << MADVSTAT_FREEING_BITS];

static struct madvstat_freeing_bucket *
madvstat_freeing_bucket(const struct folio *folio)
{
	return &madvstat_freeing[hash_ptr(folio, MADVSTAT_FREEING_BITS)];
}

/**
 * madvstat_freeing_note - reclaim took the last mapping of @folio, @mm's
 * @folio: lazily freed, locked by reclaim, mapped nowhere now
 * @mm: the address space the mapping was in
 * @s: @mm's state, or NULL if it has none
 *
 * Any context. A folio is unmapped for the last time once before it is
 * freed or reused, so an older note for it is stale and goes.
 */
void madvstat_freeing_note(const struct folio *folio,
			   const struct mm_struct *mm,
			   const struct madvstat_mm *s)
{
	struct madvstat_freeing_bucket *b = madvstat_freeing_bucket(folio);
	struct madvstat_freeing *e = NULL;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&b->lock, flags);
	for (i = 0; i < MADVSTAT_FREEING_WAYS; i++) {
		if (b->way[i].folio == folio) {
			e = &b->way[i];
			break;
		}
		if (!e && !b->way[i].folio)
			e = &b->way[i];
	}
	if (!e) {
		e = &b->way[b->victim];
		b->victim = (b->victim + 1) % MADVSTAT_FREEING_WAYS;
	}
	e->folio = folio;
	e->mm = mm;
	e->id = s ? s->id : 0;
	raw_spin_unlock_irqrestore(&b->lock, flags);
}

/* Take the note for @folio; false if there is none. */
static bool madvstat_freeing_take(const struct folio *folio,
				  struct madvstat_freeing *out)
{
	struct madvstat_freeing_bucket *b = madvstat_freeing_bucket(folio);
	unsigned long flags;
	bool found = false;
	int i;

	raw_spin_lock_irqsave(&b->lock, flags);
	for (i = 0; i < MADVSTAT_FREEING_WAYS; i++) {
		if (b->way[i].folio == folio) {
			*out = b->way[i];
			b->way[i].folio = NULL;
			found = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return found;
}

/* Reclaim frees @folio: charge it as the kernel counts pglazyfreed. */
static void madvstat_freed_by_reclaim(struct folio *folio)
{
	long nr = folio_nr_pages(folio);
	struct madvstat_freeing e;

	madvstat_event_add(MADVSTAT_RECLAIM_FREED, nr);
	/* Else its process unmapped it, it had no record, or its mm is gone. */
	if (!madvstat_freeing_take(folio, &e) ||
	    !madvstat_mm_add_noted(e.mm, e.id, MADVSTAT_RECLAIM_FREED, nr))
		madvstat_event_add(MADVSTAT_EV_FREED_UNOWNED, nr);
}

/*
 * The free functions serve every caller; only shrink_folio_list() (or a
 * part the compiler split off it, such as its .cold text) frees what
 * pglazyfreed counts. Each call site is classified once by its symbol
 * and remembered; the sites are few (a dozen), a full cache only makes
 * classifying slow.
 */
#define MADVSTAT_CALL_SITES	32

struct madvstat_call_site {
	unsigned long ip;
	bool reclaim;
};

static struct madvstat_call_site madvstat_sites[MADVSTAT_CALL_SITES];
static unsigned int madvstat_nr_sites;		/* published with release */
static DEFINE_RAW_SPINLOCK(madvstat_sites_lock);

static bool madvstat_site_classify(unsigned long ip)
{
	static const char *const shrink = MADVSTAT_SHRINK_SYMBOL;

	return madvstat_sym_which(ip, &shrink, 1) == 0;
}

static bool madvstat_is_reclaim_site(unsigned long ip)
{
	unsigned long flags;
	unsigned int i, nr;
	bool reclaim;

	/* Pairs with the release below: sites [0, nr) are written. */
	nr = smp_load_acquire(&madvstat_nr_sites);
	for (i = 0; i < nr; i++)
		if (madvstat_sites[i].ip == ip)
			return madvstat_sites[i].reclaim;

	raw_spin_lock_irqsave(&madvstat_sites_lock, flags);
	for (i = nr; i < madvstat_nr_sites; i++)
		if (madvstat_sites[i].ip == ip)
			break;
	if (i < madvstat_nr_sites) {
		reclaim = madvstat_sites[i].reclaim;
	} else {
		reclaim = madvstat_site_classify(ip);
		if (i < MADVSTAT_CALL_SITES) {
			madvstat_sites[i].ip = ip;
			madvstat_sites[i].reclaim = reclaim;
			/* Publish the site only once it is written. */
			smp_store_release(&madvstat_nr_sites, i + 1);
		}
	}
	raw_spin_unlock_irqrestore(&madvstat_sites_lock, flags);
	return reclaim;
}

/* The folios of one free call; see madvstat_freed_first() in compat.h. */
void madvstat_on_free(unsigned long ip, unsigned long parent_ip,
		      struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct madvstat_freed it;
	struct folio *folio;

	if (!madvstat_is_reclaim_site(parent_ip))
		return;
	for (folio = madvstat_freed_first(&it, madvstat_fregs_arg(fregs, 0));
	     folio; folio = madvstat_freed_next(&it))
		if (folio_test_anon(folio) && !folio_test_swapbacked(folio))
			madvstat_freed_by_reclaim(folio);
}

#ifdef MADVSTAT_FREE_LARGE_SYMBOL
/* One large folio, freed on its own. */
void madvstat_on_free_large(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct folio *folio = (struct folio *)madvstat_fregs_arg(fregs, 0);

	if (madvstat_is_reclaim_site(parent_ip) && folio_test_anon(folio) &&
	    !folio_test_swapbacked(folio))
		madvstat_freed_by_reclaim(folio);
}
#endif

/* Once per load, before the free hooks are attached (hooks.c). */
void madvstat_freeing_init(void)
{
	unsigned int i;

	/* Zeroed is not initialised for CONFIG_DEBUG_SPINLOCK or lockdep. */
	for (i = 0; i < ARRAY_SIZE(madvstat_freeing); i++)
		raw_spin_lock_init(&madvstat_freeing[i].lock);
}
