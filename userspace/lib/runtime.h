/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime or allocator behind a process's lazily freed memory, told
 * from what the host reads without stopping it: /proc/PID/exe (an ELF
 * file, read bounded: elfread.h), /proc/PID/maps and, when readable,
 * /proc/PID/environ. Each identification says what it rests on; each
 * runtime has its advice: the switch that makes its RSS honest, what it
 * costs, and where in the runtime's source that behaviour is
 * (Documentation/runtimes.rst).
 */
#ifndef MADVSTAT_RUNTIME_H
#define MADVSTAT_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "procinfo.h"

enum ms_rt_kind {
	MS_RT_UNKNOWN,
	MS_RT_GO,
	MS_RT_DOTNET,
	MS_RT_V8,
	MS_RT_JEMALLOC,
	MS_RT_MIMALLOC,
	MS_RT_NR
};

#define MS_RT_TEXT 320

struct ms_runtime {
	enum ms_rt_kind kind;
	char version[64];	/* as the binary says it; "" if not read */
	/* What the identification rests on; for unknown, what was read. */
	char evidence[MS_RT_TEXT];
	bool env_read;		/* /proc/PID/environ could be read */
	/* Its settings found in the environment (and /etc/malloc.conf). */
	char settings[MS_RT_TEXT];
	char also[64];		/* other runtimes seen in the process */
};

/* "go", "dotnet", "v8", "jemalloc", "mimalloc", "unknown": label values. */
const char *ms_rt_name(enum ms_rt_kind kind);

/* The name of rt's runtime, "unknown" for NULL. */
const char *ms_rt_label(const struct ms_runtime *rt);

/*
 * Identify the runtime of process pid under the proc root proc (with its
 * exe, maps, environ and root entries). Never fails: what could not be
 * read is said in rt->evidence.
 */
void ms_rt_identify(const char *proc, int pid, struct ms_runtime *rt);

/*
 * The advice for rt, one paragraph: how the runtime frees memory, the
 * switch that returns it at once with what that costs, and the source.
 */
void ms_rt_advice(const struct ms_runtime *rt, char *buf, size_t size);

/* Whether p holds lazily freed memory (LazyFree or Marked above 0). */
bool ms_rt_wanted(const struct ms_proc *p);

/*
 * Identify p's runtime into p->runtime (malloc()ed, freed by
 * ms_proc_free()) when p has lazily freed memory: LazyFree or Marked
 * above 0. Returns 0, or -ENOMEM.
 */
int ms_rt_attach(const char *proc, struct ms_proc *p);

#endif /* MADVSTAT_RUNTIME_H */
