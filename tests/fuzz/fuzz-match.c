// SPDX-License-Identifier: GPL-2.0
/*
 * The hunk matcher: a file and a diff for it (the input split at the first
 * line "@@@"); every hunk placed and, where it fits, applied; the result
 * joined back. Never a crash, and lines stay within the text.
 */
#include "fuzz.h"
#include "port/match.h"
#include "mail/patch.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *sep = strstr(text, "\n@@@\n"), *why = NULL, *joined;
	struct diff d;
	struct text t;
	size_t len;

	if (!sep) {
		free(text);
		return 0;
	}
	*sep = '\0';
	text_from(&t, text, strlen(text));
	if (!diff_parse(sep + 5, &d, &why)) {
		for (size_t f = 0; f < d.n; f++) {
			size_t from = 0;

			for (size_t k = 0; k < d.files[f].n; k++) {
				const struct hunk *h = &d.files[f].hunks[k];
				struct placement pl;
				char *ev = NULL;
				size_t line = 0;

				if (hunk_equivalent_present(&t, h, &ev, &line) && line > t.lines.n + 1)
					abort();
				free(ev);
				hunk_place(&t, h, from, h->old_start - 1, 2, &pl);
				if (pl.result == PLACE_OK) {
					if (pl.at > t.lines.n)
						abort();
					hunk_apply(&t, h, &pl);
					from = pl.at;
				}
				placement_free(&pl);
			}
		}
		diff_free(&d);
	}
	joined = text_join(&t, &len);
	free(joined);
	text_free(&t);
	free(why);
	free(text);
	kb_errcode = 0;
	return 0;
}
