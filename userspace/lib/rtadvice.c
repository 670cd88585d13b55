// SPDX-License-Identifier: GPL-2.0
/*
 * The advice for each runtime (ms_rt_advice() of runtime.h): which
 * switch makes its RSS honest, what that costs, per version where the
 * default changed, and the file and function of the runtime's source the
 * behaviour is read from (Documentation/runtimes.rst has the table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define COST_DONTNEED \
	"RSS then drops as soon as memory is returned; reusing it costs a page fault and zeroing per page (a little more CPU)."

/* major.minor of a version string after its prefix; false if none. */
static bool version_nums(const char *v, const char *prefix, int *major,
			 int *minor)
{
	const char *p = strstr(v, prefix);
	char *end;

	if (!p)
		return false;
	p += strlen(prefix);
	if (*p < '0' || *p > '9')
		return false;
	*major = (int)strtol(p, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return false;
	*minor = (int)strtol(end + 1, NULL, 10);
	return true;
}

static bool has(const struct ms_runtime *rt, const char *setting)
{
	return strstr(rt->settings, setting) != NULL;
}

static void go_advice(const struct ms_runtime *rt, char *buf, size_t size)
{
	static const char src[] =
		"(Go: runtime/mem_linux.go sysUnusedOS; runtime/runtime1.go parsedebugvars)";
	int major, minor;
	bool known = version_nums(rt->version, "go", &major, &minor) &&
		major == 1;
	const char *set = has(rt, "madvdontneed=0") ?
		" madvdontneed=0 is set here." : "";

	if (known && minor < 12)
		snprintf(buf, size,
			 "Go before 1.12 returns memory with MADV_DONTNEED (doc/go1.12.html: 1.12 moved to MADV_FREE): its lazily freed memory comes from other code in the process.");
	else if (known && minor <= 15)
		snprintf(buf, size,
			 "Go 1.12 to 1.15 return memory with MADV_FREE by default %s. GODEBUG=madvdontneed=1 returns it with MADV_DONTNEED instead: %s",
			 src, COST_DONTNEED);
	else if (known)
		snprintf(buf, size,
			 "Go 1.16 and later return memory with MADV_DONTNEED unless GODEBUG=madvdontneed=0 (in the environment or, from Go 1.21, a //go:debug default) %s.%s Remove madvdontneed=0 (or set GODEBUG=madvdontneed=1): %s",
			 src, set, COST_DONTNEED);
	else
		snprintf(buf, size,
			 "Go 1.12 to 1.15 return memory with MADV_FREE by default, 1.16 and later only with GODEBUG=madvdontneed=0 %s.%s GODEBUG=madvdontneed=1 returns it with MADV_DONTNEED: %s",
			 src, set, COST_DONTNEED);
}

static void jemalloc_advice(const struct ms_runtime *rt, char *buf,
			    size_t size)
{
	static const char src[] =
		"(jemalloc: src/pages.c pages_purge_lazy, pages_purge_forced; src/pac.c pac_decay_stashed)";
	static const char fix[] =
		"Set muzzy_decay_ms:0 (MALLOC_CONF, or _RJEM_MALLOC_CONF for Rust's tikv-jemallocator): unused dirty pages are then purged with MADV_DONTNEED when dirty_decay_ms runs out.";
	int major, minor;
	bool known = version_nums(rt->version, "", &major, &minor);

	if (known && (major < 4 || (major == 4 && minor < 4)))
		snprintf(buf, size,
			 "jemalloc before 4.4 purges with MADV_DONTNEED on Linux (ChangeLog, 4.4.0: MADV_FREE detected and used from then on): its lazily freed memory comes from other code in the process.");
	else if (known && major == 4)
		snprintf(buf, size,
			 "jemalloc 4.4 and 4.5 purge with MADV_FREE wherever it was built with it (src/pages.c pages_purge); no option selects MADV_DONTNEED: upgrade to 5.x and set muzzy_decay_ms:0.");
	else if (known && major == 5 && minor < 2)
		snprintf(buf, size,
			 "jemalloc 5.0 and 5.1 purge lazily with MADV_FREE by default: muzzy_decay_ms defaults to 10000 %s. %s %s",
			 src, fix, COST_DONTNEED);
	else if (known)
		snprintf(buf, size,
			 "jemalloc 5.2 and later purge lazily with MADV_FREE only when muzzy_decay_ms is above 0 (its default is 0 since 5.2.0: include/jemalloc/internal/arena_types.h MUZZY_DECAY_MS_DEFAULT) %s. %s %s",
			 src, fix, COST_DONTNEED);
	else
		snprintf(buf, size,
			 "jemalloc 5.x purges lazily with MADV_FREE while muzzy_decay_ms is above 0 (the default in 5.0 and 5.1, 0 from 5.2.0) %s. %s %s",
			 src, fix, COST_DONTNEED);
}

static void mimalloc_advice(char *buf, size_t size)
{
	snprintf(buf, size,
		 "mimalloc purges with MADV_FREE (src/prim/unix/prim.c _mi_prim_reset) when MIMALLOC_PURGE_DECOMMITS=0, and with MADV_DONTNEED (_mi_prim_decommit) when it is 1, its default since v1.8 and v2.1.2 (src/options.c); older versions reset with MADV_FREE unless MIMALLOC_RESET_DECOMMITS=1. Set MIMALLOC_PURGE_DECOMMITS=1 (older: MIMALLOC_RESET_DECOMMITS=1): RSS drops when memory is purged (after MIMALLOC_PURGE_DELAY ms); reusing it costs page faults (a little more CPU).");
}

static void dotnet_advice(char *buf, size_t size)
{
	snprintf(buf, size,
		 "The .NET GC resets free heap space with MADV_FREE (src/coreclr/gc/unix/gcenv.unix.cpp GCToOSInterface::VirtualReset) only when the memory load is at or above its high-memory threshold (src/coreclr/gc/gc.cpp gc_heap::reset_memory, dt_high_memory_load_p; the threshold is DOTNET_GCHighMemPercent, in hex). No setting makes it use MADV_DONTNEED: those pages are the kernel's at the next reclaim, when memory is short anyway.");
}

static void v8_advice(char *buf, size_t size)
{
	snprintf(buf, size,
		 "V8 discards unused pages with MADV_FREE, falling back to MADV_DONTNEED only when the kernel refuses it (src/base/platform/platform-posix.cc OS::DiscardSystemPages, which reads no flag): no V8 or Node.js option selects MADV_DONTNEED. RSS overstates by LazyFree until the next reclaim takes those pages.");
}

void ms_rt_advice(const struct ms_runtime *rt, char *buf, size_t size)
{
	switch (rt ? rt->kind : MS_RT_UNKNOWN) {
	case MS_RT_GO:
		go_advice(rt, buf, size);
		break;
	case MS_RT_JEMALLOC:
		jemalloc_advice(rt, buf, size);
		break;
	case MS_RT_MIMALLOC:
		mimalloc_advice(buf, size);
		break;
	case MS_RT_DOTNET:
		dotnet_advice(buf, size);
		break;
	case MS_RT_V8:
		v8_advice(buf, size);
		break;
	default:
		snprintf(buf, size,
			 "No runtime identified, so no switch to name: madvstat --vmas PID shows which mappings hold the lazily freed pages.");
	}
}
