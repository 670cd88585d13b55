// SPDX-License-Identifier: GPL-2.0
/*
 * Rendering for the madvstat command: human summary, verdict, watch, top
 * table, NDJSON, Prometheus text format.
 */
#include "output.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "runtime.h"
#include "size.h"

#define SIGNIFICANT_PCT10 100	/* 10.0 % of RSS */
/* `top --cgroup`'s NAME column at most: "pod <uid>/<runtime> <id>" fits. */
#define TOP_NAME_MAX 64

/* The note after each value in the human summary. */
static const char *const human_notes[MS_NR_VALS] = {
	[MS_LAZYFREE] = "reclaimable now",
	[MS_LAZYFREE_DIRTY] = "freed, then written: in use again",
	[MS_RSS_EFFECTIVE] = "RSS minus lazily freed",
	[MS_MARKED] = "since tracking began",
	[MS_RECLAIMED] = "taken back by the kernel",
	[MS_RESCUED] = "written again, kept by reclaim",
	[MS_RESCUED_PINNED] = "referenced, kept by reclaim",
	[MS_DROPPED] = "left without reclaim (munmap, ...)",
};

/* part as a percentage of whole, in tenths of a percent; -1 if whole is 0. */
static long pct10(uint64_t part, uint64_t whole)
{
	double p;

	if (!whole)
		return -1;
	p = (double)part * 1000.0 / (double)whole + 0.5;
	return p > 999999.0 ? 999999 : (long)p;	/* 99999.9 % at most */
}

/* A whole percentage for prose: "74%", or "<1%" for a non-zero sliver. */
static const char *pct_words(uint64_t part, uint64_t whole, char *buf,
			     size_t size)
{
	long p = pct10(part, whole);

	if (p < 5 && part)
		snprintf(buf, size, "<1%%");
	else
		snprintf(buf, size, "%ld%%", (p + 5) / 10);
	return buf;
}

static uint64_t val_or0(const struct ms_proc *p, enum ms_val v)
{
	return p->known[v] ? p->val[v] : 0;
}

static enum ms_verdict main_verdict(const struct ms_proc *p, char *buf,
				    size_t size)
{
	uint64_t rss = val_or0(p, MS_RSS), lf = val_or0(p, MS_LAZYFREE);
	uint64_t dirty = val_or0(p, MS_LAZYFREE_DIRTY);
	bool dirty_big = pct10(dirty, rss) >= SIGNIFICANT_PCT10;
	char pct[32], sz[MS_SIZE_STR_LEN], pct2[32];

	if (!rss) {
		snprintf(buf, size, "The process has no resident memory.");
		return MS_VERDICT_NO_RSS;
	}
	if (dirty_big && dirty > lf) {
		snprintf(buf, size,
			 "%s of RSS (%s) was freed with MADV_FREE but written again: later writes cancelled those frees, so it is memory in use.",
			 pct_words(dirty, rss, pct, sizeof(pct)),
			 ms_size_str(dirty, sz, sizeof(sz)));
		return MS_VERDICT_CANCELLED;
	}
	if (pct10(lf, rss) >= SIGNIFICANT_PCT10) {
		int n = snprintf(buf, size,
			 "%s of RSS is memory the program already freed; the kernel will take it back under pressure - not a leak.",
			 pct_words(lf, rss, pct, sizeof(pct)));

		if (dirty_big && n >= 0 && (size_t)n < size)
			snprintf(buf + n, size - (size_t)n,
				 " Another %s was written again after being freed (those frees are cancelled).",
				 pct_words(dirty, rss, pct2, sizeof(pct2)));
		return MS_VERDICT_FREED;
	}
	if (lf) {
		snprintf(buf, size,
			 "RSS is mostly memory in use; only %s (%s) is lazily freed.",
			 ms_size_str(lf, sz, sizeof(sz)),
			 pct_words(lf, rss, pct, sizeof(pct)));
		return MS_VERDICT_LITTLE_FREED;
	}
	snprintf(buf, size, "RSS is memory in use: nothing is lazily freed.");
	return MS_VERDICT_IN_USE;
}

enum ms_verdict ms_out_verdict(const struct ms_proc *p, char *buf,
			       size_t size)
{
	enum ms_verdict v = main_verdict(p, buf, size);
	size_t n = strlen(buf);
	char sz[MS_SIZE_STR_LEN];

	if (p->known[MS_RECLAIMED] && p->val[MS_RECLAIMED] && n < size)
		snprintf(buf + n, size - n,
			 " The kernel already took back %s the program had freed.",
			 ms_size_str(p->val[MS_RECLAIMED], sz, sizeof(sz)));
	return v;
}

/* s with control characters as '?', so a name cannot break a line. */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static const char *unknown_reason(const struct ms_proc *p)
{
	if (p->source == MS_SRC_ROLLUP)
		return "needs the module";
	if (p->tracking_known && !strncmp(p->tracking, "off", 3))
		return "tracking is off";
	return "not reported";
}

static const char *delta(const struct ms_proc *p, const struct ms_proc *prev,
			 enum ms_val v, char *buf, size_t size)
{
	char sz[MS_SIZE_STR_LEN];
	uint64_t a, b;

	buf[0] = '\0';
	if (!prev || !prev->known[v] || !p->known[v] ||
	    prev->val[v] == p->val[v])
		return buf;
	a = p->val[v];
	b = prev->val[v];
	snprintf(buf, size, "(%c%s)", a > b ? '+' : '-',
		 ms_size_str(a > b ? a - b : b - a, sz, sizeof(sz)));
	return buf;
}

static bool pct_of_rss(enum ms_val v)
{
	return v == MS_RSS_ANON || v == MS_LAZYFREE ||
	       v == MS_LAZYFREE_DIRTY || v == MS_RSS_EFFECTIVE;
}

/* Print line without the blanks that padding left at its end. */
static void put_trimmed(FILE *f, char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	fprintf(f, "%s\n", line);
}

static void human_row(FILE *f, const struct ms_proc *p,
		      const struct ms_proc *prev, enum ms_val v)
{
	char sz[MS_SIZE_STR_LEN], d[MS_SIZE_STR_LEN + 4], pct[48] = "";
	const char *note = human_notes[v] ? human_notes[v] : "";
	char line[256];
	long p10;

	if (!p->known[v]) {
		snprintf(line, sizeof(line), "  %-18s %11s  %s",
			 ms_val_descs[v].label, "unknown", unknown_reason(p));
		put_trimmed(f, line);
		return;
	}
	p10 = p->known[MS_RSS] ? pct10(p->val[v], p->val[MS_RSS]) : -1;
	if (pct_of_rss(v) && p10 >= 0)
		snprintf(pct, sizeof(pct), "%ld.%ld%% of RSS", p10 / 10,
			 p10 % 10);
	snprintf(line, sizeof(line), "  %-18s %11s %14s %14s  %s",
		 ms_val_descs[v].label, ms_size_str(p->val[v], sz, sizeof(sz)),
		 delta(p, prev, v, d, sizeof(d)), pct, note);
	put_trimmed(f, line);
}

static void human_vmas(FILE *f, const struct ms_proc *p)
{
	char a[MS_SIZE_STR_LEN], b[MS_SIZE_STR_LEN], c[MS_SIZE_STR_LEN];
	char name[sizeof(p->vmas[0].name)];
	size_t i;

	if (!p->vmas_known) {
		fprintf(f, "  VMAs: unknown (the per-VMA lines need the module)\n");
		return;
	}
	if (!p->nr_vmas) {
		fprintf(f, "  VMAs: none holds lazily freed pages\n");
		return;
	}
	fprintf(f, "  %-33s %-4s %11s %11s %11s  %s\n", "VMA", "PERM",
		"RSS ANON", "LAZYFREE", "WRITTEN", "NAME");
	for (i = 0; i < p->nr_vmas; i++) {
		const struct ms_vma *m = &p->vmas[i];
		char range[40];

		snprintf(range, sizeof(range), "%" PRIx64 "-%" PRIx64,
			 m->start, m->end);
		fprintf(f, "  %-33s %-4s %11s %11s %11s  %s\n", range,
			m->perms, ms_size_str(m->rss_anon_bytes, a, sizeof(a)),
			ms_size_str(m->lazyfree_bytes, b, sizeof(b)),
			ms_size_str(m->lazyfree_dirty_bytes, c, sizeof(c)),
			printable(m->name, name, sizeof(name)));
	}
}

static void human_header(FILE *f, const struct ms_proc *p)
{
	char buf[MS_CGNAME_STR_LEN], name[MS_CGNAME_STR_LEN];

	fprintf(f, "PID %d (%s)\n", p->pid,
		printable(p->comm, buf, sizeof(buf)));
	if (p->source == MS_SRC_ROLLUP)
		fprintf(f, "  %-18s /proc/%d/smaps_rollup (without the module)\n",
			"Source", p->pid);
	else
		fprintf(f, "  %-18s /proc/madvstat/%d\n", "Source", p->pid);
	if (p->source == MS_SRC_MODULE)
		fprintf(f, "  %-18s %s\n", "Tracking", p->tracking_known ?
			printable(p->tracking, buf, sizeof(buf)) : "unknown");
	if (p->cgroup)
		fprintf(f, "  %-18s %s\n", "Cgroup", p->cgroup);
	if (p->cgname && p->cgname->kind != MS_CG_OTHER)
		fprintf(f, "  %-18s %s\n", "Cgroup name", printable(
			ms_cgname_str(p->cgname, true, name, sizeof(name)),
			buf, sizeof(buf)));
}

/* Which runtime freed the memory, on what evidence, and the advice. */
static void human_runtime(FILE *f, const struct ms_runtime *rt)
{
	char buf[MS_RT_TEXT], advice[1024];

	fprintf(f, "  %-18s %s", "Runtime", ms_rt_label(rt));
	if (rt->version[0])
		fprintf(f, " %s", printable(rt->version, buf, sizeof(buf)));
	if (rt->also[0])
		fprintf(f, " (also seen: %s)", rt->also);
	fprintf(f, "\n  %-18s %s\n", "Evidence",
		printable(rt->evidence, buf, sizeof(buf)));
	if (rt->kind != MS_RT_UNKNOWN)
		fprintf(f, "  %-18s %s\n", "Its settings",
			!rt->env_read ? "unknown (environ not readable)" :
			rt->settings[0] ? printable(rt->settings, buf,
						    sizeof(buf)) :
			"none in its environment");
	ms_rt_advice(rt, advice, sizeof(advice));
	fprintf(f, "  Advice: %s\n", advice);
}

void ms_out_human(FILE *f, const struct ms_proc *p,
		  const struct ms_proc *prev, bool vmas)
{
	char verdict[512];
	int v;

	human_header(f, p);
	for (v = 0; v < MS_NR_VALS; v++)
		human_row(f, p, prev, (enum ms_val)v);
	ms_out_verdict(p, verdict, sizeof(verdict));
	fprintf(f, "  Verdict: %s\n", verdict);
	if (p->runtime)
		human_runtime(f, p->runtime);
	if (vmas)
		human_vmas(f, p);
}

/* explain's prose: at most this wide, after its indent of two. */
#define EXPLAIN_WIDTH 76

/* Whether a line may end at s[i]: a blank, not before a size's unit. */
static bool breakable(const char *s, size_t i)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	size_t u, n;

	if (s[i] != ' ')
		return false;
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		n = strlen(units[u]);
		if (!strncmp(s + i + 1, units[u], n) &&
		    !isalnum((unsigned char)s[i + 1 + n]))
			return false;
	}
	return true;
}

/* text (made printable) in lines of EXPLAIN_WIDTH, indented by two. */
static void put_wrapped(FILE *f, const char *text)
{
	char buf[2048];
	const char *s = printable(text, buf, sizeof(buf));

	s += strspn(s, " ");
	while (*s) {
		size_t cut = strlen(s);

		if (cut > EXPLAIN_WIDTH) {
			for (cut = EXPLAIN_WIDTH; cut && !breakable(s, cut);
			     cut--)
				;
			if (!cut)	/* one word longer than a line */
				cut = strcspn(s, " ");
		}
		fprintf(f, "  %.*s\n", (int)cut, s);
		s += cut;
		s += strspn(s, " ");
	}
}

/* One value of explain: what it is, its size (or why not known). */
static void explain_row(FILE *f, const char *what, const char *value)
{
	fprintf(f, "  %-46s %11s\n", what, value);
}

static void explain_val(FILE *f, const struct ms_proc *p, enum ms_val v,
			const char *what, const char *meaning)
{
	char sz[MS_SIZE_STR_LEN];

	if (!p->known[v]) {
		explain_row(f, what, "unknown");
		fprintf(f, "    (%s)\n", unknown_reason(p));
		return;
	}
	explain_row(f, what, ms_size_str(p->val[v], sz, sizeof(sz)));
	if (meaning)
		fprintf(f, "    %s\n", meaning);
}

static void explain_process(FILE *f, const struct ms_proc *p)
{
	char buf[MS_CGNAME_STR_LEN], name[MS_CGNAME_STR_LEN];

	fprintf(f, "madvstat explain: PID %d, what its memory means\n\n"
		"The process\n  PID %d, command \"%s\"\n", p->pid, p->pid,
		printable(p->comm, buf, sizeof(buf)));
	if (p->cgname && p->cgname->kind != MS_CG_OTHER)
		fprintf(f, "  Cgroup (the group its memory is counted and limited in): %s\n",
			printable(ms_cgname_str(p->cgname, true, name,
						sizeof(name)),
				  buf, sizeof(buf)));
	fprintf(f, "  Cgroup path: %s\n", p->cgroup ?
		printable(p->cgroup, buf, sizeof(buf)) : "unknown");
	if (p->source == MS_SRC_MODULE)
		fprintf(f, "  Numbers from /proc/madvstat/%d (the madvstat kernel module).\n",
			p->pid);
	else
		fprintf(f, "  Numbers from /proc/%d/smaps_rollup: the madvstat module is not loaded,\n"
			"  so only RSS and LazyFree are known (sudo modprobe madvstat for the rest).\n",
			p->pid);
}

static void explain_memory(FILE *f, const struct ms_proc *p)
{
	uint64_t lf = val_or0(p, MS_LAZYFREE);
	char pct[32], what[64];

	fputs("\nIts memory\n", f);
	explain_val(f, p, MS_RSS, "Resident memory counted to it (RSS)", NULL);
	snprintf(what, sizeof(what), "Lazily freed (LazyFree), %s of RSS",
		 pct_words(lf, val_or0(p, MS_RSS), pct, sizeof(pct)));
	explain_val(f, p, MS_LAZYFREE, p->known[MS_RSS] ? what :
		    "Lazily freed (LazyFree)", lf ?
		    "freed by the program with MADV_FREE: still counted in RSS, but the\n"
		    "    kernel takes it back first when memory runs short" :
		    "nothing: all of RSS is memory in use");
	explain_val(f, p, MS_LAZYFREE_DIRTY, "Written again (LazyFreeDirty)",
		    "freed, then written before the kernel took it: in use again");
	explain_val(f, p, MS_RECLAIMED, "Already taken back by the kernel (Reclaimed)",
		    "lazily freed memory reclaimed since tracking began");
}

/* A limit of explain: its size, "no limit" or why it is not known. */
static void explain_limit(FILE *f, const char *what, int err, uint64_t v)
{
	char sz[MS_SIZE_STR_LEN];

	explain_row(f, what, !err ? ms_size_str(v, sz, sizeof(sz)) :
		    err == -ERANGE ? "no limit" : "unknown");
	if (err && err != -ERANGE)
		fprintf(f, "    (not readable: %s)\n", strerror(-err));
}

/* Whether the limit is at risk once reclaim took the lazily freed memory. */
static void explain_risk(FILE *f, const struct ms_proc *p,
			 const struct ms_cgroup_mem *m)
{
	bool high = !m->high_err && (m->max_err || m->high <= m->max);
	uint64_t limit = high ? m->high : m->max;
	const char *name = high ? "memory.high" : "memory.max";
	uint64_t lf = val_or0(p, MS_LAZYFREE), rest;
	char a[MS_SIZE_STR_LEN], b[MS_SIZE_STR_LEN], c[MS_SIZE_STR_LEN];
	char d[MS_SIZE_STR_LEN], pct[32], text[1024];

	fputs("\nIs the cgroup's limit at risk (an OOM kill)?\n", f);
	if (m->high_err == -ERANGE && m->max_err == -ERANGE) {
		put_wrapped(f, "No limit: the cgroup sets neither memory.high nor memory.max, so it is never OOM-killed for its own size. The kernel takes lazily freed memory back when the whole machine runs short.");
		return;
	}
	if (m->high_err && m->max_err) {
		snprintf(text, sizeof(text),
			 "Cannot tell: the cgroup's limits could not be read (%s).",
			 strerror(-(m->max_err != -ERANGE ? m->max_err :
				    m->high_err)));
		put_wrapped(f, text);
		return;
	}
	if (m->current_err) {
		snprintf(text, sizeof(text),
			 "Cannot tell: the cgroup's usage (memory.current) could not be read (%s).",
			 strerror(-m->current_err));
		put_wrapped(f, text);
		return;
	}
	rest = m->current > lf ? m->current - lf : 0;
	if (rest >= limit) {
		snprintf(text, sizeof(text),
			 "Yes, at real risk. Even after the kernel took back all %s lazily freed, the cgroup would use %s, at or above its limit %s (%s): what fills it is memory in use, not lazily freed memory. Above memory.high the kernel slows the cgroup down; at memory.max it OOM-kills a process of it.",
			 ms_size_str(lf, a, sizeof(a)),
			 ms_size_str(rest, b, sizeof(b)), name,
			 ms_size_str(limit, c, sizeof(c)));
	} else if (lf) {
		snprintf(text, sizeof(text),
			 "No, not from lazily freed memory. The cgroup uses %s (memory.current); without the %s this process freed lazily it would use %s, %s of its limit %s (%s). Near the limit, reclaim takes those clean lazily freed pages first, before any OOM kill. (Other processes of the cgroup may hold more.)",
			 ms_size_str(m->current, a, sizeof(a)),
			 ms_size_str(lf, b, sizeof(b)),
			 ms_size_str(rest, c, sizeof(c)),
			 pct_words(rest, limit, pct, sizeof(pct)), name,
			 ms_size_str(limit, d, sizeof(d)));
	} else {
		snprintf(text, sizeof(text),
			 "Not from lazily freed memory: this process has none. The cgroup uses %s (memory.current), %s of its limit %s (%s), all of it memory in use as far as this process goes.",
			 ms_size_str(m->current, a, sizeof(a)),
			 pct_words(rest, limit, pct, sizeof(pct)), name,
			 ms_size_str(limit, b, sizeof(b)));
	}
	put_wrapped(f, text);
}

static void explain_limits(FILE *f, const struct ms_proc *p,
			   const struct ms_cgroup_mem *m)
{
	fputs("\nIts cgroup\n", f);
	if (p->cgroup && !strcmp(p->cgroup, "/")) {
		explain_row(f, "In use by the cgroup now (memory.current)",
			    "-");
		fputs("    (the root cgroup: the whole machine, no such file)\n",
		      f);
	} else {
		explain_limit(f, "In use by the cgroup now (memory.current)",
			      m->current_err, m->current);
	}
	explain_limit(f, "Slowed down above (memory.high)", m->high_err,
		      m->high);
	explain_limit(f, "OOM-killed at (memory.max)", m->max_err, m->max);
}

/* The runtime that freed the memory, and the switch that changes it. */
static void explain_runtime(FILE *f, const struct ms_proc *p)
{
	const struct ms_runtime *rt = p->runtime;
	char buf[MS_RT_TEXT], text[MS_RT_TEXT + 64], advice[1024];

	fputs("\nWhat freed it, and the switch\n", f);
	if (!rt) {
		put_wrapped(f, "Not looked at: nothing is lazily freed, so no runtime setting would change its RSS.");
		return;
	}
	fprintf(f, "  Runtime: %s", ms_rt_label(rt));
	if (rt->version[0])
		fprintf(f, " %s", printable(rt->version, buf, sizeof(buf)));
	fputc('\n', f);
	snprintf(text, sizeof(text), "Identified by: %s", rt->evidence);
	put_wrapped(f, text);
	if (rt->kind != MS_RT_UNKNOWN) {
		snprintf(text, sizeof(text), "Its settings: %s",
			 !rt->env_read ? "unknown (environ not readable)" :
			 rt->settings[0] ? rt->settings :
			 "none in its environment");
		put_wrapped(f, text);
	}
	ms_rt_advice(rt, advice, sizeof(advice));
	put_wrapped(f, advice);
}

static void explain_confirm(FILE *f, const struct ms_proc *p)
{
	char cmd[64];

	fputs("\nTo confirm\n", f);
	snprintf(cmd, sizeof(cmd), "madvstat -w 2 %d", p->pid);
	fprintf(f, "  %-36s the numbers every 2 seconds, with changes\n",
		cmd);
	snprintf(cmd, sizeof(cmd), "madvstat -w 2 --svg %d.svg %d", p->pid,
		 p->pid);
	fprintf(f, "  %-36s the same, drawn as a chart when stopped\n", cmd);
	snprintf(cmd, sizeof(cmd), "cat /proc/madvstat/%d", p->pid);
	fprintf(f, "  %-36s the kernel module's own numbers%s\n", cmd,
		p->source == MS_SRC_MODULE ? "" : " (once loaded)");
}

void ms_out_explain(FILE *f, const struct ms_proc *p,
		    const struct ms_cgroup_mem *m)
{
	char verdict[512], text[560];

	explain_process(f, p);
	explain_memory(f, p);
	ms_out_verdict(p, verdict, sizeof(verdict));
	snprintf(text, sizeof(text), "In short: %s", verdict);
	put_wrapped(f, text);
	explain_limits(f, p, m);
	explain_risk(f, p, m);
	explain_runtime(f, p);
	explain_confirm(f, p);
}

void ms_out_watch_header(FILE *f, unsigned int interval_ms,
			 unsigned long sample)
{
	fprintf(f, "madvstat: every %u.%01u s, sample %lu (Ctrl-C to stop)\n",
		interval_ms / 1000, interval_ms % 1000 / 100, sample);
}

static const char *top_size(const struct ms_proc *p, enum ms_val v,
			    char *buf, size_t size)
{
	if (!p->known[v])
		return "-";
	return ms_size_str(p->val[v], buf, size);
}

/* The NAME of a cgroup in `top`, cut to width; "-" for none. */
static const char *top_name(const struct ms_proc *p, size_t width,
			    char *buf, size_t size)
{
	char name[MS_CGNAME_STR_LEN];

	if (!p->cgname || p->cgname->kind == MS_CG_OTHER)
		return "-";
	printable(ms_cgname_str(p->cgname, false, name, sizeof(name)), buf,
		  size);
	if (strlen(buf) > width && width > 3 && width < size)
		strcpy(buf + width - 3, "...");
	return buf;
}

/* The width of the NAME column: its widest name, at most TOP_NAME_MAX. */
static size_t top_name_width(const struct ms_proc *v, size_t n)
{
	char buf[MS_CGNAME_STR_LEN];
	size_t i, w = strlen("NAME");

	for (i = 0; i < n; i++) {
		size_t len = strlen(top_name(&v[i], TOP_NAME_MAX, buf,
					     sizeof(buf)));

		if (len > w)
			w = len;
	}
	return w;
}

void ms_out_top(FILE *f, const struct ms_proc *v, size_t n, bool cgroup)
{
	static const enum ms_val cols[] = { MS_RSS, MS_LAZYFREE,
		MS_LAZYFREE_DIRTY, MS_RECLAIMED, MS_RSS_EFFECTIVE };
	size_t name_w = cgroup ? top_name_width(v, n) : 0;
	char buf[4096], name[MS_CGNAME_STR_LEN];
	size_t i, c;

	if (cgroup)
		fprintf(f, "%6s", "PROCS");
	else
		fprintf(f, "%7s %-16s", "PID", "COMM");
	fprintf(f, " %10s %10s %6s %10s %10s %10s", "RSS", "LAZYFREE",
		"LF%", "WRITTEN", "RECLAIMED", "EFFECTIVE");
	if (cgroup)
		fprintf(f, "  %-*s  CGROUP", (int)name_w, "NAME");
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		const struct ms_proc *p = &v[i];
		long p10 = pct10(val_or0(p, MS_LAZYFREE), val_or0(p, MS_RSS));
		char pct[32] = "-";

		if (cgroup)
			fprintf(f, "%6u", p->nr_procs);
		else
			fprintf(f, "%7d %-16s", p->pid,
				printable(p->comm, buf, 17));
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			fprintf(f, " %10s", top_size(p, cols[c], buf,
						     sizeof(buf)));
			if (cols[c] == MS_LAZYFREE) {
				if (p10 >= 0 && p->known[MS_LAZYFREE])
					snprintf(pct, sizeof(pct), "%ld.%ld%%",
						 p10 / 10, p10 % 10);
				fprintf(f, " %6s", pct);
			}
		}
		if (cgroup)
			fprintf(f, "  %-*s  %s", (int)name_w,
				top_name(p, name_w, name, sizeof(name)),
				p->cgroup ? printable(p->cgroup, buf,
						      sizeof(buf)) :
				"(unknown)");
		fputc('\n', f);
	}
}

/* Length of the valid UTF-8 sequence at s (NUL-terminated), 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;	/* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;	/* beyond U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * str escaped for a JSON string (json) or a Prometheus label value: both
 * escape quote, backslash and newline, and write U+FFFD for invalid UTF-8;
 * JSON also escapes the other control characters.
 */
void ms_out_escaped(FILE *f, const char *str, bool json)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else if (json && *s == '\t') {
			fputs("\\t", f);
		} else if (json && (*s < 0x20 || *s == 0x7f)) {
			fprintf(f, "\\u%04x", *s);
		} else if (!n) {
			fputs(json ? "\\ufffd" : "\xef\xbf\xbd", f);
			n = 1;
		} else {
			fwrite(s, 1, n, f);
		}
		s += n ? n : 1;
	}
}

/* str as a JSON string, quotes included. */
static void json_string(FILE *f, const char *str)
{
	fputc('"', f);
	ms_out_escaped(f, str, true);
	fputc('"', f);
}

static void json_opt_string(FILE *f, const char *key, const char *s)
{
	fprintf(f, ",\"%s\":", key);
	if (s)
		json_string(f, s);
	else
		fputs("null", f);
}

static void json_vmas(FILE *f, const struct ms_proc *p)
{
	size_t i;

	fputs(",\"vmas\":", f);
	if (!p->vmas_known) {
		fputs("null", f);
		return;
	}
	fputc('[', f);
	for (i = 0; i < p->nr_vmas; i++) {
		const struct ms_vma *m = &p->vmas[i];

		fprintf(f, "%s{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64
			"\",\"perms\":", i ? "," : "", m->start, m->end);
		json_string(f, m->perms);
		fprintf(f, ",\"rss_anon_bytes\":%" PRIu64
			",\"lazyfree_bytes\":%" PRIu64
			",\"lazyfree_dirty_bytes\":%" PRIu64 ",\"name\":",
			m->rss_anon_bytes, m->lazyfree_bytes,
			m->lazyfree_dirty_bytes);
		json_string(f, m->name);
		fputc('}', f);
	}
	fputc(']', f);
}

/* "runtime": null when not looked at (nothing lazily freed). */
static void json_runtime(FILE *f, const struct ms_runtime *rt)
{
	char advice[1024];
	const char *also;

	fputs(",\"runtime\":", f);
	if (!rt) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"name\":\"%s\"", ms_rt_label(rt));
	json_opt_string(f, "version", rt->version[0] ? rt->version : NULL);
	json_opt_string(f, "evidence", rt->evidence);
	json_opt_string(f, "settings", rt->env_read ? rt->settings : NULL);
	fputs(",\"also\":[", f);
	for (also = rt->also; *also; also += strspn(also, " ")) {
		size_t n = strcspn(also, " ");

		fprintf(f, "%s\"%.*s\"", also == rt->also ? "" : ",",
			(int)n, also);
		also += n;
	}
	ms_rt_advice(rt, advice, sizeof(advice));
	fputc(']', f);
	json_opt_string(f, "advice", advice);
	fputc('}', f);
}

/* s, or NULL (JSON null) when it is "". */
static const char *known(const char *s)
{
	return s[0] ? s : NULL;
}

/* What cgname.h tells of the cgroup: null each for an unknown cgroup. */
static void json_cgname(FILE *f, const struct ms_cgname *n)
{
	char name[MS_CGNAME_STR_LEN];
	bool kube = n && (n->kind == MS_CG_POD ||
			  n->kind == MS_CG_POD_CONTAINER);

	json_opt_string(f, "cgroup_kind", n ? ms_cgname_kind_key(n->kind) :
			NULL);
	json_opt_string(f, "cgroup_name", n && n->kind != MS_CG_OTHER ?
			ms_cgname_str(n, false, name, sizeof(name)) : NULL);
	json_opt_string(f, "unit", n ? known(n->unit) : NULL);
	if (n && n->uid >= 0)
		fprintf(f, ",\"user_id\":%ld", n->uid);
	else
		fputs(",\"user_id\":null", f);
	json_opt_string(f, "container_runtime", n ? n->runtime : NULL);
	json_opt_string(f, "container_id", n ? known(n->id) : NULL);
	json_opt_string(f, "pod_uid", n ? known(n->pod_uid) : NULL);
	json_opt_string(f, "qos_class", kube ? ms_cgname_qos_str(n->qos) :
			NULL);
	json_opt_string(f, "namespace", n ? known(n->pod_namespace) : NULL);
	json_opt_string(f, "pod", n ? known(n->pod_name) : NULL);
	json_opt_string(f, "container", n ? known(n->container_name) : NULL);
}

static const char *source_name(enum ms_source s)
{
	return s == MS_SRC_MODULE ? "madvstat" : "smaps_rollup";
}

void ms_out_json(FILE *f, const struct ms_proc *p, bool cgroup, bool vmas)
{
	int v;

	if (cgroup) {
		fputs("{\"cgroup\":", f);
		if (p->cgroup)
			json_string(f, p->cgroup);
		else
			fputs("null", f);
		fprintf(f, ",\"processes\":%u", p->nr_procs);
	} else {
		fprintf(f, "{\"pid\":%d,\"comm\":", p->pid);
		json_string(f, p->comm);
		json_opt_string(f, "cgroup", p->cgroup);
	}
	json_cgname(f, p->cgname);
	fprintf(f, ",\"source\":\"%s\"", source_name(p->source));
	for (v = 0; v < MS_NR_VALS; v++) {
		fprintf(f, ",\"%s_bytes\":", ms_val_descs[v].key);
		if (p->known[v])
			fprintf(f, "%" PRIu64, p->val[v]);
		else
			fputs("null", f);
	}
	if (!cgroup)
		json_opt_string(f, "tracking",
				p->tracking_known ? p->tracking : NULL);
	if (!cgroup)
		json_runtime(f, p->runtime);
	if (vmas && !cgroup)
		json_vmas(f, p);
	fputs("}\n", f);
}

void ms_out_prom_label(FILE *f, bool first, const char *key,
		       const char *value)
{
	fprintf(f, "%s%s=\"", first ? "{" : ",", key);
	ms_out_escaped(f, value, false);
	fputc('"', f);
}

void ms_out_prom_pod_labels(FILE *f, const struct ms_cgname *n)
{
	ms_out_prom_label(f, false, "namespace", n ? n->pod_namespace : "");
	ms_out_prom_label(f, false, "pod", n ? n->pod_name : "");
	ms_out_prom_label(f, false, "container", n ? n->container_name : "");
}

/* pod_labels: those of ms_out_prom_pod_labels(), "" where unknown. */
static void prom_labels(FILE *f, const struct ms_proc *p, bool cgroup,
			bool pod_labels)
{
	char pid[16];

	if (cgroup) {
		ms_out_prom_label(f, true, "cgroup",
				  p->cgroup ? p->cgroup : "(unknown)");
	} else {
		snprintf(pid, sizeof(pid), "%d", p->pid);
		ms_out_prom_label(f, true, "pid", pid);
		ms_out_prom_label(f, false, "comm", p->comm);
	}
	if (pod_labels)
		ms_out_prom_pod_labels(f, p->cgname);
	fputc('}', f);
}

static void prom_metric(FILE *f, const struct ms_proc *v, size_t n,
			bool cgroup, bool pod_labels, enum ms_val val)
{
	const struct ms_val_desc *d = &ms_val_descs[val];
	const char *suffix = d->counter ? "_total" : "";
	size_t i;
	bool any = false;

	for (i = 0; i < n && !any; i++)
		any = v[i].known[val];
	if (!any)
		return;		/* no HELP/TYPE for a metric without samples */
	fprintf(f, "# HELP madvstat_%s_bytes%s %s\n", d->key, suffix, d->help);
	fprintf(f, "# TYPE madvstat_%s_bytes%s %s\n", d->key, suffix,
		d->counter ? "counter" : "gauge");
	for (i = 0; i < n; i++) {
		if (!v[i].known[val])
			continue;
		fprintf(f, "madvstat_%s_bytes%s", d->key, suffix);
		prom_labels(f, &v[i], cgroup, pod_labels);
		fprintf(f, " %" PRIu64 "\n", v[i].val[val]);
	}
}

void ms_out_prometheus(FILE *f, const struct ms_proc *v, size_t n,
		       bool cgroup)
{
	bool pod_labels = false;
	size_t i;
	int val;

	for (i = 0; i < n && !pod_labels; i++)
		pod_labels = ms_cgname_has_pod_names(v[i].cgname);
	for (val = 0; val < MS_NR_VALS; val++)
		prom_metric(f, v, n, cgroup, pod_labels, (enum ms_val)val);
	if (!cgroup || !n)
		return;
	fputs("# HELP madvstat_cgroup_processes Processes counted in the cgroup.\n"
	      "# TYPE madvstat_cgroup_processes gauge\n", f);
	for (i = 0; i < n; i++) {
		fputs("madvstat_cgroup_processes", f);
		prom_labels(f, &v[i], true, pod_labels);
		fprintf(f, " %u\n", v[i].nr_procs);
	}
}
