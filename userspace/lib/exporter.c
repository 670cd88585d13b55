// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's main loop; see exporter.h.
 */
#include "exporter.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "expfmt.h"
#include "hostscan.h"
#include "httpd.h"
#include "rtcache.h"
#include "textfile.h"

/*
 * The problems logged lately. One that comes back within
 * PROBLEM_QUIET_S of being logged is counted, not logged again, so that
 * a module reloaded in a loop or a client sending garbage makes a few
 * lines, not one per scrape.
 */
#define PROBLEM_RECENT 8
#define PROBLEM_QUIET_S 600.0
#define RECOVERY_QUIET_S 60.0

struct problems {
	struct {
		char msg[256];
		double at;	/* when logged; 0: a free slot */
		unsigned long repeats;
	} recent[PROBLEM_RECENT];
	bool failing;		/* since the last scrape that worked */
	double recovered_at;	/* when "work again" was logged */
};

struct exporter {
	const struct ms_opts *o;
	struct ms_scan_opts scan;
	FILE *log;
	pthread_mutex_t lock;	/* one scan at a time; guards the rest */
	uint64_t scrape_errors;
	char *cgroup_root;	/* of ex->scan, malloc()ed */
	struct problems scan_problems, http_problems, names_problems;
};

static void log_line(struct exporter *ex, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_line(struct exporter *ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("madvstat exporter: ", ex->log);
	vfprintf(ex->log, fmt, ap);
	fputc('\n', ex->log);
	fflush(ex->log);
	va_end(ap);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A problem: logged unless it was lately; counted either way. */
static void problem(struct exporter *ex, struct problems *p, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void problem(struct exporter *ex, struct problems *p, const char *fmt,
		    ...)
{
	char msg[sizeof(p->recent[0].msg)];
	double t = now();
	size_t i, oldest = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->failing = true;
	for (i = 0; i < PROBLEM_RECENT; i++) {
		if (p->recent[i].at && t - p->recent[i].at < PROBLEM_QUIET_S &&
		    !strcmp(p->recent[i].msg, msg)) {
			p->recent[i].repeats++;
			return;
		}
		if (p->recent[i].at < p->recent[oldest].at)
			oldest = i;
	}
	if (p->recent[oldest].repeats)
		log_line(ex, "(\"%.60s...\" came back %lu times)",
			 p->recent[oldest].msg, p->recent[oldest].repeats);
	log_line(ex, "%s", msg);
	snprintf(p->recent[oldest].msg, sizeof(p->recent[oldest].msg), "%s",
		 msg);
	p->recent[oldest].at = t;
	p->recent[oldest].repeats = 0;
}

/* A scrape worked: say so once after problems, at most once a minute. */
static void no_problem(struct exporter *ex, struct problems *p)
{
	double t = now();

	if (!p->failing)
		return;
	p->failing = false;
	if (p->recovered_at && t - p->recovered_at < RECOVERY_QUIET_S)
		return;
	p->recovered_at = t;
	log_line(ex, "scrapes work again");
}

/* Scan, then render in fmt into a malloc()ed buffer. Under ex->lock. */
static int scrape_locked(struct exporter *ex, enum ms_expfmt fmt, char **buf,
			 size_t *len)
{
	struct ms_exporter_self self = { 0 };
	struct ms_host h;
	const char *detail;
	double start = now();
	FILE *f;
	int ret;

	ret = ms_host_scan(&ex->scan, &h, &detail);
	self.scan_seconds = now() - start;
	if (ret) {
		ex->scrape_errors++;
		h.up = false;
		if (ret == -EBADMSG)
			problem(ex, &ex->scan_problems,
				"/proc/madvstat not understood: %s (madvstat_up 0)",
				detail);
		else
			problem(ex, &ex->scan_problems,
				"%s: %s (madvstat_up 0; the module unloaded or reloaded?)",
				detail, strerror(-ret));
	} else if (!h.module) {
		problem(ex, &ex->scan_problems, "no %s/madvstat: the module is not loaded (madvstat_up 0; modprobe madvstat)",
			ex->scan.proc);
	} else {
		if (h.cgroups_omitted)
			problem(ex, &ex->scan_problems, "more than %zu cgroups: %zu left out (--max-cgroups)",
				ex->o->max_cgroups, h.cgroups_omitted);
		else
			no_problem(ex, &ex->scan_problems);
		/* Not a failed scrape: said, never "works again". */
		if (h.logs_err)
			problem(ex, &ex->names_problems, "%s: %s: no namespace, pod and container labels (a container needs the kubelet's /var/log/pods and /var/log/containers mounted)",
				h.logs_dir, strerror(-h.logs_err));
	}
	self.scrape_errors = ex->scrape_errors;
	*buf = NULL;
	f = open_memstream(buf, len);
	if (!f) {
		ms_host_free(&h);
		return -ENOMEM;
	}
	ret = ms_expfmt_write(f, fmt, &h, &self, MS_EXPORTER_MAX_OUTPUT);
	ms_host_free(&h);
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (ret) {
		ex->scrape_errors++;
		problem(ex, &ex->scan_problems, "the metrics exceed %d bytes: lower --max-cgroups or --top",
			MS_EXPORTER_MAX_OUTPUT);
		free(*buf);
		*buf = NULL;
	}
	return ret;
}

static int scrape(void *arg, enum ms_expfmt fmt, char **buf, size_t *len)
{
	struct exporter *ex = arg;
	int ret;

	pthread_mutex_lock(&ex->lock);
	ret = scrape_locked(ex, fmt, buf, len);
	pthread_mutex_unlock(&ex->lock);
	return ret;
}

static void http_log(void *arg, const char *msg)
{
	struct exporter *ex = arg;

	pthread_mutex_lock(&ex->lock);
	problem(ex, &ex->http_problems, "HTTP: %s", msg);
	pthread_mutex_unlock(&ex->lock);
}

static int write_textfile(struct exporter *ex)
{
	const char *what;
	size_t len;
	char *buf;
	int ret = scrape(ex, MS_EXPFMT_TEXT, &buf, &len);

	if (ret)
		return ret;
	ret = ms_textfile_write(ex->o->textfile, MS_TEXTFILE_NAME, buf, len,
				&what);
	free(buf);
	if (ret) {
		pthread_mutex_lock(&ex->lock);
		problem(ex, &ex->scan_problems, "%s/%s: %s: %s", ex->o->textfile, MS_TEXTFILE_NAME,
			what, strerror(-ret));
		pthread_mutex_unlock(&ex->lock);
	}
	return ret;
}

/*
 * In a container's cgroup namespace the kernel writes cgroup paths from
 * its root: find where that is in the cgroupfs, so that labels are host
 * paths and each cgroup's files can be read.
 */
static void find_cgroup_root(struct exporter *ex)
{
	int ret = ms_host_cgroup_root(ex->scan.proc, ex->scan.cgroupfs,
				      (long)getpid(), &ex->cgroup_root);

	if (ret) {
		log_line(ex, "%s/self/cgroup says '/', but no cgroup.procs of the cgroup2 at %s lists this process (%s): cgroups named as the kernel writes them (in a container: mount the host's cgroup2 there)",
			 ex->scan.proc, ex->scan.cgroupfs, strerror(-ret));
		return;
	}
	if (*ex->cgroup_root)
		log_line(ex, "in a cgroup namespace rooted at %s: cgroups are named by their host paths",
			 ex->cgroup_root);
	ex->scan.cgroup_root = ex->cgroup_root;
}

/* Wait for SIGTERM or SIGINT, writing the textfile every interval. */
static void serve(struct exporter *ex, const sigset_t *stop)
{
	struct timespec ts = { .tv_sec = ex->o->interval_ms / 1000,
			       .tv_nsec = (long)(ex->o->interval_ms % 1000) *
					  1000000L };
	int sig;

	for (;;) {
		if (ex->o->textfile) {
			write_textfile(ex);
			sig = sigtimedwait(stop, NULL, &ts);
		} else {
			sig = sigwaitinfo(stop, NULL);
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	log_line(ex, "stopping on %s", strsignal(sig));
}

int ms_exporter_run(const struct ms_opts *o, const char *proc,
		    const char *cgroupfs, const char *logdir, FILE *log)
{
	struct exporter ex = {
		.o = o, .log = log,
		.scan = { .proc = proc, .cgroupfs = cgroupfs,
			  .top_n = o->exp_top, .max_cgroups = o->max_cgroups,
			  .logdir = logdir },
	};
	struct ms_httpd_opts ho = {
		.listen = o->listen, .metrics = scrape, .log = http_log,
		.arg = &ex, .max_connections = MS_EXPORTER_CONNECTIONS,
		.timeout_s = MS_EXPORTER_TIMEOUT_S,
		.connection_memory = MS_EXPORTER_CONN_MEMORY,
	};
	struct ms_httpd *d = NULL;
	sigset_t stop, old;
	char err[256];
	int status = 0;

	pthread_mutex_init(&ex.lock, NULL);
	/* Scrapes use it under ex.lock; without it, no memory between them. */
	ex.scan.rt_cache = ms_rt_cache_new();
	find_cgroup_root(&ex);
	if (o->once) {
		status = write_textfile(&ex) ? 1 : 0;
		goto done;
	}
	/* Every thread libmicrohttpd starts inherits this mask. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	signal(SIGPIPE, SIG_IGN);
	if (o->listen) {
		if (ms_httpd_start(&ho, &d, err, sizeof(err))) {
			log_line(&ex, "%s", err);
			status = 1;
			goto out;
		}
		log_line(&ex, "listening on %s", ms_httpd_address(d));
	}
	if (o->textfile)
		log_line(&ex, "writing %s/%s every %u.%03u s", o->textfile,
			 MS_TEXTFILE_NAME, o->interval_ms / 1000,
			 o->interval_ms % 1000);
	serve(&ex, &stop);
	ms_httpd_stop(d);
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
done:
	ms_rt_cache_free(ex.scan.rt_cache);
	free(ex.cgroup_root);
	pthread_mutex_destroy(&ex.lock);
	return status;
}
