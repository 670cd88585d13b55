/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the madvstat command prints: the human summary and its verdict, the
 * `top` table, NDJSON and the Prometheus text format. Pure functions of
 * struct ms_proc writing to a FILE *; nothing here reads /proc.
 */
#ifndef MADVSTAT_OUTPUT_H
#define MADVSTAT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cgroupfs.h"
#include "procinfo.h"

enum ms_verdict {
	MS_VERDICT_NO_RSS,	/* nothing resident */
	MS_VERDICT_IN_USE,	/* nothing lazily freed */
	MS_VERDICT_LITTLE_FREED,	/* some, under 10 % of RSS */
	MS_VERDICT_FREED,	/* 10 % of RSS or more lazily freed */
	MS_VERDICT_CANCELLED,	/* more written again than still free */
};

/*
 * Choose the verdict on p and write its one-line, plain-language text
 * (no newline) into buf.
 */
enum ms_verdict ms_out_verdict(const struct ms_proc *p, char *buf,
			       size_t size);

/*
 * The human summary of one process. prev, if not NULL, is the previous
 * sample (watch mode): changes against it are shown beside the values.
 */
void ms_out_human(FILE *f, const struct ms_proc *p,
		  const struct ms_proc *prev, bool vmas);

/*
 * `madvstat explain`: one screen in plain words on p (collected, named,
 * its runtime attached) and its cgroup's memory files m: what it is,
 * what its lazily freed memory means, whether the cgroup's limit is at
 * risk once reclaim took it back, its runtime's switch, what to run.
 */
void ms_out_explain(FILE *f, const struct ms_proc *p,
		    const struct ms_cgroup_mem *m);

/* The line above each watch sample. */
void ms_out_watch_header(FILE *f, unsigned int interval_ms,
			 unsigned long sample);

/* The `top` table of n processes, or of n cgroups if cgroup. */
void ms_out_top(FILE *f, const struct ms_proc *v, size_t n, bool cgroup);

/* One JSON object and a newline; a cgroup sum if cgroup. */
void ms_out_json(FILE *f, const struct ms_proc *p, bool cgroup, bool vmas);

/*
 * str escaped for a JSON string (json) or a Prometheus label value (both
 * formats): quote, backslash and newline escaped, invalid UTF-8 written
 * as U+FFFD; JSON also escapes the other control characters.
 */
void ms_out_escaped(FILE *f, const char *str, bool json);

/*
 * One label of a Prometheus sample: {key="value" when first, else
 * ,key="value"; the value escaped by ms_out_escaped().
 */
void ms_out_prom_label(FILE *f, bool first, const char *key,
		       const char *value);

/*
 * The labels cAdvisor gives a Kubernetes pod's series, with what n knows
 * (podlogs.h), "" where it knows nothing (n may be NULL):
 * ,namespace="..",pod="..",container="..". Every series of a family
 * needs the same label names (node_exporter's textfile collector refuses
 * a file without), so a writer gives them to all or none; Prometheus
 * takes "" for no label. Each is a function of the cgroup: no series is
 * added by them.
 */
void ms_out_prom_pod_labels(FILE *f, const struct ms_cgname *n);

/*
 * The Prometheus text exposition of n processes (or cgroups), with the
 * pod labels when any of them is in a named pod.
 */
void ms_out_prometheus(FILE *f, const struct ms_proc *v, size_t n,
		       bool cgroup);

#endif /* MADVSTAT_OUTPUT_H */
