// SPDX-License-Identifier: GPL-2.0
/*
 * madvstat: per-process accounting of lazily freed (MADV_FREE) memory.
 *
 * Loading creates /proc/madvstat/ with one entry per process; see
 * Documentation/madvstat.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>

#include "madvstat.h"

bool madvstat_owner_read;
module_param_named(owner_read, madvstat_owner_read, bool, 0644);
MODULE_PARM_DESC(owner_read,
		 "Also let a process's owner read its entry (default: only CAP_SYS_PTRACE)");

bool madvstat_track = true;
module_param_named(track, madvstat_track, bool, 0444);
MODULE_PARM_DESC(track,
		 "Count Marked/Reclaimed/Rescued per process with ftrace and kprobes (default: on)");

static struct proc_dir_entry *madvstat_dir, *madvstat_summary_pde,
			     *madvstat_processes_pde;

/* The directory and its fixed files, one at a time (listing_guard.c). */
static void madvstat_dir_remove(void)
{
	if (madvstat_processes_pde)
		madvstat_listing_remove(madvstat_processes_pde);
	if (madvstat_summary_pde)
		madvstat_listing_remove(madvstat_summary_pde);
	madvstat_listing_remove(madvstat_dir);
}

static int __init madvstat_init(void)
{
	int err;

	/* The kernel's counts first, then ours (see madvstat_summary_init()). */
	err = madvstat_summary_init();
	if (err)
		return err;
	err = madvstat_listing_init();
	if (err)
		return err;
	err = madvstat_mm_init();
	if (err)
		return err;
	/* Counting starts before anyone can read. */
	err = madvstat_hooks_init();
	if (err)
		goto out_mm;
	madvstat_dir = proc_mkdir(MADVSTAT_PROC_DIR, NULL);
	if (!madvstat_dir) {
		err = -ENOMEM;
		goto out_hooks;
	}
	err = -ENOMEM;
	madvstat_summary_pde = madvstat_summary_create(madvstat_dir);
	if (!madvstat_summary_pde)
		goto out_dir;
	madvstat_processes_pde = madvstat_processes_create(madvstat_dir);
	if (!madvstat_processes_pde)
		goto out_dir;
	madvstat_procdir_init(madvstat_dir);
	err = madvstat_lifecycle_init();
	if (err)
		goto out_dir;
	return 0;
out_dir:
	madvstat_dir_remove();
out_hooks:
	madvstat_hooks_exit();
out_mm:
	madvstat_mm_exit();
	return err;
}

static void __exit madvstat_exit(void)
{
	madvstat_lifecycle_exit();
	madvstat_procdir_exit();
	madvstat_dir_remove();	/* waits for open files to close */
	madvstat_hooks_exit();
	madvstat_mm_exit();
}

module_init(madvstat_init);
module_exit(madvstat_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("madvstat developers");
MODULE_DESCRIPTION("Per-process accounting of lazily freed (MADV_FREE) memory");
MODULE_VERSION(MADVSTAT_VERSION);
