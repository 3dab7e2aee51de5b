// SPDX-License-Identifier: GPL-2.0
/* kbackport cocci survey <kernel> [--json]: which cocci/api rules the tree needs, and why. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin/builtin.h"
#include "port/cocci.h"
#include "lib/kernel.h"
#include "git/repo.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	{ "json", 'j', 0, NULL, "print the survey as JSON" },
	{ NULL },
};

const struct kb_usage usage_cocci = {
	.name = "cocci",
	.summary = "survey which cocci/api rules a tree needs",
	.forms = (const char *const[]){
		"cocci survey <kernel> [{json}]",
		NULL,
	},
	.options = options,
	.text = "Probes the imported tree at refs/kbackport/base (symbols, signatures) for every\n"
		"rule in cocci/api ($KBACKPORT_COCCI_API): needed / not needed / evidence.\n"
		"`kbackport port` runs the needed ones, and backports/<series>/cocci/NNNN-*.cocci\n"
		"after patch NNNN.",
};

static const char *verdict_name(const struct cocci_verdict *v)
{
	if (!v->needed)
		return "not needed";
	return v->usable ? "needed" : "needed, unusable";
}

static json_t *rule_json(const struct cocci_rule *r, const struct cocci_verdict *v)
{
	json_t *o = json_object(), *ev = json_array();

	json_object_set_new(o, "rule", json_string(r->name));
	json_object_set_new(o, "file", json_string(r->path));
	json_object_set_new(o, "needed", json_boolean(v->needed));
	json_object_set_new(o, "usable", json_boolean(v->usable));
	json_object_set_new(o, "verdict", json_string(verdict_name(v)));
	json_object_set_new(o, "confidence", json_string(r->confidence));
	json_object_set_new(o, "summary", json_string(r->summary));
	for (size_t i = 0; i < v->evidence.n; i++)
		json_array_append_new(ev, json_string(v->evidence.v[i]));
	json_object_set_new(o, "evidence", ev);
	if (!v->needed && r->otherwise)
		json_object_set_new(o, "note", json_string(r->otherwise));
	return o;
}

static void print_rule(const struct cocci_rule *r, const struct cocci_verdict *v)
{
	printf("%-32s %-16s (confidence %s)\n", r->name, verdict_name(v), r->confidence);
	for (size_t i = 0; i < v->evidence.n; i++)
		printf("    %s\n", v->evidence.v[i]);
	if (!v->needed && r->otherwise)
		printf("    %s\n", r->otherwise);
}

static int survey(const char *kernel, bool json)
{
	const char *dir = cocci_api_dir();
	struct cocci_rule *rules = NULL;
	struct kernel_desc k;
	git_repository *repo = NULL;
	git_oid base;
	json_t *out = json_array();
	size_t n = 0, needed = 0;
	char id[GIT_OID_HEXSZ + 1];
	int ret = -1;

	if (kernel_find(kernel, &k))
		goto cleanup;
	kernel_free(&k);
	if (repo_open_tree(kernel, &repo) || repo_base_commit(repo, &base) || cocci_rules_load(dir, &rules, &n))
		goto cleanup;
	if (!n) {
		error_code(KB_EXIT_NOINPUT, "no rules in '%s'", dir);
		goto cleanup;
	}
	git_oid_tostr(id, sizeof(id), &base);
	if (!json)
		printf("%s at %.12s (%s): %zu rules in %s\n", kernel, id, REPO_BASE_REF, n, dir);
	for (size_t i = 0; i < n; i++) {
		struct cocci_verdict v;

		if (cocci_survey(repo, &base, &rules[i], &v))
			goto cleanup;
		needed += v.needed;
		if (json)
			json_array_append_new(out, rule_json(&rules[i], &v));
		else
			print_rule(&rules[i], &v);
		cocci_verdict_free(&v);
	}
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "kernel", kernel, "base", id, "rules_dir", dir,
				      "rules", out);
		char *s = json_dumps(o, JSON_INDENT(2));

		out = NULL;
		puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("%zu of %zu rules needed\n", needed, n);
	}
	ret = 0;
cleanup:
	json_decref(out);
	cocci_rules_free(rules, n);
	git_repository_free(repo);
	return ret;
}

int cmd_cocci(int argc, char **argv)
{
	bool json = false;
	int c;

	while ((c = kb_getopt(argc, argv, &usage_cocci)) != -1) {
		if (c != 'j')
			return usage_error(&usage_cocci);
		json = true;
	}
	if (argc - optind != 2 || strcmp(argv[optind], "survey"))
		return usage_error(&usage_cocci);
	if (survey(argv[optind + 1], json))
		return kb_errcode ? kb_errcode : KB_EXIT_FAIL;
	return KB_OK;
}
