// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime behind lazily freed memory (Documentation/runtimes.rst),
 * named by madvstat for real programs: a static Go program run with
 * GODEBUG=madvdontneed=0 (gofree), and a C program statically linked
 * with jemalloc run with muzzy decay (jefree). Each frees 64 MiB lazily
 * and holds; once /proc/madvstat/<pid> shows LazyFree, `madvstat PID` and
 * its JSON must name the runtime, the evidence, its setting and the
 * switch that returns memory at once, and `madvstat explain PID` exit 0
 * naming the runtime and the switch.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "memtest.h"

#define BIN		"/root/bin/"
#define MADVSTAT	BIN "madvstat"
/* What each program frees, less what MADV_FREE may leave out (THPs). */
#define FREED_KB	(64L << 10)
#define SLACK_KB	8192

/*
 * Start prog with one more environment variable; returns its PID once it
 * printed "freed" (its memory freed), or -1.
 */
static pid_t start(const char *prog, const char *env)
{
	char line[16] = "";
	int fds[2];
	pid_t pid;
	FILE *f;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		putenv((char *)env);
		execl(prog, prog, "120", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f || !fgets(line, sizeof(line), f) || strcmp(line, "freed\n")) {
		if (f)
			fclose(f);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	fclose(f);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* LazyFree of pid in kB, once the LRU batches are drained. */
static int64_t lazyfree_kb(pid_t pid)
{
	int64_t kb = -1;
	int i;

	for (i = 0; i < 100; i++) {
		mt_drain_lru();
		kb = mt_madvstat_get(pid, "LazyFree");
		if (kb >= FREED_KB - SLACK_KB)
			break;
		usleep(100000);
	}
	return kb;
}

struct expect {
	const char *prog, *env;
	const char *human[4];	/* in `madvstat PID` */
	const char *json[4];	/* in `madvstat --json PID` */
	const char *explain[4];	/* in `madvstat explain PID` */
};

static void check(struct __test_metadata *_metadata, const struct expect *x)
{
	char cmd[128], out[16384];
	int64_t kb;
	pid_t pid;
	int i;

	ASSERT_EQ(0, access(x->prog, X_OK)) {
		TH_LOG("%s missing: make selftests builds it", x->prog);
	}
	ASSERT_EQ(0, access(MADVSTAT, X_OK));
	pid = start(x->prog, x->env);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, mt_wait_entry(pid, true, 5000));
	kb = lazyfree_kb(pid);
	TH_LOG("%s: LazyFree %lld kB, Marked %lld kB", x->prog, (long long)kb,
	       (long long)mt_madvstat_get(pid, "Marked"));
	EXPECT_LE(FREED_KB - SLACK_KB, kb);

	snprintf(cmd, sizeof(cmd), MADVSTAT " %d 2>&1", (int)pid);
	EXPECT_EQ(0, mt_run(cmd, out, sizeof(out)));
	for (i = 0; i < 4 && x->human[i]; i++)
		EXPECT_NE(NULL, strstr(out, x->human[i])) {
			TH_LOG("no \"%s\" in:\n%s", x->human[i], out);
		}
	TH_LOG("%s", strstr(out, "  Runtime") ? strstr(out, "  Runtime") :
	       out);

	snprintf(cmd, sizeof(cmd), MADVSTAT " --json %d", (int)pid);
	EXPECT_EQ(0, mt_run(cmd, out, sizeof(out)));
	for (i = 0; i < 4 && x->json[i]; i++)
		EXPECT_NE(NULL, strstr(out, x->json[i])) {
			TH_LOG("no \"%s\" in:\n%s", x->json[i], out);
		}

	snprintf(cmd, sizeof(cmd), MADVSTAT " explain %d", (int)pid);
	EXPECT_EQ(0, mt_run(cmd, out, sizeof(out)));
	for (i = 0; i < 4 && x->explain[i]; i++)
		EXPECT_NE(NULL, strstr(out, x->explain[i])) {
			TH_LOG("no \"%s\" in:\n%s", x->explain[i], out);
		}
	TH_LOG("madvstat explain %d:\n%s", (int)pid, out);
	stop(pid);
}

TEST(go_with_madv_free)
{
	static const struct expect x = {
		BIN "gofree", "GODEBUG=madvdontneed=0",
		{ "  Runtime            go go1.",
		  "Go build info in the .go.buildinfo section of /proc/",
		  "  Its settings       GODEBUG=madvdontneed=0",
		  "set GODEBUG=madvdontneed=1" },
		{ "\"runtime\":{\"name\":\"go\",\"version\":\"go1.",
		  "\"settings\":\"GODEBUG=madvdontneed=0\"",
		  "runtime/mem_linux.go sysUnusedOS" },
		{ "  Runtime: go go1.", "GODEBUG=madvdontneed=1" },
	};

	check(_metadata, &x);
}

TEST(jemalloc_with_muzzy_decay)
{
	static const struct expect x = {
		BIN "jefree", "MALLOC_CONF=dirty_decay_ms:1,muzzy_decay_ms:10000",
		{ "  Runtime            jemalloc 5.",
		  "symbol mallctl defined in the .symtab of /proc/",
		  "  Its settings       MALLOC_CONF=dirty_decay_ms:1,muzzy_decay_ms:10000",
		  "Set muzzy_decay_ms:0" },
		{ "\"runtime\":{\"name\":\"jemalloc\",\"version\":\"5.",
		  "\"settings\":\"MALLOC_CONF=dirty_decay_ms:1,muzzy_decay_ms:10000\"",
		  "src/pages.c pages_purge_lazy" },
		{ "  Runtime: jemalloc 5.", "muzzy_decay_ms:0" },
	};

	check(_metadata, &x);
}

TEST_HARNESS_MAIN
