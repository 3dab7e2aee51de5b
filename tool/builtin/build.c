// SPDX-License-Identifier: GPL-2.0
/* kbackport build <kernel> [--variant base|patched|posted|debug] [--series DIR] [--force] [--vendor-check] */
#define _GNU_SOURCE
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

static const struct kb_option options[] = {
	{ "variant", 'v', 0, "base|patched|posted|debug", "what to build (default: base)" },
	KB_OPTION_SERIES_DIR,
	{ "force", 'f', 0, NULL, "rebuild from clean, even when the stored image holds" },
	{ "vendor-check", 'c', 0, NULL, "compile what the port touched under the vendor config, list new warnings" },
	{ NULL },
};

const struct kb_usage usage_build = {
	.name = "build",
	.summary = "build a kernel (base, patched, posted or debug)",
	.forms = (const char *const[]){
		"build <kernel> [{variant}] [{series}] [{force}] [{vendor-check}]",
		NULL,
	},
	.options = options,
	.text = "Checks out the variant (base: the imported tree; patched: branch\n"
		"backport/<series>/<kernel>; posted: its commit before the local fixes, the\n"
		"series as posted; debug: the branch with kernels/config/debug.config:\n"
		"lockdep, sleep-in-atomic, list and KASAN checks) as a worktree under\n"
		"work/worktrees/<series>/<kernel>/<variant>, merges the\n"
		"config (kernels YAML base + fragments from kernels/config/, olddefconfig)\n"
		"and fails naming any requested option that did not stick, then builds\n"
		"bzImage in work/build/<series>/<kernel>/<variant> with ccache ($KBACKPORT_CCACHE_DIR,\n"
		"default ~/.cache/kbackport-ccache) and -j$(nproc). The image is reused while\n"
		"commit and merged config stay the same; --force rebuilds from clean.\n"
		"patched also runs checkpatch.pl on every backported commit.\n"
		"--vendor-check compiles the directories the port touched under the YAML's\n"
		"vendor config with W=1 and sparse, base and patched, and lists new warnings.\n"
		"Results: work/results/<series>/<kernel>/<variant>/build.json.",
};

int cmd_build(int argc, char **argv)
{
	struct build b = { 0 };
	const char *variant = "base";
	bool vendor = false;
	char *prefix = NULL;
	int c, ret = 0;

	while ((c = kb_getopt(argc, argv, &usage_build)) != -1) {
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
			free(b.series);
			return usage_error(&usage_build);
		}
	}
	if (optind != argc - 1 || !results_variant_known(variant)) {
		if (optind == argc - 1)
			error("unknown variant '%s' (%s)", variant, RESULTS_VARIANTS);
		free(b.series);
		return usage_error(&usage_build);
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
