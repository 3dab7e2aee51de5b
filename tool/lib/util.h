/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_UTIL_H
#define KB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit codes shared by every subcommand, so pipelines can tell failures apart. */
enum kb_exit {
	KB_OK = 0,
	KB_EXIT_FAIL = 1,	/* a step ran and failed */
	KB_EXIT_USAGE = 2,	/* bad command line */
	KB_EXIT_NOINPUT = 3,	/* an input file is missing or unreadable */
	KB_EXIT_BADINPUT = 4,	/* an input exists but its content is invalid */
	KB_EXIT_INCOMPLETE = 5,	/* a series lacks a patch */
	KB_EXIT_CONFLICT = 6,	/* port stopped on a conflict */
	KB_EXIT_BUILD = 7,
	KB_EXIT_BOOT = 8,
	KB_EXIT_TEST = 9,
	KB_EXIT_DISTURBED = 10,	/* nothing failed, a measurement was disturbed: run it again */
	KB_EXIT_DIE = 128,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

__attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...);
__attribute__((format(printf, 2, 3), noreturn)) void die_code(int code, const char *fmt, ...);
__attribute__((format(printf, 1, 2))) int error(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void warning(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void note(const char *fmt, ...);

/* Set by a failing helper so the command can exit with the right code. */
extern int kb_errcode;
int error_code(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);

/* A growable NUL-terminated byte buffer. */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }

void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
__attribute__((format(printf, 2, 3))) void sb_addf(struct strbuf *sb, const char *fmt, ...);
void sb_reset(struct strbuf *sb);
void sb_release(struct strbuf *sb);
char *sb_detach(struct strbuf *sb);
const char *sb_str(const struct strbuf *sb);

/* A growable array of owned strings. */
struct strvec {
	char **v;
	size_t n;
	size_t alloc;
};
#define STRVEC_INIT { NULL, 0, 0 }

void sv_push(struct strvec *sv, const char *s);
void sv_push_owned(struct strvec *sv, char *s);
/* The same strings in the same order. */
bool sv_equal(const struct strvec *a, const struct strvec *b);
bool sv_contains(const struct strvec *sv, const char *s);
void sv_release(struct strvec *sv);

/* Files: errors are reported with the path quoted and return -1. */
int read_file(const char *path, struct strbuf *out);
/* Like read_file(), but a file of more than max bytes is refused (KB_EXIT_BADINPUT). */
int read_file_max(const char *path, struct strbuf *out, size_t max);
int write_file_atomic(const char *path, const void *data, size_t len);
int mkdir_p(const char *path);
bool path_exists(const char *path);
bool is_dir(const char *path);
/* Removes path and everything under it (not following symlinks); gone already is fine. */
int remove_tree(const char *path);
/* A new private directory under $TMPDIR (or /tmp), for work that must leave nothing behind. */
char *temp_dir(const char *what);
const char *path_basename(const char *path);

bool starts_with(const char *s, const char *prefix);
bool ends_with(const char *s, const char *suffix);
char *trim_dup(const char *s, size_t len);
void rtrim(char *s);

/*
 * An exclusive flock on path (created), held until the process exits or the
 * returned descriptor is closed; says on stderr when it has to wait for
 * another holder. -1 (reported) on failure.
 */
int lock_file(const char *path);


/* The work directory: $KBACKPORT_WORK or ./work. */
const char *work_dir(void);
/*
 * Downloads kept across clones and work directories (Debian packages):
 * $KBACKPORT_CACHE_DIR, else $XDG_CACHE_HOME/kbackport, else ~/.cache/kbackport.
 */
const char *cache_dir(void);

/* dir/<name> for each name in dir ending in suffix (no hidden ones), sorted by name, appended to out. */
void dir_files(const char *dir, const char *suffix, struct strvec *out);
/* Sorts paths by their last component. */
void sv_sort_by_file_name(struct strvec *sv);

#endif
