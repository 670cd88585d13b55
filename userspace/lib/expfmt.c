// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's exposition, in either format; see expfmt.h. The two
 * differ where OpenMetrics says so: a counter's family is named without
 * _total (its samples keep it), an info family ends its sample in _info,
 * and the exposition ends with "# EOF".
 */
#include "expfmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "output.h"
#include "runtime.h"

struct out {
	FILE *f;
	enum ms_expfmt fmt;
	size_t max;
	bool full;
	bool pod_labels;	/* on every cgroup and process series */
};

static bool om(const struct out *o)
{
	return o->fmt == MS_EXPFMT_OPENMETRICS;
}

/* Stop writing once past the limit; the caller sees -E2BIG. */
static bool room(struct out *o)
{
	long pos = ftell(o->f);

	if (pos < 0 || (size_t)pos > o->max)
		o->full = true;
	return !o->full;
}

/*
 * HELP and TYPE of a family. name is the sample's name: for a counter it
 * ends in _total, which OpenMetrics leaves out of the family's name.
 */
static void family(struct out *o, const char *name, const char *type,
		   const char *help)
{
	size_t len = strlen(name);

	if (om(o) && !strcmp(type, "counter") && len > 6 &&
	    !strcmp(name + len - 6, "_total"))
		len -= 6;
	fprintf(o->f, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)len, name,
		help, (int)len, name, type);
}

static void label(struct out *o, bool first, const char *key,
		  const char *value)
{
	ms_out_prom_label(o->f, first, key, value);
}

static void value_u64(struct out *o, bool labels, uint64_t v)
{
	fprintf(o->f, "%s %" PRIu64 "\n", labels ? "}" : "", v);
}

/* A sample without labels. */
static void plain(struct out *o, const char *name, uint64_t v)
{
	if (room(o))
		fprintf(o->f, "%s %" PRIu64 "\n", name, v);
}

/* ---- per cgroup ------------------------------------------------------- */

/* One value of a cgroup, and whether it is known. */
typedef bool (*cgroup_get)(const struct ms_cgroup_stats *g, uint64_t *v);

static bool sum_val(const struct ms_cgroup_stats *g, enum ms_val val,
		    uint64_t *v)
{
	*v = g->sum.val[val];
	return g->sum.known[val];
}

static bool get_lazyfree(const struct ms_cgroup_stats *g, uint64_t *v)
{
	return sum_val(g, MS_LAZYFREE, v);
}

static bool get_lazyfree_dirty(const struct ms_cgroup_stats *g, uint64_t *v)
{
	return sum_val(g, MS_LAZYFREE_DIRTY, v);
}

static bool get_rss(const struct ms_cgroup_stats *g, uint64_t *v)
{
	return sum_val(g, MS_RSS, v);
}

static bool get_rss_anon(const struct ms_cgroup_stats *g, uint64_t *v)
{
	return sum_val(g, MS_RSS_ANON, v);
}

static bool get_processes(const struct ms_cgroup_stats *g, uint64_t *v)
{
	*v = g->sum.nr_procs;
	return true;
}

static bool get_current(const struct ms_cgroup_stats *g, uint64_t *v)
{
	*v = g->current;
	return g->current_known;
}

static bool get_max(const struct ms_cgroup_stats *g, uint64_t *v)
{
	*v = g->max;
	return g->max_known;
}

static bool get_pglazyfree(const struct ms_cgroup_stats *g, uint64_t *v)
{
	*v = g->pglazyfree;
	return g->stat_known;
}

static bool get_pglazyfreed(const struct ms_cgroup_stats *g, uint64_t *v)
{
	*v = g->pglazyfreed;
	return g->stat_known;
}

static const struct {
	const char *name, *type;
	cgroup_get get;
	const char *help;
} cgroup_metrics[] = {
	{ "madvstat_cgroup_lazyfree_bytes", "gauge", get_lazyfree,
	  "Memory the cgroup's processes freed with MADV_FREE that is still resident and clean: reclaim may take it at any moment (sum of LazyFree)." },
	{ "madvstat_cgroup_lazyfree_dirty_bytes", "gauge", get_lazyfree_dirty,
	  "Memory the cgroup's processes freed with MADV_FREE, then wrote again: in use again (sum of LazyFreeDirty)." },
	{ "madvstat_cgroup_rss_bytes", "gauge", get_rss,
	  "Resident memory of the cgroup's processes (sum of Rss; shared pages counted in each process)." },
	{ "madvstat_cgroup_rss_anon_bytes", "gauge", get_rss_anon,
	  "Resident anonymous memory of the cgroup's processes, lazily freed pages included (sum of RssAnon)." },
	{ "madvstat_cgroup_processes", "gauge", get_processes,
	  "Processes of the cgroup that madvstat reported." },
	{ "madvstat_cgroup_memory_current_bytes", "gauge", get_current,
	  "The cgroup's memory.current: all memory charged to it, lazily freed pages included." },
	{ "madvstat_cgroup_memory_max_bytes", "gauge", get_max,
	  "The cgroup's memory.max, when it has a limit." },
	{ "madvstat_cgroup_pglazyfree_bytes_total", "counter", get_pglazyfree,
	  "The cgroup's memory.stat pglazyfree in bytes: memory made lazily freed by MADV_FREE in it, exited processes included." },
	{ "madvstat_cgroup_pglazyfreed_bytes_total", "counter", get_pglazyfreed,
	  "The cgroup's memory.stat pglazyfreed in bytes: lazily freed memory reclaim freed in it." },
};

static void cgroups(struct out *o, const struct ms_host *h)
{
	size_t i, m;
	uint64_t v;

	for (m = 0; m < sizeof(cgroup_metrics) / sizeof(cgroup_metrics[0]);
	     m++) {
		family(o, cgroup_metrics[m].name, cgroup_metrics[m].type,
		       cgroup_metrics[m].help);
		for (i = 0; i < h->nr_cgroups; i++) {
			const struct ms_cgroup_stats *g = &h->cgroups[i];

			if (!cgroup_metrics[m].get(g, &v) || !room(o))
				continue;
			fputs(cgroup_metrics[m].name, o->f);
			label(o, true, "cgroup", g->sum.cgroup ?
			      g->sum.cgroup : "(unknown)");
			if (o->pod_labels)
				ms_out_prom_pod_labels(o->f, g->sum.cgname);
			value_u64(o, true, v);
		}
	}
}

/* ---- the top processes ------------------------------------------------ */

static const struct {
	const char *name;
	enum ms_val val;
	const char *help;
} process_vals[] = {
	{ "madvstat_process_lazyfree_bytes", MS_LAZYFREE,
	  "LazyFree of the processes holding the most (--top): freed with MADV_FREE, still resident and clean." },
	{ "madvstat_process_lazyfree_dirty_bytes", MS_LAZYFREE_DIRTY,
	  "LazyFreeDirty of the same processes: freed, then written again." },
	{ "madvstat_process_rss_bytes", MS_RSS,
	  "Rss of the same processes." },
	{ "madvstat_process_rss_anon_bytes", MS_RSS_ANON,
	  "RssAnon of the same processes." },
};

static void processes(struct out *o, const struct ms_host *h)
{
	char pid[16];
	size_t i, v;

	for (v = 0; v < sizeof(process_vals) / sizeof(process_vals[0]); v++) {
		family(o, process_vals[v].name, "gauge", process_vals[v].help);
		for (i = 0; i < h->nr_top; i++) {
			const struct ms_proc *p = &h->top[i];

			if (!p->known[process_vals[v].val] || !room(o))
				continue;
			snprintf(pid, sizeof(pid), "%d", p->pid);
			fputs(process_vals[v].name, o->f);
			label(o, true, "pid", pid);
			label(o, false, "comm", p->comm);
			label(o, false, "cgroup",
			      p->cgroup ? p->cgroup : "(unknown)");
			label(o, false, "runtime", ms_rt_label(p->runtime));
			if (o->pod_labels)
				ms_out_prom_pod_labels(o->f, p->cgname);
			value_u64(o, true, p->val[process_vals[v].val]);
		}
	}
}

/* ---- the host: /proc/madvstat/summary --------------------------------- */

static const struct {
	const char *name;
	const char *field;
	const char *help;
} host_counters[] = {
	{ "madvstat_all_marked_bytes_total", "AllMarked",
	  "Memory every process made lazily freed with MADV_FREE since the module was loaded (summary AllMarked)." },
	{ "madvstat_all_reclaimed_bytes_total", "AllReclaimed",
	  "Lazily freed memory reclaim discarded from processes since load (AllReclaimed)." },
	{ "madvstat_all_rescued_bytes_total", "AllRescued",
	  "Lazily freed memory reclaim found written again and gave back since load (AllRescued)." },
	{ "madvstat_all_rescued_pinned_bytes_total", "AllRescuedPinned",
	  "Lazily freed memory reclaim gave back because something held a reference, since load (AllRescuedPinned)." },
	{ "madvstat_all_reclaim_freed_bytes_total", "AllReclaimFreed",
	  "Lazily freed memory reclaim freed since load, as the kernel's pglazyfreed counts it (AllReclaimFreed)." },
	{ "madvstat_all_unattributed_bytes_total", "AllUnattributed",
	  "Of those events, memory madvstat could not charge to a process (AllUnattributed)." },
	{ "madvstat_all_freed_unowned_bytes_total", "AllFreedUnowned",
	  "Of AllReclaimFreed, memory in no process's ReclaimFreed (AllFreedUnowned)." },
	{ "madvstat_kernel_lazyfree_bytes_total", "KernelLazyFree",
	  "The kernel's pglazyfree since the module was loaded, in bytes (KernelLazyFree)." },
	{ "madvstat_kernel_lazyfreed_bytes_total", "KernelLazyFreed",
	  "The kernel's pglazyfreed since the module was loaded, in bytes (KernelLazyFreed)." },
	{ "madvstat_missed_events_total", "MissedEvents",
	  "Reclaim events the module lost for want of a return-probe slot (MissedEvents)." },
	{ "madvstat_walks_total", "Walks",
	  "Page-table walks the module made for reads since load (Walks)." },
	{ "madvstat_walks_skipped_total", "WalksSkipped",
	  "Reads answered without a walk, the address space known clean (WalksSkipped)." },
};

static void host(struct out *o, const struct ms_host *h)
{
	static const char *const states[] = { "live", "partial", "off" };
	uint64_t v;
	size_t i;

	family(o, "madvstat_up", "gauge",
	       "1 when /proc/madvstat (the madvstat module) was read in this scrape, else 0.");
	plain(o, "madvstat_up", h->up);
	for (i = 0; i < sizeof(host_counters) / sizeof(host_counters[0]); i++) {
		family(o, host_counters[i].name, "counter",
		       host_counters[i].help);
		if (ms_host_summary(h, host_counters[i].field, &v))
			plain(o, host_counters[i].name, v);
	}
	family(o, "madvstat_tracking", "gauge",
	       "1 for the first word of the summary's Tracking line (live: the cumulative counters count; partial: reclaim is not counted; off: no counters), 0 for the others.");
	for (i = 0; h->up && i < sizeof(states) / sizeof(states[0]); i++) {
		if (!room(o))
			break;
		fputs("madvstat_tracking", o->f);
		label(o, true, "state", states[i]);
		value_u64(o, true, !strcmp(h->tracking_state, states[i]));
	}
}

/* ---- the exporter itself ---------------------------------------------- */

static void self_metrics(struct out *o, const struct ms_host *h,
			 const struct ms_exporter_self *self)
{
	family(o, "madvstat_exporter_scrape_duration_seconds", "gauge",
	       "How long reading the host took for this scrape.");
	if (room(o))
		fprintf(o->f, "madvstat_exporter_scrape_duration_seconds %.6f\n",
			self->scan_seconds);
	family(o, "madvstat_exporter_scrape_errors_total", "counter",
	       "Scrapes that could not read the module's files (unloaded, reloaded, format not understood), since the exporter started.");
	plain(o, "madvstat_exporter_scrape_errors_total", self->scrape_errors);
	family(o, "madvstat_exporter_processes_unreadable", "gauge",
	       "Processes the module refused to the exporter (permission: it needs CAP_SYS_PTRACE).");
	plain(o, "madvstat_exporter_processes_unreadable", h->unreadable);
	family(o, "madvstat_exporter_cgroups_omitted", "gauge",
	       "Cgroups left out of this scrape because --max-cgroups were already reported.");
	plain(o, "madvstat_exporter_cgroups_omitted", h->cgroups_omitted);
	if (om(o))
		fputs("# HELP madvstat_exporter_build The exporter's version.\n"
		      "# TYPE madvstat_exporter_build info\n", o->f);
	else
		fputs("# HELP madvstat_exporter_build_info The exporter's version.\n"
		      "# TYPE madvstat_exporter_build_info gauge\n", o->f);
	if (room(o)) {
		fputs("madvstat_exporter_build_info", o->f);
		label(o, true, "version", MS_VERSION);
		value_u64(o, true, 1);
	}
}

/* Whether a cgroup or a top process is in a pod the logs name. */
static bool any_pod_names(const struct ms_host *h)
{
	size_t i;

	for (i = 0; i < h->nr_cgroups; i++)
		if (ms_cgname_has_pod_names(h->cgroups[i].sum.cgname))
			return true;
	for (i = 0; i < h->nr_top; i++)
		if (ms_cgname_has_pod_names(h->top[i].cgname))
			return true;
	return false;
}

int ms_expfmt_write(FILE *f, enum ms_expfmt fmt, const struct ms_host *h,
		    const struct ms_exporter_self *self, size_t max)
{
	struct out o = { f, fmt, max, false, any_pod_names(h) };

	host(&o, h);
	cgroups(&o, h);
	processes(&o, h);
	self_metrics(&o, h, self);
	if (om(&o))
		fputs("# EOF\n", f);
	return room(&o) ? 0 : -E2BIG;
}

const char *ms_expfmt_content_type(enum ms_expfmt fmt)
{
	return fmt == MS_EXPFMT_OPENMETRICS ?
	       "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	       "text/plain; version=0.0.4; charset=utf-8";
}

/* The q of one media range's parameters (s to end), 1 if none. */
static double weight(const char *s, const char *end)
{
	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));

		s += strspn(s, " \t");
		if (end - s > 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=') {
			char num[8];
			size_t n = (size_t)((semi ? semi : end) - (s + 2));

			if (n >= sizeof(num))
				n = sizeof(num) - 1;
			memcpy(num, s + 2, n);
			num[n] = '\0';
			return strtod(num, NULL);
		}
		s = semi ? semi + 1 : end;
	}
	return 1;
}

static bool type_is(const char *s, size_t len, const char *type)
{
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return strlen(type) == len && !strncasecmp(s, type, len);
}

enum ms_expfmt ms_expfmt_negotiate(const char *accept)
{
	double om_q = 0, text_q = 0;
	const char *s = accept;

	while (s && *s) {
		const char *end = s + strcspn(s, ",");
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *type_end = semi ? semi : end;
		double q;

		s += strspn(s, " \t");
		if (s > type_end)
			s = type_end;
		q = semi ? weight(semi + 1, end) : 1;
		if (type_is(s, (size_t)(type_end - s),
			    "application/openmetrics-text")) {
			if (q > om_q)
				om_q = q;
		} else if (type_is(s, (size_t)(type_end - s), "text/plain") ||
			   type_is(s, (size_t)(type_end - s), "text/*") ||
			   type_is(s, (size_t)(type_end - s), "*/*")) {
			if (q > text_q)
				text_q = q;
		}
		s = *end ? end + 1 : end;
	}
	return om_q > 0 && om_q >= text_q ? MS_EXPFMT_OPENMETRICS :
					    MS_EXPFMT_TEXT;
}
