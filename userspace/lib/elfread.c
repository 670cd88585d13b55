// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded ELF reader; see elfread.h. Both classes and both byte orders
 * are read field by field from raw bytes, so nothing depends on the
 * host's <elf.h> layouts or alignment.
 */
#include "elfread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHT_NOBITS	8
#define PT_LOAD		1
#define PF_X		1
#define PF_W		2
#define SHN_UNDEF	0
#define CHUNK		(1u << 20)

static uint64_t get(const struct ms_elf *e, const unsigned char *p,
		    size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[e->big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

/* A field of an address size: 8 bytes in ELF64, 4 in ELF32. */
static uint64_t get_addr(const struct ms_elf *e, const unsigned char *p)
{
	return get(e, p, e->is64 ? 8 : 4);
}

ssize_t ms_elf_pread(const struct ms_elf *e, void *buf, size_t len,
		     uint64_t off)
{
	size_t done = 0;

	if (off >= e->file_size)
		return 0;
	if (len > e->file_size - off)
		len = (size_t)(e->file_size - off);
	while (done < len) {
		ssize_t n = pread(e->fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;	/* truncated under us */
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Read exactly len bytes at off, or fail with -EBADMSG. */
static int read_exact(const struct ms_elf *e, void *buf, size_t len,
		      uint64_t off)
{
	ssize_t n = ms_elf_pread(e, buf, len, off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EBADMSG;
}

/* Whether [off, off + size) lies in the file. */
static bool in_file(const struct ms_elf *e, uint64_t off, uint64_t size)
{
	return off <= e->file_size && size <= e->file_size - off;
}

/*
 * A header table of count entries of entsize bytes (at least min, at most
 * max entries) at off, read whole: malloc()ed, or NULL with *ret set.
 */
static unsigned char *read_table(const struct ms_elf *e, uint64_t off,
				 size_t entsize, size_t count, size_t min,
				 size_t max, int *ret)
{
	unsigned char *raw;

	*ret = -EBADMSG;
	if (count > max || entsize < min ||
	    !in_file(e, off, (uint64_t)count * entsize))
		return NULL;
	raw = malloc(count * entsize);
	if (!raw) {
		*ret = -ENOMEM;
		return NULL;
	}
	*ret = read_exact(e, raw, count * entsize, off);
	if (*ret) {
		free(raw);
		return NULL;
	}
	return raw;
}

static int read_sections(struct ms_elf *e, uint64_t shoff, size_t entsize,
			 size_t count, size_t shstrndx, const char **why)
{
	unsigned char *raw;
	size_t i;
	int ret;

	if (!count)
		return 0;
	raw = read_table(e, shoff, entsize, count, e->is64 ? 64 : 40,
			 MS_ELF_MAX_SECTIONS, &ret);
	if (!raw) {
		*why = "section headers out of the file or too many";
		return ret;
	}
	e->sections = calloc(count, sizeof(*e->sections));
	if (!e->sections) {
		free(raw);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		const unsigned char *p = raw + i * entsize;
		struct ms_elf_section *s = &e->sections[i];

		s->name = (uint32_t)get(e, p, 4);
		s->type = (uint32_t)get(e, p + 4, 4);
		if (e->is64) {
			s->addr = get(e, p + 16, 8);
			s->offset = get(e, p + 24, 8);
			s->size = get(e, p + 32, 8);
			s->link = (uint32_t)get(e, p + 40, 4);
			s->entsize = get(e, p + 56, 8);
		} else {
			s->addr = get(e, p + 12, 4);
			s->offset = get(e, p + 16, 4);
			s->size = get(e, p + 20, 4);
			s->link = (uint32_t)get(e, p + 24, 4);
			s->entsize = get(e, p + 36, 4);
		}
	}
	free(raw);
	e->nr_sections = count;
	if (shstrndx >= count || e->sections[shstrndx].type == SHT_NOBITS)
		return 0;	/* no section names: no section found by name */
	e->shstrtab_len = e->sections[shstrndx].size;
	if (e->shstrtab_len > MS_ELF_MAX_SHSTRTAB ||
	    !in_file(e, e->sections[shstrndx].offset, e->shstrtab_len)) {
		*why = "section names out of the file or too large";
		return -EBADMSG;
	}
	e->shstrtab = malloc(e->shstrtab_len + 1);
	if (!e->shstrtab)
		return -ENOMEM;
	ret = read_exact(e, e->shstrtab, e->shstrtab_len,
			 e->sections[shstrndx].offset);
	e->shstrtab[e->shstrtab_len] = '\0';
	if (ret)
		*why = "section names cut short";
	return ret;
}

static int read_segments(struct ms_elf *e, uint64_t phoff, size_t entsize,
			 size_t count, const char **why)
{
	unsigned char *raw;
	size_t i;
	int ret;

	if (!count)
		return 0;
	raw = read_table(e, phoff, entsize, count, e->is64 ? 56 : 32,
			 MS_ELF_MAX_SEGMENTS, &ret);
	if (!raw) {
		*why = "program headers out of the file or too many";
		return ret;
	}
	e->segments = calloc(count, sizeof(*e->segments));
	if (!e->segments) {
		free(raw);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		const unsigned char *p = raw + i * entsize;
		struct ms_elf_segment *s = &e->segments[i];

		s->type = (uint32_t)get(e, p, 4);
		if (e->is64) {
			s->flags = (uint32_t)get(e, p + 4, 4);
			s->offset = get(e, p + 8, 8);
			s->vaddr = get(e, p + 16, 8);
			s->filesz = get(e, p + 32, 8);
		} else {
			s->offset = get(e, p + 4, 4);
			s->vaddr = get(e, p + 8, 4);
			s->filesz = get(e, p + 16, 4);
			s->flags = (uint32_t)get(e, p + 24, 4);
		}
	}
	free(raw);
	e->nr_segments = count;
	return 0;
}

static int read_headers(struct ms_elf *e, const char **why)
{
	unsigned char h[64];
	uint64_t phoff, shoff;
	size_t phentsize, phnum, shentsize, shnum, shstrndx;
	ssize_t n = ms_elf_pread(e, h, sizeof(h), 0);

	if (n < 0)
		return (int)n;
	if (n < 16 || memcmp(h, "\177ELF", 4)) {
		*why = "not an ELF file";
		return -ENOEXEC;
	}
	if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2) ||
	    h[6] != 1) {
		*why = "an ELF class, byte order or version not known";
		return -ENOEXEC;
	}
	e->is64 = h[4] == 2;
	e->big_endian = h[5] == 2;
	if (n < (e->is64 ? 64 : 52)) {
		*why = "ELF header cut short";
		return -EBADMSG;
	}
	phoff = get_addr(e, h + (e->is64 ? 32 : 28));
	shoff = get_addr(e, h + (e->is64 ? 40 : 32));
	phentsize = (size_t)get(e, h + (e->is64 ? 54 : 42), 2);
	phnum = (size_t)get(e, h + (e->is64 ? 56 : 44), 2);
	shentsize = (size_t)get(e, h + (e->is64 ? 58 : 46), 2);
	shnum = (size_t)get(e, h + (e->is64 ? 60 : 48), 2);
	shstrndx = (size_t)get(e, h + (e->is64 ? 62 : 50), 2);
	/*
	 * More than 0xff00 sections (shnum 0, the count in section 0) or
	 * program headers (0xffff): past the limits anyway, so refused.
	 */
	if (shoff && !shnum) {
		*why = "too many sections";
		return -EBADMSG;
	}
	n = read_segments(e, phoff, phentsize, phnum, why);
	if (n)
		return (int)n;
	return read_sections(e, shoff, shentsize, shnum, shstrndx, why);
}

int ms_elf_open(const char *path, struct ms_elf *e, const char **why)
{
	const char *dummy;
	struct stat st;
	int ret;

	memset(e, 0, sizeof(*e));
	if (!why)
		why = &dummy;
	*why = "";
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0) {
		*why = "cannot open";
		return -errno;
	}
	if (fstat(e->fd, &st)) {
		ret = -errno;
		*why = "cannot stat";
		ms_elf_close(e);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		ms_elf_close(e);
		return -ENOEXEC;
	}
	e->file_size = (uint64_t)st.st_size;
	ret = read_headers(e, why);
	if (ret)
		ms_elf_close(e);
	return ret;
}

void ms_elf_close(struct ms_elf *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	free(e->sections);
	free(e->shstrtab);
	free(e->segments);
	e->sections = NULL;
	e->shstrtab = NULL;
	e->segments = NULL;
	e->nr_sections = e->nr_segments = 0;
}

const struct ms_elf_section *ms_elf_section(const struct ms_elf *e,
					    const char *name)
{
	size_t i;

	for (i = 0; e->shstrtab && i < e->nr_sections; i++)
		if (e->sections[i].name < e->shstrtab_len &&
		    !strcmp(e->shstrtab + e->sections[i].name, name))
			return &e->sections[i];
	return NULL;
}

ssize_t ms_elf_read_vaddr(const struct ms_elf *e, void *buf, size_t len,
			  uint64_t addr)
{
	size_t i;

	for (i = 0; i < e->nr_segments; i++) {
		const struct ms_elf_segment *s = &e->segments[i];
		uint64_t left;

		if (s->type != PT_LOAD || addr < s->vaddr ||
		    addr - s->vaddr >= s->filesz ||
		    s->offset > UINT64_MAX - (addr - s->vaddr))
			continue;
		left = s->filesz - (addr - s->vaddr);
		return ms_elf_pread(e, buf, len < left ? len : (size_t)left,
				    s->offset + (addr - s->vaddr));
	}
	return -EFAULT;
}

const struct ms_elf_segment *ms_elf_data_segment(const struct ms_elf *e)
{
	size_t i;

	for (i = 0; i < e->nr_segments; i++)
		if (e->segments[i].type == PT_LOAD &&
		    (e->segments[i].flags & (PF_X | PF_W)) == PF_W)
			return &e->segments[i];
	return NULL;
}

static bool name_matches(const char *name, const char *want)
{
	size_t n = strlen(want);

	if (n && want[n - 1] == '*')
		return !strncmp(name, want, n - 1);
	return !strcmp(name, want);
}

/* Add to *found the names[0..n) the symbols of raw[0..count) define. */
static void match_symbols(const struct ms_elf *e, const unsigned char *raw,
			  size_t count, size_t entsize, const char *strtab,
			  size_t strtab_len, const char *const *names,
			  size_t n, uint64_t *found)
{
	size_t i, k;

	for (i = 0; i < count; i++) {
		const unsigned char *p = raw + i * entsize;
		uint64_t name = get(e, p, 4);
		uint64_t shndx = get(e, p + (e->is64 ? 6 : 14), 2);

		if (shndx == SHN_UNDEF || !name || name >= strtab_len)
			continue;
		for (k = 0; k < n; k++)
			if (name_matches(strtab + name, names[k]))
				*found |= 1ULL << k;
	}
}

int ms_elf_find_symbols(const struct ms_elf *e, const char *table,
			const char *const *names, size_t n, uint64_t *found)
{
	const struct ms_elf_section *sym = ms_elf_section(e, table), *str;
	size_t entsize = e->is64 ? 24 : 16, per_chunk = CHUNK / entsize;
	size_t done, total;
	unsigned char *raw = NULL;
	char *strtab;
	int ret = 0;

	*found = 0;
	if (n > 64)
		return -EINVAL;
	if (!sym || sym->type == SHT_NOBITS || !sym->size)
		return 0;
	if (sym->link >= e->nr_sections ||
	    (sym->entsize && sym->entsize != entsize) ||
	    !in_file(e, sym->offset, sym->size))
		return -EBADMSG;
	str = &e->sections[sym->link];
	if (!in_file(e, str->offset, str->size))
		return -EBADMSG;
	if (str->size > MS_ELF_MAX_STRTAB || sym->size > MS_ELF_MAX_SYMTAB)
		return -E2BIG;
	strtab = malloc((size_t)str->size + 1);
	raw = malloc(per_chunk * entsize);
	if (!strtab || !raw) {
		ret = -ENOMEM;
		goto out;
	}
	ret = read_exact(e, strtab, (size_t)str->size, str->offset);
	strtab[str->size] = '\0';
	total = (size_t)(sym->size / entsize);
	for (done = 0; !ret && done < total; done += per_chunk) {
		size_t count = total - done < per_chunk ? total - done :
			per_chunk;

		ret = read_exact(e, raw, count * entsize,
				 sym->offset + done * entsize);
		if (!ret)
			match_symbols(e, raw, count, entsize, strtab,
				      (size_t)str->size, names, n, found);
	}
out:
	free(raw);
	free(strtab);
	return ret;
}

int ms_elf_strings(const struct ms_elf *e, const struct ms_elf_section *s,
		   ms_elf_string_fn fn, void *arg)
{
	uint64_t size = s->size < MS_ELF_MAX_SEARCH ? s->size :
		MS_ELF_MAX_SEARCH, off = 0;
	char *buf;
	size_t kept = 0;	/* an unfinished string carried over */
	int ret = 0;

	if (s->type == SHT_NOBITS || !size)
		return 0;
	buf = malloc(CHUNK + 1);
	if (!buf)
		return -ENOMEM;
	while (!ret && off < size) {
		size_t want = CHUNK - kept, len, start = 0, i;
		ssize_t n;

		if (want > size - off)
			want = (size_t)(size - off);
		n = ms_elf_pread(e, buf + kept, want, s->offset + off);
		if (n <= 0) {
			ret = n < 0 ? (int)n : 0;
			break;
		}
		off += (uint64_t)n;
		len = kept + (size_t)n;
		if (off >= size || (size_t)n < want)
			buf[len++] = '\0';	/* the section's end ends it */
		for (i = 0; i < len && !ret; i++) {
			if (buf[i] && i - start < MS_ELF_MAX_STRING)
				continue;
			if (buf[i]) {	/* too long: cut here */
				char c = buf[i];

				buf[i] = '\0';
				ret = fn(buf + start, arg);
				buf[i] = c;
				start = i;
				continue;
			}
			if (i > start)
				ret = fn(buf + start, arg);
			start = i + 1;
		}
		kept = len > start ? len - start : 0;
		memmove(buf, buf + start, kept);
		if ((size_t)n < want)
			break;
	}
	free(buf);
	return ret;
}
