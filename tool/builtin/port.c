// SPDX-License-Identifier: GPL-2.0
/* kbackport port [--continue] <kernel> [--series DIR] [--json] [--signoff 'N <e>'] */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/kbuild.h"
#include "builtin/builtin.h"
#include "port/export.h"
#include "lib/kernel.h"
#include "port/port.h"
#include "git/source.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	KB_OPTION_SERIES_DIR,
	{ "json", 'j', 0, NULL, "print the port report as JSON" },
	{ "signoff", 'S', 0, "'Name <email>'", "Signed-off-by for the port (default: KBACKPORT_SIGNOFF, git config)" },
	{ "continue", 'c', 0, NULL, "record the fixed conflict as a fixup, then port again" },
	{ "no-local", 'n', 0, NULL, "port the series as posted, without the local fixes in DIR/local/" },
	{ "plan", 'p', 0, NULL, "say what every prerequisite and patch would do, in memory; write nothing" },
	{ NULL },
};

const struct kb_usage usage_port = {
	.name = "port",
	.summary = "apply a series onto one kernel tree",
	.forms = (const char *const[]){
		"port <kernel> [{series}] [{json}] [{signoff}] [{no-local}] [{plan}]",
		"port {continue} <kernel> [{series}] [{json}] [{signoff}]",
		NULL,
	},
	.options = options,
	.text = "Resets branch backport/<series>/<kernel> of work/trees/<kernel> to the\n"
		"imported base, applies the series' prerequisites (DIR/prereqs/), its\n"
		"patches and the backporter's labelled local fixes (DIR/local/ and\n"
		"DIR/local/<kernel>/), one commit each, and tells how every hunk went:\n"
		"exact, offset, fuzzy, whitespace, already present, dropped per review,\n"
		"or conflict. --no-local ports the series as posted.\n"
		"A conflict stops the port (exit 6) with the tree clean, and the rejects\n"
		"and the hunks that applied under work/ports/<series>/<kernel>/;\n"
		"--continue records the fixed tree as\n"
		"DIR/<kernel>/fixups/NNNN-*.patch and ports again. The sign-off comes\n"
		"from --signoff, KBACKPORT_SIGNOFF or git config.\n"
		"--plan runs the same engine in memory past every conflict and lists\n"
		"what each prerequisite and patch would do: apply cleanly, need which\n"
		"cocci rule, conflict and why, and which cited commits are missing; it\n"
		"changes no branch, tree or file. A port that stops lists the same for\n"
		"the patches after the conflict.",
};

/* The only series under backports/, when --series is not given. */
char *default_series_dir(void)
{
	DIR *d = opendir("backports");
	struct dirent *e;
	char *found = NULL;
	int n = 0;

	while (d && (e = readdir(d))) {
		char *yaml = xasprintf("backports/%s/series.yaml", e->d_name);

		if (e->d_name[0] != '.' && path_exists(yaml)) {
			free(found);
			found = xasprintf("backports/%s", e->d_name);
			n++;
		}
		free(yaml);
	}
	if (d)
		closedir(d);
	if (n == 1)
		return found;
	free(found);
	die_code(KB_EXIT_USAGE, "%s series under 'backports/': say which with --series", n ? "several" : "no");
}

static void print_record(const struct port_report *r, const struct patch_record *rec)
{
	char num[32];

	if (rec->prereq)
		snprintf(num, sizeof(num), "[prereq %d]", rec->n);
	else if (rec->local)
		snprintf(num, sizeof(num), "[local %d]", rec->n);
	else
		snprintf(num, sizeof(num), "[%d/%d]", rec->n, r->total);
	printf("%-11s %-15s %s", num, port_status_name(rec->status), rec->title ? rec->title : "");
	if (rec->upstream)
		printf("  (upstream %s)", rec->upstream);
	if (rec->how)
		printf("  (%s)", rec->how);
	putchar('\n');
	for (size_t i = 0; i < rec->nhunks; i++) {
		const struct hunk_record *h = &rec->hunks[i];

		if (!strcmp(h->strategy, "exact"))
			continue;
		printf("%16shunk %d %s: %s", "", h->index, h->file, h->strategy);
		if (h->offset)
			printf(", offset %+ld", h->offset);
		if (h->fuzz)
			printf(", fuzz %d", h->fuzz);
		if (h->why && strcmp(h->strategy, "present") && strcmp(h->strategy, "equivalent"))
			printf(" (%s)", h->why);
		putchar('\n');
	}
}

static void print_summary(const struct port_report *r)
{
	int count[PS_SKIPPED + 1] = { 0 }, ported = 0, present = 0, missing = 0, done = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		if (!r->recs[i].prereq && !r->recs[i].local) {
			count[r->recs[i].status]++;
			done += r->recs[i].status != PS_CONFLICT && r->recs[i].status != PS_SKIPPED;
		}
	for (size_t i = 0; i < r->nprereqs; i++) {
		ported += !strcmp(r->prereqs[i].state, "ported");
		present += !strcmp(r->prereqs[i].state, "present");
		missing += !strcmp(r->prereqs[i].state, "missing");
	}
	for (size_t i = 0; i < r->nprereqs; i++)
		printf("prerequisite %s (\"%s\", %s): %s — %s\n", r->prereqs[i].commit, r->prereqs[i].subject,
		       r->prereqs[i].cited, r->prereqs[i].state, r->prereqs[i].evidence ? r->prereqs[i].evidence : "");
	printf("%s: %s%d/%d (%d clean, %d fuzzy, %d adapted, %d already-present, %d skipped, %d conflict%s), "
	       "%d prerequisite%s %s, %d present, %d missing\n",
	       r->kernel, r->plan ? "plan, nothing written: " : "", done, r->total, count[PS_CLEAN], count[PS_FUZZY],
	       count[PS_ADAPTED], count[PS_PRESENT], count[PS_SKIPPED], count[PS_CONFLICT],
	       count[PS_CONFLICT] == 1 ? "" : "s",
	       ported, ported == 1 ? "" : "s", r->plan ? "would be ported" : "ported", present, missing);
	if (r->nlocal)
		printf("%s: %d local fix%s carried after the series (the series as posted: 'port --no-local')\n",
		       r->kernel, r->nlocal, r->nlocal == 1 ? "" : "es");
}

/* The cocci rules a patch needs, in one line: what a plan is read for (a conflict's reason is in its record). */
static void print_plan_notes(const struct patch_record *rec)
{
	struct strvec rules = STRVEC_INIT;

	for (size_t i = 0; i < rec->nhunks; i++)
		if (starts_with(rec->hunks[i].strategy, "cocci:") && !sv_contains(&rules, rec->hunks[i].strategy + 6))
			sv_push(&rules, rec->hunks[i].strategy + 6);
	if (rules.n) {
		printf("%16sneeds rule%s", "", rules.n == 1 ? "" : "s");
		for (size_t i = 0; i < rules.n; i++)
			printf("%s %s", i ? "," : "", rules.v[i]);
		putchar('\n');
	}
	sv_release(&rules);
}

/*
 * What lies ahead of a port that stopped: the plan's records after the one
 * that conflicted, judged on the hunks that applied.
 */
static void print_ahead(const struct port_opts *stopped, const struct port_report *done)
{
	struct port_opts o = *stopped;
	struct port_report plan;
	size_t from = done->nrecs;

	o.plan = true;
	if (port_run(&o, &plan)) {
		kb_errcode = 0;
		port_report_free(&plan);
		return;
	}
	if (from < plan.nrecs)
		printf("%s: ahead of the conflict (port --plan, on the hunks that applied):\n", done->kernel);
	for (size_t i = from; i < plan.nrecs; i++) {
		print_record(&plan, &plan.recs[i]);
		print_plan_notes(&plan.recs[i]);
	}
	for (size_t i = 0; i < plan.nprereqs; i++)
		if (!strcmp(plan.prereqs[i].state, "missing"))
			printf("%s: cited commit %s (\"%s\") is missing\n", done->kernel, plan.prereqs[i].commit,
			       plan.prereqs[i].subject);
	port_report_free(&plan);
}

/* A state, not a failure: the committed exports or the tree lag behind. */
static void print_staleness(const struct port_report *r, const char *series)
{
	char *dir = xasprintf("%s/%s", series, r->kernel);
	char *made_on = export_source(dir);
	char *what = xasprintf("the exports in %s", dir);
	char *exports = made_on ? source_stale_text(what, made_on, r->source, r->kernel) : NULL;
	struct kernel_desc k;
	char *moved = NULL;

	if (!kernel_find(r->kernel, &k)) {
		moved = source_moved_text(&k, r->source);
		kernel_free(&k);
	}
	if (exports)
		printf("%s: %s\n", r->kernel, exports);
	if (moved)
		printf("%s: %s\n", r->kernel, moved);
	free(moved);
	free(exports);
	free(what);
	free(made_on);
	free(dir);
}

int cmd_port(int argc, char **argv)
{
	struct port_opts o = { .compile = kbuild_check_commit };
	struct port_report r;
	bool json = false, cont = false;
	char *series = NULL;
	int c, ret;

	while ((c = kb_getopt(argc, argv, &usage_port)) != -1) {
		switch (c) {
		case 's':
			free(series);
			series = xstrdup(optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'c':
			cont = true;
			break;
		case 'S':
			o.signoff = optarg;
			break;
		case 'n':
			o.no_local = true;
			break;
		case 'p':
			o.plan = true;
			break;
		default:
			free(series);
			return usage_error(&usage_port);
		}
	}
	if (optind != argc - 1 || (cont && o.plan)) {
		free(series);
		return usage_error(&usage_port);
	}
	o.kernel = argv[optind];
	if (!series)
		series = default_series_dir();
	if (ends_with(series, "/"))
		series[strlen(series) - 1] = '\0';
	o.series_dir = series;
	ret = cont ? port_continue(&o, &r) : port_run(&o, &r);
	if (json && r.kernel) {
		char *s = port_report_json(&r);

		puts(s);
		free(s);
	} else if (r.kernel) {
		for (size_t i = 0; i < r.nrecs; i++) {
			print_record(&r, &r.recs[i]);
			if (o.plan)
				print_plan_notes(&r.recs[i]);
		}
		if (r.nrecs)
			print_summary(&r);
	}
	if (r.kernel && r.source)
		print_staleness(&r, series);
	if (ret == KB_EXIT_CONFLICT && !json)
		print_ahead(&o, &r);
	if (ret == KB_EXIT_CONFLICT)
		error("port of '%s' stopped on a conflict: rejects in '%s'; branch '%s' is checked out clean at its "
		      "last good commit in '%s/trees/%s'; the hunks that applied are in '%s': apply them there "
		      "(git apply), finish the rejects and run 'kbackport port --continue %s'", o.kernel, r.rej,
		      r.branch, work_dir(), o.kernel, r.partial, o.kernel);
	port_report_free(&r);
	free(series);
	return ret;
}
