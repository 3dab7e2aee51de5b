// SPDX-License-Identifier: GPL-2.0
/*
 * YAML through libyaml: the writer (block style, for series.yaml and LAVA
 * jobs) and the one strict reader of kernels/, kernels/labs/ and
 * series.yaml (yaml.h).
 */
#include "lib/yaml.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/text.h"

static int sink(void *data, unsigned char *buf, size_t size)
{
	sb_add(data, buf, size);
	return 1;
}

static void emit(struct yaml_out *y, yaml_event_t *ev)
{
	if (!y->failed && !yaml_emitter_emit(&y->em, ev))
		y->failed = true;
}

void yaml_out_begin(struct yaml_out *y, const char *preamble)
{
	yaml_event_t ev;

	memset(y, 0, sizeof(*y));
	yaml_emitter_initialize(&y->em);
	yaml_emitter_set_output(&y->em, sink, &y->text);
	yaml_emitter_set_unicode(&y->em, 1);
	yaml_emitter_set_width(&y->em, -1);
	if (preamble)
		sb_adds(&y->text, preamble);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(y, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(y, &ev);
}

char *yaml_out_end(struct yaml_out *y, const char **problem)
{
	yaml_event_t ev;

	yaml_document_end_event_initialize(&ev, 1);
	emit(y, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(y, &ev);
	*problem = y->em.problem;
	yaml_emitter_delete(&y->em);
	if (y->failed) {
		sb_release(&y->text);
		return NULL;
	}
	return sb_detach(&y->text);
}

void yaml_out_str(struct yaml_out *y, const char *s)
{
	yaml_event_t ev;
	char *clean = utf8_sanitize(s ? s : "");
	yaml_scalar_style_t style = strchr(clean, '\n') ? YAML_LITERAL_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)clean, strlen(clean), 1, 1, style);
	emit(y, &ev);
	free(clean);
}

void yaml_out_int(struct yaml_out *y, long long v)
{
	char buf[32];
	yaml_event_t ev;

	snprintf(buf, sizeof(buf), "%lld", v);
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)buf, strlen(buf), 1, 0, YAML_PLAIN_SCALAR_STYLE);
	emit(y, &ev);
}

void yaml_out_map(struct yaml_out *y, bool start)
{
	yaml_event_t ev;

	if (start)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_mapping_end_event_initialize(&ev);
	emit(y, &ev);
}

void yaml_out_seq(struct yaml_out *y, bool start)
{
	yaml_event_t ev;

	if (start)
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	else
		yaml_sequence_end_event_initialize(&ev);
	emit(y, &ev);
}

void yaml_out_kv(struct yaml_out *y, const char *key, const char *value)
{
	if (!value)
		return;
	yaml_out_str(y, key);
	yaml_out_str(y, value);
}

yaml_node_t *yaml_map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

/* ---- the strict reader ---- */

int yfile_bad(const struct yfile *f, const yaml_node_t *n, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n)
		return error_code(KB_EXIT_BADINPUT, "%s in '%s' (line %zu)", what, f->path,
				  n->start_mark.line + 1);
	return error_code(KB_EXIT_BADINPUT, "%s in '%s'", what, f->path);
}

yaml_node_t *yfile_node(struct yfile *f, int index)
{
	return yaml_document_get_node(&f->doc, index);
}

/* A plain empty scalar is YAML's null, not a string. */
const char *yfile_scalar(const yaml_node_t *n)
{
	const char *s;

	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	s = (const char *)n->data.scalar.value;
	/* YAML's null: a plain empty scalar, "~" or "null" */
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL")))
		return NULL;
	return s;
}

/*
 * Picks the values of the keys of the mapping named where ("" for the
 * top, "source.git") into vals[] (NULL if absent). Any other key, a
 * duplicate, or a missing key whose bit is set in required is an error.
 */
int yfile_fields(struct yfile *f, yaml_node_t *map, const char *where,
		      const char *const *keys, size_t nkeys, unsigned int required,
		      yaml_node_t **vals)
{
	const char *dot = *where ? "." : "";
	yaml_node_pair_t *p;
	size_t i;

	if (map->type != YAML_MAPPING_NODE)
		return yfile_bad(f, map, "expected a mapping %s%s%s", *where ? "for '" : "at the top",
			   where, *where ? "'" : "");
	memset(vals, 0, nkeys * sizeof(*vals));
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yfile_node(f, p->key);
		const char *key = yfile_scalar(kn);

		if (!key)
			return yfile_bad(f, kn, "expected a string as key%s%s", *where ? " in " : "", where);
		for (i = 0; i < nkeys && strcmp(keys[i], key); i++)
			;
		if (i == nkeys)
			return yfile_bad(f, kn, "unknown key '%s%s%s'", where, dot, key);
		if (vals[i])
			return yfile_bad(f, kn, "duplicate key '%s%s%s'", where, dot, key);
		vals[i] = yfile_node(f, p->value);
	}
	for (i = 0; i < nkeys; i++)
		if ((required & (1u << i)) && !vals[i])
			return yfile_bad(f, map, "missing required key '%s%s%s'", where, dot, keys[i]);
	return 0;
}

int yfile_str(struct yfile *f, yaml_node_t *n, const char *key, char **out)
{
	const char *s = yfile_scalar(n);

	if (!s)
		return yfile_bad(f, n, "expected a non-empty string for '%s'", key);
	*out = xstrdup(s);
	return 0;
}

int yfile_posint(struct yfile *f, yaml_node_t *n, const char *key, int *out)
{
	const char *s = yfile_scalar(n);
	char *end;
	long v;

	if (!s)
		return yfile_bad(f, n, "expected a positive integer for '%s'", key);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > INT_MAX)
		return yfile_bad(f, n, "invalid value '%s' for '%s' (expected a positive integer)", s, key);
	*out = v;
	return 0;
}

int yfile_strlist(struct yfile *f, yaml_node_t *n, const char *key, struct strvec *out)
{
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE)
		return yfile_bad(f, n, "expected a list for '%s'", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yfile_node(f, *it);
		const char *s = yfile_scalar(item);

		if (!s)
			return yfile_bad(f, item, "expected a non-empty string in '%s'", key);
		sv_push(out, s);
	}
	return 0;
}

int yfile_argv(struct yfile *f, yaml_node_t *n, const char *key, struct strvec *out)
{
	if (yfile_strlist(f, n, key, out))
		return -1;
	if (!out->n)
		return yfile_bad(f, n, "expected a command (a list: program and arguments) for '%s'", key);
	return 0;
}

int yfile_bool(struct yfile *f, yaml_node_t *n, const char *key, bool *out)
{
	const char *s = yfile_scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "false"))) {
		*out = !strcmp(s, "true");
		return 0;
	}
	return yfile_bad(f, n, "expected true or false for '%s'", key);
}

int yfile_load(struct yfile *f, const char *path, const char *what)
{
	struct strbuf text = STRBUF_INIT;
	yaml_parser_t parser;
	yaml_document_t extra;
	int ret = -1;

	memset(f, 0, sizeof(*f));
	f->path = path;
	if (read_file_max(path, &text, YFILE_MAX))
		return -1;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)sb_str(&text), text.len);
	if (!yaml_parser_load(&parser, &f->doc)) {
		error_code(KB_EXIT_BADINPUT, "cannot parse '%s': %s (line %zu)", path,
			   parser.problem ? parser.problem : "unknown error", parser.problem_mark.line + 1);
		goto out;
	}
	f->loaded = true;
	if (!yaml_document_get_root_node(&f->doc)) {
		error_code(KB_EXIT_BADINPUT, "empty %s '%s'", what, path);
		goto out;
	}
	/* A second document would otherwise be ignored without a word. */
	if (!yaml_parser_load(&parser, &extra)) {
		error_code(KB_EXIT_BADINPUT, "cannot parse '%s': %s (line %zu)", path,
			   parser.problem ? parser.problem : "unknown error", parser.problem_mark.line + 1);
		goto out;
	}
	if (yaml_document_get_root_node(&extra)) {
		error_code(KB_EXIT_BADINPUT, "more than one document in '%s'", path);
		yaml_document_delete(&extra);
		goto out;
	}
	yaml_document_delete(&extra);
	ret = 0;
out:
	yaml_parser_delete(&parser);
	sb_release(&text);
	if (ret)
		yfile_free(f);
	return ret;
}

void yfile_free(struct yfile *f)
{
	if (f->loaded)
		yaml_document_delete(&f->doc);
	f->loaded = false;
}

yaml_node_t *yfile_root(struct yfile *f)
{
	return yaml_document_get_root_node(&f->doc);
}

int yfile_int(struct yfile *f, yaml_node_t *n, const char *key, long min, long max, long *out)
{
	const char *s = yfile_scalar(n);
	char *end;
	long v;

	if (!s)
		return yfile_bad(f, n, "expected a number for '%s'", key);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return yfile_bad(f, n, "invalid value '%s' for '%s' (expected %ld to %ld)", s, key, min, max);
	*out = v;
	return 0;
}

int yfile_enum(struct yfile *f, yaml_node_t *n, const char *key, const char *const *choices, size_t nchoices,
	       const char **out)
{
	const char *s = yfile_scalar(n);
	struct strbuf all = STRBUF_INIT;

	for (size_t i = 0; s && i < nchoices; i++)
		if (!strcmp(s, choices[i])) {
			*out = choices[i];
			return 0;
		}
	for (size_t i = 0; i < nchoices; i++)
		sb_addf(&all, "%s%s", i ? ", " : "", choices[i]);
	yfile_bad(f, n, "invalid value '%s' for '%s' (one of %s)", s ? s : "", key, all.buf);
	sb_release(&all);
	return -1;
}

int yfile_each(struct yfile *f, yaml_node_t *n, const char *key, size_t max,
	       int (*fn)(struct yfile *f, yaml_node_t *item, void *arg), void *arg)
{
	size_t count = 0;

	if (n->type != YAML_SEQUENCE_NODE)
		return yfile_bad(f, n, "expected a list for '%s'", key);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		if (++count > max)
			return yfile_bad(f, n, "more than %zu entries in '%s'", max, key);
		if (fn(f, yfile_node(f, *it), arg))
			return -1;
	}
	return 0;
}
