/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's metrics, written in the Prometheus text format 0.0.4 or
 * in OpenMetrics 1.0 (Documentation/exporter.rst lists them). Nothing here
 * reads the host: it renders a struct ms_host.
 */
#ifndef MADVSTAT_EXPFMT_H
#define MADVSTAT_EXPFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hostscan.h"

enum ms_expfmt {
	MS_EXPFMT_TEXT,		/* text/plain; version=0.0.4 */
	MS_EXPFMT_OPENMETRICS,	/* application/openmetrics-text; 1.0.0 */
};

/* What the exporter says of itself. */
struct ms_exporter_self {
	double scan_seconds;	/* how long the scan took */
	uint64_t scrape_errors;	/* scans that failed, since start */
};

/*
 * Write every metric of h to f. Returns 0, or -E2BIG as soon as more than
 * max bytes are written (f then holds a cut exposition, to be thrown away).
 */
int ms_expfmt_write(FILE *f, enum ms_expfmt fmt, const struct ms_host *h,
		    const struct ms_exporter_self *self, size_t max);

/* The Content-Type header of fmt. */
const char *ms_expfmt_content_type(enum ms_expfmt fmt);

/*
 * The format an Accept header asks for: OpenMetrics when it accepts
 * application/openmetrics-text with a weight (q) above 0 and no lower
 * than that of text/plain; else the text format. accept may be NULL.
 */
enum ms_expfmt ms_expfmt_negotiate(const char *accept);

#endif /* MADVSTAT_EXPFMT_H */
