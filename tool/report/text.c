// SPDX-License-Identifier: GPL-2.0
/*
 * The report as text: the table, one line per reason (✘ failed, ≈
 * disturbed), the bench rounds, splats, the series as posted against the
 * local fixes carried, and stale results (text.h).
 */
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

/* Each ratio over the rounds, when there were several: what the table's median stands for. */
static void print_rounds(FILE *f, const char *kernel, json_t *cmp)
{
	json_t *r;
	size_t i;

	if (json_array_size(json_object_get(cmp, "rounds")) < 2 || !json_is_number(json_object_get(cmp, "ratio")))
		return;
	fprintf(f, "%s: %s at %lld jobs: patched/base %.2fx, median of rounds", kernel, jstr(cmp, "test"),
		(long long)json_integer_value(json_object_get(cmp, "jobs")), json_number_value(json_object_get(cmp, "ratio")));
	json_array_foreach(json_object_get(cmp, "rounds"), i, r)
		if (json_is_number(json_object_get(r, "ratio")))
			fprintf(f, "%s%.2fx", i ? ", " : " ", json_number_value(json_object_get(r, "ratio")));
		else
			fprintf(f, "%s-", i ? ", " : " ");
	if (json_is_number(json_object_get(cmp, "spread")))
		fprintf(f, "; spread %.2f", json_number_value(json_object_get(cmp, "spread")));
	fprintf(f, ": %s\n", jstr(cmp, "verdict"));
}

/* The series as posted against the local fixes the port carries, and what the posted kernel showed. */
static void print_posted(FILE *f, const char *kernel, json_t *k)
{
	json_t *posted = json_object_get(k, "posted"), *fixes = jget(k, "port", "local_fixes"), *x, *d;
	size_t i, j;

	if (!json_array_size(fixes))
		return;
	fprintf(f, "%s: series as posted: %.12s; local fixes carried: %zu, tip %.12s\n", kernel,
		jstr(posted, "commit") ? jstr(posted, "commit") : "?", json_array_size(fixes),
		jstr(json_object_get(k, "tree"), "tip") ? jstr(json_object_get(k, "tree"), "tip") : "?");
	json_array_foreach(fixes, i, x)
		fprintf(f, "%s:   local fix %lld (%s): %s\n", kernel, (long long)json_integer_value(json_object_get(x, "patch")),
			jstr(x, "status") ? jstr(x, "status") : "?", jstr(x, "subject") ? jstr(x, "subject") : "?");
	if (!json_is_object(json_object_get(posted, "boot")))
		return;
	fprintf(f, "%s: as posted: %s\n", kernel, jstr(posted, "note") ? jstr(posted, "note") : "");
	json_array_foreach(json_object_get(posted, "evidence"), i, x) {
		if (jstr(x, "case"))
			fprintf(f, "%s:   kb-nowait %s %s, %s:", kernel, jstr(x, "case"), jstr(x, "layout") ? jstr(x, "layout") : "",
				jstr(x, "write") ? jstr(x, "write") : "");
		else
			fprintf(f, "%s:   %s:", kernel, jstr(x, "test") ? jstr(x, "test") : "?");
		json_array_foreach(json_object_get(x, "defects"), j, d)
			fprintf(f, "%s %s", j ? ";" : "", json_string_value(d));
		fputc('\n', f);
	}
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
		for (int s = 0; s < RS_NR; s++)
			json_array_foreach(json_object_get(jget(k, "stages", report_stage_name(s)), "disturbed"), j, r)
				fprintf(f, "%s: ≈ %s: %s\n", jstr(k, "kernel"), report_stage_name(s), json_string_value(r));
	json_array_foreach(kernels, i, k)
		for (int s = 0; s < RS_NR; s++)
			json_array_foreach(json_object_get(jget(k, "stages", report_stage_name(s)), "known"), j, r)
				fprintf(f, "%s: ○ %s: known: %s\n", jstr(k, "kernel"), report_stage_name(s),
					json_string_value(r));
	json_array_foreach(kernels, i, k)
		json_array_foreach(json_object_get(k, "comparisons"), j, r)
			print_rounds(f, jstr(k, "kernel"), r);
	json_array_foreach(kernels, i, k)
		json_array_foreach(jget(k, "debug", "traces"), j, r)
			print_trace(f, jstr(k, "kernel"), r);
	json_array_foreach(kernels, i, k)
		print_posted(f, jstr(k, "kernel"), k);
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
