/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing the text of /proc/madvstat/<pid> (and, as a fallback, of
 * /proc/<pid>/smaps_rollup) into numbers. Shared by the madvstat command,
 * the reproducer and the selftests.
 */
#ifndef MADVSTAT_REPORT_H
#define MADVSTAT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One "Key: value" field, its value as the file prints it: not every field
 * is a size (Pid, Processes...), so is_kb says which are, in kB.
 */
struct ms_field {
	char name[32];
	int64_t value;
	bool is_kb;
};

/*
 * One VMA line of /proc/madvstat/<pid>. Its three columns are sizes, read
 * as kB and kept in bytes: the unit of every size in struct ms_proc, of
 * the JSON and of the Prometheus metrics, so no one converts them again.
 */
struct ms_vma {
	uint64_t start, end;
	char perms[5];
	uint64_t rss_anon_bytes, lazyfree_bytes, lazyfree_dirty_bytes;
	char name[256];
};

#define MS_MAX_FIELDS 64

struct ms_report {
	struct ms_field fields[MS_MAX_FIELDS];
	size_t nr_fields;
	char comm[64];		/* the Name: field */
	char tracking[256];	/* the Tracking: line, if any */
	struct ms_vma *vmas;	/* malloc()ed; ms_report_free() */
	size_t nr_vmas;
};

/*
 * Parse text of len bytes. Returns 0, or -1 with *err pointing at a static
 * description and *line at the 1-based line that failed.
 */
int ms_report_parse(const char *text, size_t len, struct ms_report *r,
		    const char **err, unsigned int *line);
void ms_report_free(struct ms_report *r);

/* The field called name, or NULL when absent: the one lookup by name. */
const struct ms_field *ms_report_field(const struct ms_report *r,
				       const char *name);

/* f's value in bytes; false if f is not a size in kB or does not fit. */
bool ms_field_bytes(const struct ms_field *f, uint64_t *bytes);

/*
 * A field's value, or -1 when absent (or text: Name, Tracking). kB fields
 * are returned in kB.
 */
int64_t ms_report_get(const struct ms_report *r, const char *name);

/*
 * The unsigned number (base 10 or 16, lower case) at p, before end: returns
 * where it stops, or NULL if there is none or it overflows.
 */
const char *ms_parse_u64(const char *p, const char *end, int base,
			 uint64_t *out);
/* kb in bytes; false if it does not fit. */
bool ms_kb_to_bytes(uint64_t kb, uint64_t *bytes);

/* Read a whole (proc) file into a NUL-terminated malloc()ed buffer. */
char *ms_read_file(const char *path, size_t *len);

#endif /* MADVSTAT_REPORT_H */
