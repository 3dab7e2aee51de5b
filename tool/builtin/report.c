// SPDX-License-Identifier: GPL-2.0
/*
 * kbackport report [--format text|json|html] [-o FILE] [--kernels a,b]
 *
 * Reads only the result store (<work>/ports/, <work>/results/) and the
 * series' bench-reference.json; writes the report to stdout or FILE.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "builtin/builtin.h"
#include "report/model.h"
#include "report/output.h"
#include "report/text.h"
#include "lib/util.h"

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "kernels", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct strvec kernels = STRVEC_INIT;
	const char *format = "text", *out = NULL;
	json_t *doc;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
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
		default:
			usage_of("report");
			sv_release(&kernels);
			return KB_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage_of("report");
		sv_release(&kernels);
		return KB_EXIT_USAGE;
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "html")) {
		error("unknown format '%s' (text, json or html)", format);
		sv_release(&kernels);
		return KB_EXIT_USAGE;
	}
	doc = report_collect(&kernels);
	if (!json_array_size(json_object_get(doc, "kernels"))) {
		ret = error_code(KB_EXIT_NOINPUT, "no results under '%s': run 'kbackport matrix' first", work_dir());
	} else {
		ret = report_write(doc, format, out) ? KB_EXIT_FAIL : 0;
		if (!ret && out)
			fprintf(stderr, "report: %s\n", out);
	}
	json_decref(doc);
	sv_release(&kernels);
	return ret ? (kb_errcode ? kb_errcode : ret) : 0;
}
