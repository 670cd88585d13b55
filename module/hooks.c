// SPDX-License-Identifier: GPL-2.0
/*
 * The probes behind the cumulative counters.
 *
 * Marked: madvise(MADV_FREE) only queues a folio in a per-CPU batch (the
 * mark probe, in the madvising process, under its page-table lock); the
 * folio turns lazily freed when the batch drains (the drain probe), maybe
 * much later and in another task. The mark probe therefore notes (folio,
 * mm) in a per-CPU ring, and the drain probe, which runs on the CPU that
 * owns the batch, credits the mm it finds there for that folio. The drain
 * probe counts exactly what the kernel's pglazyfree counts.
 *
 * Reclaimed, Rescued, RescuedPinned: every reclaimer (kswapd, direct and
 * memcg reclaim, memory.reclaim, MADV_PAGEOUT) unmaps a lazily freed folio
 * from each mapping with try_to_unmap_one(). It either discards the pages
 * it unmaps, or, when the folio was written again or holds an extra
 * reference, maps the page back and makes the folio swap-backed again (and
 * returns false). Since 6.15 it does the latter only for a folio written
 * again; one merely referenced stays lazily freed, and nothing is counted.
 * A return probe compares the folio before and after. A
 * return of true alone does not mean a discard: the function is also
 * called for mappings that do not hold the folio.
 *
 * ReclaimFreed: charged where reclaim frees the folio (reclaim_free.c), to
 * the mm the return probe saw lose the last mapping of it.
 *
 * Lifetime: the __mmdrop() probe forgets an mm as it is freed.
 *
 * The ftrace callbacks are permanent: while they are registered the
 * kernel refuses sysctl kernel.ftrace_enabled=0, which would silence them
 * without a word (a direct call's ops loses the flag when registered, but
 * the __mmdrop() callback's keeps the sysctl refused for all). Kprobes can
 * still be switched off system-wide; the canary (kprobe_canary.c) tells
 * when, and the Tracking line says so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "madvstat.h"

/* Who queued a folio: the mm, and the id of its state (0 if none). */
struct madvstat_noted {
	const struct mm_struct *mm;
	u64 id;
};

/*
 * The state last looked up on a CPU, with madvstat_mm_gone_seq() as read
 * before the lookup: while that holds, @s is still @mm's (see
 * madvstat_mm_gone_seq()), and a probe need not search the hash table
 * again. Used without PREEMPT_RT only, where both probes run with
 * preemption off and so cannot interleave on a CPU.
 */
struct madvstat_state_cache {
	const struct mm_struct *mm;
	struct madvstat_mm *s;
	unsigned long gone;
};

/* Each entry: a folio queued by MADV_FREE, and who queued it. */
struct madvstat_pending {
	struct folio *folio;	/* NULL: taken */
	const struct mm_struct *mm;
	u64 id;			/* of the mm's state; 0 if it has none */
};

/*
 * Twice a batch (a power of two, as batch sizes are 2^n - 1): without
 * PREEMPT_RT an entry that many marks old has drained (each mark is
 * followed at once by its add, and the batch drains when full). On
 * PREEMPT_RT a task preempted between our callback and its add (any number
 * of others' marks later) keeps its entry: the ring is compacted over the
 * holes of drained entries instead, and only entries never drained (the
 * rare stale ones) can fill it; eight batches leave room for many.
 */
#define MADVSTAT_RING_SIZE \
	((MADVSTAT_BATCH_SIZE + 1) * (IS_ENABLED(CONFIG_PREEMPT_RT) ? 8 : 2))
#define MADVSTAT_RING_BITS	8	/* of the hash of a folio's address */

/*
 * The entries in the order of the mark callbacks, tail to head; the tail
 * entry is never a hole. cnt[] counts the entries by a hash of the folio,
 * so that the drain knows without a search whether its folio may have more
 * than one.
 */
struct madvstat_ring {
	unsigned int head;	/* next to write */
	unsigned int tail;	/* oldest */
	struct madvstat_state_cache cache;
	u16 cnt[1 << MADVSTAT_RING_BITS];
	struct madvstat_pending e[MADVSTAT_RING_SIZE];
};

static DEFINE_PER_CPU(struct madvstat_ring, madvstat_rings);

static struct madvstat_pending *madvstat_ring_at(struct madvstat_ring *ring,
						 unsigned int i)
{
	return &ring->e[i % MADVSTAT_RING_SIZE];
}

/* Forget entry @i, of hash @h; the tail moves past the holes it leads. */
static __always_inline void madvstat_ring_forget(struct madvstat_ring *ring,
						 unsigned int i, unsigned int h)
{
	ring->cnt[h]--;
	madvstat_ring_at(ring, i)->folio = NULL;
	while (ring->tail != ring->head &&
	       !madvstat_ring_at(ring, ring->tail)->folio)
		ring->tail++;
}

static __always_inline void madvstat_ring_drop(struct madvstat_ring *ring,
					       unsigned int i)
{
	struct folio *folio = madvstat_ring_at(ring, i)->folio;

	madvstat_ring_forget(ring, i, hash_ptr(folio, MADVSTAT_RING_BITS));
}

/*
 * Make room at the tail by moving the entries still there, in order,
 * next to the head over the holes drains left; false if there are none.
 * On PREEMPT_RT a task preempted after its mark callback keeps its entry
 * at the tail while others mark any number of folios: it must not go.
 */
static bool madvstat_ring_compact(struct madvstat_ring *ring)
{
	unsigned int i = ring->head, w = ring->head;

	while (i != ring->tail) {
		struct madvstat_pending *e = madvstat_ring_at(ring, --i);

		if (e->folio && --w != i)
			*madvstat_ring_at(ring, w) = *e;
	}
	if (w == ring->tail)
		return false;
	ring->tail = w;
	return true;
}

static u64 madvstat_loaded_at;		/* boot-time ns, once probes are on */
static bool madvstat_hooks_on;
static char madvstat_off_reason[80];	/* why not, when the probes are off */

/* Would the kernel's own test let this folio turn lazily freed? */
static __always_inline bool madvstat_can_turn_lazy(struct folio *folio)
{
	return folio_test_anon(folio) && folio_test_swapbacked(folio) &&
	       !folio_test_swapcache(folio) && !folio_test_unevictable(folio);
}

/* Full even of entries: the oldest has drained (see the ring). */
static noinline void madvstat_ring_make_room(struct madvstat_ring *ring)
{
	if (!madvstat_ring_compact(ring))
		madvstat_ring_drop(ring, ring->tail);
}

static __always_inline bool madvstat_ring_full(const struct madvstat_ring *ring)
{
	return ring->head - ring->tail == MADVSTAT_RING_SIZE;
}

/* Note @folio as marked by @mm, whose state had @id (0: none). */
static __always_inline void madvstat_ring_push(struct madvstat_ring *ring,
					       struct folio *folio,
					       const struct mm_struct *mm,
					       u64 id)
{
	struct madvstat_pending *e;

	if (unlikely(madvstat_ring_full(ring)))
		madvstat_ring_make_room(ring);
	e = madvstat_ring_at(ring, ring->head++);
	e->folio = folio;
	e->mm = mm;
	e->id = id;
	ring->cnt[hash_ptr(folio, MADVSTAT_RING_BITS)]++;
}

/*
 * Is @c's state @mm's? Yes while no state has gone since it was kept
 * (see madvstat_mm_gone_seq()); then it is not NULL: only found states
 * are kept, and @mm is not NULL.
 */
static __always_inline bool
madvstat_cache_holds(const struct madvstat_state_cache *c,
		     const struct mm_struct *mm)
{
	return c->mm == mm && c->gone == madvstat_mm_gone_seq();
}

/* Does @c hold @mm's state noted with @id? */
static __always_inline bool
madvstat_cache_holds_noted(const struct madvstat_state_cache *c,
			   const struct mm_struct *mm, u64 id)
{
	return madvstat_cache_holds(c, mm) && c->s->id == id;
}

/* Keep @s, found for @mm while the count was @gone; returns @s. */
static __always_inline struct madvstat_mm *
madvstat_cache_keep(struct madvstat_state_cache *c, const struct mm_struct *mm,
		    struct madvstat_mm *s, unsigned long gone)
{
	if (s) {
		c->mm = mm;
		c->s = s;
		c->gone = gone;
	}
	return s;
}

/* The state of live @mm, created if need be; NULL without memory. */
static struct madvstat_mm *
madvstat_cached_state(struct madvstat_state_cache *c, const struct mm_struct *mm)
{
	unsigned long gone = madvstat_mm_gone_seq();

	if (madvstat_cache_holds(c, mm))
		return c->s;
	return madvstat_cache_keep(c, mm, madvstat_mm_find_or_add(mm), gone);
}

/* The state of @mm noted with @id, if it is still that mm's. */
static struct madvstat_mm *
madvstat_cached_noted(struct madvstat_state_cache *c, const struct mm_struct *mm,
		      u64 id)
{
	unsigned long gone = madvstat_mm_gone_seq();

	if (madvstat_cache_holds_noted(c, mm, id))
		return c->s;
	return madvstat_cache_keep(c, mm, madvstat_mm_noted(mm, id), gone);
}

/*
 * The rest of a mark without PREEMPT_RT: a state to look up, or a full
 * ring. Out of line, so that the common path keeps no register across a
 * call and saves none.
 */
static noinline void madvstat_mark_slow(struct madvstat_ring *ring,
					struct folio *folio,
					const struct mm_struct *mm)
{
	struct madvstat_mm *s = madvstat_cached_state(&ring->cache, mm);

	madvstat_ring_push(ring, folio, mm, s ? s->id : 0);
}

/* The mark hook, with the function's first argument. */
static __always_inline void madvstat_mark(unsigned long arg0)
{
	struct folio *folio = madvstat_mark_folio(arg0);
	struct mm_struct *mm = current->mm;
	struct madvstat_ring *ring;
	struct madvstat_mm *s;
	unsigned long flags;

	/* The callee queues only folios that pass these tests. */
	if (!mm || !folio_test_lru(folio) || !madvstat_can_turn_lazy(folio))
		return;

	/*
	 * The caller holds a page-table lock, which keeps us on the CPU whose
	 * batch the folio goes to, with preemption off: no drain runs in
	 * between (none runs from interrupts). On PREEMPT_RT the lock
	 * disables migration only: a drain callback in another task could
	 * run in the middle, so the ring is kept with interrupts off.
	 */
	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		ring = this_cpu_ptr(&madvstat_rings);
		if (likely(madvstat_cache_holds(&ring->cache, mm) &&
			   !madvstat_ring_full(ring)))
			madvstat_ring_push(ring, folio, mm, ring->cache.s->id);
		else
			madvstat_mark_slow(ring, folio, mm);
		return;
	}
	s = madvstat_mm_find_or_add(mm);
	local_irq_save(flags);
	madvstat_ring_push(this_cpu_ptr(&madvstat_rings), folio, mm,
			   s ? s->id : 0);
	local_irq_restore(flags);
}

/*
 * Take this CPU's entry for @folio, now drained. Of several entries for it,
 * the newest: its note came after the add being drained or is that add's,
 * so the folio was the same allocation then and its mm mapped it. An older
 * one may be stale: noted, then not queued (the kernel's tests raced with
 * ours), or queued and then isolated, so that the drain skipped it; the
 * folio may have been freed since and reused by another process.
 *
 * Without PREEMPT_RT the mark callback and the batch add are one
 * non-preemptible section, so the ring's order is the batch's: when
 * @folio has one entry, every older one has drained or was never queued,
 * and goes. On PREEMPT_RT another task's callback may precede its add by
 * any number of ours; older entries stay until their folio drains, or
 * until the ring holds nothing else (see madvstat_ring_compact()).
 */
static noinline struct madvstat_noted
madvstat_ring_take(struct madvstat_ring *ring, struct folio *folio)
{
	unsigned int i, h = hash_ptr(folio, MADVSTAT_RING_BITS);
	struct madvstat_noted e = { };

	if (!ring->cnt[h])
		return e;
	if (!IS_ENABLED(CONFIG_PREEMPT_RT) && ring->cnt[h] == 1) {
		for (i = ring->tail; i != ring->head; i++)
			if (madvstat_ring_at(ring, i)->folio == folio)
				break;
		if (i == ring->head)
			return e;
		while (ring->tail != i)
			madvstat_ring_drop(ring, ring->tail);
	} else {
		for (i = ring->head; i != ring->tail; i--)
			if (madvstat_ring_at(ring, i - 1)->folio == folio)
				break;
		if (i-- == ring->tail)
			return e;
	}
	e.mm = madvstat_ring_at(ring, i)->mm;
	e.id = madvstat_ring_at(ring, i)->id;
	madvstat_ring_forget(ring, i, h);
	return e;
}

/*
 * Credit the drain of @folio to @mm, which noted it with state @id (0:
 * none, or no entry found). Out of line: the common case is inline in
 * madvstat_drain().
 */
static noinline void madvstat_drain_credit(struct madvstat_ring *ring,
					   struct folio *folio,
					   const struct mm_struct *mm, u64 id)
{
	struct madvstat_mm *s;

	/* Else it will not turn (no pglazyfree either); its entry went. */
	if (!madvstat_can_turn_lazy(folio))
		return;
	if (!id)
		s = NULL;
	else if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		s = madvstat_cached_noted(&ring->cache, mm, id);
	else
		s = madvstat_mm_noted(mm, id);
	madvstat_mm_turned_lazy(s, folio_nr_pages(folio));
}

/* A drain whose folio is not the only one of its hash at the tail. */
static noinline void madvstat_drain_slow(struct madvstat_ring *ring,
					 struct folio *folio)
{
	struct madvstat_noted e = madvstat_ring_take(ring, folio);

	madvstat_drain_credit(ring, folio, e.mm, e.id);
}

/*
 * Runs under the lruvec lock on the CPU that owns the batch: with
 * interrupts off, or on PREEMPT_RT preemptible with migration disabled,
 * where a mark callback could then run in the middle of our search (ftrace
 * calls ops without FTRACE_OPS_FL_RECURSION directly, preemption enabled);
 * no interrupt handler marks or drains. Called for each folio of the batch
 * still on an LRU, even one that does not turn (queued twice, or its state
 * changed): its entry goes all the same.
 */
static __always_inline void madvstat_drain(unsigned long arg0,
					   unsigned long arg1)
{
	struct folio *folio = madvstat_drain_folio(arg0, arg1);
	struct madvstat_state_cache *c;
	struct madvstat_pending *t;
	struct madvstat_ring *ring;
	const struct mm_struct *mm;
	unsigned int h;
	u64 id;

	if (!folio)
		return;		/* skipped by the kernel too (5.10: off the LRU) */
	/* Also the RCU read-side section of the state and the folio's change. */
	preempt_disable();
	ring = this_cpu_ptr(&madvstat_rings);
	h = hash_ptr(folio, MADVSTAT_RING_BITS);
	t = madvstat_ring_at(ring, ring->tail);
	/*
	 * Most often, without PREEMPT_RT: the folio's only entry, the oldest,
	 * noted by the CPU's cached state, and the folio turns.
	 */
	if (IS_ENABLED(CONFIG_PREEMPT_RT) ||
	    unlikely(ring->cnt[h] != 1 || t->folio != folio)) {
		/* Not found (id 0): queued before load, or on a CPU now gone. */
		madvstat_drain_slow(ring, folio);
		goto out;
	}
	mm = t->mm;
	id = t->id;
	madvstat_ring_forget(ring, ring->tail, h);
	c = &ring->cache;
	if (likely(id && madvstat_cache_holds_noted(c, mm, id) &&
		   madvstat_can_turn_lazy(folio)))
		madvstat_mm_turned_lazy(c->s, folio_nr_pages(folio));
	else
		madvstat_drain_credit(ring, folio, mm, id);
out:
	preempt_enable();
}

/* Each hook two ways in: from direct.c's trampolines, or as ftrace_ops. */
notrace void madvstat_mark_direct(unsigned long arg0)
{
	madvstat_mark(arg0);
}

notrace void madvstat_drain_direct(unsigned long arg0, unsigned long arg1)
{
	madvstat_drain(arg0, arg1);
}

static void madvstat_on_mark(unsigned long ip, unsigned long parent_ip,
			     struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	madvstat_mark(madvstat_fregs_arg(fregs, 0));
}

static void madvstat_on_drain(unsigned long ip, unsigned long parent_ip,
			      struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	madvstat_drain(madvstat_fregs_arg(fregs, 0),
		       madvstat_fregs_arg(fregs, 1));
}

/* What the entry of try_to_unmap_one() saw, for its return. */
struct madvstat_unmap {
	struct mm_struct *mm;
	struct folio *folio;
	long mapped;
	bool droppable;		/* a MAP_DROPPABLE mapping: never marked */
};

static int madvstat_on_unmap_entry(struct kretprobe_instance *ri,
				   struct pt_regs *regs)
{
	struct folio *folio = (struct folio *)regs_get_kernel_argument(regs, 0);
	struct vm_area_struct *vma;
	struct madvstat_unmap *u;

	if (!folio_test_anon(folio) || folio_test_swapbacked(folio))
		return 1;	/* not lazily freed: no return probe */
	if (!madvstat_unmap_is_reclaim(regs))
		return 1;	/* migration, not reclaim */
	vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 1);
	u = (struct madvstat_unmap *)ri->data;
	u->mm = vma->vm_mm;
	u->folio = folio;
	u->mapped = madvstat_folio_pages_mapped(folio);
	u->droppable = vma->vm_flags & VM_DROPPABLE;
	return 0;
}

/*
 * Credit @nr pages of @c to @mm; if it has no record, count them
 * unattributed (once per discard: see madvstat_note_last_unmap()).
 */
static void madvstat_credit(struct mm_struct *mm, enum madvstat_counter c,
			    long nr)
{
	struct madvstat_mm *s;

	madvstat_event_add(c, nr);
	rcu_read_lock();
	s = madvstat_mm_find_or_add(mm);
	if (s)
		atomic_long_add(nr, &s->count[c]);
	rcu_read_unlock();
	if (!s)
		madvstat_event_add(MADVSTAT_EV_UNATTRIBUTED, nr);
}

/*
 * This call took the last mapping of the folio: note whose it was. The
 * kernel frees the folio, and counts pglazyfreed for the whole of it, only
 * once no mapping is left (after the last of the processes that share it
 * by fork(), with the pages no one maps any more of a large folio), and
 * only if nothing else holds it then; not while it is dirty: a
 * MAP_DROPPABLE folio discarded dirty is kept as a dirty file-LRU folio
 * (shrink_folio_list(), 6.12 to 7.2). ReclaimFreed is charged where it is
 * freed (reclaim_free.c).
 *
 * Without a record (PREEMPT_RT, see madvstat_mm_find_or_add()) a discard goes to
 * AllUnattributed once: with Reclaimed, or here for droppable pages, which
 * have no Reclaimed.
 */
static void madvstat_note_last_unmap(const struct madvstat_unmap *u)
{
	struct madvstat_mm *s;

	rcu_read_lock();
	s = madvstat_mm_find_or_add(u->mm);
	madvstat_freeing_note(u->folio, u->mm, s);
	rcu_read_unlock();
	if (!s && u->droppable && !folio_test_dirty(u->folio))
		madvstat_event_add(MADVSTAT_EV_UNATTRIBUTED,
				   folio_nr_pages(u->folio));
}

/*
 * The caller (an rmap walk) still holds the anon_vma lock, so the VMA and
 * therefore its mm are alive: creating a state for it here is safe.
 */
static int madvstat_on_unmap_return(struct kretprobe_instance *ri,
				    struct pt_regs *regs)
{
	struct madvstat_unmap *u = (struct madvstat_unmap *)ri->data;
	struct folio *folio = u->folio;
	long mapped = madvstat_folio_pages_mapped(folio);

	/* Pages this call unmapped and threw away: what the process lost. */
	if (mapped < u->mapped) {
		if (!u->droppable)
			madvstat_credit(u->mm, MADVSTAT_RECLAIMED,
					u->mapped - mapped);
		if (!mapped)
			madvstat_note_last_unmap(u);
	}
	/*
	 * It found the folio written again, or pinned, and restored it: the
	 * pages this mapping still maps are the program's again. Other
	 * processes may map the folio too (fork), so count at most the
	 * folio's size.
	 */
	if (!regs_return_value(regs) && folio_test_swapbacked(folio) && mapped)
		madvstat_credit(u->mm, folio_test_dirty(folio) ?
				MADVSTAT_RESCUED : MADVSTAT_RESCUED_PINNED,
				min_t(long, mapped, folio_nr_pages(folio)));
	return 0;
}

static void madvstat_on_mmdrop(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	madvstat_mm_remove((struct mm_struct *)madvstat_fregs_arg(fregs, 0));
}

/*
 * The two per-folio hooks are direct calls (direct.c), or where the kernel
 * refuses one, plain ftrace callbacks; never kprobes: they run once per
 * page freed, and a kprobe's saving of all registers and dispatch cost
 * about as much again. Both functions run with preemption disabled
 * (under a page-table lock, or the lruvec lock) except on PREEMPT_RT,
 * where those locks only disable migration and each callback guards the
 * ring itself; our callbacks call nothing that could reach them again, so
 * no recursion guard is needed. Each has an ftrace_ops of its own, so
 * that nothing stands between the trampoline and the callback.
 */
static struct ftrace_ops madvstat_fops_mark = {
	.func	= madvstat_on_mark,
	.flags	= FTRACE_OPS_FL_PERMANENT | MADVSTAT_FTRACE_FLAGS,
};

static struct ftrace_ops madvstat_fops_drain = {
	.func	= madvstat_on_drain,
	.flags	= FTRACE_OPS_FL_PERMANENT | MADVSTAT_FTRACE_FLAGS,
};

/*
 * The colder hooks share one ftrace_ops, dispatching on the address:
 * unregistering an ops waits for RCU-tasks grace periods, so one ops for
 * three functions saves two such waits at every unload. The __mmdrop()
 * hook is one of them, so that switching kprobes off can never leave the
 * record of a freed mm to a new one.
 */
enum madvstat_cold_fn {
	MADVSTAT_COLD_MMDROP,	/* first: it names a failure of all */
	MADVSTAT_COLD_FREE,
#ifdef MADVSTAT_FREE_LARGE_SYMBOL
	MADVSTAT_COLD_FREE_LARGE,
#endif
	MADVSTAT_NR_COLD,
};

static const char *const madvstat_cold_names[MADVSTAT_NR_COLD] = {
	[MADVSTAT_COLD_MMDROP]		= "__mmdrop",
	[MADVSTAT_COLD_FREE]		= MADVSTAT_FREE_SYMBOL,
#ifdef MADVSTAT_FREE_LARGE_SYMBOL
	[MADVSTAT_COLD_FREE_LARGE]	= MADVSTAT_FREE_LARGE_SYMBOL,
#endif
};

/* Each function's address as ftrace passes it, learnt at its first call. */
static unsigned long madvstat_cold_ip[MADVSTAT_NR_COLD];

static DEFINE_RAW_SPINLOCK(madvstat_sym_lock);
static char madvstat_sym[KSYM_SYMBOL_LEN];	/* under the lock */

/**
 * madvstat_sym_which - which of @names is the function at @ip
 * @ip: a kernel text address
 * @names: function names; a part the compiler split off one ("name.cold")
 *	   counts as that function
 * @n: how many
 *
 * Any context, but slow (kallsyms): for learning an address once. Returns
 * the index of the name, or @n if none.
 */
unsigned int madvstat_sym_which(unsigned long ip, const char *const *names,
				unsigned int n)
{
	unsigned long flags;
	unsigned int i;
	size_t len;

	raw_spin_lock_irqsave(&madvstat_sym_lock, flags);
	sprint_symbol_no_offset(madvstat_sym, ip);
	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		if (!strncmp(madvstat_sym, names[i], len) &&
		    (!madvstat_sym[len] || madvstat_sym[len] == '.'))
			break;
	}
	raw_spin_unlock_irqrestore(&madvstat_sym_lock, flags);
	return i;
}

static noinline enum madvstat_cold_fn madvstat_cold_learn(unsigned long ip)
{
	enum madvstat_cold_fn fn = madvstat_sym_which(ip, madvstat_cold_names,
						       MADVSTAT_NR_COLD);

	if (fn < MADVSTAT_NR_COLD)
		WRITE_ONCE(madvstat_cold_ip[fn], ip);
	return fn;
}

static void madvstat_on_cold(unsigned long ip, unsigned long parent_ip,
			     struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	enum madvstat_cold_fn fn;

	for (fn = 0; fn < MADVSTAT_NR_COLD; fn++)
		if (READ_ONCE(madvstat_cold_ip[fn]) == ip)
			break;
	if (fn == MADVSTAT_NR_COLD)
		fn = madvstat_cold_learn(ip);
	switch (fn) {
	case MADVSTAT_COLD_FREE:
		madvstat_on_free(ip, parent_ip, op, fregs);
		break;
#ifdef MADVSTAT_FREE_LARGE_SYMBOL
	case MADVSTAT_COLD_FREE_LARGE:
		madvstat_on_free_large(ip, parent_ip, op, fregs);
		break;
#endif
	case MADVSTAT_COLD_MMDROP:
		madvstat_on_mmdrop(ip, parent_ip, op, fregs);
		break;
	default:
		break;		/* not one of ours: the filter names only ours */
	}
}

static struct ftrace_ops madvstat_fops_cold = {
	.func	= madvstat_on_cold,
	.flags	= FTRACE_OPS_FL_PERMANENT | MADVSTAT_FTRACE_FLAGS,
};

/*
 * Filter @ops on the @n functions @names, then register it. *failed names
 * the function whose filter failed, or the first when registering did.
 */
static int madvstat_ftrace_on(struct ftrace_ops *ops,
			      const char *const *names, unsigned int n,
			      const char **failed)
{
	unsigned int i;
	int err = 0;

	*failed = names[0];
	for (i = 0; i < n && !err; i++) {
		err = ftrace_set_filter(ops, (unsigned char *)names[i],
					strlen(names[i]), i == 0);
		if (err)
			*failed = names[i];
	}
	if (!err)
		err = register_ftrace_function(ops);
	if (err)
		madvstat_ftrace_free_filter(ops);
	return err;
}

static void madvstat_ftrace_off(struct ftrace_ops *ops)
{
	unregister_ftrace_function(ops);
	madvstat_ftrace_free_filter(ops);
}

static int madvstat_cold_on(const char **failed)
{
	memset(madvstat_cold_ip, 0, sizeof(madvstat_cold_ip));
	return madvstat_ftrace_on(&madvstat_fops_cold, madvstat_cold_names,
				  MADVSTAT_NR_COLD, failed);
}

static void madvstat_cold_off(void)
{
	madvstat_ftrace_off(&madvstat_fops_cold);
}

/*
 * The two per-folio hooks: a direct call where the kernel allows one
 * (direct.c), else the ftrace_ops above.
 */
static bool madvstat_use_direct = true;
module_param_named(direct, madvstat_use_direct, bool, 0444);
MODULE_PARM_DESC(direct,
		 "Call the MADV_FREE hooks directly from the functions' ftrace sites where the kernel allows (default: on)");

struct madvstat_hot {
	const char *name;
	struct ftrace_ops *fops;
	enum madvstat_direct_fn fn;
	struct madvstat_direct direct;
	bool is_direct;
};

static struct madvstat_hot madvstat_hot_drain = {
	.name	= MADVSTAT_DRAIN_SYMBOL,
	.fops	= &madvstat_fops_drain,
	.fn	= MADVSTAT_DIRECT_DRAIN,
};

static struct madvstat_hot madvstat_hot_mark = {
	.name	= MADVSTAT_MARK_SYMBOL,
	.fops	= &madvstat_fops_mark,
	.fn	= MADVSTAT_DIRECT_MARK,
};

/* Why a hot hook went through its ftrace_ops: 0, or the direct call's error. */
static int madvstat_direct_err;

static int madvstat_hot_on(struct madvstat_hot *h, const char **failed)
{
	int err = -EPERM;

	if (madvstat_use_direct)
		err = madvstat_direct_on(&h->direct, h->fn, h->name);
	h->is_direct = !err;
	if (h->is_direct)
		return 0;
	if (err != -EOPNOTSUPP)
		madvstat_direct_err = err;
	return madvstat_ftrace_on(h->fops, &h->name, 1, failed);
}

static void madvstat_hot_off(struct madvstat_hot *h)
{
	if (h->is_direct)
		madvstat_direct_off(&h->direct);
	else
		madvstat_ftrace_off(h->fops);
}

static int madvstat_drain_on(const char **failed)
{
	return madvstat_hot_on(&madvstat_hot_drain, failed);
}

static void madvstat_drain_off(void)
{
	madvstat_hot_off(&madvstat_hot_drain);
}

static int madvstat_mark_on(const char **failed)
{
	return madvstat_hot_on(&madvstat_hot_mark, failed);
}

static void madvstat_mark_off(void)
{
	madvstat_hot_off(&madvstat_hot_mark);
}

static struct kretprobe madvstat_krp_unmap = {
	.kp.symbol_name	= "try_to_unmap_one",
	.entry_handler	= madvstat_on_unmap_entry,
	.handler	= madvstat_on_unmap_return,
	.data_size	= sizeof(struct madvstat_unmap),
};

static int madvstat_unmap_on(const char **failed)
{
	/* Reclaim may sleep inside try_to_unmap_one(); allow for it. */
	madvstat_krp_unmap.maxactive = max(64, 4 * (int)num_possible_cpus());
	return register_kretprobe(&madvstat_krp_unmap);
}

static void madvstat_unmap_off(void)
{
	unregister_kretprobe(&madvstat_krp_unmap);
}

/* Kprobes switched off system-wide would leave Reclaimed at 0. */
static int madvstat_kprobes_check(const char **failed)
{
	return madvstat_kprobes_fire() ? 0 : -EPERM;
}

/*
 * One hook: what @attach and @detach do. @attach may name in *failed what
 * it could not attach (else @name is used); @off_reason, if set, is the
 * Tracking line's reason when attaching fails, else "cannot probe ...".
 */
struct madvstat_hook {
	const char *name;
	int (*attach)(const char **failed);
	void (*detach)(void);
	const char *off_reason;
};

static int madvstat_canary_on(const char **failed)
{
	return madvstat_canary_init();
}

/*
 * Attached in this order, detached in the reverse. The mm probe first, so
 * no state outlives its mm (and, being permanent, it fails with -EBUSY
 * when ftrace is switched off, before the canary could blame kprobes,
 * which ride on ftrace); with it the frees, before the unmap probe, so
 * that a note is always taken at its free; the drain before the mark, so
 * no mark goes unseen at its drain.
 */
static const struct madvstat_hook madvstat_hooks[] = {
	{ .name = "__mmdrop", .attach = madvstat_cold_on,
	  .detach = madvstat_cold_off },
	{ .name = "a function of madvstat", .attach = madvstat_canary_on,
	  .detach = madvstat_canary_exit },
	{ .name = "kprobes", .attach = madvstat_kprobes_check,
	  .off_reason = "kprobes are disabled system-wide" },
	{ .name = "try_to_unmap_one", .attach = madvstat_unmap_on,
	  .detach = madvstat_unmap_off },
	{ .name = MADVSTAT_DRAIN_SYMBOL, .attach = madvstat_drain_on,
	  .detach = madvstat_drain_off },
	{ .name = MADVSTAT_MARK_SYMBOL, .attach = madvstat_mark_on,
	  .detach = madvstat_mark_off },
};

/* Detach the first n hooks, last first; then no handler runs. */
static void madvstat_hooks_detach(unsigned int n)
{
	while (n--)
		if (madvstat_hooks[n].detach)
			madvstat_hooks[n].detach();
	/* Each handler ran with preemption disabled. */
	synchronize_rcu();
	madvstat_mm_free_all();
}

int madvstat_hooks_init(void)
{
	const struct madvstat_hook *h;
	const char *failed;
	unsigned int i;
	int err = 0;

	if (!madvstat_track) {
		strscpy(madvstat_off_reason, "module loaded with track=0",
			sizeof(madvstat_off_reason));
		return 0;
	}
	madvstat_freeing_init();
	for (i = 0; i < ARRAY_SIZE(madvstat_hooks); i++) {
		failed = NULL;
		err = madvstat_hooks[i].attach(&failed);
		if (err)
			break;
	}
	if (!err) {
		madvstat_loaded_at = ktime_get_boottime_ns();
		madvstat_hooks_on = true;
		return 0;
	}
	madvstat_hooks_detach(i);
	/* The snapshot still works; say once why the counters do not. */
	h = &madvstat_hooks[i];
	if (h->off_reason)
		strscpy(madvstat_off_reason, h->off_reason,
			sizeof(madvstat_off_reason));
	else if (err == -EBUSY)
		snprintf(madvstat_off_reason, sizeof(madvstat_off_reason),
			 "cannot probe %s: ftrace is disabled",
			 failed ?: h->name);
	else
		snprintf(madvstat_off_reason, sizeof(madvstat_off_reason),
			 "cannot probe %s (error %d)", failed ?: h->name, err);
	pr_warn("tracking off: %s\n", madvstat_off_reason);
	return 0;
}

void madvstat_hooks_exit(void)
{
	if (madvstat_hooks_on)
		madvstat_hooks_detach(ARRAY_SIZE(madvstat_hooks));
	madvstat_hooks_on = false;
}

bool madvstat_tracking(void)
{
	return madvstat_hooks_on;
}

/* Return probes that found no free instance: those events went uncounted. */
unsigned long madvstat_hooks_missed(void)
{
	return madvstat_hooks_on ? madvstat_krp_unmap.nmissed : 0;
}

/**
 * madvstat_show_tracking - the "Tracking:" line of a report
 * @m: the report
 * @leader: the process's leader, or NULL for the summary
 *
 * First word "live", "partial" (kprobes are switched off: no reclaim is
 * counted) or "off"; then since when, or why not.
 */
void madvstat_show_tracking(struct seq_file *m, struct task_struct *leader)
{
	unsigned long missed = madvstat_hooks_missed();
	u64 first, last;

	seq_printf(m, "%-15s", "Tracking:");
	if (!madvstat_hooks_on) {
		seq_printf(m, "off, %s\n", madvstat_off_reason);
		return;
	}
	if (!madvstat_kprobes_fire()) {
		seq_puts(m, "partial, kprobes are disabled system-wide: Reclaimed, Rescued, RescuedPinned and ReclaimFreed are not counted\n");
		return;
	}
	if (leader && leader->start_boottime > madvstat_loaded_at)
		seq_puts(m, "live, since process start");
	else
		seq_printf(m, "live, since module load at %llu s after boot",
			   madvstat_loaded_at / NSEC_PER_SEC);
	if (missed)
		seq_printf(m, ", %lu reclaim events missed system-wide", missed);
	if (madvstat_kprobes_off_seen(&first, &last))
		seq_printf(m, ", reclaim not counted while kprobes were disabled (seen from %llu s to %llu s after boot)",
			   first, last);
	if (!madvstat_use_direct)
		seq_puts(m, ", MADV_FREE hooks through ftrace_ops (direct=0)");
	else if (madvstat_direct_err)
		seq_printf(m, ", MADV_FREE hooks through ftrace_ops (direct call refused: error %d)",
			   madvstat_direct_err);
	seq_putc(m, '\n');
}
