// SPDX-License-Identifier: GPL-2.0
/* The unit-test runner: every suite, every case, then "N passed, N failed". */
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

extern const struct unit_suite suite_mbox;
extern const struct unit_suite suite_series;
extern const struct unit_suite suite_match;
extern const struct unit_suite suite_kernel;
extern const struct unit_suite suite_cocci;
extern const struct unit_suite suite_refresh;
extern const struct unit_suite suite_treepath;
extern const struct unit_suite suite_console;
extern const struct unit_suite suite_signals;
extern const struct unit_suite suite_reply;

static const struct unit_suite *suites[] = {
	&suite_mbox,
	&suite_series,
	&suite_match,
	&suite_kernel,
	&suite_cocci,
	&suite_refresh,
	&suite_treepath,
	&suite_console,
	&suite_signals,
	&suite_reply,
};

const char *unit_data_dir = "tests/unit/data";

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	if (git_libgit2_init() < 0) {
		puts("cannot initialize libgit2");
		return 1;
	}

	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		const struct unit_suite *su = suites[s];

		for (size_t i = 0; i < su->n; i++) {
			const struct unit_case *c = &su->cases[i];

			if (only && !strstr(c->name, only) && strcmp(su->name, only))
				continue;
			if (c->fn(c->arg)) {
				printf("not ok - %s: %s\n", su->name, c->name);
				failed++;
			} else {
				printf("ok - %s: %s\n", su->name, c->name);
				passed++;
			}
			fflush(stdout);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
