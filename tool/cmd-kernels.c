// SPDX-License-Identifier: GPL-2.0
/*
 * kbackport kernels [list] [--json]: the trees kernels/ describes and their state.
 * kbackport kernels import <name>: turn one source into work/trees/<name>.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "kernel.h"
#include "repo.h"
#include "util.h"

/* What list shows of one kernel. */
struct row {
	const struct kernel_desc *k;
	char *source;
	char *tree;
	bool present;
	bool imported;
	char base[GIT_OID_HEXSZ + 1];
	char *version;		/* NULL unless imported */
};

static int probe(const struct kernel_desc *k, struct row *r)
{
	git_repository *repo = NULL;
	git_oid base;
	int ret;

	memset(r, 0, sizeof(*r));
	r->k = k;
	r->source = kernel_source_str(k);
	r->tree = repo_tree_path(k->name);
	r->present = repo_source_present(k);
	ret = repo_try_open_tree(k->name, &repo, &base);
	if (ret)
		return ret < 0 ? -1 : 0;
	r->imported = true;
	git_oid_tostr(r->base, sizeof(r->base), &base);
	ret = repo_kernel_version(repo, &base, &r->version);
	git_repository_free(repo);
	return ret;
}

static void row_free(struct row *r)
{
	free(r->source);
	free(r->tree);
	free(r->version);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *source_json(const struct kernel_desc *k)
{
	char *tarball;
	json_t *o;

	if (k->source == KSRC_GIT)
		return json_pack("{s:s, s:s, s:s}", "type", "git", "path", k->git_path,
				 "ref", k->git_ref);
	tarball = kernel_tarball(k);
	o = json_pack("{s:s, s:s, s:s}", "type", "debian-package", "package", k->package,
		      "tarball", tarball);
	free(tarball);
	return o;
}

static json_t *row_json(const struct row *r)
{
	const struct kernel_desc *k = r->k;
	json_t *fragments = json_array();

	for (size_t i = 0; i < k->config_fragments.n; i++)
		json_array_append_new(fragments, json_string(k->config_fragments.v[i]));
	return json_pack("{s:s, s:o, s:o, s:b, s:b, s:s, s:o, s:o, s:s, s:{s:s, s:o, s:o}, s:{s:s, s:{s:i, s:i}, s:i}}",
			 "name", k->name,
			 "description", str_or_null(k->description),
			 "source", source_json(k),
			 "source_present", r->present,
			 "imported", r->imported,
			 "tree", r->tree,
			 "base", str_or_null(r->imported ? r->base : NULL),
			 "version", str_or_null(r->version),
			 "arch", k->arch,
			 "config", "base", k->config_base, "fragments", fragments,
			 "vendor-config", str_or_null(k->vendor_config),
			 "boot", "runner", k->boot_runner,
			 "qemu", "smp", k->qemu_smp, "memory", k->qemu_memory,
			 "timeout", k->boot_timeout);
}

static int print_json(const struct row *rows, size_t n)
{
	json_t *arr = json_array();
	char *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, row_json(&rows[i]));
	text = json_dumps(arr, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(arr);
	if (!text)
		return error("cannot format the kernel list as JSON");
	puts(text);
	free(text);
	return 0;
}

static void print_text(const struct row *rows, size_t n)
{
	int wname = 0, wsrc = 0;

	for (size_t i = 0; i < n; i++) {
		int a = strlen(rows[i].k->name), b = strlen(rows[i].source);

		wname = a > wname ? a : wname;
		wsrc = b > wsrc ? b : wsrc;
	}
	for (size_t i = 0; i < n; i++)
		printf("%-*s  %-*s  source: %-7s  imported: %-3s  version: %s\n",
		       wname, rows[i].k->name, wsrc, rows[i].source,
		       rows[i].present ? "present" : "missing", rows[i].imported ? "yes" : "no",
		       rows[i].version ? rows[i].version : "-");
}

static int kernels_list(int argc, char **argv)
{
	struct kernel_desc *ks;
	struct row *rows;
	bool json = false;
	size_t n;
	int ret = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json")) {
			error("unknown argument '%s' for 'kernels list'", argv[i]);
			usage_of("kernels");
			return KB_EXIT_USAGE;
		}
		json = true;
	}
	if (kernel_load_all(kernels_dir(), &ks, &n))
		return kb_errcode;
	rows = xcalloc(n, sizeof(*rows));
	/* One unreadable tree should not hide the others. */
	for (size_t i = 0; i < n; i++)
		if (probe(&ks[i], &rows[i]))
			ret = kb_errcode;
	if (json && print_json(rows, n))
		ret = kb_errcode;
	if (!json)
		print_text(rows, n);
	for (size_t i = 0; i < n; i++)
		row_free(&rows[i]);
	free(rows);
	kernel_free_all(ks, n);
	return ret;
}

static bool progress_tty;

/*
 * On a terminal the line ends in \r, so the next line, error or result,
 * overwrites it; elsewhere (logs) a line every 10000 files.
 */
static void show_progress(size_t files)
{
	if (!files)
		return;
	if (progress_tty && files % 256 == 0)
		fprintf(stderr, "importing: %zu files\r", files);
	else if (!progress_tty && files % 10000 == 0)
		fprintf(stderr, "importing: %zu files\n", files);
}

static int kernels_import(int argc, char **argv)
{
	struct import_result res;
	struct kernel_desc k;
	char sha[GIT_OID_HEXSZ + 1];
	char *tree;
	int ret;

	if (argc != 1 || argv[0][0] == '-') {
		error("'kernels import' takes one kernel name");
		usage_of("kernels");
		return KB_EXIT_USAGE;
	}
	if (kernel_find(argv[0], &k))
		return kb_errcode;
	progress_tty = isatty(STDERR_FILENO);
	ret = repo_import(&k, show_progress, &res);
	if (ret) {
		kernel_free(&k);
		return kb_errcode;
	}
	tree = repo_tree_path(k.name);
	git_oid_tostr(sha, sizeof(sha), &res.commit);
	if (res.already)
		printf("%s: already imported at %.12s (%s)\n", k.name, sha, tree);
	else
		printf("%s: imported %zu files at %.12s in %.1f s (%s)\n", k.name, res.files, sha,
		       res.seconds, tree);
	free(tree);
	kernel_free(&k);
	return 0;
}

int cmd_kernels(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-')
		return kernels_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return kernels_list(argc - 2, argv + 2);
	if (!strcmp(argv[1], "import"))
		return kernels_import(argc - 2, argv + 2);
	error("unknown subcommand 'kernels %s'", argv[1]);
	usage_of("kernels");
	return KB_EXIT_USAGE;
}
