// SPDX-License-Identifier: GPL-2.0
/*
 * Series import and the series.yaml round trip: whatever imports, written
 * and read back, must describe the same series (its JSON is the same).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "mail/series.h"
#include "lib/util.h"

/* One scratch directory per process, under $TMPDIR, removed at exit. */
static char *dir;

static void remove_dir(void)
{
	remove_tree(dir);
}

/* What series.yaml keeps: the series' JSON without the import's notes (messages, not data). */
static char *kept(const struct series *s)
{
	char *text = series_json(s), *out;
	json_t *j = json_loads(text, 0, NULL);

	if (!j)
		abort();
	json_object_del(j, "notes");
	out = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(j);
	free(text);
	return out;
}

static void write_input(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *in, *out;
	struct import_opts o = { .name = "fuzz" };
	struct series s, back;
	char *files[1], *a, *b;

	if (!in) {
		const char *tmp = getenv("TMPDIR");

		dir = xasprintf("%s/kb-fuzz-series-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir) || atexit(remove_dir))
			abort();
		in = xasprintf("%s/input.mbox", dir);
		out = xasprintf("%s/series", dir);
	}
	write_input(in, data, size);
	files[0] = in;
	remove_tree(out);
	if (!series_import(files, 1, &o, &s)) {
		if (series_write(&s, out) || series_load(out, &back))
			abort();	/* what import made, the writer and reader must take */
		a = kept(&s);
		b = kept(&back);
		if (strcmp(a, b)) {
			fprintf(stderr, "series.yaml round trip differs:\n%s\n---\n%s\n", a, b);
			abort();
		}
		free(a);
		free(b);
		series_free(&back);
		series_free(&s);
	}
	kb_errcode = 0;
	return 0;
}
