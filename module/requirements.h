/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel options madvstat cannot work without. A kernel built without
 * one stops the build here, with its name, instead of failing later with
 * undefined functions or a module that will not load. dkms.conf lists the
 * same options in BUILD_EXCLUSIVE_CONFIG, so DKMS skips such kernels.
 */
#ifndef MADVSTAT_REQUIREMENTS_H
#define MADVSTAT_REQUIREMENTS_H

/* Page tables to walk. */
#ifndef CONFIG_MMU
#error "madvstat needs CONFIG_MMU=y"
#endif

/* /proc/madvstat/. */
#ifndef CONFIG_PROC_FS
#error "madvstat needs CONFIG_PROC_FS=y"
#endif

/* The entries follow processes through the fork, exec and exit tracepoints. */
#ifndef CONFIG_TRACEPOINTS
#error "madvstat needs CONFIG_TRACEPOINTS=y"
#endif

/* Reclaim and the end of an mm are seen with a kretprobe and a kprobe. */
#if !defined(CONFIG_KPROBES) || !defined(CONFIG_KRETPROBES)
#error "madvstat needs CONFIG_KPROBES=y and CONFIG_KRETPROBES=y"
#endif

/*
 * Marking and draining are seen with ftrace callbacks on one function each
 * (ftrace_set_filter()), which read the function's arguments: from a
 * struct ftrace_regs that DYNAMIC_FTRACE_WITH_ARGS fills for every
 * callback, where the architecture has it (x86-64 from 5.11 on), or else
 * (5.10) from the registers that DYNAMIC_FTRACE_WITH_REGS saves for a
 * callback that asks (FTRACE_OPS_FL_SAVE_REGS, compat.h).
 */
#ifndef CONFIG_DYNAMIC_FTRACE
#error "madvstat needs CONFIG_DYNAMIC_FTRACE=y"
#endif
#if defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS) && \
	!defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#error "madvstat needs CONFIG_DYNAMIC_FTRACE_WITH_ARGS=y"
#endif
#if !defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) && \
	!defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS)
#error "madvstat needs CONFIG_DYNAMIC_FTRACE_WITH_REGS=y (5.10)"
#endif

/* Probes read arguments with regs_get_kernel_argument(). */
#ifndef CONFIG_HAVE_FUNCTION_ARG_ACCESS_API
#error "madvstat needs an architecture with CONFIG_HAVE_FUNCTION_ARG_ACCESS_API"
#endif

#endif /* MADVSTAT_REQUIREMENTS_H */
