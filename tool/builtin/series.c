// SPDX-License-Identifier: GPL-2.0
/* kbackport series import|show */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin/builtin.h"
#include "mail/series.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	{ "output", 'o', 'o', "DIR", "write series.yaml, upstream/*.patch and archive/ under DIR" },
	{ "version", 'v', 0, "N", "take version N of the series (2 or v2; default: the newest)" },
	{ "subject", 's', 0, "TEXT", "take the series whose subject contains TEXT" },
	{ "json", 'j', 0, NULL, "print the series as JSON" },
	{ NULL },
};

const struct kb_usage usage_series = {
	.name = "series",
	.summary = "import a patch series from mail archives, show it",
	.forms = (const char *const[]){
		"series import <file>... [{-o}] [{version}] [{subject}] [{json}]",
		"series show <DIR> [{json}]",
		NULL,
	},
	.options = options,
	.text = "import reads mbox files (git format-patch, b4), list-archive pages\n"
		"(\"* [PATCH ...]\" messages, several threads mixed) and archive thread\n"
		"views, picks one series (newest version unless --version), recovers\n"
		"patches that survive only quoted in a reply, collects review trailers\n"
		"and review items, and writes DIR/series.yaml, DIR/upstream/*.patch and\n"
		"a copy of the inputs under DIR/archive/. Without -o nothing is written.\n"
		"show prints a series directory as import printed it.",
};

static int exit_code(void)
{
	return kb_errcode ? kb_errcode : KB_EXIT_FAIL;
}

static void output(const struct series *s, bool json)
{
	if (json) {
		char *j = series_json(s);

		puts(j);
		free(j);
		for (size_t i = 0; i < s->notes.n; i++)
			note("%s", s->notes.v[i]);
		return;
	}
	series_print(s, stdout);
}

/*
 * Keeps what the user chose for a review item across re-imports. A
 * series.yaml that cannot be read holds edits we cannot carry over: the
 * import stops (series_load() says why) before writing anything.
 */
static int keep_review_actions(struct series *s, const char *dir)
{
	struct series old;
	char *path = xasprintf("%s/series.yaml", dir);
	bool exists = path_exists(path);

	free(path);
	if (!exists)
		return 0;
	if (series_load(dir, &old))
		return -1;
	for (int i = 0; i < s->total && i < old.total; i++)
		for (size_t k = 0; k < s->patches[i].nreviews; k++)
			for (size_t j = 0; j < old.patches[i].nreviews; j++) {
				struct review_item *r = &s->patches[i].reviews[k];
				const struct review_item *o = &old.patches[i].reviews[j];

				if (o->when != r->when || !o->reviewer || strcmp(o->reviewer, r->reviewer) ||
				    !o->action || !strcmp(o->action, r->action))
					continue;
				note("patch %d review by %s: keeping action '%s' from series.yaml",
				     i + 1, r->reviewer, o->action);
				free(r->action);
				r->action = xstrdup(o->action);
			}
	series_free(&old);
	return 0;
}

/* The inputs are the user's data: keep a copy beside the series. */
static int copy_inputs(char **files, int n, const char *dir)
{
	char *archive = xasprintf("%s/archive", dir);
	int ret = mkdir_p(archive);

	for (int i = 0; !ret && i < n; i++) {
		char *dst = xasprintf("%s/%s", archive, path_basename(files[i]));
		char *a = realpath(files[i], NULL), *b = realpath(dst, NULL);
		struct strbuf data = STRBUF_INIT;

		if (!(a && b && !strcmp(a, b)))
			ret = read_file(files[i], &data) || write_file_atomic(dst, data.buf, data.len) ? -1 : 0;
		sb_release(&data);
		free(a);
		free(b);
		free(dst);
	}
	free(archive);
	return ret;
}

static int series_import_cmd(int argc, char **argv)
{
	struct import_opts o = { 0 };
	const char *out = NULL;
	bool json = false;
	struct series s;
	char *name = NULL;
	int c;

	while ((c = kb_getopt(argc, argv, &usage_series)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'v':
			o.version = atoi(optarg[0] == 'v' ? optarg + 1 : optarg);
			if (o.version <= 0)
				die_code(KB_EXIT_USAGE, "bad --version '%s'", optarg);
			break;
		case 's':
			o.subject = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return usage_error(&usage_series);
		}
	}
	if (optind >= argc)
		return usage_error(&usage_series);
	for (int i = optind; i < argc; i++)
		for (int k = optind; k < i; k++)
			if (!strcmp(path_basename(argv[i]), path_basename(argv[k])))
				die_code(KB_EXIT_USAGE, "two inputs named '%s'", path_basename(argv[i]));
	if (out) {
		name = xstrdup(path_basename(out));
		rtrim(name);
		o.name = name;
	}
	if (series_import(argv + optind, argc - optind, &o, &s))
		return exit_code();
	if (out && (keep_review_actions(&s, out) || copy_inputs(argv + optind, argc - optind, out) ||
		    series_write(&s, out)))
		return exit_code();
	output(&s, json);
	if (out && !json)
		printf("wrote %s/series.yaml and %d patch%s under %s/upstream/\n", out, s.total,
		       s.total == 1 ? "" : "es", out);
	series_free(&s);
	free(name);
	return 0;
}

static int series_show_cmd(int argc, char **argv)
{
	struct series s;
	bool json = false;
	const char *dir;
	int c;

	while ((c = kb_getopt(argc, argv, &usage_series)) != -1) {
		if (c != 'j')
			return usage_error(&usage_series);
		json = true;
	}
	if (optind != argc - 1)
		return usage_error(&usage_series);
	dir = argv[optind];
	if (!is_dir(dir))
		die_code(KB_EXIT_NOINPUT, "cannot open '%s': not a series directory", dir);
	if (series_load(dir, &s))
		return exit_code();
	output(&s, json);
	series_free(&s);
	return 0;
}

int cmd_series(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "import"))
		return series_import_cmd(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "show"))
		return series_show_cmd(argc - 1, argv + 1);
	return usage_subcommand(argc, argv, &usage_series);
}
