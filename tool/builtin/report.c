// SPDX-License-Identifier: GPL-2.0
/*
 * kbackport report [--format text|json|html] [-o FILE] [--series a,b] [--kernels a,b|all]
 *
 * Reads only the result store (<work>/ports/, <work>/results/) and the
 * series' bench-reference.json; writes the report to stdout or FILE.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "builtin/builtin.h"
#include "report/model.h"
#include "report/output.h"
#include "report/text.h"
#include "lib/store.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	{ "format", 'f', 0, "text|json|html", "what to write (default: text)" },
	{ "output", 'o', 'o', "FILE", "write to FILE (default: stdout)" },
	{ "series", 's', 0, "a,b", "the series, by name or directory (default: every series in the store)" },
	{ "kernels", 'k', 0, "a,b|all", "the kernels (default: all)" },
	{ NULL },
};

const struct kb_usage usage_report = {
	.name = "report",
	.summary = "show stored results as text, JSON or HTML",
	.forms = (const char *const[]){
		"report [{format}] [{-o}] [{series}] [{kernels}]",
		NULL,
	},
	.options = options,
	.text = "Reads only the result store (<work>/ports/, <work>/results/) and the\n"
		"series' bench-reference.json: one row per kernel of each series with ✔/✘\n"
		"per stage and the reason for every ✘ (a series column when several).\n"
		"json: schema kbackport-report/1 (README); html: one self-contained page\n"
		"with per-kernel detail and IOPS-vs-jobs plots.",
};

/* --series: names in the store, or series directories (backports/<name>). */
static void series_names(const char *list, struct strvec *out)
{
	struct strvec given = STRVEC_INIT;

	report_names(list, &given);
	for (size_t i = 0; i < given.n; i++)
		sv_push_owned(out, store_series_name(given.v[i]));
	sv_release(&given);
}

int cmd_report(int argc, char **argv)
{
	struct strvec kernels = STRVEC_INIT, series = STRVEC_INIT;
	const char *format = "text", *out = NULL;
	json_t *doc;
	int c, ret;

	while ((c = kb_getopt(argc, argv, &usage_report)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'k':
			if (strcmp(optarg, "all"))
				report_names(optarg, &kernels);
			break;
		case 's':
			series_names(optarg, &series);
			break;
		default:
			sv_release(&kernels);
			sv_release(&series);
			return usage_error(&usage_report);
		}
	}
	if (optind != argc) {
		sv_release(&kernels);
		sv_release(&series);
		return usage_error(&usage_report);
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "html")) {
		error("unknown format '%s' (text, json or html)", format);
		sv_release(&kernels);
		return KB_EXIT_USAGE;
	}
	doc = report_collect(&series, &kernels);
	if (!json_array_size(json_object_get(doc, "kernels"))) {
		ret = error_code(KB_EXIT_NOINPUT, "no results under '%s': run 'kbackport matrix' first", work_dir());
	} else {
		ret = report_write(doc, format, out) ? KB_EXIT_FAIL : 0;
		if (!ret && out)
			fprintf(stderr, "report: %s\n", out);
	}
	json_decref(doc);
	sv_release(&kernels);
	sv_release(&series);
	return ret ? (kb_errcode ? kb_errcode : ret) : 0;
}
