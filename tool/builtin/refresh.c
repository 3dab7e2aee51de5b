// SPDX-License-Identifier: GPL-2.0
/* kbackport refresh <kernel>...|--all [--series DIR] [--signoff 'N <e>'] */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin/builtin.h"
#include "lib/kernel.h"
#include "port/refresh.h"
#include "lib/util.h"

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
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "series", required_argument, NULL, 's' },
		{ "signoff", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct refresh_opts o = { 0 };
	struct strvec kernels = STRVEC_INIT;
	char *series = NULL;
	bool all = false;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 's')
			series = xstrdup(optarg);
		else if (c == 'S')
			o.signoff = optarg;
		else
			return usage_of("refresh"), KB_EXIT_USAGE;
	}
	if (all == (optind < argc)) {
		usage_of("refresh");
		return KB_EXIT_USAGE;
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
