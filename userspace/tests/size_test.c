// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the one size formatter, ms_size_str(), at the edges of
 * each unit, and of its axis form, ms_size_str_axis().
 */
#include <string.h>

#include "size.h"
#include "tap.h"

#define KB 1024ULL
#define MB (1024 * KB)
#define GB (1024 * MB)
#define TB (1024 * GB)

static void test_sizes(void)
{
	static const struct {
		uint64_t bytes;
		const char *want;
	} cases[] = {
		{ 0, "0 B" },
		{ 1, "1 B" },
		{ 512, "512 B" },
		{ 1023, "1023 B" },
		{ KB, "1.0 KiB" },
		{ 1536, "1.5 KiB" },
		{ 4 * KB, "4.0 KiB" },
		{ 1023 * KB, "1023.0 KiB" },
		{ 1023 * KB + 972, "1023.9 KiB" },	/* the last KiB */
		{ 1024 * KB - 1, "1.0 MiB" },	/* rounds up, not 1024.0 KiB */
		{ MB, "1.0 MiB" },
		{ 192 * MB, "192.0 MiB" },
		{ 256 * MB + 52 * MB / 100, "256.5 MiB" },
		{ GB - 1, "1.0 GiB" },
		{ GB, "1.0 GiB" },
		{ GB + GB / 5, "1.2 GiB" },
		{ GB + GB / 2, "1.5 GiB" },
		{ 3 * GB, "3.0 GiB" },
		{ 3 * TB, "3.0 TiB" },
		{ 1024 * TB, "1.0 PiB" },
		{ 1024 * 1024 * TB, "1.0 EiB" },
		{ UINT64_MAX, "16.0 EiB" },
	};
	char buf[MS_SIZE_STR_LEN], what[80];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = ms_size_str(cases[i].bytes, buf, sizeof(buf));

		snprintf(what, sizeof(what), "size %llu is %s",
			 (unsigned long long)cases[i].bytes, cases[i].want);
		if (!ok(got == buf && !strcmp(buf, cases[i].want), what))
			printf("#   got '%s'\n", buf);
	}
}

static void test_axis(void)
{
	static const struct {
		uint64_t bytes;
		const char *want;
	} cases[] = {
		{ 0, "0 B" },
		{ 512, "512 B" },
		{ 64 * KB, "64 KiB" },
		{ 64 * MB, "64 MiB" },
		{ 192 * MB, "192 MiB" },
		{ 1023 * MB, "1023 MiB" },
		{ GB, "1 GiB" },
		{ GB + GB / 2, "1.5 GiB" },
		{ GB + GB / 4, "1.25 GiB" },
		{ GB + GB / 8, "1.125 GiB" },
		{ 3 * TB, "3 TiB" },
		{ UINT64_MAX, "16 EiB" },
	};
	char buf[MS_SIZE_STR_LEN], what[80];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms_size_str_axis(cases[i].bytes, buf, sizeof(buf));
		snprintf(what, sizeof(what), "axis value %llu is %s",
			 (unsigned long long)cases[i].bytes, cases[i].want);
		if (!ok(!strcmp(buf, cases[i].want), what))
			printf("#   got '%s'\n", buf);
	}
}

static void test_small_buffer(void)
{
	char buf[4];

	ms_size_str(192 * MB, buf, sizeof(buf));
	ok(!strcmp(buf, "192"), "a small buffer gets a truncated string");
}

int main(void)
{
	test_sizes();
	test_axis();
	test_small_buffer();
	return tap_done();
}
