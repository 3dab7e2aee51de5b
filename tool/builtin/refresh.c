// SPDX-License-Identifier: GPL-2.0
/* kbackport refresh <kernel>...|--all [--series DIR] [--signoff 'N <e>'] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/kbuild.h"
#include "builtin/builtin.h"
#include "lib/kernel.h"
#include "port/refresh.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	{ "all", 'a', 0, NULL, "every kernel under kernels/, in place of names" },
	KB_OPTION_SERIES_DIR,
	{ "signoff", 'S', 0, "'Name <email>'", "Signed-off-by for the port (default: KBACKPORT_SIGNOFF, git config)" },
	{ NULL },
};

const struct kb_usage usage_refresh = {
	.name = "refresh",
	.summary = "carry a port onto a new revision of its tree",
	.forms = (const char *const[]){
		"refresh <kernel>... [{series}] [{signoff}]",
		"refresh {all} [{series}] [{signoff}]",
		NULL,
	},
	.options = options,
	.text = "For a tree whose source moved (a new Debian revision, a moved git ref):\n"
		"imports the revision the kernel YAML gives (source.version pins one; else\n"
		"the newest is tracked), ports the series again (fixups and review actions\n"
		"replayed; a new conflict stops as 'port' does, exit 6, the committed\n"
		"export left as it was), compares the new port with the committed\n"
		"<series>/<kernel>/backport.mbox hunk by hunk (same, moved, context\n"
		"changed, changed, new, dropped), writes the mbox and quilt exports, and\n"
		"prints the summary (kept in <work>/ports/<series>/<kernel>/refresh.txt).",
};

/* Every kernel under kernels/, or the ones named. */
static int kernel_names(bool all, char **names, int n, struct strvec *out)
{
	struct kernel_desc *ks;
	size_t nk;

	if (!all) {
		for (int i = 0; i < n; i++)
			sv_push(out, names[i]);
		return 0;
	}
	if (kernel_load_all(kernels_dir(), &ks, &nk))
		return -1;
	for (size_t i = 0; i < nk; i++)
		sv_push(out, ks[i].name);
	kernel_free_all(ks, nk);
	return 0;
}

int cmd_refresh(int argc, char **argv)
{
	struct refresh_opts o = { .compile = kbuild_check_commit };
	struct strvec kernels = STRVEC_INIT;
	char *series = NULL;
	bool all = false;
	int c, ret = 0;

	while ((c = kb_getopt(argc, argv, &usage_refresh)) != -1) {
		if (c == 'a') {
			all = true;
		} else if (c == 's') {
			free(series);
			series = xstrdup(optarg);
		} else if (c == 'S') {
			o.signoff = optarg;
		} else {
			free(series);
			return usage_error(&usage_refresh);
		}
	}
	if (all == (optind < argc)) {
		free(series);
		return usage_error(&usage_refresh);
	}
	if (!series)
		series = default_series_dir();
	if (ends_with(series, "/"))
		series[strlen(series) - 1] = '\0';
	o.series_dir = series;
	if (kernel_names(all, argv + optind, argc - optind, &kernels))
		ret = kb_errcode;
	/* Each kernel on its own: one that stops does not keep the others stale. */
	for (size_t i = 0; i < kernels.n; i++) {
		int r;

		o.kernel = kernels.v[i];
		r = refresh_kernel(&o);
		if (r && !ret)
			ret = r;
	}
	sv_release(&kernels);
	free(series);
	return ret;
}
