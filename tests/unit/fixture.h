/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_UNIT_FIXTURE_H
#define KB_UNIT_FIXTURE_H

/* Writes text to a new temporary file; returns its path (caller frees and unlinks). */
char *fixture_file(const char *text);
/* A git format-patch style mail: "From " line, headers, body. */
char *fixture_mail(const char *subject, const char *from, const char *date, const char *body);
/* A patch body: message, trailers, "---", a one-hunk diff of path adding line. */
char *fixture_patch_body(const char *msg, const char *trailers, const char *path, const char *added);

#endif
