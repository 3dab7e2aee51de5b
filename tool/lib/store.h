/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_RESULTS_H
#define KB_RESULTS_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"

/*
 * The result store: one JSON file per (kernel, variant, step) under
 * <work>/results/<kernel>/<variant>/, and the content keys that tell
 * whether a stored result still holds for the inputs at hand.
 */

/*
 * The variants of a kernel: base (the imported tree), patched (the port's
 * tip) and debug (the port's tip with kernels/config/debug.config merged
 * on top: lockdep, sleep-in-atomic, list and KASAN checks).
 */
#define RESULTS_VARIANTS "base, patched or debug"
#define RESULTS_DEBUG_FRAGMENT "debug.config"
bool results_variant_known(const char *variant);

/* A content hash in hex (SHA-1, as git computes it for a blob). */
#define RESULTS_HASH_HEXSZ 40
typedef char results_hash[RESULTS_HASH_HEXSZ + 1];

/* <work>/results/<kernel>/<variant>, created. NULL (reported) if it cannot be. */
char *results_dir(const char *kernel, const char *variant);

/* The hash of a file's content. */
int results_hash_file(const char *path, results_hash out);
/* The hash of a buffer. */
int results_hash_buf(const void *data, size_t len, results_hash out);

/* Writes obj as indented JSON, atomically; does not take the reference. */
int results_write(const char *path, json_t *obj);
/* The stored object, or NULL when the file is missing or not valid JSON (quietly: a cache miss). */
json_t *results_read(const char *path);

/*
 * <dir>/build.json of a built variant, checked: its image exists and is
 * the one it describes (results are keyed by that image). NULL (reported,
 * kb_errcode KB_EXIT_NOINPUT, saying how to build it) otherwise.
 */
json_t *results_built(const char *dir, const char *kernel, const char *variant);

/* obj's "cache_key" is key. */
bool results_key_matches(json_t *obj, const char *key);

/* s as a JSON string made valid UTF-8 (text.h), or null for NULL. */
json_t *results_str(const char *s);

/* A strvec as a JSON array of strings, each made valid UTF-8. */
json_t *results_strv(const struct strvec *sv);

#endif
