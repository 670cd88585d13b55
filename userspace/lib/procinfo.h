/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Collecting one process's lazily freed memory for the madvstat command:
 * from /proc/madvstat/<pid> when the module is loaded, else from
 * /proc/<pid>/smaps_rollup. Every value is kept in bytes with a flag saying
 * whether it is known, so that nothing unknown is ever shown as 0.
 *
 * Every function that reads files takes the proc root ("/proc" normally) so
 * that tests can point it at a directory of fixtures.
 */
#ifndef MADVSTAT_PROCINFO_H
#define MADVSTAT_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgname.h"
#include "report.h"

struct ms_runtime;

enum ms_val {
	MS_RSS,
	MS_RSS_ANON,
	MS_LAZYFREE,
	MS_LAZYFREE_DIRTY,
	MS_RSS_EFFECTIVE,
	MS_MARKED,		/* the cumulative counters from here on */
	MS_RECLAIMED,
	MS_RESCUED,
	MS_RESCUED_PINNED,
	MS_DROPPED,
	MS_NR_VALS
};

/* What each value is called where, and what it means. */
struct ms_val_desc {
	const char *field;	/* in /proc/madvstat/<pid> */
	const char *rollup;	/* in smaps_rollup, or NULL */
	const char *key;	/* JSON key and Prometheus metric stem */
	const char *label;	/* human output */
	bool counter;		/* only grows (a Prometheus counter) */
	const char *help;	/* one line, for # HELP and the man page */
};

extern const struct ms_val_desc ms_val_descs[MS_NR_VALS];

enum ms_source {
	MS_SRC_MODULE,		/* /proc/madvstat/<pid> */
	MS_SRC_ROLLUP,		/* /proc/<pid>/smaps_rollup + comm */
};

/*
 * One process, or with --cgroup the sum over the processes of one cgroup
 * (then pid is 0 and nr_procs counts them).
 */
struct ms_proc {
	int pid;
	unsigned int nr_procs;
	char comm[64];
	char *cgroup;		/* cgroup v2 path, malloc()ed; NULL: unknown */
	struct ms_cgname *cgname;	/* what runs there (naming.h); NULL */
	enum ms_source source;
	bool tracking_known;
	char tracking[256];
	uint64_t val[MS_NR_VALS];	/* bytes */
	bool known[MS_NR_VALS];
	bool vmas_known;
	struct ms_vma *vmas;	/* malloc()ed; sizes in bytes */
	size_t nr_vmas;
	struct ms_runtime *runtime;	/* runtime.h; malloc()ed; NULL: not looked at */
};

/*
 * Fill p from a parsed /proc/madvstat/<pid>; -EBADMSG if it is no report.
 * With want_vmas, p takes r's VMAs (r keeps none; free both as usual).
 */
int ms_proc_from_module(struct ms_report *r, bool want_vmas,
			struct ms_proc *p);
/* Fill p from a parsed smaps_rollup; -EBADMSG if it has no Rss. */
int ms_proc_from_rollup(const struct ms_report *r, struct ms_proc *p);

/* RssEffective from Rss and LazyFree, where a source does not give it. */
void ms_proc_set_effective(struct ms_proc *p);

/* The path of the cgroup v2 line ("0::/path") of /proc/<pid>/cgroup text. */
char *ms_proc_parse_cgroup(const char *text);

/* Whether <proc>/madvstat exists, that is the module is loaded. */
bool ms_proc_module_loaded(const char *proc);

/*
 * Collect process pid into p (zeroed first; ms_proc_free() it after a
 * success). Returns 0 or a negative errno:
 *   -ENOENT   no such process (or a kernel thread, with the module)
 *   -EACCES   not permitted
 *   -ESRCH    exited while being read, or (smaps_rollup) no user memory
 *   -EBADMSG  the file's format is not understood; *detail says why
 *   -ENOMEM, or whatever else reading failed with
 * detail may be NULL.
 */
int ms_proc_collect(const char *proc, bool module, int pid, bool want_vmas,
		    struct ms_proc *p, const char **detail);
void ms_proc_free(struct ms_proc *p);

/*
 * A PID as the command line and /proc's entries write it: decimal digits
 * only (no sign, no blanks), 1 to INT_MAX. Returns it, or -1 if s is not one.
 */
int ms_proc_parse_pid(const char *s);

/*
 * The PIDs to look at for `top`: the numeric entries of <proc>/madvstat
 * (module) or <proc>, ascending, in a malloc()ed array. Returns how many,
 * or a negative errno.
 */
long ms_proc_list_pids(const char *proc, bool module, int **pids);

/*
 * The reason an error of ms_proc_collect() gives, for a message
 * "madvstat: PID: <reason>".
 */
const char *ms_proc_strerror(int err, bool module);

#endif /* MADVSTAT_PROCINFO_H */
