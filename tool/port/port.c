// SPDX-License-Identifier: GPL-2.0
/*
 * The port: a series onto one kernel tree, patch by patch, each its own
 * commit on backport/<series>/<kernel>, with the truth about every hunk.
 * Prerequisites (our backports of upstream commits) go first, the
 * backporter's labelled local fixes last; a patch already in the tree is
 * skipped with evidence; a conflict stops the port with the branch at its
 * last good commit and the rejects saved.
 */
#define _GNU_SOURCE
#include "port/port.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "git/branch.h"
#include "git/repo.h"
#include "git/source.h"
#include "lib/kernel.h"
#include "lib/signals.h"
#include "lib/store.h"
#include "lib/treepath.h"
#include "mail/patch.h"
#include "mail/series.h"
#include "port/cocci.h"
#include "port/match.h"
#include "port/triage.h"

/* What a patch makes of one path: its new content, or its removal. */
struct change {
	char *path;
	struct text text;
	bool deleted;
	bool executable;	/* "new file mode 100755" / "new mode 100755" */
};

struct port_ctx {
	const struct port_opts *o;
	struct kernel_desc k;
	bool locked;		/* holds the tree's lock */
	struct port_report *r;
	struct series s;
	git_repository *repo;
	git_oid head;
	char *who_name, *who_email;
	char *ports_dir;
	struct cocci_rule *api, *rules;	/* cocci/api rules this tree needs; the series' own */
	size_t napi, nrules;
};

const char *port_status_name(enum port_status st)
{
	static const char *const names[] = { "clean", "fuzzy", "adapted", "already-present", "conflict",
					     "skipped" };

	return names[st];
}

static struct patch_record *new_record(struct port_report *r)
{
	struct patch_record *rec;

	r->recs = xrealloc(r->recs, (r->nrecs + 1) * sizeof(*r->recs));
	rec = &r->recs[r->nrecs++];
	memset(rec, 0, sizeof(*rec));
	return rec;
}

static struct hunk_record *new_hunk_record(struct patch_record *rec, const char *file, int index)
{
	struct hunk_record *h;

	rec->hunks = xrealloc(rec->hunks, (rec->nhunks + 1) * sizeof(*rec->hunks));
	h = &rec->hunks[rec->nhunks++];
	memset(h, 0, sizeof(*h));
	h->file = xstrdup(file);
	h->index = index;
	return h;
}

static void changes_free(struct change *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		text_free(&v[i].text);
	}
	free(v);
}

/* The rejected hunk, and the function it was meant for or the lines around its place. */
static void add_reject(struct strbuf *rej, const struct file_diff *f, const struct hunk *h,
		       const struct text *t, long hint, const char *why)
{
	char *want = definition_name(h->func ? h->func : "");
	size_t start = 0, end = 0;
	char *fn = NULL;

	if (f->old_path)
		sb_addf(rej, "--- a/%s\n", f->old_path);
	else
		sb_adds(rej, "--- /dev/null\n");
	if (f->new_path)
		sb_addf(rej, "+++ b/%s\n", f->new_path);
	else
		sb_adds(rej, "+++ /dev/null\n");
	sb_addf(rej, "@@ -%d,%d +%d,%d @@ %s\n", h->old_start, h->old_count, h->new_start, h->new_count,
		h->func ? h->func : "");
	for (size_t i = 0; i < h->lines.n; i++)
		sb_addf(rej, "%s\n", h->lines.v[i]);
	sb_addf(rej, "# rejected: %s\n", why);
	for (size_t i = 0; want && i < t->lines.n && !fn; i++) {
		char *name = definition_name(t->lines.v[i]);

		if (name && !strcmp(name, want))
			fn = function_at(t, i + 1, &start, &end);
		free(name);
	}
	if (fn) {
		sb_addf(rej, "# %s() in the tree now (lines %zu-%zu):\n", fn, start + 1, end + 1);
	} else {
		start = hint > 10 ? (size_t)hint - 10 : 0;
		end = start + h->old_count + 20;
		if (end >= t->lines.n)
			end = t->lines.n ? t->lines.n - 1 : 0;
		sb_addf(rej, "# the tree around line %ld, where the hunk was meant to go:\n", hint + 1);
	}
	for (size_t i = start; i <= end && i < t->lines.n; i++)
		sb_addf(rej, "#%5zu  %s\n", i + 1, t->lines.v[i]);
	sb_adds(rej, "\n");
	free(fn);
	free(want);
}

static bool dropped(const int *drop, size_t ndrop, int index)
{
	for (size_t i = 0; i < ndrop; i++)
		if (drop[i] == index)
			return true;
	return false;
}

/* Places and applies the hunks of one file; returns false on a conflict. */
static bool apply_file(const struct file_diff *f, struct text *t, int *index,
		       const int *drop, size_t ndrop, struct patch_record *rec, struct strbuf *rej)
{
	size_t from = 0;
	long shift = 0;
	bool ok = true;

	for (size_t k = 0; k < f->n; k++) {
		const struct hunk *h = &f->hunks[k];
		struct hunk_record *hr = new_hunk_record(rec, file_diff_path(f), ++*index);
		struct placement pl;
		char *ev;
		size_t line = 0;

		if (dropped(drop, ndrop, *index)) {
			hr->strategy = "dropped";
			continue;
		}
		if (hunk_equivalent_present(t, h, &ev, &line)) {
			hr->strategy = "equivalent";
			hr->why = ev;
			hr->line = line;
			continue;
		}
		hunk_place(t, h, from, h->old_start - 1 + shift, 2, &pl);
		/* context drift: placed by what it changes, compiled before it is committed */
		if (pl.result == PLACE_CONFLICT && pl.why && !strcmp(pl.why, "context not found")) {
			placement_free(&pl);
			hunk_place_anchored(t, h, from, h->old_start - 1 + shift, &pl);
			if (pl.result == PLACE_OK) {
				hr->why = pl.why;
				pl.why = NULL;
			}
		}
		hr->offset = pl.offset;
		hr->fuzz = pl.fuzz;
		hr->line = pl.at + 1;
		if (pl.result == PLACE_PRESENT) {
			hr->strategy = "present";
			hr->why = pl.why;
			continue;
		}
		if (pl.result == PLACE_CONFLICT) {
			hr->strategy = "conflict";
			hr->why = pl.why;
			add_reject(rej, f, h, t, h->old_start - 1 + shift, pl.why);
			ok = false;
			continue;
		}
		hr->strategy = pl.anchored ? "anchored" : pl.whitespace ? "whitespace" : pl.fuzz ? "fuzzy"
			       : pl.offset ? "offset" : "exact";
		shift += pl.offset + hunk_apply(t, h, &pl);
		from = pl.at + 1;
		placement_free(&pl);
	}
	return ok;
}

/* A change to path, appended to *changes. */
static struct change *add_change(struct change **changes, size_t *n, const char *path)
{
	struct change *ch;

	*changes = xrealloc(*changes, (*n + 1) * sizeof(**changes));
	ch = &(*changes)[(*n)++];
	memset(ch, 0, sizeof(*ch));
	ch->path = xstrdup(path);
	return ch;
}

/*
 * One file of a diff onto the branch head: the content it starts from (the
 * old path's, or nothing for a new file), its hunks, and what it leaves: a
 * new content at the new path, and the old path removed for a deletion or
 * a rename. Returns 0, 1 on a conflict, -1 on error.
 */
static int apply_one_file(struct port_ctx *c, const struct file_diff *f, int *index, const int *drop,
			  size_t ndrop, struct patch_record *rec, struct strbuf *rej, struct change **changes,
			  size_t *nchanges)
{
	const char *from = f->old_path ? f->old_path : f->new_path;
	struct strbuf data = STRBUF_INIT;
	struct change *ch;
	bool exists, ok;

	if (branch_read_file(c->repo, &c->head, from, &data, &exists)) {
		sb_release(&data);
		return -1;
	}
	if (!exists && f->old_path) {
		struct hunk_record *hr = new_hunk_record(rec, from, ++*index);

		hr->strategy = "conflict";
		hr->why = xasprintf("the patch changes '%s', which the tree lacks", from);
		sb_addf(rej, "# %s\n", hr->why);
		sb_release(&data);
		return 1;
	}
	ch = add_change(changes, nchanges, f->new_path ? f->new_path : f->old_path);
	text_from(&ch->text, data.buf, data.len);
	sb_release(&data);
	ok = apply_file(f, &ch->text, index, drop, ndrop, rec, rej);
	ch->executable = f->new_mode == 0100755;
	if (!f->new_path) {
		ok &= !ch->text.lines.n;	/* a deletion leaves nothing */
		ch->deleted = true;
	} else if (f->rename) {
		add_change(changes, nchanges, f->old_path)->deleted = true;
	}
	return ok ? 0 : 1;
}

/*
 * Applies diff d to the branch head in memory. Fills rec's hunks and
 * status; *changes gets what the patch does to every path it touches.
 */
static int apply_diff(struct port_ctx *c, const struct diff *d, const int *drop, size_t ndrop,
		      struct patch_record *rec, struct strbuf *rej, struct change **changes, size_t *nchanges)
{
	int index = 0;
	bool ok = true;
	size_t present = 0, equivalent = 0, fuzzy = 0, nd = 0, anchored = 0;

	*changes = NULL;
	*nchanges = 0;
	for (size_t i = 0; i < d->n; i++) {
		int r = apply_one_file(c, &d->files[i], &index, drop, ndrop, rec, rej, changes, nchanges);

		if (r < 0)
			return -1;
		ok &= !r;
	}
	for (size_t i = 0; i < rec->nhunks; i++) {
		const char *s = rec->hunks[i].strategy;

		present += !strcmp(s, "present");
		equivalent += !strcmp(s, "equivalent");
		nd += !strcmp(s, "dropped");
		fuzzy += !strcmp(s, "fuzzy") || !strcmp(s, "whitespace");
		anchored += !strcmp(s, "anchored");
	}
	if (ok && equivalent && present + equivalent + nd < rec->nhunks) {
		/* part of it there in another form, part not: a human must judge */
		sb_adds(rej, "# some hunks are already present in another form, others are not\n");
		ok = false;
	}
	if (!ok)
		rec->status = PS_CONFLICT;
	else if (present + equivalent + nd == rec->nhunks && present + equivalent)
		rec->status = PS_PRESENT;
	else if (nd || anchored)
		rec->status = PS_ADAPTED;
	else
		rec->status = fuzzy ? PS_FUZZY : PS_CLEAN;
	return 0;
}

/* "[ Upstream commit <id> ]" or "commit <id> upstream." in a message. */
static char *upstream_id(const char *msg)
{
	const char *s = strstr(msg, "[ Upstream commit ");
	size_t n;

	if (!s)
		return NULL;
	s += strlen("[ Upstream commit ");
	n = strspn(s, "0123456789abcdef");
	return n >= 7 ? xstrndup(s, n) : NULL;
}

static char *what_adapted(const struct patch_record *rec)
{
	struct strbuf sb = STRBUF_INIT;
	size_t fuzzy = 0, ws = 0;

	if (rec->how)
		sb_adds(&sb, rec->how);
	for (size_t i = 0; i < rec->nhunks; i++) {
		const struct hunk_record *h = &rec->hunks[i];

		fuzzy += !strcmp(h->strategy, "fuzzy");
		ws += !strcmp(h->strategy, "whitespace");
		if (!strcmp(h->strategy, "present") || !strcmp(h->strategy, "equivalent"))
			sb_addf(&sb, "%shunk %d already present (%s)", sb.len ? "; " : "", h->index, h->why);
	}
	if (fuzzy)
		sb_addf(&sb, "%s%zu hunk%s placed with reduced context", sb.len ? "; " : "", fuzzy,
			fuzzy == 1 ? "" : "s");
	if (ws)
		sb_addf(&sb, "%s%zu hunk%s matched ignoring whitespace", sb.len ? "; " : "", ws,
			ws == 1 ? "" : "s");
	return sb_detach(&sb);
}

/* A local fix is the backporter's own: signed off already, not twice. */
static bool signed_off(const struct spatch *p, const char *name, const char *email)
{
	char *who = xasprintf("%s <%s>", name, email);
	bool found = false;

	for (size_t i = 0; i < p->ntrailers && !found; i++)
		found = !strcasecmp(p->trailers[i].key, "Signed-off-by") && !strcmp(p->trailers[i].value, who);
	free(who);
	return found;
}

/*
 * The original message and trailers, then where it came from, what this
 * port changed, and the backporter's sign-off (stable-kernel style).
 */
static char *commit_message(const struct port_ctx *c, const struct spatch *p,
			    const struct patch_record *rec)
{
	struct strbuf sb = STRBUF_INIT;
	char *note;

	sb_addf(&sb, "%s\n\n", p->title);
	sb_adds(&sb, p->msg);
	if (p->ntrailers)
		sb_adds(&sb, "\n");
	for (size_t i = 0; i < p->ntrailers; i++)
		sb_addf(&sb, "%s: %s\n", p->trailers[i].key, p->trailers[i].value);
	if (!rec->prereq && !rec->local && p->message_id)
		sb_addf(&sb, "Link: https://lore.kernel.org/r/%s\n", p->message_id);
	else if (!rec->prereq && !rec->local && c->s.cover_message_id)
		sb_addf(&sb, "Link: https://lore.kernel.org/r/%s\n", c->s.cover_message_id);
	note = what_adapted(rec);
	if (rec->status != PS_CLEAN && *note)
		sb_addf(&sb, "[ %s: %s ]\n", c->r->kernel, note);
	free(note);
	if (!signed_off(p, c->who_name, c->who_email))
		sb_addf(&sb, "Signed-off-by: %s <%s>\n", c->who_name, c->who_email);
	return sb_detach(&sb);
}

static const char *prereq_state(const struct patch_record *rec)
{
	switch (rec->status) {
	case PS_PRESENT:
		return "present";
	case PS_SKIPPED:
		return "skipped";
	case PS_CONFLICT:
		return "conflict";
	default:
		return "ported";
	}
}

/* What triage would say of the patch on the tree as the port found it. */
static const char *port_verdict(const struct patch_record *rec)
{
	const char *state = prereq_state(rec);

	if (rec->verdict)
		return rec->verdict;
	return strcmp(state, "ported") ? state : "applies";
}

static char *record_json(const struct patch_record *rec)
{
	json_t *o = json_object(), *hs = json_array();
	char *s;

	json_object_set_new(o, "patch", json_integer(rec->n));
	json_object_set_new(o, "prereq", json_boolean(rec->prereq));
	if (rec->local)
		json_object_set_new(o, "local", json_true());
	json_object_set_new(o, "status", json_string(port_status_name(rec->status)));
	json_object_set_new(o, "verdict", json_string(port_verdict(rec)));
	json_object_set_new(o, "source", json_string(rec->source ? rec->source : ""));
	if (rec->how)
		json_object_set_new(o, "how", json_string(rec->how));
	for (size_t i = 0; i < rec->nhunks; i++) {
		const struct hunk_record *h = &rec->hunks[i];
		json_t *hj = json_object();

		json_object_set_new(hj, "file", json_string(h->file));
		json_object_set_new(hj, "hunk", json_integer(h->index));
		json_object_set_new(hj, "strategy", json_string(h->strategy));
		json_object_set_new(hj, "offset", json_integer(h->offset));
		json_object_set_new(hj, "fuzz", json_integer(h->fuzz));
		json_object_set_new(hj, "line", json_integer(h->line));
		if (h->why)
			json_object_set_new(hj, "why", json_string(h->why));
		json_array_append_new(hs, hj);
	}
	json_object_set_new(o, "hunks", hs);
	s = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return s;
}

/* A commit of changes on the branch head, with p's author; on no branch yet. */
static int commit_changes(struct port_ctx *c, const struct spatch *p, const char *msg, struct change *changes,
			  size_t n, git_oid *out)
{
	struct file_change *fc = xcalloc(n, sizeof(*fc));
	char **data = xcalloc(n, sizeof(*data));
	struct person author = { p->author_name, p->author_email ? p->author_email : "", p->when };
	struct person committer = { c->who_name, c->who_email, p->when };
	int ret;

	for (size_t i = 0; i < n; i++) {
		fc[i].path = changes[i].path;
		fc[i].executable = changes[i].executable;
		if (changes[i].deleted)
			continue;
		data[i] = text_join(&changes[i].text, &fc[i].len);
		fc[i].data = data[i];
	}
	ret = branch_commit(c->repo, &c->head, fc, n, &author, &committer, msg, out);
	for (size_t i = 0; i < n; i++)
		free(data[i]);
	free(data);
	free(fc);
	return ret;
}

static int commit_patch(struct port_ctx *c, const struct spatch *p, struct patch_record *rec,
			struct change *changes, size_t n)
{
	char *msg = commit_message(c, p, rec), *note;
	int ret = commit_changes(c, p, msg, changes, n, &rec->commit);

	if (c->o->plan) {
		/* in memory only: what the patches after it are judged on */
		if (!ret)
			c->head = rec->commit;
		free(msg);
		return ret;
	}
	signals_hold(true);
	if (!ret)
		ret = branch_set(c->repo, c->r->branch, &rec->commit, "kbackport port");
	if (!ret) {
		note = record_json(rec);
		ret = branch_note(c->repo, &rec->commit, note);
		free(note);
		c->head = rec->commit;
		rec->committed = true;
	}
	signals_hold(false);
	free(msg);
	return ret;
}

/*
 * Stops the port: the branch stays at the last good commit, checked out
 * and clean; the rejects and the hunks that did apply (as a diff against
 * the branch, for a human to apply, finish and `port --continue`) go to
 * work/ports/<series>/<kernel>/. The tree is never left half-patched.
 */
static int stop_on_conflict(struct port_ctx *c, const struct spatch *p, const struct patch_record *rec,
			    const char *rej, struct change *changes, size_t n)
{
	char *stem = rec->prereq ? xasprintf("prereq-%s", path_basename(rec->source))
		     : rec->local ? xasprintf("local-%s", path_basename(rec->source))
				 : xasprintf("%04d", rec->n);
	char *path = xasprintf("%s/%s.rej", c->ports_dir, stem);
	char *partial = xasprintf("%s/%s.partial.diff", c->ports_dir, stem);
	char *state = xasprintf("%s/state", c->ports_dir);
	char *st = xasprintf("series %s\npatch %d\nprereq %d\nlocal %d\n", c->o->series_dir, rec->n, rec->prereq,
			     rec->local);
	struct strbuf diff = STRBUF_INIT;
	git_oid applied;
	int ret = KB_EXIT_CONFLICT;

	if (c->o->plan) {
		/* the patches after it are judged on the hunks that applied */
		ret = commit_changes(c, p, "the hunks that applied", changes, n, &applied);
		if (!ret)
			c->head = applied;
		free(stem);
		free(path);
		free(partial);
		free(state);
		free(st);
		return ret;
	}
	c->r->rej = path;
	c->r->partial = partial;
	if (commit_changes(c, p, "the hunks that applied", changes, n, &applied) ||
	    branch_diff(c->repo, &c->head, &applied, &diff))
		ret = -1;
	signals_hold(true);
	if (ret == -1 || write_file_atomic(path, rej, strlen(rej)) ||
	    write_file_atomic(partial, diff.buf ? diff.buf : "", diff.len) ||
	    write_file_atomic(state, st, strlen(st)) || branch_checkout(c->repo, c->r->branch))
		ret = -1;
	signals_hold(false);
	sb_release(&diff);
	free(stem);
	free(state);
	free(st);
	return ret;
}

static void prereq_files(const struct port_ctx *c, struct strvec *out)
{
	series_layer_files(c->o->series_dir, "prereqs", c->o->kernel, out);
}

/* The local fixes, none when the series is ported as posted. */
static void local_files(const struct port_ctx *c, struct strvec *out)
{
	if (!c->o->no_local)
		series_layer_files(c->o->series_dir, "local", c->o->kernel, out);
}

/* <kernel>/fixups/NNNN-*<suffix> for series patch n, or NULL. */
static char *fixups_entry(const struct port_ctx *c, int n, const char *suffix)
{
	char *dir = xasprintf("%s/%s/fixups", c->o->series_dir, c->o->kernel);
	struct strvec files = STRVEC_INIT;
	char prefix[16];
	char *found = NULL;

	dir_files(dir, suffix, &files);
	snprintf(prefix, sizeof(prefix), "%04d-", n);
	for (size_t i = 0; i < files.n && !found; i++)
		if (starts_with(path_basename(files.v[i]), prefix))
			found = xstrdup(files.v[i]);
	sv_release(&files);
	free(dir);
	return found;
}

/* backports/<series>/<kernel>/fixups/NNNN-*.patch, a human's recorded resolution. */
static char *find_fixup(const struct port_ctx *c, int n)
{
	return fixups_entry(c, n, ".patch");
}

/* Review items whose action is to drop a hunk (drop has room for one per item). */
static size_t review_drops(const struct spatch *p, int *drop, struct strbuf *how)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nreviews; i++) {
		const struct review_item *r = &p->reviews[i];

		if (!r->action || strcmp(r->action, "drop-hunk") || r->hunk <= 0)
			continue;
		drop[n++] = r->hunk;
		sb_addf(how, "%shunk %d dropped as %s asked in review%s", how->len ? "; " : "", r->hunk,
			r->reviewer, r->resolution && !strcmp(r->resolution, "agreed") ?
			" and the author agreed for the next version" : "");
	}
	return n;
}

static char *present_evidence(const struct patch_record *rec)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < rec->nhunks; i++) {
		const struct hunk_record *h = &rec->hunks[i];

		if (h->why)
			sb_addf(&sb, "%s%s: %s", sb.len ? "; " : "", h->file, h->why);
	}
	return sb_detach(&sb);
}

/* Applies a rule's diff to the file's text; its hunks must fit exactly (spatch wrote them). */
static int apply_rule_diff(struct port_ctx *c, struct patch_record *rec, const struct cocci_rule *r,
			   const struct file_diff *f, struct text *t)
{
	char *strategy = xasprintf("cocci:%s", r->name);
	long shift = 0;
	size_t from = 0;
	int ret = 0;

	sv_push_owned(&c->r->strategies, strategy);
	for (size_t k = 0; k < f->n && !ret; k++) {
		struct hunk_record *hr = new_hunk_record(rec, f->old_path, (int)rec->nhunks + 1);
		struct placement pl;

		hunk_place(t, &f->hunks[k], from, f->hunks[k].old_start - 1 + shift, 0, &pl);
		hr->strategy = strategy;
		hr->line = pl.at + 1;
		hr->why = xasprintf("rewritten by %s", r->path);
		if (pl.result != PLACE_OK || pl.whitespace)
			ret = error_code(KB_EXIT_FAIL, "spatch's output for rule '%s' does not fit '%s'",
					 r->path, f->old_path);
		else
			shift += hunk_apply(t, &f->hunks[k], &pl);
		from = pl.at + 1;
		placement_free(&pl);
	}
	return ret;
}

/* Runs one rule over one changed file (written under work/ports/<kernel>/cocci/). */
static int run_rule(struct port_ctx *c, struct patch_record *rec, const struct cocci_rule *r,
		    struct change *ch, struct strbuf *how)
{
	char *dir = xasprintf("%s/cocci", c->ports_dir);
	struct strvec files = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t len;
	char *data = text_join(&ch->text, &len), *why = NULL;
	struct diff d = { 0 };
	int ret = mkdir_p(dir) || treepath_write(dir, ch->path, data, len, 0644) ? -1 : 0;

	sv_push(&files, ch->path);
	if (!ret)
		ret = cocci_spatch(r, dir, &files, git_repository_workdir(c->repo), &out);
	if (!ret && out.len) {
		if (diff_parse(out.buf, &d, &why))
			ret = error_code(KB_EXIT_FAIL, "cannot read spatch's output for rule '%s' on '%s': %s",
					 r->path, ch->path, why);
		else if (diff_check(&d, &why))
			ret = error_code(KB_EXIT_FAIL, "spatch's output for rule '%s' on '%s' %s", r->path, ch->path, why);
		for (size_t i = 0; i < d.n && !ret; i++)
			if (!d.files[i].old_path || strcmp(d.files[i].old_path, ch->path))
				ret = error_code(KB_EXIT_FAIL, "spatch's output for rule '%s' changes '%s', not '%s'",
						 r->path, file_diff_path(&d.files[i]), ch->path);
		for (size_t i = 0; i < d.n && !ret; i++)
			ret = apply_rule_diff(c, rec, r, &d.files[i], &ch->text);
		if (!ret) {
			sb_addf(how, "%scocci:%s on %s", how->len ? "; " : "", r->name, ch->path);
			rec->status = PS_ADAPTED;
		}
		diff_free(&d);
	}
	free(why);
	free(data);
	free(dir);
	sb_release(&out);
	sv_release(&files);
	return ret;
}

/* NNNN of "NNNN-name": the series patch a per-series rule adapts. */
static int rule_patch(const struct cocci_rule *r)
{
	return atoi(r->name);
}

/*
 * After a patch is applied: the cocci/api rules the tree needs, then the
 * series' rules for this patch, each over every C file the patch changed.
 */
static int run_rules(struct port_ctx *c, struct patch_record *rec, struct change *changes, size_t n)
{
	struct strbuf how = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < c->napi + c->nrules && !ret; i++) {
		const struct cocci_rule *r = i < c->napi ? &c->api[i] : &c->rules[i - c->napi];

		if (i >= c->napi && (rec->prereq || rule_patch(r) != rec->n))
			continue;
		for (size_t k = 0; k < n && !ret; k++)
			if (!changes[k].deleted && (ends_with(changes[k].path, ".c") || ends_with(changes[k].path, ".h")))
				ret = run_rule(c, rec, r, &changes[k], &how);
	}
	if (how.len) {
		char *old = rec->how;

		rec->how = old ? xasprintf("%s; %s", old, how.buf) : xstrdup(how.buf);
		free(old);
	}
	sb_release(&how);
	return ret;
}

/*
 * A patch that does not apply, judged as a whole (triage.h): already in the
 * tree in another form, or why not, said first in its rejects.
 */
static int triage_conflict(struct port_ctx *c, const struct spatch *p, const char *diff,
			   struct patch_record *rec, struct strbuf *rej)
{
	struct spatch whole = *p;
	struct triage_view v;
	struct triage_result r;
	struct strbuf head = STRBUF_INIT;

	if (diff)
		whole.diff = (char *)diff;
	triage_view_init(&v, c->repo, &c->head);
	if (triage_patch(&v, &whole, &r)) {
		triage_view_release(&v);
		return -1;
	}
	rec->verdict = triage_verdict_key(r.verdict);
	if (r.verdict == TRIAGE_PRESENT) {
		rec->status = PS_PRESENT;
		free(rec->how);
		rec->how = xasprintf("already present despite context drift: %s", r.evidence);
	} else {
		sb_addf(&head, "# triage on %s: %s", c->o->kernel, triage_verdict_text(r.verdict));
		for (size_t i = 0; i < r.needs.n; i++)
			sb_addf(&head, "%s%s", i ? ", " : " ", r.needs.v[i]);
		sb_addf(&head, ": %s\n", r.evidence ? r.evidence : "");
		sb_adds(&head, rej->buf ? rej->buf : "");
		sb_release(rej);
		*rej = head;
		free(rec->how);
		rec->how = xasprintf("%s%s%s", triage_verdict_text(r.verdict), r.evidence ? ": " : "",
				     r.evidence ? r.evidence : "");
	}
	triage_result_free(&r);
	triage_view_release(&v);
	return 0;
}

/*
 * A hunk placed by what it changes (context drift) is trusted only once it
 * compiles: the patch's commit, on no branch yet, checked out in the
 * "port-check" worktree and the objects of the files with such hunks built
 * with the kernel's config. Returns 0, 1 when it does not compile (rec
 * becomes a conflict, the reason in rej), -1 on error.
 */
static int compile_anchored(struct port_ctx *c, const struct spatch *p, struct patch_record *rec,
			    struct change *changes, size_t n, struct strbuf *rej)
{
	struct strvec files = STRVEC_INIT, errors = STRVEC_INIT;
	char *log = xasprintf("%s/%04d.compile.log", c->ports_dir, rec->n);
	const char *header = NULL;
	git_oid commit;
	int ret = -1;

	for (size_t i = 0; i < rec->nhunks; i++)
		if (!strcmp(rec->hunks[i].strategy, "anchored") && !sv_contains(&files, rec->hunks[i].file))
			sv_push(&files, rec->hunks[i].file);
	for (size_t i = 0; i < files.n && !header; i++)
		if (!ends_with(files.v[i], ".c") && (starts_with(files.v[i], "include/") || starts_with(files.v[i], "arch/")))
			header = files.v[i];
	if (!files.n) {
		ret = 0;
		goto out;
	}
	if (header || !c->o->compile) {
		sb_addf(rej, header ? "# a hunk placed by what it changes in '%s', a header with no object to compile "
			"it by: not trusted\n" : "# hunks placed by what they change, and nothing to compile them with: "
			"not trusted%s\n", header ? header : "");
		rec->status = PS_CONFLICT;
		ret = 1;
		goto out;
	}
	if (c->o->plan) {
		char *old = rec->how;

		rec->how = xasprintf("%s%shunks placed by what they change in %s: the port compiles them before "
				     "committing", old ? old : "", old ? "; " : "", files.v[0]);
		free(old);
		ret = 0;
		goto out;
	}
	if (mkdir_p(c->ports_dir) || commit_changes(c, p, "port-check", changes, n, &commit))
		goto out;
	note("compiling the hunks placed by what they change: %s", files.v[0]);
	if (!c->o->compile(c->repo, &c->k, &commit, &files, log, &errors)) {
		char *old = rec->how;

		rec->how = xasprintf("%s%shunks placed by what they change compiled (%s)", old ? old : "",
				     old ? "; " : "", log);
		free(old);
		ret = 0;
	} else if (kb_errcode == KB_EXIT_BUILD) {
		sb_addf(rej, "# hunks placed by what they change do not compile (%s): %s\n", log,
			errors.n ? errors.v[0] : "make failed");
		rec->status = PS_CONFLICT;
		kb_errcode = 0;
		ret = 1;
	}
out:
	sv_release(&files);
	sv_release(&errors);
	free(log);
	return ret;
}

/*
 * One patch: apply diff_file's diff (the patch itself, or a fixup) with
 * msg_file's message. Returns 0, KB_EXIT_CONFLICT or -1.
 */
static int port_one(struct port_ctx *c, struct patch_record *rec, const char *msg_file,
		    const char *diff_file, const int *drop, size_t ndrop)
{
	struct spatch p, fix = { 0 };
	struct diff d;
	struct strbuf rej = STRBUF_INIT;
	struct change *changes = NULL;
	size_t nchanges = 0;
	char *why = NULL;
	int ret = -1;

	if (series_read_patch_file(msg_file, &p))
		return -1;
	rec->title = xstrdup(p.title);
	rec->source = xstrdup(diff_file);
	if (rec->prereq)
		rec->upstream = upstream_id(p.msg);
	if (diff_file != msg_file) {
		struct strbuf text = STRBUF_INIT;

		if (read_file(diff_file, &text))
			goto out;
		fix.diff = sb_detach(&text);
	}
	if (diff_parse(fix.diff ? fix.diff : p.diff, &d, &why)) {
		error_code(KB_EXIT_BADINPUT, "cannot read the diff in '%s': %s", diff_file, why);
		goto out;
	}
	ret = apply_diff(c, &d, drop, ndrop, rec, &rej, &changes, &nchanges);
	diff_free(&d);
	if (ret)
		goto out;
	if (rec->status != PS_CONFLICT && rec->status != PS_PRESENT &&
	    run_rules(c, rec, changes, nchanges)) {
		ret = -1;
		goto out;
	}
	if (rec->status == PS_ADAPTED && compile_anchored(c, &p, rec, changes, nchanges, &rej) < 0) {
		ret = -1;
		goto out;
	}
	if (fix.diff && rec->status != PS_CONFLICT && rec->status != PS_PRESENT) {
		char *old = rec->how;

		rec->status = PS_ADAPTED;
		rec->how = old ? xasprintf("resolution recorded in %s; %s", diff_file, old)
			       : xasprintf("resolution recorded in %s", diff_file);
		free(old);
	}
	if (rec->status == PS_CONFLICT && triage_conflict(c, &p, fix.diff, rec, &rej)) {
		ret = -1;
		goto out;
	}
	if (rec->status == PS_PRESENT) {
		if (!rec->verdict) {
			free(rec->how);
			rec->how = present_evidence(rec);
		}
	} else if (rec->status == PS_CONFLICT) {
		ret = stop_on_conflict(c, &p, rec, rej.buf ? rej.buf : "", changes, nchanges);
	} else {
		ret = commit_patch(c, &p, rec, changes, nchanges);
	}
out:
	changes_free(changes, nchanges);
	sb_release(&rej);
	free(fix.diff);
	free(why);
	spatch_free(&p);
	return ret;
}

static void add_prereq_record(struct port_report *r, const char *commit, const char *subject,
			      const char *cited, const char *state, char *evidence)
{
	struct prereq_record *q;

	r->prereqs = xrealloc(r->prereqs, (r->nprereqs + 1) * sizeof(*r->prereqs));
	q = &r->prereqs[r->nprereqs++];
	q->commit = xstrdup(commit ? commit : "");
	q->subject = xstrdup(subject ? subject : "");
	q->cited = xstrdup(cited);
	q->state = xstrdup(state);
	q->evidence = evidence;
}

static const struct patch_record *local_prereq(const struct port_report *r, const char *id)
{
	for (size_t i = 0; i < r->nrecs; i++) {
		const char *u = r->recs[i].upstream;
		size_t n;

		if (!r->recs[i].prereq || !u)
			continue;
		n = strlen(u) < strlen(id) ? strlen(u) : strlen(id);
		if (!strncmp(u, id, n))
			return &r->recs[i];
	}
	return NULL;
}

/*
 * A Fixes: target is in the tree when the code the fix changes is (or the
 * fix itself stands), absent when that code is not here (triage.h).
 */
static const char *fixes_state(struct port_ctx *c, const struct spatch *citing, const char *commit, char **evidence)
{
	char *path = xasprintf("%s/%s", c->o->series_dir, citing->filename);
	const char *state = "missing";
	struct triage_view v;
	struct triage_result r;
	struct spatch p;

	*evidence = NULL;
	triage_view_init(&v, c->repo, &c->r->base);
	if (!series_read_patch_file(path, &p) && !triage_patch(&v, &p, &r)) {
		for (size_t i = 0; i < r.ncited && !*evidence; i++) {
			if (strcmp(r.cited[i].cited, "Fixes") || strcmp(r.cited[i].commit, commit) ||
			    !strcmp(r.cited[i].state, "unknown"))
				continue;
			state = r.cited[i].state;
			*evidence = xstrdup(r.cited[i].evidence);
		}
		triage_result_free(&r);
		spatch_free(&p);
	}
	kb_errcode = 0;
	triage_view_release(&v);
	free(path);
	if (!*evidence)
		*evidence = xstrdup("no backport of it under prereqs/, and nothing the fix changes was found in the tree");
	return state;
}

/* The file we ported it from, or why it is present, skipped or in conflict. */
static char *prereq_evidence(const struct patch_record *rec)
{
	if (rec->status == PS_CLEAN || rec->status == PS_FUZZY || rec->status == PS_ADAPTED)
		return xstrdup(rec->source);
	return xstrdup(rec->how ? rec->how : rec->source);
}

static void series_prereq_records(struct port_ctx *c)
{
	for (int i = 0; i < c->s.total; i++) {
		const struct spatch *p = &c->s.patches[i];

		for (size_t k = 0; k < p->nprereqs; k++) {
			const struct prereq *q = &p->prereqs[k];
			const struct patch_record *rec = local_prereq(c->r, q->commit);
			char *ev;

			if (rec) {
				add_prereq_record(c->r, q->commit, q->subject, q->cited, prereq_state(rec),
						  prereq_evidence(rec));
			} else if (!strcmp(q->cited, "Fixes")) {
				const char *state = fixes_state(c, p, q->commit, &ev);

				add_prereq_record(c->r, q->commit, q->subject, q->cited, state, ev);
			} else {
				add_prereq_record(c->r, q->commit, q->subject, q->cited, "missing",
						  xstrdup("no backport of it under prereqs/ and no evidence it is in the tree"));
			}
		}
	}
	for (size_t i = 0; i < c->r->nrecs; i++) {
		const struct patch_record *rec = &c->r->recs[i];
		bool cited = false;

		for (size_t k = 0; k < c->r->nprereqs && rec->upstream; k++)
			cited |= !strncmp(c->r->prereqs[k].commit, rec->upstream, strlen(c->r->prereqs[k].commit));
		if (rec->prereq && !cited)
			add_prereq_record(c->r, rec->upstream, rec->title, "local", prereq_state(rec),
					  prereq_evidence(rec));
	}
}

static int set_identity(struct port_ctx *c)
{
	const char *s = c->o->signoff ? c->o->signoff : getenv("KBACKPORT_SIGNOFF");

	if (s && *s) {
		const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;

		if (!lt || !gt)
			return error_code(KB_EXIT_USAGE, "bad sign-off '%s' (want 'Name <email>')", s);
		c->who_name = trim_dup(s, lt - s);
		c->who_email = xstrndup(lt + 1, gt - lt - 1);
		return 0;
	}
	if (branch_identity(c->repo, &c->who_name, &c->who_email))
		return -1;
	if (c->who_name)
		return 0;
	if (c->o->plan) {
		/* its commits never leave memory: nobody signs them */
		c->who_name = xstrdup("kbackport port --plan");
		c->who_email = xstrdup("plan@localhost");
		return 0;
	}
	return error_code(KB_EXIT_USAGE,
			  "no identity for the backporter's Signed-off-by: set git config user.name/user.email, "
			  "KBACKPORT_SIGNOFF or --signoff");
}

/* The user's tree must be clean, and the series complete, before anything moves. */
static int check_inputs(struct port_ctx *c)
{
	struct strvec dirty = STRVEC_INIT;
	struct strbuf names = STRBUF_INIT;
	char *state = xasprintf("%s/state", c->ports_dir);
	bool stopped = path_exists(state);

	free(state);
	for (int i = 0; i < c->s.total; i++) {
		char *path = xasprintf("%s/%s", c->o->series_dir, c->s.patches[i].filename);
		bool ok = path_exists(path);

		free(path);
		if (!ok)
			return error_code(KB_EXIT_NOINPUT, "series directory '%s' lacks '%s'", c->o->series_dir,
					  c->s.patches[i].filename);
	}
	if (c->o->plan)
		return 0;	/* a plan reads commits, never the work tree */
	if (repo_dirty_files(c->repo, &dirty))
		return -1;
	for (size_t i = 0; i < dirty.n && i < 5; i++)
		sb_addf(&names, "%s'%s'", i ? ", " : "", dirty.v[i]);
	if (dirty.n > 5)
		sb_addf(&names, " and %zu more", dirty.n - 5);
	if (dirty.n)
		error_code(KB_EXIT_BADINPUT, "tree '%s' has changes: %s%s", git_repository_workdir(c->repo),
			   names.buf, stopped ? " (a port stopped on a conflict: fix it and run "
						"'kbackport port --continue', or discard the changes)" : "");
	sv_release(&dirty);
	sb_release(&names);
	return kb_errcode == KB_EXIT_BADINPUT ? -1 : 0;
}

/* A .skip file's one line, and where it is, or NULL when there is none. */
static char *read_skip(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *reason = NULL;

	if (path_exists(path) && !read_file(path, &sb)) {
		rtrim(sb.buf);
		reason = xasprintf("%s (%s)", sb.buf, path);
	}
	sb_release(&sb);
	return reason;
}

/* prereqs/<kernel>/NNNN-x.skip says why this kernel does not carry NNNN-x.patch. */
static char *skip_reason(const struct port_ctx *c, const char *patch)
{
	char *base = xstrndup(path_basename(patch), strlen(path_basename(patch)) - strlen(".patch"));
	char *path = xasprintf("%s/prereqs/%s/%s.skip", c->o->series_dir, c->o->kernel, base);
	char *reason = read_skip(path);

	free(path);
	free(base);
	return reason;
}

/*
 * <kernel>/fixups/NNNN-x.skip: this kernel does not carry series patch
 * NNNN, and why (the code it changes is not there, say); shown as skipped.
 */
static char *series_skip_reason(const struct port_ctx *c, int n)
{
	char *path = fixups_entry(c, n, ".skip");
	char *reason = path ? read_skip(path) : NULL;

	free(path);
	return reason;
}

/* Every file a patch changes exists in the base, or an earlier patch creates it. */
static int check_diff_files(struct port_ctx *c, const char *file, bool fixup, struct strvec *known)
{
	struct spatch p = { 0 };
	struct diff d;
	struct strbuf data = STRBUF_INIT, text = STRBUF_INIT;
	char *why = NULL;
	int ret = 0;

	if (fixup ? read_file(file, &text) : series_read_patch_file(file, &p))
		return -1;
	if (diff_parse(fixup ? text.buf : p.diff, &d, &why)) {
		ret = error_code(KB_EXIT_BADINPUT, "cannot read the diff in '%s': %s", file, why);
		goto out;
	}
	/* the gate again: a series directory edited after import is input too */
	if (diff_check(&d, &why)) {
		ret = error_code(KB_EXIT_BADINPUT, "'%s' %s", file, why);
		diff_free(&d);
		goto out;
	}
	for (size_t i = 0; i < d.n && !ret; i++) {
		const char *path = d.files[i].old_path;
		bool exists;

		if (path && !sv_contains(known, path)) {
			if (branch_read_file(c->repo, &c->r->base, path, &data, &exists))
				ret = -1;
			else if (!exists)
				ret = error_code(KB_EXIT_BADINPUT, "'%s' changes '%s', which %s lacks", file, path,
						 c->o->kernel);
			else
				sv_push(known, path);
		}
		/* what a patch creates or renames to, later patches may change */
		if (d.files[i].new_path && !sv_contains(known, d.files[i].new_path))
			sv_push(known, d.files[i].new_path);
	}
	diff_free(&d);
out:
	free(why);
	sb_release(&data);
	sb_release(&text);
	spatch_free(&p);
	return ret;
}

static int check_files(struct port_ctx *c)
{
	struct strvec known = STRVEC_INIT, files = STRVEC_INIT;
	int ret = 0;

	prereq_files(c, &files);
	for (size_t i = 0; i < files.n && !ret; i++) {
		char *skip = skip_reason(c, files.v[i]);

		if (!skip)
			ret = check_diff_files(c, files.v[i], false, &known);
		free(skip);
	}
	sv_release(&files);
	for (int i = 0; !ret && i < c->s.total; i++) {
		char *fix = find_fixup(c, c->s.patches[i].n);
		char *up = xasprintf("%s/%s", c->o->series_dir, c->s.patches[i].filename);

		ret = check_diff_files(c, fix ? fix : up, fix != NULL, &known);
		free(fix);
		free(up);
	}
	local_files(c, &files);
	for (size_t i = 0; i < files.n && !ret; i++)
		ret = check_diff_files(c, files.v[i], false, &known);
	sv_release(&files);
	sv_release(&known);
	return ret;
}

/* The cocci/api rules the survey says this tree needs, usable and parsed. */
static int load_api_rules(struct port_ctx *c)
{
	struct cocci_rule *all;
	size_t n;
	int ret = cocci_rules_load(cocci_api_dir(), &all, &n);

	c->api = xcalloc(n + 1, sizeof(*c->api));
	for (size_t i = 0; i < n && !ret; i++) {
		struct cocci_verdict v;

		ret = cocci_survey(c->repo, &c->r->base, &all[i], &v);
		if (!ret && v.needed && !v.usable)
			ret = error_code(KB_EXIT_BADINPUT, "rule '%s' is needed on %s, but the tree lacks what it uses (%s)",
					 all[i].path, c->o->kernel, v.evidence.v[v.evidence.n - 1]);
		if (!ret && v.needed) {
			c->api[c->napi++] = all[i];
			memset(&all[i], 0, sizeof(all[i]));
		}
		if (!ret && !v.needed)
			cocci_rule_free(&all[i]);
		cocci_verdict_free(&v);
	}
	cocci_rules_free(all, n);
	return ret;
}

/* A series' rule with Needed-if probes runs only on the trees where they hold. */
static int drop_unneeded_rules(struct port_ctx *c)
{
	size_t kept = 0;
	int ret = 0;

	for (size_t i = 0; i < c->nrules; i++) {
		struct cocci_verdict v = { 0 };
		bool keep = true;

		if (c->rules[i].nneeded_if) {
			ret = ret ? ret : cocci_survey(c->repo, &c->r->base, &c->rules[i], &v);
			keep = !ret && v.needed;
			cocci_verdict_free(&v);
		}
		if (keep)
			c->rules[kept++] = c->rules[i];
		else
			cocci_rule_free(&c->rules[i]);
	}
	c->nrules = kept;
	return ret;
}

/*
 * backports/<series>/cocci/NNNN-*.cocci: NNNN is the series patch the rule
 * adapts (it runs on the files that patch changed, right after it); an INFO
 * beside them says why each exists. Every rule that will run must parse
 * before anything moves.
 */
static int load_rules(struct port_ctx *c)
{
	char *dir = xasprintf("%s/cocci", c->o->series_dir), *info = xasprintf("%s/INFO", dir);
	int ret = load_api_rules(c);

	if (!ret)
		ret = cocci_rules_load(dir, &c->rules, &c->nrules);
	if (!ret && c->nrules && !path_exists(info))
		ret = error_code(KB_EXIT_BADINPUT, "'%s' has rules but no INFO saying why", dir);
	if (!ret)
		ret = drop_unneeded_rules(c);
	for (size_t i = 0; i < c->nrules && !ret; i++) {
		int n = rule_patch(&c->rules[i]);

		if (n < 1 || n > c->s.total || strspn(c->rules[i].name, "0123456789") != 4 ||
		    c->rules[i].name[4] != '-')
			ret = error_code(KB_EXIT_BADINPUT, "rule '%s' is not named NNNN-*.cocci after a patch of the series (1..%d)",
					 c->rules[i].path, c->s.total);
	}
	for (size_t i = 0; i < c->napi + c->nrules && !ret; i++)
		ret = cocci_check_rule(i < c->napi ? &c->api[i] : &c->rules[i - c->napi]);
	free(dir);
	free(info);
	return ret;
}

/* <work>/ports/<series>/<kernel>, created: the rejects, the state of a stopped port, port.json. */
static char *ports_dir(const struct port_opts *o)
{
	char *series = store_series_name(o->series_dir);
	char *dir = store_port_dir(series, o->kernel);

	free(series);
	return dir;
}

/* The revision the tree was imported from: what port.json and the exports name. */
static int tree_source(struct port_ctx *c)
{
	struct source_rev rev;

	if (repo_tree_revision(c->repo, &c->k, &rev))
		return -1;
	c->r->source = rev.label ? xstrdup(rev.label) : xstrdup("unknown");
	source_rev_free(&rev);
	return 0;
}

static int setup(struct port_ctx *c, const struct port_opts *o, struct port_report *r)
{
	memset(c, 0, sizeof(*c));
	memset(r, 0, sizeof(*r));
	c->o = o;
	c->r = r;
	r->kernel = xstrdup(o->kernel);
	r->branch = port_branch_name(o->series_dir, o->kernel);
	r->series = xstrdup(o->series_dir);
	r->plan = o->plan;
	if (kernel_find(o->kernel, &c->k))
		return -1;
	if (o->plan) {
		/* rule runs and nothing else: removed when the plan is done */
		if (!(c->ports_dir = temp_dir("plan")))
			return -1;
	} else {
		if (repo_lock(o->kernel, "port") || !(c->ports_dir = ports_dir(o)))
			return -1;
		c->locked = true;
	}
	if (!is_dir(o->series_dir))
		return error_code(KB_EXIT_NOINPUT, "cannot open series directory '%s'", o->series_dir);
	if (series_load(o->series_dir, &c->s))
		return -1;
	r->total = c->s.total;
	if (repo_open_tree(o->kernel, &c->repo) || (o->plan && repo_write_in_memory(c->repo)) || tree_source(c) ||
	    check_inputs(c) || set_identity(c) ||
	    repo_base_commit(c->repo, &r->base) || check_files(c) ||
	    load_rules(c))
		return -1;
	return 0;
}

static void teardown(struct port_ctx *c)
{
	if (c->locked)
		repo_unlock(c->o->kernel);
	if (c->o->plan && c->ports_dir)
		remove_tree(c->ports_dir);
	kernel_free(&c->k);
	series_free(&c->s);
	git_repository_free(c->repo);
	free(c->who_name);
	free(c->who_email);
	free(c->ports_dir);
	cocci_rules_free(c->api, c->napi);
	cocci_rules_free(c->rules, c->nrules);
}

static int port_prereqs(struct port_ctx *c)
{
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	prereq_files(c, &files);
	for (size_t i = 0; i < files.n && !ret; i++) {
		struct patch_record *rec = new_record(c->r);
		char *skip = skip_reason(c, files.v[i]);

		rec->prereq = true;
		rec->n = (int)i + 1;
		if (skip) {
			struct spatch p;

			rec->status = PS_SKIPPED;
			rec->how = skip;
			rec->source = xstrdup(files.v[i]);
			ret = series_read_patch_file(files.v[i], &p);
			if (!ret) {
				rec->title = xstrdup(p.title);
				rec->upstream = upstream_id(p.msg);
				spatch_free(&p);
			}
		} else {
			ret = port_one(c, rec, files.v[i], files.v[i], NULL, 0);
		}
	}
	sv_release(&files);
	return ret;
}

static int port_series(struct port_ctx *c)
{
	int ret = 0;

	for (int i = 0; i < c->s.total && !ret; i++) {
		const struct spatch *sp = &c->s.patches[i];
		struct patch_record *rec = new_record(c->r);
		char *upstream = xasprintf("%s/%s", c->o->series_dir, sp->filename);
		char *fix = find_fixup(c, sp->n), *skip = series_skip_reason(c, sp->n);
		struct strbuf how = STRBUF_INIT;
		/* every review item can drop a hunk: no cap */
		int *drop = xcalloc(sp->nreviews + 1, sizeof(*drop));
		size_t ndrop = fix ? 0 : review_drops(sp, drop, &how);

		rec->n = sp->n;
		rec->how = how.len ? sb_detach(&how) : NULL;
		if (skip) {
			free(rec->how);
			rec->status = PS_SKIPPED;
			rec->how = skip;
			rec->title = xstrdup(sp->title);
			rec->source = xstrdup(upstream);
		} else {
			ret = port_one(c, rec, upstream, fix ? fix : upstream, drop, ndrop);
		}
		sb_release(&how);
		free(drop);
		free(upstream);
		free(fix);
	}
	return ret;
}

/* The backporter's fixes, after the series: the same engine, each labelled local. */
static int port_local(struct port_ctx *c)
{
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	local_files(c, &files);
	for (size_t i = 0; i < files.n && !ret; i++) {
		struct patch_record *rec = new_record(c->r);

		rec->local = true;
		rec->n = (int)i + 1;
		ret = port_one(c, rec, files.v[i], files.v[i], NULL, 0);
		c->r->nlocal++;
	}
	sv_release(&files);
	return ret;
}

static int write_result(struct port_ctx *c);

int port_run(const struct port_opts *o, struct port_report *r)
{
	struct port_ctx c;
	int ret = setup(&c, o, r);

	if (!ret && !o->plan)
		ret = branch_checkout(c.repo, "base");
	if (!ret && !o->plan)
		ret = branch_set(c.repo, r->branch, &r->base, "kbackport port: reset to base");
	if (!ret && o->plan) {
		c.head = r->base;
		ret = port_prereqs(&c);
	} else if (!ret) {
		char *state = xasprintf("%s/state", c.ports_dir);

		unlink(state);
		free(state);
		c.head = r->base;
		ret = port_prereqs(&c);
	}
	if (!ret)
		ret = port_series(&c);
	r->posted = c.head;
	if (!ret)
		ret = port_local(&c);
	r->tip = c.head;
	if (c.repo && r->nrecs) {
		series_prereq_records(&c);
		if (!o->plan)
			write_result(&c);
	}
	teardown(&c);
	if (ret < 0)
		return kb_errcode ? kb_errcode : KB_EXIT_FAIL;
	return ret;
}

static json_t *report_json(const struct port_report *r)
{
	json_t *o = json_object(), *recs = json_array(), *pre = json_array();
	char id[GIT_OID_HEXSZ + 1];

	json_object_set_new(o, "kernel", json_string(r->kernel));
	json_object_set_new(o, "series", json_string(r->series));
	json_object_set_new(o, "branch", json_string(r->branch));
	json_object_set_new(o, "base", json_string(git_oid_tostr(id, sizeof(id), &r->base)));
	json_object_set_new(o, "tip", json_string(git_oid_tostr(id, sizeof(id), &r->tip)));
	json_object_set_new(o, "posted", json_string(git_oid_tostr(id, sizeof(id), &r->posted)));
	json_object_set_new(o, "source", json_string(r->source ? r->source : "unknown"));
	if (r->plan)
		json_object_set_new(o, "plan", json_true());	/* nothing was committed */
	for (size_t i = 0; i < r->nprereqs; i++) {
		const struct prereq_record *q = &r->prereqs[i];

		json_array_append_new(pre, triage_cited_json(q->commit, q->subject, q->cited, q->state, q->evidence));
	}
	json_object_set_new(o, "prereqs", pre);
	for (size_t i = 0; i < r->nrecs; i++) {
		char *s = record_json(&r->recs[i]);
		json_t *j = json_loads(s, 0, NULL);

		json_object_set_new(j, "subject", json_string(r->recs[i].title ? r->recs[i].title : ""));
		if (r->recs[i].upstream)
			json_object_set_new(j, "upstream", json_string(r->recs[i].upstream));
		if (r->recs[i].committed)
			json_object_set_new(j, "commit", json_string(git_oid_tostr(id, sizeof(id), &r->recs[i].commit)));
		json_array_append_new(recs, j);
		free(s);
	}
	json_object_set_new(o, "patches", recs);
	json_object_set_new(o, "rej", r->rej ? json_string(r->rej) : json_null());
	json_object_set_new(o, "partial", r->partial ? json_string(r->partial) : json_null());
	return o;
}

char *port_report_json(const struct port_report *r)
{
	json_t *o = report_json(r);
	char *s = json_dumps(o, JSON_INDENT(2));

	json_decref(o);
	return s;
}

/* <work>/ports/<series>/<kernel>/port.json: what later stages and the report read. */
static int write_result(struct port_ctx *c)
{
	json_t *o = report_json(c->r);
	char *path = xasprintf("%s/port.json", c->ports_dir);
	int ret = results_write(path, o);

	json_decref(o);
	free(path);
	return ret;
}

static int read_state(const char *ports_dir, int *patch, bool *prereq, bool *local)
{
	char *path = xasprintf("%s/state", ports_dir);
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int ret = 0;

	if (!path_exists(path)) {
		ret = error_code(KB_EXIT_USAGE, "no port stopped on a conflict ('%s' is missing)", path);
	} else if (read_file(path, &sb) || !(p = strstr(sb.buf, "patch "))) {
		ret = error_code(KB_EXIT_BADINPUT, "cannot read '%s'", path);
	} else {
		*patch = atoi(p + 6);
		*prereq = strstr(sb.buf, "prereq 1") != NULL;
		*local = strstr(sb.buf, "local 1") != NULL;
	}
	sb_release(&sb);
	free(path);
	return ret;
}

/* Saves the work tree's changes on top of the branch as the fixup of patch n. */
static int record_fixup(struct port_ctx *c, int n)
{
	struct strbuf diff = STRBUF_INIT, text = STRBUF_INIT;
	const struct spatch *sp = &c->s.patches[n - 1];
	char *dir = xasprintf("%s/%s/fixups", c->o->series_dir, c->o->kernel);
	char *slug = subject_slug(sp->title, 52);
	char *path = xasprintf("%s/%04d-%s.patch", dir, n, slug);
	git_oid tip;
	int ret = -1;

	if (branch_get(c->repo, c->r->branch, &tip) || branch_diff(c->repo, &tip, NULL, &diff))
		goto out;
	if (!diff.len) {
		error_code(KB_EXIT_USAGE, "nothing to record: the tree has no changes for patch %d/%d", n, c->s.total);
		goto out;
	}
	sb_addf(&text, "Resolution of [%d/%d] %s\nfor %s, recorded by 'kbackport port --continue'.\n"
		"The port applies this diff in place of the patch's own.\n\n%s",
		n, c->s.total, sp->title, c->o->kernel, diff.buf);
	if (mkdir_p(dir) || write_file_atomic(path, text.buf, text.len))
		goto out;
	note("recorded '%s'", path);
	ret = 0;
out:
	sb_release(&diff);
	sb_release(&text);
	free(dir);
	free(slug);
	free(path);
	return ret;
}

int port_continue(const struct port_opts *o, struct port_report *r)
{
	struct port_ctx c;
	int n = 0, ret = -1;
	bool prereq = false, local = false;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.r = r;
	memset(r, 0, sizeof(*r));
	r->kernel = xstrdup(o->kernel);
	r->branch = port_branch_name(o->series_dir, o->kernel);
	if (kernel_find(o->kernel, &c.k) || repo_lock(o->kernel, "port --continue"))
		goto out;
	c.locked = true;
	if (!(c.ports_dir = ports_dir(o)) || read_state(c.ports_dir, &n, &prereq, &local))
		goto out;
	if (prereq || local) {
		error_code(KB_EXIT_USAGE, "the port stopped on a %s: fix the file under %s/%s/ instead",
			   prereq ? "prerequisite" : "local fix", o->series_dir, prereq ? "prereqs" : "local");
		goto out;
	}
	if (series_load(o->series_dir, &c.s) || repo_open_tree(o->kernel, &c.repo) ||
	    n < 1 || n > c.s.total || record_fixup(&c, n) || branch_checkout(c.repo, "base"))
		goto out;
	ret = 0;
out:
	teardown(&c);
	free(r->kernel);
	free(r->branch);
	memset(r, 0, sizeof(*r));
	if (ret)
		return kb_errcode ? kb_errcode : KB_EXIT_FAIL;
	return port_run(o, r);
}

void port_report_free(struct port_report *r)
{
	for (size_t i = 0; i < r->nrecs; i++) {
		struct patch_record *rec = &r->recs[i];

		for (size_t k = 0; k < rec->nhunks; k++) {
			free(rec->hunks[k].file);
			free(rec->hunks[k].why);
		}
		free(rec->hunks);
		free(rec->title);
		free(rec->upstream);
		free(rec->source);
		free(rec->how);
	}
	free(r->recs);
	for (size_t i = 0; i < r->nprereqs; i++) {
		free(r->prereqs[i].commit);
		free(r->prereqs[i].subject);
		free(r->prereqs[i].cited);
		free(r->prereqs[i].state);
		free(r->prereqs[i].evidence);
	}
	free(r->prereqs);
	free(r->kernel);
	free(r->series);
	free(r->branch);
	free(r->source);
	free(r->rej);
	free(r->partial);
	sv_release(&r->strategies);
	memset(r, 0, sizeof(*r));
}
