// SPDX-License-Identifier: GPL-2.0
/*
 * Triage: does this tree have the bug, does it carry the fix already, does
 * the fix apply, and if not, why. Everything in memory over one commit;
 * the evidence names lines a reviewer can find in the tree.
 */
#define _GNU_SOURCE
#include "port/triage.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "git/branch.h"
#include "lib/lg2.h"
#include "mail/patch.h"

const char *triage_verdict_text(enum triage_verdict v)
{
	static const char *const text[] = { "needed: applies", "needed: needs", "already present",
					    "not applicable (bug absent)", "conflict" };

	return text[v];
}

const char *triage_verdict_key(enum triage_verdict v)
{
	static const char *const keys[] = { "applies", "needs", "present", "not-applicable", "conflict" };

	return keys[v];
}

void triage_view_init(struct triage_view *v, git_repository *repo, const git_oid *commit)
{
	memset(v, 0, sizeof(*v));
	v->repo = repo;
	v->commit = *commit;
}

static size_t view_slot(struct triage_view *v, const char *path)
{
	for (size_t i = 0; i < v->paths.n; i++)
		if (!strcmp(v->paths.v[i], path))
			return i;
	if (v->paths.n == v->alloc) {
		v->alloc = v->alloc * 2 + 8;
		v->texts = xrealloc(v->texts, v->alloc * sizeof(*v->texts));
		v->gone = xrealloc(v->gone, v->alloc * sizeof(*v->gone));
	}
	memset(&v->texts[v->paths.n], 0, sizeof(*v->texts));
	v->gone[v->paths.n] = false;
	sv_push(&v->paths, path);
	return v->paths.n - 1;
}

static void text_copy(struct text *dst, const struct text *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->lines.n; i++)
		sv_push(&dst->lines, src->lines.v[i]);
	dst->trailing_newline = src->trailing_newline;
}

static void tree_words_free(struct tree_words *tw);

void triage_view_release(struct triage_view *v)
{
	if (v->words)
		tree_words_free(v->words);
	free(v->words);
	for (size_t i = 0; i < v->paths.n; i++)
		text_free(&v->texts[i]);
	sv_release(&v->paths);
	free(v->texts);
	free(v->gone);
	memset(v, 0, sizeof(*v));
}

/* The file as earlier patches left it, else as the commit has it. */
static int view_read(struct triage_view *v, const char *path, struct text *out, bool *exists)
{
	struct strbuf data = STRBUF_INIT;

	for (size_t i = 0; i < v->paths.n; i++) {
		if (strcmp(v->paths.v[i], path))
			continue;
		*exists = !v->gone[i];
		text_copy(out, &v->texts[i]);
		return 0;
	}
	if (branch_read_file(v->repo, &v->commit, path, &data, exists)) {
		sb_release(&data);
		return -1;
	}
	text_from(out, data.buf, data.len);
	sb_release(&data);
	return 0;
}

/* ---- identifiers the tree has ---- */

/* A set of words: open addressing, FNV-1a. */
struct wordset {
	char **slot;
	size_t cap, n;
};

static uint64_t word_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static bool wordset_has(const struct wordset *w, const char *s, size_t len)
{
	if (!w->cap)
		return false;
	for (size_t i = word_hash(s, len) & (w->cap - 1); w->slot[i]; i = (i + 1) & (w->cap - 1))
		if (!strncmp(w->slot[i], s, len) && !w->slot[i][len])
			return true;
	return false;
}

static void wordset_add(struct wordset *w, const char *s, size_t len)
{
	size_t i;

	if (wordset_has(w, s, len))
		return;
	if (2 * (w->n + 1) > w->cap) {
		struct wordset bigger = { xcalloc(w->cap ? w->cap * 2 : 1024, sizeof(char *)), w->cap ? w->cap * 2 : 1024, 0 };

		for (size_t k = 0; k < w->cap; k++)
			if (w->slot[k]) {
				for (i = word_hash(w->slot[k], strlen(w->slot[k])) & (bigger.cap - 1); bigger.slot[i];
				     i = (i + 1) & (bigger.cap - 1))
					;
				bigger.slot[i] = w->slot[k];
				bigger.n++;
			}
		free(w->slot);
		*w = bigger;
	}
	for (i = word_hash(s, len) & (w->cap - 1); w->slot[i]; i = (i + 1) & (w->cap - 1))
		;
	w->slot[i] = xstrndup(s, len);
	w->n++;
}

static void wordset_free(struct wordset *w)
{
	for (size_t i = 0; i < w->cap; i++)
		free(w->slot[i]);
	free(w->slot);
	memset(w, 0, sizeof(*w));
}

static bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void wordset_add_text(struct wordset *w, const char *s, size_t len)
{
	const char *begin = s, *end = s + len;

	while (s < end) {
		const char *b;

		if (!ident_start(*s) || (s > begin && ident_char(s[-1]))) {
			s++;
			continue;
		}
		for (b = s; s < end && ident_char(*s); s++)
			;
		wordset_add(w, b, s - b);
	}
}

/*
 * Every word of the headers (include/, arch/x86/include/) and of the
 * directories read so far: where an identifier a patch uses would be
 * declared.
 */
struct tree_words {
	struct wordset words;
	struct strvec dirs;	/* already read */
};

static int add_tree_dir(git_repository *repo, const git_oid *commit, const char *dir, bool recurse,
			struct wordset *w)
{
	git_commit *c = NULL;
	git_tree *root = NULL, *sub = NULL;
	git_tree_entry *e = NULL;
	int ret = -1;

	if (git_commit_lookup(&c, repo, commit) || git_commit_tree(&root, c)) {
		ret = lg2_error(KB_EXIT_FAIL, "cannot read the tree of the commit");
		goto cleanup;
	}
	if (git_tree_entry_bypath(&e, root, dir)) {
		ret = 0;	/* a directory the tree lacks holds no words */
		goto cleanup;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE || git_tree_lookup(&sub, repo, git_tree_entry_id(e))) {
		ret = 0;
		goto cleanup;
	}
	ret = 0;
	for (size_t i = 0; i < git_tree_entrycount(sub) && !ret; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(sub, i);
		const char *name = git_tree_entry_name(te);
		git_blob *b = NULL;

		if (git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			char *path = xasprintf("%s/%s", dir, name);

			if (recurse)
				ret = add_tree_dir(repo, commit, path, true, w);
			free(path);
			continue;
		}
		if (!ends_with(name, ".h") && !ends_with(name, ".c"))
			continue;
		if (git_blob_lookup(&b, repo, git_tree_entry_id(te))) {
			ret = lg2_error(KB_EXIT_FAIL, "cannot read '%s/%s'", dir, name);
			break;
		}
		wordset_add_text(w, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
		git_blob_free(b);
	}
cleanup:
	git_tree_entry_free(e);
	git_tree_free(sub);
	git_tree_free(root);
	git_commit_free(c);
	return ret;
}

static int tree_words_dir(struct triage_view *v, struct tree_words *tw, const char *dir, bool recurse)
{
	if (sv_contains(&tw->dirs, dir))
		return 0;
	sv_push(&tw->dirs, dir);
	return add_tree_dir(v->repo, &v->commit, dir, recurse, &tw->words);
}

/* The words of the headers, of the file's directory, and of what earlier patches wrote. */
static int tree_words_for(struct triage_view *v, struct tree_words *tw, const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir = slash ? xstrndup(file, slash - file) : xstrdup(".");
	int ret = tree_words_dir(v, tw, "include", true) || tree_words_dir(v, tw, "arch/x86/include", true) ||
		  tree_words_dir(v, tw, dir, false);

	for (size_t i = 0; i < v->paths.n && !ret; i++)
		for (size_t k = 0; k < v->texts[i].lines.n; k++)
			wordset_add_text(&tw->words, v->texts[i].lines.v[k], strlen(v->texts[i].lines.v[k]));
	free(dir);
	return ret ? -1 : 0;
}

static void tree_words_free(struct tree_words *tw)
{
	wordset_free(&tw->words);
	sv_release(&tw->dirs);
}

/*
 * The names a line of code relies on from elsewhere: what it calls, the
 * members it reaches, the constants and macros (upper case) and struct
 * types it names. Locals are not among them; string contents are skipped.
 */
static void line_needs(const char *code, struct strvec *out)
{
	static const char *const keywords[] = { "if", "for", "while", "switch", "return", "sizeof", "typeof",
						"defined", "likely", "unlikely", "NULL", NULL };
	bool in_string = false;

	for (const char *s = code; *s;) {
		const char *b = s;
		bool member, call, upper = true, keyword = false;
		size_t len;
		char *w;

		if (*s == '"' && (s == code || s[-1] != '\\'))
			in_string = !in_string;
		if (in_string || !ident_start(*s) || (s > code && ident_char(s[-1]))) {
			s++;
			continue;
		}
		while (ident_char(*s)) {
			upper &= !islower((unsigned char)*s);
			s++;
		}
		len = s - b;
		member = (b > code && b[-1] == '.') || (b > code + 1 && b[-1] == '>' && b[-2] == '-');
		call = *s == '(';
		for (const char *const *k = keywords; *k && !keyword; k++)
			keyword = strlen(*k) == len && !strncmp(*k, b, len);
		upper &= len >= 4 && memchr(b, '_', len) != NULL;
		if (keyword || len < 3 || !(member || call || upper))
			continue;
		w = xstrndup(b, len);
		if (sv_contains(out, w))
			free(w);
		else
			sv_push_owned(out, w);
	}
}

/* A line inside a block comment, or one that is only a comment. */
static bool comment_line(const char *s)
{
	s += strspn(s, " \t");
	return *s == '*' || starts_with(s, "/*") || starts_with(s, "//");
}

/* The line with its comments blanked out, spacing kept (a new string). */
static char *without_comments(const char *line)
{
	char *s = xstrdup(line);

	for (char *p = s; *p; p++) {
		char *e;

		if (p[0] == '/' && p[1] == '/') {
			*p = '\0';
			break;
		}
		if (p[0] != '/' || p[1] != '*')
			continue;
		e = strstr(p + 2, "*/");
		e = e ? e + 2 : p + strlen(p);
		memset(p, ' ', e - p);
		p = e - 1;
	}
	return s;
}

/* Names the patch defines itself: a new function, a #define, a new struct member or local. */
static bool defined_by_patch(const struct diff *d, const char *name)
{
	size_t n = strlen(name);

	for (size_t f = 0; f < d->n; f++)
		for (size_t k = 0; k < d->files[f].n; k++) {
			const struct hunk *h = &d->files[f].hunks[k];

			for (size_t i = 0; i < h->lines.n; i++) {
				const char *s = h->lines.v[i], *p;
				char *def;
				bool hit;

				if (s[0] != '+')
					continue;
				def = definition_name(s + 1);
				hit = def && !strcmp(def, name);
				free(def);
				if (hit)
					return true;
				p = s + 1 + strspn(s + 1, " \t");
				if (starts_with(p, "#define ") && !strncmp(p + 8, name, n) && !ident_char(p[8 + n]))
					return true;
				/* "type name;" or "type name =": a declaration */
				for (p = strstr(s, name); p; p = strstr(p + 1, name)) {
					const char *after = p + n;

					if (p > s && (p[-1] == ' ' || p[-1] == '*' || p[-1] == '\t') && !ident_char(*after) &&
					    (*after == ';' || *after == '[' || !strncmp(after, " =", 2) || *after == ',' ||
					     *after == ':'))
						return true;
				}
			}
		}
	return false;
}

/* Of the names the lines with one of marks rely on, those the tree lacks (joined into out). */
static int missing_names(struct triage_view *v, struct tree_words *tw, const struct diff *d,
			 const struct file_diff *f, const struct hunk *h, const char *marks, const struct text *t,
			 struct strvec *out)
{
	struct strvec names = STRVEC_INIT;
	struct wordset file = { 0 };

	if (tree_words_for(v, tw, file_diff_path(f)))
		return -1;
	for (size_t i = 0; i < t->lines.n; i++)
		wordset_add_text(&file, t->lines.v[i], strlen(t->lines.v[i]));
	for (size_t i = 0; i < h->lines.n; i++) {
		char *code;

		if (!strchr(marks, h->lines.v[i][0]) || comment_line(h->lines.v[i] + 1))
			continue;
		code = without_comments(h->lines.v[i] + 1);
		line_needs(code, &names);
		free(code);
	}
	for (size_t i = 0; i < names.n; i++) {
		const char *s = names.v[i];

		if (wordset_has(&tw->words, s, strlen(s)) || wordset_has(&file, s, strlen(s)) ||
		    defined_by_patch(d, s) || sv_contains(out, s))
			continue;
		sv_push(out, s);
	}
	wordset_free(&file);
	sv_release(&names);
	return 0;
}

/* ---- the verdict ---- */

static struct triage_hunk *add_hunk(struct triage_result *r, const char *file, int index)
{
	struct triage_hunk *h;

	r->hunks = xrealloc(r->hunks, (r->nhunks + 1) * sizeof(*r->hunks));
	h = &r->hunks[r->nhunks++];
	memset(h, 0, sizeof(*h));
	h->file = xstrdup(file);
	h->index = index;
	return h;
}

/* What one conflicting hunk says about the bug: absent here, present, or neither. */
enum bug_state { BUG_UNKNOWN, BUG_ABSENT, BUG_PRESENT };

struct bug_read {
	enum bug_state state;
	char *why;
	size_t line;		/* 1-based, where the code the fix changes stands */
};

/* Removed code lines of h that stand in its scope of t: all, some or none of them. */
static size_t removed_standing(const struct text *t, const struct hunk *h, size_t start, size_t end,
			       size_t *removed, size_t *first_line, char **first_text)
{
	size_t standing = 0;

	*removed = 0;
	*first_text = NULL;
	for (size_t i = 0; i < h->lines.n; i++) {
		char *code;
		bool found = false;

		if (h->lines.v[i][0] != '-' || comment_line(h->lines.v[i] + 1))
			continue;
		code = line_code(h->lines.v[i] + 1);
		if (strlen(code) < 4) {
			free(code);
			continue;
		}
		(*removed)++;
		for (size_t k = start; k <= end && k < t->lines.n && !found; k++) {
			char *c = line_code(t->lines.v[k]);

			found = !strcmp(c, code);
			if (found && !standing) {
				*first_line = k + 1;
				*first_text = xstrdup(t->lines.v[k] + strspn(t->lines.v[k], " \t"));
			}
			free(c);
		}
		standing += found;
		free(code);
	}
	return standing;
}

static int read_bug(struct triage_view *v, struct tree_words *tw, const struct diff *d,
		    const struct file_diff *f, const struct hunk *h, const struct text *t, bool exists,
		    bool conflict, struct strvec *missing, struct bug_read *b)
{
	struct strvec gone = STRVEC_INIT;
	size_t start, end, removed, standing, line = 0;
	char *scope, *first = NULL;
	bool scoped;
	int ret = 0;

	memset(b, 0, sizeof(*b));
	if (!exists) {
		b->state = BUG_ABSENT;
		b->why = xasprintf("the tree has no '%s'", f->old_path);
		return 0;
	}
	scoped = hunk_scope(t, h, &start, &end, &scope);
	if (!scoped) {
		char *want = definition_name(h->func ? h->func : "");

		if (tree_words_for(v, tw, f->old_path))
			ret = -1;
		if (want && !ret && !wordset_has(&tw->words, want, strlen(want))) {
			b->state = BUG_ABSENT;
			b->why = xasprintf("%s() is nowhere in '%s', its directory or the headers", want, f->old_path);
		} else {
			b->why = xasprintf("the function the hunk names (%s) is not in '%s'", h->func, f->old_path);
		}
		free(want);
		return ret;
	}
	standing = removed_standing(t, h, start, end, &removed, &line, &first);
	if (removed && !standing) {
		char *code = NULL;

		for (size_t i = 0; i < h->lines.n && !code; i++)
			if (h->lines.v[i][0] == '-' && !comment_line(h->lines.v[i] + 1) &&
			    strlen(h->lines.v[i] + 1 + strspn(h->lines.v[i] + 1, " \t")) >= 4)
				code = h->lines.v[i] + 1 + strspn(h->lines.v[i] + 1, " \t");
		ret = missing_names(v, tw, d, f, h, "-", t, &gone);
		b->state = BUG_ABSENT;
		b->why = xasprintf("the code the fix changes is not in %s%s of '%s': '%s' is not there%s%s%s", scope ? scope : "the file",
				   scope && !strchr(scope, ' ') ? "()" : "", f->old_path, code ? code : "",
				   gone.n ? " (and " : "", gone.n ? gone.v[0] : "", gone.n ? " is nowhere in the tree)" : "");
	} else if (!first && !scope) {
		b->why = xasprintf("the hunk names no function of '%s' to look for the code in", f->old_path);
		if (conflict)
			ret = missing_names(v, tw, d, f, h, " ", t, missing);
	} else {
		b->state = BUG_PRESENT;
		if (first) {
			b->line = line;
			b->why = xasprintf("%s:%zu%s%s%s has '%s', the code the fix changes", f->old_path, line,
					   scope ? " in " : "", scope ? scope : "", scope && !strchr(scope, ' ') ? "()" : "",
					   first);
		} else {
			b->line = start + 1;
			b->why = xasprintf("%s:%zu has %s%s, where the fix adds its lines", f->old_path, start + 1,
					   scope ? scope : "the file", scope && !strchr(scope, ' ') ? "()" : "");
		}
		/* context from newer code matters only where it kept the hunk out */
		if (conflict)
			ret = missing_names(v, tw, d, f, h, " ", t, missing);
	}
	free(first);
	free(scope);
	sv_release(&gone);
	return ret;
}

/* ---- cited commits, read upstream ---- */

static void set_evidence(struct triage_result *r, char *ev)
{
	free(r->evidence);
	r->evidence = ev;
}


int triage_upstream_open(const char *path, struct triage_upstream *u)
{
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	memset(u, 0, sizeof(*u));
	if (!path_exists(path))
		return error_code(KB_EXIT_NOINPUT, "upstream '%s' does not exist", path);
	if (is_dir(path) && !git_repository_open_ext(&u->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL))
		return 0;
	git_error_clear();
	if (is_dir(path)) {
		dir_files(path, ".mbox", &files);
		dir_files(path, ".patch", &files);
	} else {
		sv_push(&files, path);
	}
	for (size_t i = 0; i < files.n && !ret; i++) {
		struct spatch *v = NULL;
		size_t n = 0;

		ret = series_read_stream(files.v[i], &v, &n);
		u->mails = xrealloc(u->mails, (u->nmails + n + 1) * sizeof(*u->mails));
		for (size_t k = 0; k < n; k++)
			u->mails[u->nmails++] = v[k];
		free(v);
	}
	sv_release(&files);
	if (ret)
		triage_upstream_free(u);
	return ret;
}

void triage_upstream_free(struct triage_upstream *u)
{
	git_repository_free(u->repo);
	for (size_t i = 0; i < u->nmails; i++)
		spatch_free(&u->mails[i]);
	free(u->mails);
	memset(u, 0, sizeof(*u));
}

/* The diff commit made, from the repository by id or from the mails by subject; 1 when not found. */
static int upstream_diff(const struct triage_upstream *u, const char *commit, const char *subject,
			 struct strbuf *out)
{
	git_object *obj = NULL;
	git_commit *c = NULL;
	int ret = 1;

	for (size_t i = 0; !u->repo && i < u->nmails; i++)
		if (subject && !strcasecmp(u->mails[i].title, subject)) {
			sb_adds(out, u->mails[i].diff);
			return 0;
		}
	if (!u->repo)
		return 1;
	/* a root commit made no change to look for */
	if (git_revparse_single(&obj, u->repo, commit) || git_object_peel((git_object **)&c, obj, GIT_OBJECT_COMMIT) ||
	    !git_commit_parentcount(c))
		git_error_clear();
	else
		ret = branch_diff(u->repo, git_commit_parent_id(c, 0), git_commit_id(c), out);
	git_commit_free(c);
	git_object_free(obj);
	return ret;
}

/* A line worth looking for: code, not a brace, a label or a bare return. */
static bool telling(const char *code)
{
	size_t letters = 0;

	for (const char *p = code; *p; p++)
		letters += isalpha((unsigned char)*p) != 0;
	return strlen(code) >= 12 && letters >= 6;
}

/*
 * Is the commit in the tree? The code lines it added (not lines it only
 * moved) looked for in the files it changed, as the tree has them: most of
 * them there, present; almost none, absent; else unknown.
 */
static const char *target_state(struct triage_view *v, const char *diff_text, char **evidence)
{
	struct diff d;
	struct strvec removed = STRVEC_INIT;
	size_t total = 0, found = 0;
	const char *state = "unknown";
	char *why = NULL, *example = NULL;

	if (diff_parse(diff_text, &d, &why) || diff_check(&d, &why)) {
		*evidence = xasprintf("its diff is not readable: %s", why ? why : "");
		free(why);
		return state;
	}
	for (size_t f = 0; f < d.n; f++)
		for (size_t k = 0; k < d.files[f].n; k++)
			for (size_t i = 0; i < d.files[f].hunks[k].lines.n; i++)
				if (d.files[f].hunks[k].lines.v[i][0] == '-')
					sv_push_owned(&removed, line_code(d.files[f].hunks[k].lines.v[i] + 1));
	for (size_t f = 0; f < d.n; f++) {
		const struct file_diff *fd = &d.files[f];
		struct strvec have = STRVEC_INIT;
		struct text t;
		bool exists = false;

		if (!fd->new_path || view_read(v, fd->new_path, &t, &exists))
			continue;
		for (size_t i = 0; exists && i < t.lines.n; i++)
			sv_push_owned(&have, line_code(t.lines.v[i]));
		text_free(&t);
		for (size_t k = 0; k < fd->n; k++)
			for (size_t i = 0; i < fd->hunks[k].lines.n; i++) {
				const char *l = fd->hunks[k].lines.v[i];
				char *code;

				if (l[0] != '+')
					continue;
				code = line_code(l + 1);
				if (telling(code) && !sv_contains(&removed, code)) {
					total++;
					if (sv_contains(&have, code))
						found++;
					else if (!example)
						example = xasprintf("%s: '%s'", fd->new_path, l + 1 + strspn(l + 1, " \t"));
				}
				free(code);
			}
		sv_release(&have);
	}
	if (total >= 3 && found * 2 >= total)
		state = "present";
	else if (total >= 3 && found * 5 <= total)
		state = "absent";
	*evidence = xasprintf("%zu of the %zu lines it added stand in the tree%s%s", found, total,
			      example ? ", not " : "", example ? example : "");
	free(example);
	sv_release(&removed);
	diff_free(&d);
	return state;
}

/*
 * The commits the message cites, with what we can tell of each: from
 * upstream, by the lines each added; else a Fixes: target by the code the
 * fix changes.
 */
static int cite_commits(struct triage_view *v, const struct spatch *p, struct triage_result *r,
			const char *fixes_state, const char *fixes_evidence)
{
	r->cited = xcalloc(p->nprereqs + 1, sizeof(*r->cited));
	for (size_t i = 0; i < p->nprereqs; i++) {
		struct triage_cited *c = &r->cited[r->ncited++];
		bool fixes = !strcmp(p->prereqs[i].cited, "Fixes");
		struct strbuf diff = STRBUF_INIT;
		int rc = v->upstream ? upstream_diff(v->upstream, p->prereqs[i].commit, p->prereqs[i].subject, &diff) : 1;

		c->commit = xstrdup(p->prereqs[i].commit);
		c->subject = xstrdup(p->prereqs[i].subject ? p->prereqs[i].subject : "");
		c->cited = fixes ? "Fixes" : "commit";
		if (rc < 0) {
			sb_release(&diff);
			return -1;
		}
		if (!rc) {
			char *ev = NULL;

			c->state = target_state(v, diff.buf, &ev);
			c->evidence = xasprintf("upstream: %s", ev);
			free(ev);
		} else {
			c->state = fixes ? fixes_state : "unknown";
			c->evidence = xstrdup(!fixes ? "not found upstream" :
					      !strcmp(fixes_state, "present") && r->verdict == TRIAGE_PRESENT ?
					      "the fix itself stands in the tree" : fixes_evidence);
		}
		sb_release(&diff);
	}
	return 0;
}

/*
 * A fix whose every Fixes: target is, by its own lines, not in the tree
 * fixes a bug the tree never had, whatever its hunks do here.
 */
static void targets_absent(struct triage_result *r)
{
	const struct triage_cited *first = NULL;
	size_t fixes = 0, absent = 0;

	for (size_t i = 0; i < r->ncited; i++) {
		if (strcmp(r->cited[i].cited, "Fixes"))
			continue;
		fixes++;
		if (!strcmp(r->cited[i].state, "absent") && starts_with(r->cited[i].evidence, "upstream: ")) {
			absent++;
			first = first ? first : &r->cited[i];
		}
	}
	if (!fixes || absent < fixes || r->verdict == TRIAGE_PRESENT || r->verdict == TRIAGE_ABSENT)
		return;
	r->verdict = TRIAGE_ABSENT;
	set_evidence(r, xasprintf("the bug came with %s (\"%s\"), which the tree does not have: %s", first->commit,
				  first->subject, first->evidence + strlen("upstream: ")));
	sv_release(&r->needs);
}

/* The commits a patch that cannot go in as it is needs: the ones it cites, else what they must add. */
static void name_needs(const struct spatch *p, const struct strvec *missing, struct triage_result *r)
{
	for (size_t i = 0; i < p->nprereqs; i++)
		if (strcmp(p->prereqs[i].cited, "Fixes"))
			sv_push_owned(&r->needs, xasprintf("%s (\"%s\")", p->prereqs[i].commit,
							   p->prereqs[i].subject ? p->prereqs[i].subject : ""));
	for (size_t i = 0; !r->needs.n && i < missing->n; i++)
		sv_push_owned(&r->needs, xasprintf("the commit that added %s", missing->v[i]));
}

static const char *hunk_how(const struct placement *pl)
{
	if (pl->result == PLACE_PRESENT)
		return "present";
	if (pl->anchored)
		return "anchored";
	return pl->whitespace ? "whitespace" : pl->fuzz ? "fuzzy" : pl->offset ? "offset" : "exact";
}

/* Places every hunk in memory; the texts are left as applied. Returns the conflicts. */
static int place_all(struct triage_view *v, const struct diff *d, struct triage_result *r, struct text *texts,
		     bool *exists, size_t *conflicts)
{
	int index = 0;

	*conflicts = 0;
	for (size_t f = 0; f < d->n; f++) {
		const struct file_diff *fd = &d->files[f];
		const char *from = fd->old_path ? fd->old_path : fd->new_path;
		size_t after = 0;
		long shift = 0;

		if (view_read(v, from, &texts[f], &exists[f]))
			return -1;
		if (!exists[f] && fd->old_path) {
			struct triage_hunk *th = add_hunk(r, fd->old_path, ++index);

			th->how = "conflict";
			th->why = xasprintf("the tree has no '%s'", fd->old_path);
			index += (int)fd->n - 1;
			(*conflicts)++;
			continue;
		}
		for (size_t k = 0; k < fd->n; k++) {
			const struct hunk *h = &fd->hunks[k];
			struct triage_hunk *th = add_hunk(r, file_diff_path(fd), ++index);
			struct placement pl;

			hunk_place(&texts[f], h, after, h->old_start - 1 + shift, 2, &pl);
			if (pl.result == PLACE_CONFLICT && pl.why && !strcmp(pl.why, "context not found")) {
				placement_free(&pl);
				hunk_place_anchored(&texts[f], h, after, h->old_start - 1 + shift, &pl);
			}
			th->how = pl.result == PLACE_CONFLICT ? "conflict" : hunk_how(&pl);
			th->line = pl.at + 1;
			th->why = pl.why;
			pl.why = NULL;
			if (pl.result == PLACE_CONFLICT) {
				(*conflicts)++;
			} else if (pl.result == PLACE_OK) {
				shift += pl.offset + hunk_apply(&texts[f], h, &pl);
				after = pl.at + 1;
			}
		}
	}
	return 0;
}

/*
 * Is the fix already in the tree? After place_all(): every hunk placed as
 * already applied, or its added lines standing in its function though its
 * context differs. The evidence of the first, and how many more.
 */
static int hunks_stand(struct triage_view *v, const struct diff *d, const struct triage_result *r,
		       struct strbuf *ev, bool *stands)
{
	size_t index = 0;

	*stands = r->nhunks > 0;
	sb_reset(ev);
	for (size_t f = 0; f < d->n && *stands; f++) {
		const struct file_diff *fd = &d->files[f];
		struct text t;
		bool exists;

		if (view_read(v, file_diff_path(fd), &t, &exists))
			return -1;
		/* a deletion stands when the file is gone, a new file when it is there */
		if (!fd->new_path || !exists) {
			*stands = !fd->new_path && !exists;
			if (*stands && !ev->len)
				sb_addf(ev, "%s: gone, as the patch removes it", fd->old_path);
			text_free(&t);
			index += fd->n;
			continue;
		}
		for (size_t k = 0; k < fd->n && *stands; k++, index++) {
			const struct triage_hunk *th = index < r->nhunks ? &r->hunks[index] : NULL;
			char *why = NULL;
			size_t line = 0;

			if (th && !strcmp(th->how, "present")) {
				if (!ev->len)
					sb_addf(ev, "%s:%zu: the hunk's result already stands there", fd->new_path, th->line);
				continue;
			}
			*stands = exists && hunk_stands(&t, &fd->hunks[k], &why, &line);
			if (*stands && !ev->len)
				sb_addf(ev, "%s:%s", fd->new_path, why + strlen("line "));
			free(why);
		}
		text_free(&t);
	}
	if (*stands && r->nhunks > 1)
		sb_addf(ev, " (and the other %zu hunks)", r->nhunks - 1);
	return 0;
}

int triage_patch(struct triage_view *v, const struct spatch *p, struct triage_result *r)
{
	struct diff d;
	struct tree_words *tw;
	struct strbuf ev = STRBUF_INIT;
	struct strvec missing = STRVEC_INIT;
	struct text *texts = NULL;
	bool *exists = NULL, stands;
	size_t conflicts = 0, absent = 0, present = 0;
	char *why = NULL, *bug_ev = NULL, *absent_ev = NULL;
	const char *bug_state = "unknown";
	int ret = -1, bad = 0;

	memset(r, 0, sizeof(*r));
	if (!v->words)
		v->words = xcalloc(1, sizeof(*v->words));
	tw = v->words;
	if (diff_parse(p->diff, &d, &why)) {
		error_code(KB_EXIT_BADINPUT, "patch '%s' has no readable diff: %s", p->title, why);
		free(why);
		return -1;
	}
	/* the gate: a series directory's patch files are input too */
	if (diff_check(&d, &why)) {
		error_code(KB_EXIT_BADINPUT, "patch '%s' %s", p->title, why);
		free(why);
		diff_free(&d);
		return -1;
	}
	texts = xcalloc(d.n + 1, sizeof(*texts));
	exists = xcalloc(d.n + 1, sizeof(*exists));
	if (place_all(v, &d, r, texts, exists, &conflicts))
		goto out;
	/* each hunk's result stands, exactly where it says or whatever its context: present */
	if (hunks_stand(v, &d, r, &ev, &stands))
		goto out;
	if (stands) {
		r->verdict = TRIAGE_PRESENT;
		set_evidence(r, sb_detach(&ev));
		ret = cite_commits(v, p, r, "present", r->evidence);
		goto out;
	}
	/* the code each hunk changes, read from the tree as it was */
	for (size_t f = 0, index = 0; f < d.n; f++) {
		const struct file_diff *fd = &d.files[f];
		struct text t;
		bool ex;

		if (!fd->old_path || view_read(v, fd->old_path, &t, &ex)) {
			index += fd->n;
			continue;
		}
		for (size_t k = 0; k < fd->n; k++, index++) {
			struct bug_read b;
			bool conflict = index < r->nhunks && !strcmp(r->hunks[index].how, "conflict");

			if (read_bug(v, tw, &d, fd, &fd->hunks[k], &t, ex, conflict, &missing, &b)) {
				text_free(&t);
				goto out;
			}
			if (b.state == BUG_PRESENT && !bug_ev)
				bug_ev = xstrdup(b.why);
			if (conflict && b.state == BUG_ABSENT) {
				absent++;
				if (!absent_ev)
					absent_ev = xstrdup(b.why);
			}
			present += conflict && b.state == BUG_PRESENT;
			free(b.why);
		}
		text_free(&t);
	}
	/* what it adds must exist here, or the result would not compile */
	for (size_t f = 0; f < d.n; f++) {
		struct text t;
		bool ex;

		if (view_read(v, file_diff_path(&d.files[f]), &t, &ex))
			goto out;
		for (size_t k = 0; k < d.files[f].n && !bad; k++)
			bad = missing_names(v, tw, &d, &d.files[f], &d.files[f].hunks[k], "+", &t, &missing);
		text_free(&t);
		if (bad)
			goto out;
	}
	if (conflicts && absent == conflicts) {
		r->verdict = TRIAGE_ABSENT;
		r->evidence = xstrdup(absent_ev);
		bug_state = "absent";
	} else if (!conflicts && !missing.n) {
		r->verdict = TRIAGE_APPLIES;
		bug_state = "present";
	} else if (missing.n) {
		r->verdict = TRIAGE_NEEDS;
		bug_state = bug_ev ? "present" : "unknown";
	} else {
		r->verdict = TRIAGE_CONFLICT;
		bug_state = present || bug_ev ? "present" : "unknown";
	}
	if (r->verdict == TRIAGE_APPLIES || r->verdict == TRIAGE_NEEDS || r->verdict == TRIAGE_CONFLICT) {
		struct strbuf sb = STRBUF_INIT;
		size_t anchored = 0;

		for (size_t i = 0; i < r->nhunks; i++)
			anchored += !strcmp(r->hunks[i].how, "anchored");
		if (bug_ev)
			sb_adds(&sb, bug_ev);
		if (r->verdict == TRIAGE_NEEDS)
			sb_addf(&sb, "%sit relies on %s, which the tree lacks", sb.len ? "; " : "", missing.v[0]);
		for (size_t i = 1; r->verdict == TRIAGE_NEEDS && i < missing.n; i++)
			sb_addf(&sb, ", %s", missing.v[i]);
		if (conflicts)
			sb_addf(&sb, "%s%zu of %zu hunks do not fit", sb.len ? "; " : "", conflicts, r->nhunks);
		else if (anchored)
			sb_addf(&sb, "%s%zu hunk%s placed by what %s changes%s", sb.len ? "; " : "", anchored,
				anchored == 1 ? "" : "s", anchored == 1 ? "it" : "they",
				r->verdict == TRIAGE_APPLIES ? " (compile before trusting it)" : "");
		set_evidence(r, sb_detach(&sb));
		name_needs(p, &missing, r);
	}
	if (cite_commits(v, p, r, bug_state, bug_state[0] == 'a' ? absent_ev : bug_ev ? bug_ev : "nothing the fix changes was found"))
		goto out;
	targets_absent(r);
	ret = 0;
out:
	for (size_t f = 0; texts && f < d.n; f++)
		text_free(&texts[f]);
	free(texts);
	free(exists);
	free(bug_ev);
	free(absent_ev);
	sv_release(&missing);
	sb_release(&ev);
	diff_free(&d);
	return ret;
}

/* Applies d to v when every hunk places; *conflicts counts those that do not (v unchanged then). */
static int view_apply_diff(struct triage_view *v, const struct diff *d, size_t *conflicts, char **why)
{
	struct triage_result r = { 0 };
	struct text *texts = xcalloc(d->n + 1, sizeof(*texts));
	bool *exists = xcalloc(d->n + 1, sizeof(*exists));
	int ret = place_all(v, d, &r, texts, exists, conflicts);

	for (size_t i = 0; why && i < r.nhunks && !*why; i++)
		if (!strcmp(r.hunks[i].how, "conflict"))
			*why = xasprintf("%s hunk %d: %s", r.hunks[i].file, r.hunks[i].index,
					 r.hunks[i].why ? r.hunks[i].why : "does not fit");
	for (size_t f = 0; f < d->n; f++) {
		const struct file_diff *fd = &d->files[f];

		if (!ret && !*conflicts) {
			size_t k = view_slot(v, fd->new_path ? fd->new_path : fd->old_path);

			text_free(&v->texts[k]);
			v->texts[k] = texts[f];
			memset(&texts[f], 0, sizeof(texts[f]));
			v->gone[k] = !fd->new_path;
			if (fd->rename)
				v->gone[view_slot(v, fd->old_path)] = true;
		}
		text_free(&texts[f]);
	}
	free(texts);
	free(exists);
	triage_result_free(&r);
	return ret;
}

int triage_view_apply(struct triage_view *v, const struct spatch *p)
{
	struct diff d;
	char *why = NULL;
	size_t conflicts;
	int ret;

	if (diff_parse(p->diff, &d, &why)) {
		free(why);
		return error_code(KB_EXIT_BADINPUT, "patch '%s' has no readable diff", p->title);
	}
	ret = view_apply_diff(v, &d, &conflicts, NULL);
	diff_free(&d);
	return ret;
}

/* ---- the porting literature's protocol: our port against the human backport ---- */

const char *triage_outcome_key(enum triage_outcome o)
{
	static const char *const keys[] = { "not-carried", "identical", "equivalent", "different", "conflict" };

	return keys[o];
}

/* The diff the other way round: what undoes it. */
static void diff_reverse(struct diff *d)
{
	for (size_t f = 0; f < d->n; f++) {
		struct file_diff *fd = &d->files[f];
		char *path = fd->old_path;
		unsigned int mode = fd->old_mode;

		fd->old_path = fd->new_path;
		fd->new_path = path;
		fd->old_mode = fd->new_mode;
		fd->new_mode = mode;
		for (size_t k = 0; k < fd->n; k++) {
			struct hunk *h = &fd->hunks[k];
			int start = h->old_start, count = h->old_count;

			h->old_start = h->new_start;
			h->old_count = h->new_count;
			h->new_start = start;
			h->new_count = count;
			for (size_t i = 0; i < h->lines.n; i++) {
				char *l = h->lines.v[i];

				l[0] = l[0] == '+' ? '-' : l[0] == '-' ? '+' : l[0];
			}
		}
	}
}

/* The code lines of t, whitespace and comments aside, blank ones dropped. */
static void code_lines(const struct text *t, struct strvec *out)
{
	for (size_t i = 0; i < t->lines.n; i++) {
		char *c = line_code(t->lines.v[i]);

		if (*c)
			sv_push_owned(out, c);
		else
			free(c);
	}
}

/* First code line where ours and theirs part, for the record. */
static char *first_difference(const char *path, const struct text *ours, const struct text *theirs)
{
	struct strvec a = STRVEC_INIT, b = STRVEC_INIT;
	size_t i = 0;
	char *why = NULL;

	code_lines(ours, &a);
	code_lines(theirs, &b);
	while (i < a.n && i < b.n && !strcmp(a.v[i], b.v[i]))
		i++;
	if (i < a.n || i < b.n)
		why = xasprintf("%s: ours '%s', the backport's '%s'", path, i < a.n ? a.v[i] : "(end)",
				i < b.n ? b.v[i] : "(end)");
	sv_release(&a);
	sv_release(&b);
	return why;
}

int triage_compare_backport(git_repository *repo, const git_oid *commit, const struct spatch *upstream,
			    const struct spatch *backport, struct triage_compare *out)
{
	struct triage_view v, tree;
	struct diff db, du;
	char *why = NULL;
	size_t conflicts = 0;
	bool code_same = true, bytes_same = true;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (diff_parse(backport->diff, &db, &why)) {
		ret = error_code(KB_EXIT_BADINPUT, "backport '%s' has no readable diff: %s", backport->title, why);
		free(why);
		return ret;
	}
	if (diff_parse(upstream->diff, &du, &why)) {
		ret = error_code(KB_EXIT_BADINPUT, "patch '%s' has no readable diff: %s", upstream->title, why);
		free(why);
		diff_free(&db);
		return ret;
	}
	triage_view_init(&v, repo, commit);
	triage_view_init(&tree, repo, commit);
	diff_reverse(&db);
	/* the tree before its backport: the backport undone, on a scratch view */
	if (view_apply_diff(&v, &db, &conflicts, &why))
		goto out;
	if (conflicts) {
		out->outcome = TRIAGE_NOT_CARRIED;
		out->why = xasprintf("the backport does not come off the tree: %s", why ? why : "");
		ret = 0;
		goto out;
	}
	free(why);
	why = NULL;
	if (view_apply_diff(&v, &du, &conflicts, &why))
		goto out;
	if (conflicts) {
		out->outcome = TRIAGE_OUTCOME_CONFLICT;
		out->why = why;
		why = NULL;
		ret = 0;
		goto out;
	}
	/* every path either side touched: ours after the port, the tree's (the human's) */
	for (size_t i = 0; i < v.paths.n; i++) {
		struct text theirs;
		bool exists;

		if (view_read(&tree, v.paths.v[i], &theirs, &exists))
			goto out;
		sv_push(&out->paths, v.paths.v[i]);
		out->texts = xrealloc(out->texts, out->paths.n * sizeof(*out->texts));
		text_copy(&out->texts[out->paths.n - 1], &v.texts[i]);
		if (exists != !v.gone[i] || !sv_equal(&v.texts[i].lines, &theirs.lines)) {
			char *d = exists != !v.gone[i] ? xasprintf("%s: %s on one side only", v.paths.v[i],
								   exists ? "present" : "absent")
						       : first_difference(v.paths.v[i], &v.texts[i], &theirs);

			bytes_same = false;
			if (d && code_same) {
				code_same = false;
				out->why = d;
			} else {
				free(d);
			}
		}
		text_free(&theirs);
	}
	out->outcome = bytes_same ? TRIAGE_IDENTICAL : code_same ? TRIAGE_EQUIVALENT : TRIAGE_DIFFERENT;
	ret = 0;
out:
	free(why);
	triage_view_release(&v);
	triage_view_release(&tree);
	diff_free(&db);
	diff_free(&du);
	return ret;
}

void triage_compare_free(struct triage_compare *c)
{
	for (size_t i = 0; i < c->paths.n; i++)
		text_free(&c->texts[i]);
	free(c->texts);
	sv_release(&c->paths);
	free(c->why);
	memset(c, 0, sizeof(*c));
}

void triage_result_free(struct triage_result *r)
{
	for (size_t i = 0; i < r->nhunks; i++) {
		free(r->hunks[i].file);
		free(r->hunks[i].why);
	}
	free(r->hunks);
	for (size_t i = 0; i < r->ncited; i++) {
		free(r->cited[i].commit);
		free(r->cited[i].subject);
		free(r->cited[i].evidence);
	}
	free(r->cited);
	free(r->evidence);
	sv_release(&r->needs);
	memset(r, 0, sizeof(*r));
}

json_t *triage_cited_json(const char *commit, const char *subject, const char *cited, const char *state,
			  const char *evidence)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "commit", commit ? commit : "", "subject", subject ? subject : "",
			 "cited", cited ? cited : "", "state", state ? state : "", "evidence", evidence ? evidence : "");
}
