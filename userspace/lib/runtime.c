// SPDX-License-Identifier: GPL-2.0
/*
 * Which runtime or allocator a process runs, and the advice for it; see
 * runtime.h. The evidence, strongest first: the executable's own build
 * information (Go) or symbols, a library /proc/PID/maps shows mapped, a
 * runtime's message strings in the executable's .rodata. Nothing is
 * inferred from a file or process name.
 */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfread.h"
#include "report.h"

#define GO_BUILDINFO_SCAN	(64u << 10)	/* as Go's debug/buildinfo */
#define GO_BUILDINFO_HEADER	32
#define GO_BUILDINFO_ALIGN	16

static const char *const rt_names[MS_RT_NR] = {
	[MS_RT_UNKNOWN] = "unknown",
	[MS_RT_GO] = "go",
	[MS_RT_DOTNET] = "dotnet",
	[MS_RT_V8] = "v8",
	[MS_RT_JEMALLOC] = "jemalloc",
	[MS_RT_MIMALLOC] = "mimalloc",
};

const char *ms_rt_name(enum ms_rt_kind kind)
{
	return kind < MS_RT_NR ? rt_names[kind] : rt_names[MS_RT_UNKNOWN];
}

const char *ms_rt_label(const struct ms_runtime *rt)
{
	return ms_rt_name(rt ? rt->kind : MS_RT_UNKNOWN);
}

/* What one identification has found so far. */
struct scan {
	const char *proc;
	int pid;
	char evidence[MS_RT_NR][MS_RT_TEXT];	/* "": not seen */
	char version[MS_RT_NR][64];
	char go_default_madv[32];	/* from the build's DefaultGODEBUG */
	char jemalloc_lib[PATH_MAX];	/* the mapped library, if any */
	char problems[MS_RT_TEXT - 16];	/* what could not be read */
};

static bool seen(const struct scan *s, enum ms_rt_kind k)
{
	return s->evidence[k][0] != '\0';
}

static void found(struct scan *s, enum ms_rt_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void found(struct scan *s, enum ms_rt_kind k, const char *fmt, ...)
{
	va_list ap;

	if (seen(s, k))
		return;		/* the first, strongest, evidence stands */
	va_start(ap, fmt);
	vsnprintf(s->evidence[k], sizeof(s->evidence[k]), fmt, ap);
	va_end(ap);
}

static void problem(struct scan *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct scan *s, const char *fmt, ...)
{
	size_t n = strlen(s->problems);
	va_list ap;

	if (n + 2 >= sizeof(s->problems))
		return;
	if (n) {
		strcpy(s->problems + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(s->problems + n, sizeof(s->problems) - n, fmt, ap);
	va_end(ap);
}

/* ---- Go: the build info blob ----------------------------------------- */

/* A uvarint at p (before end): its value, and where it ends; NULL if bad. */
static const unsigned char *uvarint(const unsigned char *p,
				    const unsigned char *end, uint64_t *v)
{
	unsigned int shift;

	*v = 0;
	for (shift = 0; p < end && shift < 64; shift += 7, p++) {
		*v |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p & 0x80))
			return p + 1;
	}
	return NULL;
}

/* A Go version string: printable, starting "go" or "devel". */
static bool go_version_ok(const char *v)
{
	const char *c;

	if (strncmp(v, "go", 2) && strncmp(v, "devel", 5))
		return false;
	for (c = v; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			return false;
	return true;
}

/* madvdontneed=N from the build's "build\tDefaultGODEBUG=..." line. */
static void go_default_godebug(struct scan *s, const char *mod, size_t len)
{
	static const char key[] = "DefaultGODEBUG=";
	const char *p = memmem(mod, len, key, sizeof(key) - 1), *end, *m;

	if (!p)
		return;
	end = memchr(p, '\n', len - (size_t)(p - mod));
	if (!end)
		end = mod + len;
	m = memmem(p, (size_t)(end - p), "madvdontneed=", 13);
	if (m)
		snprintf(s->go_default_madv, sizeof(s->go_default_madv), "%.*s",
			 (int)strcspn(m, ",\n"), m);
}

/* Build info with inline strings (Go 1.18 on): version, then modinfo. */
static bool go_inline(struct scan *s, const unsigned char *p,
		      const unsigned char *end)
{
	uint64_t len;

	p = uvarint(p, end, &len);
	if (!p || len >= sizeof(s->version[0]) || len > (uint64_t)(end - p))
		return false;
	memcpy(s->version[MS_RT_GO], p, (size_t)len);
	s->version[MS_RT_GO][len] = '\0';
	p += len;
	p = uvarint(p, end, &len);
	if (p && len <= (uint64_t)(end - p))
		go_default_godebug(s, (const char *)p, (size_t)len);
	return true;
}

/* Build info pointing at a Go string (up to Go 1.17): the version. */
static bool go_pointer(struct scan *s, const struct ms_elf *e,
		       const unsigned char *blob)
{
	size_t ptr = blob[14];
	struct ms_elf tmp = *e;	/* the blob's byte order, not the file's */
	unsigned char hdr[16];
	uint64_t addr = 0, data = 0, len = 0;
	size_t i;
	ssize_t n;

	if (ptr != 4 && ptr != 8)
		return false;
	tmp.big_endian = blob[15] != 0;
	for (i = 0; i < ptr; i++)
		addr |= (uint64_t)blob[16 + (tmp.big_endian ? ptr - 1 - i : i)]
			<< (8 * i);
	n = ms_elf_read_vaddr(e, hdr, 2 * ptr, addr);
	if (n != (ssize_t)(2 * ptr))
		return false;
	for (i = 0; i < ptr; i++) {
		size_t b = tmp.big_endian ? ptr - 1 - i : i;

		data |= (uint64_t)hdr[b] << (8 * i);
		len |= (uint64_t)hdr[ptr + b] << (8 * i);
	}
	if (!len || len >= sizeof(s->version[0]))
		return false;
	n = ms_elf_read_vaddr(e, s->version[MS_RT_GO], (size_t)len, data);
	if (n != (ssize_t)len) {
		s->version[MS_RT_GO][0] = '\0';
		return false;
	}
	s->version[MS_RT_GO][len] = '\0';
	return true;
}

/*
 * Go's build info, where Go's own debug/buildinfo looks: the
 * .go.buildinfo section, else the first 64 KiB of the data segment, for
 * the magic on a 16-byte boundary.
 */
static void go_buildinfo(struct scan *s, const struct ms_elf *e,
			 const char *exe)
{
	static const char magic[] = "\xff Go buildinf:";	/* without its NUL */
	const struct ms_elf_section *sec = ms_elf_section(e, ".go.buildinfo");
	const struct ms_elf_segment *seg = ms_elf_data_segment(e);
	const char *where = sec ? "the .go.buildinfo section" :
		"the data segment";
	uint64_t off, size;
	unsigned char *buf;
	ssize_t n;
	size_t i;

	if (sec) {
		off = sec->offset;
		size = sec->size;
	} else if (seg) {
		off = seg->offset;
		size = seg->filesz;
	} else {
		return;
	}
	buf = malloc(GO_BUILDINFO_SCAN);
	if (!buf)
		return;
	n = ms_elf_pread(e, buf, size < GO_BUILDINFO_SCAN ? (size_t)size :
			 GO_BUILDINFO_SCAN, off);
	for (i = 0; n >= GO_BUILDINFO_HEADER &&
	     i <= (size_t)n - GO_BUILDINFO_HEADER; i += GO_BUILDINFO_ALIGN) {
		const unsigned char *b = buf + i;
		bool ok;

		if (memcmp(b, magic, sizeof(magic) - 1))
			continue;
		if (b[15] & 2)
			ok = go_inline(s, b + GO_BUILDINFO_HEADER, buf + n);
		else
			ok = go_pointer(s, e, b);
		if (ok && go_version_ok(s->version[MS_RT_GO])) {
			found(s, MS_RT_GO, "Go build info in %s of %s", where,
			      exe);
		} else {
			s->version[MS_RT_GO][0] = '\0';
			found(s, MS_RT_GO, "Go build info magic in %s of %s (its version unreadable)",
			      where, exe);
		}
		break;
	}
	free(buf);
}

/* ---- symbols and strings of an ELF file ------------------------------ */

static const struct {
	const char *name;
	enum ms_rt_kind kind;
} rt_symbols[] = {
	{ "mallctl", MS_RT_JEMALLOC },
	{ "je_mallctl", MS_RT_JEMALLOC },
	{ "_rjem_mallctl", MS_RT_JEMALLOC },	/* Rust's tikv-jemallocator */
	{ "mi_malloc", MS_RT_MIMALLOC },
	{ "mi_option_set", MS_RT_MIMALLOC },
	{ "node_module_register", MS_RT_V8 },	/* Node.js, static */
	{ "_ZN2v87Isolate*", MS_RT_V8 },	/* V8's C++ API */
	{ "coreclr_initialize", MS_RT_DOTNET },
};

#define NR_RT_SYMBOLS (sizeof(rt_symbols) / sizeof(rt_symbols[0]))

static void symbols(struct scan *s, const struct ms_elf *e, const char *exe)
{
	static const char *const tables[] = { ".symtab", ".dynsym" };
	const char *names[NR_RT_SYMBOLS];
	size_t t, k;

	for (k = 0; k < NR_RT_SYMBOLS; k++)
		names[k] = rt_symbols[k].name;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		uint64_t hit = 0;
		int ret = ms_elf_find_symbols(e, tables[t], names,
					      NR_RT_SYMBOLS, &hit);

		if (ret == -E2BIG)
			problem(s, "%s of %s too large to read", tables[t],
				exe);
		else if (ret)
			problem(s, "%s of %s malformed", tables[t], exe);
		for (k = 0; k < NR_RT_SYMBOLS; k++)
			if (hit & (1ULL << k))
				found(s, rt_symbols[k].kind,
				      "symbol %.*s defined in the %s of %s",
				      (int)strcspn(rt_symbols[k].name, "*"),
				      rt_symbols[k].name, tables[t], exe);
	}
}

/* What the strings of a .rodata section say. */
struct rodata {
	bool jemalloc, mimalloc;
	char jemalloc_version[64];
};

/* jemalloc's version as `git describe` made it: 5.3.0-0-g<40 hex>. */
static bool jemalloc_version_ok(const char *v)
{
	int dots = 0;
	size_t n;

	for (; *v >= '0' && *v <= '9'; v++)
		if (v[1] == '.' && ++dots && v[2] >= '0' && v[2] <= '9')
			v++;
	if (dots != 2 || *v != '-')
		return false;
	v += 1 + strspn(v + 1, "0123456789");
	if (strncmp(v, "-g", 2))
		return false;
	n = strspn(v + 2, "0123456789abcdef");
	return n == 40 && !v[2 + n];
}

/*
 * A string starting with prefix, then ": " (so that this file's own
 * strings never match: the two halves are never one literal here).
 */
static bool starts_message(const char *str, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(str, prefix, n) && str[n] == ':' && str[n + 1] == ' ';
}

static bool rodata_string(const char *str, void *arg)
{
	struct rodata *r = arg;

	if (starts_message(str, "<jemalloc>"))
		r->jemalloc = true;
	else if (starts_message(str, "mimalloc"))
		r->mimalloc = true;
	else if (!r->jemalloc_version[0] && strlen(str) < 64 &&
		 jemalloc_version_ok(str))
		strcpy(r->jemalloc_version, str);
	return r->jemalloc && r->mimalloc && r->jemalloc_version[0];
}

static int read_rodata(const struct ms_elf *e, struct rodata *r)
{
	const struct ms_elf_section *sec = ms_elf_section(e, ".rodata");

	memset(r, 0, sizeof(*r));
	return sec ? ms_elf_strings(e, sec, rodata_string, r) : 0;
}

static void rodata(struct scan *s, const struct ms_elf *e, const char *exe)
{
	struct rodata r;

	if (read_rodata(e, &r) < 0) {
		problem(s, ".rodata of %s unreadable", exe);
		return;
	}
	if (r.jemalloc)
		found(s, MS_RT_JEMALLOC, "jemalloc's messages (<jemalloc> prefix) in the .rodata of %s",
		      exe);
	if (r.mimalloc)
		found(s, MS_RT_MIMALLOC, "mimalloc's messages (mimalloc prefix) in the .rodata of %s",
		      exe);
	if (r.jemalloc && r.jemalloc_version[0])
		snprintf(s->version[MS_RT_JEMALLOC],
			 sizeof(s->version[0]), "%s", r.jemalloc_version);
}

static void exe_error(struct scan *s, const char *exe, int err,
		      const char *why)
{
	switch (err) {
	case -ENOENT:
		problem(s, "%s: no executable (a kernel thread, or a process exiting)",
			exe);
		break;
	case -EACCES:
	case -EPERM:
		problem(s, "%s: permission denied", exe);
		break;
	case -ENOEXEC:
	case -EBADMSG:
		problem(s, "%s: %s", exe, why);
		break;
	default:
		problem(s, "%s: %s", exe, strerror(-err));
	}
}

static void scan_exe(struct scan *s)
{
	char exe[PATH_MAX];
	const char *why = "";
	struct ms_elf e;
	int ret;

	snprintf(exe, sizeof(exe), "%s/%d/exe", s->proc, s->pid);
	ret = ms_elf_open(exe, &e, &why);
	if (ret) {
		exe_error(s, exe, ret, why);
		return;
	}
	go_buildinfo(s, &e, exe);
	if (!seen(s, MS_RT_GO) && ms_elf_section(&e, ".note.go.buildid"))
		found(s, MS_RT_GO, "section .note.go.buildid in %s (no build info: version unknown)",
		      exe);
	symbols(s, &e, exe);
	/* Messages: for stripped static builds, so only when needed. */
	if (!seen(s, MS_RT_GO) && !seen(s, MS_RT_DOTNET) &&
	    !seen(s, MS_RT_V8))
		rodata(s, &e, exe);
	ms_elf_close(&e);
}

/* ---- /proc/PID/maps --------------------------------------------------- */

static const struct {
	const char *prefix;	/* of the file name */
	enum ms_rt_kind kind;
} rt_libraries[] = {
	{ "libjemalloc.so", MS_RT_JEMALLOC },
	{ "libmimalloc.so", MS_RT_MIMALLOC },
	{ "libmimalloc-secure.so", MS_RT_MIMALLOC },
	{ "libcoreclr.so", MS_RT_DOTNET },
	{ "libnode.so", MS_RT_V8 },
	{ "libv8.so", MS_RT_V8 },
};

/* The path a maps line names, or NULL: the sixth field to the end. */
static const char *maps_path(const char *line)
{
	int field;

	for (field = 0; field < 5; field++) {
		line += strspn(line, " ");
		line += strcspn(line, " ");
	}
	line += strspn(line, " ");
	return *line == '/' ? line : NULL;
}

static void maps_line(struct scan *s, const char *maps, char *line)
{
	const char *path, *base;
	size_t i;

	line[strcspn(line, "\n")] = '\0';
	path = maps_path(line);
	if (!path)
		return;
	base = strrchr(path, '/') + 1;
	for (i = 0; i < sizeof(rt_libraries) / sizeof(rt_libraries[0]); i++) {
		enum ms_rt_kind k = rt_libraries[i].kind;

		if (strncmp(base, rt_libraries[i].prefix,
			    strlen(rt_libraries[i].prefix)) || seen(s, k))
			continue;
		found(s, k, "%s maps %s", maps, path);
		if (k == MS_RT_JEMALLOC)
			snprintf(s->jemalloc_lib, sizeof(s->jemalloc_lib),
				 "%s", path);
	}
}

static void scan_maps(struct scan *s)
{
	char maps[PATH_MAX];
	size_t cap = 0;
	char *line = NULL;
	FILE *f;

	snprintf(maps, sizeof(maps), "%s/%d/maps", s->proc, s->pid);
	f = fopen(maps, "re");
	if (!f) {
		problem(s, "%s: %s", maps, errno == EACCES || errno == EPERM ?
			"permission denied" : strerror(errno));
		return;
	}
	while (getline(&line, &cap, f) > 0)
		maps_line(s, maps, line);
	free(line);
	fclose(f);
}

/* jemalloc's version from the library it maps, read through its root. */
static void jemalloc_lib_version(struct scan *s)
{
	char path[PATH_MAX * 2];
	struct rodata r;
	struct ms_elf e;

	if (!s->jemalloc_lib[0] || strstr(s->jemalloc_lib, " (deleted)"))
		return;
	snprintf(path, sizeof(path), "%s/%d/root%s", s->proc, s->pid,
		 s->jemalloc_lib);
	if (ms_elf_open(path, &e, NULL))
		return;
	if (read_rodata(&e, &r) >= 0 && r.jemalloc_version[0])
		snprintf(s->version[MS_RT_JEMALLOC], sizeof(s->version[0]),
			 "%s", r.jemalloc_version);
	ms_elf_close(&e);
}

/* ---- the environment ------------------------------------------------- */

/* The variables each runtime reads; a name ending in '*' is a prefix. */
static const char *const rt_env[MS_RT_NR][4] = {
	[MS_RT_GO] = { "GODEBUG" },
	[MS_RT_DOTNET] = { "DOTNET_GC*", "COMPlus_GC*" },
	[MS_RT_V8] = { "NODE_OPTIONS" },
	[MS_RT_JEMALLOC] = { "MALLOC_CONF", "_RJEM_MALLOC_CONF",
			     "JE_MALLOC_CONF" },
	[MS_RT_MIMALLOC] = { "MIMALLOC_*" },
};

static void append(char *buf, size_t size, const char *str)
{
	size_t n = strlen(buf);

	if (n + 2 < size)
		snprintf(buf + n, size - n, "%s%s", n ? " " : "", str);
}

static bool env_wanted(enum ms_rt_kind kind, const char *var)
{
	size_t i, eq = strcspn(var, "=");

	for (i = 0; i < 4 && rt_env[kind][i]; i++) {
		const char *want = rt_env[kind][i];
		size_t n = strlen(want);

		if (want[n - 1] == '*' ? !strncmp(var, want, n - 1) :
		    (eq == n && !strncmp(var, want, n)))
			return true;
	}
	return false;
}

static void read_environ(const struct scan *s, struct ms_runtime *rt)
{
	char path[PATH_MAX];
	size_t len, i;
	char *env;

	/* The kernel bounds environ: at most a quarter of the stack limit. */
	snprintf(path, sizeof(path), "%s/%d/environ", s->proc, s->pid);
	env = ms_read_file(path, &len);
	if (!env)
		return;
	rt->env_read = true;
	for (i = 0; i < len; i += strlen(env + i) + 1)
		if (env_wanted(rt->kind, env + i))
			append(rt->settings, sizeof(rt->settings), env + i);
	free(env);
}

/* /etc/malloc.conf, a symbolic link whose target jemalloc reads. */
static void jemalloc_link(const struct scan *s, struct ms_runtime *rt)
{
	char path[PATH_MAX], target[128], setting[160];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/root/etc/malloc.conf", s->proc,
		 s->pid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	snprintf(setting, sizeof(setting), "/etc/malloc.conf->%s", target);
	append(rt->settings, sizeof(rt->settings), setting);
}

/* ---- putting it together --------------------------------------------- */

void ms_rt_identify(const char *proc, int pid, struct ms_runtime *rt)
{
	struct scan *s = calloc(1, sizeof(*s));
	int k;

	memset(rt, 0, sizeof(*rt));
	if (!s) {
		snprintf(rt->evidence, sizeof(rt->evidence),
			 "not identified: out of memory");
		return;
	}
	s->proc = proc;
	s->pid = pid;
	scan_exe(s);
	scan_maps(s);
	if (seen(s, MS_RT_JEMALLOC) && !s->version[MS_RT_JEMALLOC][0])
		jemalloc_lib_version(s);
	for (k = MS_RT_UNKNOWN + 1; k < MS_RT_NR; k++) {
		if (!seen(s, (enum ms_rt_kind)k))
			continue;
		if (rt->kind == MS_RT_UNKNOWN)
			rt->kind = (enum ms_rt_kind)k;
		else
			append(rt->also, sizeof(rt->also), rt_names[k]);
	}
	if (rt->kind != MS_RT_UNKNOWN) {
		snprintf(rt->evidence, sizeof(rt->evidence), "%s",
			 s->evidence[rt->kind]);
		snprintf(rt->version, sizeof(rt->version), "%s",
			 s->version[rt->kind]);
		read_environ(s, rt);
		if (rt->kind == MS_RT_JEMALLOC)
			jemalloc_link(s, rt);
		if (rt->kind == MS_RT_GO && s->go_default_madv[0]) {
			char buf[64];

			snprintf(buf, sizeof(buf), "DefaultGODEBUG:%s",
				 s->go_default_madv);
			append(rt->settings, sizeof(rt->settings), buf);
		}
	} else if (s->problems[0]) {
		snprintf(rt->evidence, sizeof(rt->evidence),
			 "not identified: %s", s->problems);
	} else {
		snprintf(rt->evidence, sizeof(rt->evidence),
			 "nothing known in %s/%d/exe (no Go build info, no jemalloc, mimalloc, V8 or CoreCLR symbols or messages) nor in %s/%d/maps",
			 proc, pid, proc, pid);
	}
	free(s);
}

bool ms_rt_wanted(const struct ms_proc *p)
{
	return (p->known[MS_LAZYFREE] && p->val[MS_LAZYFREE]) ||
	       (p->known[MS_MARKED] && p->val[MS_MARKED]);
}

int ms_rt_attach(const char *proc, struct ms_proc *p)
{
	if (!ms_rt_wanted(p) || p->runtime)
		return 0;
	p->runtime = malloc(sizeof(*p->runtime));
	if (!p->runtime)
		return -ENOMEM;
	ms_rt_identify(proc, p->pid, p->runtime);
	return 0;
}
