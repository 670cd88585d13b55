// SPDX-License-Identifier: GPL-2.0
/*
 * Timeline samples: reading, printing and CSV. See timeline.h.
 */
#include "timeline.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"
#include "size.h"

static int64_t ms_sample_kb(const struct ms_proc *p, enum ms_val v)
{
	return p->known[v] ? (int64_t)(p->val[v] >> 10) : -1;
}

void ms_sample_set(struct ms_sample *s, const struct ms_proc *p)
{
	s->from_module = p->source == MS_SRC_MODULE;
	s->rss_kb = ms_sample_kb(p, MS_RSS);
	s->anon_kb = ms_sample_kb(p, MS_RSS_ANON);
	s->lazy_kb = ms_sample_kb(p, MS_LAZYFREE);
	s->dirty_kb = ms_sample_kb(p, MS_LAZYFREE_DIRTY);
	s->reclaimed_kb = ms_sample_kb(p, MS_RECLAIMED);
}

int ms_sample_read(pid_t pid, struct ms_sample *s)
{
	struct ms_proc p;
	int err = ms_proc_collect("/proc", true, (int)pid, false, &p, NULL);

	/* No module, or not allowed to read it: what smaps_rollup has. */
	if (err)
		err = ms_proc_collect("/proc", false, (int)pid, false, &p, NULL);
	if (err)
		return err;
	ms_sample_set(s, &p);
	ms_proc_free(&p);
	return 0;
}

/* A size in kB as ms_size_str() writes it, or "-" when unknown (-1). */
static const char *ms_sample_size(int64_t kb, char *buf, size_t size)
{
	if (kb < 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	/* Saturated: a value read back from CSV may be beyond 16 EiB. */
	return ms_size_str((uint64_t)kb > UINT64_MAX >> 10 ? UINT64_MAX :
			   (uint64_t)kb << 10, buf, size);
}

void ms_sample_print_header(FILE *f)
{
	fprintf(f, "%8s  %-22s %10s %10s %10s %13s %10s  %s\n", "elapsed",
		"step", "Rss", "RssAnon", "LazyFree", "LazyFreeDirty",
		"Reclaimed", "source");
}

void ms_sample_print(FILE *f, const struct ms_sample *s)
{
	char a[5][MS_SIZE_STR_LEN];

	fprintf(f, "%7.3fs  %-22s %10s %10s %10s %13s %10s  %s\n",
		s->elapsed, s->step,
		ms_sample_size(s->rss_kb, a[0], sizeof(a[0])),
		ms_sample_size(s->anon_kb, a[1], sizeof(a[1])),
		ms_sample_size(s->lazy_kb, a[2], sizeof(a[2])),
		ms_sample_size(s->dirty_kb, a[3], sizeof(a[3])),
		ms_sample_size(s->reclaimed_kb, a[4], sizeof(a[4])),
		s->from_module ? "madvstat" : "smaps_rollup");
	fflush(f);
}

static void ms_csv_num(FILE *f, int64_t v)
{
	if (v >= 0)
		fprintf(f, "%ld", (long)v);
	fputc(',', f);
}

/* Steps are our own words: no commas or quotes to escape. */
void ms_sample_csv(FILE *f, const struct ms_sample *s)
{
	fprintf(f, "%.3f,%s,", s->elapsed, s->step);
	ms_csv_num(f, s->rss_kb);
	ms_csv_num(f, s->anon_kb);
	ms_csv_num(f, s->lazy_kb);
	ms_csv_num(f, s->dirty_kb);
	ms_csv_num(f, s->reclaimed_kb);
	fprintf(f, "%s\n", s->from_module ? "madvstat" : "smaps_rollup");
}

/* One CSV cell of a number: empty means unknown (-1). */
static int ms_csv_cell(char **p, int64_t *v)
{
	char *end, *comma = strchr(*p, ',');

	if (!comma)
		return -1;
	*comma = '\0';
	if (**p == '\0') {
		*v = -1;
	} else {
		errno = 0;
		*v = strtoll(*p, &end, 10);
		if (errno || *end || *v < 0)
			return -1;
	}
	*p = comma + 1;
	return 0;
}

static int ms_csv_line(char *line, struct ms_sample *s)
{
	char *p = line, *end, *comma;

	memset(s, 0, sizeof(*s));
	errno = 0;
	s->elapsed = strtod(p, &end);
	if (errno || end == p || *end != ',' || !isfinite(s->elapsed) ||
	    s->elapsed < 0 || s->elapsed > MS_ELAPSED_MAX)
		return -1;
	p = end + 1;
	comma = strchr(p, ',');
	if (!comma || (size_t)(comma - p) >= sizeof(s->step))
		return -1;
	memcpy(s->step, p, (size_t)(comma - p));
	p = comma + 1;
	if (ms_csv_cell(&p, &s->rss_kb) || ms_csv_cell(&p, &s->anon_kb) ||
	    ms_csv_cell(&p, &s->lazy_kb) || ms_csv_cell(&p, &s->dirty_kb) ||
	    ms_csv_cell(&p, &s->reclaimed_kb))
		return -1;
	if (!strcmp(p, "madvstat"))
		s->from_module = true;
	else if (strcmp(p, "smaps_rollup"))
		return -1;
	return 0;
}

int ms_timeline_parse_csv(const char *text, struct ms_sample **out,
			  const char **err)
{
	char *copy = strdup(text), *line, *save = NULL;
	struct ms_sample *s = NULL, *grown;
	int n = 0, cap = 0;

	*out = NULL;
	if (!copy) {
		*err = "out of memory";
		return -1;
	}
	line = strtok_r(copy, "\n", &save);
	if (!line || strcmp(line, MS_CSV_HEADER)) {
		*err = "missing or wrong CSV header";
		goto fail;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			grown = realloc(s, (size_t)cap * sizeof(*s));
			if (!grown) {
				*err = "out of memory";
				goto fail;
			}
			s = grown;
		}
		if (ms_csv_line(line, &s[n])) {
			*err = "malformed CSV line";
			goto fail;
		}
		n++;
	}
	free(copy);
	*out = s;
	return n;
fail:
	free(copy);
	free(s);
	return -1;
}
