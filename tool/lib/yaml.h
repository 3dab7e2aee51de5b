/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_YAMLIO_H
#define KB_YAMLIO_H

#include <stdbool.h>
#include <yaml.h>

#include "lib/util.h"

/*
 * YAML written through libyaml's emitter into a buffer (block style, no
 * line folding), and looked up in a loaded document.
 */
struct yaml_out {
	yaml_emitter_t em;
	struct strbuf text;
	bool failed;		/* the first emitter failure sticks */
};

/* Starts the stream and its document; preamble (may be NULL) goes first, verbatim. */
void yaml_out_begin(struct yaml_out *y, const char *preamble);
/*
 * Ends them and returns the text, or NULL when the emitter failed (the
 * caller reports it; *problem says what libyaml found, if anything).
 */
char *yaml_out_end(struct yaml_out *y, const char **problem);

/* A string (NULL: empty); one with line breaks as a literal block. */
void yaml_out_str(struct yaml_out *y, const char *s);
/* A number, plain, so it reads back as an int. */
void yaml_out_int(struct yaml_out *y, long long v);
void yaml_out_map(struct yaml_out *y, bool start);
void yaml_out_seq(struct yaml_out *y, bool start);
/* key: value, nothing when value is NULL. */
void yaml_out_kv(struct yaml_out *y, const char *key, const char *value);

/* The value of key in a mapping node, or NULL. */
yaml_node_t *yaml_map_get(yaml_document_t *d, yaml_node_t *map, const char *key);

/*
 * The strict reader: a file the user edits or a lab profile is read whole,
 * and every problem is one error line naming the file and the line, with
 * kb_errcode KB_EXIT_BADINPUT (KB_EXIT_NOINPUT for a file that is missing):
 * unknown and duplicate keys, missing required ones, values of the wrong
 * kind or out of range, bad enum values, more entries than allowed. No
 * default hides a typo.
 */
#define YFILE_MAX (4u << 20)	/* bytes: no hand-written YAML of ours is bigger */

struct yfile {
	const char *path;
	yaml_document_t doc;
	bool loaded;
};

/* Reads and parses path (one document, not empty; what names it in errors). */
int yfile_load(struct yfile *f, const char *path, const char *what);
void yfile_free(struct yfile *f);
yaml_node_t *yfile_root(struct yfile *f);
yaml_node_t *yfile_node(struct yfile *f, int index);

/* Reports a problem with the content of f, at the line of n if given; returns -1. */
__attribute__((format(printf, 3, 4)))
int yfile_bad(const struct yfile *f, const yaml_node_t *n, const char *fmt, ...);

/* A scalar's text; NULL for a non-scalar or a plain empty one (YAML's null). */
const char *yfile_scalar(const yaml_node_t *n);

/*
 * Picks the values of the keys of the mapping named where ("" for the top,
 * "source.git") into vals[] (NULL if absent). Any other key, a duplicate,
 * or a missing key whose bit is set in required is an error.
 */
int yfile_fields(struct yfile *f, yaml_node_t *map, const char *where, const char *const *keys, size_t nkeys,
		 unsigned int required, yaml_node_t **vals);

/* Typed values: key names the value in errors. */
int yfile_str(struct yfile *f, yaml_node_t *n, const char *key, char **out);	/* non-empty */
int yfile_posint(struct yfile *f, yaml_node_t *n, const char *key, int *out);
int yfile_int(struct yfile *f, yaml_node_t *n, const char *key, long min, long max, long *out);
int yfile_bool(struct yfile *f, yaml_node_t *n, const char *key, bool *out);
int yfile_strlist(struct yfile *f, yaml_node_t *n, const char *key, struct strvec *out);
int yfile_argv(struct yfile *f, yaml_node_t *n, const char *key, struct strvec *out);	/* not empty */
/* One of choices; *out points into choices. */
int yfile_enum(struct yfile *f, yaml_node_t *n, const char *key, const char *const *choices, size_t nchoices,
	       const char **out);
/* fn for every item of the sequence n (at most max of them). */
int yfile_each(struct yfile *f, yaml_node_t *n, const char *key, size_t max,
	       int (*fn)(struct yfile *f, yaml_node_t *item, void *arg), void *arg);

#endif
