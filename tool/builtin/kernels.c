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

#include "builtin/builtin.h"
#include "lib/debian.h"
#include "lib/kernel.h"
#include "git/repo.h"
#include "git/source.h"
#include "lib/store.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	{ "json", 'j', 0, NULL, "print the list as JSON" },
	{ NULL },
};

const struct kb_usage usage_kernels = {
	.name = "kernels",
	.summary = "list kernel trees from kernels/, import one",
	.forms = (const char *const[]){
		"kernels [list] [{json}]",
		"kernels import <name>",
		"kernels versions <name>",
		NULL,
	},
	.options = options,
	.text = "Each kernels/<name>.yaml describes one tree. import turns its source\n"
		"(a Debian linux-source package or a git repository) into a git\n"
		"repository under $KBACKPORT_WORK/trees/<name> (default work/), at the\n"
		"revision the YAML pins (source.version) or the newest one (the installed\n"
		"package, or the newest of source.suite, fetched with a private apt);\n"
		"a tree at another revision moves to it. versions lists the revisions\n"
		"Debian's archive offers for the package, newest first.",
};

/* What list shows of one kernel. */
struct row {
	const struct kernel_desc *k;
	char *source;
	char *tree;
	bool present;
	bool imported;
	char base[GIT_OID_HEXSZ + 1];
	char *version;		/* NULL unless imported */
	struct source_rev tree_rev;	/* what the tree was imported from */
	struct source_rev source_rev;	/* what an import would take now (NULL label: unknown) */
};

/* present; fetch: a pinned or suite revision that import will download; missing. */
static const char *source_state(const struct row *r)
{
	if (r->present)
		return "present";
	if (r->k->source == KSRC_DEBIAN_PACKAGE && (r->k->package_version || r->k->suite))
		return "fetch";
	return "missing";
}

static int probe(const struct kernel_desc *k, struct row *r)
{
	git_repository *repo = NULL;
	git_oid base;
	int ret;

	memset(r, 0, sizeof(*r));
	r->k = k;
	r->source = kernel_source_str(k);
	r->tree = store_tree(k->name);
	r->present = repo_source_present(k);
	/* a source that is not there has no revision to show; a pinned one not fetched yet has */
	if ((r->present || !strcmp(source_state(r), "fetch")) && source_resolve(k, false, &r->source_rev))
		return -1;
	ret = repo_try_open_tree(k->name, &repo, &base);
	if (ret)
		return ret < 0 ? -1 : 0;
	r->imported = true;
	git_oid_tostr(r->base, sizeof(r->base), &base);
	ret = repo_kernel_version(repo, &base, &r->version) || repo_tree_revision(repo, k, &r->tree_rev) ? -1 : 0;
	git_repository_free(repo);
	return ret;
}

static void row_free(struct row *r)
{
	free(r->source);
	free(r->tree);
	free(r->version);
	source_rev_free(&r->tree_rev);
	source_rev_free(&r->source_rev);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *source_json(const struct row *r)
{
	const struct kernel_desc *k = r->k;

	if (k->source == KSRC_GIT)
		return json_pack("{s:s, s:s, s:s, s:o}", "type", "git", "path", k->git_path,
				 "ref", k->git_ref, "revision", str_or_null(r->source_rev.label));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "type", "debian-package", "package", k->package,
			 "version", str_or_null(k->package_version), "suite", str_or_null(k->suite),
			 "tarball", str_or_null(r->source_rev.tarball),
			 "revision", str_or_null(r->source_rev.label));
}

/* The source offers another revision than the tree was imported from. */
static bool moved(const struct row *r)
{
	return r->imported && r->source_rev.version &&
	       (!r->tree_rev.version || strcmp(r->tree_rev.version, r->source_rev.version));
}

static json_t *row_json(const struct row *r)
{
	const struct kernel_desc *k = r->k;
	json_t *fragments = json_array();

	for (size_t i = 0; i < k->config_fragments.n; i++)
		json_array_append_new(fragments, json_string(k->config_fragments.v[i]));
	return json_pack("{s:s, s:o, s:o, s:b, s:b, s:s, s:o, s:o, s:o, s:b, s:s, s:{s:s, s:o, s:o}, s:{s:s, s:{s:i, s:i}, s:i}}",
			 "name", k->name,
			 "description", str_or_null(k->description),
			 "source", source_json(r),
			 "source_present", r->present,
			 "imported", r->imported,
			 "tree", r->tree,
			 "base", str_or_null(r->imported ? r->base : NULL),
			 "version", str_or_null(r->version),
			 "revision", str_or_null(r->tree_rev.label),
			 "moved", moved(r),
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
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		printf("%-*s  %-*s  source: %-7s  imported: %-3s  version: %s", wname, r->k->name, wsrc,
		       r->source, source_state(r), r->imported ? "yes" : "no",
		       r->version ? r->version : "-");
		if (r->tree_rev.version)
			printf("  revision: %s", r->tree_rev.version);
		if (moved(r))
			printf("  (source is at %s: run 'kbackport refresh %s')", r->source_rev.version, r->k->name);
		putchar('\n');
	}
}

static int kernels_list(int argc, char **argv)
{
	struct kernel_desc *ks;
	struct row *rows;
	bool json = false;
	size_t n;
	int c, ret = 0;

	while ((c = kb_getopt(argc, argv, &usage_kernels)) != -1) {
		if (c != 'j')
			return usage_error(&usage_kernels);
		json = true;
	}
	if (optind != argc) {
		error("'kernels list' takes no kernel name");
		return usage_error(&usage_kernels);
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

/* The one kernel name 'kernels <sub>' takes, or NULL (said). */
static const char *one_name(int argc, char **argv)
{
	while (kb_getopt(argc, argv, &usage_kernels) != -1)
		;
	if (optind == argc - 1)
		return argv[optind];
	error("'kernels %s' takes one kernel name", argv[0]);
	usage_error(&usage_kernels);
	return NULL;
}

static int kernels_import(int argc, char **argv)
{
	const char *name = one_name(argc, argv);
	struct import_result res;
	struct kernel_desc k;
	char sha[GIT_OID_HEXSZ + 1];
	char *tree;
	int ret;

	if (!name)
		return KB_EXIT_USAGE;
	if (kernel_find(name, &k))
		return kb_errcode;
	progress_tty = isatty(STDERR_FILENO);
	ret = repo_import(&k, show_progress, &res);
	if (ret) {
		import_result_free(&res);
		kernel_free(&k);
		return kb_errcode;
	}
	tree = store_tree(k.name);
	git_oid_tostr(sha, sizeof(sha), &res.commit);
	if (res.already)
		printf("%s: already imported at %.12s (%s), revision %s\n", k.name, sha, tree, res.label);
	else if (!res.previous)
		printf("%s: imported %zu files at %.12s in %.1f s (%s), revision %s\n", k.name, res.files, sha,
		       res.seconds, tree, res.label);
	else
		printf("%s: moved from %s to revision %s at %.12s in %.1f s (%s); results made on the old "
		       "revision are stale: run 'kbackport refresh %s'\n", k.name, res.previous, res.label, sha,
		       res.seconds, tree, k.name);
	free(tree);
	import_result_free(&res);
	kernel_free(&k);
	return 0;
}

/* The revisions Debian's archive offers for a kernel's package, newest first. */
static int kernels_versions(int argc, char **argv)
{
	const char *name = one_name(argc, argv);
	struct strvec versions = STRVEC_INIT;
	struct kernel_desc k;
	int ret = 0;

	if (!name)
		return KB_EXIT_USAGE;
	if (kernel_find(name, &k))
		return kb_errcode;
	if (k.source != KSRC_DEBIAN_PACKAGE)
		ret = error_code(KB_EXIT_USAGE, "kernel '%s' has a git source: its revisions are its refs", k.name);
	else
		ret = deb_archive_versions(k.package, k.suite, &versions);
	for (size_t i = 0; !ret && i < versions.n; i++)
		printf("%s %s\n", k.package, versions.v[i]);
	sv_release(&versions);
	kernel_free(&k);
	return ret ? kb_errcode : 0;
}

int cmd_kernels(int argc, char **argv)
{
	/* argv[0] is the subcommand, or "kernels" for a list without one */
	if (argc < 2 || argv[1][0] == '-')
		return kernels_list(argc, argv);
	if (!strcmp(argv[1], "list"))
		return kernels_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return kernels_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "versions"))
		return kernels_versions(argc - 1, argv + 1);
	return usage_subcommand(argc, argv, &usage_kernels);
}
