// SPDX-License-Identifier: GPL-2.0
/*
 * The reply that reports a finding upstream: headers from series.yaml and
 * the archive copies of the thread, a text written from the stored
 * evidence, and the local fix after a scissors line.
 */
#define _GNU_SOURCE
#include "mail/reply.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/run.h"
#include "lib/store.h"
#include "lib/text.h"
#include "lib/treepath.h"
#include "mail/finding.h"
#include "mail/mbox.h"
#include "mail/patch.h"
#include "mail/series.h"

#define WRAP 72

struct person {
	char *name;		/* may be empty */
	char *email;
};

struct people {
	struct person *v;
	size_t n;
};

struct ctx {
	const struct reply_opts *o;
	char *store;		/* the series' name in the store */
	struct series s;
	struct finding f;
	struct nowait_evidence ev;
	char *posted;		/* the subject as posted: "[PATCH v2 3/8] ext4: ..." */
	struct people known;	/* who the series names with an address */
	struct people to, cc;
	struct strvec hidden;	/* recipients the archive shows without an address */
	struct strvec trees;	/* "debian-6.12 (linux-source-6.12 6.12.57-1)" */
};

/* Header text: valid UTF-8 without control characters, so no value can start a header of its own. */
static char *header_text(const char *s)
{
	char *t = utf8_sanitize(s);

	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return t;
}

/* An address a header can carry as it is: local@domain in printable ASCII, nothing that ends it. */
static bool plain_email(const char *e)
{
	if (!e || !*e || !strchr(e, '@'))
		return false;
	for (; *e; e++)
		if (*e <= 0x20 || *e >= 0x7f || strchr("<>,;:\"()[]\\", *e))
			return false;
	return true;
}

/* A Message-ID as In-Reply-To and References carry it between < and >. */
static bool plain_msgid(const char *id)
{
	if (!*id)
		return false;
	for (; *id; id++)
		if (*id <= 0x20 || *id >= 0x7f || *id == '<' || *id == '>')
			return false;
	return true;
}

static const struct person *find_email(const struct people *p, const char *email)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcasecmp(p->v[i].email, email))
			return &p->v[i];
	return NULL;
}

static void people_add(struct people *p, const char *name, const char *email)
{
	struct person *x;

	if (!plain_email(email) || find_email(p, email))
		return;
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	x = &p->v[p->n++];
	x->name = header_text(name ? name : "");
	x->email = xstrdup(email);
}

static void people_free(struct people *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].email);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void add_address(struct people *p, const char *s)
{
	char *name, *email;

	split_address(s, &name, &email);
	people_add(p, name, email);
	free(name);
	free(email);
}

/* Everyone the series names with an address: authors and the people of its trailers. */
static void known_people(const struct series *s, struct people *known)
{
	if (s->cover_author)
		add_address(known, s->cover_author);
	for (int n = 0; n < s->total; n++) {
		const struct spatch *p = &s->patches[n];

		people_add(known, p->author_name, p->author_email);
		for (size_t i = 0; i < p->ntrailers; i++)
			add_address(known, p->trailers[i].value);
	}
}

/*
 * Archives show some recipients without their address ("Jan Kara",
 * "tytso"): the one person of the series with that name or local part.
 */
static const struct person *resolve(const struct people *known, const char *who)
{
	const struct person *found = NULL;

	for (size_t i = 0; i < known->n; i++) {
		const struct person *p = &known->v[i];
		const char *at = strchr(p->email, '@');

		if (strcasecmp(p->name, who) && (strlen(who) != (size_t)(at - p->email) ||
						 strncasecmp(p->email, who, at - p->email)))
			continue;
		if (found)
			return NULL;
		found = p;
	}
	return found;
}

/* One recipient as an archive shows it: added with its address, or kept aside as hidden. */
static void add_recipient(struct ctx *c, struct people *to, const char *s)
{
	const struct person *p;
	char *name, *email;

	split_address(s, &name, &email);
	if (plain_email(email))
		people_add(to, name, email);
	else if (!email && (p = resolve(&c->known, name)))
		people_add(to, p->name, p->email);
	else if (!sv_contains(&c->hidden, s))
		sv_push_owned(&c->hidden, header_text(s));
	free(name);
	free(email);
}

/* The posted message itself: by its Message-ID, or by its subject where the archive shows none. */
static bool is_posted(const struct ctx *c, const struct message *m)
{
	char *subj;
	bool same;

	if (m->message_id && !c->f.under_cover)
		return !strcmp(m->message_id, c->f.message_id);
	if (!m->subject)
		return false;
	subj = collapse_blanks(m->subject);
	same = !strcmp(subj, c->posted);
	free(subj);
	return same;
}

/* The recipients of one archive copy's posted message: 1 if it has it, -1 on a read error. */
static int recipients_in(struct ctx *c, const char *file, struct people *from, struct strvec *rcpt)
{
	static const char *const keys[] = { "To", "Cc" };
	struct strbuf text = STRBUF_INIT;
	struct msg_list msgs = { 0 };
	int found = 0;

	if (read_file_max(file, &text, SERIES_MAX_INPUT) || mbox_parse(file, text.buf, text.len, &msgs, NULL)) {
		sb_release(&text);
		return -1;
	}
	for (size_t i = 0; i < msgs.n; i++) {
		const struct message *m = &msgs.v[i];
		struct strvec values = STRVEC_INIT;

		if (!is_posted(c, m))
			continue;
		found = 1;
		if (m->from_name && !m->from_email)
			add_recipient(c, from, m->from_name);
		else if (m->from_email)
			people_add(from, m->from_name, m->from_email);
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			mbox_header_values(text.buf, text.len, m, keys[k], &values);
		for (size_t k = 0; k < values.n; k++)
			split_address_list(values.v[k], rcpt);
		sv_release(&values);
	}
	msg_list_free(&msgs);
	sb_release(&text);
	return found;
}

/*
 * To: the posted patch's From (its author as series.yaml has it when the
 * archive hides the address); Cc: its To and Cc, each address once, never
 * the drafter's own.
 */
static int recipients(struct ctx *c)
{
	const struct spatch *p = c->f.patch ? &c->s.patches[c->f.patch - 1] : NULL;
	struct people from = { 0 };
	struct strvec rcpt = STRVEC_INIT;
	bool found = false;
	size_t kept = 0;
	int ret = 0;

	for (size_t i = 0; i < c->s.nsources && !ret; i++) {
		char *rel = xasprintf("archive/%s", c->s.sources[i].file);
		char *file = xasprintf("%s/%s", c->o->series_dir, rel);
		const char *why = treepath_check(rel);
		int r;

		if (why)
			ret = error_code(KB_EXIT_BADINPUT, "'%s/series.yaml': source '%s' is refused: %s",
					 c->o->series_dir, c->s.sources[i].file, why);
		else if (!path_exists(file))
			warning("no archive copy '%s': the recipients it shows are not in the draft", file);
		else if ((r = recipients_in(c, file, &from, &rcpt)) < 0)
			ret = -1;
		else
			found |= r;
		free(rel);
		free(file);
	}
	if (!ret && !found)
		warning("'%s' is in none of the archive copies of '%s': the draft goes to its author alone",
			c->posted, c->o->series_dir);
	for (size_t i = 0; i < from.n; i++)
		people_add(&c->to, from.v[i].name, from.v[i].email);
	if (p)
		people_add(c->to.n ? &c->cc : &c->to, p->author_name, p->author_email);
	else if (c->s.cover_author)
		add_address(c->to.n ? &c->cc : &c->to, c->s.cover_author);
	for (size_t i = 0; i < rcpt.n; i++)
		add_recipient(c, &c->cc, rcpt.v[i]);
	/* never the drafter, never one already in To */
	for (size_t i = 0; i < c->cc.n; i++) {
		struct person *x = &c->cc.v[i];

		if (strcasecmp(x->email, c->o->from_email) && !find_email(&c->to, x->email)) {
			c->cc.v[kept++] = *x;
			continue;
		}
		free(x->name);
		free(x->email);
	}
	c->cc.n = kept;
	if (!c->to.n && !ret)
		ret = error_code(KB_EXIT_BADINPUT, "no address for the author of '%s' in '%s/series.yaml' or its "
				 "archive copies", c->posted, c->o->series_dir);
	people_free(&from);
	sv_release(&rcpt);
	return ret;
}

/* ---- headers ---- */

/* "Name <email>" for a header: the name quoted when it needs to be, encoded when not ASCII. */
static char *header_person(const char *name, const char *email)
{
	char *enc, *out;

	if (!*name || !strcmp(name, email))
		return xstrdup(email);
	enc = encode_header_words(name);
	if (!strcmp(enc, name) && strpbrk(name, "()<>[]:;@\\,.\"")) {
		struct strbuf q = STRBUF_INIT;

		for (const char *p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				sb_addc(&q, '\\');
			sb_addc(&q, *p);
		}
		out = xasprintf("\"%s\" <%s>", sb_str(&q), email);
		sb_release(&q);
	} else {
		out = xasprintf("%s <%s>", enc, email);
	}
	free(enc);
	return out;
}

/* key: a, b, ... folded before a line passes 78 columns. */
static void add_people_header(struct strbuf *sb, const char *key, const struct people *p)
{
	size_t col = strlen(key) + 2;

	if (!p->n)
		return;
	sb_addf(sb, "%s: ", key);
	for (size_t i = 0; i < p->n; i++) {
		char *a = header_person(p->v[i].name, p->v[i].email);

		if (i && col + strlen(a) + 2 > 78) {
			sb_adds(sb, ",\n\t");
			col = 8;
		} else if (i) {
			sb_adds(sb, ", ");
			col += 2;
		}
		sb_adds(sb, a);
		col += strlen(a);
		free(a);
	}
	sb_addc(sb, '\n');
}

static void rfc2822_date(long long when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* "[PATCH v2 3/8] title", as the series was posted. */
static char *posted_subject(const struct series *s, int n)
{
	struct strbuf sb = STRBUF_INIT;
	char *tag = series_subject_tag(s, n), *clean, *subject;

	sb_addf(&sb, "%s %s", tag, n ? s->patches[n - 1].title : s->cover_subject ? s->cover_subject : "");
	free(tag);
	clean = header_text(sb_str(&sb));
	sb_release(&sb);
	subject = collapse_blanks(clean);
	free(clean);
	return subject;
}

static void add_headers(struct strbuf *sb, const struct ctx *c, const char *body)
{
	char *name = header_text(c->o->from_name);
	char *from = header_person(name, c->o->from_email);
	char *subject = xasprintf("Re: %s", c->posted);
	char *enc = encode_header_words(subject);
	char date[64];

	rfc2822_date(time(NULL), date, sizeof(date));
	/* git format-patch's separator: mailsplit and send-email take it as one message */
	sb_adds(sb, "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n");
	sb_addf(sb, "From: %s\n", from);
	add_people_header(sb, "To", &c->to);
	add_people_header(sb, "Cc", &c->cc);
	sb_addf(sb, "Subject: %s\n", enc);
	sb_addf(sb, "Date: %s\n", date);
	sb_addf(sb, "In-Reply-To: <%s>\n", c->f.message_id);
	sb_adds(sb, "References:");
	if (c->f.patch && c->s.cover_message_id && plain_msgid(c->s.cover_message_id) &&
	    strcmp(c->s.cover_message_id, c->f.message_id))
		sb_addf(sb, " <%s>\n", c->s.cover_message_id);
	sb_addf(sb, " <%s>\n", c->f.message_id);
	if (!is_ascii(body))
		sb_adds(sb, "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
			    "Content-Transfer-Encoding: 8bit\n");
	sb_addc(sb, '\n');
	free(name);
	free(from);
	free(subject);
	free(enc);
}

/* ---- the text ---- */

/* text wrapped at WRAP columns, the first line after first, the others after indent. */
static void add_wrapped(struct strbuf *sb, const char *first, const char *indent, const char *text)
{
	size_t col = strlen(first);
	bool start = true;	/* no word on this line yet */

	sb_adds(sb, first);
	for (const char *p = text + strspn(text, " \n"); *p; p += strspn(p, " \n")) {
		size_t n = strcspn(p, " \n");

		if (!start && col + 1 + n > WRAP) {
			sb_addf(sb, "\n%s", indent);
			col = strlen(indent);
			start = true;
		}
		if (!start) {
			sb_addc(sb, ' ');
			col++;
		}
		sb_add(sb, p, n);
		col += n;
		start = false;
		p += n;
	}
	sb_addc(sb, '\n');
}

static void list_names(struct strbuf *sb, const struct strvec *names)
{
	for (size_t i = 0; i < names->n; i++)
		sb_addf(sb, "%s%s", i == 0 ? "" : i + 1 == names->n ? " and " : ", ", names->v[i]);
}

/* The case, then a row per way of writing: expected, then what each variant answered. */
static void add_case(struct strbuf *sb, const struct nowait_case *nc)
{
	static const char *const head[] = { "", "expected", "base", "posted", "patched" };
	const char *row[NOWAIT_APIS + 1][ARRAY_SIZE(head)];
	size_t width[ARRAY_SIZE(head)] = { 0 };

	for (size_t k = 0; k < ARRAY_SIZE(head); k++)
		row[0][k] = head[k];
	for (int a = 0; a < NOWAIT_APIS; a++) {
		row[a + 1][0] = nowait_apis[a];
		row[a + 1][1] = nc->expect[a] ? nc->expect[a] : "?";
		for (int v = 0; v < NW_VARIANTS; v++)
			row[a + 1][2 + v] = nc->cell[v][a];
	}
	for (size_t r = 0; r < ARRAY_SIZE(row); r++)
		for (size_t k = 0; k < ARRAY_SIZE(head); k++)
			if (strlen(row[r][k]) > width[k])
				width[k] = strlen(row[r][k]);
	sb_addf(sb, "%s (%s):\n\n", nc->name, nc->detail);
	for (size_t r = 0; r < ARRAY_SIZE(row); r++) {
		struct strbuf line = STRBUF_INIT;

		for (size_t k = 0; k < ARRAY_SIZE(head); k++)
			sb_addf(&line, "  %-*s", (int)width[k], row[r][k]);
		rtrim(line.buf);
		sb_addf(sb, "%s\n", sb_str(&line));
		sb_release(&line);
	}
	if (nc->why) {
		sb_addc(sb, '\n');
		add_wrapped(sb, "  Expected: ", "  ", nc->why);
	}
	sb_addc(sb, '\n');
}

/* Which of the cases the fix mends, which it does not, and which cannot be told. */
static void add_verdict(struct strbuf *sb, const struct nowait_evidence *ev)
{
	struct strvec by[3] = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT };	/* fixed + 1 */
	struct strbuf t = STRBUF_INIT;

	for (size_t i = 0; i < ev->n; i++)
		sv_push(&by[ev->cases[i].fixed + 1], ev->cases[i].name);
	if (by[2].n) {
		sb_adds(&t, "With the fix below, ");
		list_names(&t, &by[2]);
		sb_addf(&t, " answer%s as the table says. ", by[2].n == 1 ? "s" : "");
	}
	if (by[0].n) {
		sb_adds(&t, "With the fix below, ");
		list_names(&t, &by[0]);
		sb_addf(&t, " still differ%s from the table. ", by[0].n == 1 ? "s" : "");
	}
	if (by[1].n) {
		sb_adds(&t, ev->ran[NW_PATCHED] ? "What the fix does to " : "The fix was not run, so what it does to ");
		list_names(&t, &by[1]);
		sb_adds(&t, ev->ran[NW_PATCHED] ? " cannot be told from its answers." : " is not known.");
	}
	if (t.len) {
		rtrim(t.buf);
		add_wrapped(sb, "", "", t.buf);
	}
	sb_release(&t);
	for (size_t i = 0; i < ARRAY_SIZE(by); i++)
		sv_release(&by[i]);
}

/* The commands that make the evidence: what reproduces it, or measures it the first time. */
static void add_reproducer(struct strbuf *sb, const struct ctx *c, const char *verb)
{
	const char *k = c->o->kernel;
	char *text = xasprintf("To %s it with kbackport, the series in backports/%s/ and the fix in its "
			       "local/ directory:", verb, c->store);

	add_wrapped(sb, "", "", text);
	sb_addf(sb, "\n  kbackport port %s\n"
		"  kbackport build %s --variant posted\n"
		"  kbackport boot %s --variant posted --workload dio --append DIO_BENCH=none\n"
		"  (and the same with --variant base and --variant patched)\n\n", k, k, k);
	add_wrapped(sb, "", "", "or by hand, as root on a kernel with the series, with kb-nowait "
		    "(tool/guest/src/kb-nowait.c in kbackport, built static by 'make -f tool/guest/guest.mk') "
		    "on a scratch ext4 it may unmount and mount again:");
	sb_addf(sb, "\n  mkfs.ext4 -q /dev/vdb && mount /dev/vdb /mnt\n"
		"  kb-nowait --mnt /mnt --dev /dev/vdb --expect nowait-patched-%s.json\n\n", k);
	free(text);
	text = xasprintf("(the table: backports/%s/expect/nowait-patched-%s.json in kbackport).", c->store, k);
	add_wrapped(sb, "", "", text);
	sb_adds(sb, "\n\n");
	free(text);
}

static void add_body(struct strbuf *sb, const struct ctx *c)
{
	const struct nowait_evidence *ev = &c->ev;
	struct strbuf t = STRBUF_INIT;

	sb_adds(sb, "Hi,\n\n");
	sb_adds(&t, "Backporting this series to ");
	list_names(&t, &c->trees);
	if (!ev->ran[NW_BASE] && !ev->ran[NW_POSTED] && !ev->ran[NW_PATCHED]) {
		sb_addf(&t, ", we carry the fix below on top of it. kb-nowait has not run on %s yet "
			"(base, posted and patched: not run).", c->o->kernel);
		add_wrapped(sb, "", "", sb_str(&t));
		sb_addc(sb, '\n');
		add_reproducer(sb, c, "measure");
	} else if (ev->ran[NW_POSTED] && !ev->n) {
		sb_adds(&t, ", kb-nowait (which O_DIRECT writes ext4 refuses under RWF_NOWAIT and io_uring) "
			"answers as its table says with the series as posted; the fix below is about something "
			"it does not measure.");
		add_wrapped(sb, "", "", sb_str(&t));
		sb_addc(sb, '\n');
	} else {
		sb_adds(&t, ", kb-nowait (which O_DIRECT writes ext4 refuses under RWF_NOWAIT and io_uring) ");
		if (ev->ran[NW_POSTED])
			sb_adds(&t, "finds with the series as posted:");
		else
			sb_addf(&t, "has no result for the series as posted on %s, so every case is below:",
				c->o->kernel);
		add_wrapped(sb, "", "", sb_str(&t));
		sb_addc(sb, '\n');
		for (size_t i = 0; i < ev->n; i++)
			for (size_t k = 0; k < ev->cases[i].problems.n; k++) {
				char *item = xasprintf("%s: %s", ev->cases[i].name, ev->cases[i].problems.v[k]);

				add_wrapped(sb, "  - ", "    ", item);
				free(item);
			}
		if (ev->ran[NW_POSTED])
			sb_addc(sb, '\n');
		for (size_t i = 0; i < ev->n; i++)
			add_case(sb, &ev->cases[i]);
		sb_reset(&t);
		sb_addf(&t, "base: %s without the series; posted: the series as posted; patched: the series and "
			"the fix below. Expected: %s%s. \"not run\": no result of that variant.", c->o->kernel,
			ev->table ? "the table " : "the table the runs were compared with",
			ev->table ? path_basename(ev->table) : "");
		add_wrapped(sb, "", "", sb_str(&t));
		sb_addc(sb, '\n');
		add_verdict(sb, ev);
		sb_addc(sb, '\n');
		add_reproducer(sb, c, "reproduce");
	}
	sb_adds(sb, "The fix, on top of the series ('git am --scissors' takes it from here):\n\n");
	sb_release(&t);
}

/* ---- the fix ---- */

static bool signed_off(const struct spatch *p, const char *who)
{
	for (size_t i = 0; i < p->ntrailers; i++)
		if (!strcasecmp(p->trailers[i].key, "Signed-off-by") && !strcmp(p->trailers[i].value, who))
			return true;
	return false;
}

/* What git am will be given: a diff that passes the path gate, and an author with an address. */
static int check_fix(const struct ctx *c)
{
	const struct spatch *p = &c->f.fix;
	char *why = NULL;
	struct diff d;
	int ret = 0;

	if (diff_parse(p->diff, &d, &why))
		return error_code(KB_EXIT_BADINPUT, "local fix '%s' has no readable diff: %s", c->f.file, why);
	if (diff_check(&d, &why))
		ret = error_code(KB_EXIT_BADINPUT, "local fix '%s' %s", c->f.file, why);
	else if (!plain_email(p->author_email))
		ret = error_code(KB_EXIT_BADINPUT, "local fix '%s' has no author address (its 'From:')", c->f.file);
	diff_free(&d);
	free(why);
	return ret;
}

/*
 * The local fix as a patch mail after the scissors: in-body From, Date
 * and Subject, its message and trailers, the drafter's sign-off if it
 * lacks one (whoever sends a patch signs it off), then its diff.
 */
static void add_fix(struct strbuf *sb, const struct ctx *c)
{
	const struct spatch *p = &c->f.fix;
	char *name = header_text(c->o->from_name);
	char *who = xasprintf("%s <%s>", name, c->o->from_email);
	char *author = header_text(p->author_name ? p->author_name : "");
	char *title = header_text(p->title ? p->title : "");
	char date[64];

	sb_adds(sb, "-- >8 --\n");
	sb_addf(sb, "From: %s <%s>\n", author, p->author_email);
	if (p->when >= 0) {
		rfc2822_date(p->when, date, sizeof(date));
		sb_addf(sb, "Date: %s\n", date);
	}
	sb_addf(sb, "Subject: [PATCH] %s\n\n", title);
	sb_adds(sb, p->msg ? p->msg : "");
	if (p->ntrailers)
		sb_addc(sb, '\n');
	for (size_t i = 0; i < p->ntrailers; i++)
		sb_addf(sb, "%s: %s\n", p->trailers[i].key, p->trailers[i].value);
	if (!signed_off(p, who))
		sb_addf(sb, "Signed-off-by: %s\n", who);
	sb_addf(sb, "---\n%s", p->diff);
	if (!ends_with(p->diff, "\n"))
		sb_addc(sb, '\n');
	free(name);
	free(who);
	free(author);
	free(title);
}

/* ---- checks and sources of the text ---- */

/*
 * The tree's checkpatch.pl on the fix as mailed (kept in the port's
 * directory as mail-fix.patch): what it says goes to the drafter, who
 * decides; only a checkpatch that cannot run is a failure.
 */
static int run_checkpatch(const struct ctx *c, const char *patch)
{
	char *dir = store_port_dir(c->store, c->o->kernel);
	char *file = dir ? xasprintf("%s/mail-fix.patch", dir) : NULL;
	/* the imported trees have no history: the commits a message cites cannot be looked up */
	const char *argv[] = { "perl", c->o->checkpatch, "--no-tree", "--terse", "--no-summary", "--color=never",
			       "--ignore", "UNKNOWN_COMMIT_ID", file, NULL };
	struct strbuf out = STRBUF_INIT;
	struct run_opts ro = { .argv = argv, .out = &out, .timeout = 300 };
	struct run_result rr;
	int counts[3] = { 0 }, ret = -1;
	static const char *const kinds[] = { ": ERROR: ", ": WARNING: ", ": CHECK: " };

	if (!file || write_file_atomic(file, patch, strlen(patch)) || run(&ro, &rr))
		goto out;
	if (rr.signal || rr.timed_out || rr.status > 1) {
		error_code(KB_EXIT_FAIL, "checkpatch failed on '%s' (exit status %d): %.200s", file, rr.status,
			   sb_str(&out));
		goto out;
	}
	for (const char *p = sb_str(&out); *p;) {
		const char *eol = strchrnul(p, '\n');
		char *line = xstrndup(p, eol - p);

		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
			if (strstr(line, kinds[k])) {
				counts[k]++;
				if (k < 2)
					warning("checkpatch: %s", line);
				break;
			}
		free(line);
		p = *eol ? eol + 1 : eol;
	}
	note("checkpatch on the fix (%s): %d errors, %d warnings, %d checks", file, counts[0], counts[1], counts[2]);
	ret = 0;
out:
	sb_release(&out);
	free(file);
	free(dir);
	return ret;
}

/* The patched results come from the port in the store: it must carry this fix for them to show it. */
static void check_port_carries(const struct ctx *c)
{
	json_t *port = store_read(c->store, c->o->kernel, STORE_PORT, "port.json"), *rec;
	char *kdir = xasprintf("%s/local/%s/", c->o->series_dir, c->o->kernel);
	/* the same file as port names it, whichever way the series directory was spelled */
	char *rel = starts_with(c->f.file, kdir) ? xasprintf("/local/%s/%s", c->o->kernel, path_basename(c->f.file))
						 : xasprintf("/local/%s", path_basename(c->f.file));
	bool carried = false;
	size_t i;

	json_array_foreach(json_object_get(port, "patches"), i, rec) {
		const char *src = json_string_value(json_object_get(rec, "source"));

		carried |= json_is_true(json_object_get(rec, "local")) && src && ends_with(src, rel);
	}
	if (port && !carried)
		warning("the port of '%s' in the store does not carry '%s': its patched results are not the fix's "
			"(run 'kbackport port %s', then boot the patched kernel again)", c->o->kernel, c->f.file,
			c->o->kernel);
	json_decref(port);
	free(kdir);
	free(rel);
}

/* "debian-6.12 (linux-source-6.12 6.12.57-1)": the kernel and the revision its port was made on. */
static char *tree_label(const char *store, const char *kernel)
{
	json_t *port = store_read(store, kernel, STORE_PORT, "port.json");
	const char *src = json_string_value(json_object_get(port, "source"));
	char *label = src && strcmp(src, "unknown") ? xasprintf("%s (%s)", kernel, src) : xstrdup(kernel);
	char *clean = utf8_sanitize(label);

	json_decref(port);
	free(label);
	return clean;
}

/* The kernel, and every other one that carries the same fix and where the series as posted gets a case wrong too. */
static void seen_on(struct ctx *c)
{
	struct strvec kernels = STRVEC_INIT;

	sv_push_owned(&c->trees, tree_label(c->store, c->o->kernel));
	if (c->ev.ran[NW_POSTED])
		store_kernels(c->store, &kernels);
	for (size_t i = 0; i < kernels.n; i++) {
		struct strvec fixes = STRVEC_INIT;
		struct nowait_evidence ev;
		bool shared = false;

		if (!strcmp(kernels.v[i], c->o->kernel))
			continue;
		series_layer_files(c->o->series_dir, "local", kernels.v[i], &fixes);
		if (sv_contains(&fixes, c->f.file)) {
			nowait_evidence(c->store, kernels.v[i], c->o->expect_dir, &ev);
			for (size_t k = 0; k < ev.n && ev.ran[NW_POSTED]; k++)
				for (size_t j = 0; j < c->ev.n; j++)
					shared |= !strcmp(ev.cases[k].name, c->ev.cases[j].name);
			nowait_evidence_free(&ev);
		}
		if (shared)
			sv_push_owned(&c->trees, tree_label(c->store, kernels.v[i]));
		sv_release(&fixes);
	}
	sv_release(&kernels);
}

int reply_draft(const struct reply_opts *o, struct reply *r)
{
	struct ctx c = { .o = o };
	struct strbuf body = STRBUF_INIT, msg = STRBUF_INIT;
	size_t fix;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!plain_email(o->from_email))
		return error_code(KB_EXIT_USAGE, "the drafter's address '%s' is not one a From: can carry "
				  "(KBACKPORT_SIGNOFF or git config user.email)", o->from_email);
	c.store = store_series_name(o->series_dir);
	if (series_load(o->series_dir, &c.s) || finding_pick(o->series_dir, o->kernel, &c.s, o->finding, &c.f))
		goto out;
	if (!plain_msgid(c.f.message_id)) {
		error_code(KB_EXIT_BADINPUT, "'%s/series.yaml': '%s' is not a Message-ID a header can carry",
			   o->series_dir, c.f.message_id);
		goto out;
	}
	if (check_fix(&c))
		goto out;
	if (c.f.under_cover)
		note("patch %d/%d's Message-ID is not in the archive: the reply threads under the cover letter <%s>",
		     c.f.patch, c.s.total, c.f.message_id);
	c.posted = posted_subject(&c.s, c.f.patch);
	known_people(&c.s, &c.known);
	if (recipients(&c))
		goto out;
	if (c.hidden.n) {
		struct strbuf h = STRBUF_INIT;

		list_names(&h, &c.hidden);
		warning("the archive shows %zu recipient%s of the thread without an address, left out of the draft: %s",
			c.hidden.n, c.hidden.n == 1 ? "" : "s", sb_str(&h));
		sb_release(&h);
	}
	nowait_evidence(c.store, o->kernel, o->expect_dir, &c.ev);
	check_port_carries(&c);
	seen_on(&c);
	add_body(&body, &c);
	fix = body.len;
	add_fix(&body, &c);
	if (o->checkpatch && run_checkpatch(&c, body.buf + fix + strlen("-- >8 --\n")))
		goto out;
	add_headers(&msg, &c, sb_str(&body));
	sb_adds(&msg, sb_str(&body));
	r->text = sb_detach(&msg);
	r->finding = xstrdup(c.f.name);
	r->subject = xasprintf("Re: %s", c.posted);
	ret = 0;
out:
	sb_release(&body);
	sb_release(&msg);
	nowait_evidence_free(&c.ev);
	people_free(&c.known);
	people_free(&c.to);
	people_free(&c.cc);
	sv_release(&c.hidden);
	sv_release(&c.trees);
	free(c.posted);
	finding_free(&c.f);
	series_free(&c.s);
	free(c.store);
	return ret;
}

void reply_free(struct reply *r)
{
	free(r->text);
	free(r->finding);
	free(r->subject);
	memset(r, 0, sizeof(*r));
}
