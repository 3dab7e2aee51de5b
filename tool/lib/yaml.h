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

#endif
