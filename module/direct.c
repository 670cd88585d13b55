// SPDX-License-Identifier: GPL-2.0
/*
 * Direct calls for the two per-folio hooks (hooks.c).
 *
 * An ftrace_ops callback runs behind ftrace's own trampoline, which saves
 * the caller's argument registers into a struct ftrace_regs, finds the ops
 * and calls it: about 39 instructions a hook on 6.12, and MADV_FREE passes
 * two hooks per page. A direct call, what BPF's fentry programs ride on,
 * patches the function's ftrace site to call a trampoline of ours instead.
 * It saves the two argument registers the hooked functions take (both
 * take at most two, and -pg builds assume nothing of a callee's other
 * registers), calls the C handler with them as its own arguments, and
 * returns into the function: 10 instructions and the handler.
 *
 * The kernel patches the direct call in only while our ops is the
 * function's only ftrace user; beside another (the function tracer, a
 * kprobe) the site goes through ftrace's full trampoline, which then goes
 * on into ours: slower, still correct. Registering fails with -EBUSY when
 * the function already has a direct call (a BPF fentry or fexit program)
 * or is live patched; hooks.c then uses an ftrace_ops and says so.
 *
 * Unregistering a module's ops waits for RCU-tasks grace periods, so no
 * task is still inside a trampoline, or preempted in a handler on
 * PREEMPT_RT, when the module's text goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ftrace.h>
#include <linux/string.h>

#include "compat.h"
#include "madvstat.h"

#if MADVSTAT_DIRECT
/*
 * A trampoline @name calling @handler(arg0, arg1). Called where the
 * function's ftrace site is, before the function's own frame: the return
 * address on the stack is the function's body.
 */
#define MADVSTAT_TRAMPOLINE(name, handler)			\
	asm(".pushsection .text, \"ax\", @progbits\n"		\
	    ".type " #name ", @function\n"			\
	    ".globl " #name "\n"				\
	    #name ":\n\t"					\
	    ASM_ENDBR						\
	    "pushq %rbp\n\t"					\
	    "movq %rsp, %rbp\n\t"				\
	    CALL_DEPTH_ACCOUNT					\
	    "pushq %rdi\n\t"					\
	    "pushq %rsi\n\t"					\
	    "call " #handler "\n\t"				\
	    "popq %rsi\n\t"					\
	    "popq %rdi\n\t"					\
	    "leave\n\t"						\
	    ASM_RET						\
	    ".size " #name ", .-" #name "\n"			\
	    ".popsection\n")

MADVSTAT_TRAMPOLINE(madvstat_tramp_mark, madvstat_mark_direct);
MADVSTAT_TRAMPOLINE(madvstat_tramp_drain, madvstat_drain_direct);

static unsigned long madvstat_direct_addr(enum madvstat_direct_fn fn)
{
	return fn == MADVSTAT_DIRECT_MARK ?
	       (unsigned long)madvstat_tramp_mark :
	       (unsigned long)madvstat_tramp_drain;
}

/**
 * madvstat_direct_on - call @fn's handler directly from function @name
 * @d: the direct ops, zeroed or as left by madvstat_direct_off()
 * @fn: which trampoline
 * @name: the kernel function
 *
 * Returns 0, or why not: the caller falls back to an ftrace_ops.
 */
int madvstat_direct_on(struct madvstat_direct *d, enum madvstat_direct_fn fn,
		       const char *name)
{
	int err;

	err = ftrace_set_filter(&d->ops, (unsigned char *)name, strlen(name),
				1);
	if (!err)
		err = madvstat_direct_register(&d->ops, madvstat_direct_addr(fn));
	if (err) {
		madvstat_ftrace_free_filter(&d->ops);
		return err;
	}
	d->fn = fn;
	return 0;
}

void madvstat_direct_off(struct madvstat_direct *d)
{
	madvstat_direct_unregister(&d->ops, madvstat_direct_addr(d->fn));
}
#else
int madvstat_direct_on(struct madvstat_direct *d, enum madvstat_direct_fn fn,
		       const char *name)
{
	return -EOPNOTSUPP;
}

void madvstat_direct_off(struct madvstat_direct *d)
{
}
#endif
