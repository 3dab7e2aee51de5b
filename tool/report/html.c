// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report: one self-contained file (inline CSS and SVG, no script,
 * no external asset) with the table, the reasons for every ✘, and per
 * kernel the port, build, boots, tests and IOPS-vs-jobs plots.
 */
#include <string.h>

#include "report/html.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A JSON scalar as text. */
static void esc_json(FILE *f, json_t *v)
{
	if (json_is_string(v))
		esc(f, json_string_value(v));
	else if (json_is_integer(v))
		fprintf(f, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%.2f", json_real_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "yes" : "no", f);
	else
		fputs("-", f);
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
	"th{background:#f0f0f0}.pass{background:#e6f4ea}.fail{background:#fce8e6}.disturbed{background:#fff4d6}.known{background:#eef0ff}"
	".not-run,.incomplete{color:#888}"
	"pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:12px}code{font-size:12px}"
	".plots{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-weight:bold;font-size:13px}svg.plot{border:1px solid #ddd;background:#fff}"
	"h2{border-bottom:1px solid #ccc;margin-top:2em}";

static void table(FILE *f, json_t *doc)
{
	struct report_table t;

	report_table(doc, &t);
	fputs("<table class=\"summary\"><tr>", f);
	for (size_t j = 0; j < t.columns.n && j < REPORT_MAX_CELLS; j++) {
		fputs("<th>", f);
		esc(f, t.columns.v[j]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < t.rows; i++) {
		fputs("<tr>", f);
		for (size_t j = 0; j < t.columns.n && j < REPORT_MAX_CELLS; j++) {
			struct report_cell *c = &t.cells[i][j];

			fprintf(f, "<td class=\"%s\">%s ", c->status ? c->status : "", c->status ? report_mark(c->status) : "");
			if (j == 0)
				fprintf(f, "<a href=\"#k-%s\">", c->text);
			esc(f, c->text);
			fputs(j == 0 ? "</a></td>" : "</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	report_table_free(&t);
}

/*
 * Every ✘ with its reason, then every ≈ (a disturbed measurement) with its
 * own, then every ○ (a defect the series fixes, shown where it is not applied).
 */
static void reasons(FILE *f, json_t *k, bool named)
{
	static const char *const kinds[][3] = { { "reasons", "fail", "✘" }, { "disturbed", "disturbed", "≈" },
						{ "known", "known", "○" } };
	bool any = false;

	for (size_t n = 0; n < ARRAY_SIZE(kinds); n++)
		for (int s = 0; s < RS_NR; s++) {
			json_t *st = json_object_get(json_object_get(k, "stages"), report_stage_name(s)), *r;
			size_t i;

			json_array_foreach(json_object_get(st, kinds[n][0]), i, r) {
				fputs(any ? "" : "<ul class=\"reasons\">", f);
				any = true;
				fprintf(f, "<li class=\"%s\">%s %s%s%s: ", kinds[n][1], kinds[n][2],
					named ? jstr(k, "kernel") : "", named ? " " : "", report_stage_name(s));
				esc(f, json_string_value(r));
				fputs("</li>\n", f);
			}
		}
	fputs(any ? "</ul>\n" : "", f);
}

/* Results made on another revision than the tree's: a state, listed apart from the failures. */
static void stale(FILE *f, json_t *k)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(k, "stale"), i, r) {
		fputs(i ? "" : "<ul class=\"stale\">", f);
		fputs("<li>", f);
		esc(f, json_string_value(r));
		fputs("</li>\n", f);
	}
	fputs(json_array_size(json_object_get(k, "stale")) ? "</ul>\n" : "", f);
}

/* ---- plots ---------------------------------------------------------------- */

#define PW 520
#define PH 300
#define ML 60
#define MR 60
#define MT 30
#define MB 45

struct curve {
	const char *label;
	const char *color;
	bool dashed, right;	/* reference: dashed, on the right axis */
	double x[16], y[16];
	size_t n;
};

/* A step of 1, 2 or 5 times a power of ten giving about five ticks up to max. */
static double tick_step(double max)
{
	double raw = max / 5, p = 1, m;

	while (p * 10 <= raw)
		p *= 10;
	while (p > raw)
		p /= 10;
	m = raw / p;
	return p * (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10);
}

/* The axis top: max rounded up to a whole tick. */
static double axis_top(double max)
{
	double step, top;

	if (max <= 0)
		return 1;
	step = tick_step(max * 1.05);
	for (top = step; top < max * 1.05; top += step)
		;
	return top;
}

/* log2 for job counts, linear between powers of two (no libm needed). */
static double lg(double x)
{
	double l = 0;

	for (; x >= 2; x /= 2)
		l++;
	return l + (x - 1);
}

static double px(double jobs, double xmax)
{
	return ML + (xmax > 1 ? lg(jobs) / lg(xmax) : 0) * (PW - ML - MR);
}

static double py(double v, double ymax)
{
	return PH - MB - v / ymax * (PH - MT - MB);
}

static void axis(FILE *f, double ymax, bool right, const char *label)
{
	double step = tick_step(ymax), x = right ? PW - MR : ML;

	for (double v = 0; v <= ymax + step / 1e6; v += step)
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"%s\">%g</text>\n",
			right ? x + 4 : x - 4, py(v, ymax) + 3, right ? "start" : "end", v);
	fprintf(f, "<text x=\"%.0f\" y=\"%d\" font-size=\"11\" text-anchor=\"%s\">", x, MT - 8, right ? "end" : "start");
	esc(f, label);
	fputs("</text>\n", f);
}

static void draw(FILE *f, const struct curve *s, double xmax, double ymax)
{
	if (!s->n)
		return;
	fprintf(f, "<polyline class=\"curve\" data-label=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
		s->label, s->color, s->dashed ? " stroke-dasharray=\"6 4\"" : "");
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%s%.1f,%.1f", i ? " " : "", px(s->x[i], xmax), py(s->y[i], ymax));
	fputs("\"/>\n", f);
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %g jobs, %.0f</title></circle>\n",
			px(s->x[i], xmax), py(s->y[i], ymax), s->color, s->label, s->x[i], s->y[i]);
}

static void from_measurements(struct curve *s, json_t *meas, const char *test, const char *variant)
{
	json_t *m;
	size_t i;

	/* round 1's curve: the later rounds are in the comparison table */
	json_array_foreach(meas, i, m)
		if (s->n < 16 && !strcmp(jstr(m, "test"), test) && !strcmp(jstr(m, "variant"), variant) &&
		    json_integer_value(json_object_get(m, "round")) <= 1 && json_is_number(json_object_get(m, "iops"))) {
			s->x[s->n] = json_number_value(json_object_get(m, "jobs"));
			s->y[s->n++] = json_number_value(json_object_get(m, "iops"));
		}
}

static void from_reference(struct curve *s, json_t *points)
{
	json_t *p;
	size_t i;

	json_array_foreach(points, i, p)
		if (s->n < 16 && json_array_size(p) == 2) {
			s->x[s->n] = json_number_value(json_array_get(p, 0));
			s->y[s->n++] = json_number_value(json_array_get(p, 1));
		}
}

static void extent(const struct curve *s, size_t n, bool right, double *xmax, double *ymax)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < s[i].n; j++) {
			*xmax = s[i].x[j] > *xmax ? s[i].x[j] : *xmax;
			if (s[i].right == right && s[i].y[j] > *ymax)
				*ymax = s[i].y[j];
		}
}

/* IOPS against jobs (log2 axis), base and patched, the reference dashed on its own axis. */
static void plot(FILE *f, json_t *k, const char *test)
{
	json_t *rt = report_reference_test(json_object_get(k, "reference"), test);
	struct curve s[4] = {
		{ .label = "base", .color = "#1f77b4" },
		{ .label = "patched", .color = "#d62728" },
		{ .label = "cover letter base", .color = "#7fb2d9", .dashed = true, .right = true },
		{ .label = "cover letter patched", .color = "#eb9394", .dashed = true, .right = true },
	};
	double xmax = 1, ymax = 0, rmax = 0, step;

	from_measurements(&s[0], json_object_get(k, "measurements"), test, "base");
	from_measurements(&s[1], json_object_get(k, "measurements"), test, "patched");
	from_reference(&s[2], json_object_get(rt, "base"));
	from_reference(&s[3], json_object_get(rt, "patched"));
	extent(s, 4, false, &xmax, &ymax);
	extent(s, 4, true, &xmax, &rmax);
	ymax = axis_top(ymax);
	rmax = axis_top(rmax);
	fprintf(f, "<figure><figcaption style=\"max-width:%dpx\">", PW);
	esc(f, rt && jstr(rt, "title") ? jstr(rt, "title") : test);
	fprintf(f, "</figcaption>\n<svg class=\"plot\" data-kernel=\"%s\" data-test=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
		   "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", jstr(k, "kernel"), test, PW, PH, PW, PH);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", ML, MT,
		PW - ML - MR, PH - MT - MB);
	for (double j = 1; j <= xmax; j *= 2)
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%d\" "
			   "font-size=\"10\" text-anchor=\"middle\">%g</text>\n", px(j, xmax), px(j, xmax), MT, PH - MB,
			px(j, xmax), PH - MB + 14, j);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">jobs</text>\n", (PW + ML - MR) / 2,
		PH - MB + 30);
	axis(f, ymax, false, "measured IOPS");
	if (s[2].n || s[3].n)
		axis(f, rmax, true, "cover letter IOPS");
	for (int i = 0; i < 4; i++)
		draw(f, &s[i], xmax, s[i].right ? rmax : ymax);
	step = 0;
	for (int i = 0; i < 4; i++) {
		if (!s[i].n)
			continue;
		fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
			   "<text x=\"%.0f\" y=\"%d\" font-size=\"10\">%s</text>\n", ML + step, ML + step + 18, PH - 6, PH - 6,
			s[i].color, s[i].dashed ? " stroke-dasharray=\"6 4\"" : "", ML + step + 22, PH - 3, s[i].label);
		step += 40 + 6 * strlen(s[i].label);
	}
	fputs("</svg></figure>\n", f);
}

static void plots(FILE *f, json_t *k)
{
	json_t *c;
	size_t i;

	if (!json_array_size(json_object_get(k, "comparisons")))
		return;
	fputs("<h3>IOPS against jobs</h3><div class=\"plots\">\n", f);
	json_array_foreach(json_object_get(k, "comparisons"), i, c)
		plot(f, k, jstr(c, "test"));
	fputs("</div>\n", f);
	if (jstr(json_object_get(k, "reference"), "source")) {
		fputs("<p>Dashed: ", f);
		esc(f, jstr(json_object_get(k, "reference"), "source"));
		fputs(" (", f);
		esc(f, jstr(json_object_get(k, "reference"), "hardware"));
		fputs("), right axis.</p>\n", f);
	}
}

/* ---- per-kernel detail ----------------------------------------------------------- */

/* One cell per key of o. */
static void tds(FILE *f, json_t *o, const char *const *keys, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		fputs("<td>", f);
		esc_json(f, json_object_get(o, keys[j]));
		fputs("</td>", f);
	}
}

/* A table of objects: one column per key. */
static void rows(FILE *f, json_t *items, const char *const *keys, size_t nkeys)
{
	json_t *it;
	size_t i;

	if (!json_array_size(items))
		return;
	fputs("<table><tr>", f);
	for (size_t j = 0; j < nkeys; j++)
		fprintf(f, "<th>%s</th>", keys[j]);
	fputs("</tr>\n", f);
	json_array_foreach(items, i, it) {
		const char *st = jstr(it, "status");

		if (!st)
			st = jstr(it, "verdict");
		fprintf(f, "<tr class=\"%s\">", st && (!strcmp(st, "fail") || !strcmp(st, "conflict")) ? "fail" :
			st && !strcmp(st, "disturbed") ? "disturbed" : "");
		tds(f, it, keys, nkeys);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void hunks(FILE *f, json_t *patches)
{
	json_t *p, *h;
	size_t i, j;
	bool any = false;

	json_array_foreach(patches, i, p)
		json_array_foreach(json_object_get(p, "hunks"), j, h) {
			if (!strcmp(jstr(h, "strategy") ? jstr(h, "strategy") : "exact", "exact"))
				continue;
			fputs(any ? "" : "<p>Hunks not applied exactly:</p><ul>", f);
			any = true;
			fprintf(f, "<li>%s %lld, %s hunk %lld: %s", json_is_true(json_object_get(p, "prereq")) ? "prereq" : "patch",
				(long long)json_integer_value(json_object_get(p, "patch")), jstr(h, "file"),
				(long long)json_integer_value(json_object_get(h, "hunk")), jstr(h, "strategy"));
			if (json_integer_value(json_object_get(h, "offset")))
				fprintf(f, ", offset %lld", (long long)json_integer_value(json_object_get(h, "offset")));
			if (json_integer_value(json_object_get(h, "fuzz")))
				fprintf(f, ", fuzz %lld", (long long)json_integer_value(json_object_get(h, "fuzz")));
			fputs("</li>\n", f);
		}
	fputs(any ? "</ul>\n" : "", f);
}

static void lines(FILE *f, const char *title, json_t *arr)
{
	json_t *l;
	size_t i;

	if (!json_array_size(arr))
		return;
	fputs("<p>", f);
	esc(f, title);
	fputs("</p><pre>", f);
	json_array_foreach(arr, i, l) {
		esc(f, json_is_string(l) ? json_string_value(l) : jstr(l, "text"));
		fputc('\n', f);
	}
	fputs("</pre>\n", f);
}

static void port_detail(FILE *f, json_t *port)
{
	static const char *const pk[] = { "patch", "prereq", "status", "verdict", "subject", "how", "commit" };
	static const char *const qk[] = { "commit", "subject", "cited", "state", "evidence" };
	static const char *const lk[] = { "patch", "status", "subject", "commit" };
	json_t *series = json_array(), *p;
	size_t i;

	if (json_is_null(port) || !port)
		return;
	fputs("<h3>Port</h3>\n", f);
	json_array_foreach(json_object_get(port, "patches"), i, p)
		if (!json_is_true(json_object_get(p, "local")))
			json_array_append(series, p);
	if (json_array_size(json_object_get(port, "local_fixes"))) {
		fputs("<p>Series as posted, up to <code>", f);
		esc_json(f, json_object_get(port, "posted"));
		fputs("</code>:</p>\n", f);
	}
	rows(f, series, pk, ARRAY_SIZE(pk));
	hunks(f, json_object_get(port, "patches"));
	if (json_array_size(json_object_get(port, "local_fixes"))) {
		fputs("<p>Local fixes carried (the backporter's, after the series):</p>\n", f);
		rows(f, json_object_get(port, "local_fixes"), lk, ARRAY_SIZE(lk));
	}
	fputs("<p>Prerequisites:</p>\n", f);
	rows(f, json_object_get(port, "prereqs"), qk, ARRAY_SIZE(qk));
	json_decref(series);
}

static void build_detail(FILE *f, json_t *build)
{
	static const char *const variants[] = { "base", "patched" };
	json_t *c;
	size_t i;

	fputs("<h3>Build</h3><table><tr><th>variant</th><th>commit</th><th>config</th><th>seconds</th><th>ccache hits</th>"
	      "<th>warnings</th></tr>\n", f);
	for (int v = 0; v < 2; v++) {
		json_t *b = json_object_get(build, variants[v]);

		fprintf(f, "<tr><td>%s</td><td><code>", variants[v]);
		esc_json(f, json_object_get(b, "commit"));
		fputs("</code></td><td><code>", f);
		esc_json(f, json_object_get(json_object_get(b, "config"), "hash"));
		fputs("</code></td><td>", f);
		esc_json(f, json_object_get(b, "seconds"));
		fputs("</td><td>", f);
		esc_json(f, json_object_get(json_object_get(b, "ccache"), "hit_rate"));
		fprintf(f, "</td><td>%zu</td></tr>\n", json_array_size(json_object_get(b, "warnings")));
	}
	fputs("</table>\n", f);
	lines(f, "New compiler warnings (patched, not in base):", json_object_get(build, "new_warnings"));
	lines(f, "New warnings under the vendor config (W=1, sparse):",
	      json_object_get(json_object_get(build, "vendor_check"), "new_warnings"));
	json_array_foreach(json_object_get(json_object_get(build, "patched"), "checkpatch"), i, c) {
		char *title = xasprintf("checkpatch on %.12s %s:", jstr(c, "commit"), jstr(c, "subject"));

		lines(f, title, json_object_get(c, "lines"));
		free(title);
	}
}

static void boot_detail(FILE *f, const char *title, json_t *boot)
{
	static const char *const variants[] = { "base", "patched" };
	static const char *const keys[] = { "runner", "accelerator", "verdict", "workload_status", "seconds", "console" };

	fprintf(f, "<h3>%s</h3><table><tr><th>variant</th><th>runner</th><th>accelerator</th><th>verdict</th>"
		   "<th>workload</th><th>seconds</th><th>console</th></tr>\n", title);
	for (int v = 0; v < 2; v++) {
		json_t *b = json_object_get(boot, variants[v]);
		const char *verdict = jstr(b, "verdict");

		fprintf(f, "<tr class=\"%s\"><td>%s</td>", !verdict || !strcmp(verdict, "clean") ? "" :
			!strcmp(verdict, "known") ? "known" : "fail", variants[v]);
		tds(f, b, keys, ARRAY_SIZE(keys));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	for (int v = 0; v < 2; v++) {
		json_t *b = json_object_get(boot, variants[v]);
		char *t = xasprintf("%s: console lines that decided the verdict:", variants[v]);

		lines(f, t, json_object_get(b, "findings"));
		free(t);
		t = xasprintf("%s: last console lines:", variants[v]);
		lines(f, t, json_object_get(b, "console_tail"));
		free(t);
	}
}

/* Each bench round: per variant the boot and how busy the host was meanwhile. */
static void rounds_detail(FILE *f, json_t *k)
{
	static const char *const variants[] = { "base", "patched" };
	static const char *const rk[] = { "round", "base", "patched", "ratio" };
	static const char *const bk[] = { "verdict", "seconds" };
	static const char *const hk[] = { "other_cpus", "steal_seconds", "loadavg_end" };
	json_t *r, *c, *x;
	size_t i, j;

	if (json_array_size(jget(k, "bench", "rounds")) < 2 &&
	    !json_array_size(json_object_get(jget(k, "stages", "bench"), "disturbed")))
		return;
	fputs("<h3>Bench rounds</h3><table><tr><th>test</th><th>jobs</th><th>round</th><th>base</th><th>patched</th>"
	      "<th>ratio</th></tr>\n", f);
	json_array_foreach(json_object_get(k, "comparisons"), i, c)
		json_array_foreach(json_object_get(c, "rounds"), j, x) {
			fputs("<tr><td>", f);
			esc(f, jstr(c, "test"));
			fputs("</td><td>", f);
			esc_json(f, json_object_get(c, "jobs"));
			fputs("</td>", f);
			tds(f, x, rk, ARRAY_SIZE(rk));
			fputs("</tr>\n", f);
		}
	fputs("</table>\n<table><tr><th>round</th><th>variant</th><th>verdict</th><th>seconds</th><th>other CPUs</th>"
	      "<th>steal s</th><th>load</th><th>host</th></tr>\n", f);
	json_array_foreach(jget(k, "bench", "rounds"), i, r)
		for (int v = 0; v < 2; v++) {
			json_t *b = json_object_get(r, variants[v]), *h = json_object_get(b, "host");

			if (!json_is_object(b))
				continue;
			fprintf(f, "<tr class=\"%s\"><td>", json_is_true(json_object_get(h, "busy")) ? "disturbed" : "");
			esc_json(f, json_object_get(r, "round"));
			fprintf(f, "</td><td>%s</td>", variants[v]);
			tds(f, b, bk, ARRAY_SIZE(bk));
			tds(f, h, hk, ARRAY_SIZE(hk));
			fputs("<td>", f);
			if (!json_is_object(h))
				fputs("not measured (not this host)", f);
			else if (json_is_true(json_object_get(h, "busy")))
				esc(f, jstr(h, "reason"));
			else
				fputs("quiet", f);
			fputs("</td></tr>\n", f);
		}
	fputs("</table>\n", f);
}

/* The series as posted: its boot and, case by case, the defect it shows (the local fixes carry the fix). */
static void posted_detail(FILE *f, json_t *posted)
{
	static const char *const keys[] = { "runner", "accelerator", "verdict", "workload_status", "seconds", "console" };
	static const char *const ek[] = { "layout", "write" };
	json_t *b = json_object_get(posted, "boot"), *x, *d;
	size_t i, j;

	if (!json_is_object(b))
		return;
	fputs("<h3>Series as posted (evidence)</h3><p>", f);
	esc(f, jstr(posted, "note"));
	fputs("</p><table><tr><th>runner</th><th>accelerator</th><th>verdict</th><th>workload</th><th>seconds</th>"
	      "<th>console</th></tr>\n<tr>", f);
	tds(f, b, keys, ARRAY_SIZE(keys));
	fputs("</tr></table>\n", f);
	if (!json_array_size(json_object_get(posted, "evidence")))
		return;
	fputs("<table class=\"evidence\"><tr><th>reproducer</th><th>layout</th><th>write</th><th>defect</th></tr>\n", f);
	json_array_foreach(json_object_get(posted, "evidence"), i, x) {
		fputs("<tr class=\"fail\"><td>", f);
		if (jstr(x, "case")) {
			fputs("kb-nowait ", f);
			esc(f, jstr(x, "case"));
		} else {
			esc(f, jstr(x, "test"));
		}
		fputs("</td>", f);
		tds(f, x, ek, ARRAY_SIZE(ek));
		fputs("<td>", f);
		json_array_foreach(json_object_get(x, "defects"), j, d) {
			fputs(j ? "<br>" : "", f);
			esc(f, json_string_value(d));
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The debug flavour's boot and every splat with the lines of its report. */
static void debug_detail(FILE *f, json_t *debug)
{
	static const char *const keys[] = { "runner", "accelerator", "verdict", "workload_status", "seconds", "console" };
	json_t *b = json_object_get(debug, "boot"), *t;
	size_t i;

	if (json_is_null(b) || !b)
		return;
	fputs("<h3>Debug flavour (lockdep, sleep-in-atomic, KASAN)</h3><table><tr><th>runner</th><th>accelerator</th>"
	      "<th>verdict</th><th>workload</th><th>seconds</th><th>console</th></tr>\n<tr>", f);
	tds(f, b, keys, ARRAY_SIZE(keys));
	fputs("</tr></table>\n", f);
	json_array_foreach(json_object_get(debug, "traces"), i, t) {
		char *title = xasprintf("%s at console line %lld: %s", jstr(t, "kind"),
					(long long)json_integer_value(json_object_get(t, "line")), jstr(t, "text"));

		lines(f, title, json_object_get(t, "trace"));
		free(title);
	}
}

static void kernel_detail(FILE *f, json_t *k)
{
	static const char *const tk[] = { "variant", "name", "status", "detail" };
	static const char *const ck[] = { "test", "jobs", "base", "patched", "ratio", "spread", "bound", "min_ratio",
					  "verdict" };
	static const char *const sk[] = { "name", "stage", "status", "exit", "seconds", "reused", "why", "log" };
	static const char *const trk[] = { "series", "branch", "revision", "source", "exports_source", "base", "tip" };

	fprintf(f, "<h2 id=\"k-%s\">%s %s</h2>\n<table><tr>", jstr(k, "kernel"), report_mark(jstr(k, "verdict")),
		jstr(k, "kernel"));
	for (size_t i = 0; i < ARRAY_SIZE(trk); i++)
		fprintf(f, "<th>%s</th>", trk[i]);
	fputs("</tr><tr>", f);
	tds(f, json_object_get(k, "tree"), trk, ARRAY_SIZE(trk));
	fputs("</tr></table>\n", f);
	stale(f, k);
	reasons(f, k, false);
	plots(f, k);
	rows(f, json_object_get(k, "comparisons"), ck, ARRAY_SIZE(ck));
	rounds_detail(f, k);
	port_detail(f, json_object_get(k, "port"));
	build_detail(f, json_object_get(k, "build"));
	boot_detail(f, "Boot (" REPORT_BOOT_WORKLOAD ")", json_object_get(k, "boot"));
	boot_detail(f, "Tests (" REPORT_BENCH_WORKLOAD ")", json_object_get(k, "bench"));
	debug_detail(f, json_object_get(k, "debug"));
	posted_detail(f, json_object_get(k, "posted"));
	rows(f, json_object_get(k, "tests"), tk, ARRAY_SIZE(tk));
	if (json_array_size(json_object_get(k, "steps"))) {
		fputs("<h3>Last matrix run</h3>\n", f);
		rows(f, json_object_get(k, "steps"), sk, ARRAY_SIZE(sk));
	}
}

int report_html(json_t *doc, FILE *f)
{
	json_t *k;
	size_t i;

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kbackport report</title>"
		   "<style>%s</style></head><body>\n<h1>kbackport report</h1>\n<p>Generated %s from <code>", style,
		jstr(doc, "generated"));
	esc(f, jstr(doc, "work"));
	fputs("</code>. ✔ passed, ✘ failed (reasons below), ≈ disturbed (measured while something else slowed the\n"
	      "machine, or rounds that disagree: neither a pass nor a failure, run the bench again), ○ known (a defect\n"
	      "the series fixes, shown by a kernel without it, as the series' expect/known-* table says), · not run.</p>\n",
	      f);
	table(f, doc);
	json_array_foreach(json_object_get(doc, "kernels"), i, k)
		reasons(f, k, true);
	json_array_foreach(json_object_get(doc, "kernels"), i, k)
		kernel_detail(f, k);
	fputs("</body></html>\n", f);
	return ferror(f) ? error("cannot write the HTML report") : 0;
}
