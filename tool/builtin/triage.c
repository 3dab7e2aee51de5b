// SPDX-License-Identifier: GPL-2.0
/* kbackport triage [--series DIR | FILE...] [--kernels a,b|all] [--json] */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/kbuild.h"
#include "builtin/builtin.h"
#include "git/branch.h"
#include "git/repo.h"
#include "lib/lg2.h"
#include "lib/store.h"
#include "port/triage.h"

static const struct kb_option options[] = {
	KB_OPTION_SERIES_DIR,
	{ "kernels", 'k', 0, "a,b|all", "the trees to judge on (default: all, every kernels/*.yaml imported)" },
	{ "json", 'j', 0, NULL, "print the verdicts as JSON" },
	{ "upstream", 'u', 0, "PATH", "where cited commits are read: a git repository, or patch mails "
	  "(default: $KBACKPORT_UPSTREAM)" },
	{ "backports", 'b', 0, "FILE|DIR", "stable backports of the fixes ([PATCH 6.1 ...]; a directory: its *.mbox); "
	  "repeatable" },
	{ NULL },
};

const struct kb_usage usage_triage = {
	.name = "triage",
	.summary = "tell, per patch and tree, whether a fix is needed, present or not applicable",
	.forms = (const char *const[]){
		"triage [{series}] [{kernels}] [{json}] [{upstream}]",
		"triage <file>... [{kernels}] [{json}] [{upstream}] [{backports}]...",
		NULL,
	},
	.options = options,
	.text = "For every patch and every tree: 'needed: applies', 'needed: needs\n"
		"<commits>', 'already present', 'not applicable (bug absent)' or\n"
		"'conflict', each with evidence a reviewer can find in the tree. Files\n"
		"are archive pages or mboxes read as a stream of fixes (each patch mail\n"
		"on its own); a series directory is judged in order, its prereqs/ in\n"
		"front. Reads the imported trees and changes nothing.\n"
		"--upstream: each cited commit (Fixes: and commit <id> (\"...\")) is\n"
		"looked for by the lines it added; a fix whose every Fixes: target is\n"
		"absent is not applicable.\n"
		"--backports: for each stable backport a tree carries (same subject,\n"
		"its [PATCH <version>] the tree's), the porting literature's protocol:\n"
		"the backport undone in memory, the upstream form ported there, the\n"
		"result compared with the human's: identical, equivalent (whitespace\n"
		"and comments aside; then compiled in a scratch worktree), different or\n"
		"conflict.",
};

/* One patch to judge and where it came from. */
struct item {
	struct spatch p;
	char *label;
};

struct kernel_view {
	const char *name;
	struct kernel_desc k;
	char *version;			/* "6.1" */
	git_oid base;
	git_repository *repo;
	struct triage_view plain;	/* the tree and the patches before */
	struct triage_view pre;		/* the same with the series' prerequisites in front */
	struct strvec pre_names;	/* the prerequisites that went in */
	struct strvec pre_files;	/* the files each changed, one line of names per prerequisite */
};

static int read_files(char **files, int n, struct item **items, size_t *nitems)
{
	for (int i = 0; i < n; i++) {
		struct spatch *v = NULL;
		size_t nv = 0;

		if (series_read_stream(files[i], &v, &nv))
			return -1;
		for (size_t k = 0; k < nv; k++) {
			*items = xrealloc(*items, (*nitems + 1) * sizeof(**items));
			(*items)[*nitems].p = v[k];
			(*items)[(*nitems)++].label = nv > 1 ? xasprintf("%s #%zu", files[i], k + 1) : xstrdup(files[i]);
		}
		free(v);
	}
	return 0;
}

static int read_series(const char *dir, struct item **items, size_t *nitems)
{
	struct series s;

	if (series_load(dir, &s))
		return -1;
	*items = xcalloc(s.total + 1, sizeof(**items));
	for (int i = 0; i < s.total; i++) {
		char *path = xasprintf("%s/%s", dir, s.patches[i].filename);
		int ret = series_read_patch_file(path, &(*items)[i].p);

		(*items)[i].label = xasprintf("[%d/%d]", i + 1, s.total);
		(*nitems)++;
		free(path);
		if (ret) {
			series_free(&s);
			return -1;
		}
	}
	series_free(&s);
	return 0;
}

/* The series' prerequisites for this kernel, each put in front where it fits. */
static int apply_prereqs(const char *series_dir, struct kernel_view *kv)
{
	struct strvec files = STRVEC_INIT;
	int ret = 0;

	series_layer_files(series_dir, "prereqs", kv->name, &files);
	for (size_t i = 0; i < files.n && !ret; i++) {
		struct spatch p;
		struct triage_result r;

		if (series_read_patch_file(files.v[i], &p))
			return -1;
		ret = triage_patch(&kv->pre, &p, &r);
		if (!ret && r.verdict == TRIAGE_APPLIES) {
			struct strbuf paths = STRBUF_INIT;

			ret = triage_view_apply(&kv->pre, &p);
			sv_push_owned(&kv->pre_names, xasprintf("%s (%s)", path_basename(files.v[i]), p.title));
			for (size_t k = 0; k < r.nhunks; k++)
				sb_addf(&paths, "\n%s\n", r.hunks[k].file);
			sv_push_owned(&kv->pre_files, sb_detach(&paths));
		}
		triage_result_free(&r);
		spatch_free(&p);
	}
	sv_release(&files);
	return ret;
}

static json_t *result_json(const struct triage_result *r)
{
	json_t *o = json_object(), *needs = json_array(), *hunks = json_array(), *cited = json_array();

	json_object_set_new(o, "verdict", json_string(triage_verdict_key(r->verdict)));
	json_object_set_new(o, "text", json_string(triage_verdict_text(r->verdict)));
	json_object_set_new(o, "evidence", json_string(r->evidence ? r->evidence : ""));
	for (size_t i = 0; i < r->needs.n; i++)
		json_array_append_new(needs, json_string(r->needs.v[i]));
	json_object_set_new(o, "needs", needs);
	for (size_t i = 0; i < r->ncited; i++) {
		const struct triage_cited *c = &r->cited[i];

		json_array_append_new(cited, triage_cited_json(c->commit, c->subject, c->cited, c->state, c->evidence));
	}
	json_object_set_new(o, "cited", cited);
	for (size_t i = 0; i < r->nhunks; i++) {
		json_t *h = json_object();

		json_object_set_new(h, "file", json_string(r->hunks[i].file));
		json_object_set_new(h, "hunk", json_integer(r->hunks[i].index));
		json_object_set_new(h, "how", json_string(r->hunks[i].how));
		json_object_set_new(h, "line", json_integer((json_int_t)r->hunks[i].line));
		if (r->hunks[i].why)
			json_object_set_new(h, "why", json_string(r->hunks[i].why));
		json_array_append_new(hunks, h);
	}
	json_object_set_new(o, "hunks", hunks);
	return o;
}

static void print_result(const char *kernel, const struct triage_result *r, json_t *backports)
{
	size_t i;
	json_t *b;

	printf("  %-14s %s", kernel, triage_verdict_text(r->verdict));
	for (size_t i = 0; i < r->needs.n; i++)
		printf("%s%s", i ? ", " : " ", r->needs.v[i]);
	printf("\n  %-14s   %s\n", "", r->evidence ? r->evidence : "");
	for (i = 0; i < r->ncited; i++)
		printf("  %-14s   %s %s (\"%s\"): %s — %s\n", "", r->cited[i].cited, r->cited[i].commit, r->cited[i].subject,
		       r->cited[i].state, r->cited[i].evidence);
	for (i = 0; i < r->nhunks; i++)
		if (!strcmp(r->hunks[i].how, "anchored") || !strcmp(r->hunks[i].how, "conflict"))
			printf("  %-14s   hunk %d %s: %s (%s)\n", "", r->hunks[i].index, r->hunks[i].file, r->hunks[i].how,
			       r->hunks[i].why ? r->hunks[i].why : "");
	json_array_foreach(backports, i, b) {
		const char *why = json_string_value(json_object_get(b, "why"));
		const char *compiled = json_string_value(json_object_get(b, "compiled"));

		printf("  %-14s   stable backport %s: %s%s%s%s%s\n", "", json_string_value(json_object_get(b, "backport")),
		       json_string_value(json_object_get(b, "outcome")), *why ? " — " : "", why,
		       compiled ? "; " : "", compiled ? compiled : "");
	}
}

/*
 * One patch on one tree: on its own, and if that fails, behind the series'
 * prerequisites. A series' patch goes on top of the ones before it; fixes
 * read from files are each judged on the tree as it is.
 */
static int judge(struct kernel_view *kv, const struct spatch *p, bool series, struct triage_result *r)
{
	struct triage_result with;

	if (triage_patch(&kv->plain, p, r))
		return -1;
	if (r->verdict == TRIAGE_APPLIES && series)
		return triage_view_apply(&kv->plain, p) || triage_view_apply(&kv->pre, p) ? -1 : 0;
	if (r->verdict == TRIAGE_PRESENT || !kv->pre_names.n)
		return 0;
	if (triage_patch(&kv->pre, p, &with))
		return -1;
	if (with.verdict == TRIAGE_APPLIES) {
		char *ev = xasprintf("it applies behind the series' prerequisites; alone: %s", r->evidence ? r->evidence : "");

		triage_result_free(r);
		*r = with;
		free(r->evidence);
		r->evidence = ev;
		r->verdict = TRIAGE_NEEDS;
		sv_release(&r->needs);
		/* the prerequisites that change a file this patch changes */
		for (size_t i = 0; i < kv->pre_names.n; i++) {
			bool shared = false;

			for (size_t k = 0; k < r->nhunks && !shared; k++) {
				char *key = xasprintf("\n%s\n", r->hunks[k].file);

				shared = strstr(kv->pre_files.v[i], key) != NULL;
				free(key);
			}
			if (shared)
				sv_push(&r->needs, kv->pre_names.v[i]);
		}
		return triage_view_apply(&kv->pre, p);
	}
	triage_result_free(&with);
	return 0;
}

/* "PATCH 6.1", "PATCH 6.1.y" name stable series 6.1; a prefix without a version fits any tree. */
static bool for_version(const char *prefix, const char *version)
{
	size_t n = strlen(version);
	bool versioned = false;

	for (const char *p = prefix ? prefix : ""; *p; p += strcspn(p, " "), p += *p == ' ') {
		size_t len = strcspn(p, " ");

		if (p[0] < '0' || p[0] > '9' || !memchr(p, '.', len))
			continue;
		versioned = true;
		if (len >= n && !strncmp(p, version, n) && (len == n || !strncmp(p + n, ".y", len - n)))
			return true;
	}
	return !versioned;
}

static int read_backports(const struct strvec *paths, struct item **items, size_t *nitems)
{
	struct strvec files = STRVEC_INIT;
	int ret;

	for (size_t i = 0; i < paths->n; i++) {
		if (is_dir(paths->v[i]))
			dir_files(paths->v[i], ".mbox", &files);
		else
			sv_push(&files, paths->v[i]);
	}
	ret = read_files(files.v, (int)files.n, items, nitems);
	sv_release(&files);
	return ret;
}

/*
 * An equivalent port is trusted once it compiles: our result committed on
 * the tree (on no branch), the files it touches built with the kernel's config.
 */
static int compile_ours(struct kernel_view *kv, const struct triage_compare *cmp, const char *label, char **how)
{
	struct file_change *fc = xcalloc(cmp->paths.n + 1, sizeof(*fc));
	char **data = xcalloc(cmp->paths.n + 1, sizeof(*data));
	struct person who = { "kbackport", "kbackport@localhost", 0 };
	struct strvec errors = STRVEC_INIT;
	char *dir = store_path("triage"), *slug = subject_slug(label, 40);
	char *log = xasprintf("%s/%s-%s.compile.log", dir, kv->name, slug);
	git_oid commit;
	int ret = -1;

	for (size_t i = 0; i < cmp->paths.n; i++) {
		fc[i].path = cmp->paths.v[i];
		data[i] = text_join(&cmp->texts[i], &fc[i].len);
		fc[i].data = data[i];
	}
	if (mkdir_p(dir) || branch_commit(kv->repo, &kv->base, fc, cmp->paths.n, &who, &who, "triage: our port",
					  &commit))
		goto out;
	if (!kbuild_check_commit(kv->repo, &kv->k, &commit, &cmp->paths, log, &errors)) {
		*how = xasprintf("compiled (%s)", log);
		ret = 0;
	} else if (kb_errcode == KB_EXIT_BUILD) {
		*how = xasprintf("does not compile (%s): %s", log, errors.n ? errors.v[0] : "make failed");
		kb_errcode = 0;
		ret = 0;
	}
out:
	for (size_t i = 0; i < cmp->paths.n; i++)
		free(data[i]);
	free(data);
	free(fc);
	sv_release(&errors);
	free(dir);
	free(slug);
	free(log);
	return ret;
}

/*
 * The protocol on every backport of p for this tree, a JSON array of
 * outcomes. A backport that comes off the tree is in it: the fix is present.
 */
static int compare_backports(struct kernel_view *kv, const struct spatch *p, const struct item *bp, size_t nbp,
			     struct triage_result *r, json_t **out)
{
	*out = json_array();
	for (size_t i = 0; i < nbp; i++) {
		struct triage_compare cmp;
		char *compiled = NULL;
		json_t *o;

		if (strcasecmp(bp[i].p.title, p->title) || !for_version(bp[i].p.prefix, kv->version))
			continue;
		if (triage_compare_backport(kv->repo, &kv->base, p, &bp[i].p, &cmp) ||
		    (cmp.outcome == TRIAGE_EQUIVALENT && compile_ours(kv, &cmp, p->title, &compiled))) {
			triage_compare_free(&cmp);
			return -1;
		}
		o = json_pack("{s:s, s:s, s:s}", "backport", bp[i].label, "outcome", triage_outcome_key(cmp.outcome),
			      "why", cmp.why ? cmp.why : "");
		if (compiled)
			json_object_set_new(o, "compiled", json_string(compiled));
		json_array_append_new(*out, o);
		if (cmp.outcome != TRIAGE_NOT_CARRIED && r->verdict != TRIAGE_PRESENT) {
			free(r->evidence);
			r->evidence = xasprintf("the stable backport in '%s' is in the tree (it comes off it cleanly)",
						bp[i].label);
			r->verdict = TRIAGE_PRESENT;
			sv_release(&r->needs);
		}
		free(compiled);
		triage_compare_free(&cmp);
	}
	return 0;
}

int cmd_triage(int argc, char **argv)
{
	struct strvec kernels = STRVEC_INIT;
	struct kernel_view *kv = NULL;
	struct item *items = NULL, *bp = NULL;
	size_t nitems = 0, nbp = 0;
	struct strvec backports = STRVEC_INIT;
	struct triage_upstream up = { 0 };
	const char *upstream = getenv("KBACKPORT_UPSTREAM");
	const char *klist = "all";
	char *series = NULL;
	bool json = false;
	json_t *doc = json_object(), *jpatches = json_array(), *jkernels = json_array();
	int c, ret = -1;
	int counts[TRIAGE_CONFLICT + 1] = { 0 };

	while ((c = kb_getopt(argc, argv, &usage_triage)) != -1) {
		switch (c) {
		case 's':
			free(series);
			series = xstrdup(optarg);
			break;
		case 'k':
			klist = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'b':
			sv_push(&backports, optarg);
			break;
		case 'u':
			upstream = optarg;
			break;
		default:
			free(series);
			json_decref(doc);
			return usage_error(&usage_triage);
		}
	}
	if (series && optind < argc) {
		free(series);
		json_decref(doc);
		return usage_error(&usage_triage);
	}
	if (!series && optind == argc)
		series = default_series_dir();
	if (series ? read_series(series, &items, &nitems) : read_files(argv + optind, argc - optind, &items, &nitems))
		goto out;
	if (read_backports(&backports, &bp, &nbp) || (upstream && *upstream && triage_upstream_open(upstream, &up)) ||
	    select_kernels(klist, &kernels))
		goto out;
	kv = xcalloc(kernels.n + 1, sizeof(*kv));
	for (size_t k = 0; k < kernels.n; k++) {
		char *v;

		kv[k].name = kernels.v[k];
		if (repo_open_tree(kernels.v[k], &kv[k].repo) || repo_base_commit(kv[k].repo, &kv[k].base) ||
		    (nbp && (kernel_find(kernels.v[k], &kv[k].k) ||
			     repo_kernel_version(kv[k].repo, &kv[k].base, &v))))
			goto out;
		if (nbp) {
			/* "6.1.192" -> "6.1" */
			char *dot = strchr(v, '.');

			kv[k].version = dot && strchr(dot + 1, '.') ? xstrndup(v, strchr(dot + 1, '.') - v) : xstrdup(v);
			free(v);
		}
		triage_view_init(&kv[k].plain, kv[k].repo, &kv[k].base);
		triage_view_init(&kv[k].pre, kv[k].repo, &kv[k].base);
		kv[k].plain.upstream = kv[k].pre.upstream = upstream && *upstream ? &up : NULL;
		if (series && apply_prereqs(series, &kv[k]))
			goto out;
		json_array_append_new(jkernels, json_string(kernels.v[k]));
	}
	if (!json)
		printf("triage of %zu patch%s on %zu tree%s (nothing is changed)\n", nitems, nitems == 1 ? "" : "es",
		       kernels.n, kernels.n == 1 ? "" : "s");
	for (size_t i = 0; i < nitems; i++) {
		json_t *jp = json_object(), *jv = json_object();

		json_object_set_new(jp, "source", json_string(items[i].label));
		json_object_set_new(jp, "title", json_string(items[i].p.title));
		if (items[i].p.message_id)
			json_object_set_new(jp, "message_id", json_string(items[i].p.message_id));
		if (!json)
			printf("\n%s %s\n", items[i].label, items[i].p.title);
		for (size_t k = 0; k < kernels.n; k++) {
			struct triage_result r;
			json_t *jr, *jb = NULL;

			if (judge(&kv[k], &items[i].p, series != NULL, &r)) {
				json_decref(jp);
				json_decref(jv);
				goto out;
			}
			if (nbp && compare_backports(&kv[k], &items[i].p, bp, nbp, &r, &jb)) {
				triage_result_free(&r);
				json_decref(jp);
				json_decref(jv);
				goto out;
			}
			counts[r.verdict]++;
			jr = result_json(&r);
			json_object_set_new(jv, kernels.v[k], jr);
			if (nbp)
				json_object_set_new(jr, "backports", jb);
			if (!json)
				print_result(kernels.v[k], &r, jb);
			triage_result_free(&r);
		}
		json_object_set_new(jp, "verdicts", jv);
		json_array_append_new(jpatches, jp);
	}
	json_object_set_new(doc, "kernels", jkernels);
	jkernels = NULL;
	json_object_set_new(doc, "patches", jpatches);
	jpatches = NULL;
	if (json) {
		char *s = json_dumps(doc, JSON_INDENT(2));

		puts(s);
		free(s);
	} else {
		printf("\n");
		for (int v = 0; v <= TRIAGE_CONFLICT; v++)
			printf("%s%d %s", v ? ", " : "", counts[v], triage_verdict_text(v));
		printf("\n");
	}
	ret = 0;
out:
	for (size_t k = 0; kv && k < kernels.n; k++) {
		triage_view_release(&kv[k].plain);
		triage_view_release(&kv[k].pre);
		sv_release(&kv[k].pre_names);
		sv_release(&kv[k].pre_files);
		kernel_free(&kv[k].k);
		free(kv[k].version);
		git_repository_free(kv[k].repo);
	}
	free(kv);
	for (size_t i = 0; i < nitems; i++) {
		spatch_free(&items[i].p);
		free(items[i].label);
	}
	free(items);
	for (size_t i = 0; i < nbp; i++) {
		spatch_free(&bp[i].p);
		free(bp[i].label);
	}
	free(bp);
	sv_release(&backports);
	triage_upstream_free(&up);
	json_decref(jpatches);
	json_decref(jkernels);
	json_decref(doc);
	sv_release(&kernels);
	free(series);
	if (ret)
		return kb_errcode ? kb_errcode : KB_EXIT_FAIL;
	return 0;
}
