// SPDX-License-Identifier: GPL-2.0
/*
 * One variant of one kernel built in its own worktree and build directory,
 * the image reused while (commit, merged config) has not changed, and
 * <work>/results/<kernel>/<variant>/build.json written; the vendor-config
 * compile check of base and patched (build.h).
 */
#define _GNU_SOURCE
#include "build/build.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/kbuild.h"
#include "git/branch.h"
#include "git/repo.h"
#include "git/source.h"
#include "lib/run.h"
#include "lib/store.h"


/*
 * posted: the port's commit before its local fixes, from port.json, which
 * must describe the branch as it is (tip is the branch's tip).
 */
static int posted_commit(struct build *b, const char *branch, git_oid *tip, git_oid *out)
{
	json_t *port = store_read(b->series_name, b->k.name, STORE_PORT, "port.json");
	const char *t = json_string_value(json_object_get(port, "tip"));
	const char *p = json_string_value(json_object_get(port, "posted"));
	git_oid stored;
	int ret = 0;

	if (!t || !p || git_oid_fromstr(&stored, t) || !git_oid_equal(&stored, tip) || git_oid_fromstr(out, p))
		ret = error_code(KB_EXIT_NOINPUT, "the port record of '%s' does not describe branch '%s': "
				 "run 'kbackport port %s' first", b->k.name, branch, b->k.name);
	json_decref(port);
	return ret;
}

/* The commit a variant builds: the imported base, the tip of the port branch, or the series as posted. */
static int variant_commit(struct build *b, const char *variant, git_oid *out)
{
	char *branch;
	int rc;

	if (!strcmp(variant, "base"))
		return repo_base_commit(b->repo, out);
	branch = port_branch_name(b->series, b->k.name);
	rc = branch_get(b->repo, branch, out);
	if (rc > 0)
		error_code(KB_EXIT_NOINPUT, "no branch '%s' in '%s/trees/%s': run 'kbackport port %s' first",
			   branch, work_dir(), b->k.name, b->k.name);
	if (!rc && !strcmp(variant, "posted"))
		rc = posted_commit(b, branch, out, out);
	free(branch);
	return rc ? -1 : 0;
}

/* A variant's tree: worktree checked out, O= directory (name) ready. */
static int open_tree(struct build *b, const char *variant, const char *name, const char *link_name,
		     struct kbuild_tree *t)
{
	memset(t, 0, sizeof(*t));
	t->series = b->series_name;
	t->kernel = b->k.name;
	t->variant = variant;
	if (variant_commit(b, variant, &t->commit) || kbuild_worktree(b->repo, t) ||
	    kbuild_out_dir(t, name, link_name))
		return -1;
	return 0;
}

static json_t *checkpatch_json(const struct checkpatch_report *c, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:i, s:i, s:o}", "commit", c[i].commit,
						   "subject", c[i].subject, "errors", c[i].errors,
						   "warnings", c[i].warnings, "checks", c[i].checks,
						   "lines", results_strv(&c[i].lines)));
	return a;
}

/* From the JSON, so a stored build says the same as a fresh one. */
static void print_checkpatch(const char *prefix, json_t *commits)
{
	int e = 0, w = 0, k = 0;
	size_t i, j, n = json_array_size(commits);
	json_t *c, *line;

	json_array_foreach(commits, i, c) {
		e += json_integer_value(json_object_get(c, "errors"));
		w += json_integer_value(json_object_get(c, "warnings"));
		k += json_integer_value(json_object_get(c, "checks"));
	}
	printf("%s: checkpatch on %zu commit%s: %d error%s, %d warning%s, %d check%s\n", prefix, n,
	       n == 1 ? "" : "s", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s", k, k == 1 ? "" : "s");
	json_array_foreach(commits, i, c)
		json_array_foreach(json_object_get(c, "lines"), j, line)
			printf("    %.12s %s\n", json_string_value(json_object_get(c, "commit")),
			       json_string_value(line));
}

/* Lines of a failed build's log shown: where make stopped. */
#define LOG_TAIL 25

static void print_tail(const char *log, size_t lines)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	size_t n = 0;

	if (read_file(log, &sb))
		return;
	for (p = sb.buf + sb.len; p > sb.buf && n <= lines; p--)
		n += p[-1] == '\n';
	fprintf(stderr, "%s", p == sb.buf ? p : p + 1);
	sb_release(&sb);
}

/* The stored build still holds: same key, and the image it names is the one it hashed. */
static bool build_is_current(json_t *stored, const char *key)
{
	const char *image = json_string_value(json_object_get(stored, "image"));
	const char *hash = json_string_value(json_object_get(stored, "image_hash"));
	results_hash now;

	return stored && results_key_matches(stored, key) && image && hash && path_exists(image) &&
	       !results_hash_file(image, now) && !strcmp(now, hash);
}

/*
 * <dir>/config.inputs: the hash of a config's inputs (kbuild_config_inputs())
 * and of the .config Kconfig made from them. Whether they are these inputs',
 * and then the config hash.
 */
static bool stored_config(const char *path, const results_hash inputs, results_hash config_hash)
{
	struct strbuf text = STRBUF_INIT;
	size_t n = strlen(inputs);
	bool same = false;

	if (path_exists(path) && !read_file_max(path, &text, 2 * sizeof(results_hash) + 1) &&
	    text.len == 2 * n + 2 && !strncmp(text.buf, inputs, n) && text.buf[n] == ' ' && text.buf[2 * n + 1] == '\n') {
		memcpy(config_hash, text.buf + n + 1, n);
		config_hash[n] = '\0';
		same = true;
	}
	sb_release(&text);
	return same;
}

static int keep_config(const char *path, const results_hash inputs, const results_hash config_hash)
{
	char *line = xasprintf("%s %s\n", inputs, config_hash);
	int ret = write_file_atomic(path, line, strlen(line));

	free(line);
	return ret;
}

static void print_vendor(const char *prefix, json_t *v, const char *how)
{
	size_t nb = json_array_size(json_object_get(v, "base_warnings"));
	size_t i;
	json_t *w;

	printf("%s: vendor-config check: base %zu warning%s, patched %zu, %zu new (%s)\n", prefix, nb,
	       nb == 1 ? "" : "s", json_array_size(json_object_get(v, "patched_warnings")),
	       json_array_size(json_object_get(v, "new_warnings")), how);
	json_array_foreach(json_object_get(v, "new_warnings"), i, w)
		printf("    new: %s\n", json_string_value(w));
}

/*
 * Base and patched compiled under the vendor config in their own O=
 * directories; stored in results/<kernel>/patched/vendor-check.json, keyed
 * by both commits and the vendor config's content.
 */
/* The vendor config of the tree's own revision (source_vendor_config()), in place of the YAML's path. */
static int resolve_vendor_config(struct build *b)
{
	struct source_rev rev;
	char *path;
	int ret;

	if (repo_tree_revision(b->repo, &b->k, &rev))
		return -1;
	ret = source_vendor_config(&b->k, rev.version, &path);
	source_rev_free(&rev);
	if (ret)
		return -1;
	free(b->k.vendor_config);
	b->k.vendor_config = path;
	return 0;
}

int build_vendor_check(struct build *b, const char *prefix)
{
	static const char *const variants[] = { "base", "patched" };
	struct strvec touched = STRVEC_INIT, warnings[2] = { STRVEC_INIT, STRVEC_INIT }, fresh = STRVEC_INIT;
	struct kbuild_tree t[2] = { 0 };
	char *dir = NULL, *json_path = NULL, *key = NULL, *how = NULL;
	json_t *stored = NULL, *obj = NULL;
	char hex[2][GIT_OID_HEXSZ + 1];
	git_oid commit[2];
	results_hash vh;
	double start = run_now();
	int ret = -1;

	if (resolve_vendor_config(b) || kbuild_vendor_ready(&b->k) || variant_commit(b, "base", &commit[0]) ||
	    variant_commit(b, "patched", &commit[1]))
		goto cleanup;
	dir = store_results_dir(b->series_name, b->k.name, "patched");
	if (!dir || results_hash_file(b->k.vendor_config, vh) ||
	    kbuild_touched_files(b->repo, &commit[0], &commit[1], &touched))
		goto cleanup;
	git_oid_tostr(hex[0], sizeof(hex[0]), &commit[0]);
	git_oid_tostr(hex[1], sizeof(hex[1]), &commit[1]);
	json_path = xasprintf("%s/vendor-check.json", dir);
	key = xasprintf("vendor:%s:%s:%s", hex[0], hex[1], vh);
	stored = results_read(json_path);
	if (!b->force && stored && results_key_matches(stored, key)) {
		how = xasprintf("stored result %s; --force checks again", json_path);
		print_vendor(prefix, stored, how);
		ret = 0;
		goto cleanup;
	}
	printf("%s: vendor-config check of", prefix);
	for (size_t i = 0; i < touched.n; i++)
		printf(" %s", touched.v[i]);
	printf(" under %s (W=1, sparse)\n", b->k.vendor_config);
	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		char *name = xasprintf("vendor-%s", variants[i]);
		char *vdir = store_results_dir(b->series_name, b->k.name, variants[i]);
		char *log = vdir ? xasprintf("%s/vendor", vdir) : NULL;
		int rc = !log || open_tree(b, variants[i], "build-vendor", name, &t[i]) ||
			 kbuild_vendor_compile(&b->k, &t[i], &touched, log, &warnings[i]);

		free(name);
		free(vdir);
		free(log);
		if (rc)
			goto cleanup;
	}
	kbuild_new_warnings(&warnings[0], &warnings[1], &fresh);
	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "kernel", b->k.name,
			"cache_key", key, "vendor_config", b->k.vendor_config, "base", hex[0], "patched", hex[1],
			"touched", results_strv(&touched), "base_warnings", results_strv(&warnings[0]),
			"patched_warnings", results_strv(&warnings[1]), "new_warnings", results_strv(&fresh));
	how = xasprintf("%.0f s", run_now() - start);
	print_vendor(prefix, obj, how);
	ret = results_write(json_path, obj);
cleanup:
	for (int i = 0; i < 2; i++) {
		kbuild_tree_release(&t[i]);
		sv_release(&warnings[i]);
	}
	sv_release(&touched);
	sv_release(&fresh);
	json_decref(stored);
	json_decref(obj);
	free(dir);
	free(json_path);
	free(key);
	free(how);
	return ret;
}

static void fragment_names(const struct kernel_desc *k, struct strbuf *sb)
{
	sb_adds(sb, k->config_base);
	for (size_t i = 0; i < k->config_fragments.n; i++)
		sb_addf(sb, " + %s", k->config_fragments.v[i]);
}

static json_t *build_json(const struct build *b, const struct kbuild_tree *t, const char *key,
			  const results_hash config_hash, const char *log, const results_hash image_hash,
			  const struct kbuild_result *r, const struct checkpatch_report *cp, size_t ncp)
{
	json_t *fragments = results_strv(&b->k.config_fragments);
	double total = r->cc_hits + r->cc_misses;

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:o, s:s}, s:s, s:s, s:s, s:f, "
			 "s:{s:i, s:i, s:o}, s:o, s:o}",
			 "kernel", b->k.name, "variant", t->variant, "commit", git_oid_tostr_s(&t->commit),
			 "worktree", t->src, "build_dir", t->out, "cache_key", key,
			 "config", "base", b->k.config_base, "fragments", fragments, "hash", config_hash,
			 "image", r->image, "image_hash", image_hash, "log", log,
			 "seconds", r->seconds,
			 "ccache", "hits", (int)r->cc_hits, "misses", (int)r->cc_misses,
			 "hit_rate", total ? json_real(r->cc_hits / total) : json_null(),
			 "warnings", results_strv(&r->warnings),
			 "checkpatch", cp ? checkpatch_json(cp, ncp) : json_null());
}

int build_variant(struct build *b, const char *variant)
{
	struct kbuild_tree t;
	struct kbuild_result r = { 0 };
	struct checkpatch_report *cp = NULL;
	struct strbuf what = STRBUF_INIT;
	char *dir = NULL, *json_path = NULL, *log = NULL, *key = NULL, *prefix = NULL, *cpdir = NULL;
	char *inputs_path = NULL;
	json_t *stored = NULL, *obj = NULL;
	results_hash config_hash, image_hash, inputs;
	size_t verified = 0, ncp = 0;
	bool current = false;	/* the stored image is this commit and config's */
	int ret = -1;

	prefix = xasprintf("%s %s", b->k.name, variant);
	if (open_tree(b, variant, "build", variant, &t))
		goto cleanup;
	dir = store_results_dir(b->series_name, b->k.name, variant);
	if (!dir)
		goto cleanup;
	printf("%s: worktree %s at %.12s\n", prefix, t.src, git_oid_tostr_s(&t.commit));
	fflush(stdout);
	log = xasprintf("%s/config.log", dir);
	/* the debug flavour: the patched commit with the checks of kernels/config/debug.config */
	if (!strcmp(variant, "debug") && !sv_contains(&b->k.config_fragments, RESULTS_DEBUG_FRAGMENT))
		sv_push(&b->k.config_fragments, RESULTS_DEBUG_FRAGMENT);
	fragment_names(&b->k, &what);
	json_path = xasprintf("%s/build.json", dir);
	stored = results_read(json_path);
	inputs_path = xasprintf("%s/config.inputs", dir);
	if (kbuild_config_inputs(&b->k, &t, inputs))
		goto cleanup;
	/* the stored config stands for the same inputs, when the stored build is still its */
	if (!b->force && stored_config(inputs_path, inputs, config_hash)) {
		key = xasprintf("build:%s:%s", git_oid_tostr_s(&t.commit), config_hash);
		current = build_is_current(stored, key);
	}
	if (current) {
		printf("%s: config %s: the stored build's (same commit, fragments and compiler; hash %.12s)\n",
		       prefix, what.buf, config_hash);
	} else {
		if (kbuild_config(&b->k, &t, log, config_hash, &verified) ||
		    keep_config(inputs_path, inputs, config_hash))
			goto cleanup;
		printf("%s: config %s: %zu requested option%s verified (hash %.12s)\n", prefix, what.buf, verified,
		       verified == 1 ? "" : "s", config_hash);
		free(key);
		key = xasprintf("build:%s:%s", git_oid_tostr_s(&t.commit), config_hash);
		current = !b->force && build_is_current(stored, key);
	}
	if (current) {
		printf("%s: up to date: %s (same commit and config; --force rebuilds)\n", prefix,
		       json_string_value(json_object_get(stored, "image")));
		if (json_is_array(json_object_get(stored, "checkpatch")))
			print_checkpatch(prefix, json_object_get(stored, "checkpatch"));
		ret = 0;
		goto cleanup;
	}
	free(log);
	log = xasprintf("%s/build.log", dir);
	printf("%s: building bzImage in %s (log %s)\n", prefix, t.out, log);
	fflush(stdout);
	if (kbuild_make(&t, b->force, log, &r)) {
		print_tail(log, LOG_TAIL);
		goto cleanup;
	}
	if (results_hash_file(r.image, image_hash))
		goto cleanup;
	printf("%s: built %s in %.1f s; ccache %ld hit%s, %ld miss%s", prefix, r.image, r.seconds,
	       r.cc_hits, r.cc_hits == 1 ? "" : "s", r.cc_misses, r.cc_misses == 1 ? "" : "es");
	if (r.cc_hits + r.cc_misses)
		printf(" (%.1f%% hit rate)", 100.0 * r.cc_hits / (r.cc_hits + r.cc_misses));
	printf("; %zu compiler warning%s\n", r.warnings.n, r.warnings.n == 1 ? "" : "s");
	for (size_t i = 0; i < r.warnings.n; i++)
		printf("    %s\n", r.warnings.v[i]);
	if (!strcmp(variant, "patched")) {
		git_oid base;

		cpdir = xasprintf("%s/checkpatch", dir);
		if (repo_base_commit(b->repo, &base) ||
		    kbuild_checkpatch(b->repo, t.src, &base, &t.commit, cpdir, &cp, &ncp))
			goto cleanup;
	}
	obj = build_json(b, &t, key, config_hash, log, image_hash, &r, cp, ncp);
	if (cp)
		print_checkpatch(prefix, json_object_get(obj, "checkpatch"));
	ret = results_write(json_path, obj);
cleanup:
	kbuild_tree_release(&t);
	kbuild_result_release(&r);
	kbuild_checkpatch_free(cp, ncp);
	sb_release(&what);
	json_decref(stored);
	json_decref(obj);
	free(dir);
	free(json_path);
	free(inputs_path);
	free(log);
	free(key);
	free(prefix);
	free(cpdir);
	return ret;
}
