// SPDX-License-Identifier: GPL-2.0
/*
 * The madvstat commands: PIDs, watch, top.
 */
#include "commands.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "naming.h"
#include "output.h"
#include "procinfo.h"
#include "proctable.h"
#include "record.h"
#include "runtime.h"

struct ctx {
	const struct ms_opts *o;
	const char *proc, *cgroupfs;
	bool module;
	FILE *out, *err;
	struct ms_namer namer;	/* names for the cgroups shown */
};

static void warn_no_module(const struct ctx *c)
{
	fprintf(c->err,
		"madvstat: %s/madvstat not found (module not loaded): showing Rss and LazyFree from smaps_rollup; LazyFreeDirty, Reclaimed, Rescued and Dropped need the module: sudo modprobe madvstat (or insmod madvstat.ko)\n",
		c->proc);
}

static void report_error(const struct ctx *c, int pid, int ret,
			 const char *detail)
{
	fprintf(c->err, "madvstat: %d: %s%s%s\n", pid,
		ms_proc_strerror(ret, c->module),
		ret == -EBADMSG && detail && *detail ? ": " : "",
		ret == -EBADMSG && detail ? detail : "");
}

/* p's runtime, when it has lazily freed memory; not shown if no memory. */
static void identify(const struct ctx *c, struct ms_proc *p)
{
	if (ms_rt_attach(c->proc, p))
		fprintf(c->err, "madvstat: %d: out of memory identifying its runtime\n",
			p->pid);
}

/* The kubelet's logs were needed and could not be listed: say so once. */
static void warn_logs(const struct ctx *c)
{
	char dir[PATH_MAX];
	int err = ms_namer_logs_error(&c->namer, dir, sizeof(dir));

	if (err)
		fprintf(c->err, "madvstat: %s: %s: pods and containers named by UID and id only\n",
			dir, strerror(-err));
}

/* Name the cgroups of v[0..n); false (said) when out of memory. */
static bool name_all(struct ctx *c, struct ms_proc *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ms_namer_name(&c->namer, &v[i])) {
			fprintf(c->err, "madvstat: out of memory\n");
			return false;
		}
	}
	return true;
}

static int collect(struct ctx *c, int pid, bool vmas, struct ms_proc *p)
{
	const char *detail = NULL;
	int ret = ms_proc_collect(c->proc, c->module, pid, vmas, p, &detail);

	if (ret) {
		report_error(c, pid, ret, detail);
	} else if (!name_all(c, p, 1)) {
		ms_proc_free(p);
		ret = -ENOMEM;
	} else {
		identify(c, p);
	}
	return ret;
}

static void print_one(const struct ctx *c, const struct ms_proc *p,
		      bool first)
{
	if (c->o->format == MS_FMT_JSON) {
		ms_out_json(c->out, p, false, c->o->vmas);
		return;
	}
	if (!first)
		fputc('\n', c->out);
	ms_out_human(c->out, p, NULL, c->o->vmas);
}

static int run_pids(struct ctx *c)
{
	const struct ms_opts *o = c->o;
	struct ms_proc *v = calloc(o->nr_pids, sizeof(*v));
	size_t i, n = 0;
	int status = 0;

	if (!v) {
		fprintf(c->err, "madvstat: out of memory\n");
		return 1;
	}
	for (i = 0; i < o->nr_pids; i++) {
		if (collect(c, o->pids[i], o->vmas, &v[n])) {
			status = 1;
			continue;
		}
		if (o->format != MS_FMT_PROMETHEUS)
			print_one(c, &v[n], n == 0);
		n++;
	}
	if (o->format == MS_FMT_PROMETHEUS)
		ms_out_prometheus(c->out, v, n, false);
	ms_top_free(v, n);
	return status;
}

/* Set by SIGINT or SIGTERM when a watch has files to finish. */
static volatile sig_atomic_t stop_watch;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_watch = 1;
}

/* SIGINT and SIGTERM end the watch at the next sample or sleep. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (!stop_watch && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void print_sample(const struct ctx *c, const struct ms_proc *p,
			 const struct ms_proc *prev, unsigned long sample,
			 bool tty)
{
	if (c->o->csv && !strcmp(c->o->csv, "-"))
		return;		/* the CSV is the output */
	if (c->o->format == MS_FMT_JSON) {
		ms_out_json(c->out, p, false, c->o->vmas);
	} else {
		if (tty)
			fputs("\033[H\033[2J", c->out);
		else if (sample > 1)
			fputc('\n', c->out);
		ms_out_watch_header(c->out, c->o->watch_ms, sample);
		ms_out_human(c->out, p, prev, c->o->vmas);
	}
	fflush(c->out);
}

/* The chart's title: the process, its name, and how often it was read. */
static void chart_title(const struct ctx *c, const struct ms_proc *p,
			char *buf, size_t size)
{
	snprintf(buf, size, "madvstat: %d (%s), every %u.%03u s",
		 c->o->pids[0], p->comm[0] ? p->comm : "?",
		 c->o->watch_ms / 1000, c->o->watch_ms % 1000);
}

static int run_watch(struct ctx *c)
{
	const struct ms_opts *o = c->o;
	int pid = o->pids[0], fd = fileno(c->out);
	bool tty = fd >= 0 && isatty(fd);
	struct ms_proc prev = { 0 }, cur;
	struct ms_recorder rec;
	unsigned long sample;
	char title[160];
	int status = 0, drawn;

	if (ms_recorder_open(&rec, o->csv, o->svg, c->out, c->err))
		return 1;
	if (o->csv || o->svg)
		catch_stop_signals();
	for (sample = 1; !stop_watch; sample++) {
		const char *detail = NULL;
		int ret = ms_proc_collect(c->proc, c->module, pid, o->vmas,
					  &cur, &detail);

		if (ret && sample > 1 && (ret == -ENOENT || ret == -ESRCH)) {
			fprintf(c->err, "madvstat: %d: the process exited\n",
				pid);
		} else if (ret) {
			report_error(c, pid, ret, detail);
		} else if (!name_all(c, &cur, 1)) {
			ms_proc_free(&cur);
			ret = -ENOMEM;
		}
		if (ret) {
			status = 1;
			break;
		}
		identify(c, &cur);
		print_sample(c, &cur, sample > 1 ? &prev : NULL, sample, tty);
		if (ms_recorder_add(&rec, &cur, sample > 1 ? &prev : NULL,
				    c->err))
			status = 1;
		ms_proc_free(&prev);
		prev = cur;
		if (status || (o->count && sample == o->count))
			break;
		sleep_ms(o->watch_ms);
	}
	chart_title(c, &prev, title, sizeof(title));
	drawn = rec.n;
	if (ms_recorder_close(&rec, title, c->err))
		status = 1;
	else if (o->svg)
		fprintf(c->err, "madvstat: chart of %d sample%s in %s\n",
			drawn, drawn == 1 ? "" : "s", o->svg);
	ms_proc_free(&prev);
	return status;
}

/* explain: the process, and its cgroup's memory files. */
static int run_explain(struct ctx *c)
{
	struct ms_cgroup_mem m = { .current_err = -ENOENT,
				   .high_err = -ENOENT, .max_err = -ENOENT };
	char dir[PATH_MAX];
	struct ms_proc p;
	int ret;

	if (collect(c, c->o->pids[0], false, &p))
		return 1;
	if (p.cgroup && !strcmp(p.cgroup, "/")) {
		/* the root cgroup: no limit, no memory.current */
		m.high_err = m.max_err = -ERANGE;
	} else if (p.cgroup) {
		ret = ms_cgroup_dir(c->cgroupfs, p.cgroup, dir, sizeof(dir));
		if (ret)
			m.current_err = m.high_err = m.max_err = ret;
		else
			ms_cgroup_read_mem(dir, &m);
	}
	ms_out_explain(c->out, &p, &m);
	ms_proc_free(&p);
	return 0;
}

/* Collect every listed process; count those refused. */
static size_t collect_all(const struct ctx *c, const int *pids, size_t n,
			  struct ms_proc *v, size_t *denied)
{
	size_t i, nr = 0;

	*denied = 0;
	for (i = 0; i < n; i++) {
		const char *detail = NULL;
		int ret = ms_proc_collect(c->proc, c->module, pids[i], false,
					  &v[nr], &detail);

		if (!ret)
			nr++;
		else if (ret == -EACCES)
			(*denied)++;
		else if (ret != -ENOENT && ret != -ESRCH)
			report_error(c, pids[i], ret, detail);
		/* else it exited, or is a kernel thread: not a process */
	}
	return nr;
}

/* The processes of the table, appended to a growing array. */
struct rows {
	struct ms_proc *v;
	size_t n, cap;
};

static int add_row(void *arg, struct ms_proc *p)
{
	struct rows *r = arg;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct ms_proc *grown = realloc(r->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		r->v = grown;
		r->cap = cap;
	}
	r->v[r->n++] = *p;
	p->cgroup = NULL;	/* the array's now */
	p->cgname = NULL;
	return 0;
}

/*
 * Every process from /proc/madvstat/processes, in one read. Returns 0,
 * -ENOENT when the module has no table (then each entry is read), or an
 * error it reported.
 */
static int collect_table(const struct ctx *c, struct rows *r, size_t *denied)
{
	struct ms_table t;
	const char *detail;
	int ret;

	ms_table_init(&t, add_row, r);
	ret = ms_table_read(&t, c->proc, &detail);
	*denied = t.unreadable;
	if (!ret || ret == -ENOENT)
		return ret;
	if (ret == -EBADMSG)
		fprintf(c->err, "madvstat: unexpected format of %s/madvstat/processes, line %u: %s\n",
			c->proc, t.line, detail);
	else
		fprintf(c->err, "madvstat: reading %s/madvstat/processes: %s\n",
			c->proc, strerror(-ret));
	return ret;
}

/* Every process from its own entry (an older module, or no module). */
static int collect_each(const struct ctx *c, struct rows *r, size_t *denied)
{
	int *pids = NULL;
	long n;

	n = ms_proc_list_pids(c->proc, c->module, &pids);
	if (n < 0) {
		fprintf(c->err, "madvstat: cannot list %s%s: %s\n", c->proc,
			c->module ? "/madvstat" : "", strerror((int)-n));
		return (int)n;
	}
	r->v = calloc(n ? (size_t)n : 1, sizeof(*r->v));
	if (!r->v) {
		free(pids);
		fprintf(c->err, "madvstat: out of memory\n");
		return -ENOMEM;
	}
	r->n = collect_all(c, pids, (size_t)n, r->v, denied);
	free(pids);
	return 0;
}

/* How many of n rows `top` shows. */
static size_t shown(const struct ctx *c, size_t n)
{
	return c->o->top_n && c->o->top_n < n ? c->o->top_n : n;
}

static void print_top(const struct ctx *c, const struct ms_proc *v,
		      size_t n, size_t total, size_t nprocs)
{
	const struct ms_opts *o = c->o;
	size_t nr_shown = shown(c, n);
	size_t i;

	switch (o->format) {
	case MS_FMT_JSON:
		for (i = 0; i < nr_shown; i++)
			ms_out_json(c->out, &v[i], o->cgroup, false);
		break;
	case MS_FMT_PROMETHEUS:
		ms_out_prometheus(c->out, v, nr_shown, o->cgroup);
		break;
	case MS_FMT_HUMAN:
		fprintf(c->out, "madvstat top: %zu process%s", nprocs,
			nprocs == 1 ? "" : "es");
		if (o->cgroup)
			fprintf(c->out, " in %zu cgroup%s", total,
				total == 1 ? "" : "s");
		fprintf(c->out, " (from %s), sorted by %s, first %zu\n",
			c->module ? "/proc/madvstat" : "smaps_rollup",
			ms_top_sort_name(o->sort), nr_shown);
		ms_out_top(c->out, v, nr_shown, o->cgroup);
		break;
	}
}

static int run_top(struct ctx *c)
{
	struct ms_proc *groups = NULL;
	struct rows r = { 0 };
	size_t denied = 0;
	long ng = 0;
	int ret = -ENOENT;

	if (c->module)
		ret = collect_table(c, &r, &denied);
	if (ret == -ENOENT)
		ret = collect_each(c, &r, &denied);
	if (ret) {
		if (ret == -ENOMEM)
			fprintf(c->err, "madvstat: out of memory\n");
		ms_top_free(r.v, r.n);
		return 1;
	}
	if (c->o->cgroup) {
		ng = ms_top_by_cgroup(r.v, r.n, &groups);
		if (ng < 0) {
			fprintf(c->err, "madvstat: out of memory\n");
			ms_top_free(r.v, r.n);
			return 1;
		}
		ms_top_sort(groups, (size_t)ng, c->o->sort);
		if (!name_all(c, groups, shown(c, (size_t)ng))) {
			ms_top_free(groups, (size_t)ng);
			ms_top_free(r.v, r.n);
			return 1;
		}
		print_top(c, groups, (size_t)ng, (size_t)ng, r.n);
	} else {
		ms_top_sort(r.v, r.n, c->o->sort);
		if (!name_all(c, r.v, shown(c, r.n))) {
			ms_top_free(r.v, r.n);
			return 1;
		}
		print_top(c, r.v, r.n, r.n, r.n);
	}
	if (denied)
		fprintf(c->err,
			"madvstat: %zu process%s not readable (permission)\n",
			denied, denied == 1 ? "" : "es");
	ms_top_free(groups, (size_t)ng);
	ms_top_free(r.v, r.n);
	return 0;
}

int ms_cmd_run(const struct ms_opts *o, const char *proc,
	       const char *cgroupfs, const char *logdir, FILE *out, FILE *err)
{
	struct ctx c = { .o = o, .proc = proc, .cgroupfs = cgroupfs,
			 .out = out, .err = err };
	int status;

	c.module = !o->no_module && ms_proc_module_loaded(proc);
	/* explain says it on its screen */
	if (!c.module && !o->no_module && o->cmd != MS_CMD_EXPLAIN)
		warn_no_module(&c);
	ms_namer_init(&c.namer, logdir);
	if (o->cmd == MS_CMD_TOP)
		status = run_top(&c);
	else if (o->cmd == MS_CMD_EXPLAIN)
		status = run_explain(&c);
	else if (o->watch_ms)
		status = run_watch(&c);
	else
		status = run_pids(&c);
	warn_logs(&c);
	ms_namer_free(&c.namer);
	return status;
}
