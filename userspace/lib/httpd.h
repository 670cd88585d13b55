/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's HTTP server, on libmicrohttpd: GET and HEAD of / (a
 * page linking to /metrics) and /metrics; 404 for other paths, 405 for
 * other methods. HTTP itself (request parsing, limits, time-outs) is
 * libmicrohttpd's. Built without it (-DMS_HAVE_MHD unset: the static
 * programs of the guests), ms_httpd_start() fails with -ENOTSUP.
 */
#ifndef MADVSTAT_HTTPD_H
#define MADVSTAT_HTTPD_H

#include <stddef.h>

#include "expfmt.h"

/*
 * The exposition in fmt, in a malloc()ed buffer *buf of *len bytes, or a
 * negative errno (a 500 then).
 */
typedef int (*ms_httpd_metrics_fn)(void *arg, enum ms_expfmt fmt,
				   char **buf, size_t *len);
/* One line about a problem, without a newline. */
typedef void (*ms_httpd_log_fn)(void *arg, const char *msg);

struct ms_httpd_opts {
	const char *listen;		/* [ADDR]:PORT */
	ms_httpd_metrics_fn metrics;
	ms_httpd_log_fn log;
	void *arg;			/* passed to both */
	unsigned int max_connections;	/* at once; more wait to connect */
	unsigned int timeout_s;		/* idle connection closed after */
	size_t connection_memory;	/* per connection: request headers */
};

struct ms_httpd;

/*
 * Split "[ADDR]:PORT" (ADDR empty: every address; an IPv6 address in
 * brackets) into host (hsize bytes; "" for every address) and port. Returns
 * 0, or -EINVAL. host and port may be NULL to only check.
 */
int ms_listen_parse(const char *s, char *host, size_t hsize,
		    unsigned int *port);

/*
 * Listen and serve from a pool of libmicrohttpd's threads. Returns 0 and *out,
 * or a negative errno with a message in err.
 */
int ms_httpd_start(const struct ms_httpd_opts *o, struct ms_httpd **out,
		   char *err, size_t errsize);
/* Where it listens, as "ADDR:PORT" ("[ADDR]:PORT" for IPv6). */
const char *ms_httpd_address(const struct ms_httpd *d);
/* Close the listening socket and every connection; free d. */
void ms_httpd_stop(struct ms_httpd *d);

#endif /* MADVSTAT_HTTPD_H */
