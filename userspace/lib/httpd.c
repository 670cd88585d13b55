// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's HTTP server on libmicrohttpd; see httpd.h. We open the
 * listening socket ourselves (so that "[::]" takes IPv4 too and the port
 * is known when it was 0) and hand it to libmicrohttpd, which serves up
 * to max_connections from a pool of MS_HTTPD_THREADS threads, and closes
 * connections idle for timeout_s (slow clients) or whose request headers
 * do not fit in connection_memory (431).
 *
 * A pool, not a thread per connection: in that mode libmicrohttpd 0.9.75
 * keeps accepting at its limit and closes what it accepted (a reset, one
 * in 50 concurrent scrapes in exporter_test), while each thread of a pool
 * stops polling the listening socket at its share of the limit, so that
 * clients beyond it wait in the listen queue.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int ms_listen_parse(const char *s, char *host, size_t hsize,
		    unsigned int *port)
{
	const char *colon = strrchr(s, ':'), *h = s, *p;
	size_t hlen;
	unsigned long v = 0;

	if (!colon || !colon[1])
		return -EINVAL;
	hlen = (size_t)(colon - s);
	if (hlen && s[0] == '[') {
		if (hlen < 3 || s[hlen - 1] != ']')
			return -EINVAL;
		h = s + 1;
		hlen -= 2;
	} else if (memchr(s, ':', hlen) || memchr(s, '[', hlen) ||
		   memchr(s, ']', hlen)) {
		return -EINVAL;	/* IPv6 without brackets */
	}
	for (p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9' || p - colon > 5)
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535 || (host && hlen >= hsize))
		return -EINVAL;
	if (host) {
		memcpy(host, h, hlen);
		host[hlen] = '\0';
	}
	if (port)
		*port = (unsigned int)v;
	return 0;
}

#ifdef MS_HAVE_MHD

#include <microhttpd.h>

/*
 * libmicrohttpd's time-out counts idleness: a client sending a byte now
 * and then (slowloris) would keep its connection, and one of the
 * max_connections, for as long as its headers fit in connection_memory.
 * So each connection also has a deadline for a whole request: a watchdog
 * shuts down the socket of one that sent no complete request within
 * MS_HTTPD_REQUEST_S of connecting or of its previous answer. It holds a
 * dup() of each socket, so that the number can never name another file.
 */
#define MS_HTTPD_REQUEST_S 15
/* Threads serving the connections: scrapes take turns anyway. */
#define MS_HTTPD_THREADS 4

struct conn {
	int fd;		/* dup() of the connection's socket; -1: free */
	double since;	/* waiting for a request since; 0: serving one */
};

struct ms_httpd {
	struct MHD_Daemon *mhd;
	struct ms_httpd_opts o;
	char address[INET6_ADDRSTRLEN + 16];
	pthread_mutex_t lock;	/* guards conns and stop */
	pthread_cond_t wake;
	pthread_t watchdog;
	bool watching, stop;
	struct conn *conns;	/* max_connections of them */
	size_t nr_conns;
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void notify_connection(void *cls, struct MHD_Connection *c,
			      void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct ms_httpd *d = cls;
	const union MHD_ConnectionInfo *info;
	struct conn *slot = *socket_context;
	size_t i;

	pthread_mutex_lock(&d->lock);
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (slot) {
			close(slot->fd);
			slot->fd = -1;
		}
		*socket_context = NULL;
		pthread_mutex_unlock(&d->lock);
		return;
	}
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	for (i = 0; info && i < d->nr_conns; i++) {
		if (d->conns[i].fd >= 0)
			continue;
		d->conns[i].fd = fcntl(info->connect_fd, F_DUPFD_CLOEXEC, 0);
		d->conns[i].since = mono_now();
		if (d->conns[i].fd >= 0)
			*socket_context = &d->conns[i];
		break;
	}
	pthread_mutex_unlock(&d->lock);
}

/* Whether the connection's request is being served (0) or awaited (now). */
static void conn_waiting(struct ms_httpd *d, struct MHD_Connection *c,
			 bool waiting)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *slot = info ? info->socket_context : NULL;

	if (!slot)
		return;
	pthread_mutex_lock(&d->lock);
	slot->since = waiting ? mono_now() : 0;
	pthread_mutex_unlock(&d->lock);
}

static void request_completed(void *cls, struct MHD_Connection *c,
			      void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	(void)con_cls;
	(void)toe;
	conn_waiting(cls, c, true);	/* the next one, on keep-alive */
}

static void *watchdog(void *arg)
{
	struct ms_httpd *d = arg;
	struct timespec ts;
	unsigned long cut;
	size_t i;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		double t = mono_now();

		cut = 0;
		for (i = 0; i < d->nr_conns; i++) {
			struct conn *s = &d->conns[i];

			if (s->fd < 0 || !s->since ||
			    t - s->since < MS_HTTPD_REQUEST_S)
				continue;
			shutdown(s->fd, SHUT_RDWR);
			s->since = 0;
			cut++;
		}
		if (cut && d->o.log) {
			char msg[128];

			snprintf(msg, sizeof(msg),
				 "a client sent no whole request within %d s: connection closed",
				 MS_HTTPD_REQUEST_S);
			pthread_mutex_unlock(&d->lock);
			d->o.log(d->o.arg, msg);
			pthread_mutex_lock(&d->lock);
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&d->wake, &d->lock, &ts);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static int watch_start(struct ms_httpd *d)
{
	pthread_condattr_t attr;
	size_t i;

	d->nr_conns = d->o.max_connections;
	d->conns = calloc(d->nr_conns ? d->nr_conns : 1, sizeof(*d->conns));
	if (!d->conns)
		return -ENOMEM;
	for (i = 0; i < d->nr_conns; i++)
		d->conns[i].fd = -1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&d->watchdog, NULL, watchdog, d))
		return -EAGAIN;
	d->watching = true;
	return 0;
}

static void watch_stop(struct ms_httpd *d)
{
	size_t i;

	if (d->watching) {
		pthread_mutex_lock(&d->lock);
		d->stop = true;
		pthread_cond_signal(&d->wake);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->watchdog, NULL);
	}
	for (i = 0; d->conns && i < d->nr_conns; i++)
		if (d->conns[i].fd >= 0)
			close(d->conns[i].fd);
	free(d->conns);
	if (d->conns) {
		pthread_cond_destroy(&d->wake);
		pthread_mutex_destroy(&d->lock);
	}
}

static const char index_page[] =
	"<!DOCTYPE html>\n"
	"<html><head><meta charset=\"utf-8\"><title>madvstat exporter</title></head>\n"
	"<body><h1>madvstat exporter</h1>\n"
	"<p>Lazily freed (MADV_FREE) memory per cgroup and process, from\n"
	"/proc/madvstat.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n"
	"</body></html>\n";

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct ms_httpd *d = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (d->o.log)
		d->o.log(d->o.arg, msg);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type) ==
	    MHD_NO ||
	    (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
	     MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD") ==
	     MHD_NO)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned int status,
			    const char *msg)
{
	return reply(c, status, "text/plain; charset=utf-8", (char *)msg,
		     strlen(msg), MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result metrics(struct ms_httpd *d, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);
	enum ms_expfmt fmt = ms_expfmt_negotiate(accept);
	char *buf = NULL;
	size_t len = 0;

	if (d->o.metrics(d->o.arg, fmt, &buf, &len))
		return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "madvstat exporter: the metrics could not be made; see its log\n");
	return reply(c, MHD_HTTP_OK, ms_expfmt_content_type(fmt), buf, len,
		     MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	static int seen;	/* any address: the request has started */
	struct ms_httpd *d = cls;

	(void)version;
	(void)upload_data;
	if (!*con_cls) {
		*con_cls = &seen;
		conn_waiting(d, c, false);	/* a whole request came */
		return MHD_YES;	/* the headers; a body may follow */
	}
	if (*upload_data_size) {
		*upload_data_size = 0;	/* a body is ignored */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "Method not allowed: GET or HEAD\n");
	if (!strcmp(url, "/metrics"))
		return metrics(d, c);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (char *)index_page, sizeof(index_page) - 1,
			     MHD_RESPMEM_PERSISTENT);
	return text(c, MHD_HTTP_NOT_FOUND, "Not found: try /metrics\n");
}

/* A listening socket for host:port; -errno and err on failure. */
static int listen_on(const char *host, unsigned int port, struct ms_httpd *d,
		     char *err, size_t errsize)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char portstr[8], ip[INET6_ADDRSTRLEN];
	int fd = -1, one = 1, zero = 0, saved = 0, gai;

	snprintf(portstr, sizeof(portstr), "%u", port);
	/* Every address: IPv6's, which takes IPv4 too, else IPv4's. */
	if (!*host)
		hints.ai_family = AF_INET6;
	gai = getaddrinfo(*host ? host : NULL, portstr, &hints, &res);
	if (gai && !*host) {
		hints.ai_family = AF_INET;
		gai = getaddrinfo(NULL, portstr, &hints, &res);
	}
	if (gai) {
		snprintf(err, errsize, "cannot resolve '%s': %s", host,
			 gai_strerror(gai));
		return -EINVAL;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6 && !*host)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				   sizeof(zero));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0 && !*host && hints.ai_family == AF_INET6) {
		/* No IPv6 on this host: IPv4 alone. */
		return listen_on("0.0.0.0", port, d, err, errsize);
	}
	if (fd < 0) {
		snprintf(err, errsize, "cannot listen on %s:%u: %s",
			 *host ? host : "*", port, strerror(saved));
		return -saved;
	}
	getsockname(fd, (struct sockaddr *)&ss, &sslen);
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		snprintf(d->address, sizeof(d->address), "[%s]:%u", ip,
			 ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		snprintf(d->address, sizeof(d->address), "%s:%u", ip,
			 ntohs(a->sin_port));
	}
	return fd;
}

int ms_httpd_start(const struct ms_httpd_opts *o, struct ms_httpd **out,
		   char *err, size_t errsize)
{
	char host[256];
	unsigned int port;
	struct ms_httpd *d;
	int fd;

	if (ms_listen_parse(o->listen, host, sizeof(host), &port)) {
		snprintf(err, errsize, "invalid listen address '%s'",
			 o->listen);
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	d->o = *o;
	fd = listen_on(host, port, d, err, errsize);
	if (fd < 0) {
		free(d);
		return fd;
	}
	if (watch_start(d)) {
		snprintf(err, errsize, "cannot start the connection watchdog");
		goto fail;
	}
	d->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				  MHD_USE_POLL | MHD_USE_ITC |
				  MHD_USE_ERROR_LOG,
				  0, NULL, NULL, handle, d,
				  MHD_OPTION_THREAD_POOL_SIZE,
				  (unsigned int)MS_HTTPD_THREADS,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, d,
				  MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_LIMIT,
				  o->max_connections,
				  MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  o->connection_memory,
				  MHD_OPTION_THREAD_STACK_SIZE,
				  (size_t)(1 << 20),
				  MHD_OPTION_NOTIFY_CONNECTION,
				  notify_connection, d,
				  MHD_OPTION_NOTIFY_COMPLETED,
				  request_completed, d,
				  MHD_OPTION_END);
	if (d->mhd) {
		*out = d;
		return 0;
	}
	snprintf(err, errsize, "libmicrohttpd could not start on %s",
		 d->address);
fail:
	watch_stop(d);
	close(fd);
	free(d);
	return -EIO;
}

const char *ms_httpd_address(const struct ms_httpd *d)
{
	return d->address;
}

void ms_httpd_stop(struct ms_httpd *d)
{
	if (!d)
		return;
	MHD_stop_daemon(d->mhd);	/* closes the listening socket too */
	watch_stop(d);
	free(d);
}

#else /* !MS_HAVE_MHD */

struct ms_httpd {
	int unused;
};

int ms_httpd_start(const struct ms_httpd_opts *o, struct ms_httpd **out,
		   char *err, size_t errsize)
{
	(void)o;
	*out = NULL;
	snprintf(err, errsize,
		 "this madvstat was built without libmicrohttpd: no HTTP; use --textfile");
	return -ENOTSUP;
}

const char *ms_httpd_address(const struct ms_httpd *d)
{
	(void)d;
	return "";
}

void ms_httpd_stop(struct ms_httpd *d)
{
	(void)d;
}

#endif /* MS_HAVE_MHD */
