// SPDX-License-Identifier: GPL-2.0
/*
 * Messages out of the three layouts users get patches in: a real mbox, a
 * list-archive page (newest first, threads mixed) and an archive thread view
 * (which collapses leading whitespace). Everything below the message level
 * (patches, trailers, series) is series.c's business.
 */
#define _GNU_SOURCE
#include "mail/mbox.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"

struct lines {
	char **v;
	size_t n;
};

/* Splits a private copy of the text into lines, CRLF accepted. */
static char *split_lines(const char *text, size_t len, struct lines *l)
{
	char *copy = xstrndup(text, len);
	size_t alloc = 64;

	l->v = xmalloc(alloc * sizeof(*l->v));
	l->n = 0;
	for (char *p = copy; *p;) {
		char *nl = strchr(p, '\n');

		if (l->n + 1 >= alloc) {
			alloc *= 2;
			l->v = xrealloc(l->v, alloc * sizeof(*l->v));
		}
		l->v[l->n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		p = nl + 1;
	}
	return copy;
}

static char *join_lines(struct lines *l, size_t from, size_t to)
{
	struct strbuf sb = STRBUF_INIT;

	while (from < to && !*l->v[from])
		from++;
	while (to > from && !*l->v[to - 1])
		to--;
	for (size_t i = from; i < to; i++) {
		sb_adds(&sb, l->v[i]);
		sb_addc(&sb, '\n');
	}
	return sb_detach(&sb);
}

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static long long epoch_of(int y, int mon, int d, int h, int mi, int s, int tz_min)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (long long)timegm(&tm) - tz_min * 60LL;
}

long long parse_mail_date(const char *s)
{
	int y, mon, d, h, mi, sec = 0, n = 0;
	char mname[4];
	char sign;
	int tz;

	while (*s == ' ')
		s++;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d%n", &y, &mon, &d, &h, &mi, &n) == 5)
		return epoch_of(y, mon - 1, d, h, mi, 0, 0);
	if (isalpha((unsigned char)*s)) {
		const char *comma = strchr(s, ',');

		if (!comma)
			return -1;
		s = comma + 1;
	}
	if (sscanf(s, "%d %3s %d %d:%d%n", &d, mname, &y, &h, &mi, &n) != 5)
		return -1;
	s += n;
	if (*s == ':' && sscanf(s, ":%d%n", &sec, &n) == 1)
		s += n;
	while (*s == ' ')
		s++;
	for (mon = 0; mon < 12; mon++)
		if (!strcasecmp(mname, month_names[mon]))
			break;
	if (mon == 12)
		return -1;
	tz = 0;
	if ((*s == '+' || *s == '-') && isdigit((unsigned char)s[1])) {
		sign = *s;
		tz = atoi(s + 1);
		tz = (tz / 100) * 60 + tz % 100;
		if (sign == '-')
			tz = -tz;
	}
	return epoch_of(y, mon, d, h, mi, sec, tz);
}

void split_address(const char *s, char **name, char **email)
{
	/* the last '<': "Name <addr>" written back reads the same even if Name has one */
	const char *lt = strrchr(s, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	char *n;

	*email = NULL;
	if (lt && gt) {
		*email = xstrndup(lt + 1, gt - lt - 1);
		n = trim_dup(s, lt - s);
	} else if (strchr(s, '@') && !strpbrk(s, " <>")) {
		*email = trim_dup(s, strlen(s));
		n = xstrdup(*email);
	} else {
		n = trim_dup(s, strlen(s));
	}
	/* "Name" in quotes is still just the name */
	if (n[0] == '"' && strlen(n) > 1 && n[strlen(n) - 1] == '"') {
		char *q = xstrndup(n + 1, strlen(n) - 2);

		free(n);
		n = q;
	}
	*name = n;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void latin1_to_utf8(struct strbuf *out, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x80) {
			sb_addc(out, s[i]);
		} else {
			sb_addc(out, 0xc0 | (s[i] >> 6));
			sb_addc(out, 0x80 | (s[i] & 0x3f));
		}
	}
}

static void qp_decode(struct strbuf *out, const char *s, size_t n, bool header)
{
	for (size_t i = 0; i < n; i++) {
		if (header && s[i] == '_') {
			sb_addc(out, ' ');
		} else if (s[i] == '=' && i + 1 < n && s[i + 1] == '\n') {
			i++;	/* soft line break */
		} else if (s[i] == '=' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			sb_addc(out, hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			sb_addc(out, s[i]);
		}
	}
}

static int b64val(int c)
{
	const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(tab, c) : NULL;

	return p ? p - tab : -1;
}

static void b64_decode(struct strbuf *out, const char *s, size_t n)
{
	unsigned int acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0)
			continue;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sb_addc(out, (acc >> bits) & 0xff);
		}
	}
}

char *decode_header_words(const char *s)
{
	struct strbuf out = STRBUF_INIT;

	while (*s) {
		const char *start = strstr(s, "=?");
		const char *q1, *q2, *end;
		struct strbuf raw = STRBUF_INIT;

		if (!start)
			break;
		q1 = strchr(start + 2, '?');
		q2 = q1 ? strchr(q1 + 1, '?') : NULL;
		end = q2 ? strstr(q2 + 1, "?=") : NULL;
		if (!end || q2 != q1 + 2) {
			sb_add(&out, s, start + 2 - s);
			s = start + 2;
			continue;
		}
		sb_add(&out, s, start - s);
		if (tolower((unsigned char)q1[1]) == 'b')
			b64_decode(&raw, q2 + 1, end - q2 - 1);
		else
			qp_decode(&raw, q2 + 1, end - q2 - 1, true);
		if (!strncasecmp(start + 2, "iso-8859-1", 10) || !strncasecmp(start + 2, "latin1", 6))
			latin1_to_utf8(&out, (unsigned char *)sb_str(&raw), raw.len);
		else
			sb_add(&out, sb_str(&raw), raw.len);
		sb_release(&raw);
		s = end + 2;
		/* whitespace between two encoded words is not part of the text */
		if (*s == ' ' && starts_with(s + strspn(s, " "), "=?"))
			s += strspn(s, " ");
	}
	sb_adds(&out, s);
	return sb_detach(&out);
}

const char *msg_format_name(enum msg_format f)
{
	switch (f) {
	case FMT_MBOX:
		return "mbox";
	case FMT_ARCHIVE_PAGE:
		return "archive-page";
	case FMT_THREAD_VIEW:
		return "thread-view";
	}
	return "unknown";
}

static struct message *msg_new(struct msg_list *l, const char *file, int line,
			       enum msg_format fmt)
{
	struct message *m;

	if (l->n == l->alloc) {
		l->alloc = l->alloc * 2 + 16;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	m = &l->v[l->n++];
	memset(m, 0, sizeof(*m));
	m->file = file;
	m->line = line;
	m->format = fmt;
	m->when = -1;
	return m;
}

void msg_list_free(struct msg_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct message *m = &l->v[i];

		free(m->subject);
		free(m->from_name);
		free(m->from_email);
		free(m->message_id);
		free(m->in_reply_to);
		free(m->body);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/* "<id@host> (raw)" -> "id@host" */
static char *extract_msgid(const char *s)
{
	const char *lt = strchr(s, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt && gt > lt + 1)
		return xstrndup(lt + 1, gt - lt - 1);
	return NULL;
}

static bool is_header_line(const char *s)
{
	const char *p = s;

	while (isalnum((unsigned char)*p) || *p == '-')
		p++;
	return p > s && *p == ':';
}

static const char *header_value(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	return line + n + 1 + strspn(line + n + 1, " \t");
}

/*
 * Reads a header block starting at lines[i]; returns the first body line.
 * Continuations are indented lines, or (archives that lost indentation)
 * lines following a header that ends with a comma.
 */
static size_t read_headers(struct lines *l, size_t i, size_t end, struct strvec *hdrs,
			   bool archive)
{
	while (i < end && *l->v[i]) {
		const char *s = l->v[i];
		bool indented = (*s == ' ' || *s == '\t');

		/* archive pages indent "  To:" and "  Cc:" themselves */
		if (archive && *s == ' ' && is_header_line(s + strspn(s, " "))) {
			sv_push(hdrs, s + strspn(s, " "));
			i++;
			continue;
		}
		bool comma_cont = hdrs->n && ends_with(hdrs->v[hdrs->n - 1], ",") &&
				  !is_header_line(s);

		if ((indented || comma_cont) && hdrs->n) {
			char *prev = hdrs->v[hdrs->n - 1];

			hdrs->v[hdrs->n - 1] = xasprintf("%s %s", prev, s + strspn(s, " \t"));
			free(prev);
		} else if (is_header_line(s)) {
			sv_push(hdrs, s);
		} else {
			break;
		}
		i++;
	}
	return i;
}

static void apply_headers(struct message *m, struct strvec *hdrs, char **cte)
{
	for (size_t h = 0; h < hdrs->n; h++) {
		const char *s = hdrs->v[h], *v;

		if ((v = header_value(s, "Subject"))) {
			free(m->subject);
			m->subject = decode_header_words(v);
		} else if ((v = header_value(s, "From"))) {
			char *dec = decode_header_words(v);

			free(m->from_name);
			free(m->from_email);
			split_address(dec, &m->from_name, &m->from_email);
			free(dec);
		} else if ((v = header_value(s, "Date"))) {
			m->when = parse_mail_date(v);
		} else if ((v = header_value(s, "Message-ID"))) {
			free(m->message_id);
			m->message_id = extract_msgid(v);
		} else if ((v = header_value(s, "In-Reply-To"))) {
			free(m->in_reply_to);
			m->in_reply_to = extract_msgid(v);
		} else if (cte && (v = header_value(s, "Content-Transfer-Encoding"))) {
			free(*cte);
			*cte = xstrdup(v);
		}
	}
}

static char *decode_body(char *body, const char *cte)
{
	struct strbuf out = STRBUF_INIT;

	if (!cte || (strcasecmp(cte, "quoted-printable") && strcasecmp(cte, "base64")))
		return body;
	if (!strcasecmp(cte, "base64"))
		b64_decode(&out, body, strlen(body));
	else
		qp_decode(&out, body, strlen(body), false);
	free(body);
	return sb_detach(&out);
}

/* An mbox "From " separator is followed by a header line. */
static bool is_mbox_separator(struct lines *l, size_t i)
{
	return starts_with(l->v[i], "From ") && i + 1 < l->n && is_header_line(l->v[i + 1]);
}

static void parse_one_mail(struct lines *l, size_t i, size_t end, const char *file,
			   struct msg_list *out)
{
	struct message *m = msg_new(out, file, (int)i + 1, FMT_MBOX);
	struct strvec hdrs = STRVEC_INIT;
	char *cte = NULL;
	size_t body;

	body = read_headers(l, i, end, &hdrs, false);
	apply_headers(m, &hdrs, &cte);
	/* mboxrd quoting of body lines that start with "From " */
	for (size_t k = body; k < end; k++) {
		char *s = l->v[k];

		if (s[0] == '>' && starts_with(s + strspn(s, ">"), "From "))
			memmove(s, s + 1, strlen(s));
	}
	m->body = decode_body(join_lines(l, body, end), cte);
	free(cte);
	sv_release(&hdrs);
}

static void parse_mbox(struct lines *l, const char *file, struct msg_list *out)
{
	size_t start = SIZE_MAX;

	for (size_t i = 0; i <= l->n; i++) {
		if (i < l->n && !is_mbox_separator(l, i))
			continue;
		if (start != SIZE_MAX)
			parse_one_mail(l, start, i, file, out);
		start = i + 1;
	}
}

/* "From: Name @ 2026-06-18 12:57 UTC (permalink / raw)" */
static bool archive_from(const char *s, char **name, long long *when)
{
	const char *at, *date;
	int y, mo, d, h, mi;

	if (!starts_with(s, "From: ") || !strstr(s, "(permalink"))
		return false;
	at = strstr(s, " @ ");
	if (!at)
		return false;
	date = at + 3;
	if (sscanf(date, "%4d-%2d-%2d %2d:%2d", &y, &mo, &d, &h, &mi) != 5)
		return false;
	if (name)
		*name = trim_dup(s + 6, at - s - 6);
	if (when)
		*when = epoch_of(y, mo - 1, d, h, mi, 0, 0);
	return true;
}

static bool is_date_line(const char *s)
{
	int y, mo, d;

	if (starts_with(s, "@ "))
		s += 2;
	return sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) == 3;
}

static void parse_archive(struct lines *l, const char *file, struct msg_list *out,
			  enum msg_format *fmt)
{
	size_t prev_end = 0;

	*fmt = FMT_ARCHIVE_PAGE;
	for (size_t i = 0; i < l->n; i++) {
		struct strvec hdrs = STRVEC_INIT;
		struct message *m;
		size_t subj = SIZE_MAX, body, end;
		char *name;
		long long when;

		if (!archive_from(l->v[i], &name, &when))
			continue;
		for (size_t j = i; j-- > prev_end;)
			if (starts_with(l->v[j], "* ")) {
				subj = j;
				break;
			}
		for (end = i + 1; end < l->n; end++)
			if (starts_with(l->v[end], "^ permalink raw reply"))
				break;
		prev_end = end;
		if (subj == SIZE_MAX) {
			free(name);
			continue;
		}
		if (subj + 1 < i && is_date_line(l->v[subj + 1]))
			*fmt = FMT_THREAD_VIEW;
		m = msg_new(out, file, (int)subj + 1, FMT_ARCHIVE_PAGE);
		m->subject = xstrdup(l->v[subj] + 2);
		m->from_name = name;
		m->when = when;
		body = read_headers(l, i + 1, end, &hdrs, true);
		apply_headers(m, &hdrs, NULL);
		m->body = join_lines(l, body, end);
		sv_release(&hdrs);
		i = end;
	}
	for (size_t k = 0; k < out->n; k++)
		if (out->v[k].file == file)
			out->v[k].format = *fmt;
}

static bool looks_like_raw_mail(struct lines *l)
{
	for (size_t i = 0; i < l->n && i < 64; i++) {
		if (!*l->v[i])
			return false;
		if (header_value(l->v[i], "Subject"))
			return true;
	}
	return false;
}

int mbox_parse(const char *file, const char *text, size_t len, struct msg_list *out,
	       enum msg_format *format)
{
	struct lines l;
	char *copy;
	size_t before = out->n;
	size_t first = 0;
	enum msg_format fmt = FMT_MBOX;

	if (!len)
		return error_code(KB_EXIT_BADINPUT, "'%s' is empty", file);
	copy = split_lines(text, len, &l);
	while (first < l.n && !*l.v[first])
		first++;
	for (size_t i = 0; i < l.n; i++)
		if (archive_from(l.v[i], NULL, NULL)) {
			parse_archive(&l, file, out, &fmt);
			break;
		}
	if (out->n == before) {
		if (first < l.n && is_mbox_separator(&l, first))
			parse_mbox(&l, file, out);
		else if (looks_like_raw_mail(&l))
			parse_one_mail(&l, first, l.n, file, out);
	}
	if (out->n == before && l.n <= 2 && len > 1024 && (strstr(text, "Subject:") || strstr(text, "From:"))) {
		free(l.v);
		free(copy);
		return error_code(KB_EXIT_BADINPUT,
				  "'%s' is a mail flattened to one line (its line breaks are lost); no patch can be read from it",
				  file);
	}
	free(l.v);
	free(copy);
	if (out->n == before)
		return error_code(KB_EXIT_BADINPUT,
				  "'%s' holds no mail messages (not an mbox, archive page or thread view)",
				  file);
	if (format)
		*format = fmt;
	return 0;
}

/* One address of a list: "+Cc: a" or "group: a" is the address after its label. */
static void push_address(const char *s, size_t n, struct strvec *out)
{
	const char *colon = memchr(s, ':', n);
	char *a;

	if (colon && !memchr(s, '<', colon - s) && !memchr(s, '"', colon - s)) {
		n -= colon + 1 - s;
		s = colon + 1;
	}
	a = trim_dup(s, n);
	if (*a)
		sv_push_owned(out, a);
	else
		free(a);
}

void split_address_list(const char *s, struct strvec *out)
{
	const char *start = s;
	bool quoted = false;
	int angle = 0;

	for (const char *p = s;; p++) {
		if (*p == '"' && (p == s || p[-1] != '\\'))
			quoted = !quoted;
		else if (!quoted && *p == '<')
			angle++;
		else if (!quoted && *p == '>' && angle)
			angle--;
		if (*p && (quoted || angle || (*p != ',' && *p != ';')))
			continue;
		push_address(start, p - start, out);
		if (!*p)
			break;
		start = p + 1;
	}
}

void mbox_header_values(const char *text, size_t len, const struct message *m, const char *name,
			struct strvec *out)
{
	struct strvec hdrs = STRVEC_INIT;
	struct lines l;
	char *copy = split_lines(text, len, &l);
	size_t i = m->line > 0 ? (size_t)m->line - 1 : l.n;
	bool archive = m->format != FMT_MBOX;

	/* an archive message starts at its "* subject" line, its headers follow its "From: ... (permalink" */
	while (archive && i < l.n && !archive_from(l.v[i], NULL, NULL))
		i++;
	if (i < l.n)
		read_headers(&l, i + archive, l.n, &hdrs, archive);
	for (size_t h = 0; h < hdrs.n; h++) {
		const char *v = header_value(hdrs.v[h], name);

		if (v)
			sv_push_owned(out, decode_header_words(v));
	}
	sv_release(&hdrs);
	free(l.v);
	free(copy);
}

char *encode_header_words(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t word = 0;	/* where the current encoded-word starts */
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p && *p < 0x80 && *p >= 0x20; p++)
		;
	if (!*p)
		return xstrdup(s);
	for (p = (const unsigned char *)s; *p; p++) {
		/* RFC 2047: at most 75 characters a word, a character never split */
		if (!sb.len || (sb.len - word > 60 && (*p & 0xc0) != 0x80)) {
			if (sb.len)
				sb_adds(&sb, "?= ");
			word = sb.len;
			sb_adds(&sb, "=?UTF-8?q?");
		}
		if (*p == ' ')
			sb_addc(&sb, '_');
		else if (*p > 0x20 && *p < 0x7f && !strchr("=?_\"(),.:;<>@[\\]", *p))
			sb_addc(&sb, *p);
		else
			sb_addf(&sb, "=%02X", *p);
	}
	sb_adds(&sb, "?=");
	return sb_detach(&sb);
}
