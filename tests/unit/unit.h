/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_UNIT_H
#define KB_UNIT_H

#include <stdio.h>
#include <string.h>

/* A case returns 0 on success; CHECK() reports the failing line and returns 1. */
struct unit_case {
	const char *name;
	int (*fn)(const void *arg);
	const void *arg;
};

struct unit_suite {
	const char *name;
	const struct unit_case *cases;
	size_t n;
};

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "    %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		return 1; \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) { \
		fprintf(stderr, "    %s:%d: '%s' != '%s'\n", __FILE__, __LINE__, \
			a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
		return 1; \
	} \
} while (0)

#define SUITE(id, label, table) \
	const struct unit_suite id = { label, table, sizeof(table) / sizeof(table[0]) }

/* Test inputs live next to the runner; set from argv[1]. */
extern const char *unit_data_dir;

#endif
