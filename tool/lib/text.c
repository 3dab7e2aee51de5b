// SPDX-License-Identifier: GPL-2.0
/* Text from outside (archives, consoles, servers) made fit for YAML, JSON and comparison (text.h). */
#include "lib/text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * The length of the valid UTF-8 sequence at s, or 0: no overlong forms, no
 * UTF-16 surrogates (U+D800-DFFF, which YAML and JSON readers refuse), nothing
 * above U+10FFFF.
 */
static int utf8_seq_len(const unsigned char *s)
{
	int n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

char *utf8_sanitize(const char *s)
{
	struct strbuf out = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = utf8_seq_len(p);

		if (n) {
			sb_add(&out, p, n);
			p += n;
		} else {
			sb_adds(&out, "\xef\xbf\xbd");
			p++;
		}
	}
	return sb_detach(&out);
}

json_t *json_text(const char *s)
{
	char *clean;
	json_t *j;

	if (!s)
		return json_null();
	clean = utf8_sanitize(s);
	j = json_string(clean);
	free(clean);
	return j ? j : json_string("");
}

char *collapse_blanks(const char *s)
{
	char *t = trim_dup(s, strlen(s)), *q = t;

	for (char *p = t; *p; p++)
		if (!isspace((unsigned char)*p) || !isspace((unsigned char)p[1]))
			*q++ = isspace((unsigned char)*p) ? ' ' : *p;
	*q = '\0';
	return t;
}

bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}
