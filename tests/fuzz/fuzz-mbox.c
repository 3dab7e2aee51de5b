// SPDX-License-Identifier: GPL-2.0
/* The archive reader: mbox, archive pages, thread views, headers; never a crash, valid UTF-8 out. */
#include "fuzz.h"
#include "lib/text.h"
#include "mail/mbox.h"
#include "lib/util.h"

/* What utf8_sanitize() returns must be valid UTF-8 (what YAML and JSON writers need). */
static void check_utf8(const char *s)
{
	char *clean = utf8_sanitize(s), *again = utf8_sanitize(clean);

	if (strcmp(clean, again))
		abort();
	free(clean);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct msg_list l = { 0 };

	if (!mbox_parse("fuzz", text, size, &l, NULL)) {
		for (size_t i = 0; i < l.n; i++) {
			char *name = NULL, *email = NULL, *words;

			if (l.v[i].subject)
				check_utf8(l.v[i].subject);
			check_utf8(l.v[i].body);
			if (l.v[i].from_name) {
				split_address(l.v[i].from_name, &name, &email);
				words = decode_header_words(l.v[i].from_name);
				free(words);
			}
			free(name);
			free(email);
		}
	}
	parse_mail_date(text);
	check_utf8(text);
	msg_list_free(&l);
	free(text);
	kb_errcode = 0;
	return 0;
}
