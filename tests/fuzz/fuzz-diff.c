// SPDX-License-Identifier: GPL-2.0
/* The diff parser and the path gate: never a crash; a path the gate lets through is a tree path. */
#include <stdbool.h>
#include <strings.h>

#include "fuzz.h"
#include "mail/patch.h"
#include "lib/treepath.h"
#include "lib/util.h"

/* A component ".." or ".git" (any case): what must never pass the gate. */
static bool escapes(const char *p)
{
	if (p[0] == '/')
		return true;
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");

		if ((n == 2 && !strncmp(c, "..", 2)) || (n == 4 && !strncasecmp(c, ".git", 4)))
			return true;
		c += n + (c[n] == '/');
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *why = NULL;
	struct diff d;

	if (!diff_parse(text, &d, &why)) {
		if (!diff_check(&d, &why))
			for (size_t i = 0; i < d.n; i++) {
				const char *p = file_diff_path(&d.files[i]);

				/* what passed may never climb out or name .git */
				if (!p || escapes(p))
					abort();
			}
		diff_free(&d);
	}
	free(why);
	treepath_check(text);
	free(text);
	kb_errcode = 0;
	return 0;
}
