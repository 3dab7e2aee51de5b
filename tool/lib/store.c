// SPDX-License-Identifier: GPL-2.0
/*
 * Result JSON files and cache keys. Hashes are git's blob hashes through
 * libgit2, which kbackport links anyway, rather than another crypto library.
 */
#include "lib/store.h"

#include <git2.h>
#include <string.h>

#include "lib/lg2.h"
#include "lib/text.h"

bool results_variant_known(const char *variant)
{
	return !strcmp(variant, "base") || !strcmp(variant, "patched") || !strcmp(variant, "debug");
}

char *results_dir(const char *kernel, const char *variant)
{
	char *dir = xasprintf("%s/results/%s/%s", work_dir(), kernel, variant);

	if (mkdir_p(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
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
	char *text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	struct strbuf sb = STRBUF_INIT;
	int ret;

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

	if (!path_exists(path))
		return NULL;
	return json_load_file(path, 0, &err);
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
