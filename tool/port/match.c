// SPDX-License-Identifier: GPL-2.0
/*
 * Placing a hunk in a file: exact, offset, whitespace-insensitive, reduced
 * context, or already there. Never a guess: a hunk that fits in more than
 * one place at the same strictness is a conflict.
 */
#define _GNU_SOURCE
#include "port/match.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void text_from(struct text *t, const char *data, size_t len)
{
	const char *p = data, *end = data + len;

	memset(t, 0, sizeof(*t));
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);

		sv_push_owned(&t->lines, xstrndup(p, nl ? (size_t)(nl - p) : (size_t)(end - p)));
		if (!nl)
			return;
		p = nl + 1;
	}
	t->trailing_newline = len > 0;
}

char *text_join(const struct text *t, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < t->lines.n; i++) {
		sb_adds(&sb, t->lines.v[i]);
		if (i + 1 < t->lines.n || t->trailing_newline)
			sb_addc(&sb, '\n');
	}
	*len = sb.len;
	return sb_detach(&sb);
}

void text_free(struct text *t)
{
	sv_release(&t->lines);
}

void placement_free(struct placement *pl)
{
	free(pl->why);
	pl->why = NULL;
}

/* The hunk's old (' ', '-') or new (' ', '+') side, without the marks. */
struct side {
	const char **v;
	size_t n;
	size_t lead, trail;	/* context lines before the first / after the last change */
};

static void hunk_side(const struct hunk *h, char keep, struct side *s)
{
	size_t first = SIZE_MAX, last = 0, k = 0;

	s->v = xcalloc(h->lines.n + 1, sizeof(*s->v));
	s->n = 0;
	for (size_t i = 0; i < h->lines.n; i++) {
		char c = h->lines.v[i][0];

		if (c != ' ' && c != keep)
			continue;
		if (c != ' ') {
			if (first == SIZE_MAX)
				first = k;
			last = k;
		}
		s->v[s->n++] = h->lines.v[i] + 1;
		k++;
	}
	s->lead = first == SIZE_MAX ? s->n : first;
	s->trail = first == SIZE_MAX ? 0 : s->n - last - 1;
}

static bool same_ws(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t')
			a++;
		while (*b == ' ' || *b == '\t')
			b++;
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++;
		b++;
	}
}

static bool match_at(const struct text *t, size_t at, const char **seq, size_t n, bool ws)
{
	if (at + n > t->lines.n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ws ? !same_ws(t->lines.v[at + i], seq[i]) : strcmp(t->lines.v[at + i], seq[i]))
			return false;
	return true;
}

/* Counts the places seq fits from 'from' on; *best is the one nearest to hint. */
static size_t find_all(const struct text *t, size_t from, long hint, const char **seq, size_t n,
		       bool ws, size_t *best, bool *at_hint)
{
	size_t count = 0;
	long best_dist = -1;

	*at_hint = false;
	for (size_t at = from; n && at + n <= t->lines.n; at++) {
		long dist = labs((long)at - hint);

		if (!match_at(t, at, seq, n, ws))
			continue;
		count++;
		if (dist == 0)
			*at_hint = true;
		if (best_dist < 0 || dist < best_dist) {
			best_dist = dist;
			*best = at;
		}
	}
	return count;
}

/* Found at line at, lead and trail context lines dropped. */
static void place_ok(struct placement *pl, size_t at, size_t lead, size_t trail, long hint, bool ws)
{
	pl->result = PLACE_OK;
	pl->at = at;
	pl->skip_lead = lead;
	pl->skip_trail = trail;
	pl->offset = (long)at - hint - (long)lead;
	pl->whitespace = ws;
}

static bool try_side(const struct text *t, const struct side *s, size_t from, long hint, int fuzz,
		     bool ws, struct placement *pl)
{
	/* keep at least one line of context on each side that has any */
	size_t lead = s->lead ? s->lead - 1 : 0, trail = s->trail ? s->trail - 1 : 0;
	size_t n, at = 0;
	bool at_hint;
	size_t count;

	lead = lead < (size_t)fuzz ? lead : (size_t)fuzz;
	trail = trail < (size_t)fuzz ? trail : (size_t)fuzz;
	n = s->n - lead - trail;
	if (fuzz && lead + trail < (size_t)fuzz)
		return false;	/* nothing more to drop: same as the stricter try */
	count = find_all(t, from, hint + (long)lead, s->v + lead, n, ws, &at, &at_hint);
	if (!count)
		return false;
	if (count > 1 && !(at_hint && !fuzz && !ws)) {
		pl->result = PLACE_CONFLICT;
		pl->why = xasprintf("context fits in %zu places%s%s", count,
				    fuzz ? " with reduced context" : "", ws ? " ignoring whitespace" : "");
		return true;
	}
	if (count > 1)
		at = (size_t)(hint + (long)lead);
	place_ok(pl, at, lead, trail, hint, ws);
	pl->fuzz = fuzz;
	return true;
}

/* Already applied: the post-image stands once and the pre-image nowhere. */
static bool already_applied(const struct text *t, const struct side *old, const struct side *new,
			    size_t from, long hint, struct placement *pl)
{
	size_t at;
	bool at_hint;

	if (!new->n)
		return false;
	for (int ws = 0; ws <= 1; ws++) {
		if (find_all(t, from, hint, new->v, new->n, ws, &at, &at_hint) != 1 ||
		    find_all(t, 0, hint, old->v, old->n, true, &at, &at_hint) != 0)
			continue;
		find_all(t, from, hint, new->v, new->n, ws, &at, &at_hint);
		pl->result = PLACE_PRESENT;
		pl->at = at;
		pl->evidence_line = at + 1;
		pl->why = xasprintf("the hunk's result already stands at line %zu", at + 1);
		return true;
	}
	return false;
}

/*
 * A loose match must still land in the function the hunk header names:
 * reduced context can otherwise fit a look-alike spot in another function.
 */
static void check_function(const struct text *t, const struct hunk *h, struct placement *pl)
{
	char *want = definition_name(h->func ? h->func : "");
	size_t s, e;
	char *got = want ? function_at(t, pl->at, &s, &e) : NULL;

	if (got && strcmp(got, want)) {
		pl->result = PLACE_CONFLICT;
		pl->why = xasprintf("reduced context fits only in %s(), not in %s() where the hunk belongs",
				    got, want);
	}
	free(want);
	free(got);
}

void hunk_place(const struct text *t, const struct hunk *h, size_t from, long hint,
		int max_fuzz, struct placement *pl)
{
	struct side old, new;
	bool decided;

	memset(pl, 0, sizeof(*pl));
	pl->result = PLACE_CONFLICT;
	hunk_side(h, '-', &old);
	hunk_side(h, '+', &new);
	if (!old.n) {
		/* no context at all: only a new or empty file can take it */
		if (!t->lines.n)
			pl->result = PLACE_OK;
		else
			pl->why = xstrdup("the hunk has no context to place it by");
		goto out;
	}
	decided = already_applied(t, &old, &new, from, hint, pl);
	for (int fuzz = 0; !decided && fuzz <= max_fuzz; fuzz++)
		decided = try_side(t, &old, from, hint, fuzz, false, pl) ||
			  try_side(t, &old, from, hint, fuzz, true, pl);
	if (!decided)
		pl->why = xstrdup("context not found");
	else if (pl->result == PLACE_OK && (pl->fuzz || pl->whitespace))
		check_function(t, h, pl);
out:
	free(old.v);
	free(new.v);
}

static size_t indent_len(const char *s)
{
	return strspn(s, " \t");
}

/*
 * Kernel-style indentation for an added line whose own was lost: from the
 * line before it, one tab deeper after an opening brace, one less for a
 * closing one, comment continuations aligned under the comment.
 */
static char *reindent(const char *prev, const char *next, const char *line)
{
	const char *body = line + indent_len(line);
	const char *ref = prev ? prev : next ? next : "";
	const char *ref_body = ref + indent_len(ref);
	size_t n = indent_len(ref);
	size_t rl = strlen(ref_body);

	if (!*body)
		return xstrdup("");
	if (body[0] == '*' && (starts_with(ref_body, "/*") || starts_with(ref_body, "*")))
		return xasprintf("%.*s%s%s", (int)n, ref, starts_with(ref_body, "/*") ? " " : "", body);
	if (prev && rl && (ref_body[rl - 1] == '{' ||
			   ((starts_with(ref_body, "if (") || starts_with(ref_body, "for (") ||
			     starts_with(ref_body, "while (") || !strcmp(ref_body, "else")) &&
			    ref_body[rl - 1] != ';')))
		return xasprintf("%.*s\t%s", (int)n, ref, body);
	if (body[0] == '}' && n)
		return xasprintf("%.*s%s", (int)n - 1, ref, body);
	if (starts_with(ref_body, "*") && n)
		n--;	/* leaving a comment: back to the code's level */
	return xasprintf("%.*s%s", (int)n, ref, body);
}

/* "\\ No newline at end of file" right after the last line of the hunk's new side. */
static bool new_side_lacks_newline(const struct hunk *h)
{
	for (size_t i = h->lines.n; i-- > 0;) {
		char c = h->lines.v[i][0];

		if (c == '+' || c == ' ')
			return i + 1 < h->lines.n && h->lines.v[i + 1][0] == '\\';
	}
	return false;
}

long hunk_apply(struct text *t, const struct hunk *h, const struct placement *pl)
{
	struct strvec out = STRVEC_INIT;
	size_t pos = pl->at, first = 0, last = h->lines.n, old_n, i;
	bool at_end;
	long delta;

	for (size_t k = 0; k < pl->skip_lead; k++)
		while (first < last && h->lines.v[first++][0] != ' ')
			;
	for (size_t k = 0; k < pl->skip_trail; k++)
		while (last > first && h->lines.v[--last][0] != ' ')
			;
	for (i = first; i < last; i++) {
		const char *s = h->lines.v[i];

		if (s[0] == ' ') {
			sv_push(&out, t->lines.v[pos++]);
		} else if (s[0] == '-') {
			pos++;
		} else if (s[0] == '+' && h->damaged) {
			const char *next = pos < t->lines.n ? t->lines.v[pos] : NULL;

			sv_push_owned(&out, reindent(out.n ? out.v[out.n - 1] : (pl->at ? t->lines.v[pl->at - 1] : NULL),
						     next, s + 1));
		} else if (s[0] == '+') {
			sv_push(&out, s + 1);
		}
	}
	old_n = pos - pl->at;
	delta = (long)out.n - (long)old_n;
	/* a hunk that ends the file says whether the file ends in a newline */
	at_end = pos == t->lines.n && last == h->lines.n;
	if (at_end && out.n)
		t->trailing_newline = !new_side_lacks_newline(h);
	/* splice: lines [at, pos) become out */
	for (i = pl->at; i < pos; i++)
		free(t->lines.v[i]);
	/* also when nothing grows: an empty text may have no array yet */
	while (t->lines.n + delta + 1 > t->lines.alloc) {
		t->lines.alloc = t->lines.alloc * 2 + 16;
		t->lines.v = xrealloc(t->lines.v, t->lines.alloc * sizeof(*t->lines.v));
	}
	memmove(t->lines.v + pl->at + out.n, t->lines.v + pos, (t->lines.n - pos) * sizeof(char *));
	for (i = 0; i < out.n; i++)
		t->lines.v[pl->at + i] = out.v[i];
	t->lines.n += delta;
	t->lines.v[t->lines.n] = NULL;
	free(out.v);
	return delta;
}

/* A C identifier followed by '(' on a line at column 0: a definition's name. */
char *definition_name(const char *line)
{
	const char *paren = strchr(line, '(');
	const char *end, *start;

	if (!paren || isspace((unsigned char)line[0]) || line[0] == '#' || line[0] == '}' ||
	    line[0] == '/' || line[0] == '*' || ends_with(line, ";"))
		return NULL;
	end = paren;
	while (end > line && end[-1] == ' ')
		end--;
	start = end;
	while (start > line && (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
		start--;
	return end > start ? xstrndup(start, end - start) : NULL;
}

char *function_at(const struct text *t, size_t line, size_t *start, size_t *end)
{
	for (size_t i = line + 1; i-- > 0;) {
		char *name;
		size_t open = i, close;

		if (i >= t->lines.n)
			continue;
		if (!strcmp(t->lines.v[i], "}") && i != line)
			return NULL;	/* line is after the end of a function */
		name = definition_name(t->lines.v[i]);
		if (!name)
			continue;
		while (open < t->lines.n && strcmp(t->lines.v[open], "{"))
			open++;
		for (close = open; close < t->lines.n && strcmp(t->lines.v[close], "}"); close++)
			;
		if (close >= t->lines.n || line > close) {
			free(name);
			return NULL;
		}
		*start = i;
		*end = close;
		return name;
	}
	return NULL;
}

/* Finds the definition of the named function; returns false when absent. */
static bool find_function(const struct text *t, const char *name, size_t *start, size_t *end)
{
	for (size_t i = 0; i < t->lines.n; i++) {
		char *n = definition_name(t->lines.v[i]);
		bool hit = n && !strcmp(n, name);
		char *fn;

		free(n);
		if (!hit)
			continue;
		fn = function_at(t, i + 1, start, end);
		if (fn) {
			free(fn);
			return true;
		}
	}
	return false;
}

/* The code on a line, comments and whitespace removed; comment state carried. */
static char *code_of(const char *s, bool *in_comment)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		if (*in_comment) {
			if (s[0] == '*' && s[1] == '/') {
				*in_comment = false;
				s++;
			}
			continue;
		}
		if (s[0] == '/' && s[1] == '*') {
			*in_comment = true;
			s++;
			continue;
		}
		if (s[0] == '/' && s[1] == '/')
			break;
		if (!isspace((unsigned char)*s))
			sb_addc(&sb, *s);
	}
	return sb_detach(&sb);
}

/* Braces, "return ret;", "goto out;", "break;": too common to prove anything. */
static bool distinctive(const char *code)
{
	static const char *const common[] = { "return", "goto", "break;", "continue;", "else", NULL };

	if (strlen(code) < 6 || !strchr(code, '('))
		return false;
	for (const char *const *c = common; *c; c++)
		if (starts_with(code, *c) && !strchr(code + strlen(*c), '('))
			return false;
	return true;
}

static size_t count_code(const struct text *t, size_t start, size_t end, const char *code,
			 size_t *where)
{
	bool in_comment = false;
	size_t n = 0;

	for (size_t i = start; i <= end && i < t->lines.n; i++) {
		char *c = code_of(t->lines.v[i], &in_comment);

		if (!strcmp(c, code)) {
			n++;
			*where = i;
		}
		free(c);
	}
	return n;
}

/* Code lines of the hunk with their mark ('+', '-', ' '). */
static void hunk_code(const struct hunk *h, struct strvec *code, struct strbuf *marks)
{
	bool in_old = false, in_new = false;

	for (size_t i = 0; i < h->lines.n; i++) {
		char m = h->lines.v[i][0];
		bool *state = m == '+' ? &in_new : &in_old;
		char *c = code_of(h->lines.v[i] + 1, state);

		if (m == ' ')
			in_new = in_old;
		if (!*c || m == '\\') {
			free(c);
			continue;
		}
		sv_push_owned(code, c);
		sb_addc(marks, m);
	}
}

static size_t count_in_hunk(const struct strvec *code, const struct strbuf *marks, const char *c,
			    const char *which)
{
	size_t n = 0;

	for (size_t i = 0; i < code->n; i++)
		n += strchr(which, marks->buf[i]) && !strcmp(code->v[i], c);
	return n;
}

bool hunk_equivalent_present(const struct text *t, const struct hunk *h, char **evidence,
			     size_t *line)
{
	struct strvec code = STRVEC_INIT;
	struct strbuf marks = STRBUF_INIT, ev = STRBUF_INIT;
	char *name = definition_name(h->func ? h->func : "");
	size_t start, end, where = 0;
	bool ok = false, any = false;

	*evidence = NULL;
	if (!name || !find_function(t, name, &start, &end))
		goto out;
	hunk_code(h, &code, &marks);
	ok = true;
	for (size_t i = 0; ok && i < code.n; i++) {
		const char *c = code.v[i];
		size_t in_tree = count_code(t, start, end, c, &where);

		if (marks.buf[i] == '+' && distinctive(c)) {
			ok = in_tree >= count_in_hunk(&code, &marks, c, " -") + count_in_hunk(&code, &marks, c, "+");
			if (ok && !any) {
				sb_addf(&ev, "%s() line %zu: %s", name, where + 1, t->lines.v[where] + indent_len(t->lines.v[where]));
				*line = where + 1;
			}
			any = true;
		} else if (marks.buf[i] == '-' && distinctive(c)) {
			ok = in_tree + count_in_hunk(&code, &marks, c, "-") <= count_in_hunk(&code, &marks, c, " -");
		}
	}
	ok = ok && any;
	if (ok)
		*evidence = sb_detach(&ev);
out:
	sb_release(&ev);
	sb_release(&marks);
	sv_release(&code);
	free(name);
	return ok;
}

char *line_code(const char *line)
{
	bool in_comment = false;

	return code_of(line, &in_comment);
}

/* "struct foo {" (also union, enum) at column 0 -> "struct foo", or NULL. */
static char *aggregate_name(const char *line)
{
	static const char *const kinds[] = { "struct ", "union ", "enum ", NULL };
	const char *s;
	size_t n;

	for (const char *const *k = kinds; *k; k++) {
		if (!starts_with(line, *k))
			continue;
		s = line + strlen(*k);
		n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n && !strcmp(s + n + strspn(s + n, " \t"), "{"))
			return xasprintf("%s%.*s", *k, (int)n, s);
	}
	return NULL;
}

/* A line of the hunk (any side) that starts a definition: the hunk spans into the next one. */
static bool hunk_crosses_definition(const struct hunk *h)
{
	for (size_t i = 0; i < h->lines.n; i++) {
		char *n = h->lines.v[i][0] != '\\' ? definition_name(h->lines.v[i] + 1) : NULL;
		bool hit = n != NULL;

		free(n);
		if (hit)
			return true;
	}
	return false;
}

bool hunk_scope(const struct text *t, const struct hunk *h, size_t *start, size_t *end, char **name)
{
	const char *func = h->func ? h->func : "";
	char *agg = aggregate_name(func), *fn = agg ? NULL : definition_name(func);
	bool found = false;

	*name = NULL;
	*start = 0;
	*end = t->lines.n ? t->lines.n - 1 : 0;
	if (!agg && !fn)
		return true;
	for (size_t i = 0; i < t->lines.n && !found; i++) {
		char *n = agg ? aggregate_name(t->lines.v[i]) : NULL;

		if (agg && n && !strcmp(n, agg)) {
			size_t e = i;

			while (e < t->lines.n && strcmp(t->lines.v[e], "};"))
				e++;
			found = e < t->lines.n;
			*start = i;
			*end = e;
		}
		free(n);
	}
	if (fn)
		found = find_function(t, fn, start, end);
	/* git names the definition before the hunk: one that starts a new one runs on */
	if (found && hunk_crosses_definition(h))
		*end = t->lines.n - 1;
	*name = agg ? agg : fn;
	if (!found) {
		free(*name);
		*name = NULL;
	}
	return found;
}

/* The code of lines [start, end] of t, comments carried across lines. */
static void scope_code(const struct text *t, size_t start, size_t end, struct strvec *out)
{
	bool in_comment = false;

	for (size_t i = start; i <= end && i < t->lines.n; i++)
		sv_push_owned(out, code_of(t->lines.v[i], &in_comment));
}

/* Added lines that follow each other in the hunk stand within a few lines of each other. */
#define RUN_SLACK 3

/* A run code[i..j) of added lines, in order from *pos on; *pos moves past it. */
static bool run_stands(const struct strvec *code, size_t i, size_t j, const struct strvec *tree,
		       size_t *pos, size_t *first)
{
	for (size_t at = *pos; at < tree->n; at++) {
		size_t p = at, k;

		if (strcmp(tree->v[at], code->v[i]))
			continue;
		for (k = i + 1; k < j; k++) {
			size_t q = p + 1;

			while (q < tree->n && q <= p + 1 + RUN_SLACK && strcmp(tree->v[q], code->v[k]))
				q++;
			if (q >= tree->n || q > p + 1 + RUN_SLACK)
				break;
			p = q;
		}
		if (k == j) {
			*first = at;
			*pos = p + 1;
			return true;
		}
	}
	return false;
}

bool hunk_stands(const struct text *t, const struct hunk *h, char **evidence, size_t *line)
{
	struct strvec code = STRVEC_INIT, tree = STRVEC_INIT;
	struct strbuf marks = STRBUF_INIT;
	size_t start, end, pos = 0, first = 0, added = 0, removed = 0, context = 0;
	char *name;
	bool ok;

	*evidence = NULL;
	if (!hunk_scope(t, h, &start, &end, &name))
		return false;
	hunk_code(h, &code, &marks);
	scope_code(t, start, end, &tree);
	ok = true;
	for (size_t i = 0; ok && i < code.n;) {
		size_t j = i + 1, at;

		if (marks.buf[i] != '+') {
			if (marks.buf[i] == '-')
				removed++;
			else
				context += count_code(t, start, end, code.v[i], &at) > 0;
			i++;
			continue;
		}
		while (j < code.n && marks.buf[j] == '+')
			j++;
		ok = run_stands(&code, i, j, &tree, &pos, &at);
		if (ok && !added) {
			first = start + at;
			*line = first + 1;
		}
		added += j - i;
		i = j;
	}
	for (size_t i = 0; ok && i < code.n; i++) {
		size_t at;

		if (marks.buf[i] == '-')
			ok = count_code(t, start, end, code.v[i], &at) <= count_in_hunk(&code, &marks, code.v[i], " +");
	}
	/* a pure removal proves itself only where its context still stands */
	ok = ok && (added || (removed && context));
	if (ok && added)
		*evidence = xasprintf("line %zu%s%s%s: %s", first + 1, name ? " in " : "", name ? name : "",
				      name && !strchr(name, ' ') ? "()" : "", t->lines.v[first] + indent_len(t->lines.v[first]));
	else if (ok)
		*evidence = xasprintf("%s%s: the lines it removes are gone", name ? name : "the file",
				      name && !strchr(name, ' ') ? "()" : "");
	free(name);
	sb_release(&marks);
	sv_release(&code);
	sv_release(&tree);
	return ok;
}

/* The hunk's context lines from skip on (forward) or back, joined for the record. */
static void differing_context(const struct text *t, const struct side *s, size_t at, size_t skip_lead,
			      size_t skip_trail, size_t n, struct strbuf *out)
{
	for (size_t k = 0; k < skip_lead; k++) {
		size_t back = skip_lead - k;

		if (at < back || !same_ws(t->lines.v[at - back], s->v[k]))
			sb_addf(out, "%s'%s'", out->len ? ", " : "", s->v[k] + indent_len(s->v[k]));
	}
	for (size_t k = 0; k < skip_trail; k++) {
		size_t i = s->n - skip_trail + k, pos = at + n + k;

		if (pos >= t->lines.n || !same_ws(t->lines.v[pos], s->v[i]))
			sb_addf(out, "%s'%s'", out->len ? ", " : "", s->v[i] + indent_len(s->v[i]));
	}
}

void hunk_place_anchored(const struct text *t, const struct hunk *h, size_t from, long hint,
			 struct placement *pl)
{
	struct side old, new;
	struct strbuf differ = STRBUF_INIT;
	size_t start, end, keep, skip_lead, skip_trail, n, count = 0, at = 0;
	bool insertion = true, proof = false;
	char *name;

	memset(pl, 0, sizeof(*pl));
	pl->result = PLACE_CONFLICT;
	hunk_side(h, '-', &old);
	hunk_side(h, '+', &new);
	for (size_t i = 0; i < h->lines.n; i++)
		insertion &= h->lines.v[i][0] != '-';
	if (!hunk_scope(t, h, &start, &end, &name) || !name) {
		pl->why = xstrdup("context not found, and the hunk names no function or struct of the file to place it by");
		goto out;
	}
	/* an insertion keeps the line on each side of it, a change only what it changes */
	keep = insertion ? 1 : 0;
	if (insertion && (!old.lead || !old.trail || old.lead == old.n)) {
		pl->why = xasprintf("context not found in %s, and the insertion has no line on each side to place it by", name);
		goto out;
	}
	skip_lead = old.lead - keep;
	skip_trail = old.trail - keep;
	n = old.n - skip_lead - skip_trail;
	for (size_t i = 0; i < n; i++) {
		char *c = line_code(old.v[skip_lead + i]);

		proof |= distinctive(c);
		free(c);
	}
	if (start < from)
		start = from;
	for (size_t i = start; proof && i + n <= end + 1; i++)
		if (match_at(t, i, old.v + skip_lead, n, true) && !count++)
			at = i;
	if (!proof || count != 1) {
		pl->why = xasprintf("context not found, and what the hunk changes %s in %s", !proof ? "is too plain to place it by" :
				    count ? "fits more than once" : "is not", name);
		goto out;
	}
	differing_context(t, &old, at, skip_lead, skip_trail, n, &differ);
	place_ok(pl, at, skip_lead, skip_trail, hint, true);
	pl->anchored = true;
	pl->why = xasprintf("placed by what it changes in %s%s; context that differs: %s", name,
			    strchr(name, ' ') ? "" : "()", differ.len ? differ.buf : "none");
out:
	sb_release(&differ);
	free(name);
	free(old.v);
	free(new.v);
}
