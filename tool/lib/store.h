/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_STORE_H
#define KB_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"

/*
 * The result store: every path under the work directory and every result
 * record. Results are kept per series and kernel, so the ports of several
 * series onto one tree stay apart:
 *
 *   trees/<kernel>                          the imported tree (any series), .lock beside it
 *   ports/<series>/<kernel>/                port.json, state, NNNN.rej, refresh.txt, cocci/
 *   results/<series>/<kernel>/matrix.json   the last matrix run, matrix/<step>.log
 *   results/<series>/<kernel>/<variant>/    build.json, vendor-check.json, <workload>.json, consoles
 *   worktrees/<series>/<kernel>/<variant>   the variant checked out, its O= directory inside
 *   build/<series>/<kernel>/<variant>       a link to that O= directory
 *   images/, guest/, cache/, report/        initramfs, guest programs, probes, the last report
 *
 * <series> is the series directory's name (backports/<series>). Every
 * record carries "schema": STORE_SCHEMA; one of another schema reads as
 * missing (a cache miss, rebuilt). Content keys tell whether a stored
 * result still holds for the inputs at hand. The results/ and ports/ of an
 * older kbackport (one series per tree) are moved aside on first use, not read.
 */
#define STORE_SCHEMA 1

/*
 * The variants of a kernel: base (the imported tree), patched (the port's
 * tip), posted (the series as posted: the port before the backporter's
 * local fixes) and debug (the port's tip with kernels/config/debug.config
 * merged on top: lockdep, sleep-in-atomic, list and KASAN checks).
 */
#define RESULTS_VARIANTS "base, patched, posted or debug"
#define RESULTS_DEBUG_FRAGMENT "debug.config"
bool results_variant_known(const char *variant);

/* A content hash in hex (SHA-1, as git computes it for a blob). */
#define RESULTS_HASH_HEXSZ 40
typedef char results_hash[RESULTS_HASH_HEXSZ + 1];

/* The name results are kept under: the series directory's last component. */
char *store_series_name(const char *series_dir);

/* Paths in the store (see above); the *_dir ones are created, NULL (reported) if they cannot be. */
char *store_tree(const char *kernel);
char *store_tree_lock(const char *kernel);
char *store_port_dir(const char *series, const char *kernel);
char *store_kernel_dir(const char *series, const char *kernel);
char *store_results_dir(const char *series, const char *kernel, const char *variant);
char *store_worktree(const char *series, const char *kernel, const char *variant);
char *store_build_link(const char *series, const char *kernel, const char *variant);
char *store_path(const char *name);	/* <work>/<name>: images, guest, cache, report, matrix.lock */
/* Files in it, not created: a variant's (NULL: the kernel's own, matrix.json), a port's. */
char *store_result_file(const char *series, const char *kernel, const char *variant, const char *name);
char *store_port_file(const char *series, const char *kernel, const char *name);

/* The record name of kernel in series: of variant, of its port (STORE_PORT) or its own (NULL); NULL if none. */
#define STORE_PORT "port"
json_t *store_read(const char *series, const char *kernel, const char *variant, const char *name);

/* Series with results in the store, and the kernels of one, sorted. */
void store_series(struct strvec *out);
void store_kernels(const char *series, struct strvec *out);

/* The hash of a file's content. */
int results_hash_file(const char *path, results_hash out);
/* The hash of a buffer. */
int results_hash_buf(const void *data, size_t len, results_hash out);

/* Writes obj with "schema" set as indented JSON, atomically; does not take the reference. */
int results_write(const char *path, json_t *obj);
/*
 * The stored object, or NULL when the file is missing, not valid JSON or
 * of another schema (quietly: a cache miss).
 */
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
