// SPDX-License-Identifier: GPL-2.0
#include "lib/yaml.h"

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
