// SPDX-License-Identifier: GPL-2.0
/*
 * Collecting one process for the madvstat command, from the module's file
 * or from smaps_rollup, into bytes with a known flag per value.
 */
#include "procinfo.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const struct ms_val_desc ms_val_descs[MS_NR_VALS] = {
	[MS_RSS] = { "Rss", "Rss", "rss", "RSS", false,
		"Resident memory: anonymous, file and shared memory pages." },
	[MS_RSS_ANON] = { "RssAnon", "Anonymous", "rss_anon", "RSS anonymous",
		false, "Resident anonymous memory, lazily freed pages included." },
	[MS_LAZYFREE] = { "LazyFree", "LazyFree", "lazyfree", "Lazily freed",
		false,
		"Memory freed with MADV_FREE and still clean: reclaim may take it at any moment." },
	[MS_LAZYFREE_DIRTY] = { "LazyFreeDirty", NULL, "lazyfree_dirty",
		"Written again", false,
		"Memory freed with MADV_FREE, then written again: the free is cancelled." },
	[MS_RSS_EFFECTIVE] = { "RssEffective", NULL, "rss_effective",
		"Effective RSS", false,
		"RSS minus lazily freed memory: what the process holds once reclaim takes it all." },
	[MS_MARKED] = { "Marked", NULL, "marked", "Freed (MADV_FREE)", true,
		"Memory the process freed with MADV_FREE since tracking began." },
	[MS_RECLAIMED] = { "Reclaimed", NULL, "reclaimed", "Reclaimed", true,
		"Lazily freed memory the kernel discarded from the process." },
	[MS_RESCUED] = { "Rescued", NULL, "rescued", "Rescued", true,
		"Lazily freed memory reclaim found written again and gave back." },
	[MS_RESCUED_PINNED] = { "RescuedPinned", NULL, "rescued_pinned",
		"Rescued (pinned)", true,
		"Lazily freed memory reclaim gave back because something held a reference." },
	[MS_DROPPED] = { "Dropped", NULL, "dropped", "Dropped", true,
		"Lazily freed memory that left without reclaim (munmap, MADV_DONTNEED, exit)." },
};

/*
 * A size field: 1 and *bytes if present, 0 if absent, -EBADMSG if present
 * but not a size in kB (a format change, not something to read as bytes).
 */
static int get_size(const struct ms_report *r, const char *name,
		    uint64_t *bytes)
{
	const struct ms_field *f = ms_report_field(r, name);

	if (!f)
		return 0;
	if (!ms_field_bytes(f, bytes))
		return -EBADMSG;
	return 1;
}

static int fill_sizes(const struct ms_report *r, bool rollup,
		      struct ms_proc *p)
{
	int i, ret;

	for (i = 0; i < MS_NR_VALS; i++) {
		const char *name = rollup ? ms_val_descs[i].rollup :
					    ms_val_descs[i].field;

		if (!name)
			continue;
		ret = get_size(r, name, &p->val[i]);
		if (ret < 0)
			return ret;
		p->known[i] = ret;
	}
	/* Without Rss and LazyFree this is not what we meant to read. */
	if (!p->known[MS_RSS] || !p->known[MS_LAZYFREE])
		return -EBADMSG;
	return 0;
}

/* The report's VMAs, already in bytes, become p's: no copy. */
static void take_vmas(struct ms_report *r, struct ms_proc *p)
{
	p->vmas = r->vmas;
	p->nr_vmas = r->nr_vmas;
	p->vmas_known = true;
	r->vmas = NULL;
	r->nr_vmas = 0;
}

int ms_proc_from_module(struct ms_report *r, bool want_vmas,
			struct ms_proc *p)
{
	int64_t pid = ms_report_get(r, "Pid");
	int ret;

	p->source = MS_SRC_MODULE;
	p->nr_procs = 1;
	if (pid > 0 && pid <= INT_MAX)
		p->pid = (int)pid;
	snprintf(p->comm, sizeof(p->comm), "%s", r->comm);
	p->tracking_known = ms_report_field(r, "Tracking") != NULL;
	if (p->tracking_known)
		snprintf(p->tracking, sizeof(p->tracking), "%s", r->tracking);
	ret = fill_sizes(r, false, p);
	if (!ret && want_vmas)	/* callers free p only after a success */
		take_vmas(r, p);
	return ret;
}

int ms_proc_from_rollup(const struct ms_report *r, struct ms_proc *p)
{
	int ret;

	p->source = MS_SRC_ROLLUP;
	p->nr_procs = 1;
	ret = fill_sizes(r, true, p);
	if (ret)
		return ret;
	ms_proc_set_effective(p);
	return 0;
}

void ms_proc_set_effective(struct ms_proc *p)
{
	/* RssEffective is defined as Rss - LazyFree, floored at 0. */
	p->val[MS_RSS_EFFECTIVE] = p->val[MS_RSS] > p->val[MS_LAZYFREE] ?
		p->val[MS_RSS] - p->val[MS_LAZYFREE] : 0;
	p->known[MS_RSS_EFFECTIVE] = p->known[MS_RSS] && p->known[MS_LAZYFREE];
}

char *ms_proc_parse_cgroup(const char *text)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n");

		if (len > 3 && !strncmp(p, "0::", 3))
			return strndup(p + 3, len - 3);
		p += len;
		if (*p)
			p++;
	}
	return NULL;
}

bool ms_proc_module_loaded(const char *proc)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/madvstat", proc);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int read_errno(void)
{
	switch (errno) {
	case EPERM:
	case EACCES:
		return -EACCES;
	case EIO:	/* the module's entry went away while open */
	case ESRCH:
		return -ESRCH;
	default:
		return -errno;
	}
}

/* Read and parse the file at path; *text to free after a success. */
static int read_report(const char *path, struct ms_report *r,
		       const char **detail)
{
	const char *err = "";
	unsigned int line;
	size_t len;
	char *text = ms_read_file(path, &len);
	int ret;

	if (!text)
		return read_errno();
	if (!len) {
		/* smaps_rollup of a kernel thread or a zombie */
		free(text);
		return -ESRCH;
	}
	ret = ms_report_parse(text, len, r, &err, &line) ? -EBADMSG : 0;
	if (ret && detail)
		*detail = err;
	free(text);
	return ret;
}

static int read_comm(const char *proc, int pid, struct ms_proc *p)
{
	char path[PATH_MAX];
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/%d/comm", proc, pid);
	text = ms_read_file(path, &len);
	if (!text)
		return errno == ENOENT ? -ESRCH : read_errno();
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	snprintf(p->comm, sizeof(p->comm), "%s", text);
	free(text);
	return 0;
}

static void read_cgroup(const char *proc, int pid, struct ms_proc *p)
{
	char path[PATH_MAX];
	char *text;

	snprintf(path, sizeof(path), "%s/%d/cgroup", proc, pid);
	text = ms_read_file(path, NULL);
	if (!text)
		return;		/* unknown, which is no reason to fail */
	p->cgroup = ms_proc_parse_cgroup(text);
	free(text);
}

int ms_proc_collect(const char *proc, bool module, int pid, bool want_vmas,
		    struct ms_proc *p, const char **detail)
{
	char path[PATH_MAX];
	struct ms_report r;
	int ret;

	memset(p, 0, sizeof(*p));
	if (detail)
		*detail = "";
	if (module)
		snprintf(path, sizeof(path), "%s/madvstat/%d", proc, pid);
	else
		snprintf(path, sizeof(path), "%s/%d/smaps_rollup", proc, pid);
	ret = read_report(path, &r, detail);
	if (ret)
		return ret;
	if (module)
		ret = ms_proc_from_module(&r, want_vmas, p);
	else
		ret = ms_proc_from_rollup(&r, p);
	ms_report_free(&r);
	if (ret == -EBADMSG && detail)
		*detail = "a size field is missing or not in kB";
	if (!ret && !module)
		ret = read_comm(proc, pid, p);
	if (ret) {
		ms_proc_free(p);
		return ret;
	}
	p->pid = pid;
	read_cgroup(proc, pid, p);
	return 0;
}

void ms_proc_free(struct ms_proc *p)
{
	free(p->cgroup);
	p->cgroup = NULL;
	free(p->cgname);
	p->cgname = NULL;
	free(p->vmas);
	p->vmas = NULL;
	p->nr_vmas = 0;
	free(p->runtime);
	p->runtime = NULL;
}

int ms_proc_parse_pid(const char *s)
{
	const char *p;
	int v = 0;

	for (p = s; *p; p++) {
		int d = *p - '0';

		if (*p < '0' || *p > '9' || v > (INT_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	return v ? v : -1;	/* "" and "0" are no PID */
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

long ms_proc_list_pids(const char *proc, bool module, int **pids)
{
	char path[PATH_MAX];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int *v = NULL;
	DIR *d;

	snprintf(path, sizeof(path), module ? "%s/madvstat" : "%s", proc);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int pid = ms_proc_parse_pid(de->d_name);

		if (pid < 0)
			continue;
		if (n == cap) {
			int *grown;

			cap = cap ? cap * 2 : 256;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = grown;
		}
		v[n++] = pid;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_int);
	*pids = v;
	return (long)n;
}

const char *ms_proc_strerror(int err, bool module)
{
	switch (err) {
	case -ENOENT:
		return "no such process";
	case -EACCES:
		return module ?
			"permission denied (reading /proc/madvstat needs root or CAP_SYS_PTRACE; see owner_read in madvstat(1))" :
			"permission denied (reading another user's process needs root or CAP_SYS_PTRACE)";
	case -ESRCH:
		return module ? "exited while being read" :
			"no user memory (a kernel thread, or it exited while being read)";
	case -EBADMSG:
		return module ? "unexpected format of /proc/madvstat/PID" :
			"unexpected format of /proc/PID/smaps_rollup";
	default:
		return strerror(-err);
	}
}
