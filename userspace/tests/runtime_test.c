// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of telling a process's runtime (runtime.c, elfread.c) from
 * fixture /proc trees: ELF executables made here for each runtime and
 * each kind of damage, maps and environ files; and of how madvstat shows
 * it (human, JSON, the exporter's runtime label).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfread.h"
#include "expfmt.h"
#include "fixture.h"
#include "output.h"
#include "runtime.h"
#include "tap.h"

#define BASE	0x400000ULL	/* where the fixtures' one segment loads */
#define MAX_SECS 8

static char root[] = "/tmp/madvstat-runtime-XXXXXX";

/* One section of a fixture ELF file. */
struct sec {
	const char *name;
	uint32_t type;		/* 1 PROGBITS, 2 SYMTAB, 3 STRTAB */
	const void *data;
	size_t len;
	uint32_t link;
};

struct image {
	unsigned char buf[65536];
	size_t len;
};

static void put(unsigned char *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static size_t add(struct image *im, const void *data, size_t len)
{
	size_t off = (im->len + 15) & ~(size_t)15;

	memcpy(im->buf + off, data, len);
	im->len = off + len;
	return off;
}

/*
 * An ELF64 little-endian executable: one PT_LOAD (read-write, the whole
 * file at BASE), then secs (with section headers only if with_headers),
 * then the extra bytes at the 16-aligned offset returned in *extra_off.
 */
static size_t make_elf(const char *rel, const struct sec *secs, size_t n,
		       bool with_headers, const void *extra, size_t extra_len)
{
	struct image *im = calloc(1, sizeof(*im));
	uint64_t offs[MAX_SECS + 2] = { 0 };
	char shstr[256] = "";
	size_t shlen = 1, names[MAX_SECS + 2] = { 0 }, i, shoff, extra_off = 0;
	char path[PATH_MAX];
	FILE *f;

	memcpy(im->buf, "\177ELF\2\1\1", 7);
	put(im->buf + 16, 2, 2);	/* ET_EXEC */
	put(im->buf + 18, 62, 2);	/* x86-64 */
	put(im->buf + 20, 1, 4);
	put(im->buf + 32, 64, 8);	/* phoff */
	put(im->buf + 52, 64, 2);
	put(im->buf + 54, 56, 2);
	put(im->buf + 56, 1, 2);	/* one program header */
	im->len = 64 + 56;
	for (i = 0; i < n; i++) {
		offs[i + 1] = add(im, secs[i].data, secs[i].len);
		names[i + 1] = shlen;
		shlen += (size_t)sprintf(shstr + shlen, "%s", secs[i].name) + 1;
	}
	if (extra)
		extra_off = add(im, extra, extra_len);
	names[n + 1] = shlen;
	shlen += (size_t)sprintf(shstr + shlen, ".shstrtab") + 1;
	offs[n + 1] = add(im, shstr, shlen);
	shoff = (im->len + 15) & ~(size_t)15;
	if (with_headers) {
		for (i = 0; i < n + 2; i++) {
			unsigned char *h = im->buf + shoff + i * 64;

			if (!i)
				continue;
			put(h, names[i], 4);
			put(h + 4, i <= n ? secs[i - 1].type : 3, 4);
			put(h + 16, BASE + offs[i], 8);
			put(h + 24, offs[i], 8);
			put(h + 32, i <= n ? secs[i - 1].len : shlen, 8);
			put(h + 40, i <= n ? secs[i - 1].link : 0, 4);
			put(h + 56, i <= n && secs[i - 1].type == 2 ? 24 : 0, 8);
		}
		im->len = shoff + (n + 2) * 64;
		put(im->buf + 40, shoff, 8);
		put(im->buf + 58, 64, 2);
		put(im->buf + 60, n + 2, 2);
		put(im->buf + 62, n + 1, 2);
	}
	/* PT_LOAD, PF_R | PF_W, the whole file at BASE. */
	put(im->buf + 64, 1, 4);
	put(im->buf + 68, 6, 4);
	put(im->buf + 64 + 16, BASE, 8);
	put(im->buf + 64 + 32, im->len, 8);
	put(im->buf + 64 + 40, im->len, 8);
	fixture_put(root, rel, "");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fwrite(im->buf, 1, im->len, f);
		fclose(f);
	}
	free(im);
	return extra_off;
}

/* Go's build info blob, inline strings (Go 1.18 on). */
static size_t go_blob(unsigned char *b, const char *version, const char *mod)
{
	size_t n = 32, vl = strlen(version), ml = strlen(mod);

	memset(b, 0, 32);
	memcpy(b, "\xff Go buildinf:", 14);
	b[14] = 8;
	b[15] = 2;
	b[n++] = (unsigned char)vl;
	memcpy(b + n, version, vl);
	n += vl;
	b[n++] = (unsigned char)(ml | 0x80);
	b[n++] = (unsigned char)(ml >> 7);
	memcpy(b + n, mod, ml);
	return n + ml;
}

/* root/rel with len bytes of data, NULs included (environ, headers). */
static void put_bytes(const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	fixture_put(root, rel, "");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

#define PUT_BYTES(rel, lit) put_bytes(rel, lit, sizeof(lit) - 1)

static void identify(int pid, struct ms_runtime *rt)
{
	ms_rt_identify(root, pid, rt);
}

static bool has(const char *text, const char *part)
{
	bool yes = strstr(text, part) != NULL;

	if (!yes)
		printf("#   \"%s\" not in \"%s\"\n", part, text);
	return yes;
}

static void test_go_inline(void)
{
	static const char mod[] =
		"0123456789abcdefpath\tgofree\nbuild\tDefaultGODEBUG=panicnil=1,madvdontneed=0\n0123456789abcdef";
	unsigned char blob[512];
	struct sec s = { ".go.buildinfo", 1, blob, go_blob(blob, "go1.21.5", mod), 0 };
	struct ms_runtime rt;
	char advice[1024];

	make_elf("10/exe", &s, 1, true, NULL, 0);
	PUT_BYTES("10/environ", "HOME=/\0GODEBUG=madvdontneed=0\0");
	identify(10, &rt);
	is(rt.kind, MS_RT_GO, "Go: identified from .go.buildinfo");
	ok(!strcmp(rt.version, "go1.21.5"), "Go: its version");
	ok(has(rt.evidence, "Go build info in the .go.buildinfo section of "),
	   "Go: the evidence names the section");
	ok(rt.env_read && has(rt.settings, "GODEBUG=madvdontneed=0"),
	   "Go: GODEBUG from environ");
	ok(has(rt.settings, "DefaultGODEBUG:madvdontneed=0"),
	   "Go: the build's DefaultGODEBUG setting");
	ok(!strcmp(ms_rt_label(&rt), "go"), "Go: label");
	ms_rt_advice(&rt, advice, sizeof(advice));
	ok(has(advice, "Go 1.16 and later") &&
	   has(advice, "madvdontneed=0 is set here") &&
	   has(advice, "runtime/mem_linux.go sysUnusedOS"),
	   "Go 1.21: advice, setting seen, source");
}

static void test_go_data_segment(void)
{
	unsigned char blob[512];
	struct ms_runtime rt;
	char advice[1024];
	size_t n = go_blob(blob, "go1.14.15", "");

	make_elf("11/exe", NULL, 0, false, blob, n);
	identify(11, &rt);
	is(rt.kind, MS_RT_GO, "Go without sections: found in the data segment");
	ok(has(rt.evidence, "the data segment"), "Go: that evidence said");
	ok(!rt.env_read, "no environ file: not read");
	ms_rt_advice(&rt, advice, sizeof(advice));
	ok(has(advice, "Go 1.12 to 1.15") &&
	   has(advice, "GODEBUG=madvdontneed=1"), "Go 1.14: its advice");
}

/* Build info pointing at a Go string, as Go 1.17 and before wrote it. */
static void test_go_pointer(void)
{
	unsigned char data[128] = { 0 };
	struct ms_runtime rt;
	char advice[1024];
	size_t off;

	memcpy(data, "\xff Go buildinf:", 14);
	data[14] = 8;
	data[15] = 0;
	/* the string header at +64, the bytes at +96 */
	memcpy(data + 96, "go1.11.13", 9);
	off = make_elf("12/exe", NULL, 0, false, data, sizeof(data));
	put(data + 16, BASE + off + 64, 8);
	put(data + 64, BASE + off + 96, 8);
	put(data + 72, 9, 8);
	make_elf("12/exe", NULL, 0, false, data, sizeof(data));
	identify(12, &rt);
	ok(rt.kind == MS_RT_GO && !strcmp(rt.version, "go1.11.13"),
	   "Go 1.11: version through the build info's pointers");
	ms_rt_advice(&rt, advice, sizeof(advice));
	ok(has(advice, "before 1.12"), "Go 1.11: MADV_DONTNEED, other code");
}

static void test_jemalloc_static(void)
{
	static const char strtab[] = "\0main\0mallctl\0";
	static const char rodata[] =
		"hello\0<jemalloc>: Invalid conf pair\0005.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c\0";
	unsigned char syms[3 * 24] = { 0 };
	struct sec s[3] = {
		{ ".symtab", 2, syms, sizeof(syms), 2 },
		{ ".strtab", 3, strtab, sizeof(strtab), 0 },
		{ ".rodata", 1, rodata, sizeof(rodata), 0 },
	};
	struct ms_runtime rt;
	char advice[1024];

	put(syms + 24, 1, 4);		/* main, defined */
	put(syms + 24 + 6, 1, 2);
	put(syms + 48, 6, 4);		/* mallctl, defined */
	put(syms + 48 + 6, 1, 2);
	make_elf("20/exe", s, 3, true, NULL, 0);
	PUT_BYTES("20/environ", "MALLOC_CONF=dirty_decay_ms:1,muzzy_decay_ms:10000\0");
	identify(20, &rt);
	is(rt.kind, MS_RT_JEMALLOC, "jemalloc static: identified");
	ok(has(rt.evidence, "symbol mallctl defined in the .symtab of "),
	   "jemalloc: the symbol is the evidence");
	ok(!strcmp(rt.version, "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c"),
	   "jemalloc: version from .rodata");
	ok(!strcmp(rt.settings, "MALLOC_CONF=dirty_decay_ms:1,muzzy_decay_ms:10000"),
	   "jemalloc: MALLOC_CONF");
	ms_rt_advice(&rt, advice, sizeof(advice));
	ok(has(advice, "5.2 and later") && has(advice, "muzzy_decay_ms:0") &&
	   has(advice, "src/pages.c pages_purge_lazy"),
	   "jemalloc 5.3: advice and source");

	/* An undefined mallctl (an import) is no evidence. */
	put(syms + 48 + 6, 0, 2);
	make_elf("21/exe", s, 2, true, NULL, 0);
	identify(21, &rt);
	is(rt.kind, MS_RT_UNKNOWN, "an undefined mallctl is not jemalloc");
}

static void test_stripped_messages(void)
{
	static const char rodata[] = "x\0mimalloc: warning: %s\0";
	struct sec s = { ".rodata", 1, rodata, sizeof(rodata), 0 };
	struct ms_runtime rt;
	char advice[1024];

	make_elf("22/exe", &s, 1, true, NULL, 0);
	PUT_BYTES("22/environ", "MIMALLOC_PURGE_DECOMMITS=0\0PATH=/\0");
	identify(22, &rt);
	is(rt.kind, MS_RT_MIMALLOC, "mimalloc stripped: from its messages");
	ok(has(rt.evidence, "mimalloc's messages"), "mimalloc: evidence");
	ok(!strcmp(rt.settings, "MIMALLOC_PURGE_DECOMMITS=0"),
	   "mimalloc: its variables only");
	ms_rt_advice(&rt, advice, sizeof(advice));
	ok(has(advice, "MIMALLOC_PURGE_DECOMMITS=1") &&
	   has(advice, "src/prim/unix/prim.c"), "mimalloc: advice");
}

static void test_maps(void)
{
	static const char *const libs[][3] = {
		{ "30", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "jemalloc" },
		{ "31", "/usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.1/libcoreclr.so", "dotnet" },
		{ "32", "/usr/lib/x86_64-linux-gnu/libnode.so.108", "v8" },
		{ "33", "/usr/lib/libmimalloc.so.2.1", "mimalloc" },
	};
	char rel[64], maps[512], advice[1024];
	struct ms_runtime rt;
	size_t i;

	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/exe", libs[i][0]);
		make_elf(rel, NULL, 0, true, NULL, 0);
		snprintf(maps, sizeof(maps),
			 "00400000-00401000 r-xp 00000000 08:01 12 /usr/bin/prog\n"
			 "7f0000000000-7f0000100000 r-xp 00000000 08:01 99   %s\n"
			 "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0    [stack]\n",
			 libs[i][1]);
		snprintf(rel, sizeof(rel), "%s/maps", libs[i][0]);
		fixture_put(root, rel, maps);
		identify(atoi(libs[i][0]), &rt);
		ok(!strcmp(ms_rt_label(&rt), libs[i][2]) &&
		   has(rt.evidence, libs[i][1]), libs[i][2]);
		ms_rt_advice(&rt, advice, sizeof(advice));
		ok(advice[0] && !strstr(advice, "No runtime"), "its advice");
	}
}

static void test_unknown_and_damaged(void)
{
	struct ms_runtime rt;
	char path[PATH_MAX];
	int fd;

	make_elf("40/exe", NULL, 0, true, NULL, 0);
	fixture_put(root, "40/maps",
		    "00400000-00401000 r-xp 00000000 08:01 12 /usr/bin/plain\n");
	identify(40, &rt);
	ok(rt.kind == MS_RT_UNKNOWN && has(rt.evidence, "nothing known"),
	   "a plain ELF: unknown, and what was read");

	identify(41, &rt);
	ok(rt.kind == MS_RT_UNKNOWN && has(rt.evidence, "no executable"),
	   "no exe (kernel thread, zombie): said");

	fixture_put(root, "42/exe", "#!/bin/sh\necho not elf\n");
	identify(42, &rt);
	ok(has(rt.evidence, "not an ELF file"), "a script: not ELF");

	PUT_BYTES("43/exe", "\177ELF\2\1\1");
	identify(43, &rt);
	ok(has(rt.evidence, "not an ELF file"), "8 bytes: refused");

	PUT_BYTES("44/exe", "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\2\0>\0");
	identify(44, &rt);
	ok(has(rt.evidence, "ELF header cut short"), "cut header: refused");

	PUT_BYTES("45/exe", "\177ELF\3\1\1\0\0\0\0\0\0\0\0\0");
	identify(45, &rt);
	ok(has(rt.evidence, "class"), "unknown class: refused");

	/* Section headers claimed past the end of the file. */
	make_elf("46/exe", NULL, 0, true, NULL, 0);
	snprintf(path, sizeof(path), "%s/46/exe", root);
	fd = open(path, O_RDWR);
	if (fd >= 0) {
		unsigned char shoff[8];

		put(shoff, 1ULL << 40, 8);
		ok(pwrite(fd, shoff, 8, 40) == 8, "damage the fixture");
		close(fd);
	}
	identify(46, &rt);
	ok(has(rt.evidence, "section headers out of the file"),
	   "section headers past the end: refused");
}

/* Set field (8 bytes at at) of section index's header in file path. */
static bool patch_section(const char *path, size_t index, size_t at,
			  uint64_t v)
{
	unsigned char b[8];
	uint64_t shoff = 0;
	int fd = open(path, O_RDWR);
	bool done;
	size_t k;

	if (fd < 0)
		return false;
	done = pread(fd, b, 8, 40) == 8;
	for (k = 0; k < 8; k++)
		shoff |= (uint64_t)b[k] << (8 * k);
	put(b, v, 8);
	done = done && pwrite(fd, b, 8, (off_t)(shoff + index * 64 + at)) == 8;
	close(fd);
	return done;
}

/*
 * A 4 GiB sparse file whose .rodata claims 3 GiB and whose .symtab
 * claims 1 GiB: the string search stops at MS_ELF_MAX_SEARCH, the symbol
 * table (past MS_ELF_MAX_SYMTAB) is not read, and the reasons are said.
 */
static void test_huge(void)
{
	unsigned char syms[48] = { 0 };
	struct sec s[3] = {
		{ ".rodata", 1, "x", 2, 0 },
		{ ".symtab", 2, syms, sizeof(syms), 3 },
		{ ".strtab", 3, "\0", 1, 0 },
	};
	struct ms_runtime rt;
	char path[PATH_MAX];
	int fd;

	make_elf("50/exe", s, 3, true, NULL, 0);
	snprintf(path, sizeof(path), "%s/50/exe", root);
	fd = open(path, O_RDWR);
	ok(fd >= 0 && !ftruncate(fd, 4LL << 30), "a 4 GiB sparse file");
	if (fd >= 0)
		close(fd);
	ok(patch_section(path, 1, 32, 3ULL << 30) &&
	   patch_section(path, 2, 32, 1ULL << 30), "claiming GiB sections");
	identify(50, &rt);
	ok(rt.kind == MS_RT_UNKNOWN && has(rt.evidence, ".symtab") &&
	   has(rt.evidence, "too large to read"),
	   "4 GiB: unknown, the oversized symbol table said");
	truncate(path, 0);
}

static void test_attach_and_output(void)
{
	struct ms_proc p = { 0 };
	struct ms_host h = { 0 };
	struct ms_exporter_self self = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	p.pid = 10;
	snprintf(p.comm, sizeof(p.comm), "gofree");
	p.known[MS_RSS] = p.known[MS_LAZYFREE] = true;
	p.val[MS_RSS] = 70 << 20;
	ok(!ms_rt_attach(root, &p) && !p.runtime,
	   "nothing lazily freed: not looked at");
	p.val[MS_LAZYFREE] = 64 << 20;
	ok(!ms_rt_attach(root, &p) && p.runtime &&
	   p.runtime->kind == MS_RT_GO, "lazily freed: identified");

	f = open_memstream(&buf, &len);
	ms_out_human(f, &p, NULL, false);
	fclose(f);
	ok(has(buf, "  Runtime            go go1.21.5\n") &&
	   has(buf, "  Its settings       GODEBUG=madvdontneed=0") &&
	   has(buf, "  Advice: Go 1.16"), "human: the runtime block");
	free(buf);

	f = open_memstream(&buf, &len);
	ms_out_json(f, &p, false, false);
	fclose(f);
	ok(has(buf, ",\"runtime\":{\"name\":\"go\",\"version\":\"go1.21.5\",\"evidence\":\"Go build info") &&
	   has(buf, "\"also\":[],\"advice\":\"Go 1.16"),
	   "JSON: the runtime object");
	free(buf);

	h.top = &p;
	h.nr_top = 1;
	f = open_memstream(&buf, &len);
	ms_expfmt_write(f, MS_EXPFMT_TEXT, &h, &self, 1 << 20);
	fclose(f);
	ok(has(buf, "madvstat_process_lazyfree_bytes{pid=\"10\",comm=\"gofree\",cgroup=\"(unknown)\",runtime=\"go\"} 67108864"),
	   "exporter: the runtime label");
	free(buf);
	ms_proc_free(&p);
	ok(!p.runtime, "freed with the process");
}

int main(void)
{
	if (!mkdtemp(root)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_go_inline();
	test_go_data_segment();
	test_go_pointer();
	test_jemalloc_static();
	test_stripped_messages();
	test_maps();
	test_unknown_and_damaged();
	test_huge();
	test_attach_and_output();
	fixture_remove(root);
	return tap_done();
}
