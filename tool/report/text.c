// SPDX-License-Identifier: GPL-2.0
/* The report as text: the table, one line per reason, splats and stale results (text.h). */
#include "report/text.h"

#include <string.h>

static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static char *cell_str(const struct report_cell *c)
{
	const char *m = c->status ? report_mark(c->status) : "";
	const char *text = c->text ? c->text : "";

	return xasprintf("%s%s%s", m, *m && *text ? " " : "", text);
}

static void print_padded(FILE *f, const char *s, size_t w)
{
	fprintf(f, "%s%*s", s, (int)(w - width(s) + 2), "");
}

/* A splat of the debug boot, its first lines indented under it (the HTML page has them all). */
static void print_trace(FILE *f, const char *kernel, json_t *t)
{
	json_t *l;
	size_t i;

	fprintf(f, "%s: debug %s at console line %lld: %s\n", kernel, jstr(t, "kind"),
		(long long)json_integer_value(json_object_get(t, "line")), jstr(t, "text"));
	json_array_foreach(json_object_get(t, "trace"), i, l)
		if (i < 16)
			fprintf(f, "    %s\n", json_string_value(l));
}

int report_text(json_t *doc, FILE *f)
{
	json_t *kernels = json_object_get(doc, "kernels"), *k, *r;
	struct report_table t;
	size_t w[REPORT_MAX_CELLS] = { 0 }, i, j, ncol;
	char *text[REPORT_MAX_CELLS];

	report_table(doc, &t);
	ncol = t.columns.n < REPORT_MAX_CELLS ? t.columns.n : REPORT_MAX_CELLS;
	for (j = 0; j < ncol; j++) {
		w[j] = width(t.columns.v[j]);
		for (i = 0; i < t.rows; i++) {
			char *c = cell_str(&t.cells[i][j]);

			w[j] = width(c) > w[j] ? width(c) : w[j];
			free(c);
		}
	}
	for (j = 0; j < ncol; j++)
		print_padded(f, t.columns.v[j], w[j]);
	fputc('\n', f);
	for (i = 0; i < t.rows; i++) {
		for (j = 0; j < ncol; j++) {
			text[j] = cell_str(&t.cells[i][j]);
			print_padded(f, text[j], w[j]);
			free(text[j]);
		}
		fputc('\n', f);
	}
	json_array_foreach(kernels, i, k)
		for (int s = 0; s < RS_NR; s++)
			json_array_foreach(json_object_get(jget(k, "stages", report_stage_name(s)), "reasons"), j, r)
				fprintf(f, "%s: ✘ %s: %s\n", jstr(k, "kernel"), report_stage_name(s), json_string_value(r));
	json_array_foreach(kernels, i, k)
		json_array_foreach(jget(k, "debug", "traces"), j, r)
			print_trace(f, jstr(k, "kernel"), r);
	json_array_foreach(kernels, i, k)
		json_array_foreach(json_object_get(k, "stale"), j, r)
			fprintf(f, "%s: %s\n", jstr(k, "kernel"), json_string_value(r));
	json_array_foreach(kernels, i, k)
		for (int s = 0; s < RS_NR; s++)
			if (!strcmp(jstr(jget(k, "stages", report_stage_name(s)), "status"), "not-run"))
				fprintf(f, "%s: · %s: no results\n", jstr(k, "kernel"), report_stage_name(s));
	report_table_free(&t);
	return ferror(f) ? error("cannot write the report") : 0;
}
