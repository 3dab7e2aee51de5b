// SPDX-License-Identifier: GPL-2.0
/* What kbackport mail reads and writes in headers: address lists, recipients in each layout, encoded words. */
#include <stdlib.h>
#include <string.h>

#include "mail/finding.h"
#include "mail/mbox.h"
#include "unit.h"
#include "lib/util.h"

struct list_case {
	const char *in;
	const char *want[4];
};

static const struct list_case lists[] = {
	{ "a@x.org, Bee <b@x.org>", { "a@x.org", "Bee <b@x.org>" } },
	{ "\"Lee, Quinn\" <q@x.org>,  R <r@x.org>", { "\"Lee, Quinn\" <q@x.org>", "R <r@x.org>" } },
	{ "tytso, adilger.kernel; +Cc: syzkaller", { "tytso", "adilger.kernel", "syzkaller" } },
	{ "undisclosed-recipients:;", { NULL } },
	{ "<odd,one@x.org>, ,", { "<odd,one@x.org>" } },
};

static int test_address_lists(const void *arg)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		struct strvec out = STRVEC_INIT;
		size_t n = 0;

		split_address_list(lists[i].in, &out);
		while (lists[i].want[n])
			n++;
		CHECK(out.n == n);
		for (size_t k = 0; k < n; k++)
			CHECK_STR(out.v[k], lists[i].want[k]);
		sv_release(&out);
	}
	return 0;
}

/* Encoded words decode back to the name and stay short; plain ASCII is left alone. */
static int test_encode_words(const void *arg)
{
	static const char *const names[] = {
		"Jan Kara",
		"J\u00f6rg R\u00f6del",
		"\xe6\x9d\x8e\xe5\xae\x9d\xe5\x9d\xa4 (Baokun Li) with a long tail to split \xc3\xa9\xc3\xa9\xc3\xa9",
		"a=b?c_d \"q\" \xc3\xa9",
	};

	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *enc = encode_header_words(names[i]), *dec = decode_header_words(enc);
		char *copy = xstrdup(enc);

		CHECK_STR(dec, names[i]);
		for (char *w = strtok(copy, " "); w; w = strtok(NULL, " "))
			CHECK(strlen(w) <= 75);
		CHECK(i ? !strpbrk(enc, "\n\r\"") : !strcmp(enc, names[i]));
		free(enc);
		free(dec);
		free(copy);
	}
	return 0;
}

struct header_case {
	const char *text;
	const char *subject;	/* the message whose To and Cc are read */
	const char *to, *cc;
};

static const struct header_case headers[] = {
	{ "From 1 Mon Sep 17 00:00:00 2001\nFrom: A <a@x.org>\nSubject: one\nTo: t1@x.org\n\nbody\n"
	  "From 2 Mon Sep 17 00:00:00 2001\nFrom: A <a@x.org>\nSubject: two\nTo: t2@x.org,\n t3@x.org\n"
	  "Cc: =?UTF-8?q?J=C3=B6rg?= <j@x.org>\n\nTo: not a header\n",
	  "two", "t2@x.org, t3@x.org", "J\xc3\xb6rg <j@x.org>" },
	{ "Linux EXT4 FS development\n* [PATCH 1/1] x: y\nFrom: A @ 2026-06-18 12:57 UTC (permalink / raw)\n"
	  "  To: linux-ext4\n  Cc: tytso, jack\nIn-Reply-To: <c@x>\n\nbody\n\n^ permalink raw reply\n",
	  "[PATCH 1/1] x: y", "linux-ext4", "tytso, jack" },
	{ "* [PATCH 1/1] x: y\n@ 2026-06-18 12:57 A\n0 siblings, 0 replies\n"
	  "From: A @ 2026-06-18 12:57 UTC (permalink / raw)\n"
	  "To: linux-ext4\nCc: tytso, jack,\npeng_wang\nbody line\n\n^ permalink raw reply\n",
	  "[PATCH 1/1] x: y", "linux-ext4", "tytso, jack, peng_wang" },
};

static int test_header_values(const void *arg)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(headers); i++) {
		const struct header_case *h = &headers[i];
		struct msg_list l = { 0 };
		const struct message *m = NULL;
		struct strvec to = STRVEC_INIT, cc = STRVEC_INIT;

		CHECK(mbox_parse("t", h->text, strlen(h->text), &l, NULL) == 0);
		for (size_t k = 0; k < l.n; k++)
			if (l.v[k].subject && !strcmp(l.v[k].subject, h->subject))
				m = &l.v[k];
		CHECK(m);
		mbox_header_values(h->text, strlen(h->text), m, "To", &to);
		mbox_header_values(h->text, strlen(h->text), m, "Cc", &cc);
		CHECK(to.n == 1 && cc.n == 1);
		CHECK_STR(to.v[0], h->to);
		CHECK_STR(cc.v[0], h->cc);
		sv_release(&to);
		sv_release(&cc);
		msg_list_free(&l);
	}
	return 0;
}

static int test_fix_names(const void *arg)
{
	static const char *const names[][2] = {
		{ "backports/s/local/0001-ext4-fix-the-hole.patch", "ext4-fix-the-hole" },
		{ "local/debian-6.12/0012-x.patch", "x" },
		{ "local/no-number.patch", "no-number" },
		{ "local/0003-.patch", "0003-" },
	};

	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *n = local_fix_name(names[i][0]);

		CHECK_STR(n, names[i][1]);
		free(n);
	}
	return 0;
}

static const struct unit_case cases[] = {
	{ "address lists", test_address_lists, NULL },
	{ "encoded words round trip", test_encode_words, NULL },
	{ "To and Cc in mbox, archive page, thread view", test_header_values, NULL },
	{ "local fix names", test_fix_names, NULL },
};

SUITE(suite_reply, "reply", cases);
