// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel builds. Everything that runs goes through run(); everything git
 * goes through libgit2. The kernel's own tools do the kernel's work:
 * merge_config.sh and olddefconfig for the config, make for the build,
 * checkpatch.pl for the style of the backported commits.
 */
#define _GNU_SOURCE
#include "build/kbuild.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "git/branch.h"
#include "git/repo.h"
#include "lib/run.h"
#include "lib/store.h"

/* What any kernel build runs, and the Debian package of each. */
static const struct run_tool build_tools[] = {
	{ "make", "make" },
	{ "gcc", "gcc" },
	{ "ccache", "ccache" },
	{ "flex", "flex" },
	{ "bison", "bison" },
	{ "bc", "bc" },
	{ "perl", "perl" },
	{ "lz4", "lz4" },
};

/* What the vendor-config check adds: sparse, and headers the full config's host tools need. */
static const struct run_tool vendor_tools[] = {
	{ "sparse", "sparse" },
};

static const struct {
	const char *header;
	const char *package;
} vendor_headers[] = {
	{ "/usr/include/gelf.h", "libelf-dev" },
	{ "/usr/include/openssl/opensslv.h", "libssl-dev" },
};

int kbuild_require_tools(void)
{
	return run_require(build_tools, ARRAY_SIZE(build_tools), KB_EXIT_BUILD);
}

static int require_vendor_tools(void)
{
	if (run_require(vendor_tools, ARRAY_SIZE(vendor_tools), KB_EXIT_BUILD))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(vendor_headers); i++)
		if (!path_exists(vendor_headers[i].header))
			return error_code(KB_EXIT_BUILD, "missing '%s': install the Debian package '%s'",
					  vendor_headers[i].header, vendor_headers[i].package);
	return 0;
}

/* An absolute path, for the tools that run in another directory. */
static char *abs_path(const char *path)
{
	char *p = realpath(path, NULL);

	if (!p)
		error("cannot resolve '%s': %s", path, strerror(errno));
	return p;
}

/* ---- worktrees ---------------------------------------------------------- */

void kbuild_tree_release(struct kbuild_tree *t)
{
	free(t->src);
	free(t->out);
	t->src = t->out = NULL;
}

static bool same_dir(const char *a, const char *b)
{
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	bool same = ra && rb && !strcmp(ra, rb);

	free(ra);
	free(rb);
	return same;
}

/* 1 if the repository has a worktree of that name (git_worktree_lookup() cannot tell "none" from a failure). */
static int has_worktree(git_repository *repo, const char *name)
{
	git_strarray names = { 0 };
	int found = 0;

	if (check_lg2(git_worktree_list(&names, repo), "cannot list the worktrees of '%s'",
		      git_repository_path(repo)))
		return -1;
	for (size_t i = 0; i < names.count && !found; i++)
		found = !strcmp(names.strings[i], name);
	git_strarray_dispose(&names);
	return found;
}

/* Forgets a worktree whose directory is gone, so it can be added again. */
static int prune_stale(git_worktree **wt)
{
	git_worktree_prune_options popts;

	if (!git_worktree_validate(*wt))
		return 0;
	git_error_clear();
	git_worktree_prune_options_init(&popts, GIT_WORKTREE_PRUNE_OPTIONS_VERSION);
	if (check_lg2(git_worktree_prune(*wt, &popts), "cannot prune stale worktree '%s'",
		      git_worktree_name(*wt)))
		return -1;
	git_worktree_free(*wt);
	*wt = NULL;
	return 0;
}

/*
 * What a failed add left (a full disk mid-checkout): the checkout and the
 * repository's record of it (worktrees/<name>, which git_worktree_list()
 * does not show once it is incomplete), so the next build adds it again.
 */
static void discard_worktree(git_repository *repo, const char *name, const char *dir)
{
	char *admin = xasprintf("%s/worktrees/%s", git_repository_commondir(repo), name);

	if (dir)
		remove_tree(dir);
	remove_tree(admin);
	free(admin);
}

/*
 * libgit2 only adds a worktree on a branch; a short-lived one carries it
 * there, then the worktree's HEAD is detached and the branch deleted.
 */
static int add_worktree(git_repository *repo, const char *name, const char *dir, const git_oid *commit,
			git_worktree **wt)
{
	git_worktree_add_options opts;
	git_reference *ref = NULL;
	git_commit *c = NULL;
	char *branch = xasprintf("kbackport/worktree-%s", name);
	char *parent = xstrdup(dir);
	int ret = -1;

	*strrchr(parent, '/') = '\0';
	if (path_exists(dir)) {
		error_code(KB_EXIT_BUILD, "'%s' exists but is not a worktree of '%s'; remove it", dir,
			   git_repository_workdir(repo));
		goto cleanup;
	}
	if (mkdir_p(parent) ||
	    check_lg2(git_commit_lookup(&c, repo, commit), "cannot read the commit for '%s'", dir) ||
	    check_lg2(git_branch_create(&ref, repo, branch, c, 1), "cannot create branch '%s'", branch))
		goto cleanup;
	/* the caller found no worktree of that name: a record of one is a leftover */
	discard_worktree(repo, name, NULL);
	git_worktree_add_options_init(&opts, GIT_WORKTREE_ADD_OPTIONS_VERSION);
	opts.ref = ref;
	if (check_lg2(git_worktree_add(wt, repo, name, dir, &opts), "cannot add worktree '%s'", dir)) {
		discard_worktree(repo, name, dir);
		goto cleanup;
	}
	ret = 0;
cleanup:
	git_reference_free(ref);
	git_commit_free(c);
	free(branch);
	free(parent);
	return ret;
}

/* Deletes the branch add_worktree() created, once nothing has it checked out. */
static int drop_carrier_branch(git_repository *repo, const char *name)
{
	char *branch = xasprintf("kbackport/worktree-%s", name);
	git_reference *ref = NULL;
	int rc = git_branch_lookup(&ref, repo, branch, GIT_BRANCH_LOCAL), ret = 0;

	if (rc == GIT_ENOTFOUND)
		git_error_clear();
	else if (check_lg2(rc, "cannot look up branch '%s'", branch) ||
		 check_lg2(git_branch_delete(ref), "cannot delete branch '%s'", branch))
		ret = -1;
	git_reference_free(ref);
	free(branch);
	return ret;
}

int kbuild_worktree(git_repository *repo, struct kbuild_tree *t)
{
	char *dir = store_worktree(t->series, t->kernel, t->variant);
	char *name = xasprintf("kbackport-%s-%s", t->series, t->variant);
	git_checkout_options co;
	git_worktree *wt = NULL;
	git_repository *wtrepo = NULL;
	git_commit *c = NULL;
	struct tm tm;
	time_t when;
	int rc, ret = -1;

	if (repo_lock(t->kernel, "build"))
		goto out;
	rc = has_worktree(repo, name);
	if (rc < 0 || (rc && (check_lg2(git_worktree_lookup(&wt, repo, name), "cannot open worktree '%s'", name) ||
			      prune_stale(&wt))))
		goto cleanup;
	if (!wt && add_worktree(repo, name, dir, &t->commit, &wt))
		goto cleanup;
	if (!same_dir(git_worktree_path(wt), dir)) {
		error_code(KB_EXIT_BUILD, "worktree '%s' of '%s' is '%s', not '%s'; remove one of them", name,
			   git_repository_commondir(repo), git_worktree_path(wt), dir);
		goto cleanup;
	}
	if (check_lg2(git_repository_open_from_worktree(&wtrepo, wt), "cannot open worktree '%s'", dir) ||
	    check_lg2(git_commit_lookup(&c, wtrepo, &t->commit), "cannot read the commit for '%s'", dir))
		goto cleanup;
	/* FORCE: the tree must be exactly the commit; unchanged files keep their mtime. */
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	when = git_commit_time(c);
	gmtime_r(&when, &tm);
	strftime(t->timestamp, sizeof(t->timestamp), "%a %b %e %H:%M:%S UTC %Y", &tm);
	if (check_lg2(git_checkout_tree(wtrepo, (git_object *)c, &co), "cannot check out '%s'", dir) ||
	    check_lg2(git_repository_set_head_detached(wtrepo, &t->commit), "cannot detach HEAD in '%s'", dir) ||
	    drop_carrier_branch(repo, name))
		goto cleanup;
	free(t->src);
	t->src = abs_path(dir);
	ret = t->src ? 0 : -1;
cleanup:
	repo_unlock(t->kernel);
out:
	git_commit_free(c);
	git_repository_free(wtrepo);
	git_worktree_free(wt);
	free(name);
	free(dir);
	return ret;
}

int kbuild_out_dir(struct kbuild_tree *t, const char *name, const char *link_name)
{
	char *phys = xasprintf("%s/.%s", t->src, name);
	char *link = store_build_link(t->series, t->kernel, link_name);
	char *dir = xstrndup(link, strrchr(link, '/') - link);
	char target[PATH_MAX];
	ssize_t n;
	int ret = -1;

	if (mkdir_p(phys) || mkdir_p(dir))
		goto cleanup;
	n = readlink(link, target, sizeof(target) - 1);
	if (n >= 0)
		target[n] = '\0';
	if (n < 0 || strcmp(target, phys)) {
		if (path_exists(link) && (n < 0 || unlink(link) < 0)) {
			error_code(KB_EXIT_BUILD, "'%s' is in the way of the link to '%s'; remove it", link, phys);
			goto cleanup;
		}
		if (symlink(phys, link) < 0) {
			error("cannot link '%s' to '%s': %s", link, phys, strerror(errno));
			goto cleanup;
		}
	}
	free(t->out);
	t->out = phys;
	phys = NULL;
	ret = 0;
cleanup:
	free(phys);
	free(dir);
	free(link);
	return ret;
}

/* ---- the make environment ------------------------------------------------ */

char *kbuild_ccache_dir(void)
{
	const char *d = getenv("KBACKPORT_CCACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (d && *d)
		return xstrdup(d);
	if (xdg && *xdg)
		return xasprintf("%s/kbackport-ccache", xdg);
	return xasprintf("%s/.cache/kbackport-ccache", home && *home ? home : "/tmp");
}

static long jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? n : 1;
}

/*
 * ccache: the cache lives outside the clone (CI starts from a fresh clone
 * every time); paths under the worktree are hashed relative to it and the
 * build directory is not hashed, so base, patched and other clones share
 * entries. The build identity is fixed so an unchanged tree gives the same
 * image bytes. stats: where this run's ccache counters are logged.
 */
static void make_env(const struct kbuild_tree *t, const char *stats, struct strvec *env)
{
	char *ccache = kbuild_ccache_dir();

	sv_push_owned(env, xasprintf("CCACHE_DIR=%s", ccache));
	sv_push_owned(env, xasprintf("CCACHE_BASEDIR=%s", t->src));
	sv_push(env, "CCACHE_NOHASHDIR=1");
	if (stats)
		sv_push_owned(env, xasprintf("CCACHE_STATSLOG=%s", stats));
	sv_push(env, "KBUILD_BUILD_USER=kbackport");
	sv_push(env, "KBUILD_BUILD_HOST=kbackport");
	sv_push(env, "KBUILD_BUILD_VERSION=1");
	sv_push_owned(env, xasprintf("KBUILD_BUILD_TIMESTAMP=%s", t->timestamp));
	/* Diagnostics in plain ASCII whatever the caller's locale (the kernel's Makefile drops LC_ALL). */
	sv_push(env, "LC_ALL=C");
	sv_push(env, "LANG=C");
	sv_push(env, "LC_CTYPE=C");
	sv_push(env, "LC_MESSAGES=C");
	free(ccache);
}

/* make -C src O=out [args...]; the output goes to log. */
static int run_make(const struct kbuild_tree *t, const char *stats, const char *log,
		    const char *const *args)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct run_opts o = { 0 };
	struct run_result r;
	int ret;

	sv_push(&argv, "make");
	sv_push(&argv, "-C");
	sv_push(&argv, t->src);
	sv_push_owned(&argv, xasprintf("O=%s", t->out));
	for (; *args; args++)
		sv_push(&argv, *args);
	make_env(t, stats, &env);
	o.argv = (const char *const *)argv.v;
	o.env = (const char *const *)env.v;
	o.out_path = log;
	ret = run_ok(&o, &r);
	if (ret)
		kb_errcode = KB_EXIT_BUILD;
	sv_release(&argv);
	sv_release(&env);
	return ret;
}

/* ---- config -------------------------------------------------------------- */

/* A fragment's request: CONFIG_X=value, or "# CONFIG_X is not set" (value NULL). */
struct request {
	char *name;
	char *value;
	char *line;
	char *file;
};

static void parse_fragment(const char *file, const char *text, struct request **reqs, size_t *n)
{
	const char *p = text;

	while (*p) {
		const char *eol = strchrnul(p, '\n');
		char *line = trim_dup(p, eol - p);
		char *eq = strchr(line, '=');
		struct request r = { 0 };

		if (starts_with(line, "CONFIG_") && eq) {
			r.name = xstrndup(line, eq - line);
			r.value = xstrdup(eq + 1);
		} else if (starts_with(line, "# CONFIG_") && ends_with(line, " is not set")) {
			r.name = xstrndup(line + 2, strlen(line) - 2 - strlen(" is not set"));
		}
		if (r.name) {
			r.line = line;
			r.file = xstrdup(file);
			*reqs = xrealloc(*reqs, (*n + 1) * sizeof(**reqs));
			(*reqs)[(*n)++] = r;
		} else {
			free(line);
		}
		p = *eol ? eol + 1 : eol;
	}
}

/* The value of name in a .config text; NULL when not set. */
static char *config_value(const char *config, const char *name)
{
	char *needle = xasprintf("\n%s=", name);
	const char *p = strstr(config, needle), *v;
	char *ret = NULL;

	if (!p && starts_with(config, needle + 1))
		p = config - 1;
	if (p) {
		v = p + strlen(needle);
		ret = xstrndup(v, strchrnul(v, '\n') - v);
	}
	free(needle);
	return ret;
}

/* Whether any Kconfig file of the tree defines a symbol: nftw() has no user argument. */
static const char *scan_symbol;
static bool scan_found;

static int scan_kconfig(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	size_t n = strlen(scan_symbol);

	(void)st;
	if (flag == FTW_D && !strcmp(path + ftw->base, ".git"))
		return FTW_SKIP_SUBTREE;
	if (flag != FTW_F || !starts_with(path + ftw->base, "Kconfig") || read_file(path, &sb))
		return FTW_CONTINUE;
	for (p = sb.buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (starts_with(q, "menuconfig"))
			q += strlen("menuconfig");
		else if (starts_with(q, "config"))
			q += strlen("config");
		else
			continue;
		if (*q != ' ' && *q != '\t')
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!strncmp(q, scan_symbol, n) && (q[n] == '\n' || q[n] == ' ' || q[n] == '\t' || !q[n])) {
			scan_found = true;
			break;
		}
	}
	sb_release(&sb);
	return scan_found ? FTW_STOP : FTW_CONTINUE;
}

static bool tree_has_symbol(const char *src, const char *config_name)
{
	scan_symbol = config_name + strlen("CONFIG_");
	scan_found = false;
	nftw(src, scan_kconfig, 64, FTW_PHYS | FTW_ACTIONRETVAL);
	return scan_found;
}

/* Every request holds in the final config; otherwise one error for each that does not. */
static int verify_config(const char *src, const char *config, const struct request *reqs, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		char *got = config_value(config, reqs[i].name);
		bool ok = reqs[i].value ? got && !strcmp(got, reqs[i].value) : !got;

		if (!ok) {
			bad++;
			if (!tree_has_symbol(src, reqs[i].name))
				error("config option '%s' requested by '%s' does not exist in this tree",
				      reqs[i].line, reqs[i].file);
			else
				error("config option '%s' requested by '%s' did not stick (dependencies not met?): the merged config has %s%s%s",
				      reqs[i].line, reqs[i].file, got ? reqs[i].name : "it unset", got ? "=" : "",
				      got ? got : "");
		}
		free(got);
	}
	if (bad)
		return error_code(KB_EXIT_BADINPUT, "%d requested config option%s not set; nothing built", bad,
				  bad == 1 ? " is" : "s are");
	return 0;
}

/*
 * Moves the staged config into place only when it differs, so make sees an
 * unchanged .config as unchanged.
 */
static int install_config(const char *out, const char *staged, const struct strbuf *text)
{
	char *dot = xasprintf("%s/.config", out);
	struct strbuf old = STRBUF_INIT;
	int ret = 0;

	if (path_exists(dot) && !read_file(dot, &old) && old.len == text->len &&
	    !memcmp(old.buf, text->buf, text->len))
		unlink(staged);
	else if (rename(staged, dot) < 0)
		ret = error("cannot rename '%s' to '%s': %s", staged, dot, strerror(errno));
	sb_release(&old);
	free(dot);
	return ret;
}

static void free_requests(struct request *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(reqs[i].name);
		free(reqs[i].value);
		free(reqs[i].line);
		free(reqs[i].file);
	}
	free(reqs);
}

/* The staged config, named for make (relative to O=) and for us. */
#define STAGED_CONFIG "kbackport.config"

/* A fragment is a few hundred lines; far more is not a config fragment. */
#define FRAGMENT_MAX_BYTES (1024 * 1024)

/* The YAML's I-th config fragment, read from kernels/config/ into text; its path in *path. */
static int read_fragment(const struct kernel_desc *k, size_t i, struct strbuf *text, char **path)
{
	*path = xasprintf("%s/config/%s", kernels_dir(), k->config_fragments.v[i]);
	if (!path_exists(*path))
		return error_code(KB_EXIT_NOINPUT, "config fragment '%s' named by '%s' is missing", *path, k->file);
	return read_file_max(*path, text, FRAGMENT_MAX_BYTES);
}

int kbuild_config(const struct kernel_desc *k, const struct kbuild_tree *t, const char *log,
		  results_hash hash, size_t *verified)
{
	struct strvec frags = STRVEC_INIT, argv = STRVEC_INIT;
	struct strbuf text = STRBUF_INIT, final = STRBUF_INIT;
	struct request *reqs = NULL;
	struct run_opts o = { 0 };
	struct run_result r;
	char *staged = xasprintf("%s/%s", t->out, STAGED_CONFIG);
	char *script = xasprintf("%s/scripts/kconfig/merge_config.sh", t->src);
	char *kconfig_var = xasprintf("KCONFIG_CONFIG=%s", STAGED_CONFIG);
	const char *env[] = { kconfig_var, "LC_ALL=C", NULL };
	size_t nreqs = 0;
	int ret = -1;

	for (size_t i = 0; i < k->config_fragments.n; i++) {
		char *f, *abs = NULL;

		if (read_fragment(k, i, &text, &f) || !(abs = abs_path(f))) {
			free(f);
			goto cleanup;
		}
		parse_fragment(f, text.buf, &reqs, &nreqs);
		sv_push_owned(&frags, abs);
		free(f);
	}
	if (mkdir_p(t->out))
		goto cleanup;
	unlink(staged);
	{
		const char *base_args[] = { kconfig_var, k->config_base, NULL };

		if (run_make(t, NULL, log, base_args))
			goto cleanup;
	}
	if (frags.n) {
		sv_push(&argv, "sh");
		sv_push(&argv, script);
		sv_push(&argv, "-m");
		sv_push(&argv, STAGED_CONFIG);
		for (size_t i = 0; i < frags.n; i++)
			sv_push(&argv, frags.v[i]);
		o.argv = (const char *const *)argv.v;
		o.dir = t->out;
		o.env = env;
		o.out_path = log;
		if (run_ok(&o, &r)) {
			kb_errcode = KB_EXIT_BUILD;
			goto cleanup;
		}
	}
	{
		const char *olddef_args[] = { kconfig_var, "olddefconfig", NULL };

		if (run_make(t, NULL, log, olddef_args) || read_file(staged, &final) ||
		    verify_config(t->src, final.buf, reqs, nreqs) ||
		    results_hash_buf(final.buf, final.len, hash) || install_config(t->out, staged, &final))
			goto cleanup;
	}
	*verified = nreqs;
	ret = 0;
cleanup:
	if (ret)
		unlink(staged);
	free_requests(reqs, nreqs);
	sv_release(&frags);
	sv_release(&argv);
	sb_release(&text);
	sb_release(&final);
	free(staged);
	free(script);
	free(kconfig_var);
	return ret;
}

int kbuild_config_inputs(const struct kernel_desc *k, const struct kbuild_tree *t, results_hash hash)
{
	static const char *const probes[][3] = { { "gcc", "--version", NULL }, { "ld", "--version", NULL } };
	struct strbuf text = STRBUF_INIT, fragment = STRBUF_INIT;
	struct run_result r;
	int ret = -1;

	sb_addf(&text, "config inputs\ncommit %s\nbase %s\n", git_oid_tostr_s(&t->commit), k->config_base);
	for (size_t i = 0; i < k->config_fragments.n; i++) {
		char *f;
		/* read_file_max() starts its buffer afresh: each fragment in its own */
		int bad = read_fragment(k, i, &fragment, &f);

		free(f);
		if (bad)
			goto cleanup;
		sb_addf(&text, "fragment %s %zu\n", k->config_fragments.v[i], fragment.len);
		sb_add(&text, fragment.buf, fragment.len);
	}
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		struct run_opts o = { .argv = probes[i], .out = &text };

		if (run_ok(&o, &r))
			goto cleanup;
	}
	ret = results_hash_buf(text.buf, text.len, hash);
cleanup:
	sb_release(&fragment);
	sb_release(&text);
	return ret;
}

/* ---- build --------------------------------------------------------------- */

/*
 * The diagnostics in a compiler/sparse/objtool log, paths made relative to
 * the tree so logs of different worktrees compare. The build directory is
 * inside the tree, so the compiler mostly names sources "../<path>".
 */
static void collect_warnings(const char *log_text, const char *src, struct strvec *out)
{
	size_t n = strlen(src);

	for (const char *p = log_text; *p;) {
		const char *eol = strchrnul(p, '\n');
		char *line = xstrndup(p, eol - p);
		const char *s = line;

		if (strstr(s, ": warning: ") || strstr(s, ": error: ")) {
			if (!strncmp(s, src, n) && s[n] == '/')
				s += n + 1;
			else if (starts_with(s, "../"))
				s += 3;
			sv_push(out, s);
		}
		free(line);
		p = *eol ? eol + 1 : eol;
	}
}

/*
 * Hits and misses in a ccache stats log: "# <input>" then one counter a
 * line. Kbuild's compiler probes (input /dev/null) are not compiles.
 */
static void ccache_counts(const char *stats, long *hits, long *misses)
{
	struct strbuf sb = STRBUF_INIT;
	bool probe = false;

	*hits = *misses = 0;
	if (!path_exists(stats) || read_file(stats, &sb))
		return;
	for (const char *p = sb.buf; *p;) {
		const char *eol = strchrnul(p, '\n');
		char *line = xstrndup(p, eol - p);

		if (starts_with(line, "# "))
			probe = !strcmp(line + 2, "/dev/null");
		else if (!probe && (!strcmp(line, "direct_cache_hit") || !strcmp(line, "preprocessed_cache_hit")))
			(*hits)++;
		else if (!probe && !strcmp(line, "cache_miss"))
			(*misses)++;
		free(line);
		p = *eol ? eol + 1 : eol;
	}
	sb_release(&sb);
}

void kbuild_result_release(struct kbuild_result *r)
{
	free(r->image);
	sv_release(&r->warnings);
	memset(r, 0, sizeof(*r));
}

int kbuild_make(const struct kbuild_tree *t, bool clean, const char *log, struct kbuild_result *r)
{
	char *stats = xasprintf("%s/ccache-stats.log", t->out);
	char *j = xasprintf("-j%ld", jobs());
	const char *clean_args[] = { "clean", NULL };
	const char *args[] = { j, "CC=ccache gcc", "HOSTCC=ccache gcc", "bzImage", NULL };
	struct strbuf text = STRBUF_INIT;
	double start = run_now();
	int ret = -1;

	memset(r, 0, sizeof(*r));
	unlink(stats);
	if (clean && run_make(t, NULL, log, clean_args))
		goto cleanup;
	if (run_make(t, stats, log, args))
		goto cleanup;
	r->seconds = run_now() - start;
	r->image = xasprintf("%s/arch/x86/boot/bzImage", t->out);
	if (!path_exists(r->image)) {
		error_code(KB_EXIT_BUILD, "make succeeded but left no '%s'; see '%s'", r->image, log);
		goto cleanup;
	}
	ccache_counts(stats, &r->cc_hits, &r->cc_misses);
	if (!read_file(log, &text))
		collect_warnings(text.buf, t->src, &r->warnings);
	ret = 0;
cleanup:
	sb_release(&text);
	free(stats);
	free(j);
	return ret;
}

/* ---- what the port touched ----------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kbuild_touched_files(git_repository *repo, const git_oid *from, const git_oid *to, struct strvec *out)
{
	git_commit *a = NULL, *b = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	int ret = -1;

	if (check_lg2(git_commit_lookup(&a, repo, from), "cannot read the base commit") ||
	    check_lg2(git_commit_lookup(&b, repo, to), "cannot read the patched commit") ||
	    check_lg2(git_commit_tree(&ta, a), "cannot read the base tree") ||
	    check_lg2(git_commit_tree(&tb, b), "cannot read the patched tree") ||
	    check_lg2(git_diff_tree_to_tree(&diff, repo, ta, tb, NULL), "cannot diff base and patched"))
		goto cleanup;
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		sv_push(out, d->new_file.path ? d->new_file.path : d->old_file.path);
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	ret = 0;
cleanup:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(a);
	git_commit_free(b);
	return ret;
}

/* ---- vendor-config check ------------------------------------------------- */

/* A config file as the vendor ships it: xz, gzip or plain (libarchive's raw format). */
static int read_vendor_config(const char *path, struct strbuf *out)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char buf[65536];
	la_ssize_t n;
	int ret = -1;

	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, sizeof(buf)) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		error_code(KB_EXIT_NOINPUT, "cannot read vendor config '%s': %s", path, archive_error_string(a));
		goto cleanup;
	}
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		sb_add(out, buf, n);
	if (n < 0) {
		error_code(KB_EXIT_NOINPUT, "cannot read vendor config '%s': %s", path, archive_error_string(a));
		goto cleanup;
	}
	ret = 0;
cleanup:
	archive_read_free(a);
	return ret;
}

/* The Debian package that ships a /usr/src/linux-config-X/ file, for the error message. */
static int missing_vendor_config(const char *path)
{
	if (starts_with(path, "/usr/src/linux-config-")) {
		const char *p = path + strlen("/usr/src/");
		char *pkg = xstrndup(p, strchrnul(p, '/') - p);

		error_code(KB_EXIT_NOINPUT, "vendor config '%s' is missing: install the Debian package '%s'",
			   path, pkg);
		free(pkg);
		return -1;
	}
	return error_code(KB_EXIT_NOINPUT, "vendor config '%s' is missing", path);
}

int kbuild_vendor_ready(const struct kernel_desc *k)
{
	if (!k->vendor_config)
		return error_code(KB_EXIT_BADINPUT, "'%s' names no config.vendor-config to check against",
				  k->file);
	if (!path_exists(k->vendor_config))
		return missing_vendor_config(k->vendor_config);
	return require_vendor_tools();
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? xstrndup(path, s - path) : xstrdup(".");
}

/* Deletes the objects of dir in the build, so every file compiles and says its warnings again. */
static void forget_objects(const char *out, const char *dir)
{
	char *d = xasprintf("%s/%s", out, dir);
	char *pattern = NULL;
	DIR *dh = opendir(d);
	struct dirent *e;

	while (dh && (e = readdir(dh))) {
		if (!ends_with(e->d_name, ".o"))
			continue;
		free(pattern);
		pattern = xasprintf("%s/%s", d, e->d_name);
		unlink(pattern);
	}
	if (dh)
		closedir(dh);
	free(pattern);
	free(d);
}

/*
 * Whether a diagnostic concerns the check: in a touched directory, or in a
 * header those files include; not the prepare steps' own files.
 */
static bool in_scope(const char *w, const struct strvec *dirs)
{
	const char *colon = strchr(w, ':');
	char *file = colon ? xstrndup(w, colon - w) : xstrdup(w);
	bool keep = ends_with(file, ".h");

	for (size_t i = 0; i < dirs->n && !keep; i++)
		keep = starts_with(file, dirs->v[i]) && file[strlen(dirs->v[i])] == '/';
	free(file);
	return keep;
}

/* make FLAGS... TARGETS... in t->out; the diagnostics in scope are added to warnings. */
static int make_and_collect(const struct kbuild_tree *t, const char *log, const char *const *flags,
			    const struct strvec *targets, const struct strvec *dirs, struct strvec *warnings)
{
	struct strvec args = STRVEC_INIT, all = STRVEC_INIT;
	struct strbuf text = STRBUF_INIT;
	int ret;

	for (; *flags; flags++)
		sv_push(&args, *flags);
	for (size_t i = 0; i < targets->n; i++)
		sv_push(&args, targets->v[i]);
	ret = run_make(t, NULL, log, (const char *const *)args.v);
	if (!ret)
		ret = read_file(log, &text);
	if (!ret)
		collect_warnings(text.buf, t->src, &all);
	for (size_t i = 0; i < all.n; i++)
		if (in_scope(all.v[i], dirs))
			sv_push(warnings, all.v[i]);
	sv_release(&args);
	sv_release(&all);
	sb_release(&text);
	return ret;
}

int kbuild_vendor_compile(const struct kernel_desc *k, const struct kbuild_tree *t,
			  const struct strvec *touched, const char *log, struct strvec *warnings)
{
	struct strvec dirs = STRVEC_INIT, targets = STRVEC_INIT, sparse = STRVEC_INIT;
	struct strbuf cfg = STRBUF_INIT, text = STRBUF_INIT;
	char *staged = xasprintf("%s/%s", t->out, STAGED_CONFIG);
	char *kconfig_var = xasprintf("KCONFIG_CONFIG=%s", STAGED_CONFIG);
	char *j = xasprintf("-j%ld", jobs());
	char *log_w1 = xasprintf("%s-w1.log", log), *log_sparse = xasprintf("%s-sparse.log", log);
	char *log_cfg = xasprintf("%s-config.log", log);
	const char *olddef_args[] = { kconfig_var, "olddefconfig", NULL };
	/* Every step with W=1, so no object is rebuilt for a change of flags alone. */
	const char *w1_flags[] = { j, "W=1", "CC=ccache gcc", NULL };
	const char *sparse_flags[] = { "W=1", "C=2", "CC=ccache gcc", NULL };
	int ret = -1;

	if (read_vendor_config(k->vendor_config, &cfg) || mkdir_p(t->out) ||
	    write_file_atomic(staged, cfg.buf, cfg.len) || run_make(t, NULL, log_cfg, olddef_args) ||
	    read_file(staged, &text) || install_config(t->out, staged, &text))
		goto cleanup;
	for (size_t i = 0; i < touched->n; i++) {
		const char *f = touched->v[i];
		char *d = dir_of(f);

		/* Headers under include/ are compiled through the touched directories' files. */
		if ((ends_with(f, ".c") || ends_with(f, ".h")) && !starts_with(f, "include/") &&
		    !starts_with(f, "tools/")) {
			if (!sv_contains(&dirs, d)) {
				sv_push(&dirs, d);
				sv_push_owned(&targets, xasprintf("%s/", d));
			}
			if (ends_with(f, ".c"))
				sv_push_owned(&sparse, xasprintf("%.*s.o", (int)(strlen(f) - 2), f));
		}
		free(d);
	}
	/* Every file of the directories compiles again, so each says its warnings (ccache replays them). */
	for (size_t i = 0; i < dirs.n; i++)
		forget_objects(t->out, dirs.v[i]);
	if (targets.n && make_and_collect(t, log_w1, w1_flags, &targets, &dirs, warnings))
		goto cleanup;
	if (sparse.n && make_and_collect(t, log_sparse, sparse_flags, &sparse, &dirs, warnings))
		goto cleanup;
	ret = 0;
cleanup:
	sv_release(&dirs);
	sv_release(&targets);
	sv_release(&sparse);
	sb_release(&cfg);
	sb_release(&text);
	free(staged);
	free(kconfig_var);
	free(j);
	free(log_w1);
	free(log_sparse);
	free(log_cfg);
	return ret;
}

int kbuild_compile_objects(const struct kernel_desc *k, const struct kbuild_tree *t, const struct strvec *files,
			   const char *log, struct strvec *errors)
{
	struct strvec targets = STRVEC_INIT, all = STRVEC_INIT, args = STRVEC_INIT;
	struct strbuf text = STRBUF_INIT;
	char *log_cfg = xasprintf("%s-config", log);
	results_hash hash;
	size_t verified;
	int ret = -1;

	for (size_t i = 0; i < files->n; i++) {
		const char *f = files->v[i];

		if (ends_with(f, ".c"))
			sv_push_owned(&targets, xasprintf("%.*s.o", (int)(strlen(f) - 2), f));
		else if (ends_with(f, ".h") && !starts_with(f, "include/") && !starts_with(f, "arch/")) {
			char *d = dir_of(f);

			sv_push_owned(&targets, xasprintf("%s/", d));
			free(d);
		}
	}
	if (!targets.n) {
		ret = 0;
		goto cleanup;
	}
	if (kbuild_config(k, t, log_cfg, hash, &verified))
		goto cleanup;
	sv_push_owned(&args, xasprintf("-j%ld", jobs()));
	sv_push(&args, "CC=ccache gcc");
	for (size_t i = 0; i < targets.n; i++)
		sv_push(&args, targets.v[i]);
	ret = run_make(t, NULL, log, (const char *const *)args.v);
	if (!read_file(log, &text))
		collect_warnings(text.buf, t->src, &all);
	for (size_t i = 0; i < all.n; i++)
		if (strstr(all.v[i], ": error: "))
			sv_push(errors, all.v[i]);
cleanup:
	sv_release(&targets);
	sv_release(&all);
	sv_release(&args);
	sb_release(&text);
	free(log_cfg);
	return ret;
}

int kbuild_check_commit(git_repository *repo, const struct kernel_desc *k, const git_oid *commit,
			const struct strvec *files, const char *log, struct strvec *errors)
{
	/* one scratch worktree per kernel, whatever the series: it only compiles */
	struct kbuild_tree t = { .series = "port-check", .kernel = k->name, .variant = "check", .commit = *commit };
	int ret = kbuild_worktree(repo, &t) || kbuild_out_dir(&t, "build", "check") ? -1
		  : kbuild_compile_objects(k, &t, files, log, errors);

	kbuild_tree_release(&t);
	return ret;
}

/* "file:12:5: warning: x" -> "file: warning: x": what a warning is, wherever it moved. */
static char *warning_key(const char *w)
{
	const char *p = strchr(w, ':'), *q = p;

	while (q && *q == ':' && q[1] >= '0' && q[1] <= '9') {
		q++;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (!p || q == p)
		return xstrdup(w);
	return xasprintf("%.*s%s", (int)(p - w), w, q);
}

void kbuild_new_warnings(const struct strvec *base, const struct strvec *patched, struct strvec *out)
{
	struct strvec keys = STRVEC_INIT;
	bool *used = xcalloc(base->n + 1, sizeof(*used));

	for (size_t i = 0; i < base->n; i++)
		sv_push_owned(&keys, warning_key(base->v[i]));
	for (size_t i = 0; i < patched->n; i++) {
		char *key = warning_key(patched->v[i]);
		bool matched = false;

		for (size_t b = 0; b < keys.n && !matched; b++)
			if (!used[b] && !strcmp(keys.v[b], key))
				used[b] = matched = true;
		if (!matched)
			sv_push(out, patched->v[i]);
		free(key);
	}
	free(used);
	sv_release(&keys);
}

/* ---- checkpatch ------------------------------------------------------------ */

void kbuild_checkpatch_free(struct checkpatch_report *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].subject);
		sv_release(&r[i].lines);
	}
	free(r);
}

/* Counts checkpatch's findings and keeps their lines, "NNNN.patch:line: ..." (the file under dir). */
static void count_checkpatch(const char *text, const char *dir, struct checkpatch_report *c)
{
	size_t n = strlen(dir);

	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n');
		char *line = !strncmp(p, dir, n) && p[n] == '/' ? xstrndup(p + n + 1, eol - p - n - 1) :
			     xstrndup(p, eol - p);

		/*
		 * An older checkpatch (5.10's) takes git's "fatal: bad object" for
		 * the cited commit's id: it is the UNKNOWN_COMMIT_ID ignored below.
		 */
		if (strstr(line, ": ERROR: Please use git commit description style") && strstr(line, "ommit fatal: ")) {
			free(line);
			p = *eol ? eol + 1 : eol;
			continue;
		}
		if (strstr(line, ": ERROR: "))
			c->errors++;
		else if (strstr(line, ": WARNING: "))
			c->warnings++;
		else if (strstr(line, ": CHECK: "))
			c->checks++;
		if (strstr(line, ": ERROR: ") || strstr(line, ": WARNING: ") || strstr(line, ": CHECK: "))
			sv_push(&c->lines, line);
		free(line);
		p = *eol ? eol + 1 : eol;
	}
}

static int checkpatch_one(git_repository *repo, const char *script, const git_oid *id, size_t n,
			  size_t total, const char *tmpdir, struct checkpatch_report *c)
{
	struct strbuf patch = STRBUF_INIT, out = STRBUF_INIT;
	char *file = xasprintf("%s/%04zu.patch", tmpdir, n);
	/*
	 * Imported trees hold one commit and no upstream history, so the
	 * commit ids the messages cite cannot be checked here.
	 */
	const char *argv[] = { "perl", script, "--no-tree", "--terse", "--no-summary", "--color=never",
			       "--ignore", "UNKNOWN_COMMIT_ID", file, NULL };
	struct run_opts o = { .argv = argv, .out = &out };
	struct run_result r;
	git_commit *commit = NULL;
	int ret = -1;

	git_oid_tostr(c->commit, sizeof(c->commit), id);
	if (check_lg2(git_commit_lookup(&commit, repo, id), "cannot read commit '%s'", c->commit) ||
	    branch_format_patch(repo, id, n, total, &patch) ||
	    write_file_atomic(file, patch.buf, patch.len) || run(&o, &r))
		goto cleanup;
	c->subject = xstrdup(git_commit_summary(commit));
	/* checkpatch exits 1 when it finds something: only a crash is a failure. */
	if (r.signal || r.status > 1) {
		error_code(KB_EXIT_BUILD, "checkpatch failed on '%s' (exit status %d): %.200s", file, r.status,
			   sb_str(&out));
		goto cleanup;
	}
	count_checkpatch(sb_str(&out), tmpdir, c);
	ret = 0;
cleanup:
	git_commit_free(commit);
	sb_release(&patch);
	sb_release(&out);
	free(file);
	return ret;
}

int kbuild_checkpatch(git_repository *repo, const char *src, const git_oid *base, const git_oid *tip,
		      const char *tmpdir, struct checkpatch_report **out, size_t *n)
{
	char *script = xasprintf("%s/scripts/checkpatch.pl", src);
	git_oid *ids = NULL;
	size_t nids = 0;
	int ret = -1;

	*out = NULL;
	*n = 0;
	if (!path_exists(script)) {
		error_code(KB_EXIT_BUILD, "no '%s' in the tree", script);
		goto cleanup;
	}
	if (mkdir_p(tmpdir) || branch_commits(repo, base, tip, &ids, &nids))
		goto cleanup;
	*out = xcalloc(nids, sizeof(**out));
	for (size_t i = 0; i < nids; i++) {
		if (checkpatch_one(repo, script, &ids[i], i + 1, nids, tmpdir, &(*out)[i]))
			goto cleanup;
		(*n)++;
	}
	ret = 0;
cleanup:
	free(ids);
	free(script);
	return ret;
}
