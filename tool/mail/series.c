// SPDX-License-Identifier: GPL-2.0
/*
 * A series out of mail: which messages are the patches of one posting,
 * which copy of each patch to trust, and what reviewers said about them.
 */
#define _GNU_SOURCE
#include "mail/series.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mbox.h"
#include "mail/patch.h"

struct subj {
	bool reply;
	bool is_patch;
	char *prefix;
	int version;
	int n, m;
	char *title;
	char *bad;		/* a version or number out of bounds, as "number '1/99999' (...)" */
};

static void subj_free(struct subj *s)
{
	free(s->prefix);
	free(s->title);
	free(s->bad);
}

static void parse_tag(const char *tag, size_t len, struct subj *o, struct strbuf *prefix)
{
	char *t = xstrndup(tag, len);

	for (char *tok = strtok(t, " "); tok; tok = strtok(NULL, " ")) {
		int a, b;
		char c;

		/* "PATCHv11", as some posters spell "PATCH v11" */
		bool glued = !strncasecmp(tok, "PATCH", 5) && (tok[5] == 'v' || tok[5] == 'V') &&
			     isdigit((unsigned char)tok[6]);

		if (!strcasecmp(tok, "PATCH") || glued) {
			o->is_patch = true;
			if (prefix->len)
				sb_addc(prefix, ' ');
			sb_adds(prefix, "PATCH");
			tok += glued ? 5 : 0;
		}
		if (!strcasecmp(tok, "PATCH")) {
			continue;
		} else if ((tok[0] == 'v' || tok[0] == 'V') && (isdigit((unsigned char)tok[1]) || tok[1] == '-') &&
			   sscanf(tok + 1, "%d%c", &a, &c) == 1) {
			/* the first bad token is the one named */
			if (a < 1 || a > SERIES_MAX_VERSION) {
				if (!o->bad)
					o->bad = xasprintf("version '%s' (1 to %d)", tok, SERIES_MAX_VERSION);
			} else {
				o->version = a;
			}
		} else if ((isdigit((unsigned char)tok[0]) || tok[0] == '-') && sscanf(tok, "%d/%d%c", &a, &b, &c) == 2) {
			if (b < 1 || b > SERIES_MAX_PATCHES || a < 0 || a > b) {
				if (!o->bad)
					o->bad = xasprintf("number '%s' (a series has 1 to %d patches)", tok,
							   SERIES_MAX_PATCHES);
			} else {
				o->n = a;
				o->m = b;
			}
		} else {
			if (prefix->len)
				sb_addc(prefix, ' ');
			sb_adds(prefix, tok);
		}
	}
	free(t);
}

/* "Re: [RFC PATCH v2 3/8] title" */
static void parse_subject(const char *s, struct subj *o)
{
	struct strbuf prefix = STRBUF_INIT;

	memset(o, 0, sizeof(*o));
	o->version = 1;
	for (;;) {
		s += strspn(s, " \t");
		if (!strncasecmp(s, "Re:", 3) || !strncasecmp(s, "Fwd:", 4) || !strncasecmp(s, "AW:", 3)) {
			o->reply = true;
			s = strchr(s, ':') + 1;
		} else if (*s == '[' && strchr(s, ']')) {
			const char *close = strchr(s, ']');

			parse_tag(s + 1, close - s - 1, o, &prefix);
			s = close + 1;
		} else {
			break;
		}
	}
	if (o->is_patch && !o->m) {
		o->n = 1;
		o->m = 1;
	}
	o->prefix = sb_detach(&prefix);
	o->title = trim_dup(s, strlen(s));
	/* collapse runs of blanks so titles from different archives compare equal */
	for (char *p = o->title, *q = o->title;; p++) {
		if (isspace((unsigned char)*p) && isspace((unsigned char)p[1]))
			continue;
		*q++ = isspace((unsigned char)*p) ? ' ' : *p;
		if (!*p)
			break;
	}
}

/* A message with its parsed subject. */
struct item {
	struct message *m;
	struct subj s;
	bool dup;		/* same message seen in an earlier input */
};

struct posting {
	int version, total;
	char *author;		/* from the patches, or the replies' attribution */
	struct item *cover;
	struct strvec titles;	/* titles of its patches and replies, by n (may be "") */
	long long newest;
	bool complete;
	bool has_patches;	/* more than a cover letter */
};

struct ctx {
	struct msg_list msgs;
	struct item *items;
	size_t nitems;
	char **formats;		/* per input file */
};

static bool same_msg(const struct item *a, const struct item *b)
{
	return a->m->when == b->m->when && a->m->from_name && b->m->from_name &&
	       !strcmp(a->m->from_name, b->m->from_name) &&
	       a->s.reply == b->s.reply && !strcmp(a->s.title, b->s.title) &&
	       a->s.n == b->s.n && a->s.version == b->s.version;
}

/* Text a reply quotes at depth 1 ("> x"), with the quote marks removed. */
static char *quoted_text(const char *body)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = body;

	while (*p) {
		const char *nl = strchrnul(p, '\n');

		if (p[0] == '>' && p[1] != '>') {
			const char *s = p + 1;

			if (*s == ' ')
				s++;
			sb_add(&sb, s, nl - s);
			sb_addc(&sb, '\n');
		}
		p = *nl ? nl + 1 : nl;
	}
	return sb_detach(&sb);
}

/* "On Thu 18-06-26 20:57:29, Baokun Li wrote:" -> "Baokun Li" */
static char *attribution_name(const char *body)
{
	const char *p = body;

	while (*p) {
		const char *nl = strchrnul(p, '\n');
		char *line = xstrndup(p, nl - p);
		char *w = strstr(line, " wrote:");

		if (starts_with(line, "On ") && w) {
			char *comma = NULL;

			*w = '\0';
			for (char *c = line; (c = strchr(c, ',')); c++)
				comma = c;
			if (comma) {
				char *name = trim_dup(comma + 1, strlen(comma + 1));
				char *lt = strchr(name, '<');

				if (lt)
					*lt = '\0';
				rtrim(name);
				free(line);
				return name;
			}
		}
		free(line);
		if (p[0] == '>')
			break;
		p = *nl ? nl + 1 : nl;
	}
	return NULL;
}

/* "Signed-off-by: x", "Fixes: x", "Link: x": a hyphenated key or a known one. */
static bool is_trailer_line(const char *s)
{
	static const char *const plain[] = { "Fixes", "Link", "Closes", "Cc", NULL };
	const char *p = s;
	const char *dash = NULL;

	while (isalnum((unsigned char)*p) || *p == '-') {
		if (*p == '-' && !dash)
			dash = p;
		p++;
	}
	if (p == s || p[0] != ':' || p[1] != ' ' || p - s >= 40)
		return false;
	if (dash)
		return true;
	for (const char *const *k = plain; *k; k++)
		if ((size_t)(p - s) == strlen(*k) && !strncasecmp(s, *k, p - s))
			return true;
	return false;
}

static void add_trailer(struct spatch *p, const char *key, const char *value, bool collected)
{
	struct trailer *t;

	p->trailers = xrealloc(p->trailers, (p->ntrailers + 1) * sizeof(*p->trailers));
	t = &p->trailers[p->ntrailers++];
	t->key = xstrdup(key);
	t->value = xstrdup(value);
	t->collected = collected;
}

static void free_patch_text(struct spatch *p)
{
	for (size_t i = 0; i < p->ntrailers; i++) {
		free(p->trailers[i].key);
		free(p->trailers[i].value);
	}
	free(p->trailers);
	p->trailers = NULL;
	p->ntrailers = 0;
	free(p->msg);
	free(p->diff);
	p->msg = p->diff = NULL;
	sv_release(&p->files);
}

/* Splits the message part into text and its closing trailer block. */
static void split_trailers(struct spatch *p, struct strvec *lines)
{
	size_t end = lines->n, start;
	struct strbuf msg = STRBUF_INIT;

	while (end && !*lines->v[end - 1])
		end--;
	start = end;
	while (start && *lines->v[start - 1])
		start--;
	/* trailers: a paragraph of "Key: value" lines, each maybe continued by indented ones */
	for (size_t i = start; i < end && start < end; i++)
		if (!is_trailer_line(lines->v[i]) && (lines->v[i][0] != ' ' || i == start))
			start = end;	/* last paragraph is prose: no trailers */
	for (size_t i = start; i < end; i++) {
		char *colon = strchr(lines->v[i], ':');

		if (lines->v[i][0] == ' ' && p->ntrailers) {
			struct trailer *t = &p->trailers[p->ntrailers - 1];
			char *v = xasprintf("%s %s", t->value, lines->v[i] + strspn(lines->v[i], " "));

			free(t->value);
			t->value = v;
			continue;
		}
		*colon = '\0';
		add_trailer(p, lines->v[i], colon + 2, false);
		*colon = ':';
	}
	while (start && !*lines->v[start - 1])
		start--;
	for (size_t i = 0; i < start; i++) {
		sb_adds(&msg, lines->v[i]);
		sb_addc(&msg, '\n');
	}
	p->msg = sb_detach(&msg);
}

static void split_lines_sv(const char *text, struct strvec *out)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchrnul(p, '\n');

		sv_push_owned(out, xstrndup(p, nl - p));
		p = *nl ? nl + 1 : nl;
	}
}

/*
 * Fills msg, trailers and diff from a patch mail body. An in-body "From:"
 * names the real author. The mail signature ("-- ") is dropped.
 */
static void parse_patch_body(struct spatch *p, const char *body)
{
	struct strvec lines = STRVEC_INIT, msg = STRVEC_INIT;
	struct strbuf diff = STRBUF_INIT;
	size_t i = 0, sep, end;

	split_lines_sv(body, &lines);
	if (lines.n && starts_with(lines.v[0], "From: ")) {
		free(p->author_name);
		free(p->author_email);
		split_address(lines.v[0] + 6, &p->author_name, &p->author_email);
		for (i = 1; i < lines.n && *lines.v[i]; i++)
			;
	}
	for (sep = i; sep < lines.n; sep++)
		if (!strcmp(lines.v[sep], "---") || starts_with(lines.v[sep], "diff --git "))
			break;
	for (size_t k = i; k < sep; k++)
		sv_push(&msg, lines.v[k]);
	split_trailers(p, &msg);
	end = lines.n;
	for (size_t k = lines.n; k-- > sep;)
		if ((!strcmp(lines.v[k], "-- ") || !strcmp(lines.v[k], "--")) && lines.n - k <= 4) {
			end = k;
			break;
		}
	if (sep < lines.n && !strcmp(lines.v[sep], "---"))
		sep++;
	for (size_t k = sep; k < end; k++) {
		sb_adds(&diff, lines.v[k]);
		sb_addc(&diff, '\n');
	}
	p->diff = sb_detach(&diff);
	sv_release(&lines);
	sv_release(&msg);
}

/* " fs/ext4/file.c | 6 ++++++" lines must agree with the diff: a quote may have been cut. */
static int check_diffstat(const char *text, const struct diff *d, char **why)
{
	struct strvec lines = STRVEC_INIT;
	int ret = 0;

	split_lines_sv(text, &lines);
	for (size_t i = 0; i < lines.n && !starts_with(lines.v[i], "diff --git"); i++) {
		char path[512];
		int changed;

		if (sscanf(lines.v[i], " %511s | %d", path, &changed) != 2)
			continue;
		for (size_t f = 0; f < d->n; f++) {
			int count = 0;

			if (!d->files[f].new_path || strcmp(d->files[f].new_path, path))
				continue;
			for (size_t h = 0; h < d->files[f].n; h++)
				for (size_t l = 0; l < d->files[f].hunks[h].lines.n; l++) {
					char c = d->files[f].hunks[h].lines.v[l][0];

					count += (c == '+' || c == '-');
				}
			if (count != changed) {
				free(*why);
				*why = xasprintf("diffstat says %d changed lines in '%s', the diff has %d",
						 changed, path, count);
				ret = -1;
			}
		}
	}
	sv_release(&lines);
	return ret;
}

/*
 * Builds a patch from one copy of its text; returns a rank (lower is
 * better) or -1 with *why set when the copy is unusable.
 */
static int build_candidate(struct spatch *p, const char *body, bool from_quote, char **why)
{
	struct diff d;
	int rank;

	parse_patch_body(p, body);
	if (diff_parse(p->diff, &d, why))
		return -1;
	if (!d.damaged && check_diffstat(p->diff, &d, why)) {
		diff_free(&d);
		return -1;
	}
	for (size_t f = 0; f < d.n; f++) {
		const char *path = d.files[f].new_path ? d.files[f].new_path : d.files[f].old_path;

		if (path && !sv_contains(&p->files, path))
			sv_push(&p->files, path);
	}
	p->state = d.damaged ? TEXT_DAMAGED : from_quote ? TEXT_FROM_QUOTE : TEXT_CLEAN;
	rank = (d.damaged ? 2 : 0) + (from_quote ? 1 : 0);
	diff_free(&d);
	return rank;
}

static bool has_quoted_diff(const struct item *it)
{
	return it->s.reply && strstr(it->m->body, "\n> diff --git ");
}

/* Who wrote the patch this message is (a posting) or quotes (a reply). */
static char *patch_author_of(const struct item *it)
{
	if (!it->s.reply)
		return xstrdup(it->m->from_name ? it->m->from_name : "");
	return attribution_name(it->m->body);
}

static struct posting *find_posting(struct posting *v, size_t n, int version, int total,
				    const char *author)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].version == version && v[i].total == total && !strcmp(v[i].author, author))
			return &v[i];
	return NULL;
}

static void collect_postings(struct ctx *c, struct posting **out, size_t *nout)
{
	struct posting *v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < c->nitems; i++) {
		struct item *it = &c->items[i];
		struct posting *p;
		char *author;

		if (!it->s.is_patch || it->s.n > it->s.m || (it->s.reply && !has_quoted_diff(it)))
			continue;
		author = patch_author_of(it);
		if (!author)
			continue;
		p = find_posting(v, n, it->s.version, it->s.m, author);
		if (!p) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			p = &v[n++];
			memset(p, 0, sizeof(*p));
			p->version = it->s.version;
			p->total = it->s.m;
			p->author = author;
			for (int k = 0; k <= p->total; k++)
				sv_push(&p->titles, "");
		} else {
			free(author);
		}
		if (!*p->titles.v[it->s.n]) {
			free(p->titles.v[it->s.n]);
			p->titles.v[it->s.n] = xstrdup(it->s.title);
		}
		if (!it->s.reply && it->s.n == 0 && !p->cover)
			p->cover = it;
		if (it->m->when > p->newest)
			p->newest = it->m->when;
	}
	for (size_t i = 0; i < n; i++) {
		v[i].complete = true;
		v[i].has_patches = false;
		for (int k = 1; k <= v[i].total; k++) {
			if (!*v[i].titles.v[k])
				v[i].complete = false;
			else
				v[i].has_patches = true;
		}
	}
	*out = v;
	*nout = n;
}

static void free_postings(struct posting *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].author);
		sv_release(&v[i].titles);
	}
	free(v);
}

static const char *posting_subject(const struct posting *p)
{
	if (p->cover)
		return p->cover->s.title;
	for (int k = 1; k <= p->total; k++)
		if (*p->titles.v[k])
			return p->titles.v[k];
	return "";
}

static bool same_series(const struct posting *a, const struct posting *b)
{
	if (a->cover && b->cover)
		return !strcmp(a->cover->s.title, b->cover->s.title);
	for (int i = 1; i <= a->total; i++)
		for (int k = 1; k <= b->total; k++)
			if (*a->titles.v[i] && !strcmp(a->titles.v[i], b->titles.v[k]))
				return true;
	return false;
}

static bool posting_matches(const struct posting *p, const char *needle)
{
	for (size_t k = 0; k < p->titles.n; k++)
		if (strcasestr(p->titles.v[k], needle))
			return true;
	return p->cover && strcasestr(p->cover->s.title, needle);
}

/* Better first: complete, has a cover letter, more patches, newer. */
static bool posting_better(const struct posting *a, const struct posting *b)
{
	if (a->complete != b->complete)
		return a->complete;
	if (!!a->cover != !!b->cover)
		return a->cover;
	if (a->total != b->total)
		return a->total > b->total;
	return a->newest > b->newest;
}

static size_t count_series(struct posting *v, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = v[k].has_patches && same_series(&v[k], &v[i]);
		count += v[i].has_patches && !seen;
	}
	return count;
}

/*
 * One series may be picked without being named: the only one in the input,
 * or the one complete series with a cover letter. Otherwise the user says
 * which with --subject.
 */
static int pick_posting(struct posting *v, size_t n, const struct import_opts *o,
			const char *inputs, struct strvec *notes, struct posting **out)
{
	struct posting *best = NULL, *chosen = NULL;
	struct strbuf versions = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].has_patches || (o->subject && !posting_matches(&v[i], o->subject)))
			continue;
		if (!best || posting_better(&v[i], best))
			best = &v[i];
	}
	if (!best && o->subject)
		return error_code(KB_EXIT_BADINPUT, "no patch series matching '%s' in %s", o->subject, inputs);
	if (!best)
		return error_code(KB_EXIT_BADINPUT, "no patches in %s%s", inputs,
				  n ? " (only a cover letter)" : "");
	if (!o->subject && !(best->complete && best->cover) && count_series(v, n) > 1)
		return error_code(KB_EXIT_BADINPUT,
				  "found %zu series in %s and none is complete with a cover letter; "
				  "choose one with --subject (e.g. '%s')", count_series(v, n), inputs,
				  posting_subject(best));
	for (size_t i = 0; i < n; i++) {
		if (!v[i].has_patches)
			continue;
		if (!same_series(&v[i], best)) {
			sv_push_owned(notes, xasprintf("also in the input: '%s' v%d (%d patch%s); --subject picks it",
						       posting_subject(&v[i]), v[i].version, v[i].total,
						       v[i].total == 1 ? "" : "es"));
			continue;
		}
		sb_addf(&versions, "%sv%d", versions.len ? ", " : "", v[i].version);
		if (o->version ? v[i].version == o->version
			       : (!chosen || v[i].version > chosen->version ||
				  (v[i].version == chosen->version && posting_better(&v[i], chosen))))
			chosen = &v[i];
	}
	if (!chosen) {
		error_code(KB_EXIT_BADINPUT, "no v%d of series '%s' in %s (found %s)",
			   o->version, posting_subject(best), inputs, sb_str(&versions));
		sb_release(&versions);
		return -1;
	}
	if (strchr(sb_str(&versions), ','))
		sv_push_owned(notes, xasprintf("versions in the input: %s; using v%d",
					       sb_str(&versions), chosen->version));
	sb_release(&versions);
	*out = chosen;
	return 0;
}

static char *find_email(struct ctx *c, const char *name)
{
	char *pat = xasprintf("%s <", name);
	char *found = NULL;

	for (size_t i = 0; i < c->nitems && !found; i++) {
		const struct message *m = c->items[i].m;
		const char *at;

		if (m->from_email && m->from_name && !strcmp(m->from_name, name))
			found = xstrdup(m->from_email);
		else if ((at = strstr(m->body, pat)) && strchr(at + strlen(pat), '>'))
			found = xstrndup(at + strlen(pat), strchr(at + strlen(pat), '>') - at - strlen(pat));
	}
	free(pat);
	return found;
}

static bool addressed_to(const struct item *it, const struct posting *p, int n, const char *title)
{
	return it->s.reply && !it->dup && it->s.is_patch && it->s.version == p->version &&
	       it->s.m == p->total && it->s.n == n && !strcmp(it->s.title, title);
}

static int choose_copy(struct ctx *c, const struct posting *p, int n, struct spatch *out)
{
	int best_rank = -1;
	char *last_why = NULL, *last_where = NULL;

	for (size_t i = 0; i < c->nitems; i++) {
		struct item *it = &c->items[i];
		struct spatch cand = { 0 };
		char *why = NULL, *author, *quote;
		int rank;

		if (!it->s.is_patch || it->s.version != p->version || it->s.m != p->total ||
		    it->s.n != n || (it->s.reply && !has_quoted_diff(it)))
			continue;
		author = patch_author_of(it);
		if (!author || strcmp(author, p->author) ||
		    (it->s.reply && strcmp(it->s.title, p->titles.v[n]))) {
			free(author);
			continue;
		}
		cand.author_name = author;
		cand.author_email = it->s.reply ? NULL : (it->m->from_email ? xstrdup(it->m->from_email) : NULL);
		quote = it->s.reply ? quoted_text(it->m->body) : NULL;
		rank = build_candidate(&cand, quote ? quote : it->m->body, it->s.reply, &why);
		free(quote);
		if (rank < 0 || (best_rank >= 0 && rank >= best_rank)) {
			if (rank < 0) {
				free(last_why);
				free(last_where);
				last_why = why;
				last_where = xasprintf("%s:%d", path_basename(it->m->file), it->m->line);
			}
			free_patch_text(&cand);
			free(cand.author_name);
			free(cand.author_email);
			continue;
		}
		free_patch_text(out);
		free(out->author_name);
		free(out->author_email);
		free(out->source);
		free(out->state_note);
		*out = cand;
		out->n = n;
		out->when = it->m->when;
		out->source = xasprintf("%s:%d", path_basename(it->m->file), it->m->line);
		out->state_note = it->s.reply ?
			xasprintf("recovered from the quote in %s's reply", it->m->from_name) : NULL;
		best_rank = rank;
	}
	if (best_rank < 0 && last_why)
		error_code(KB_EXIT_BADINPUT, "patch %d/%d at '%s' is unusable: %s",
			   n, p->total, last_where, last_why);
	free(last_why);
	free(last_where);
	return best_rank;
}

static bool is_attribution(const char *s)
{
	return starts_with(s, "On ") && strstr(s, "wrote:");
}

/*
 * What a reply says in its own words: unquoted lines without the
 * attribution, trailers, signature and a closing one-word sign-off.
 */
static char *reply_comment(const char *body, struct strvec *trailers)
{
	struct strvec lines = STRVEC_INIT, keep = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;

	split_lines_sv(body, &lines);
	for (size_t i = 0; i < lines.n; i++) {
		char *s = lines.v[i];
		char *t = trim_dup(s, strlen(s));

		if (!strcmp(s, "-- ") || !strcmp(s, "--")) {
			free(t);
			break;
		}
		if (s[0] == '>' || is_attribution(t)) {
			free(t);
			sv_push(&keep, "");
			continue;
		}
		if (is_trailer_line(t) && (starts_with(t, "Reviewed-by:") || starts_with(t, "Acked-by:") ||
					   starts_with(t, "Tested-by:"))) {
			if (trailers)
				sv_push(trailers, t);
			free(t);
			continue;
		}
		sv_push_owned(&keep, t);
	}
	/* drop the sign-off ("Honza", "Thanks,", "Cheers,") and trailing blanks */
	while (keep.n) {
		const char *s = keep.v[keep.n - 1];

		if (*s && (strchr(s, ' ') || strlen(s) > 16))
			break;
		free(keep.v[--keep.n]);
		keep.v[keep.n] = NULL;
	}
	for (size_t i = 0; i < keep.n; i++) {
		if (!*keep.v[i] && (!sb.len || sb.buf[sb.len - 1] == '\n'))
			continue;
		if (!*keep.v[i] || (i + 1 < keep.n && !*keep.v[i + 1]))
			sb_addf(&sb, "%s\n", keep.v[i]);
		else
			sb_addf(&sb, "%s%s", keep.v[i], i + 1 < keep.n ? " " : "");
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	sv_release(&lines);
	sv_release(&keep);
	return sb_detach(&sb);
}

/* The quoted block right before the first line the reviewer wrote. */
static char *quote_before_comment(const char *body)
{
	struct strvec lines = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t first, start, last_quote = SIZE_MAX;

	split_lines_sv(body, &lines);
	for (first = 0; first < lines.n; first++) {
		const char *s = lines.v[first];

		if (s[0] == '>')
			last_quote = first;
		else if (*s && !is_attribution(s) && last_quote != SIZE_MAX)
			break;
	}
	for (start = last_quote + 1; start && start != SIZE_MAX && lines.v[start - 1][0] == '>'; start--)
		;
	for (size_t i = start; last_quote != SIZE_MAX && i <= last_quote; i++) {
		const char *s = lines.v[i] + 1;

		sb_addf(&sb, "%s\n", s + (*s == ' '));
	}
	sv_release(&lines);
	/* none: absent, as series.yaml reads an empty one back */
	if (!sb.len) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* Length of the changed line's code if the text quotes it, else 0. */
static size_t hunk_line_in(const char *line, const char *text)
{
	char *t = trim_dup(line + 1, strlen(line + 1));
	size_t n = strlen(t);

	if (n && t[n - 1] == ';')
		t[--n] = '\0';
	if (n < 8 || !strstr(text, t))
		n = 0;
	free(t);
	return n;
}

/*
 * Which hunk (1-based, over all files) the quoted text is about: the last
 * hunk header it quotes, or else the hunk whose changed code it quotes at
 * greatest length. 0 when that is not one hunk.
 */
static int locate_hunk(const struct spatch *p, const char *quote, char **file)
{
	struct diff d;
	char *why = NULL;
	const char *at = NULL;
	int found = 0, idx = 0, ties = 0;
	size_t best = 0;

	*file = NULL;
	if (!quote)
		return 0;
	if (diff_parse(p->diff, &d, &why)) {
		free(why);
		return 0;
	}
	for (const char *s = quote; (s = strstr(s, "@@ -")); s++)
		at = s;
	for (size_t f = 0; f < d.n; f++)
		for (size_t h = 0; h < d.files[f].n; h++) {
			struct hunk *hk = &d.files[f].hunks[h];
			size_t score = 0;

			idx++;
			if (at)
				score = atoi(at + 4) == hk->old_start;
			for (size_t l = 0; !at && l < hk->lines.n; l++)
				if (hk->lines.v[l][0] != ' ' && hunk_line_in(hk->lines.v[l], quote) > score)
					score = hunk_line_in(hk->lines.v[l], quote);
			if (!score || score < best)
				continue;
			ties = score == best ? ties + 1 : 0;
			best = score;
			found = idx;
			free(*file);
			*file = xstrdup(d.files[f].new_path ? d.files[f].new_path : d.files[f].old_path);
		}
	diff_free(&d);
	if (ties) {
		free(*file);
		*file = NULL;
		return 0;
	}
	return found;
}

static bool contains_ci(const char *hay, const char *const *needles)
{
	for (; *needles; needles++)
		if (strcasestr(hay, *needles))
			return true;
	return false;
}

/* What the author's answer commits to for the next version. */
static void classify_response(struct review_item *r)
{
	static const char *const drop[] = { "remove this", "drop this", "i'll remove", "i will remove",
					    "i'll drop", "i will drop", "will be removed", "will be dropped", NULL };
	static const char *const agree[] = { "you're right", "you are right", "good point", "agreed",
					     "will fix", "i'll fix", "will change", "i'll change",
					     "next version", NULL };

	if (!r->response) {
		r->resolution = xstrdup("unanswered");
		r->action = xstrdup("keep");
	} else if (contains_ci(r->response, drop)) {
		r->resolution = xstrdup("agreed");
		r->action = xstrdup(r->hunk ? "drop-hunk" : "revise");
	} else if (contains_ci(r->response, agree)) {
		r->resolution = xstrdup("agreed");
		r->action = xstrdup("revise");
	} else {
		r->resolution = xstrdup("answered");
		r->action = xstrdup("keep");
	}
}

static char *all_quoted_flat(const char *body)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec lines = STRVEC_INIT;

	split_lines_sv(body, &lines);
	for (size_t i = 0; i < lines.n; i++) {
		const char *s = lines.v[i];

		if (s[0] != '>')
			continue;
		s += strspn(s, "> ");
		sb_addf(&sb, "%s ", s);
	}
	sv_release(&lines);
	return sb_detach(&sb);
}

/* Collapses whitespace so re-wrapped quotes still compare. */
static char *flatten(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			if (sb.len && sb.buf[sb.len - 1] != ' ')
				sb_addc(&sb, ' ');
			continue;
		}
		sb_addc(&sb, *s);
	}
	return sb_detach(&sb);
}

static void find_response(struct ctx *c, const struct posting *p, int n, struct review_item *r)
{
	char *needle = flatten(r->comment);

	if (strlen(needle) > 60)
		needle[60] = '\0';
	for (size_t i = 0; i < c->nitems; i++) {
		struct item *it = &c->items[i];
		char *quoted, *flat, *text;
		bool hit;

		if (!addressed_to(it, p, n, p->titles.v[n]) || strcmp(it->m->from_name, p->author) ||
		    it->m->when < r->when)
			continue;
		quoted = all_quoted_flat(it->m->body);
		flat = flatten(quoted);
		hit = strstr(flat, needle);
		free(quoted);
		free(flat);
		if (!hit)
			continue;
		/* a reply that only quotes says nothing: no answer (series.yaml has no empty one) */
		text = reply_comment(it->m->body, NULL);
		if (!*text) {
			free(text);
			continue;
		}
		r->responder = xstrdup(it->m->from_name);
		r->response_when = it->m->when;
		r->response = text;
		break;
	}
	free(needle);
	classify_response(r);
}

static bool has_trailer(const struct spatch *p, const char *key, const char *value)
{
	char *name, *email;
	bool found = false;

	split_address(value, &name, &email);
	for (size_t i = 0; i < p->ntrailers && !found; i++) {
		char *n2, *e2;

		if (strcasecmp(p->trailers[i].key, key))
			continue;
		split_address(p->trailers[i].value, &n2, &e2);
		found = email && e2 ? !strcasecmp(email, e2) : !strcasecmp(name, n2);
		free(n2);
		free(e2);
	}
	free(name);
	free(email);
	return found;
}

static void add_review(struct spatch *p, struct review_item *r)
{
	p->reviews = xrealloc(p->reviews, (p->nreviews + 1) * sizeof(*p->reviews));
	p->reviews[p->nreviews++] = *r;
}

/* Trailers and review items from the replies to patch n (0: the cover, for all). */
static void collect_replies(struct ctx *c, const struct posting *p, struct series *s, int n)
{
	const char *title = p->titles.v[n];

	for (size_t i = 0; i < c->nitems; i++) {
		struct item *it = &c->items[i];
		struct strvec trailers = STRVEC_INIT;
		struct review_item r = { 0 };
		char *comment;

		if (!addressed_to(it, p, n, title) || !strcmp(it->m->from_name, p->author))
			continue;
		comment = reply_comment(it->m->body, &trailers);
		for (int k = n ? n : 1; k <= (n ? n : p->total); k++)
			for (size_t t = 0; t < trailers.n; t++) {
				struct spatch *sp = &s->patches[k - 1];
				char *colon = strchr(trailers.v[t], ':');
				char *key = xstrndup(trailers.v[t], colon - trailers.v[t]);

				if (!has_trailer(sp, key, colon + 2))
					add_trailer(sp, key, colon + 2, true);
				free(key);
			}
		if (n && !trailers.n && *comment) {
			struct spatch *sp = &s->patches[n - 1];

			r.reviewer = xstrdup(it->m->from_name);
			r.when = it->m->when;
			r.comment = comment;
			r.quote = quote_before_comment(it->m->body);
			r.hunk = locate_hunk(sp, r.quote, &r.file);
			find_response(c, p, n, &r);
			add_review(sp, &r);
		} else {
			free(comment);
		}
		sv_release(&trailers);
	}
}

static bool is_hex_id(const char *s, size_t *len)
{
	size_t n = strspn(s, "0123456789abcdef");

	*len = n;
	return n >= 8 && n <= 40;
}

static void add_prereq(struct spatch *p, const char *id, size_t idlen, const char *subj,
		       size_t slen, const char *cited)
{
	struct prereq *q;

	for (size_t i = 0; i < p->nprereqs; i++)
		if (!strncmp(p->prereqs[i].commit, id, idlen))
			return;
	p->prereqs = xrealloc(p->prereqs, (p->nprereqs + 1) * sizeof(*p->prereqs));
	q = &p->prereqs[p->nprereqs++];
	q->commit = xstrndup(id, idlen);
	/* none: absent, as series.yaml reads an empty one back */
	q->subject = slen ? xstrndup(subj, slen) : NULL;
	q->cited = xstrdup(cited);
}

/* commit <id> ("<subject>") in the prose, wrapped or not, and Fixes: trailers. */
static void find_prereqs(struct spatch *p)
{
	char *flat = flatten(p->msg);
	size_t len;

	for (const char *s = flat; (s = strstr(s, "commit ")); s++) {
		const char *id = s + 7, *q;

		if (!is_hex_id(id, &len) || strncmp(id + len, " (\"", 3))
			continue;
		q = strstr(id + len + 3, "\")");
		if (q)
			add_prereq(p, id, len, id + len + 3, q - (id + len + 3), "commit");
	}
	for (size_t i = 0; i < p->ntrailers; i++) {
		const char *v = p->trailers[i].value, *q;

		if (strcasecmp(p->trailers[i].key, "Fixes") || !is_hex_id(v, &len))
			continue;
		q = strstr(v + len, "(\"");
		if (q && strstr(q, "\")"))
			add_prereq(p, v, len, q + 2, strstr(q, "\")") - q - 2, "Fixes");
		else
			add_prereq(p, v, len, "", 0, "Fixes");
	}
	free(flat);
}

char *subject_slug(const char *subject, size_t max)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *s = subject; *s && sb.len < max; s++) {
		if (isalnum((unsigned char)*s) || *s == '_' || *s == '.')
			sb_addc(&sb, *s);
		else if (sb.len && sb.buf[sb.len - 1] != '-')
			sb_addc(&sb, '-');
	}
	while (sb.len && (sb.buf[sb.len - 1] == '-' || sb.buf[sb.len - 1] == '.'))
		sb.buf[--sb.len] = '\0';
	return sb_detach(&sb);
}

static char *patch_message_id(struct ctx *c, const struct posting *p, int n)
{
	for (size_t i = 0; i < c->nitems; i++) {
		struct item *it = &c->items[i];
		char *who;
		bool match;

		if (!addressed_to(it, p, n, p->titles.v[n]) || !it->m->in_reply_to)
			continue;
		who = attribution_name(it->m->body);
		match = who && !strcmp(who, p->author);
		free(who);
		if (match)
			return xstrdup(it->m->in_reply_to);
	}
	return NULL;
}

static char *cover_message_id(struct ctx *c, const struct posting *p)
{
	const char *id = NULL;

	if (p->cover && p->cover->m->message_id)
		return xstrdup(p->cover->m->message_id);
	if (!p->cover)
		return NULL;
	/* every patch of the posting answers the cover letter */
	for (size_t i = 0; i < c->nitems; i++) {
		struct item *it = &c->items[i];

		if (it->s.reply || !it->s.is_patch || it->s.n < 1 || it->s.version != p->version ||
		    it->s.m != p->total || !it->m->in_reply_to)
			continue;
		if (id && strcmp(id, it->m->in_reply_to))
			return NULL;
		id = it->m->in_reply_to;
	}
	return id ? xstrdup(id) : NULL;
}

static int read_inputs(char **files, int nfiles, struct ctx *c, struct series *s)
{
	struct strbuf text = STRBUF_INIT;

	s->sources = xcalloc(nfiles, sizeof(*s->sources));
	for (int i = 0; i < nfiles; i++) {
		enum msg_format fmt;

		if (read_file_max(files[i], &text, SERIES_MAX_INPUT) ||
		    mbox_parse(files[i], text.buf, text.len, &c->msgs, &fmt)) {
			sb_release(&text);
			return -1;
		}
		s->sources[s->nsources].file = xstrdup(path_basename(files[i]));
		s->sources[s->nsources++].format = msg_format_name(fmt);
	}
	sb_release(&text);
	c->items = xcalloc(c->msgs.n, sizeof(*c->items));
	for (size_t i = 0; i < c->msgs.n; i++) {
		struct item *it = &c->items[c->nitems];

		if (!c->msgs.v[i].subject || !c->msgs.v[i].from_name)
			continue;
		it->m = &c->msgs.v[i];
		parse_subject(it->m->subject, &it->s);
		c->nitems++;
		if (it->s.bad && it->s.is_patch)
			return error_code(KB_EXIT_BADINPUT, "message '%s' in '%s' (line %d) has a bad patch %s",
					  it->m->subject, it->m->file, it->m->line, it->s.bad);
		for (size_t k = 0; k + 1 < c->nitems && it->s.reply; k++)
			if (same_msg(&c->items[k], it))
				it->dup = true;
	}
	return 0;
}

static int assemble_patches(struct ctx *c, const struct posting *p, struct series *s,
			    const char *inputs)
{
	struct strbuf missing = STRBUF_INIT;

	s->patches = xcalloc(p->total, sizeof(*s->patches));
	for (int n = 1; n <= p->total; n++) {
		struct spatch *sp = &s->patches[n - 1];

		sp->n = n;
		if (choose_copy(c, p, n, sp) >= 0)
			continue;
		if (kb_errcode) {
			sb_release(&missing);
			return -1;
		}
		sb_addf(&missing, "%s%d/%d", missing.len ? ", " : "", n, p->total);
	}
	if (missing.len) {
		error_code(KB_EXIT_INCOMPLETE, "series '%s' v%d is incomplete: patch %s missing from %s",
			   posting_subject(p), p->version, sb_str(&missing), inputs);
		sb_release(&missing);
		return -1;
	}
	return 0;
}

static void fill_patch_metadata(struct ctx *c, const struct posting *p, struct series *s)
{
	for (int n = 1; n <= p->total; n++) {
		struct spatch *sp = &s->patches[n - 1];
		char *slug;

		sp->title = xstrdup(p->titles.v[n]);
		if (!sp->author_email)
			sp->author_email = find_email(c, sp->author_name);
		if (sp->state == TEXT_FROM_QUOTE && s->cover_when > 0)
			sp->when = s->cover_when;
		for (size_t i = 0; i < c->nitems && !sp->message_id; i++) {
			struct item *it = &c->items[i];

			if (!it->s.reply && it->s.n == n && it->s.version == p->version &&
			    it->s.m == p->total && it->m->message_id)
				sp->message_id = xstrdup(it->m->message_id);
		}
		if (!sp->message_id)
			sp->message_id = patch_message_id(c, p, n);
		find_prereqs(sp);
		slug = subject_slug(sp->title, 52);
		sp->filename = xasprintf("upstream/%04d-%s.patch", n, slug);
		free(slug);
		if (sp->state == TEXT_FROM_QUOTE)
			sv_push_owned(&s->notes, xasprintf("patch %d/%d %s (%s)", n, p->total,
							   sp->state_note, sp->source));
		else if (sp->state == TEXT_DAMAGED)
			sv_push_owned(&s->notes, xasprintf("patch %d/%d is whitespace-damaged (%s); the port repairs it against the tree",
							   n, p->total, sp->source));
	}
}

/* The path gate at import: a patch that would write outside the tree is refused before anything is written. */
static int check_paths(const struct series *s)
{
	for (int n = 1; n <= s->total; n++) {
		struct diff d;
		char *why = NULL;
		int ret = diff_parse(s->patches[n - 1].diff, &d, &why);

		if (ret) {
			error_code(KB_EXIT_BADINPUT, "patch %d/%d has no readable diff: %s", n, s->total, why);
		} else {
			if (diff_check(&d, &why))
				ret = error_code(KB_EXIT_BADINPUT, "patch %d/%d %s", n, s->total, why);
			diff_free(&d);
		}
		free(why);
		if (ret)
			return -1;
	}
	return 0;
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nitems; i++)
		subj_free(&c->items[i].s);
	free(c->items);
	msg_list_free(&c->msgs);
}

int series_import(char **files, int nfiles, const struct import_opts *o, struct series *s)
{
	struct ctx c = { 0 };
	struct posting *posts = NULL, *p = NULL;
	struct strbuf inputs = STRBUF_INIT;
	size_t nposts = 0;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (read_inputs(files, nfiles, &c, s))
		goto out;
	collect_postings(&c, &posts, &nposts);
	for (int i = 0; i < nfiles; i++)
		sb_addf(&inputs, "%s'%s'", i ? ", " : "", files[i]);
	if (pick_posting(posts, nposts, o, inputs.buf, &s->notes, &p))
		goto out;
	s->version = p->version;
	s->total = p->total;
	s->prefix = xstrdup("PATCH");
	if (p->cover) {
		s->cover_subject = xstrdup(p->cover->s.title);
		char *email = p->cover->m->from_email ? xstrdup(p->cover->m->from_email)
						      : find_email(&c, p->cover->m->from_name);

		s->cover_author = email ? xasprintf("%s <%s>", p->cover->m->from_name, email)
					: xstrdup(p->cover->m->from_name);
		free(email);
		s->cover_when = p->cover->m->when;
		free(s->prefix);
		s->prefix = xstrdup(*p->cover->s.prefix ? p->cover->s.prefix : "PATCH");
	}
	s->cover_message_id = cover_message_id(&c, p);
	s->name = o->name ? xstrdup(o->name) : subject_slug(posting_subject(p), 60);
	if (assemble_patches(&c, p, s, inputs.buf) || check_paths(s))
		goto out;
	fill_patch_metadata(&c, p, s);
	for (int n = 0; n <= p->total; n++)
		collect_replies(&c, p, s, n);
	ret = 0;
out:
	sb_release(&inputs);
	free_postings(posts, nposts);
	ctx_free(&c);
	if (ret)
		series_free(s);
	return ret;
}

const char *text_state_name(enum text_state st)
{
	switch (st) {
	case TEXT_CLEAN:
		return "clean";
	case TEXT_FROM_QUOTE:
		return "recovered-from-quote";
	case TEXT_DAMAGED:
		return "whitespace-damaged";
	}
	return "unknown";
}

static void review_free(struct review_item *r)
{
	free(r->reviewer);
	free(r->file);
	free(r->quote);
	free(r->comment);
	free(r->responder);
	free(r->response);
	free(r->resolution);
	free(r->action);
}

void series_free(struct series *s)
{
	for (int i = 0; s->patches && i < s->total; i++) {
		struct spatch *p = &s->patches[i];

		free_patch_text(p);
		free(p->title);
		free(p->author_name);
		free(p->author_email);
		free(p->message_id);
		free(p->state_note);
		free(p->source);
		free(p->filename);
		for (size_t k = 0; k < p->nprereqs; k++) {
			free(p->prereqs[k].commit);
			free(p->prereqs[k].subject);
			free(p->prereqs[k].cited);
		}
		free(p->prereqs);
		for (size_t k = 0; k < p->nreviews; k++)
			review_free(&p->reviews[k]);
		free(p->reviews);
	}
	free(s->patches);
	for (size_t i = 0; i < s->nsources; i++)
		free(s->sources[i].file);
	free(s->sources);
	free(s->name);
	free(s->prefix);
	free(s->cover_subject);
	free(s->cover_message_id);
	free(s->cover_author);
	sv_release(&s->notes);
	memset(s, 0, sizeof(*s));
}

/* One patch mail's title, author, message, trailers, diff and the commits it cites. */
static void patch_from_message(const struct message *m, const struct subj *s, struct spatch *p)
{
	memset(p, 0, sizeof(*p));
	p->n = s->n;
	p->title = xstrdup(s->title);
	p->prefix = s->prefix ? xstrdup(s->prefix) : NULL;
	p->author_name = xstrdup(m->from_name ? m->from_name : "");
	p->author_email = m->from_email ? xstrdup(m->from_email) : NULL;
	p->when = m->when;
	p->message_id = m->message_id ? xstrdup(m->message_id) : NULL;
	parse_patch_body(p, m->body);
	find_prereqs(p);
}

int series_read_patch_file(const char *path, struct spatch *p)
{
	struct strbuf text = STRBUF_INIT;
	struct msg_list msgs = { 0 };
	struct subj s;
	int ret = -1;

	memset(p, 0, sizeof(*p));
	if (read_file(path, &text) || mbox_parse(path, text.buf, text.len, &msgs, NULL))
		goto out;
	if (msgs.n != 1 || !msgs.v[0].subject) {
		error_code(KB_EXIT_BADINPUT, "'%s' is not one patch mail", path);
		goto out;
	}
	parse_subject(msgs.v[0].subject, &s);
	patch_from_message(&msgs.v[0], &s, p);
	subj_free(&s);
	ret = 0;
out:
	msg_list_free(&msgs);
	sb_release(&text);
	return ret;
}

int series_read_stream(const char *file, struct spatch **out, size_t *n)
{
	struct strbuf text = STRBUF_INIT;
	struct msg_list msgs = { 0 };
	int ret = -1;

	if (read_file_max(file, &text, SERIES_MAX_INPUT) || mbox_parse(file, text.buf, text.len, &msgs, NULL))
		goto out;
	for (size_t i = 0; i < msgs.n; i++) {
		struct spatch p;
		struct subj s;
		struct diff d;
		char *why = NULL;
		bool patch;

		if (!msgs.v[i].subject)
			continue;
		parse_subject(msgs.v[i].subject, &s);
		if (s.bad && s.is_patch && !s.reply) {
			ret = error_code(KB_EXIT_BADINPUT, "message '%s' in '%s' (line %d) has a bad patch %s",
					 msgs.v[i].subject, file, msgs.v[i].line, s.bad);
			subj_free(&s);
			goto out;
		}
		patch = s.is_patch && !s.reply && s.n > 0;
		if (patch)
			patch_from_message(&msgs.v[i], &s, &p);
		subj_free(&s);
		if (!patch)
			continue;
		/* a cover letter or a patch mail whose diff was cut is not a fix to judge */
		if (diff_parse(p.diff, &d, &why)) {
			free(why);
			spatch_free(&p);
			continue;
		}
		ret = diff_check(&d, &why) ? error_code(KB_EXIT_BADINPUT, "patch '%s' in '%s' (line %d) %s", p.title,
							file, msgs.v[i].line, why) : 0;
		diff_free(&d);
		free(why);
		if (ret) {
			spatch_free(&p);
			goto out;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = p;
	}
	ret = 0;
	if (!*n)
		ret = error_code(KB_EXIT_NOINPUT, "no patch with a diff in '%s'", file);
out:
	msg_list_free(&msgs);
	sb_release(&text);
	return ret;
}

void spatch_free(struct spatch *p)
{
	free_patch_text(p);
	free(p->title);
	free(p->prefix);
	free(p->author_name);
	free(p->author_email);
	free(p->message_id);
}
