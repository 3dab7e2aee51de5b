/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_MBOX_H
#define KB_MBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

/* How the messages were laid out in the input file. */
enum msg_format {
	FMT_MBOX,		/* git format-patch / b4 mbox, or one raw mail */
	FMT_ARCHIVE_PAGE,	/* "* [PATCH ...]" + "From: X @ date UTC (permalink / raw)" */
	FMT_THREAD_VIEW,	/* the same, with the thread overview and no indentation */
};

struct message {
	char *subject;
	char *from_name;
	char *from_email;	/* NULL when the archive hides it */
	long long when;		/* seconds since the epoch (UTC), -1 if unknown */
	char *message_id;	/* without angle brackets, NULL if unknown */
	char *in_reply_to;
	char *body;		/* LF line ends, transfer encoding undone */
	const char *file;
	int line;		/* where the message starts in the file */
	enum msg_format format;
};

struct msg_list {
	struct message *v;
	size_t n;
	size_t alloc;
};

/*
 * Splits one input file into messages. CRLF line ends are accepted; bytes
 * are kept as they are (the body of a patch must not change).
 * Returns -1 with an error naming the file when nothing looks like mail.
 */
int mbox_parse(const char *file, const char *text, size_t len, struct msg_list *out,
	       enum msg_format *format);
const char *msg_format_name(enum msg_format f);
void msg_list_free(struct msg_list *l);

/* "Thu, 18 Jun 2026 20:57:27 +0800" or "2026-06-18 12:57" (UTC) -> epoch, -1 if neither. */
long long parse_mail_date(const char *s);
/* RFC 2047 encoded-words decoded to UTF-8 (a new string). */
char *decode_header_words(const char *s);
/* "Name <addr>" or "addr" -> parts (new strings; email may be NULL). */
void split_address(const char *s, char **name, char **email);

/*
 * The addresses of a To: or Cc: value, one entry each, trimmed: commas in
 * quotes or angle brackets do not split, ';' does too, and a "label:"
 * before an address (a group's name, an archive's "+Cc:") is dropped.
 */
void split_address_list(const char *s, struct strvec *out);

/*
 * Every value of header name (To, Cc, ...) of message m, decoded, in
 * order. text is the file mbox_parse() read m from: the headers are read
 * again where m starts, as the archive layouts show them.
 */
void mbox_header_values(const char *text, size_t len, const struct message *m, const char *name,
			struct strvec *out);

/* s for a header: as it is when plain ASCII, else RFC 2047 encoded-words (a new string). */
char *encode_header_words(const char *s);

#endif
