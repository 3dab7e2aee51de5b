// SPDX-License-Identifier: GPL-2.0
/* kbackport build <kernel> [--variant base|patched|debug] [--series DIR] [--force] [--vendor-check] */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "build/kbuild.h"
#include "builtin/builtin.h"
#include "git/repo.h"
#include "lib/kernel.h"
#include "lib/store.h"
#include "lib/util.h"

int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "variant", required_argument, NULL, 'v' },
		{ "series", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "vendor-check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct build b = { 0 };
	const char *variant = "base";
	bool vendor = false;
	char *prefix = NULL;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			variant = optarg;
			break;
		case 's':
			free(b.series);
			b.series = xstrdup(optarg);
			break;
		case 'f':
			b.force = true;
			break;
		case 'c':
			vendor = true;
			break;
		default:
			usage_of("build");
			return KB_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !results_variant_known(variant)) {
		if (optind == argc - 1)
			error("unknown variant '%s' (%s)", variant, RESULTS_VARIANTS);
		usage_of("build");
		free(b.series);
		return KB_EXIT_USAGE;
	}
	if (!b.series)
		b.series = default_series_dir();
	if (ends_with(b.series, "/"))
		b.series[strlen(b.series) - 1] = '\0';
	b.series_name = store_series_name(b.series);
	if (kernel_find(argv[optind], &b.k)) {
		free(b.series);
		return kb_errcode;
	}
	if (strcmp(b.k.arch, "x86_64"))
		die_code(KB_EXIT_BADINPUT, "'%s': arch '%s' is not supported (x86_64 only)", b.k.file, b.k.arch);
	if (kbuild_require_tools() || repo_open_tree(b.k.name, &b.repo) || build_variant(&b, variant))
		ret = kb_errcode ? kb_errcode : KB_EXIT_BUILD;
	prefix = xasprintf("%s %s", b.k.name, variant);
	if (!ret && vendor && build_vendor_check(&b, prefix))
		ret = kb_errcode ? kb_errcode : KB_EXIT_BUILD;
	git_repository_free(b.repo);
	kernel_free(&b.k);
	free(b.series);
	free(b.series_name);
	free(prefix);
	return ret;
}
