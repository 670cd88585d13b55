// SPDX-License-Identifier: GPL-2.0
/*
 * timeline-svg: draw a madvfree-repro CSV timeline as an SVG chart.
 *
 *   timeline-svg [-t TITLE] IN.csv OUT.svg
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "report.h"
#include "timeline.h"

int main(int argc, char **argv)
{
	const char *title = "madvfree-repro", *err;
	struct ms_sample *s;
	size_t len;
	char *text;
	FILE *out;
	int c, n;

	while ((c = getopt(argc, argv, "t:h")) != -1) {
		if (c == 't') {
			title = optarg;
			continue;
		}
		fprintf(c == 'h' ? stdout : stderr,
			"usage: timeline-svg [-t TITLE] IN.csv OUT.svg\n");
		return c == 'h' ? 0 : 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: timeline-svg [-t TITLE] IN.csv OUT.svg\n");
		return 2;
	}
	text = ms_read_file(argv[optind], &len);
	if (!text) {
		perror(argv[optind]);
		return 1;
	}
	n = ms_timeline_parse_csv(text, &s, &err);
	free(text);
	if (n < 0) {
		fprintf(stderr, "timeline-svg: %s: %s\n", argv[optind], err);
		return 1;
	}
	out = fopen(argv[optind + 1], "we");
	if (!out) {
		perror(argv[optind + 1]);
		free(s);
		return 1;
	}
	ms_chart_svg(out, s, n, title);
	free(s);
	if (fclose(out)) {
		perror(argv[optind + 1]);
		return 1;
	}
	return 0;
}
