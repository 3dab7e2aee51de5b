// SPDX-License-Identifier: GPL-2.0
/* A port carried onto a new revision of its tree, and what changed (refresh.h). */
#define _GNU_SOURCE
#include "port/refresh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/branch.h"
#include "port/export.h"
#include "lib/kernel.h"
#include "mail/mbox.h"
#include "mail/patch.h"
#include "port/port.h"
#include "git/repo.h"
#include "git/source.h"
#include "lib/store.h"

const char *refresh_verdict_name(enum refresh_verdict v)
{
	static const char *const names[] = { "same", "moved", "context changed", "changed", "new",
					     "dropped" };

	return names[v];
}

/* One exported patch: its subject without the [PATCH n/m] prefix, and its diff. */
struct exported {
	char *title;
	struct diff d;
	bool paired;
};

static char *bare_title(const char *subject)
{
	const char *s = subject;

	if (*s == '[' && strchr(s, ']'))
		s = strchr(s, ']') + 1;
	return trim_dup(s, strlen(s));
}

static int read_exports(const char *what, const char *text, size_t len, struct exported **out, size_t *n)
{
	struct msg_list l = { 0 };
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!len)
		return 0;
	if (mbox_parse(what, text, len, &l, NULL))
		return -1;
	*out = xcalloc(l.n, sizeof(**out));
	for (size_t i = 0; i < l.n && !ret; i++) {
		struct exported *e = &(*out)[(*n)++];
		char *why = NULL;

		e->title = bare_title(l.v[i].subject ? l.v[i].subject : "");
		if (diff_parse(l.v[i].body, &e->d, &why))
			ret = error_code(KB_EXIT_BADINPUT, "cannot read the diff of '%s' in %s: %s", e->title, what, why);
		free(why);
	}
	msg_list_free(&l);
	return ret;
}

static void exported_free(struct exported *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].title);
		diff_free(&v[i].d);
	}
	free(v);
}

/* The lines a hunk adds and removes, in order: what it changes, whatever surrounds it. */
static bool same_changes(const struct hunk *a, const struct hunk *b)
{
	size_t i = 0, k = 0;

	for (;;) {
		while (i < a->lines.n && a->lines.v[i][0] != '+' && a->lines.v[i][0] != '-')
			i++;
		while (k < b->lines.n && b->lines.v[k][0] != '+' && b->lines.v[k][0] != '-')
			k++;
		if (i == a->lines.n || k == b->lines.n)
			return i == a->lines.n && k == b->lines.n;
		if (strcmp(a->lines.v[i++], b->lines.v[k++]))
			return false;
	}
}

static const char *file_name(const struct file_diff *f)
{
	return f->new_path ? f->new_path : f->old_path;
}

static const struct file_diff *find_file(const struct diff *d, const char *path)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(file_name(&d->files[i]), path))
			return &d->files[i];
	return NULL;
}

/* Worse verdicts win: one changed hunk makes the patch changed. */
static void worsen(struct refresh_patch *p, enum refresh_verdict v)
{
	if (v > p->verdict)
		p->verdict = v;
}

static void compare_file(const struct file_diff *a, const struct file_diff *b, struct refresh_patch *p)
{
	const char *path = file_name(a);

	if (!b) {
		worsen(p, RV_CHANGED);
		sv_push_owned(&p->details, xasprintf("%s: no longer changed", path));
		return;
	}
	if (a->n != b->n) {
		worsen(p, RV_CHANGED);
		sv_push_owned(&p->details, xasprintf("%s: %zu hunks, were %zu", path, b->n, a->n));
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct hunk *x = &a->hunks[i], *y = &b->hunks[i];
		int delta = y->old_start - x->old_start;

		if (sv_equal(&x->lines, &y->lines) && !delta)
			continue;
		if (sv_equal(&x->lines, &y->lines)) {
			worsen(p, RV_MOVED);
			sv_push_owned(&p->details, xasprintf("%s hunk %zu: moved %+d lines (now at %d)", path, i + 1,
							     delta, y->old_start));
		} else if (same_changes(x, y)) {
			worsen(p, RV_CONTEXT);
			sv_push_owned(&p->details, xasprintf("%s hunk %zu: same change, other context lines (at %d, was %d)",
							     path, i + 1, y->old_start, x->old_start));
		} else {
			worsen(p, RV_CHANGED);
			sv_push_owned(&p->details, xasprintf("%s hunk %zu: the change itself differs (at %d, was %d)",
							     path, i + 1, y->old_start, x->old_start));
		}
	}
}

static void compare_patch(const struct exported *old, const struct exported *new, struct refresh_patch *p)
{
	for (size_t i = 0; i < old->d.n; i++)
		compare_file(&old->d.files[i], find_file(&new->d, file_name(&old->d.files[i])), p);
	for (size_t i = 0; i < new->d.n; i++)
		if (!find_file(&old->d, file_name(&new->d.files[i]))) {
			worsen(p, RV_CHANGED);
			sv_push_owned(&p->details, xasprintf("%s: newly changed", file_name(&new->d.files[i])));
		}
}

static struct refresh_patch *add_patch(struct refresh_cmp *c, const char *title, enum refresh_verdict v)
{
	struct refresh_patch *p;

	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	p = &c->v[c->n++];
	memset(p, 0, sizeof(*p));
	p->title = xstrdup(title);
	p->verdict = v;
	return p;
}

static struct exported *pair_of(struct exported *v, size_t n, const char *title)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i].paired && !strcmp(v[i].title, title))
			return &v[i];
	return NULL;
}

int refresh_compare(const char *old_mbox, size_t old_len, const char *new_mbox, size_t new_len,
		    struct refresh_cmp *out)
{
	struct exported *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = read_exports("the committed export", old_mbox, old_len, &a, &na) ||
	      read_exports("the new export", new_mbox, new_len, &b, &nb) ? -1 : 0;
	for (size_t i = 0; i < nb && !ret; i++) {
		struct exported *old = pair_of(a, na, b[i].title);
		struct refresh_patch *p = add_patch(out, b[i].title, old ? RV_SAME : RV_NEW);

		if (old) {
			old->paired = true;
			compare_patch(old, &b[i], p);
		}
	}
	for (size_t i = 0; i < na && !ret; i++)
		if (!a[i].paired)
			add_patch(out, a[i].title, RV_DROPPED);
	for (size_t i = 0; i < out->n; i++)
		out->count[out->v[i].verdict]++;
	exported_free(a, na);
	exported_free(b, nb);
	if (ret)
		refresh_cmp_free(out);
	return ret;
}

void refresh_cmp_free(struct refresh_cmp *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].title);
		sv_release(&c->v[i].details);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

void refresh_cmp_text(const struct refresh_cmp *c, struct strbuf *sb)
{
	sb_addf(sb, "%zu patch%s:", c->n, c->n == 1 ? "" : "es");
	for (int v = 0; v < RV_NR; v++)
		sb_addf(sb, "%s %zu %s", v ? "," : "", c->count[v], refresh_verdict_name(v));
	sb_adds(sb, "\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct refresh_patch *p = &c->v[i];

		if (p->verdict == RV_SAME)
			continue;
		sb_addf(sb, "  %s: %s\n", refresh_verdict_name(p->verdict), p->title);
		for (size_t k = 0; k < p->details.n; k++)
			sb_addf(sb, "      %s\n", p->details.v[k]);
	}
}

/* "8/8 ported (2 clean, ...)": the port in one line. */
static void port_line(const struct port_report *r, struct strbuf *sb)
{
	int count[PS_SKIPPED + 1] = { 0 }, done = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		if (!r->recs[i].prereq) {
			count[r->recs[i].status]++;
			done += r->recs[i].status != PS_CONFLICT && r->recs[i].status != PS_SKIPPED;
		}
	sb_addf(sb, "port: %d/%d (%d clean, %d fuzzy, %d adapted, %d already-present, %d skipped)\n", done,
		r->total, count[PS_CLEAN], count[PS_FUZZY], count[PS_ADAPTED], count[PS_PRESENT], count[PS_SKIPPED]);
}

static int export_both(const struct port_report *r, const char *dir)
{
	git_repository *repo = NULL;
	git_oid *commits = NULL;
	size_t n = 0;
	int ret = repo_open_tree(r->kernel, &repo) || branch_commits(repo, &r->base, &r->tip, &commits, &n) ||
		  export_write(repo, commits, n, "mbox", dir, r->source) ||
		  export_write(repo, commits, n, "quilt", dir, r->source) ? -1 : 0;

	free(commits);
	git_repository_free(repo);
	return ret;
}

/* What the committed export says, compared with what was just written. */
static int compare_exports(const struct strbuf *old, const char *dir, struct strbuf *summary)
{
	char *path = xasprintf("%s/backport.mbox", dir);
	struct strbuf new = STRBUF_INIT;
	struct refresh_cmp c;
	int ret = read_file(path, &new);

	if (!ret && !old->len)
		sb_adds(summary, "no committed export to compare with\n");
	else if (!ret && !(ret = refresh_compare(old->buf, old->len, new.buf, new.len, &c))) {
		refresh_cmp_text(&c, summary);
		refresh_cmp_free(&c);
	}
	sb_release(&new);
	free(path);
	return ret;
}

static int save_summary(const struct refresh_opts *o, const struct strbuf *summary)
{
	char *series = store_series_name(o->series_dir);
	char *dir = store_port_dir(series, o->kernel);
	char *path = dir ? xasprintf("%s/refresh.txt", dir) : NULL;
	int ret = !path || write_file_atomic(path, summary->buf, summary->len) ? -1 : 0;

	free(path);
	free(dir);
	free(series);
	return ret;
}

static int import_step(const struct kernel_desc *k, const char *made_on, struct strbuf *summary)
{
	struct import_result imp;

	if (repo_import(k, NULL, &imp)) {
		import_result_free(&imp);
		return -1;
	}
	if (imp.previous)
		sb_addf(summary, "tree: moved from %s to %s\n", imp.previous, imp.label);
	else
		sb_addf(summary, "tree: %s\n", imp.label);
	if (made_on)
		sb_addf(summary, "committed export: made on %s\n", made_on);
	import_result_free(&imp);
	return 0;
}

int refresh_kernel(const struct refresh_opts *o)
{
	struct port_opts po = { .kernel = o->kernel, .series_dir = o->series_dir, .signoff = o->signoff,
				.compile = o->compile };
	char *dir = xasprintf("%s/%s", o->series_dir, o->kernel);
	char *mbox = xasprintf("%s/backport.mbox", dir);
	char *made_on = export_source(dir);
	struct strbuf old = STRBUF_INIT, summary = STRBUF_INIT;
	struct port_report r = { 0 };
	struct kernel_desc k;
	int ret = kernel_find(o->kernel, &k);
	bool locked = !ret && !(ret = repo_lock(o->kernel, "refresh"));

	sb_addf(&summary, "refresh %s of %s\n", o->kernel, o->series_dir);
	if (!ret && path_exists(mbox))
		ret = read_file(mbox, &old);
	if (!ret)
		ret = import_step(&k, made_on, &summary);
	if (!ret) {
		ret = port_run(&po, &r);
		if (r.kernel)
			port_line(&r, &summary);
	}
	if (ret == KB_EXIT_CONFLICT)
		sb_addf(&summary, "stopped: a new conflict, rejects in %s; the committed export is left as it was%s%s%s\n"
			"finish the patch in %s/trees/%s, run 'kbackport port --continue %s', then 'kbackport refresh %s'\n",
			r.rej, made_on ? " (made on " : "", made_on ? made_on : "", made_on ? ")" : "", work_dir(), o->kernel, o->kernel,
			o->kernel);
	if (!ret && !(ret = export_both(&r, dir))) {
		sb_addf(&summary, "exports: %s/backport.mbox and %s/patches/, made on %s\n", dir, dir, r.source);
		ret = compare_exports(&old, dir, &summary);
	}
	if (summary.len) {
		fputs(summary.buf, stdout);
		if (save_summary(o, &summary) && !ret)
			ret = -1;
	}
	if (ret < 0)
		ret = kb_errcode ? kb_errcode : KB_EXIT_FAIL;
	if (locked)
		repo_unlock(o->kernel);
	port_report_free(&r);
	kernel_free(&k);
	sb_release(&old);
	sb_release(&summary);
	free(made_on);
	free(mbox);
	free(dir);
	return ret;
}
