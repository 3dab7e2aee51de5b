/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_FUZZ_H
#define KB_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer's bytes as a C string (a NUL inside ends it early, as it would for the tool). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
