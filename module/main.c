// SPDX-License-Identifier: GPL-2.0
/*
 * madvstat: per-process accounting of lazily freed (MADV_FREE) memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>

static struct proc_dir_entry *madvstat_dir;

static int __init madvstat_init(void)
{
	madvstat_dir = proc_mkdir("madvstat", NULL);
	if (!madvstat_dir)
		return -ENOMEM;
	return 0;
}

static void __exit madvstat_exit(void)
{
	proc_remove(madvstat_dir);
}

module_init(madvstat_init);
module_exit(madvstat_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-process accounting of lazily freed (MADV_FREE) memory");
