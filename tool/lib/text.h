/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_TEXT_H
#define KB_TEXT_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"

/*
 * Invalid UTF-8 replaced by U+FFFD (a new string): overlong forms, UTF-16
 * surrogates and code points above U+10FFFF included, which YAML and JSON
 * readers refuse. Text from mail, consoles and servers goes through it
 * before any writer sees it.
 */
char *utf8_sanitize(const char *s);

/*
 * Any byte string as a JSON string (NULL: null): jansson drops a string
 * that is not valid UTF-8, and a console line or a finding with it.
 */
json_t *json_text(const char *s);

/* No byte of s above 0x7f: plain ASCII, which mail headers and bodies carry without MIME. */
bool is_ascii(const char *s);

/* s trimmed, every run of blanks (line breaks included) one space (a new string). */
char *collapse_blanks(const char *s);

#endif
