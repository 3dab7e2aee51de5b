// SPDX-License-Identifier: GPL-2.0
/*
 * Findings: which local fix is about which series patch, and what the
 * kb-nowait table measured on the tree without the series, with it as
 * posted, and with the fix on top.
 */
#define _GNU_SOURCE
#include "mail/finding.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/store.h"
#include "lib/text.h"

const char *const nowait_apis[NOWAIT_APIS] = { "pwritev2-nowait", "uring-nowait", "uring" };
const char *const nowait_variants[NW_VARIANTS] = { "base", "posted", "patched" };

/* How a Link trailer names a message by its Message-ID. */
static const char *const msgid_links[] = {
	"https://lore.kernel.org/r/",
	"https://lore.kernel.org/all/",
	"https://patch.msgid.link/",
};

char *local_fix_name(const char *file)
{
	const char *b = path_basename(file);
	size_t digits = strspn(b, "0123456789");
	size_t n = strlen(b) - (ends_with(b, ".patch") ? strlen(".patch") : 0);

	if (digits && b[digits] == '-' && digits + 1 < n)
		return xstrndup(b + digits + 1, n - digits - 1);
	return xstrndup(b, n);
}

/* NAME, NNNN or N. */
static bool names_fix(const char *file, const char *want)
{
	char *name = local_fix_name(file);
	const char *b = path_basename(file);
	size_t digits = strspn(b, "0123456789");
	bool same = !strcmp(name, want);

	if (!same && digits && *want && want[strspn(want, "0123456789")] == '\0')
		same = atoi(want) == atoi(b);
	free(name);
	return same;
}

/*
 * A fix linking the cover letter may still be about one patch: the first
 * 'N/M ("subject")' in its message naming a patch of the series exactly.
 */
static int named_patch(const struct series *s, const struct spatch *fix)
{
	char *msg = collapse_blanks(fix->msg ? fix->msg : "");
	int found = 0;

	for (const char *p = msg; !found && (p = strstr(p, " (\"")); p++) {
		const char *slash = p, *num, *end = strstr(p + 3, "\")");
		int n, m;

		while (slash > msg && isdigit((unsigned char)slash[-1]))
			slash--;
		if (slash == msg || slash[-1] != '/' || !end)
			continue;
		num = slash - 1;
		while (num > msg && isdigit((unsigned char)num[-1]))
			num--;
		if (sscanf(num, "%d/%d", &n, &m) != 2 || m != s->total || n < 1 || n > s->total)
			continue;
		if (strlen(s->patches[n - 1].title) == (size_t)(end - p - 3) &&
		    !strncmp(s->patches[n - 1].title, p + 3, end - p - 3))
			found = n;
	}
	free(msg);
	return found;
}

/* The series patch the fix's Link trailers name: 1..total, 0 the cover letter, -1 none. */
static int linked_patch(const struct series *s, const struct spatch *fix, char **msgid, bool *under_cover)
{
	for (size_t i = 0; i < fix->ntrailers; i++) {
		const struct trailer *t = &fix->trailers[i];

		if (strcasecmp(t->key, "Link"))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(msgid_links); k++) {
			char *id;

			if (!starts_with(t->value, msgid_links[k]))
				continue;
			id = xstrdup(t->value + strlen(msgid_links[k]));
			if (ends_with(id, "/"))
				id[strlen(id) - 1] = '\0';
			for (int n = 1; n <= s->total; n++)
				if (s->patches[n - 1].message_id && !strcmp(s->patches[n - 1].message_id, id)) {
					*msgid = id;
					return n;
				}
			if (s->cover_message_id && !strcmp(s->cover_message_id, id)) {
				int n = named_patch(s, fix);

				if (n && s->patches[n - 1].message_id) {
					free(id);
					id = xstrdup(s->patches[n - 1].message_id);
				}
				*under_cover = n && !s->patches[n - 1].message_id;
				*msgid = id;
				return n;
			}
			free(id);
		}
	}
	return -1;
}

static void names_of(const struct strvec *files, struct strbuf *sb)
{
	for (size_t i = 0; i < files->n; i++) {
		char *name = local_fix_name(files->v[i]);

		sb_addf(sb, "%s%s", i ? ", " : "", name);
		free(name);
	}
}

/* Reads the fix and what it links; 1 when it links no series patch. */
static int read_finding(const char *file, const struct series *s, struct finding *f)
{
	f->file = xstrdup(file);
	f->name = local_fix_name(file);
	if (series_read_patch_file(file, &f->fix))
		return -1;
	f->patch = linked_patch(s, &f->fix, &f->message_id, &f->under_cover);
	return f->patch < 0;
}

int finding_pick(const char *series_dir, const char *kernel, const struct series *s, const char *want,
		 struct finding *f)
{
	struct strvec files = STRVEC_INIT, found = STRVEC_INIT;
	struct strbuf names = STRBUF_INIT;
	int ret = -1;

	memset(f, 0, sizeof(*f));
	series_layer_files(series_dir, "local", kernel, &files);
	if (!files.n) {
		error_code(KB_EXIT_NOINPUT, "no local fix for '%s' in '%s/local/': nothing to report", kernel,
			   series_dir);
		goto out;
	}
	for (size_t i = 0; i < files.n; i++) {
		struct finding one = { 0 };
		int r;

		if (want && !names_fix(files.v[i], want))
			continue;
		r = read_finding(files.v[i], s, &one);
		if (r < 0) {
			finding_free(&one);
			goto out;
		}
		if (r && want) {
			error_code(KB_EXIT_BADINPUT, "local fix '%s' links no patch of the series: its message needs "
				   "'Link: https://lore.kernel.org/r/<message-id>' with a message-id of "
				   "'%s/series.yaml'", files.v[i], series_dir);
			finding_free(&one);
			goto out;
		}
		if (!r)
			sv_push(&found, files.v[i]);
		if (!r && found.n == 1) {
			finding_free(f);
			*f = one;
		} else {
			finding_free(&one);
		}
	}
	if (found.n == 1) {
		ret = 0;
	} else if (found.n) {
		names_of(&found, &names);
		if (want)
			error_code(KB_EXIT_USAGE, "%zu findings for '%s' are '%s': say which by name: %s", found.n,
				   kernel, want, sb_str(&names));
		else
			error_code(KB_EXIT_USAGE, "%zu findings for '%s': say which with --finding: %s", found.n,
				   kernel, sb_str(&names));
	} else if (want) {
		names_of(&files, &names);
		error_code(KB_EXIT_USAGE, "no local fix '%s' for '%s' (there are: %s)", want, kernel, sb_str(&names));
	} else {
		names_of(&files, &names);
		error_code(KB_EXIT_BADINPUT, "no local fix for '%s' links a patch of the series ('Link: "
			   "https://lore.kernel.org/r/<message-id>' of one in '%s/series.yaml'): %s", kernel,
			   series_dir, sb_str(&names));
	}
out:
	if (ret)
		finding_free(f);
	sb_release(&names);
	sv_release(&found);
	sv_release(&files);
	return ret;
}

void finding_free(struct finding *f)
{
	free(f->file);
	free(f->name);
	free(f->message_id);
	spatch_free(&f->fix);
	memset(f, 0, sizeof(*f));
}

/* ---- the kb-nowait evidence ---- */

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The case named name of a kb-nowait table (its "cases"), or NULL. */
static json_t *case_of(json_t *cases, const char *name)
{
	json_t *c;
	size_t i;

	json_array_foreach(cases, i, c)
		if (jstr(c, "case") && !strcmp(jstr(c, "case"), name))
			return c;
	return NULL;
}

static bool api_in(json_t *list, const char *api)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), api))
			return true;
	return false;
}

/* "[W][H], 8192 bytes at 32768, warm extent cache, fresh mtime" */
static char *case_detail(json_t *c)
{
	struct strbuf sb = STRBUF_INIT;
	static const char *const keys[] = { "layout", "write", "cache", "mtime" };
	static const char *const after[] = { "", "", " extent cache", " mtime" };
	char *clean;

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
		if (jstr(c, keys[k]))
			sb_addf(&sb, "%s%s%s", sb.len ? ", " : "", jstr(c, keys[k]), after[k]);
	clean = utf8_sanitize(sb_str(&sb));
	sb_release(&sb);
	return clean;
}

/* What the series as posted got wrong in one way of writing, or NULL. */
static char *problem(const char *api, const char *got, const char *want, long long written, bool ambiguous)
{
	if (written > 0)
		return xasprintf("%s refused the write (%s) after writing %lld of its bytes", api, got, written);
	if (!strcmp(api, "uring") && starts_with(got, "error:"))
		return xasprintf("a plain io_uring write failed (%s)", got + strlen("error:"));
	if (want && strcmp(got, want) && !ambiguous && strcmp(got, "not-run") && strcmp(got, "unavailable"))
		return xasprintf("%s answered %s, the table says %s", api, got, want);
	return NULL;
}

static void fill_case(struct nowait_case *nc, json_t *by[NW_VARIANTS], json_t *table_case)
{
	bool wrong = false, unknown = false;

	for (int a = 0; a < NOWAIT_APIS; a++) {
		const char *api = nowait_apis[a], *want = NULL;

		/* what the runs were compared with, else the table as it is now */
		for (int v = NW_POSTED; v <= NW_PATCHED && !want; v++)
			want = json_string_value(json_object_get(json_object_get(by[v], "expect"), api));
		if (!want)
			want = jstr(table_case, api);
		nc->expect[a] = want ? utf8_sanitize(want) : NULL;
		for (int v = 0; v < NW_VARIANTS; v++) {
			json_t *c = by[v];
			const char *raw = json_string_value(json_object_get(json_object_get(c, "results"), api));
			json_t *w = json_object_get(json_object_get(c, "eagain_written"), api);
			long long written = json_integer_value(w);
			bool ambiguous = api_in(json_object_get(c, "ambiguous"), api);
			char *got, *p;

			if (!raw) {
				nc->cell[v][a] = xstrdup("not run");
				unknown |= v == NW_PATCHED;
				continue;
			}
			got = utf8_sanitize(raw);
			nc->cell[v][a] = xasprintf("%s%s", got, ambiguous ? " (ambiguous)" : "");
			if (written > 0) {
				p = xasprintf("%s (%lld B written)", nc->cell[v][a], written);
				free(nc->cell[v][a]);
				nc->cell[v][a] = p;
			}
			if (v == NW_POSTED && (p = problem(api, got, nc->expect[a], written, ambiguous)))
				sv_push_owned(&nc->problems, p);
			if (v == NW_PATCHED && (!want || ambiguous))
				unknown = true;
			else if (v == NW_PATCHED && (written > 0 || strcmp(got, want)))
				wrong = true;
			free(got);
		}
	}
	nc->fixed = wrong ? 0 : unknown ? -1 : 1;
}

static void case_free(struct nowait_case *nc)
{
	free(nc->name);
	free(nc->detail);
	free(nc->why);
	for (int a = 0; a < NOWAIT_APIS; a++) {
		free(nc->expect[a]);
		for (int v = 0; v < NW_VARIANTS; v++)
			free(nc->cell[v][a]);
	}
	sv_release(&nc->problems);
	memset(nc, 0, sizeof(*nc));
}

void nowait_evidence(const char *series, const char *kernel, const char *expect_dir, struct nowait_evidence *ev)
{
	/* the cases in the order kb-nowait ran them, the series as posted first */
	static const int order[] = { NW_POSTED, NW_PATCHED, NW_BASE };
	json_t *dio[NW_VARIANTS], *cases[NW_VARIANTS], *table = NULL;
	struct strvec names = STRVEC_INIT;
	char *path = xasprintf("%s/nowait-patched-%s.json", expect_dir, kernel);

	memset(ev, 0, sizeof(*ev));
	if (path_exists(path)) {
		table = json_load_file(path, 0, NULL);
		if (!table)
			warning("'%s' is not valid JSON: the expected answers come from the results alone", path);
	}
	if (table)
		ev->table = path;
	else
		free(path);
	for (int v = 0; v < NW_VARIANTS; v++) {
		dio[v] = store_read(series, kernel, nowait_variants[v], "dio.json");
		cases[v] = json_object_get(json_object_get(json_object_get(dio[v], "result"), "nowait"), "cases");
		ev->ran[v] = json_is_array(cases[v]);
	}
	for (size_t o = 0; o < ARRAY_SIZE(order); o++) {
		json_t *c;
		size_t i;

		json_array_foreach(cases[order[o]], i, c)
			if (jstr(c, "case") && !sv_contains(&names, jstr(c, "case")))
				sv_push(&names, jstr(c, "case"));
	}
	ev->cases = xcalloc(names.n ? names.n : 1, sizeof(*ev->cases));
	for (size_t i = 0; i < names.n; i++) {
		struct nowait_case *nc = &ev->cases[ev->n];
		json_t *by[NW_VARIANTS], *tc = case_of(json_object_get(table, "cases"), names.v[i]);

		for (int v = 0; v < NW_VARIANTS; v++)
			by[v] = case_of(cases[v], names.v[i]);
		nc->name = utf8_sanitize(names.v[i]);
		nc->detail = case_detail(by[NW_POSTED] ? by[NW_POSTED] : by[NW_PATCHED] ? by[NW_PATCHED] : by[NW_BASE]);
		nc->why = jstr(tc, "why") ? utf8_sanitize(jstr(tc, "why")) : NULL;
		fill_case(nc, by, tc);
		if (nc->problems.n || !ev->ran[NW_POSTED])
			ev->n++;
		else
			case_free(nc);
	}
	for (int v = 0; v < NW_VARIANTS; v++)
		json_decref(dio[v]);
	json_decref(table);
	sv_release(&names);
}

void nowait_evidence_free(struct nowait_evidence *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		case_free(&ev->cases[i]);
	free(ev->cases);
	free(ev->table);
	memset(ev, 0, sizeof(*ev));
}
