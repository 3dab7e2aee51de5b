// SPDX-License-Identifier: GPL-2.0
/* mbox.c: dates, encoded words and the three input layouts. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/text.h"
#include "mail/mbox.h"
#include "unit.h"
#include "lib/util.h"

struct date_case {
	const char *text;
	long long want;
};

static const struct date_case dates[] = {
	{ "Thu, 18 Jun 2026 20:57:27 +0800", 1781787447LL },
	{ "18 Jun 2026 12:57:27 +0000", 1781787447LL },
	{ "Thu, 18 Jun 2026 07:57:27 -0500", 1781787447LL },
	{ "2026-06-18 12:57", 1781787420LL },
	{ "yesterday", -1 },
	{ "Thu, 18 Foo 2026 12:57:27 +0000", -1 },
};

static int test_dates(const void *arg)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(dates); i++)
		CHECK(parse_mail_date(dates[i].text) == dates[i].want);
	return 0;
}

struct word_case {
	const char *in, *want;
};

static const struct word_case words[] = {
	{ "plain text", "plain text" },
	{ "=?UTF-8?q?J=C3=B6rg_R=C3=B6del?=", "J\xc3\xb6rg R\xc3\xb6" "del" },
	{ "=?iso-8859-1?q?J=F6rg?= Roedel", "J\xc3\xb6rg Roedel" },
	{ "=?utf-8?b?SsO2cmc=?=", "J\xc3\xb6rg" },
	{ "=?UTF-8?q?a?= =?UTF-8?q?b?=", "ab" },
	{ "broken =?UTF-8?q?x", "broken =?UTF-8?q?x" },
};

static int test_header_words(const void *arg)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		char *got = decode_header_words(words[i].in);
		int bad = strcmp(got, words[i].want);

		free(got);
		CHECK(!bad);
	}
	return 0;
}

static int test_utf8_sanitize(const void *arg)
{
	char *s = utf8_sanitize("a\xff" "b \xc3\xb6 \xe2\x82");
	int bad = strcmp(s, "a\xef\xbf\xbd" "b \xc3\xb6 \xef\xbf\xbd\xef\xbf\xbd");

	(void)arg;
	free(s);
	CHECK(!bad);
	return 0;
}

static int test_address(const void *arg)
{
	char *name, *email;

	(void)arg;
	split_address("\"Li, Baokun\" <libaokun@example.com>", &name, &email);
	CHECK_STR(name, "Li, Baokun");
	CHECK_STR(email, "libaokun@example.com");
	free(name);
	free(email);
	split_address("Jan Kara", &name, &email);
	CHECK_STR(name, "Jan Kara");
	CHECK(email == NULL);
	free(name);
	return 0;
}

/* Parses text; returns the count, the first message and the layout. */
static int parse(const char *text, struct msg_list *l, enum msg_format *fmt)
{
	memset(l, 0, sizeof(*l));
	kb_errcode = 0;
	return mbox_parse("input", text, strlen(text), l, fmt);
}

static const char mbox2[] =
	"From abc Mon Sep 17 00:00:00 2001\n"
	"From: A U Thor <a@example.com>\n"
	"Subject: [PATCH 1/2] one\n"
	" continued\n"
	"Message-ID: <one@x>\n"
	"\n"
	"body one\n"
	">From the mboxrd quoting\n"
	"\n"
	"From def Mon Sep 17 00:00:00 2001\n"
	"From: A U Thor <a@example.com>\n"
	"Subject: [PATCH 2/2] two\n"
	"In-Reply-To: <one@x>\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"caf=C3=A9 soft=\n"
	"break\n";

static int test_mbox_split(const void *arg)
{
	struct msg_list l;
	enum msg_format fmt;

	(void)arg;
	CHECK(parse(mbox2, &l, &fmt) == 0);
	CHECK(fmt == FMT_MBOX);
	CHECK(l.n == 2);
	CHECK_STR(l.v[0].subject, "[PATCH 1/2] one continued");
	CHECK_STR(l.v[0].message_id, "one@x");
	CHECK_STR(l.v[0].body, "body one\nFrom the mboxrd quoting\n");
	CHECK_STR(l.v[1].in_reply_to, "one@x");
	CHECK_STR(l.v[1].body, "caf\xc3\xa9 softbreak\n");
	CHECK_STR(l.v[1].from_email, "a@example.com");
	msg_list_free(&l);
	return 0;
}

static int test_crlf(const void *arg)
{
	struct strbuf crlf = STRBUF_INIT;
	struct msg_list l;

	(void)arg;
	for (const char *p = mbox2; *p; p++) {
		if (*p == '\n')
			sb_addc(&crlf, '\r');
		sb_addc(&crlf, *p);
	}
	CHECK(parse(crlf.buf, &l, NULL) == 0);
	sb_release(&crlf);
	CHECK(l.n == 2);
	CHECK_STR(l.v[0].subject, "[PATCH 1/2] one continued");
	CHECK(!strchr(l.v[0].body, '\r'));
	msg_list_free(&l);
	return 0;
}

static int test_archive_page(const void *arg)
{
	static const char page[] =
		"Some list\n help / color\n"
		"* Re: [PATCH v2 1/2] one\n"
		"From: Jan Kara @ 2026-06-18 13:52 UTC (permalink / raw)\n"
		"  To: A U Thor\n"
		"  Cc: list, b,\n"
		"\tc\n"
		"In-Reply-To: <p1@x>\n"
		"\n"
		"Looks good.\n"
		"\n"
		"^ permalink raw reply\n"
		"\n"
		"* [PATCH v2 1/2] one\n"
		"From: A U Thor @ 2026-06-18 12:57 UTC (permalink / raw)\n"
		"  To: list\n"
		"\n"
		"text\n"
		"\n"
		"^ permalink raw reply related\n";
	struct msg_list l;
	enum msg_format fmt;

	(void)arg;
	CHECK(parse(page, &l, &fmt) == 0);
	CHECK(fmt == FMT_ARCHIVE_PAGE);
	CHECK(l.n == 2);
	CHECK_STR(l.v[0].subject, "Re: [PATCH v2 1/2] one");
	CHECK_STR(l.v[0].from_name, "Jan Kara");
	CHECK_STR(l.v[0].in_reply_to, "p1@x");
	CHECK_STR(l.v[0].body, "Looks good.\n");
	CHECK(l.v[0].when == 1781790720LL);
	CHECK_STR(l.v[1].body, "text\n");
	msg_list_free(&l);
	return 0;
}

static int test_thread_view(const void *arg)
{
	static const char view[] =
		"* [PATCH] one\n"
		"@ 2026-06-18 12:57 A U Thor\n"
		"0 siblings, 0 replies; 1+ messages in thread\n"
		"From: A U Thor @ 2026-06-18 12:57 UTC (permalink / raw)\n"
		"To: list\n"
		"Cc: b,\n"
		"c\n"
		"Body starts here.\n"
		"^ permalink raw reply [flat|nested] 1+ messages in thread\n";
	struct msg_list l;
	enum msg_format fmt;

	(void)arg;
	CHECK(parse(view, &l, &fmt) == 0);
	CHECK(fmt == FMT_THREAD_VIEW);
	CHECK(l.n == 1);
	CHECK_STR(l.v[0].body, "Body starts here.\n");
	msg_list_free(&l);
	return 0;
}

static int test_not_mail(const void *arg)
{
	struct msg_list l;
	struct strbuf flat = STRBUF_INIT;

	(void)arg;
	CHECK(parse("just some text\nno mail here\n", &l, NULL) == -1);
	CHECK(kb_errcode == KB_EXIT_BADINPUT);
	kb_errcode = 0;
	memset(&l, 0, sizeof(l));
	CHECK(mbox_parse("empty", "", 0, &l, NULL) == -1);
	CHECK(kb_errcode == KB_EXIT_BADINPUT);
	sb_adds(&flat, "From mboxrd@z Thu Jan 1 00:00:00 1970 Subject: x From: y ");
	for (int i = 0; i < 100; i++)
		sb_adds(&flat, "all on one line ");
	CHECK(parse(flat.buf, &l, NULL) == -1);
	sb_release(&flat);
	return 0;
}

struct seed_case {
	const char *file;
	enum msg_format fmt;
	size_t min_messages;
};

static const struct seed_case seeds[] = {
	{ "backports/ext4-dio-shared-lock/archive/001_2e31d047427a21b3.txt", FMT_ARCHIVE_PAGE, 20 },
	{ "backports/ext4-dio-shared-lock/archive/000_90e44bd725056204.txt", FMT_THREAD_VIEW, 16 },
};

static int test_seed(const void *arg)
{
	const struct seed_case *c = arg;
	struct strbuf text = STRBUF_INIT;
	struct msg_list l = { 0 };
	enum msg_format fmt;

	CHECK(read_file(c->file, &text) == 0);
	CHECK(mbox_parse(c->file, text.buf, text.len, &l, &fmt) == 0);
	sb_release(&text);
	CHECK(fmt == c->fmt);
	CHECK(l.n >= c->min_messages);
	for (size_t i = 0; i < l.n; i++)
		CHECK(l.v[i].subject && l.v[i].from_name && l.v[i].when > 0);
	msg_list_free(&l);
	return 0;
}

static const struct unit_case cases[] = {
	{ "dates", test_dates, NULL },
	{ "encoded header words", test_header_words, NULL },
	{ "utf-8 sanitizing", test_utf8_sanitize, NULL },
	{ "addresses", test_address, NULL },
	{ "mbox split, mboxrd, quoted-printable", test_mbox_split, NULL },
	{ "CRLF line ends", test_crlf, NULL },
	{ "archive page layout", test_archive_page, NULL },
	{ "thread view layout", test_thread_view, NULL },
	{ "not mail, empty, flattened", test_not_mail, NULL },
	{ "seed 001 is an archive page", test_seed, &seeds[0] },
	{ "seed 000 is a thread view", test_seed, &seeds[1] },
};

SUITE(suite_mbox, "mbox", cases);
