// SPDX-License-Identifier: GPL-2.0
/*
 * Entries of /proc/madvstat are removed only while nobody lists it, on
 * kernels without the fix for CVE-2025-40271 (MADVSTAT_READDIR_UAF).
 *
 * There, proc_readdir_de() holds a reference on the entry it emits while
 * it copies the name out without proc_subdir_lock, then steps to the next
 * entry through that entry's rbtree links. If the entry was removed in
 * the meantime its links are stale, and if another removal has freed the
 * entry they lead to, the listing takes a reference on freed memory. Our
 * entries come and go with processes: a listing during exits hit it
 * within seconds on Debian's 5.10.223 (stress_test's
 * listing_while_entries_go).
 *
 * A listing holds the directory inode's lock, shared, for the whole of a
 * getdents call (iterate_dir()), and keeps no entry from one call to the
 * next. So, under procdir.c's mutex, before every removal we check that
 * the inode of /proc/madvstat in every proc mount could be locked
 * exclusively at that moment. A listing that might hold an entry removed
 * earlier began before that removal, so before this check, and has ended:
 * no removal frees what a running listing could step into. A mount whose
 * dentry cache does not hold the directory has no listing of it running.
 *
 * The check never sleeps on a listing, which may sit in a page fault for
 * as long as user space likes: a removal that finds one running is handed
 * to the worker, which waits for listings outside the mutex and retries.
 */
#include <linux/dcache.h>
#include <linux/fs.h>

#include "compat.h"
#include "madvstat.h"

#if MADVSTAT_READDIR_UAF

/* proc is built in: get_fs_type() takes no module reference to drop. */
static struct file_system_type *madvstat_proc_fs;

struct madvstat_listing_scan {
	bool wait;	/* wait for each listing, rather than note it */
	bool busy;	/* found one running */
};

static void madvstat_listing_scan_sb(struct super_block *sb, void *arg)
{
	struct madvstat_listing_scan *scan = arg;
	struct qstr name = QSTR_INIT(MADVSTAT_PROC_DIR,
				     sizeof(MADVSTAT_PROC_DIR) - 1);
	struct dentry *dentry;
	struct inode *inode;

	if (scan->busy)
		return;
	dentry = d_hash_and_lookup(sb->s_root, &name);
	if (IS_ERR_OR_NULL(dentry))
		return;
	inode = d_inode(dentry);
	if (inode && scan->wait) {
		inode_lock(inode);
		inode_unlock(inode);
	} else if (inode) {
		if (inode_trylock(inode))
			inode_unlock(inode);
		else
			scan->busy = true;
	}
	dput(dentry);
}

bool madvstat_listing_idle(void)
{
	struct madvstat_listing_scan scan = { .wait = false };

	iterate_supers_type(madvstat_proc_fs, madvstat_listing_scan_sb, &scan);
	return !scan.busy;
}

void madvstat_listing_wait(void)
{
	struct madvstat_listing_scan scan = { .wait = true };

	iterate_supers_type(madvstat_proc_fs, madvstat_listing_scan_sb, &scan);
}

int madvstat_listing_init(void)
{
	madvstat_proc_fs = get_fs_type("proc");
	return madvstat_proc_fs ? 0 : -ENOENT;
}

#else

bool madvstat_listing_idle(void)
{
	return true;
}

void madvstat_listing_wait(void)
{
}

int madvstat_listing_init(void)
{
	return 0;
}

#endif

/* Remove pde: a directory entry of ours, with no entries below it. */
void madvstat_listing_remove(struct proc_dir_entry *pde)
{
	while (!madvstat_listing_idle())
		madvstat_listing_wait();
	proc_remove(pde);
}
