// SPDX-License-Identifier: GPL-2.0
/*
 * Result JSON files and cache keys. Hashes are git's blob hashes through
 * libgit2, which kbackport links anyway, rather than another crypto library.
 */
#include "lib/store.h"

#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/lg2.h"
#include "lib/text.h"

bool results_variant_known(const char *variant)
{
	return !strcmp(variant, "base") || !strcmp(variant, "patched") || !strcmp(variant, "posted") ||
	       !strcmp(variant, "debug");
}

char *store_series_name(const char *series_dir)
{
	char *name = xstrdup(path_basename(series_dir));

	rtrim(name);
	while (ends_with(name, "/"))
		name[strlen(name) - 1] = '\0';
	return name;
}

/* Any of pattern's matches under the work directory. */
static bool work_has(const char *pattern)
{
	char *p = xasprintf("%s/%s", work_dir(), pattern);
	glob_t g;
	bool found = !glob(p, GLOB_NOSORT, NULL, &g);

	if (found)
		globfree(&g);
	free(p);
	return found;
}

/*
 * An older kbackport kept one series per tree: results/<kernel>/<variant>/
 * and ports/<kernel>/port.json. Its records hold no schema and would be
 * misread as series; they are moved aside whole (a rename each), once.
 */
static void move_old_layout(void)
{
	static const char *const dirs[] = { "results", "ports" };
	time_t now = time(NULL);

	if (!work_has("results/*/base") && !work_has("results/*/patched") && !work_has("ports/*/port.json"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *from = xasprintf("%s/%s", work_dir(), dirs[i]);
		char *to = xasprintf("%s/%s.before-store-%d.%ld", work_dir(), dirs[i], STORE_SCHEMA, (long)now);

		if (!rename(from, to))
			fprintf(stderr, "note: '%s' is from an older kbackport (one series per tree): moved to '%s', "
				"not read\n", from, to);
		else if (errno != ENOENT)
			error("cannot move '%s', from an older kbackport, to '%s': %s", from, to, strerror(errno));
		free(from);
		free(to);
	}
}

/* The work directory, checked once per process for an older layout. */
static const char *root(void)
{
	static bool checked;

	if (!checked) {
		checked = true;
		move_old_layout();
	}
	return work_dir();
}

/* dir, created; NULL (reported) if it cannot be. */
static char *made(char *dir)
{
	if (!dir || !mkdir_p(dir))
		return dir;
	free(dir);
	return NULL;
}

char *store_tree(const char *kernel)
{
	return xasprintf("%s/trees/%s", root(), kernel);
}

char *store_tree_lock(const char *kernel)
{
	return xasprintf("%s/trees/%s.lock", root(), kernel);
}

char *store_port_dir(const char *series, const char *kernel)
{
	return made(xasprintf("%s/ports/%s/%s", root(), series, kernel));
}

char *store_kernel_dir(const char *series, const char *kernel)
{
	return made(xasprintf("%s/results/%s/%s", root(), series, kernel));
}

char *store_results_dir(const char *series, const char *kernel, const char *variant)
{
	return made(xasprintf("%s/results/%s/%s/%s", root(), series, kernel, variant));
}

char *store_worktree(const char *series, const char *kernel, const char *variant)
{
	return xasprintf("%s/worktrees/%s/%s/%s", root(), series, kernel, variant);
}

char *store_build_link(const char *series, const char *kernel, const char *variant)
{
	return xasprintf("%s/build/%s/%s/%s", root(), series, kernel, variant);
}

char *store_result_file(const char *series, const char *kernel, const char *variant, const char *name)
{
	if (!variant)
		return xasprintf("%s/results/%s/%s/%s", root(), series, kernel, name);
	return xasprintf("%s/results/%s/%s/%s/%s", root(), series, kernel, variant, name);
}

char *store_port_file(const char *series, const char *kernel, const char *name)
{
	return xasprintf("%s/ports/%s/%s/%s", root(), series, kernel, name);
}

json_t *store_read(const char *series, const char *kernel, const char *variant, const char *name)
{
	char *path = variant && !strcmp(variant, STORE_PORT) ? store_port_file(series, kernel, name)
							     : store_result_file(series, kernel, variant, name);
	json_t *o = results_read(path);

	free(path);
	return o;
}

char *store_path(const char *name)
{
	return xasprintf("%s/%s", root(), name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subdirectories of dir, sorted, each once. */
static void subdirs(const char *dir, struct strvec *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *p = xasprintf("%s/%s", dir, e->d_name);

		if (e->d_name[0] != '.' && is_dir(p) && !sv_contains(out, e->d_name))
			sv_push(out, e->d_name);
		free(p);
	}
	if (d)
		closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

void store_series(struct strvec *out)
{
	char *ports = xasprintf("%s/ports", root()), *results = xasprintf("%s/results", root());

	subdirs(ports, out);
	subdirs(results, out);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	free(ports);
	free(results);
}

void store_kernels(const char *series, struct strvec *out)
{
	char *ports = xasprintf("%s/ports/%s", root(), series);
	char *results = xasprintf("%s/results/%s", root(), series);

	subdirs(ports, out);
	subdirs(results, out);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	free(ports);
	free(results);
}

int results_hash_file(const char *path, results_hash out)
{
	git_oid id;

	if (check_lg2(git_odb_hashfile(&id, path, GIT_OBJECT_BLOB), "cannot hash '%s'", path))
		return -1;
	git_oid_tostr(out, RESULTS_HASH_HEXSZ + 1, &id);
	return 0;
}

int results_hash_buf(const void *data, size_t len, results_hash out)
{
	git_oid id;

	if (check_lg2(git_odb_hash(&id, data, len, GIT_OBJECT_BLOB), "cannot hash a buffer"))
		return -1;
	git_oid_tostr(out, RESULTS_HASH_HEXSZ + 1, &id);
	return 0;
}

int results_write(const char *path, json_t *obj)
{
	struct strbuf sb = STRBUF_INIT;
	char *text;
	int ret;

	json_object_set_new(obj, "schema", json_integer(STORE_SCHEMA));
	text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text)
		return error("cannot format '%s' as JSON", path);
	sb_adds(&sb, text);
	sb_addc(&sb, '\n');
	ret = write_file_atomic(path, sb.buf, sb.len);
	sb_release(&sb);
	free(text);
	return ret;
}

json_t *results_read(const char *path)
{
	json_error_t err;
	json_t *o;

	if (!path_exists(path))
		return NULL;
	o = json_load_file(path, 0, &err);
	if (json_integer_value(json_object_get(o, "schema")) != STORE_SCHEMA) {
		json_decref(o);
		return NULL;
	}
	return o;
}

bool results_key_matches(json_t *obj, const char *key)
{
	const char *stored = json_string_value(json_object_get(obj, "cache_key"));

	return stored && !strcmp(stored, key);
}

json_t *results_str(const char *s)
{
	return json_text(s);
}

json_t *results_strv(const struct strvec *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sv->n; i++)
		json_array_append_new(a, json_text(sv->v[i]));
	return a;
}

json_t *results_built(const char *dir, const char *kernel, const char *variant)
{
	char *path = xasprintf("%s/build.json", dir);
	json_t *build = results_read(path);
	const char *image = json_string_value(json_object_get(build, "image"));
	const char *hash = json_string_value(json_object_get(build, "image_hash"));
	results_hash now;

	if (!image || !hash || !json_object_get(build, "build_dir") || !path_exists(image)) {
		error_code(KB_EXIT_NOINPUT, "%s %s is not built (no image in '%s'): run 'kbackport build %s --variant %s'",
			   kernel, variant, path, kernel, variant);
		goto fail;
	}
	if (results_hash_file(image, now))
		goto fail;
	if (strcmp(now, hash)) {
		error_code(KB_EXIT_NOINPUT, "'%s' is not the image '%s' describes: run 'kbackport build %s --variant %s'",
			   image, path, kernel, variant);
		goto fail;
	}
	free(path);
	return build;
fail:
	json_decref(build);
	free(path);
	return NULL;
}
