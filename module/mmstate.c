// SPDX-License-Identifier: GPL-2.0
/*
 * Cumulative counters of each address space, kept beside the kernel's
 * mm_struct in a hash table keyed by its address.
 *
 * A state is created on the first event that concerns its mm, from a
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

/* Events since load, of all processes, attributed or not. */
static DEFINE_PER_CPU(unsigned long, madvstat_events[MADVSTAT_NR_EVENTS]);

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
 * or on PREEMPT_RT when the caller may not allocate.
 */
struct madvstat_mm *madvstat_mm_find_or_add(struct mm_struct *mm)
{
	struct madvstat_mm *s = madvstat_mm_find(mm), *old;
	unsigned long flags;

	if (likely(s) || !madvstat_may_alloc())
		return s;
	s = madvstat_kzalloc_obj(s, GFP_NOWAIT | __GFP_NOWARN);
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
		kfree(s);
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
	if (s)
		kfree_rcu(s, rcu);
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
	bool found = false;

	if (!id)
		return false;
	rcu_read_lock();
	s = madvstat_mm_find(mm);
	if (s && s->id == id) {
		atomic_long_add(nr, &s->count[c]);
		found = true;
	}
	rcu_read_unlock();
	return found;
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
			kfree(s);
		}
	}
	atomic_long_set(&madvstat_mm_live, 0);
}
