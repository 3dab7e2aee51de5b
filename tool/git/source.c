// SPDX-License-Identifier: GPL-2.0
/* Which revision of a kernel's source an import takes, and where it is (source.h). */
#define _GNU_SOURCE
#include "git/source.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/debian.h"
#include "lib/lg2.h"
#include "lib/store.h"

/* Enough of the hash to tell tarballs apart in a label. */
#define TARBALL_HASH_LEN 16

int source_git_commit(const struct kernel_desc *k, git_oid *out)
{
	git_repository *src = NULL;
	git_object *obj = NULL, *commit = NULL;
	int ret = -1;

	if (git_repository_open_ext(&src, k->git_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		lg2_error(KB_EXIT_NOINPUT, "cannot open repository '%s'", k->git_path);
		goto cleanup;
	}
	if (git_revparse_single(&obj, src, k->git_ref) < 0) {
		lg2_error(KB_EXIT_BADINPUT, "unknown ref '%s' in '%s'", k->git_ref, k->git_path);
		goto cleanup;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		lg2_error(KB_EXIT_BADINPUT, "ref '%s' in '%s' names no commit", k->git_ref, k->git_path);
		goto cleanup;
	}
	git_oid_cpy(out, git_object_id(commit));
	ret = 0;
cleanup:
	git_object_free(commit);
	git_object_free(obj);
	git_repository_free(src);
	return ret;
}

static int git_revision(const struct kernel_desc *k, struct source_rev *out)
{
	git_oid id;

	if (source_git_commit(k, &id))
		return -1;
	out->version = xstrdup(git_oid_tostr_s(&id));
	return 0;
}

/* The tarball's own revision: the installed package's version, or its content hash. */
static int tarball_revision(const struct kernel_desc *k, struct source_rev *out)
{
	const char *dir = getenv("KBACKPORT_SRC_DIR");
	results_hash h;

	out->tarball = kernel_tarball(k);
	/* dpkg speaks for /usr/src only: a tarball put elsewhere is just a file */
	if (!(dir && *dir))
		out->version = deb_installed_version(k->package);
	if (!out->version && path_exists(out->tarball)) {
		if (results_hash_file(out->tarball, h))
			return -1;
		out->version = xasprintf("sha1-%.*s", TARBALL_HASH_LEN, h);
	}
	return 0;
}

static int fetched_revision(const struct kernel_desc *k, bool fetch, struct source_rev *out)
{
	char *dir = NULL;

	if (fetch) {
		if (deb_fetch(k->package, k->package_version, k->suite, &dir, &out->version))
			return -1;
	} else if (k->package_version) {
		out->version = xstrdup(k->package_version);
		dir = deb_unpacked(k->package, k->package_version);
	}
	if (dir) {
		out->tarball = xasprintf("%s/usr/src/%s.tar.xz", dir, k->package);
		if (!path_exists(out->tarball)) {
			free(dir);
			return error_code(KB_EXIT_BADINPUT, "package '%s' %s has no '/usr/src/%s.tar.xz'",
					  k->package, out->version, k->package);
		}
	}
	free(dir);
	return 0;
}

int source_resolve(const struct kernel_desc *k, bool fetch, struct source_rev *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (k->source == KSRC_GIT)
		ret = git_revision(k, out);
	else if (k->package_version || k->suite)
		ret = fetched_revision(k, fetch, out);
	else
		ret = tarball_revision(k, out);
	if (ret) {
		source_rev_free(out);
		return -1;
	}
	if (out->version && k->source == KSRC_GIT)
		out->label = xasprintf("%s@%s %s", k->git_path, k->git_ref, out->version);
	else if (out->version)
		out->label = xasprintf("%s %s", k->package, out->version);
	return 0;
}

int source_vendor_config(const struct kernel_desc *k, const char *version, char **path)
{
	const char *rest;
	char *package, *dir = NULL, *got = NULL;
	int ret = 0;

	*path = NULL;
	rest = k->vendor_config && starts_with(k->vendor_config, "/usr/src/") ?
	       k->vendor_config + strlen("/usr/src/") : NULL;
	if (!rest || !strchr(rest, '/') || k->source != KSRC_DEBIAN_PACKAGE ||
	    !(k->suite || k->package_version)) {
		*path = k->vendor_config ? xstrdup(k->vendor_config) : NULL;
		return 0;
	}
	package = xstrndup(rest, strchr(rest, '/') - rest);
	if (!version)
		ret = error_code(KB_EXIT_BADINPUT, "'%s' is not an import of '%s': cannot tell which '%s' to read",
				 k->name, k->package, package);
	else if (!deb_valid_package(package))
		ret = error_code(KB_EXIT_BADINPUT, "invalid package name '%s' in config.vendor-config of '%s'",
				 package, k->file);
	else if (!deb_fetch(package, version, k->suite, &dir, &got))
		*path = xasprintf("%s%s", dir, k->vendor_config);
	else
		ret = -1;
	free(package);
	free(dir);
	free(got);
	return ret;
}

void source_rev_free(struct source_rev *r)
{
	free(r->version);
	free(r->label);
	free(r->tarball);
	memset(r, 0, sizeof(*r));
}

const char *source_label_version(const char *label)
{
	const char *sp = strrchr(label, ' ');

	return sp ? sp + 1 : label;
}

char *source_stale_text(const char *what, const char *made_on, const char *tree, const char *kernel)
{
	const char *a = source_label_version(made_on), *b = source_label_version(tree);

	if (!strcmp(a, b))
		return NULL;
	return xasprintf("stale: %s made on %s, tree is %s: run 'kbackport refresh %s'", what, a, b, kernel);
}

char *source_moved_text(const struct kernel_desc *k, const char *tree)
{
	struct source_rev now;
	char *text = NULL;

	if (source_resolve(k, false, &now))
		return NULL;
	if (now.version && strcmp(now.version, source_label_version(tree)))
		text = xasprintf("stale: tree is %s, its source is at %s now: run 'kbackport refresh %s'",
				 source_label_version(tree), now.version, k->name);
	source_rev_free(&now);
	return text;
}
