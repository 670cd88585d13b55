// SPDX-License-Identifier: GPL-2.0
/*
 * Who may read /proc/madvstat/<pid>.
 *
 * The per-VMA lines reveal a process's address layout, so a read is
 * treated like a read of /proc/<pid>/smaps. That check,
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS), is not exported, and the
 * LSM half of it (SELinux, AppArmor, Yama) cannot be consulted from a
 * module; our rule is therefore stricter by default:
 *
 * - CAP_SYS_PTRACE in the target's user namespace, and, when the target is
 *   not dumpable, also in the user namespace its mm belongs to;
 * - with owner_read=1, also the process's owner: the reader's fsuid and
 *   fsgid equal all of the target's uids and gids, and the target is
 *   dumpable (so a setuid program stays closed to its caller).
 *
 * Anything else, including a process reading itself, is refused (EACCES).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

#include "compat.h"
#include "madvstat.h"

static bool madvstat_same_owner(const struct cred *cred,
				const struct cred *tcred)
{
	return uid_eq(cred->fsuid, tcred->euid) &&
	       uid_eq(cred->fsuid, tcred->suid) &&
	       uid_eq(cred->fsuid, tcred->uid) &&
	       gid_eq(cred->fsgid, tcred->egid) &&
	       gid_eq(cred->fsgid, tcred->sgid) &&
	       gid_eq(cred->fsgid, tcred->gid);
}

/**
 * madvstat_may_read - may current read the madvstat entry of a process?
 * @task: the process (its thread-group leader)
 * @mm: its address space (the caller holds a reference)
 *
 * Return: 0 if allowed, -EACCES if not.
 */
int madvstat_may_read(struct task_struct *task, struct mm_struct *mm)
{
	const struct cred *tcred = get_task_cred(task);
	bool dumpable, ok;

	/*
	 * Dumpability is read after the credentials, as ptrace does: a task
	 * that drops privileges becomes non-dumpable first (commit_creds()).
	 */
	smp_rmb();
	dumpable = madvstat_dumpable(task, mm);
	if (ns_capable(tcred->user_ns, CAP_SYS_PTRACE))
		ok = dumpable ||
		     madvstat_exec_ns_capable(task, mm, CAP_SYS_PTRACE);
	else
		ok = READ_ONCE(madvstat_owner_read) && dumpable &&
		     madvstat_same_owner(current_cred(), tcred);
	put_cred(tcred);
	return ok ? 0 : -EACCES;
}
