/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded reader of ELF files, for telling what runtime a process runs
 * from its executable: the headers, a section by name, bytes at a virtual
 * address, whether a symbol is defined, whether a section holds a string.
 * Every read is positioned (pread) and capped (the MS_ELF_MAX_* limits),
 * so a multi-GB or truncated file costs at most a few MiB of reads; a
 * malformed one is refused, never trusted.
 */
#ifndef MADVSTAT_ELFREAD_H
#define MADVSTAT_ELFREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MS_ELF_MAX_SECTIONS	4096
#define MS_ELF_MAX_SEGMENTS	256
#define MS_ELF_MAX_SHSTRTAB	(256u << 10)	/* section names */
#define MS_ELF_MAX_STRTAB	(32u << 20)	/* a symbol table's names */
#define MS_ELF_MAX_SYMTAB	(64u << 20)	/* its entries */
#define MS_ELF_MAX_SEARCH	(32u << 20)	/* a section searched for text */

struct ms_elf_section {
	uint32_t name;		/* offset in the section names */
	uint32_t type, link;
	uint64_t addr, offset, size, entsize;
};

struct ms_elf_segment {
	uint32_t type, flags;
	uint64_t vaddr, offset, filesz;
};

struct ms_elf {
	int fd;
	uint64_t file_size;
	bool is64, big_endian;
	struct ms_elf_section *sections;
	size_t nr_sections;
	char *shstrtab;		/* NUL-terminated at shstrtab_len */
	size_t shstrtab_len;
	struct ms_elf_segment *segments;
	size_t nr_segments;
};

/*
 * Open the ELF file at path and read its headers. Returns 0, or a
 * negative errno with *why (may be NULL) saying what was wrong:
 * -ENOEXEC not ELF (or a class or version not known), -EBADMSG headers
 * out of the file or beyond the limits, or open()'s error.
 */
int ms_elf_open(const char *path, struct ms_elf *e, const char **why);
void ms_elf_close(struct ms_elf *e);

/* The section called name, or NULL. */
const struct ms_elf_section *ms_elf_section(const struct ms_elf *e,
					    const char *name);

/*
 * Read up to len bytes at file offset off, never past the end of the file.
 * Returns how many were read (0 past the end), or -errno.
 */
ssize_t ms_elf_pread(const struct ms_elf *e, void *buf, size_t len,
		     uint64_t off);

/*
 * Read up to len bytes at virtual address addr from the loaded segment
 * holding it (its file part only). Returns how many, or -EFAULT when no
 * segment holds addr.
 */
ssize_t ms_elf_read_vaddr(const struct ms_elf *e, void *buf, size_t len,
			  uint64_t addr);

/* The first writable, non-executable PT_LOAD segment, or NULL. */
const struct ms_elf_segment *ms_elf_data_segment(const struct ms_elf *e);

/*
 * Which of names[0..n) (n <= 64; a name ending in '*' is a prefix) the
 * symbol table called table (".symtab" or ".dynsym") defines: bit k of
 * *found for names[k]. Returns 0 (also when there is no such table),
 * -E2BIG if the table is past the limits, -EBADMSG if it is malformed.
 */
int ms_elf_find_symbols(const struct ms_elf *e, const char *table,
			const char *const *names, size_t n, uint64_t *found);

/* Called with each string of a section; true stops the walk. */
typedef bool (*ms_elf_string_fn)(const char *str, void *arg);

/*
 * Call fn with each NUL-terminated string of the first MS_ELF_MAX_SEARCH
 * bytes of section s (one longer than MS_ELF_MAX_STRING is cut in
 * pieces). Returns 1 if fn stopped the walk, 0 if it ran to the end,
 * or -errno.
 */
#define MS_ELF_MAX_STRING 4096
int ms_elf_strings(const struct ms_elf *e, const struct ms_elf_section *s,
		   ms_elf_string_fn fn, void *arg);

#endif /* MADVSTAT_ELFREAD_H */
