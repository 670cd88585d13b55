// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for the text of /proc/madvstat/<pid> and /proc/<pid>/smaps_rollup.
 * It is strict: anything it does not understand is an error, so that a
 * format change is noticed by the tests instead of read as zeros.
 */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fields whose value is text, not a number. */
static bool ms_text_field(const char *name)
{
	return !strcmp(name, "Name") || !strcmp(name, "Tracking");
}

static void ms_copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static const char *ms_skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

const char *ms_parse_u64(const char *p, const char *end, int base,
			 uint64_t *out)
{
	uint64_t v = 0;
	const char *start = p;

	for (; p < end; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned int)(*p - 'a' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return NULL;	/* overflow */
		v = v * (uint64_t)base + d;
	}
	if (p == start)
		return NULL;
	*out = v;
	return p;
}

bool ms_kb_to_bytes(uint64_t kb, uint64_t *bytes)
{
	if (kb > UINT64_MAX / 1024)
		return false;
	*bytes = kb * 1024;
	return true;
}

static int ms_parse_field(const char *p, const char *end, struct ms_report *r,
			  const char **err)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	struct ms_field *f;
	const char *q;
	uint64_t v;

	if (!colon || colon == p || (size_t)(colon - p) >= sizeof(f->name)) {
		*err = "expected 'Field: value'";
		return -1;
	}
	for (q = p; q < colon; q++) {
		if (!isalnum((unsigned char)*q) && *q != '_') {
			*err = "bad character in field name";
			return -1;
		}
	}
	if (r->nr_fields == MS_MAX_FIELDS) {
		*err = "too many fields";
		return -1;
	}
	f = &r->fields[r->nr_fields];
	ms_copy(f->name, sizeof(f->name), p, (size_t)(colon - p));
	q = ms_skip_blanks(colon + 1, end);

	if (ms_text_field(f->name)) {
		if (!strcmp(f->name, "Name"))
			ms_copy(r->comm, sizeof(r->comm), q, (size_t)(end - q));
		else
			ms_copy(r->tracking, sizeof(r->tracking), q,
				(size_t)(end - q));
		f->value = -1;
		f->is_kb = false;
		r->nr_fields++;
		return 0;
	}
	q = ms_parse_u64(q, end, 10, &v);
	if (!q || v > INT64_MAX) {
		*err = "expected a number";
		return -1;
	}
	f->value = (int64_t)v;
	f->is_kb = false;
	q = ms_skip_blanks(q, end);
	if (end - q == 2 && !memcmp(q, "kB", 2)) {
		f->is_kb = true;
		q += 2;
	}
	if (q != end) {
		*err = "trailing text after the value";
		return -1;
	}
	r->nr_fields++;
	return 0;
}

static int ms_parse_vma(const char *p, const char *end, struct ms_report *r,
			const char **err)
{
	struct ms_vma v = { 0 };
	uint64_t *sizes[] = { &v.rss_anon_bytes, &v.lazyfree_bytes,
			      &v.lazyfree_dirty_bytes };
	struct ms_vma *grown;
	uint64_t kb;
	size_t i;

	p = ms_parse_u64(p, end, 16, &v.start);
	if (!p || p == end || *p != '-')
		goto bad;
	p = ms_parse_u64(p + 1, end, 16, &v.end);
	if (!p || v.end <= v.start || p == end || *p != ' ')
		goto bad;
	p++;
	if (end - p < 5 || p[4] != ' ')
		goto bad;
	ms_copy(v.perms, sizeof(v.perms), p, 4);
	p += 5;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = ms_parse_u64(p, end, 10, &kb);
		if (!p || p == end || *p != ' ')
			goto bad;
		if (!ms_kb_to_bytes(kb, sizes[i])) {
			*err = "VMA size too large";
			return -1;
		}
		p++;
	}
	if (p == end)
		goto bad;
	ms_copy(v.name, sizeof(v.name), p, (size_t)(end - p));

	grown = realloc(r->vmas, (r->nr_vmas + 1) * sizeof(*r->vmas));
	if (!grown) {
		*err = "out of memory";
		return -1;
	}
	r->vmas = grown;
	r->vmas[r->nr_vmas++] = v;
	return 0;
bad:
	*err = "expected 'start-end perms RssAnon LazyFree LazyFreeDirty name'";
	return -1;
}

int ms_report_parse(const char *text, size_t len, struct ms_report *r,
		    const char **err, unsigned int *line)
{
	const char *p = text, *end = text + len;
	bool in_vmas = false;

	memset(r, 0, sizeof(*r));
	*line = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		int ret;

		++*line;
		if (!eol) {
			*err = "last line not terminated";
			goto fail;
		}
		if (eol == p) {
			if (in_vmas) {
				*err = "second blank line";
				goto fail;
			}
			in_vmas = true;
		} else if (in_vmas) {
			ret = ms_parse_vma(p, eol, r, err);
			if (ret)
				goto fail;
		} else if (*line == 1 && eol - p > 8 &&
			   !memcmp(eol - 8, "[rollup]", 8)) {
			/* smaps_rollup's header line */
		} else {
			ret = ms_parse_field(p, eol, r, err);
			if (ret)
				goto fail;
		}
		p = eol + 1;
	}
	if (!r->nr_fields) {
		*err = "no fields";
		goto fail;
	}
	return 0;
fail:
	ms_report_free(r);
	return -1;
}

void ms_report_free(struct ms_report *r)
{
	free(r->vmas);
	r->vmas = NULL;
	r->nr_vmas = 0;
}

const struct ms_field *ms_report_field(const struct ms_report *r,
				       const char *name)
{
	size_t i;

	for (i = 0; i < r->nr_fields; i++)
		if (!strcmp(r->fields[i].name, name))
			return &r->fields[i];
	return NULL;
}

bool ms_field_bytes(const struct ms_field *f, uint64_t *bytes)
{
	return f->is_kb && f->value >= 0 &&
	       ms_kb_to_bytes((uint64_t)f->value, bytes);
}

int64_t ms_report_get(const struct ms_report *r, const char *name)
{
	const struct ms_field *f = ms_report_field(r, name);

	return f ? f->value : -1;
}

char *ms_read_file(const char *path, size_t *len)
{
	size_t size = 4096, used = 0;
	char *buf = NULL, *grown;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int saved;

	if (fd < 0)
		return NULL;
	buf = malloc(size);
	if (!buf)
		goto fail_errno;
	for (;;) {
		ssize_t n;

		if (used + 1 >= size) {
			size *= 2;
			grown = realloc(buf, size);
			if (!grown)
				goto fail_errno;
			buf = grown;
		}
		n = read(fd, buf + used, size - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
fail_errno:
	errno = ENOMEM;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}
