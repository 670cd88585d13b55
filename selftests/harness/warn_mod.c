// SPDX-License-Identifier: GPL-2.0
/*
 * warn_mod: a module whose only job is to trigger a kernel WARNING when it
 * is loaded. qemu/test-harness loads it in a guest to prove that qemu/vm
 * notices kernel splats and fails the run.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_mod_init(void)
{
	WARN(1, "warn_mod: deliberate warning for the harness self-test\n");
	return 0;
}

static void __exit warn_mod_exit(void)
{
}

module_init(warn_mod_init);
module_exit(warn_mod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Triggers a WARNING on load to test the madvstat harness");
