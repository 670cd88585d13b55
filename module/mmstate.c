// SPDX-License-Identifier: GPL-2.0
/*
 * The state of each address space, kept beside the kernel's mm_struct in
 * a hash table keyed by its address: its cumulative counters, and whether
 * it is known to hold no lazily freed page (see "Known clean" below).
 *
 * A state is created when the mm is born after load (exec, fork; see
 * lifecycle.c) or on the first event that concerns an older mm, from a
 * probe, so without sleeping; it is removed when the mm_struct itself is
 * freed (the __mmdrop() probe in hooks.c), before its memory can be reused
 * by a new mm. Probes look states up under RCU and free them by RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/refcount.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "madvstat.h"

#define MADVSTAT_MM_HASH_BITS	10

static struct hlist_head madvstat_mm_hash[1 << MADVSTAT_MM_HASH_BITS];
/* Writers of the table; raw: probes take it, on PREEMPT_RT too. */
static DEFINE_RAW_SPINLOCK(madvstat_mm_lock);
static atomic64_t madvstat_mm_ids = ATOMIC64_INIT(0);
static atomic_long_t madvstat_mm_live = ATOMIC_LONG_INIT(0);
atomic_long_t madvstat_mm_gone = ATOMIC_LONG_INIT(0);

/*
 * Known clean: a state may say its mm maps no lazily freed folio, so that
 * a read needs no walk (snapshot.c). A folio turns lazily freed only where
 * a batch drains (the drain probe in hooks.c), and turns so in every mm
 * that maps it: after fork() parent and child share folios, and a mark in
 * one makes the folio lazily freed in both (madvise_free_pte_range() marks
 * a clean folio however many map it). So "clean" is kept per family, the
 * mms that may share anonymous folios: an exec starts one, a fork joins
 * the parent's. mms that existed before load, or whose birth was missed,
 * share madvstat_family0.
 *
 * Each family has a generation. A reader that wants to record "clean" arms
 * it, waits for an RCU grace period, walks, and records the armed value if
 * it found nothing and the generation did not move (madvstat_mm_confirm()).
 * A drain whose folio belongs to a member bumps the generation if armed:
 * every member's record is void from then on. The drain probe and the
 * folio's change run in one RCU read-side section (under the lruvec lock),
 * so a drain either finished before the grace period ended, and the walk
 * sees the folio, or started after the arming and bumps. A drain whose mm
 * is unknown bumps madvstat_gen_global, which voids every record.
 */
#define MADVSTAT_GEN_ARMED	1L	/* a member may be recorded clean */
#define MADVSTAT_GEN_POISONED	2L	/* never again: a member was missed */
#define MADVSTAT_GEN_STEP	4L

struct madvstat_family {
	atomic_long_t gen;
	refcount_t ref;		/* of the states that point here */
	struct rcu_head rcu;
};

static struct madvstat_family madvstat_family0 = {
	.gen = ATOMIC_LONG_INIT(0),
	.ref = REFCOUNT_INIT(1),	/* never freed */
};

static atomic_long_t madvstat_gen_global = ATOMIC_LONG_INIT(0);

/*
 * States come from a cache of their own, so that /proc/slabinfo shows what
 * they take ("madvstat_mm"). A constructor keeps the cache from being
 * merged with another of the same size (on every kernel; SLAB_NO_MERGE
 * came only in 6.5), at the price of 8 bytes a state (the free pointer
 * then lives outside the object); it has nothing to do, as each state is
 * zeroed when allocated.
 */
static struct kmem_cache *madvstat_mm_cache;

static void madvstat_mm_ctor(void *obj)
{
}

static struct madvstat_mm *madvstat_mm_alloc(gfp_t gfp)
{
	struct madvstat_mm *s = kmem_cache_alloc(madvstat_mm_cache, gfp);

	if (s)
		memset(s, 0, sizeof(*s));
	return s;
}

static void madvstat_mm_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(madvstat_mm_cache,
			container_of(rcu, struct madvstat_mm, rcu));
}

int madvstat_mm_init(void)
{
	madvstat_mm_cache = kmem_cache_create("madvstat_mm",
					      sizeof(struct madvstat_mm), 0, 0,
					      madvstat_mm_ctor);
	return madvstat_mm_cache ? 0 : -ENOMEM;
}

/* After madvstat_mm_free_all(): waits for states still freed by RCU. */
void madvstat_mm_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(madvstat_mm_cache);
}

/* Events since load, of all processes, attributed or not. */
static DEFINE_PER_CPU(unsigned long, madvstat_events[MADVSTAT_NR_EVENTS]);

static struct madvstat_family *madvstat_fam(const struct madvstat_mm *s)
{
	return READ_ONCE(s->fam) ?: &madvstat_family0;
}

static void madvstat_family_put(struct madvstat_family *fam)
{
	if (fam && refcount_dec_and_test(&fam->ref))
		kfree_rcu(fam, rcu);
}

/* Arm @gen; returns the armed value, or a poisoned one. */
static long madvstat_gen_arm(atomic_long_t *gen)
{
	long g = atomic_long_read(gen);

	while (!(g & (MADVSTAT_GEN_ARMED | MADVSTAT_GEN_POISONED)))
		if (atomic_long_try_cmpxchg(gen, &g, g | MADVSTAT_GEN_ARMED))
			return g | MADVSTAT_GEN_ARMED;
	return g;
}

/* Whether a record of @rec is still good against the value @now. */
static bool madvstat_gen_holds(long rec, long now)
{
	return rec == now &&
	       (now & (MADVSTAT_GEN_ARMED | MADVSTAT_GEN_POISONED)) ==
	       MADVSTAT_GEN_ARMED;
}

/* A folio turned lazily freed: void the records made under @gen. */
static void madvstat_gen_bump(atomic_long_t *gen)
{
	long g = atomic_long_read(gen);

	while (g & MADVSTAT_GEN_ARMED)
		if (atomic_long_try_cmpxchg(gen, &g, (g + MADVSTAT_GEN_STEP) &
					    ~MADVSTAT_GEN_ARMED))
			break;
}

static struct hlist_head *madvstat_mm_bucket(const struct mm_struct *mm)
{
	return &madvstat_mm_hash[hash_ptr(mm, MADVSTAT_MM_HASH_BITS)];
}

/**
 * madvstat_mm_find - the state of @mm, or NULL
 * @mm: an address space
 *
 * Call under rcu_read_lock() (or with preemption disabled, as probes run);
 * the state stays valid until the read side ends.
 */
struct madvstat_mm *madvstat_mm_find(const struct mm_struct *mm)
{
	struct madvstat_mm *s;

	hlist_for_each_entry_rcu(s, madvstat_mm_bucket(mm), node)
		if (s->mm == mm)
			return s;
	return NULL;
}

/*
 * PREEMPT_RT's allocator takes sleeping locks: it must not be called with
 * preemption or interrupts off, as the kretprobe handlers run (or an ftrace
 * callback behind the list function). Elsewhere a GFP_NOWAIT allocation is
 * fine in any probe.
 */
static bool madvstat_may_alloc(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible();
}

/**
 * madvstat_mm_find_or_add - the state of @mm, created if it has none
 * @mm: an address space the caller knows to be alive (not yet in __mmdrop)
 *
 * Takes no reference: call under rcu_read_lock() (or in a probe, as for
 * madvstat_mm_find()). Never sleeps. Returns NULL when memory is short,
 * or on PREEMPT_RT when the caller may not allocate. A state created here
 * belongs to madvstat_family0.
 */
struct madvstat_mm *madvstat_mm_find_or_add(const struct mm_struct *mm)
{
	struct madvstat_mm *s = madvstat_mm_find(mm), *old;
	unsigned long flags;

	if (likely(s) || !madvstat_may_alloc())
		return s;
	s = madvstat_mm_alloc(GFP_NOWAIT | __GFP_NOWARN);
	if (!s)
		return NULL;
	s->mm = mm;
	s->id = atomic64_inc_return(&madvstat_mm_ids);

	raw_spin_lock_irqsave(&madvstat_mm_lock, flags);
	old = madvstat_mm_find(mm);	/* another CPU may have won */
	if (!old) {
		hlist_add_head_rcu(&s->node, madvstat_mm_bucket(mm));
		atomic_long_inc(&madvstat_mm_live);
	}
	raw_spin_unlock_irqrestore(&madvstat_mm_lock, flags);
	if (old) {
		kmem_cache_free(madvstat_mm_cache, s);
		return old;
	}
	return s;
}

/**
 * madvstat_mm_remove - forget @mm, which is being freed
 * @mm: the address space
 *
 * Any context: __mmdrop() can run with interrupts disabled.
 */
void madvstat_mm_remove(const struct mm_struct *mm)
{
	struct madvstat_mm *s;
	unsigned long flags;

	rcu_read_lock();
	s = madvstat_mm_find(mm);
	rcu_read_unlock();
	if (!s)
		return;
	raw_spin_lock_irqsave(&madvstat_mm_lock, flags);
	s = madvstat_mm_find(mm);
	if (s) {
		hlist_del_rcu(&s->node);
		atomic_long_dec(&madvstat_mm_live);
	}
	raw_spin_unlock_irqrestore(&madvstat_mm_lock, flags);
	if (s) {
		/* Void every cached pointer to s before its grace period. */
		atomic_long_inc_return(&madvstat_mm_gone);
		/* Readers that found s may look at its family: both by RCU. */
		madvstat_family_put(s->fam);
		call_rcu(&s->rcu, madvstat_mm_free_rcu);
	}
}

/**
 * madvstat_mm_read - copy the counters of @mm into @c
 * @mm: the address space
 * @c: zeroed if @mm has no state (nothing happened to it since load)
 */
void madvstat_mm_read(const struct mm_struct *mm, struct madvstat_cumul *c)
{
	struct madvstat_mm *s;
	int i;

	memset(c, 0, sizeof(*c));
	rcu_read_lock();
	s = madvstat_mm_find(mm);
	if (s)
		for (i = 0; i < MADVSTAT_NR_COUNTERS; i++)
			c->count[i] = atomic_long_read(&s->count[i]);
	rcu_read_unlock();
}

/**
 * madvstat_mm_noted - the state of an mm noted earlier, if still its own
 * @mm: the address space noted, maybe freed since
 * @id: the id its state had then (0: it had none)
 *
 * Under rcu_read_lock() or in a probe. NULL if the state is gone: the mm
 * was freed (its address may be a new mm's now).
 */
struct madvstat_mm *madvstat_mm_noted(const struct mm_struct *mm, u64 id)
{
	struct madvstat_mm *s;

	if (!id)
		return NULL;
	s = madvstat_mm_find(mm);
	return s && s->id == id ? s : NULL;
}

/**
 * madvstat_mm_add_noted - add to the counter of an mm noted earlier
 * @mm: the address space noted, maybe freed since
 * @id: the id its state had then (0: it had none)
 * @c: the counter
 * @nr: pages
 *
 * Returns false if that state is gone: the mm was freed (its address may
 * be a new mm's now).
 */
bool madvstat_mm_add_noted(const struct mm_struct *mm, u64 id,
			   enum madvstat_counter c, long nr)
{
	struct madvstat_mm *s;

	rcu_read_lock();
	s = madvstat_mm_noted(mm, id);
	if (s)
		atomic_long_add(nr, &s->count[c]);
	rcu_read_unlock();
	return s;
}

/**
 * madvstat_mm_turned_lazy - a batch drain is about to make a folio lazy
 * @s: the state of the mm that marked it, or NULL if unknown or gone
 * @nr: pages
 *
 * From the drain probe, in the RCU read-side section in which the folio
 * changes: credits Marked and voids the clean records of its family (or,
 * when the mm is unknown, of everyone).
 */
void madvstat_mm_turned_lazy(struct madvstat_mm *s, long nr)
{
	madvstat_event_add(MADVSTAT_MARKED, nr);
	if (s) {
		atomic_long_add(nr, &s->count[MADVSTAT_MARKED]);
		madvstat_gen_bump(&madvstat_fam(s)->gen);
	} else {
		madvstat_event_add(MADVSTAT_EV_UNATTRIBUTED, nr);
		madvstat_gen_bump(&madvstat_gen_global);
	}
}

/**
 * madvstat_mm_born_exec - @mm is the new, empty address space of an exec
 * @mm: it; the exec has loaded the program and not yet returned to it
 *
 * It maps no lazily freed folio and shares none: a family of its own,
 * recorded clean. Without memory it stays unknown (walked when read).
 */
void madvstat_mm_born_exec(struct mm_struct *mm)
{
	struct madvstat_family *fam, *old = NULL;
	struct madvstat_mm *s;

	/* Without the probes no state is ever freed, nor needed. */
	if (!madvstat_tracking() || !madvstat_may_alloc())
		return;
	fam = madvstat_kzalloc_obj(fam, GFP_NOWAIT | __GFP_NOWARN);
	if (!fam)
		return;
	refcount_set(&fam->ref, 1);
	rcu_read_lock();
	s = madvstat_mm_find_or_add(mm);
	if (s) {
		old = xchg(&s->fam, fam);
		WRITE_ONCE(s->clean_gen, madvstat_gen_arm(&fam->gen));
		WRITE_ONCE(s->clean_global,
			   madvstat_gen_arm(&madvstat_gen_global));
	}
	rcu_read_unlock();
	madvstat_family_put(s ? old : fam);	/* old: none, but to be sure */
}

/**
 * madvstat_mm_born_fork - @child was copied from @parent by fork()
 * @parent: the parent's address space
 * @child: the child's, which shares the parent's anonymous folios
 *
 * The child joins the parent's family, not recorded clean: it is walked
 * when first read. If it cannot be registered, the family is poisoned, as
 * a mark in it could then go unseen by the others.
 */
void madvstat_mm_born_fork(const struct mm_struct *parent,
			   const struct mm_struct *child)
{
	struct madvstat_family *fam = NULL;
	struct madvstat_mm *ps, *cs;

	if (!madvstat_tracking())
		return;
	rcu_read_lock();
	ps = madvstat_mm_find(parent);
	if (ps)
		fam = READ_ONCE(ps->fam);
	if (!fam)	/* family0: a state created later is in it too */
		goto out;
	if (!refcount_inc_not_zero(&fam->ref)) {
		atomic_long_or(MADVSTAT_GEN_POISONED, &fam->gen);
		goto out;
	}
	cs = madvstat_mm_find_or_add(child);
	if (!cs || cmpxchg(&cs->fam, NULL, fam)) {
		atomic_long_or(MADVSTAT_GEN_POISONED, &fam->gen);
		madvstat_family_put(fam);
	}
out:
	rcu_read_unlock();
}

/* Whether @mm is recorded clean and the record holds. */
bool madvstat_mm_clean(const struct mm_struct *mm)
{
	struct madvstat_mm *s;
	bool clean = false;

	rcu_read_lock();
	s = madvstat_mm_find(mm);
	if (s)
		clean = madvstat_gen_holds(READ_ONCE(s->clean_gen),
					   atomic_long_read(&madvstat_fam(s)->gen)) &&
			madvstat_gen_holds(READ_ONCE(s->clean_global),
					   atomic_long_read(&madvstat_gen_global));
	rcu_read_unlock();
	return clean;
}

/**
 * madvstat_mm_arm - start confirming that @mm is clean
 * @mm: the address space
 * @t: what madvstat_mm_confirm() needs
 *
 * Then wait for an RCU grace period, walk @mm, and if the walk found
 * nothing, call madvstat_mm_confirm().
 */
void madvstat_mm_arm(const struct mm_struct *mm, struct madvstat_ticket *t)
{
	struct madvstat_mm *s;

	rcu_read_lock();
	s = madvstat_mm_find(mm);
	t->fam = s ? madvstat_fam(s) : &madvstat_family0;
	t->gen = madvstat_gen_arm(&t->fam->gen);
	t->global = madvstat_gen_arm(&madvstat_gen_global);
	rcu_read_unlock();
}

/**
 * madvstat_mm_confirm - record @mm clean if nothing turned lazy since @t
 * @mm: the address space, alive (the caller holds mmget)
 * @t: from madvstat_mm_arm(), a grace period and a walk ago
 *
 * Returns whether it did.
 */
bool madvstat_mm_confirm(const struct mm_struct *mm,
			 const struct madvstat_ticket *t)
{
	struct madvstat_mm *s;
	bool done = false;

	rcu_read_lock();
	s = madvstat_mm_find_or_add(mm);
	/* The same family, so t->fam is alive while s is. */
	if (s && madvstat_fam(s) == t->fam &&
	    madvstat_gen_holds(t->gen, atomic_long_read(&t->fam->gen)) &&
	    madvstat_gen_holds(t->global,
			       atomic_long_read(&madvstat_gen_global))) {
		WRITE_ONCE(s->clean_gen, t->gen);
		WRITE_ONCE(s->clean_global, t->global);
		done = true;
	}
	rcu_read_unlock();
	return done;
}

/* Count @nr pages of @event (a counter, or MADVSTAT_EV_*) module-wide. */
void madvstat_event_add(unsigned int event, unsigned long nr)
{
	this_cpu_add(madvstat_events[event], nr);
}

unsigned long madvstat_event_sum(unsigned int event)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(madvstat_events[event], cpu);
	return sum;
}

long madvstat_mm_count(void)
{
	return atomic_long_read(&madvstat_mm_live);
}

/* Free every state; no probe may run any more. */
void madvstat_mm_free_all(void)
{
	struct hlist_node *tmp;
	struct madvstat_mm *s;
	int i;

	for (i = 0; i < ARRAY_SIZE(madvstat_mm_hash); i++) {
		hlist_for_each_entry_safe(s, tmp, &madvstat_mm_hash[i], node) {
			hlist_del(&s->node);
			madvstat_family_put(s->fam);
			kmem_cache_free(madvstat_mm_cache, s);
		}
	}
	atomic_long_set(&madvstat_mm_live, 0);
	atomic_long_inc(&madvstat_mm_gone);
}
