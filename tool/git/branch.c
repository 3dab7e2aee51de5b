// SPDX-License-Identifier: GPL-2.0
/* Commits, branches and notes in an imported tree's repository (libgit2). */
#define _GNU_SOURCE
#include "git/branch.h"

#include <stdlib.h>
#include <string.h>

#include "git/repo.h"
#include "lib/signals.h"

int branch_read_file(git_repository *repo, const git_oid *commit, const char *path,
		     struct strbuf *out, bool *exists)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int ret = -1, rc;

	*exists = false;
	sb_reset(out);
	if (check_lg2(git_commit_lookup(&c, repo, commit), "cannot read commit") ||
	    check_lg2(git_commit_tree(&tree, c), "cannot read the tree of a commit"))
		goto cleanup;
	rc = git_tree_entry_bypath(&entry, tree, path);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		ret = 0;
		goto cleanup;
	}
	if (check_lg2(rc, "cannot look up '%s'", path) ||
	    check_lg2(git_blob_lookup(&blob, repo, git_tree_entry_id(entry)), "cannot read '%s'", path))
		goto cleanup;
	sb_add(out, git_blob_rawcontent(blob), git_blob_rawsize(blob));
	*exists = true;
	ret = 0;
cleanup:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}

static int signature(git_signature **sig, const struct person *p)
{
	if (p->when < 0)
		return check_lg2(git_signature_now(sig, p->name, p->email), "bad identity '%s <%s>'",
				 p->name, p->email);
	return check_lg2(git_signature_new(sig, p->name, p->email, (git_time_t)p->when, 0),
			 "bad identity '%s <%s>'", p->name, p->email);
}

/* Keeps an existing file's mode (an executable stays executable). */
static git_filemode_t mode_of(git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	git_filemode_t mode = GIT_FILEMODE_BLOB;

	if (!git_tree_entry_bypath(&e, tree, path))
		mode = git_tree_entry_filemode(e);
	git_error_clear();
	git_tree_entry_free(e);
	return mode;
}

/* A new path below an entry that is no directory (a symlink): writing it would go through the link. */
static int under_file(git_tree *base, const char *path)
{
	const char *slash = path;
	int ret = 0;

	while (!ret && (slash = strchr(slash + 1, '/'))) {
		char *dir = xstrndup(path, slash - path);
		git_tree_entry *e = NULL;

		if (!git_tree_entry_bypath(&e, base, dir) && git_tree_entry_type(e) != GIT_OBJECT_TREE)
			ret = error_code(KB_EXIT_BADINPUT, "refused to write '%s': '%s' is a symlink or file in the tree",
					 path, dir);
		git_error_clear();
		git_tree_entry_free(e);
		free(dir);
	}
	return ret;
}

int branch_commit(git_repository *repo, const git_oid *parent, const struct file_change *changes,
		  size_t n, const struct person *author, const struct person *committer,
		  const char *message, git_oid *out)
{
	git_commit *pc = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *a = NULL, *c = NULL;
	git_tree_update *up = xcalloc(n, sizeof(*up));
	git_oid tree_id;
	int ret = -1;

	if (check_lg2(git_commit_lookup(&pc, repo, parent), "cannot read the parent commit") ||
	    check_lg2(git_commit_tree(&base, pc), "cannot read the parent tree"))
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		up[i].path = changes[i].path;
		if (!changes[i].data) {
			up[i].action = GIT_TREE_UPDATE_REMOVE;
			continue;
		}
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		if (under_file(base, changes[i].path))
			goto cleanup;
		up[i].filemode = changes[i].executable ? GIT_FILEMODE_BLOB_EXECUTABLE : mode_of(base, changes[i].path);
		/* new content for a symlink or a submodule would silently turn it into a file */
		if (up[i].filemode != GIT_FILEMODE_BLOB && up[i].filemode != GIT_FILEMODE_BLOB_EXECUTABLE) {
			error_code(KB_EXIT_BADINPUT, "cannot change '%s': it is a symlink or submodule in the tree",
				   changes[i].path);
			goto cleanup;
		}
		if (check_lg2(git_blob_create_from_buffer(&up[i].id, repo, changes[i].data, changes[i].len),
			      "cannot store '%s'", changes[i].path))
			goto cleanup;
	}
	if (check_lg2(git_tree_create_updated(&tree_id, repo, base, n, up), "cannot write a tree") ||
	    check_lg2(git_tree_lookup(&tree, repo, &tree_id), "cannot read the new tree") ||
	    signature(&a, author) || signature(&c, committer) ||
	    check_lg2(git_commit_create(out, repo, NULL, a, c, "UTF-8", message, tree, 1,
					(const git_commit **)&pc), "cannot write a commit"))
		goto cleanup;
	ret = 0;
cleanup:
	git_signature_free(a);
	git_signature_free(c);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(pc);
	free(up);
	return ret;
}

int branch_set(git_repository *repo, const char *branch, const git_oid *id, const char *why)
{
	char *name = xasprintf("refs/heads/%s", branch);
	git_reference *ref = NULL;
	int ret = check_lg2(git_reference_create(&ref, repo, name, id, 1, why),
			    "cannot update branch '%s'", branch);

	git_reference_free(ref);
	free(name);
	return ret;
}

int branch_get(git_repository *repo, const char *branch, git_oid *out)
{
	char *name = xasprintf("refs/heads/%s", branch);
	int rc = git_reference_name_to_id(out, repo, name);

	free(name);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return 1;
	}
	return check_lg2(rc, "cannot read branch '%s'", branch);
}

int branch_commits(git_repository *repo, const git_oid *base, const git_oid *tip,
		   git_oid **out, size_t *n)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int ret = -1, rc;

	*out = NULL;
	*n = 0;
	if (check_lg2(git_revwalk_new(&walk, repo), "cannot walk history") ||
	    check_lg2(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE), "cannot sort history") ||
	    check_lg2(git_revwalk_push(walk, tip), "cannot walk from the branch tip") ||
	    check_lg2(git_revwalk_hide(walk, base), "cannot stop the walk at the base"))
		goto cleanup;
	while (!(rc = git_revwalk_next(&id, walk))) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = id;
	}
	if (rc != GIT_ITEROVER && check_lg2(rc, "cannot walk history"))
		goto cleanup;
	git_error_clear();
	ret = 0;
cleanup:
	git_revwalk_free(walk);
	return ret;
}

int branch_note(git_repository *repo, const git_oid *commit, const char *text)
{
	git_signature *sig = NULL;
	git_oid note;
	int ret;

	if (check_lg2(git_signature_now(&sig, "kbackport", "kbackport@localhost"), "cannot sign a note"))
		return -1;
	ret = check_lg2(git_note_create(&note, repo, "refs/notes/kbackport", sig, sig, commit, text, 1),
			"cannot write the port note");
	git_signature_free(sig);
	return ret;
}

int branch_read_note(git_repository *repo, const git_oid *commit, struct strbuf *out)
{
	git_note *note = NULL;
	int rc = git_note_read(&note, repo, "refs/notes/kbackport", commit);

	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return 1;
	}
	if (check_lg2(rc, "cannot read the port note of %s", git_oid_tostr_s(commit)))
		return -1;
	sb_adds(out, git_note_message(note));
	git_note_free(note);
	return 0;
}

int branch_identity(git_repository *repo, char **name, char **email)
{
	git_config *cfg = NULL;
	git_buf n = { 0 }, e = { 0 };

	*name = *email = NULL;
	if (check_lg2(git_repository_config_snapshot(&cfg, repo), "cannot read git config"))
		return -1;
	if (!git_config_get_string_buf(&n, cfg, "user.name") &&
	    !git_config_get_string_buf(&e, cfg, "user.email")) {
		*name = xstrdup(n.ptr);
		*email = xstrdup(e.ptr);
	}
	git_error_clear();
	git_buf_dispose(&n);
	git_buf_dispose(&e);
	git_config_free(cfg);
	return 0;
}

int branch_format_patch(git_repository *repo, const git_oid *commit, size_t n, size_t total,
			struct strbuf *out)
{
	git_email_create_options opts;
	git_commit *c = NULL, *parent = NULL;
	git_tree *t = NULL, *pt = NULL;
	git_diff *diff = NULL;
	git_buf buf = { 0 };
	const char *body;
	int ret = -1;

	/* what GIT_EMAIL_CREATE_OPTIONS_INIT sets, without its partial initializers */
	memset(&opts, 0, sizeof(opts));
	opts.version = GIT_EMAIL_CREATE_OPTIONS_VERSION;
	git_diff_options_init(&opts.diff_opts, GIT_DIFF_OPTIONS_VERSION);
	opts.diff_opts.flags = GIT_DIFF_SHOW_BINARY;
	git_diff_find_options_init(&opts.diff_find_opts, GIT_DIFF_FIND_OPTIONS_VERSION);
	if (!total)
		opts.flags |= GIT_EMAIL_CREATE_OMIT_NUMBERS;
	if (check_lg2(git_commit_lookup(&c, repo, commit), "cannot read commit") ||
	    check_lg2(git_commit_parent(&parent, c, 0), "cannot read the parent commit") ||
	    check_lg2(git_commit_tree(&t, c), "cannot read a tree") ||
	    check_lg2(git_commit_tree(&pt, parent), "cannot read a tree") ||
	    check_lg2(git_diff_tree_to_tree(&diff, repo, pt, t, &opts.diff_opts), "cannot diff a commit"))
		goto cleanup;
	body = git_commit_body(c);
	if (check_lg2(git_email_create_from_diff(&buf, diff, total ? n : 1, total ? total : 1, commit,
						 git_commit_summary(c), body ? body : "",
						 git_commit_author(c), &opts), "cannot format a patch"))
		goto cleanup;
	sb_add(out, buf.ptr, buf.size);
	ret = 0;
cleanup:
	git_buf_dispose(&buf);
	git_diff_free(diff);
	git_tree_free(t);
	git_tree_free(pt);
	git_commit_free(parent);
	git_commit_free(c);
	return ret;
}

int branch_checkout(git_repository *repo, const char *branch)
{
	git_checkout_options opts;
	git_object *target = NULL;
	char *name = xasprintf("refs/heads/%s", branch);
	int ret = -1;

	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_FORCE;
	signals_hold(true);
	if (check_lg2(git_revparse_single(&target, repo, name), "cannot find branch '%s'", branch) ||
	    check_lg2(git_checkout_tree(repo, target, &opts), "cannot check out '%s'", branch) ||
	    check_lg2(git_repository_set_head(repo, name), "cannot switch to '%s'", branch))
		goto cleanup;
	ret = 0;
cleanup:
	signals_hold(false);
	git_object_free(target);
	free(name);
	return ret;
}

int branch_diff(git_repository *repo, const git_oid *from, const git_oid *to, struct strbuf *out)
{
	git_diff_options opts;
	git_commit *c = NULL, *tc = NULL;
	git_tree *t = NULL, *tt = NULL;
	git_diff *diff = NULL;
	git_buf buf = { 0 };
	int ret = -1;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	/* a file the patch (or the human) added is untracked, and part of the resolution */
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS | GIT_DIFF_SHOW_UNTRACKED_CONTENT;
	if (check_lg2(git_commit_lookup(&c, repo, from), "cannot read commit") ||
	    check_lg2(git_commit_tree(&t, c), "cannot read a tree"))
		goto cleanup;
	if (to ? check_lg2(git_commit_lookup(&tc, repo, to), "cannot read commit") ||
		 check_lg2(git_commit_tree(&tt, tc), "cannot read a tree") ||
		 check_lg2(git_diff_tree_to_tree(&diff, repo, t, tt, &opts), "cannot diff two trees")
	       : check_lg2(git_diff_tree_to_workdir_with_index(&diff, repo, t, &opts), "cannot diff the work tree"))
		goto cleanup;
	if (check_lg2(git_diff_to_buf(&buf, diff, GIT_DIFF_FORMAT_PATCH), "cannot format a diff"))
		goto cleanup;
	sb_add(out, buf.ptr ? buf.ptr : "", buf.size);
	ret = 0;
cleanup:
	git_buf_dispose(&buf);
	git_diff_free(diff);
	git_tree_free(tt);
	git_tree_free(t);
	git_commit_free(tc);
	git_commit_free(c);
	return ret;
}

char *port_branch_name(const char *series_dir, const char *kernel)
{
	char *name = xstrdup(path_basename(series_dir));
	char *b;

	rtrim(name);
	if (ends_with(name, "/"))
		name[strlen(name) - 1] = '\0';
	b = xasprintf("backport/%s/%s", name, kernel);
	free(name);
	return b;
}
