// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoints: with every worker idle and the per-CPU batches drained,
 * compare madvstat with the kernel:
 *   - per process: Reclaimed equals the pages the worker saw reclaim take
 *     (worker.c), unless it may share pages; LazyFree equals
 *     smaps_rollup's; Marked covers what
 *     became of it (Marked = LazyFree + LazyFreeDirty + Reclaimed +
 *     Rescued + RescuedPinned + Dropped, Dropped >= 0) unless the process
 *     may hold pages another process freed (fork, KSM) or MAP_DROPPABLE
 *     memory (lazily freed without a mark), each named when it applies;
 *   - for the cgroup: Marked summed over its processes, living and gone,
 *     equals memory.stat's pglazyfree, and ReclaimFreed plus what
 *     reclaim freed that no process holds (AllFreedUnowned, named) equals
 *     pglazyfreed;
 *   - system-wide: what summary attributed since the run began equals
 *     /proc/vmstat's pglazyfree (and pglazyfreed), nothing went
 *     unattributed, and AllMarked never exceeds KernelLazyFree;
 *   - each worker's memory reads what it wrote, or zero where it may.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "run.h"

#define SETTLE_MS	3000	/* memcg's periodic flush runs every 2 s */

static const char *const cause_names[X_NR_CAUSES] = {
	[X_CAUSE_FLUSH_LAG] = "memcg statistics flushed late (rstat, up to 2 s)",
	[X_CAUSE_EVENT_LAG] = "memcg events batched per CPU (before 5.13)",
	[X_CAUSE_SHARED] = "pages shared with another process (fork, KSM): per-process invariant not asserted",
	[X_CAUSE_DROPPABLE] = "MAP_DROPPABLE memory: lazily freed without a mark",
	[X_CAUSE_ROLLUP_SKIP] = "smaps_rollup before 6.4 skipped a VMA under mmap_lock contention (read again)",
	[X_CAUSE_RT_NO_RECORD] = "PREEMPT_RT: reclaim of a process without a record is unattributed (AllUnattributed, not its Reclaimed)",
	[X_CAUSE_KSM_LOST] = "kernel bug: KSM merged a page into a stable page another mapping had lazily freed, and reclaim discarded it: a page never freed reads zero",
	[X_CAUSE_UNOWNED] = "reclaim freed lazily freed pages no process's ReclaimFreed holds (AllFreedUnowned): unmapped by munmap, MADV_DONTNEED or exit while reclaim held them, or their process had no record or was gone",
	[X_CAUSE_MOVED] = "an idle worker's LazyFree changed between madvstat's read and smaps_rollup's (khugepaged, ksmd): read both again",
	[X_CAUSE_REFILL] = "khugepaged (max_ptes_none > 0) filled discarded pages before the worker saw them go: Reclaimed may exceed what it saw",
};

const char *x_cause_name(unsigned int cause)
{
	return cause < X_NR_CAUSES ? cause_names[cause] : "?";
}

/* Apply every CPU's pending lazyfree batch: MADV_COLD drains the local CPU's. */
int x_drain(struct x_run *run)
{
	cpu_set_t all, one;
	int cpu, err = 0;

	if (sched_getaffinity(0, sizeof(all), &all))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) ||
		    madvise(run->drain_page, 4096, MADV_COLD))
			err = -errno;
	}
	sched_setaffinity(0, sizeof(all), &all);
	return err;
}

static int64_t field(const struct ms_report *r, const char *name)
{
	int64_t v = ms_report_get(r, name);

	return v < 0 ? 0 : v;
}

static void cumul_of(const struct ms_report *r, struct x_cumul *c)
{
	c->marked = field(r, "Marked");
	c->reclaimed = field(r, "Reclaimed");
	c->reclaim_freed = field(r, "ReclaimFreed");
	c->rescued = field(r, "Rescued");
	c->rescued_pinned = field(r, "RescuedPinned");
}

int x_read_cumul(pid_t pid, struct x_cumul *c)
{
	struct ms_report r;
	int err = mt_madvstat_read(pid, &r);

	if (err)
		return err;
	if (ms_report_get(&r, "Marked") < 0) {
		ms_report_free(&r);
		return -ENODATA;	/* tracking is off */
	}
	cumul_of(&r, c);
	ms_report_free(&r);
	return 0;
}

static int64_t vmstat_kb(const char *key)
{
	int64_t v = mt_vmstat(key);

	return v < 0 ? v : v * (int64_t)(mt_page_size() >> 10);
}

int x_baseline(struct x_run *run)
{
	run->sum0_marked = mt_summary_get("AllMarked");
	run->sum0_freed = mt_summary_get("AllReclaimFreed");
	run->sum0_unowned = mt_summary_get("AllFreedUnowned");
	run->sum0_unattr = mt_summary_get("AllUnattributed");
	run->sum0_missed = mt_summary_get("MissedEvents");
	run->vm0_lazyfree = vmstat_kb("pglazyfree");
	run->vm0_lazyfreed = vmstat_kb("pglazyfreed");
	if (run->sum0_marked < 0 || run->sum0_unattr < 0 ||
	    run->sum0_unowned < 0 || run->vm0_lazyfree < 0)
		return -ENODATA;
	return 0;
}

static void named(struct x_run *run, enum x_cause cause, const char *detail)
{
	if (!run->named[cause]++ || run->verbose)
		printf("# seed %llu: known cause of a difference: %s%s%s\n",
		       (unsigned long long)run->seed, x_cause_name(cause),
		       detail ? ": " : "", detail ? detail : "");
}

static void mismatch(struct x_run *run, const char *what, long long ours,
		     long long kernel)
{
	printf("# seed %llu, operation %lu: MISMATCH %s: madvstat %lld kB, kernel %lld kB\n",
	       (unsigned long long)run->seed, run->ops, what, ours, kernel);
	run->failed = true;
}

/* Is @addr in a MAP_DROPPABLE slot of @w? */
static bool in_droppable(const struct x_worker *w, uint64_t addr)
{
	int k;

	for (k = 0; k < X_SLOTS; k++) {
		const struct x_slot_view *s = &w->slot[k];

		if (s->used && (s->flags & X_MAP_DROPPABLE) && addr >= s->addr &&
		    addr < s->addr + s->pages * mt_page_size())
			return true;
	}
	return false;
}

/*
 * On PREEMPT_RT the reclaim probe cannot create a record: what reclaim
 * took from a process that had none (it never marked) is unattributed
 * (and what it freed of it, unowned). True, and named, when that happened.
 */
static bool rt_unattributed(struct x_run *run)
{
	int64_t unattr = mt_summary_get("AllUnattributed");
	char buf[64];

	if (!run->feat.rt || unattr <= run->sum0_unattr)
		return false;
	snprintf(buf, sizeof(buf), "%lld kB", (long long)(unattr - run->sum0_unattr));
	named(run, X_CAUSE_RT_NO_RECORD, buf);
	return true;
}

/*
 * Check @w's contents (X_VERIFY) and its Reclaimed against the pages it saw
 * reclaim take: those were all discarded by the time it looked, and nothing
 * else was unless khugepaged refilled a page first (run->feat.refills), so
 * Reclaimed read before the look <= seen <= Reclaimed read after it. Not for
 * a worker that may share pages (fork, KSM): another process's reclaim
 * counts there. Leaves @c as read after; -1 if a read or the contents
 * failed.
 */
int x_verify(struct x_run *run, struct x_worker *w, struct x_cumul *c)
{
	struct x_cmd cmd = { .kind = X_VERIFY, .thread = -1 };
	struct x_cumul before;
	struct x_reply rep;
	int64_t seen;
	char buf[160];

	if (x_read_cumul(w->pid, &before) || x_call(run, w, &cmd, &rep, NULL) ||
	    x_read_cumul(w->pid, c)) {
		printf("# seed %llu: cannot read worker %d\n",
		       (unsigned long long)run->seed, (int)w->pid);
		run->failed = true;
		return -1;
	}
	if (rep.err) {
		printf("# seed %llu, operation %lu: CONTENTS of worker %d: %s\n",
		       (unsigned long long)run->seed, run->ops, (int)w->pid, rep.msg);
		run->failed = true;
		return -1;
	}
	if (rep.val) {
		snprintf(buf, sizeof(buf), "worker %d lost %llu pages", (int)w->pid,
			 (unsigned long long)rep.val);
		named(run, X_CAUSE_KSM_LOST, buf);
	}
	seen = (int64_t)rep.discarded * (int64_t)(mt_page_size() >> 10);
	if (w->shared)
		return 0;
	snprintf(buf, sizeof(buf), "worker %d Reclaimed against the pages it saw reclaim take (pagemap)",
		 (int)w->pid);
	if (seen > c->reclaimed) {
		if (!rt_unattributed(run))
			mismatch(run, buf, c->reclaimed, seen);
	} else if (seen < before.reclaimed) {
		if (run->feat.refills)
			named(run, X_CAUSE_REFILL, buf);
		else
			mismatch(run, buf, before.reclaimed, seen);
	} else if (seen) {
		run->reclaim_checks++;
		if (seen > run->reclaim_checked_kb)
			run->reclaim_checked_kb = seen;
	}
	return 0;
}

/*
 * What the kernel's background workers did: moved in a read names them (a
 * file missing on this kernel reads -errno both times: no move).
 */
struct x_movers {
	int64_t collapsed, ksm, lazyfreed;
};

static void movers_read(struct x_movers *m)
{
	m->collapsed = mt_file_num(KHUGEPAGED "pages_collapsed");
	m->ksm = mt_file_num("/sys/kernel/mm/ksm/pages_shared") +
		 mt_file_num("/sys/kernel/mm/ksm/pages_sharing");
	m->lazyfreed = mt_vmstat("pglazyfreed");
}

/*
 * Read @w's report and its smaps_rollup LazyFree. An idle worker's pages
 * still change under khugepaged (a collapse copies lazily freed pages into
 * a new huge page) and ksmd (a merge), so a pair is taken only when the
 * module reads the same LazyFree after the rollup as before it. ksmd,
 * woken every 10 ms here, can take 100 pages a pass for many passes in a
 * row: after the first few tries, wait between them, up to about 10 s,
 * before the last pair is compared as it is.
 */
#define READ_TRIES	100
#define READ_PAUSE_US	(100 * 1000)
static int read_worker(struct x_run *run, const struct x_worker *w,
		       struct ms_report *r, int64_t *rollup)
{
	int64_t before, after;
	struct x_movers m0, m1;
	char buf[256];
	int tries, err;

	for (tries = 0;; tries++) {
		movers_read(&m0);
		err = mt_madvstat_read(w->pid, r);
		if (err)
			return err;
		*rollup = mt_rollup_get(w->pid, "LazyFree");
		after = mt_madvstat_get(w->pid, "LazyFree");
		before = field(r, "LazyFree");
		if (*rollup < 0 || after < 0) {
			ms_report_free(r);
			return *rollup < 0 ? (int)*rollup : (int)after;
		}
		if (after == before || tries == READ_TRIES - 1)
			return 0;
		ms_report_free(r);
		if (tries >= 4)
			usleep(READ_PAUSE_US);
		movers_read(&m1);
		snprintf(buf, sizeof(buf),
			 "worker %d LazyFree %lld kB, then %lld kB; meanwhile khugepaged collapsed %lld pages, KSM pages went %+lld, pglazyfreed %+lld",
			 (int)w->pid, (long long)before, (long long)after,
			 (long long)(m1.collapsed - m0.collapsed),
			 (long long)(m1.ksm - m0.ksm),
			 (long long)(m1.lazyfreed - m0.lazyfreed));
		named(run, X_CAUSE_MOVED, buf);
	}
}

/* One live worker: its own numbers; adds its counters to @sum. */
static int check_worker(struct x_run *run, struct x_worker *w,
			struct x_cumul *sum)
{
	struct ms_report r;
	int64_t lazy, dirty, rollup, dropped, accounted, droppable, theirs = 0;
	struct x_cumul c;
	char buf[320];
	size_t i;
	int err;

	if (x_verify(run, w, &c))
		return -1;
	err = read_worker(run, w, &r, &rollup);
	if (err) {
		printf("# seed %llu: cannot read worker %d: %s\n",
		       (unsigned long long)run->seed, (int)w->pid,
		       strerror(-err));
		run->failed = true;
		return -1;
	}
	cumul_of(&r, &c);
	lazy = field(&r, "LazyFree");
	dirty = field(&r, "LazyFreeDirty");
	dropped = field(&r, "Dropped");
	droppable = field(&r, "Droppable");
	for (i = 0; i < r.nr_vmas; i++)
		if (in_droppable(w, r.vmas[i].start))
			theirs += (int64_t)((r.vmas[i].lazyfree_bytes +
					     r.vmas[i].lazyfree_dirty_bytes) / 1024);
	ms_report_free(&r);
	if (droppable != theirs) {
		snprintf(buf, sizeof(buf), "worker %d Droppable against its MAP_DROPPABLE mappings' LazyFree",
			 (int)w->pid);
		mismatch(run, buf, droppable, theirs);
	}

	sum->marked += c.marked;
	sum->reclaimed += c.reclaimed;
	sum->reclaim_freed += c.reclaim_freed;
	sum->rescued += c.rescued;
	sum->rescued_pinned += c.rescued_pinned;

	/*
	 * Before 6.4 smaps_rollup skips the VMA after it dropped a contended
	 * mmap_lock (khugepaged, ksmd): an undercount. Read it again.
	 */
	for (i = 0; lazy > rollup && i < 5 && !mt_kernel_at_least(6, 4); i++) {
		usleep(20 * 1000);
		rollup = mt_rollup_get(w->pid, "LazyFree");
		if (lazy == rollup)
			named(run, X_CAUSE_ROLLUP_SKIP, NULL);
	}
	if (lazy != rollup) {
		snprintf(buf, sizeof(buf), "worker %d LazyFree against smaps_rollup",
			 (int)w->pid);
		mismatch(run, buf, lazy, rollup);
	}
	accounted = lazy + dirty + c.reclaimed + c.rescued + c.rescued_pinned;
	if (w->shared) {
		named(run, X_CAUSE_SHARED, NULL);
		return 0;
	}
	if (droppable) {
		snprintf(buf, sizeof(buf), "worker %d holds %lld kB", (int)w->pid,
			 (long long)droppable);
		named(run, X_CAUSE_DROPPABLE, buf);
		accounted -= droppable;
	}
	if (c.marked != accounted + dropped || dropped < 0) {
		snprintf(buf, sizeof(buf),
			 "worker %d Marked against LazyFree %lld + LazyFreeDirty %lld + Reclaimed %lld + Rescued %lld + RescuedPinned %lld + Dropped %lld",
			 (int)w->pid, (long long)lazy, (long long)dirty,
			 (long long)c.reclaimed, (long long)c.rescued,
			 (long long)c.rescued_pinned, (long long)dropped);
		mismatch(run, buf, c.marked, accounted + dropped);
	}
	return 0;
}

/* memory.stat's @key in kB, waiting out a late flush if it differs from @want. */
static int64_t cgroup_events(struct x_run *run, const char *key, int64_t want,
			     int64_t *slack)
{
	int64_t start = mt_now_ms(), v, kb = (int64_t)(mt_page_size() >> 10);

	*slack = run->feat.event_lag * kb;
	for (;;) {
		v = mt_cgroup_stat(&run->cg, key);
		if (v < 0)
			return v;
		v *= kb;
		/*
		 * A late flush only keeps memory.stat behind: ahead of us, it
		 * will not come back. Before 5.13 what a CPU batches may never
		 * be flushed.
		 */
		if (v >= want || (*slack && llabs(v - want) <= *slack) ||
		    mt_now_ms() - start > SETTLE_MS)
			break;
		/*
		 * The flush is deferrable work: its timer does not wake an
		 * idle CPU (since 6.9 not even another CPU's), and we are
		 * pinned to one. Keep every CPU awake a tick now and then.
		 */
		mt_wake_cpus(5);
		usleep(100 * 1000);
	}
	if (v == want && mt_now_ms() - start > 50)
		named(run, X_CAUSE_FLUSH_LAG, key);
	else if (v != want && llabs(v - want) <= *slack)
		named(run, X_CAUSE_EVENT_LAG, key);
	return v;
}

/*
 * The cgroup's processes' ReclaimFreed, living and gone, plus what reclaim
 * freed that no process holds (global: the cgroup's processes are the
 * only ones freeing lazily here), against memory.stat.
 */
static void check_cgroup(struct x_run *run, const struct x_cumul *live)
{
	int64_t marked = live->marked + run->gone.marked, slack;
	int64_t freed = live->reclaim_freed + run->gone.reclaim_freed;
	int64_t unowned = mt_summary_get("AllFreedUnowned") - run->sum0_unowned;
	char buf[64];
	int64_t k;

	k = cgroup_events(run, "pglazyfree", marked, &slack);
	if (llabs(k - marked) > slack)
		mismatch(run, "cgroup Marked (living and gone) against memory.stat pglazyfree",
			 marked, k);
	k = cgroup_events(run, "pglazyfreed", freed + unowned, &slack);
	if (llabs(k - freed - unowned) > slack)
		mismatch(run, "cgroup ReclaimFreed (living and gone) + AllFreedUnowned against memory.stat pglazyfreed",
			 freed + unowned, k);
	else if (unowned) {
		snprintf(buf, sizeof(buf), "%lld kB", (long long)unowned);
		named(run, X_CAUSE_UNOWNED, buf);
	}
}

static void check_summary(struct x_run *run)
{
	int64_t freed = mt_summary_get("AllReclaimFreed");
	int64_t vm_freed = vmstat_kb("pglazyfreed");
	int64_t all = mt_summary_get("AllMarked");
	int64_t kernel = mt_summary_get("KernelLazyFree");
	int64_t unattr = mt_summary_get("AllUnattributed");
	int64_t vm = vmstat_kb("pglazyfree");

	if (all < 0 || kernel < 0 || unattr < 0 || vm < 0) {
		printf("# seed %llu: cannot read summary or vmstat\n",
		       (unsigned long long)run->seed);
		run->failed = true;
		return;
	}
	if (all > kernel)
		mismatch(run, "summary AllMarked above KernelLazyFree", all, kernel);
	if (all - run->sum0_marked != vm - run->vm0_lazyfree)
		mismatch(run, "summary AllMarked since the run began against vmstat pglazyfree",
			 all - run->sum0_marked, vm - run->vm0_lazyfree);
	if (freed - run->sum0_freed != vm_freed - run->vm0_lazyfreed)
		mismatch(run, "summary AllReclaimFreed since the run began against vmstat pglazyfreed",
			 freed - run->sum0_freed, vm_freed - run->vm0_lazyfreed);
	if (mt_summary_get("MissedEvents") != run->sum0_missed)
		mismatch(run, "summary MissedEvents (reclaim events lost; count, not kB)",
			 mt_summary_get("MissedEvents") - run->sum0_missed, 0);
	if (unattr != run->sum0_unattr && !rt_unattributed(run))
		mismatch(run, "summary AllUnattributed since the run began (expected 0)",
			 unattr - run->sum0_unattr, 0);
}

int x_checkpoint(struct x_run *run, const char *why)
{
	struct x_cumul live = { 0 };
	int i;

	run->checkpoints++;
	if (x_drain(run)) {
		printf("# seed %llu: cannot drain the LRU batches\n",
		       (unsigned long long)run->seed);
		run->failed = true;
		return -1;
	}
	for (i = 0; i < run->nr_w && !run->failed; i++)
		if (run->w[i].live)
			check_worker(run, &run->w[i], &live);
	if (!run->failed)
		check_cgroup(run, &live);
	if (!run->failed)
		check_summary(run);
	if (run->verbose || run->failed)
		printf("# seed %llu: checkpoint %lu (%s) after %lu operations: %s\n",
		       (unsigned long long)run->seed, run->checkpoints, why,
		       run->ops, run->failed ? "MISMATCH" : "agrees");
	if (run->failed)
		return -1;
	run->log_len = 0;	/* the log restarts from here */
	return 0;
}
