// SPDX-License-Identifier: GPL-2.0
/*
 * The parser of /proc/madvstat/processes; see proctable.h. Strict like
 * report.c: a row that does not fit the header is an error, not zeros.
 */
#include "proctable.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

/* What a column holds, when it is not a value of enum ms_val. */
enum {
	COL_SKIP = -1,
	COL_PID = -2,
	COL_NAME = -3,
	COL_CGROUP = -4,
};

/* Lines are a process's fields: a name and a path of PATH_MAX, escaped. */
#define MS_TABLE_BUF (64 * 1024)

void ms_table_init(struct ms_table *t, ms_table_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

static int col_role(const char *name, size_t len)
{
	static const struct { const char *name; int role; } fixed[] = {
		{ "Pid", COL_PID }, { "Name", COL_NAME },
		{ "Cgroup", COL_CGROUP },
	};
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strlen(fixed[i].name) == len &&
		    !memcmp(fixed[i].name, name, len))
			return fixed[i].role;
	for (i = 0; i < MS_NR_VALS; i++) {
		const char *f = ms_val_descs[i].field;

		/* RssEffective is derived here, never read from a column. */
		if (i != MS_RSS_EFFECTIVE && strlen(f) == len &&
		    !memcmp(f, name, len))
			return (int)i;
	}
	return COL_SKIP;
}

static bool has_role(const struct ms_table *t, int role)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (t->col[i] == role)
			return true;
	return false;
}

static int parse_header(struct ms_table *t, const char *s, const char *end,
			const char **err)
{
	while (s < end) {
		const char *sp = memchr(s, ' ', (size_t)(end - s));
		size_t len = (size_t)((sp ? sp : end) - s);

		if (!len || t->ncols == MS_TABLE_MAX_COLS) {
			*err = !len ? "empty column name" : "too many columns";
			return -EBADMSG;
		}
		t->col[t->ncols++] = (signed char)col_role(s, len);
		s = sp ? sp + 1 : end;
	}
	if (!has_role(t, COL_PID) || !has_role(t, COL_NAME) ||
	    !has_role(t, MS_RSS) || !has_role(t, MS_LAZYFREE)) {
		*err = "the header lacks Pid, Name, Rss or LazyFree";
		return -EBADMSG;
	}
	t->header = true;
	return 0;
}

/*
 * s (len bytes) with /proc/mounts' octal escapes (\040) undone, into out
 * (size bytes, NUL-terminated, cut if need be).
 */
static void unescape(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < size; i++) {
		if (s[i] == '\\' && i + 3 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[n++] = (char)((s[i + 1] - '0') << 6 |
					  (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 3;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
}

static int parse_cell(struct ms_proc *p, int role, const char *s, size_t len)
{
	const char *end = s + len;
	char pid[16];
	uint64_t kb;

	switch (role) {
	case COL_SKIP:
		return 0;
	case COL_PID:
		if (len >= sizeof(pid))
			return -EBADMSG;
		memcpy(pid, s, len);
		pid[len] = '\0';
		p->pid = ms_proc_parse_pid(pid);
		return p->pid > 0 ? 0 : -EBADMSG;
	case COL_NAME:
		unescape(s, len, p->comm, sizeof(p->comm));
		return 0;
	case COL_CGROUP:
		free(p->cgroup);
		p->cgroup = malloc(len + 1);
		if (!p->cgroup)
			return -ENOMEM;
		unescape(s, len, p->cgroup, len + 1);
		return 0;
	}
	if (len == 1 && *s == '-')
		return 0;	/* not counted: tracking is off */
	if (ms_parse_u64(s, end, 10, &kb) != end ||
	    !ms_kb_to_bytes(kb, &p->val[role]))
		return -EBADMSG;
	p->known[role] = true;
	return 0;
}

static int parse_row(struct ms_table *t, const char *s, const char *end,
		     const char **err)
{
	bool more = true;	/* a cell is left to read */
	struct ms_proc p;
	size_t c = 0;
	int ret = 0;

	memset(&p, 0, sizeof(p));
	p.source = MS_SRC_MODULE;
	p.nr_procs = 1;
	while (!ret && more && c < t->ncols) {
		const char *sp = memchr(s, ' ', (size_t)(end - s));

		more = sp != NULL;
		ret = parse_cell(&p, t->col[c++], s,
				 (size_t)((sp ? sp : end) - s));
		if (sp)
			s = sp + 1;
	}
	if (ret == -ENOMEM) {
		*err = "out of memory";
	} else if (ret || c != t->ncols || more) {
		*err = ret ? "a value is not a number of kB, or '-'" :
		       "the row's columns are not the header's";
		ret = -EBADMSG;
	} else {
		ms_proc_set_effective(&p);
		ret = t->fn(t->arg, &p);
	}
	ms_proc_free(&p);
	return ret;
}

int ms_table_line(struct ms_table *t, const char *s, size_t len,
		  const char **err)
{
	static const char unreadable[] = "# unreadable ";
	const char *end = s + len;
	uint64_t n;

	t->line++;
	if (len && *s == '#') {
		if (t->header || len <= sizeof(unreadable) - 1 ||
		    memcmp(s, unreadable, sizeof(unreadable) - 1))
			return 0;	/* a comment of a later version */
		s += sizeof(unreadable) - 1;
		if (ms_parse_u64(s, end, 10, &n) != end || n > ULONG_MAX) {
			*err = "expected '# unreadable N'";
			return -EBADMSG;
		}
		t->unreadable = (unsigned long)n;
		t->unreadable_known = true;
		return 0;
	}
	if (!len) {
		*err = "empty line";
		return -EBADMSG;
	}
	if (!t->header)
		return parse_header(t, s, end, err);
	return parse_row(t, s, end, err);
}

static int table_end(const struct ms_table *t, const char **err)
{
	if (t->header)
		return 0;
	*err = "no header line";
	return -EBADMSG;
}

int ms_table_parse(struct ms_table *t, const char *text, size_t len,
		   const char **err)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		int ret;

		if (!eol) {
			*err = "last line not terminated";
			return -EBADMSG;
		}
		ret = ms_table_line(t, p, (size_t)(eol - p), err);
		if (ret)
			return ret;
		p = eol + 1;
	}
	return table_end(t, err);
}

/* Feed the complete lines of buf[0..*used) to t; keep the rest. */
static int feed_lines(struct ms_table *t, char *buf, size_t *used,
		      const char **err)
{
	char *p = buf, *end = buf + *used, *eol;
	int ret;

	while ((eol = memchr(p, '\n', (size_t)(end - p)))) {
		ret = ms_table_line(t, p, (size_t)(eol - p), err);
		if (ret)
			return ret;
		p = eol + 1;
	}
	*used = (size_t)(end - p);
	memmove(buf, p, *used);
	return 0;
}

int ms_table_read(struct ms_table *t, const char *proc, const char **err)
{
	char path[PATH_MAX], *buf;
	size_t used = 0;
	int fd, ret = 0;

	*err = "";
	snprintf(path, sizeof(path), "%s/madvstat/processes", proc);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(MS_TABLE_BUF);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (!ret) {
		ssize_t n = read(fd, buf + used, MS_TABLE_BUF - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n) {
			if (used) {
				*err = "last line not terminated";
				ret = -EBADMSG;
			}
			break;
		}
		used += (size_t)n;
		ret = feed_lines(t, buf, &used, err);
		if (!ret && used == MS_TABLE_BUF) {
			*err = "line too long";
			ret = -EBADMSG;
		}
	}
	free(buf);
	close(fd);
	return ret ? ret : table_end(t, err);
}
