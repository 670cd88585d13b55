// SPDX-License-Identifier: GPL-2.0
/*
 * Do kprobes fire right now?
 *
 * An administrator can switch every kprobe of the system off and on again
 * (/sys/kernel/debug/kprobes/enabled). Registered probes stay registered
 * and simply stop firing; their owners are not told. madvstat's reclaim
 * probe is a kprobe, so the module asks, at load and at every report: it
 * calls a function of its own that carries a kprobe and sees whether the
 * probe ran.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/kprobes.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "madvstat.h"

static atomic_long_t madvstat_canary_hits = ATOMIC_LONG_INIT(0);
static bool madvstat_canary_on;

/* When reports found kprobes off: boot-time seconds; first 0 if never. */
static DEFINE_SPINLOCK(madvstat_kprobes_off_lock);
static u64 madvstat_kprobes_off_first, madvstat_kprobes_off_last;

/* Not inlined, and not empty to the optimiser: it must really be called. */
static noinline void madvstat_canary(void)
{
	barrier();
}

static int madvstat_on_canary(struct kprobe *p, struct pt_regs *regs)
{
	atomic_long_inc(&madvstat_canary_hits);
	return 0;
}

static struct kprobe madvstat_kp_canary = {
	.pre_handler	= madvstat_on_canary,
};

int madvstat_canary_init(void)
{
	int err;

	madvstat_kp_canary.addr = (kprobe_opcode_t *)madvstat_canary;
	err = register_kprobe(&madvstat_kp_canary);
	madvstat_canary_on = !err;
	return err;
}

void madvstat_canary_exit(void)
{
	if (madvstat_canary_on)
		unregister_kprobe(&madvstat_kp_canary);
	madvstat_canary_on = false;
}

/**
 * madvstat_kprobes_fire - whether kprobes fire now
 *
 * Also notes, for madvstat_kprobes_off_seen(), when they did not.
 */
bool madvstat_kprobes_fire(void)
{
	long before = atomic_long_read(&madvstat_canary_hits);
	u64 now;

	madvstat_canary();
	if (atomic_long_read(&madvstat_canary_hits) != before)
		return true;
	now = ktime_get_boottime_seconds();
	spin_lock(&madvstat_kprobes_off_lock);
	if (!madvstat_kprobes_off_first)
		madvstat_kprobes_off_first = now ? now : 1;
	madvstat_kprobes_off_last = now;
	spin_unlock(&madvstat_kprobes_off_lock);
	return false;
}

/**
 * madvstat_kprobes_off_seen - when reports found kprobes off
 * @first: boot-time seconds of the first such report
 * @last: and of the last
 *
 * Return: false if no report ever did.
 */
bool madvstat_kprobes_off_seen(u64 *first, u64 *last)
{
	spin_lock(&madvstat_kprobes_off_lock);
	*first = madvstat_kprobes_off_first;
	*last = madvstat_kprobes_off_last;
	spin_unlock(&madvstat_kprobes_off_lock);
	return *first != 0;
}
