// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's main loop; see exporter.h.
 */
#include "exporter.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expfmt.h"
#include "hostscan.h"
#include "httpd.h"
#include "textfile.h"

/* The problem logged last, until it ends, and how often it came again. */
struct problem {
	char msg[512];
	unsigned long repeats;
};

struct exporter {
	const struct ms_opts *o;
	struct ms_scan_opts scan;
	FILE *log;
	pthread_mutex_t lock;	/* one scan at a time; guards the rest */
	uint64_t scrape_errors;
	struct problem scan_problem, http_problem;
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

/* A problem: logged when it is new, counted when it repeats. */
static void problem(struct exporter *ex, struct problem *p, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void problem(struct exporter *ex, struct problem *p, const char *fmt,
		    ...)
{
	char msg[sizeof(p->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!strcmp(msg, p->msg)) {
		p->repeats++;
		return;
	}
	log_line(ex, "%s", msg);
	snprintf(p->msg, sizeof(p->msg), "%s", msg);
	p->repeats = 0;
}

static void no_problem(struct exporter *ex, struct problem *p)
{
	if (!p->msg[0])
		return;
	log_line(ex, "scrapes work again (%lu more met the last problem)",
		 p->repeats);
	p->msg[0] = '\0';
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
			problem(ex, &ex->scan_problem,
				"/proc/madvstat not understood: %s (madvstat_up 0)",
				detail);
		else
			problem(ex, &ex->scan_problem,
				"%s: %s; the module unloaded or reloaded? (madvstat_up 0)",
				detail, strerror(-ret));
	} else if (!h.module) {
		problem(ex, &ex->scan_problem, "no %s/madvstat: the module is not loaded (madvstat_up 0; modprobe madvstat)",
			ex->scan.proc);
	} else {
		if (h.cgroups_omitted)
			problem(ex, &ex->scan_problem, "more than %zu cgroups: %zu left out (--max-cgroups)",
				ex->o->max_cgroups, h.cgroups_omitted);
		else
			no_problem(ex, &ex->scan_problem);
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
		problem(ex, &ex->scan_problem, "the metrics exceed %d bytes: lower --max-cgroups or --top",
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
	problem(ex, &ex->http_problem, "HTTP: %s", msg);
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
		problem(ex, &ex->scan_problem, "%s/%s: %s: %s", ex->o->textfile, MS_TEXTFILE_NAME,
			what, strerror(-ret));
		pthread_mutex_unlock(&ex->lock);
	}
	return ret;
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
		    const char *cgroupfs, FILE *log)
{
	struct exporter ex = {
		.o = o, .log = log,
		.scan = { .proc = proc, .cgroupfs = cgroupfs,
			  .top_n = o->exp_top, .max_cgroups = o->max_cgroups },
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
	if (o->once) {
		status = write_textfile(&ex) ? 1 : 0;
		pthread_mutex_destroy(&ex.lock);
		return status;
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
	pthread_mutex_destroy(&ex.lock);
	return status;
}
