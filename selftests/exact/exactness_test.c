// SPDX-License-Identifier: GPL-2.0
/*
 * exactness_test: madvstat's counters against the kernel's own, under a
 * seeded random workload (see exact.h, run.c, check.c).
 *
 *   exactness_test                 the fixed seeds of make check: $EXACT_SEEDS
 *                                  (default 1..8), $EXACT_OPS operations
 *                                  each (default 1000)
 *   exactness_test --seed S [--ops N] [--verbose]
 *                                  one seed, again (what a failure prints)
 *   exactness_test --seconds T [--ops N]
 *                                  fresh random seeds for T seconds (or
 *                                  $EXACT_SECONDS), then operations per
 *                                  second and seeds tried
 *
 * One TAP line per seed. A seed fails on the first checkpoint where the two
 * sides differ beyond a known cause; it then prints the seed, the
 * operations since the last checkpoint and both sides' numbers.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "kselftest.h"
#include "run.h"

#define KSM_RUN		"/sys/kernel/mm/ksm/run"
#define KSM_SLEEP	"/sys/kernel/mm/ksm/sleep_millisecs"
#define MTHP_GLOB	"/sys/kernel/mm/transparent_hugepage/hugepages-*kB/enabled"
#define MAX_SAVED	16

/* Settings a run changes, and their values before. */
struct saved {
	char path[128];
	char value[64];
};

static struct saved saved[MAX_SAVED];
static int nr_saved;

/* The value in brackets of a sysfs choice ("always [madvise] never"). */
static void current_choice(const char *text, char *out, size_t size)
{
	const char *a = strchr(text, '['), *b = a ? strchr(a, ']') : NULL;

	if (!a || !b || (size_t)(b - a) >= size) {
		snprintf(out, size, "%.*s", (int)strcspn(text, "\n"), text);
		return;
	}
	snprintf(out, size, "%.*s", (int)(b - a - 1), a + 1);
}

static void set_saving(const char *path, const char *value)
{
	char old[256];

	if (nr_saved == MAX_SAVED || ms_read_str(path, old, sizeof(old)))
		return;
	snprintf(saved[nr_saved].path, sizeof(saved[0].path), "%s", path);
	current_choice(old, saved[nr_saved].value, sizeof(saved[0].value));
	if (!ms_write_str(path, value))
		nr_saved++;
}

static void restore_all(void)
{
	while (nr_saved--)
		ms_write_str(saved[nr_saved].path, saved[nr_saved].value);
	nr_saved = 0;
}

/*
 * Per seed: each mTHP size on or off, KSM scanning or not, and khugepaged
 * free to fill empty pages of a range it collapses (the kernel's default)
 * or not: then every page a worker saw reclaim take is exactly its
 * Reclaimed (check.c).
 */
static void choose_settings(uint64_t seed)
{
	static const char *const mthp[] = { "never", "always", "inherit", "madvise" };
	uint64_t s = seed ^ 0x5eed;
	glob_t g;
	size_t i;

	if (glob(MTHP_GLOB, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			set_saving(g.gl_pathv[i], mthp[x_below(&s, 4)]);
		globfree(&g);
	}
	if (x_below(&s, 2) && !access(MAX_PTES_NONE, W_OK))
		set_saving(MAX_PTES_NONE, "0");
	if (!access(KSM_RUN, W_OK)) {
		set_saving(KSM_SLEEP, "10");
		set_saving(KSM_RUN, x_below(&s, 2) ? "1" : "0");
	}
}

static int one_seed(uint64_t seed, unsigned long ops, bool verbose,
		    unsigned long *done)
{
	int err;

	choose_settings(seed);
	err = x_run_seed(seed, ops, verbose, done);
	restore_all();
	return err;
}

static void require_module(void)
{
	char buf[4096];

	if (ms_read_str(MT_MADVSTAT_DIR "/summary", buf, sizeof(buf)))
		ksft_exit_fail_msg("madvstat is not loaded: no %s/summary\n",
				   MT_MADVSTAT_DIR);
	if (!strstr(buf, "AllMarked:"))
		ksft_exit_fail_msg("madvstat's tracking is off: nothing to check\n");
}

static int usage(void)
{
	fprintf(stderr,
		"usage: exactness_test [--seed S | --seconds T] [--ops N] [--verbose]\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long ops = 1000, done, total = 0, seeds = 0, failed = 0;
	const char *env_ops = getenv("EXACT_OPS");
	bool verbose = false, one = false;
	long seconds = 0;
	uint64_t seed = 0;
	int i;

	if (argc == 3 && !strcmp(argv[1], "--worker"))
		return x_worker_main(atoi(argv[2]));
	if (env_ops)
		ops = strtoul(env_ops, NULL, 10);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[++i], NULL, 0);
			one = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--ops")) {
			ops = strtoul(argv[++i], NULL, 10);
		} else if (i + 1 < argc && !strcmp(argv[i], "--seconds")) {
			seconds = strtol(argv[++i], NULL, 10);
		} else {
			return usage();
		}
	}
	if (!one && !seconds && getenv("EXACT_SECONDS"))
		seconds = strtol(getenv("EXACT_SECONDS"), NULL, 10);
	if (!ops || (one && seconds))
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	require_module();

	if (one || !seconds) {
		const char *list = one ? NULL : getenv("EXACT_SEEDS");
		uint64_t fixed[64];
		int n = 0;
		char *copy, *tok, *save;

		if (one) {
			fixed[n++] = seed;
		} else if (list) {
			copy = strdup(list);
			for (tok = strtok_r(copy, " ,", &save); tok && n < 64;
			     tok = strtok_r(NULL, " ,", &save))
				fixed[n++] = strtoull(tok, NULL, 0);
			free(copy);
		} else {
			for (n = 0; n < 8; n++)
				fixed[n] = (uint64_t)n + 1;
		}
		ksft_set_plan(n);
		for (i = 0; i < n; i++) {
			int64_t t = mt_now_ms();
			int err = one_seed(fixed[i], ops, verbose, &done);

			total += done;
			ksft_test_result(!err, "seed %llu: %lu operations in %.1f s\n",
					 (unsigned long long)fixed[i], done,
					 (mt_now_ms() - t) / 1000.0);
		}
		ksft_finished();
	}

	/* Fresh seeds until the time is up. */
	{
		int64_t start = mt_now_ms(), end = start + seconds * 1000;

		while (mt_now_ms() < end) {
			if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
				ksft_exit_fail_msg("getrandom: %s\n", strerror(errno));
			seed >>= 16;	/* short enough to type */
			if (one_seed(seed, ops, verbose, &done)) {
				failed++;
				ksft_test_result_fail("seed %llu\n", (unsigned long long)seed);
			} else {
				ksft_test_result_pass("seed %llu: %lu operations\n",
						      (unsigned long long)seed, done);
			}
			total += done;
			seeds++;
		}
		ksft_print_msg("%lu seeds, %lu operations in %.0f s: %.1f operations/s, %lu failed\n",
			       seeds, total, (mt_now_ms() - start) / 1000.0,
			       total * 1000.0 / (double)(mt_now_ms() - start + 1), failed);
		/* How many seeds fit is known only now: the plan comes last (TAP allows it). */
		ksft_set_plan(seeds);
		ksft_finished();
	}
}
