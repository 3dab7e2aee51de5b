// SPDX-License-Identifier: GPL-2.0
/*
 * The report: the result store read back and judged. Every verdict here
 * comes from a stored file; a stage with no file is "not-run", never a pass,
 * and a file made for other inputs (an older port, another image) is stale.
 */
#define _GNU_SOURCE
#include "report/model.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "boot/record.h"
#include "port/export.h"
#include "lib/kernel.h"
#include "git/repo.h"
#include "lib/store.h"
#include "git/source.h"

static const char *const stage_names[RS_NR] = { "port", "build", "boot", "bench", "debug", "posted" };
static const int stage_exit[RS_NR] = { KB_EXIT_CONFLICT, KB_EXIT_BUILD, KB_EXIT_BOOT, KB_EXIT_TEST, KB_EXIT_TEST,
				       KB_EXIT_TEST };
static const char *const variants[] = { "base", "patched" };

const char *report_stage_name(enum report_stage s)
{
	return stage_names[s];
}

int report_stage_find(const char *name)
{
	for (int i = 0; i < RS_NR; i++)
		if (!strcmp(stage_names[i], name))
			return i;
	return -1;
}

int report_stage_exit(enum report_stage s)
{
	return stage_exit[s];
}

/* Which record: a kernel of a series. */
struct where {
	const char *series;
	const char *kernel;
};

/* <variant>/<workload>.json of a kernel, or the round's (record.h). */
static json_t *load_round(const struct where *w, const char *variant, const char *workload, int round)
{
	char *name = boot_record_name(workload, round, ".json");
	json_t *o = store_read(w->series, w->kernel, variant, name);

	free(name);
	return o;
}

static json_t *load_boot(const struct where *w, const char *variant, const char *workload)
{
	return load_round(w, variant, workload, 1);
}

/* Takes text (may be NULL). */
static void add_text(json_t *list, char *text)
{
	if (text)
		json_array_append_new(list, json_string(text));
	free(text);
}

/*
 * One stage of a kernel: status, the reasons for a ✘ and those for a ≈
 * (disturbed: a measurement that cannot be trusted either way).
 */
static json_t *stage_new(void)
{
	return json_pack("{s:s, s:[], s:[], s:[]}", "status", "not-run", "reasons", "disturbed", "known");
}

static void stage_set(json_t *stage, const char *status)
{
	const char *now = jstr(stage, "status");

	/* fail sticks, and so does disturbed: a later pass of another part does not undo them */
	if (!strcmp(now, "fail") || !strcmp(now, "disturbed"))
		return;
	json_object_set_new(stage, "status", json_string(status));
}

/* One more line in the stage's LIST ("reasons", "known"). */
__attribute__((format(printf, 3, 0))) static void stage_add(json_t *stage, const char *list, const char *fmt,
							      va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	json_array_append_new(json_object_get(stage, list), json_string(s));
	free(s);
}

__attribute__((format(printf, 2, 3))) static void stage_fail(json_t *stage, const char *fmt, ...)
{
	va_list ap;

	json_object_set_new(stage, "status", json_string("fail"));
	va_start(ap, fmt);
	stage_add(stage, "reasons", fmt, ap);
	va_end(ap);
}

/* A defect the series fixes, shown by a kernel without it, as its known-defects table says: no failure. */
__attribute__((format(printf, 2, 3))) static void stage_known(json_t *stage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stage_add(stage, "known", fmt, ap);
	va_end(ap);
}

/* Disturbed, unless it failed: a failure found elsewhere is not undone by noisy numbers. */
static void stage_disturb(json_t *stage, const char *why)
{
	if (strcmp(jstr(stage, "status"), "fail"))
		json_object_set_new(stage, "status", json_string("disturbed"));
	json_array_append_new(json_object_get(stage, "disturbed"), json_string(why));
}

/* ---- port ---------------------------------------------------------------- */

static bool is_local(json_t *patch)
{
	return json_is_true(json_object_get(patch, "local"));
}

/* The backporter's own fixes the port carries after the series (port.json's "local" records). */
static json_t *local_fixes(json_t *port)
{
	json_t *out = json_array(), *p;
	size_t i;

	json_array_foreach(json_object_get(port, "patches"), i, p)
		if (is_local(p))
			json_array_append_new(out, json_pack("{s:O?, s:O?, s:O?, s:O?}", "patch", json_object_get(p, "patch"),
							     "subject", json_object_get(p, "subject"),
							     "status", json_object_get(p, "status"),
							     "commit", json_object_get(p, "commit")));
	return out;
}

/* Counts of the series' patches (or the prerequisites): local fixes are listed apart. */
static json_t *count_by(json_t *items, const char *key, bool prereq)
{
	json_t *counts = json_object(), *it;
	size_t i;

	json_array_foreach(items, i, it) {
		const char *v = jstr(it, key);

		if (!v || is_local(it) ||
		    (json_object_get(it, "prereq") && json_is_true(json_object_get(it, "prereq")) != prereq))
			continue;
		json_object_set_new(counts, v, json_integer(json_integer_value(json_object_get(counts, v)) + 1));
	}
	return counts;
}

static json_t *port_section(json_t *port, json_t *stage)
{
	json_t *p, *patches = json_array();
	size_t i, total = 0;

	json_array_foreach(json_object_get(port, "patches"), i, p)
		total += !json_is_true(json_object_get(p, "prereq")) && !is_local(p);
	json_array_foreach(json_object_get(port, "patches"), i, p) {
		const char *status = jstr(p, "status");
		bool prereq = json_is_true(json_object_get(p, "prereq"));

		json_array_append(patches, p);
		if (!status || strcmp(status, "conflict"))
			continue;
		if (prereq || is_local(p))
			stage_fail(stage, "%s %lld conflicts: %s", prereq ? "prerequisite" : "local fix",
				   (long long)json_integer_value(json_object_get(p, "patch")), jstr(p, "subject"));
		else
			stage_fail(stage, "patch %lld/%zu conflicts: %s", (long long)json_integer_value(json_object_get(p, "patch")),
				   total, jstr(p, "subject"));
	}
	json_array_foreach(json_object_get(port, "prereqs"), i, p)
		if (jstr(p, "state") && !strcmp(jstr(p, "state"), "missing"))
			stage_fail(stage, "prerequisite %s missing: %s", jstr(p, "commit"), jstr(p, "subject"));
	if (jstr(port, "rej"))
		stage_fail(stage, "rejected hunks in %s", jstr(port, "rej"));
	stage_set(stage, "pass");
	return json_pack("{s:O?, s:o, s:O?, s:o, s:o, s:O?, s:o, s:o}", "rej", json_object_get(port, "rej"),
			 "counts", count_by(json_object_get(port, "patches"), "status", false),
			 "prereqs", json_object_get(port, "prereqs"),
			 "prereq_counts", count_by(json_object_get(port, "prereqs"), "state", false),
			 "patches", patches, "file", json_object_get(port, "file"),
			 "posted", results_str(jstr(port, "posted")), "local_fixes", local_fixes(port));
}

/* ---- build --------------------------------------------------------------- */

static int checkpatch_sum(json_t *build, const char *key)
{
	json_t *c;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(build, "checkpatch"), i, c)
		n += json_integer_value(json_object_get(c, key));
	return n;
}

/* Compiler warnings of the patched build that the base build does not have. */
static json_t *new_warnings(json_t *base, json_t *patched)
{
	json_t *out = json_array(), *w, *b;
	size_t i, j;

	json_array_foreach(json_object_get(patched, "warnings"), i, w) {
		bool seen = false;

		json_array_foreach(json_object_get(base, "warnings"), j, b)
			seen |= json_equal(w, b);
		if (!seen)
			json_array_append(out, w);
	}
	return out;
}

static json_t *build_variant(json_t *build, const char *variant, const char *want, json_t *stage)
{
	if (!build)
		return json_null();
	if (want && jstr(build, "commit") && strcmp(want, jstr(build, "commit")))
		stage_fail(stage, "%s: stale build of %.12s, the port's %s is %.12s", variant,
			   jstr(build, "commit"), variant, want);
	return json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "commit", json_object_get(build, "commit"),
			 "config", json_object_get(build, "config"), "image", json_object_get(build, "image"),
			 "image_hash", json_object_get(build, "image_hash"), "seconds", json_object_get(build, "seconds"),
			 "ccache", json_object_get(build, "ccache"), "warnings", json_object_get(build, "warnings"),
			 "log", json_object_get(build, "log"),
			 "checkpatch", json_object_get(build, "checkpatch") ? json_object_get(build, "checkpatch") : json_null());
}

static json_t *build_section(const struct where *at, json_t *port, json_t *stage, json_t *builds[2])
{
	const char *want[2] = { jstr(port, "base"), jstr(port, "tip") };
	json_t *out = json_object(), *vendor, *fresh, *w;
	size_t i;

	for (int v = 0; v < 2; v++) {
		builds[v] = store_read(at->series, at->kernel, variants[v], "build.json");
		json_object_set_new(out, variants[v], build_variant(builds[v], variants[v], want[v], stage));
	}
	if (!builds[0] && !builds[1])
		return out;
	if (!builds[0] || !builds[1])
		stage_fail(stage, "%s not built", builds[0] ? "patched" : "base");
	fresh = new_warnings(builds[0], builds[1]);
	json_array_foreach(fresh, i, w)
		stage_fail(stage, "new compiler warning: %s", json_string_value(w));
	json_object_set_new(out, "new_warnings", fresh);
	json_object_set_new(out, "checkpatch", json_pack("{s:i, s:i, s:i}", "errors", checkpatch_sum(builds[1], "errors"),
							  "warnings", checkpatch_sum(builds[1], "warnings"),
							  "checks", checkpatch_sum(builds[1], "checks")));
	if (checkpatch_sum(builds[1], "errors"))
		stage_fail(stage, "checkpatch: %d errors in the backported commits", checkpatch_sum(builds[1], "errors"));
	vendor = store_read(at->series, at->kernel, "patched", "vendor-check.json");
	if (!vendor) {
		stage_fail(stage, "no vendor-config check (build --vendor-check)");
	} else {
		if (want[1] && jstr(vendor, "patched") && strcmp(want[1], jstr(vendor, "patched")))
			stage_fail(stage, "stale vendor-config check of %.12s", jstr(vendor, "patched"));
		json_array_foreach(json_object_get(vendor, "new_warnings"), i, w)
			stage_fail(stage, "new warning under %s: %s", path_basename(jstr(vendor, "vendor_config")),
				   json_string_value(w));
		json_object_del(vendor, "cache_key");
		json_object_set(out, "vendor_check", vendor);
	}
	json_decref(vendor);
	stage_set(stage, "pass");
	return out;
}

/* ---- boots and workloads ----------------------------------------------------- */

static json_t *opt(json_t *o, const char *key)
{
	return json_object_get(o, key) ? json_incref(json_object_get(o, key)) : json_null();
}

static json_t *boot_summary(json_t *b)
{
	/* a lab's record has no boot times: absent fields are null */
	json_t *o = json_pack("{s:s, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}",
			 "runner", jstr(b, "runner") ? jstr(b, "runner") : "qemu",
			 "accelerator", json_object_get(b, "accelerator"), "vcpus", json_object_get(b, "vcpus"),
			 "verdict", json_object_get(b, "verdict"), "workload_status", json_object_get(b, "workload_status"),
			 "image_hash", json_object_get(b, "image_hash"), "seconds", jget(b, "boot", "total_seconds"),
			 "findings", json_object_get(b, "findings"), "console", json_object_get(b, "console"),
			 "console_tail", json_object_get(b, "console_tail"), "result_error", json_object_get(b, "result_error"));

	/* older records have neither: round 1, the host unknown */
	json_object_set_new(o, "round", json_object_get(b, "round") ? opt(b, "round") : json_integer(1));
	json_object_set_new(o, "host", opt(b, "host"));
	return o;
}

/* A result of another image than the one built now is stale: a ✘ until booted again. */
static void stale_image(json_t *b, json_t *build, const char *label, json_t *stage)
{
	if (build && jstr(b, "image_hash") && jstr(build, "image_hash") &&
	    strcmp(jstr(b, "image_hash"), jstr(build, "image_hash")))
		stage_fail(stage, "%s: stale result of another image (%.12s, built %.12s)", label,
			   jstr(b, "image_hash"), jstr(build, "image_hash"));
}

/* The workload failed on its NOWAIT table alone: every check but that one passed or was skipped. */
static bool only_table_failed(json_t *b)
{
	json_t *t;
	size_t i;
	bool table = false;

	json_array_foreach(jget(b, "result", "tests"), i, t) {
		const char *name = jstr(t, "name"), *status = jstr(t, "status");

		if (!name || !status)
			return false;
		if (!strcmp(status, "fail")) {
			if (strcmp(name, "nowait-table"))
				return false;
			table = true;
		}
	}
	return table;
}

/*
 * A workload's stored boot, judged: the kernel's verdict, the workload's
 * status, the image it booted. Returns the summary, or null when absent.
 * judge_table false: a workload that failed on its NOWAIT table alone is
 * judged elsewhere (the debug kernel's answers are shown; the bench stage
 * judges the table).
 */
static json_t *judge_boot(json_t *b, json_t *build, const char *variant, json_t *stage, bool judge_table)
{
	const char *verdict = jstr(b, "verdict"), *status = jstr(b, "workload_status");
	const char *w = jget(b, "workload", "name") ? json_string_value(jget(b, "workload", "name")) : "?";
	json_t *f;
	size_t i;
	char *label;

	if (!b)
		return json_null();
	label = xasprintf("%s %s", variant, w);
	stale_image(b, build, label, stage);
	free(label);
	json_array_foreach(json_object_get(b, "findings"), i, f)
		if (jstr(f, "known"))
			stage_known(stage, "%s %s: console line %d: %s (%s)", variant, w,
				    (int)json_integer_value(json_object_get(f, "line")), jstr(f, "text"), jstr(f, "known"));
	json_array_foreach(jget(b, "result", "tests"), i, f)
		if (jstr(f, "status") && !strcmp(jstr(f, "status"), "known"))
			stage_known(stage, "%s %s: %s: %s", variant, w, jstr(f, "name"),
				    jstr(f, "detail") ? jstr(f, "detail") : "");
	if (!verdict || (strcmp(verdict, "clean") && strcmp(verdict, "known"))) {
		stage_fail(stage, "%s %s: kernel verdict %s", variant, w, verdict ? verdict : "unknown");
		json_array_foreach(json_object_get(b, "findings"), i, f)
			if (i < 3)
				stage_fail(stage, "%s %s: console line %d: %s", variant, w,
					   (int)json_integer_value(json_object_get(f, "line")), jstr(f, "text"));
	}
	if ((!status || strcmp(status, "done")) &&
	    (judge_table || !status || strcmp(status, "failed") || !only_table_failed(b)))
		stage_fail(stage, "%s %s: workload %s%s%s", variant, w, status ? status : "unknown",
			   jstr(b, "result_error") ? ": " : "", jstr(b, "result_error") ? jstr(b, "result_error") : "");
	stage_set(stage, "pass");
	return boot_summary(b);
}

static json_t *boot_section(const struct where *w, const char *workload, json_t *stage, json_t *builds[2],
			    json_t *loaded[2])
{
	json_t *out = json_object();
	int present = 0;

	for (int v = 0; v < 2; v++) {
		loaded[v] = load_boot(w, variants[v], workload);
		present += !!loaded[v];
		json_object_set_new(out, variants[v], judge_boot(loaded[v], builds[v], variants[v], stage, true));
	}
	if (present == 1)
		stage_fail(stage, "%s %s: not booted", loaded[0] ? "patched" : "base", workload);
	return out;
}

/* The failed tests of a workload result become reasons; all become records. */
static void workload_tests(json_t *b, const char *variant, json_t *tests, json_t *stage)
{
	json_t *t;
	size_t i;

	json_array_foreach(jget(b, "result", "tests"), i, t) {
		json_array_append_new(tests, json_pack("{s:s, s:O, s:O, s:O}", "variant", variant,
						       "name", json_object_get(t, "name"),
						       "status", json_object_get(t, "status"),
						       "detail", json_object_get(t, "detail")));
		if (jstr(t, "status") && !strcmp(jstr(t, "status"), "fail"))
			stage_fail(stage, "%s %s: %s", variant, jstr(t, "name"), jstr(t, "detail") ? jstr(t, "detail") : "");
	}
}

static void measurements(json_t *b, const char *variant, int round, json_t *out)
{
	const char *test;
	json_t *runs, *r;
	size_t i;

	json_object_foreach(jget(b, "result", "bench"), test, runs)
		json_array_foreach(runs, i, r)
			json_array_append_new(out, json_pack("{s:s, s:s, s:O, s:O, s:s, s:i}", "test", test, "variant",
							     variant, "jobs", json_object_get(r, "jobs"),
							     "iops", json_object_get(r, "iops"), "unit", "IOPS",
							     "round", round));
}

static double iops_at(json_t *meas, const char *test, const char *variant, json_int_t jobs, int round)
{
	json_t *m;
	size_t i;

	json_array_foreach(meas, i, m)
		if (!strcmp(jstr(m, "test"), test) && !strcmp(jstr(m, "variant"), variant) &&
		    json_integer_value(json_object_get(m, "jobs")) == jobs &&
		    json_integer_value(json_object_get(m, "round")) == round && json_is_number(json_object_get(m, "iops")))
			return json_number_value(json_object_get(m, "iops"));
	return -1;
}

/* The job count to compare at: the reference's, else the largest both variants measured. */
static json_int_t compare_jobs(json_t *meas, const char *test, json_t *ref)
{
	json_int_t best = -1;
	json_t *m;
	size_t i;

	if (json_integer_value(json_object_get(ref, "compare_jobs")) > 0)
		return json_integer_value(json_object_get(ref, "compare_jobs"));
	json_array_foreach(meas, i, m) {
		json_int_t j = json_integer_value(json_object_get(m, "jobs"));

		if (!strcmp(jstr(m, "test"), test) && j > best && iops_at(meas, test, "base", j, 1) > 0 &&
		    iops_at(meas, test, "patched", j, 1) >= 0)
			best = j;
	}
	return best;
}

json_t *report_reference_test(json_t *ref, const char *name)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(ref, "tests"), i, t)
		if (jstr(t, "name") && !strcmp(jstr(t, "name"), name))
			return t;
	return NULL;
}

/* Test names in order: the reference's first, then the others measured. */
static void test_names(json_t *meas, json_t *ref, struct strvec *out)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(ref, "tests"), i, t)
		if (jstr(t, "name"))
			sv_push(out, jstr(t, "name"));
	json_array_foreach(meas, i, t)
		if (!sv_contains(out, jstr(t, "test")))
			sv_push(out, jstr(t, "test"));
}

/* Without a device latency on record: at best N writers side by side where base ran them one at a time. */
#define REPORT_SPEEDUP_PER_JOB 1.0

/*
 * The most patched/base at jobs can be. No kernel change makes a writer
 * faster than the device: with psync at depth 1 each of N writers completes
 * at most one write per device latency (the dio workload's
 * device.latency_us), so patched at N jobs reaches at most N / latency, and
 * patched/base at most that over base's IOPS. Above it, the base run was
 * slowed by something else. Without a latency on record, N times
 * REPORT_SPEEDUP_PER_JOB. (N alone is too tight with a latency: one writer
 * at a time waits out whole ticks, 11.9 ms per 8 ms write under TCG, N side
 * by side 11.2 ms, so the same kernel's N-writer overwrite run reaches 8.4x
 * its own one-writer rate.)
 */
static double ratio_bound(json_int_t jobs, double latency_us, double base)
{
	if (latency_us > 0 && base > 0)
		return jobs * 1e6 / latency_us / base;
	return jobs * REPORT_SPEEDUP_PER_JOB;
}

/* Rounds disagree when their ratios spread ((max - min) / median) more than this. */
#define REPORT_MAX_SPREAD 0.25

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static json_t *real_or_null(double v)
{
	return v >= 0 ? json_real(v) : json_null();
}

/* Why a ratio cannot be trusted: above what the jobs can give, or rounds that disagree. */
static void ratio_doubts(const char *test, json_int_t jobs, const double *ratios, size_t n, double ratio, double spread,
			 double bound, json_t *why)
{
	struct strbuf list = STRBUF_INIT;

	if (ratio > bound)
		add_text(why, xasprintf("%s at %lld jobs: patched/base %.2fx, above the %.2fx that %lld jobs can give at most",
					test, (long long)jobs, ratio, bound, (long long)jobs));
	if (spread <= REPORT_MAX_SPREAD)
		return;
	for (size_t r = 0; r < n; r++)
		sb_addf(&list, "%s%.2fx", r ? ", " : "", ratios[r]);
	add_text(why, xasprintf("%s at %lld jobs: the rounds disagree: %s (spread %.2f, above %.2f)", test, (long long)jobs,
				list.buf, spread, REPORT_MAX_SPREAD));
	sb_release(&list);
}

/*
 * Per test, patched/base at the compare job count in every round, their
 * median and spread, and the verdict: disturbed (neither pass nor fail) when
 * the numbers cannot be trusted — above the physical bound, rounds that
 * disagree, or a busy host (busy: the reasons) — else pass or fail by the
 * reference's min_ratio.
 */
static json_t *comparisons(json_t *meas, json_t *ref, json_t *stage, int nrounds, json_t *busy, double latency_us)
{
	struct strvec names = STRVEC_INIT;
	json_t *out = json_array(), *r;
	bool measured = false;
	size_t i;

	test_names(meas, ref, &names);
	for (i = 0; i < names.n; i++) {
		const char *test = names.v[i], *verdict;
		json_int_t jobs = compare_jobs(meas, test, ref);
		json_t *rt = report_reference_test(ref, test), *rounds = json_array(), *why = json_array();
		double ratios[BOOT_MAX_ROUNDS], sorted[BOOT_MAX_ROUNDS], bs[BOOT_MAX_ROUNDS], ps[BOOT_MAX_ROUNDS];
		double min = json_number_value(json_object_get(rt, "min_ratio")), ratio = -1, spread = -1, bound;
		bool has_min = json_object_get(rt, "min_ratio") != NULL;
		size_t n = 0, nb = 0, np = 0, j;

		for (int round = 1; round <= nrounds; round++) {
			double b = iops_at(meas, test, "base", jobs, round), p = iops_at(meas, test, "patched", jobs, round);

			if (b >= 0)
				bs[nb++] = b;
			if (p >= 0)
				ps[np++] = p;
			if (b > 0 && p >= 0)
				ratios[n++] = p / b;
			json_array_append_new(rounds, json_pack("{s:i, s:o, s:o, s:o}", "round", round, "base", real_or_null(b),
								"patched", real_or_null(p),
								"ratio", real_or_null(b > 0 && p >= 0 ? p / b : -1)));
		}
		if (!nb && !np) {
			json_decref(rounds);
			json_decref(why);
			continue;
		}
		bound = ratio_bound(jobs, latency_us, nb ? median(bs, nb) : -1);
		if (n) {
			memcpy(sorted, ratios, n * sizeof(*ratios));
			ratio = median(sorted, n);
			if (n > 1 && ratio > 0)
				spread = (sorted[n - 1] - sorted[0]) / ratio;
			ratio_doubts(test, jobs, ratios, n, ratio, spread, bound, why);
			json_array_foreach(why, j, r)
				stage_disturb(stage, json_string_value(r));
			json_array_extend(why, busy);
			measured = true;
		}
		verdict = !n ? "not-run" : json_array_size(why) ? "disturbed" : !has_min ? "info" :
			  ratio < min ? "fail" : "pass";
		if (!strcmp(verdict, "fail"))
			stage_fail(stage, "%s at %lld jobs: patched/base %.2fx%s, below the expected %.2fx", test,
				   (long long)jobs, ratio, n > 1 ? " (median of the rounds)" : "", min);
		json_array_append_new(out, json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:s, s:o}",
						     "test", test, "jobs", jobs,
						     "base", real_or_null(nb ? median(bs, nb) : -1),
						     "patched", real_or_null(np ? median(ps, np) : -1),
						     "ratio", real_or_null(ratio),
						     "min_ratio", has_min ? json_real(min) : json_null(),
						     "rounds", rounds, "spread", real_or_null(spread),
						     "bound", bound, "verdict", verdict,
						     "disturbed", why));
	}
	/* the host's load disturbs every measurement of the stage: said once */
	if (measured)
		json_array_foreach(busy, i, r)
			stage_disturb(stage, json_string_value(r));
	sv_release(&names);
	return out;
}

/* ---- matrix step records -------------------------------------------------------- */

static double mtime_of(const char *path)
{
	struct stat st;

	if (!path || stat(path, &st))
		return -1;
	return st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
}

/*
 * A step the last matrix run saw fail counts while its result file is no
 * newer than the failure (a later successful command by hand supersedes it).
 */
static void step_failures(json_t *matrix, json_t *stages)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(matrix, "steps"), i, s) {
		const char *status = jstr(s, "status");
		int st = jstr(s, "stage") ? report_stage_find(jstr(s, "stage")) : -1;
		json_t *stage = st >= 0 ? json_object_get(stages, stage_names[st]) : NULL;
		double result = mtime_of(jstr(s, "result"));

		if (!stage || !status || strcmp(status, "fail"))
			continue;
		if (result > json_number_value(json_object_get(s, "finished")))
			continue;
		/*
		 * the posted boot fails where the series as posted does, the debug boot
		 * where its NOWAIT answers are off: each judged from the record it
		 * wrote, or reused
		 */
		if ((st == RS_POSTED || st == RS_DEBUG) && result >= 0 &&
		    (json_is_true(json_object_get(s, "reused")) ||
		     result >= json_number_value(json_object_get(s, "finished")) -
				       json_number_value(json_object_get(s, "seconds"))))
			continue;
		if (!strcmp(jstr(stage, "status"), "fail"))
			continue;
		stage_fail(stage, "step %s failed (exit %d)%s%s", jstr(s, "name"),
			   (int)json_integer_value(json_object_get(s, "exit")), jstr(s, "why") ? ": " : "",
			   jstr(s, "why") ? jstr(s, "why") : "");
	}
}

/* ---- one kernel ---------------------------------------------------------------- */

static json_t *reference_for(json_t *port)
{
	const char *series = jstr(port, "series");
	char *path;
	json_t *ref;

	if (!series)
		return NULL;
	path = xasprintf("%s/bench-reference.json", series);
	/* the series' own file, not a store record: no schema */
	ref = path_exists(path) ? json_load_file(path, 0, NULL) : NULL;
	if (!ref && path_exists(path))
		warning("'%s' is not valid JSON: no reference curves", path);
	if (ref)
		json_object_set_new(ref, "file", json_string(path));
	free(path);
	return ref;
}

/* The NOWAIT table's counts, without the per-case rows. */
static json_t *nowait_summary(json_t *n)
{
	static const char *const keys[] = { "compared", "mismatches", "unrun", "data_errors", "expect_file" };
	json_t *out;

	if (!json_is_object(n))
		return json_null();
	out = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_get(n, keys[i]))
			json_object_set(out, keys[i], json_object_get(n, keys[i]));
	return out;
}

/* Each NOWAIT answer that differs from the table, as a reason a reviewer can check. */
static void nowait_differences(json_t *n, const char *variant, json_t *stage)
{
	json_t *c, *got;
	const char *method;
	size_t i;

	json_array_foreach(json_object_get(n, "cases"), i, c) {
		if (!json_is_false(json_object_get(c, "match")))
			continue;
		json_object_foreach(json_object_get(c, "results"), method, got) {
			const char *want = jstr(json_object_get(c, "expect"), method);

			if (!want || !json_is_string(got) || !strcmp(want, json_string_value(got)))
				continue;
			stage_fail(stage, "%s nowait %s (%s) %s: %s, table says %s", variant, jstr(c, "case"),
				   jstr(c, "layout") ? jstr(c, "layout") : "?", method, json_string_value(got), want);
		}
	}
}

static bool test_failed(json_t *b, const char *name)
{
	json_t *t;
	size_t i;

	json_array_foreach(jget(b, "result", "tests"), i, t)
		if (!strcmp(jstr(t, "name") ? jstr(t, "name") : "", name) && jstr(t, "status") &&
		    !strcmp(jstr(t, "status"), "fail"))
			return true;
	return false;
}

/*
 * A later round of a variant: the kernel and the workload judged as in
 * round 1; of its checks only the failures round 1 did not have are new.
 */
static void later_round(json_t *b, json_t *first, json_t *build, const char *variant, int round, json_t *stage,
			json_t *meas)
{
	char *label = xasprintf("%s round %d", variant, round);
	json_t *t;
	size_t i;

	json_decref(judge_boot(b, build, label, stage, true));
	json_array_foreach(jget(b, "result", "tests"), i, t)
		if (jstr(t, "name") && jstr(t, "status") && !strcmp(jstr(t, "status"), "fail") &&
		    !test_failed(first, jstr(t, "name")))
			stage_fail(stage, "%s %s: %s", label, jstr(t, "name"), jstr(t, "detail") ? jstr(t, "detail") : "");
	measurements(b, variant, round, meas);
	free(label);
}

/*
 * The bench boots: round 1 of each variant, then the rounds after it both
 * variants have for the images built now (a round of an older image or
 * without its other half is not one). Returns the number of rounds.
 */
static int bench_rounds(const struct where *w, json_t *builds[2], json_t *dio[2][BOOT_MAX_ROUNDS])
{
	int n = 1;

	for (int v = 0; v < 2; v++)
		dio[v][0] = load_boot(w, variants[v], REPORT_BENCH_WORKLOAD);
	for (; n < BOOT_MAX_ROUNDS; n++) {
		bool usable = true;

		for (int v = 0; v < 2; v++) {
			dio[v][n] = load_round(w, variants[v], REPORT_BENCH_WORKLOAD, n + 1);
			usable &= dio[v][n] && (!builds[v] || !jstr(builds[v], "image_hash") ||
						!strcmp(jstr(builds[v], "image_hash"), jstr(dio[v][n], "image_hash") ?
							jstr(dio[v][n], "image_hash") : ""));
		}
		if (!usable) {
			for (int v = 0; v < 2; v++) {
				json_decref(dio[v][n]);
				dio[v][n] = NULL;
			}
			break;
		}
	}
	return n;
}

/* A busy host during a bench boot (its record's "host"), as a reason. */
static void host_busy(json_t *b, const char *variant, int round, json_t *busy)
{
	json_t *h = json_object_get(b, "host");

	if (json_is_true(json_object_get(h, "busy")))
		add_text(busy, xasprintf("%s round %d: the host was busy: %s", variant, round,
					 jstr(h, "reason") ? jstr(h, "reason") : "no reason recorded"));
}

static json_t *bench_section(json_t *dio[2][BOOT_MAX_ROUNDS], int nrounds, json_t *builds[2], json_t *stage,
			     json_t *tests, json_t *meas, json_t *busy)
{
	json_t *out = json_object(), *rounds = json_array();

	for (int v = 0; v < 2; v++) {
		json_t *b = dio[v][0], *sum;

		json_object_set_new(out, variants[v], judge_boot(b, builds[v], variants[v], stage, true));
		if (!b)
			continue;
		sum = json_object_get(out, variants[v]);
		workload_tests(b, variants[v], tests, stage);
		measurements(b, variants[v], 1, meas);
		json_object_set(sum, "device", jget(b, "result", "device"));
		json_object_set(sum, "settings", jget(b, "result", "settings"));
		json_object_set(sum, "correctness_ext4", jget(b, "result", "correctness_ext4"));
		json_object_set(sum, "correctness_ext3", jget(b, "result", "correctness_ext3"));
		json_object_set_new(sum, "nowait", nowait_summary(jget(b, "result", "nowait")));
		nowait_differences(jget(b, "result", "nowait"), variants[v], stage);
	}
	if (!!dio[0][0] != !!dio[1][0])
		stage_fail(stage, "%s %s: not run", dio[0][0] ? "patched" : "base", REPORT_BENCH_WORKLOAD);
	for (int r = 0; r < nrounds; r++) {
		json_t *row = json_pack("{s:i}", "round", r + 1);

		for (int v = 0; v < 2; v++) {
			json_t *b = dio[v][r];

			if (b && r)
				later_round(b, dio[v][0], builds[v], variants[v], r + 1, stage, meas);
			host_busy(b, variants[v], r + 1, busy);
			json_object_set_new(row, variants[v], !b ? json_null() :
					    json_pack("{s:O?, s:O?, s:O?, s:o, s:O?}", "verdict", json_object_get(b, "verdict"),
						      "workload_status", json_object_get(b, "workload_status"),
						      "seconds", jget(b, "boot", "total_seconds"), "host", opt(b, "host"),
						      "console", json_object_get(b, "console")));
		}
		json_array_append_new(rounds, row);
	}
	json_object_set_new(out, "rounds", rounds);
	return out;
}

/* The tree's revision now, and every result that names another one: stale, a state, not a failure. */
static json_t *staleness(const char *k, json_t *port, json_t *tree)
{
	const char *made_on = jstr(port, "source"), *series = jstr(port, "series");
	struct source_rev now = { 0 };
	git_repository *repo = NULL;
	struct kernel_desc kd;
	json_t *stale = json_array();
	char *exports = NULL, *yaml = xasprintf("%s/%s.yaml", kernels_dir(), k);
	git_oid base;

	/* a store may hold kernels no YAML describes any more: their tree is not judged */
	memset(&kd, 0, sizeof(kd));
	if (path_exists(yaml) && !kernel_find(k, &kd) && !repo_try_open_tree(k, &repo, &base) &&
	    !repo_tree_revision(repo, &kd, &now) && now.label) {
		json_object_set_new(tree, "revision", json_string(now.label));
		if (made_on)
			add_text(stale, source_stale_text("the port", made_on, now.label, k));
		add_text(stale, source_moved_text(&kd, now.label));
	}
	if (series) {
		char *dir = xasprintf("%s/%s", series, k), *what = xasprintf("the exports in %s", dir);
		const char *ref = now.label ? now.label : made_on;

		exports = export_source(dir);
		if (exports && ref)
			add_text(stale, source_stale_text(what, exports, ref, k));
		free(what);
		free(dir);
	}
	json_object_set_new(tree, "source", made_on ? json_string(made_on) : json_null());
	json_object_set_new(tree, "exports_source", exports ? json_string(exports) : json_null());
	free(exports);
	free(yaml);
	source_rev_free(&now);
	git_repository_free(repo);
	kernel_free(&kd);
	return stale;
}

/*
 * The debug flavour: the port's tip built with debug.config and booted with
 * the bench workload's checks. Any complaint of the kernel fails the stage
 * with its trace; so does a data check. The NOWAIT table is judged by the
 * bench stage (the same commit), so its answers are shown, not judged twice.
 */
static json_t *debug_section(const struct where *w, json_t *port, json_t *stage, json_t *tests)
{
	json_t *build = store_read(w->series, w->kernel, "debug", "build.json");
	json_t *b = load_boot(w, "debug", REPORT_BENCH_WORKLOAD);
	json_t *out = json_object(), *traces = json_array(), *f, *t;
	size_t i;

	json_object_set_new(out, "build", build_variant(build, "debug", jstr(port, "tip"), stage));
	if (build && !b)
		stage_fail(stage, "debug %s: not booted", REPORT_BENCH_WORKLOAD);
	if (b && !build)
		stage_fail(stage, "debug: not built");
	json_object_set_new(out, "boot", judge_boot(b, build, "debug", stage, false));
	json_array_foreach(json_object_get(b, "findings"), i, f)
		json_array_append_new(traces, json_pack("{s:O, s:O, s:O, s:O}", "kind", json_object_get(f, "kind"),
							"line", json_object_get(f, "line"), "text", json_object_get(f, "text"),
							"trace", json_object_get(f, "trace") ? json_object_get(f, "trace") : json_array()));
	json_array_foreach(jget(b, "result", "tests"), i, t) {
		const char *name = jstr(t, "name"), *status = jstr(t, "status");

		json_array_append_new(tests, json_pack("{s:s, s:O, s:O, s:O}", "variant", "debug", "name",
						       json_object_get(t, "name"), "status", json_object_get(t, "status"),
						       "detail", json_object_get(t, "detail")));
		if (status && !strcmp(status, "fail") && name && strcmp(name, "nowait-table"))
			stage_fail(stage, "debug %s: %s", name, jstr(t, "detail") ? jstr(t, "detail") : "");
	}
	json_object_set_new(out, "traces", traces);
	json_object_set_new(out, "nowait", nowait_summary(jget(b, "result", "nowait")));
	json_decref(build);
	json_decref(b);
	return out;
}

/* What one NOWAIT case of the posted kernel did wrong, if anything. */
static json_t *case_defects(json_t *c)
{
	json_t *out = json_array(), *got, *n;
	const char *api, *uring = jstr(json_object_get(c, "results"), "uring");
	bool uring_error = uring && starts_with(uring, "error:");

	if (json_is_false(json_object_get(c, "match")))
		json_object_foreach(json_object_get(c, "results"), api, got) {
			const char *want = jstr(json_object_get(c, "expect"), api);

			if (want && json_is_string(got) && strcmp(want, json_string_value(got)) &&
			    !(uring_error && !strcmp(api, "uring")))
				add_text(out, xasprintf("%s: %s, the table says %s", api, json_string_value(got), want));
		}
	json_object_foreach(json_object_get(c, "eagain_written"), api, n)
		if (json_integer_value(n) > 0)
			add_text(out, xasprintf("%s: EAGAIN after %lld bytes of the write were written", api,
						(long long)json_integer_value(n)));
	/* a plain io_uring write is retried from io-wq on EAGAIN: an error in its CQE reaches the application */
	if (uring_error)
		add_text(out, xasprintf("uring: %s in the completion instead of the write punted to io-wq", uring));
	if (jstr(c, "data") && !strcmp(jstr(c, "data"), "bad"))
		add_text(out, xstrdup("data read back wrong"));
	return out;
}

/*
 * The posted boot's result as evidence: every NOWAIT case with a defect
 * (its reproducer: case, layout, the write), every other failed check.
 */
static json_t *posted_evidence(json_t *result)
{
	json_t *out = json_array(), *c, *t;
	size_t i;

	json_array_foreach(jget(result, "nowait", "cases"), i, c) {
		json_t *defects = case_defects(c);

		if (!json_array_size(defects)) {
			json_decref(defects);
			continue;
		}
		json_array_append_new(out, json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:o}",
						     "case", json_object_get(c, "case"), "layout", json_object_get(c, "layout"),
						     "write", json_object_get(c, "write"),
						     "results", json_object_get(c, "results"), "expect", json_object_get(c, "expect"),
						     "eagain_written", json_object_get(c, "eagain_written"),
						     "defects", defects));
	}
	/* the NOWAIT table's failure is the cases above */
	json_array_foreach(json_object_get(result, "tests"), i, t)
		if (jstr(t, "name") && strcmp(jstr(t, "name"), "nowait-table") && jstr(t, "status") &&
		    !strcmp(jstr(t, "status"), "fail"))
			json_array_append_new(out, json_pack("{s:s, s:[s]}", "test", jstr(t, "name"), "defects",
							     jstr(t, "detail") ? jstr(t, "detail") : "failed"));
	return out;
}

/*
 * The series as posted, when the port carries local fixes on top: its
 * kernel booted with the checks of the bench workload. What it does wrong
 * is evidence of the defect the local fixes carry a fix for, not a failure
 * of this kernel; the stage fails only when that boot could not run (not
 * built, not booted, a stale result, the checks cut short).
 */
static json_t *posted_section(const struct where *w, json_t *port, json_t *stage)
{
	const char *posted = jstr(port, "posted"), *tip = jstr(port, "tip");
	json_t *fixes = local_fixes(port), *out, *build, *b, *evidence, *f;
	struct strbuf subjects = STRBUF_INIT;
	const char *status;
	bool ran;
	size_t i;

	out = json_pack("{s:o, s:o, s:o}", "commit", results_str(posted), "local_fixes", fixes, "evidence", json_array());
	if (!port)
		return out;
	if (!posted || !tip || !strcmp(posted, tip) || !json_array_size(fixes)) {
		json_object_set_new(out, "note", json_string("no local fixes: patched is the series as posted"));
		stage_set(stage, "pass");
		return out;
	}
	build = store_read(w->series, w->kernel, "posted", "build.json");
	b = load_boot(w, "posted", REPORT_BENCH_WORKLOAD);
	json_object_set_new(out, "build", build_variant(build, "posted", posted, stage));
	json_object_set_new(out, "boot", b ? boot_summary(b) : json_null());
	if (build && !b)
		stage_fail(stage, "posted %s: not booted", REPORT_BENCH_WORKLOAD);
	if (b && !build)
		stage_fail(stage, "posted: not built");
	if (b) {
		status = jstr(b, "workload_status");
		/* done or failed: the checks ran to their end and said what they found */
		ran = status && (!strcmp(status, "done") || !strcmp(status, "failed")) &&
		      json_is_object(json_object_get(b, "result"));
		stale_image(b, build, "posted " REPORT_BENCH_WORKLOAD, stage);
		if (!ran)
			stage_fail(stage, "posted %s: the checks did not run to their end: workload %s, kernel verdict %s",
				   REPORT_BENCH_WORKLOAD, status ? status : "unknown",
				   jstr(b, "verdict") ? jstr(b, "verdict") : "unknown");
		evidence = posted_evidence(json_object_get(b, "result"));
		json_object_set_new(out, "evidence", evidence);
		json_object_set_new(out, "tests", opt(json_object_get(b, "result"), "tests"));
		json_array_foreach(fixes, i, f)
			sb_addf(&subjects, "%s%s", i ? "; " : "", jstr(f, "subject") ? jstr(f, "subject") : "?");
		if (!ran)
			json_object_set_new(out, "note",
					    json_string("the checks of the series as posted did not run to their end"));
		else if (json_array_size(evidence))
			json_object_set_new(out, "note", json_sprintf("defect in the series as posted, carried fix: %s",
								       subjects.buf));
		else
			json_object_set_new(out, "note", json_sprintf("no defect shown by the series as posted; "
								       "local fixes carried: %s", subjects.buf));
		stage_set(stage, "pass");
	}
	sb_release(&subjects);
	json_decref(build);
	json_decref(b);
	return out;
}

/* fail, else incomplete (a stage not run), else disturbed (run the bench again), else pass. */
static const char *kernel_verdict(json_t *stages)
{
	const char *verdict = "pass";

	for (int s = 0; s < RS_NR; s++) {
		const char *st = jstr(json_object_get(stages, stage_names[s]), "status");

		if (!strcmp(st, "fail"))
			return "fail";
		if (!strcmp(st, "disturbed") && !strcmp(verdict, "pass"))
			verdict = "disturbed";
		else if (strcmp(st, "pass") && strcmp(st, "disturbed"))
			verdict = "incomplete";
	}
	return verdict;
}

static json_t *kernel_record(const char *series, const char *k)
{
	const struct where where = { series, k }, *w = &where;
	json_t *port = store_read(series, k, STORE_PORT, "port.json"), *matrix = store_read(series, k, NULL, "matrix.json");
	json_t *stages = json_object(), *builds[2] = { NULL }, *smoke[2] = { NULL }, *dio[2][BOOT_MAX_ROUNDS] = { { NULL } };
	json_t *tests = json_array(), *meas = json_array(), *ref = reference_for(port), *rec, *boot, *bench;
	json_t *busy = json_array();
	char *port_file = store_port_file(series, k, "port.json");
	int nrounds;

	for (int s = 0; s < RS_NR; s++)
		json_object_set_new(stages, stage_names[s], stage_new());
	if (port)
		json_object_set_new(port, "file", json_string(port_file));
	/* a field port.json lacks is null, never a record lost */
	rec = json_pack("{s:s, s:s, s:{s:s, s:O?, s:O?, s:O?, s:O?}}", "kernel", k, "series", series, "tree", "name", k,
			"series", json_object_get(port, "series"), "branch", json_object_get(port, "branch"),
			"base", json_object_get(port, "base"), "tip", json_object_get(port, "tip"));
	json_object_set_new(rec, "stale", staleness(k, port, json_object_get(rec, "tree")));
	json_object_set_new(rec, "port", port ? port_section(port, json_object_get(stages, "port")) : json_null());
	json_object_set_new(rec, "build", build_section(w, port, json_object_get(stages, "build"), builds));
	boot = boot_section(w, REPORT_BOOT_WORKLOAD, json_object_get(stages, "boot"), builds, smoke);
	json_object_set_new(rec, "boot", boot);
	nrounds = bench_rounds(w, builds, dio);
	bench = bench_section(dio, nrounds, builds, json_object_get(stages, "bench"), tests, meas, busy);
	json_object_set_new(rec, "bench", bench);
	json_object_set_new(rec, "comparisons", comparisons(meas, ref, json_object_get(stages, "bench"), nrounds, busy,
							json_number_value(jget(json_object_get(bench, "base"), "device",
									       "latency_us"))));
	json_object_set_new(rec, "debug", debug_section(w, port, json_object_get(stages, "debug"), tests));
	json_object_set_new(rec, "posted", posted_section(w, port, json_object_get(stages, "posted")));
	json_object_set_new(rec, "tests", tests);
	json_object_set_new(rec, "measurements", meas);
	json_object_set_new(rec, "reference", ref ? ref : json_null());
	step_failures(matrix, stages);
	json_object_set_new(rec, "steps", matrix ? json_incref(json_object_get(matrix, "steps")) : json_array());
	json_object_set_new(rec, "stages", stages);
	json_object_set_new(rec, "verdict", json_string(kernel_verdict(stages)));
	for (int v = 0; v < 2; v++) {
		json_decref(builds[v]);
		json_decref(smoke[v]);
		for (int r = 0; r < nrounds; r++)
			json_decref(dio[v][r]);
	}
	json_decref(busy);
	json_decref(port);
	json_decref(matrix);
	free(port_file);
	return rec;
}

json_t *report_collect(const struct strvec *series, const struct strvec *kernels)
{
	struct strvec all = STRVEC_INIT;
	const struct strvec *ss = series && series->n ? series : &all;
	json_t *list = json_array();
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (ss == &all)
		store_series(&all);
	for (size_t i = 0; i < ss->n; i++) {
		struct strvec found = STRVEC_INIT;
		const struct strvec *ks = kernels && kernels->n ? kernels : &found;

		if (ks == &found)
			store_kernels(ss->v[i], &found);
		for (size_t j = 0; j < ks->n; j++)
			json_array_append_new(list, kernel_record(ss->v[i], ks->v[j]));
		sv_release(&found);
	}
	sv_release(&all);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:s, s:s, s:s, s:o}", "schema", "kbackport-report/1", "generated", when, "work", work_dir(),
			 "kernels", list);
}

int report_exit_code(json_t *doc, unsigned stages)
{
	bool disturbed = false;
	int worst = RS_NR;
	json_t *k;
	size_t i;

	if (!json_array_size(json_object_get(doc, "kernels")))
		return KB_EXIT_FAIL;
	json_array_foreach(json_object_get(doc, "kernels"), i, k)
		for (int s = 0; s < RS_NR; s++) {
			const char *st = jstr(jget(k, "stages", stage_names[s]), "status");

			if (!(stages & (1u << s)) || !strcmp(st, "pass"))
				continue;
			if (!strcmp(st, "disturbed"))
				disturbed = true;
			else if (s < worst)
				worst = s;
		}
	/* disturbed is no pass, and no failure either: a pipeline runs the bench again */
	return worst < RS_NR ? stage_exit[worst] : disturbed ? KB_EXIT_DISTURBED : 0;
}

/* ---- output ------------------------------------------------------------------ */

void report_names(const char *list, struct strvec *out)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (*t && !sv_contains(out, t))
			sv_push(out, t);
	free(copy);
}

/* ---- the table ---------------------------------------------------------------- */

const char *report_mark(const char *status)
{
	if (!strcmp(status, "pass"))
		return "✔";
	if (!strcmp(status, "fail"))
		return "✘";
	if (!strcmp(status, "disturbed"))
		return "≈";
	if (!strcmp(status, "not-run") || !strcmp(status, "incomplete"))
		return "·";
	return "";
}

static void add_count(struct strbuf *sb, json_t *counts, const char *key, const char *label)
{
	json_int_t n = json_integer_value(json_object_get(counts, key));

	if (n)
		sb_addf(sb, "%s%lld %s", sb->len ? " " : "", (long long)n, label);
}

static char *port_text(json_t *port)
{
	static const char *const keys[][2] = { { "clean", "clean" }, { "fuzzy", "fuzzy" }, { "adapted", "adapted" },
					       { "already-present", "present" }, { "skipped", "skipped" },
					       { "conflict", "conflict" } };
	struct strbuf sb = STRBUF_INIT;

	size_t local = json_array_size(json_object_get(port, "local_fixes"));

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		add_count(&sb, json_object_get(port, "counts"), keys[i][0], keys[i][1]);
	if (local)
		sb_addf(&sb, " +%zu local fix%s", local, local == 1 ? "" : "es");
	return sb_detach(&sb);
}

static char *prereq_text(json_t *port)
{
	static const char *const keys[] = { "ported", "present", "skipped", "missing" };
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		add_count(&sb, json_object_get(port, "prereq_counts"), keys[i], keys[i]);
	if (!sb.len && json_is_object(port))
		sb_adds(&sb, "none");
	return sb_detach(&sb);
}

static char *build_text(json_t *build)
{
	json_t *cp = json_object_get(build, "checkpatch");

	if (!json_object_get(build, "new_warnings"))
		return xstrdup("");
	return xasprintf("%zu new warn, vendor %s, checkpatch %lldE/%lldW",
			 json_array_size(json_object_get(build, "new_warnings")),
			 json_object_get(build, "vendor_check") ?
				 (json_array_size(jget(build, "vendor_check", "new_warnings")) ? "new warn" : "0 new") : "-",
			 (long long)json_integer_value(json_object_get(cp, "errors")),
			 (long long)json_integer_value(json_object_get(cp, "warnings")));
}

static char *verdicts_text(json_t *section)
{
	const char *b = jstr(json_object_get(section, "base"), "verdict");
	const char *p = jstr(json_object_get(section, "patched"), "verdict");

	if (!b && !p)
		return xstrdup("");
	return xasprintf("%s/%s", b ? b : "-", p ? p : "-");
}

/*
 * pass/fail/not-run of base and patched tests whose name starts with prefix,
 * and counts; a known failure (expect/known-*) is counted apart, not run.
 */
static const char *tests_status(json_t *tests, const char *prefix, int *nfail, int *nrun, int *nknown)
{
	json_t *t;
	size_t i;

	*nfail = *nrun = *nknown = 0;
	json_array_foreach(tests, i, t) {
		/* the debug kernel's checks have a column of their own */
		if (!starts_with(jstr(t, "name"), prefix) || !strcmp(jstr(t, "status"), "skip") ||
		    (jstr(t, "variant") && !strcmp(jstr(t, "variant"), "debug")))
			continue;
		if (!strcmp(jstr(t, "status"), "known")) {
			(*nknown)++;
			continue;
		}
		(*nrun)++;
		*nfail += !strcmp(jstr(t, "status"), "fail");
	}
	return !*nrun ? "not-run" : *nfail ? "fail" : "pass";
}

/* The sum of a counter over both variants' objects a.b. */
static double bench_sum(json_t *bench, const char *a, const char *b)
{
	double n = 0;

	for (int v = 0; v < 2; v++)
		n += json_number_value(jget(json_object_get(bench, variants[v]), a, b));
	return n;
}

static void cell(struct report_cell *c, const char *column, const char *status, char *text)
{
	snprintf(c->column, sizeof(c->column), "%s", column);
	c->status = status;
	c->text = text;
}

/* The median ratio, marked by its verdict (pass, fail, disturbed, info). */
static void ratio_cell(struct report_cell *c, json_t *cmp)
{
	json_t *ratio = json_object_get(cmp, "ratio");
	const char *verdict = jstr(cmp, "verdict");
	char col[sizeof(c->column)];

	snprintf(col, sizeof(col), "%s@%lldj", jstr(cmp, "test"), (long long)json_integer_value(json_object_get(cmp, "jobs")));
	if (!json_is_number(ratio))
		cell(c, col, "not-run", xstrdup(""));
	else
		cell(c, col, verdict && !strcmp(verdict, "disturbed") ? "disturbed" : verdict && !strcmp(verdict, "fail") ?
		     "fail" : verdict && !strcmp(verdict, "pass") ? "pass" : "info",
		     xasprintf("%.2fx", json_number_value(ratio)));
}

/* The series as posted: what its boot showed, or why there is none to show. */
static char *posted_text(json_t *posted, const char *status)
{
	size_t n = json_array_size(json_object_get(posted, "evidence"));
	json_t *boot = json_object_get(posted, "boot");
	const char *verdict = jstr(boot, "verdict");

	if (!json_array_size(json_object_get(posted, "local_fixes")))
		return xstrdup(json_is_object(posted) && jstr(posted, "note") ? "no local fixes" : "");
	if (!json_is_object(boot))
		return xstrdup("");
	if (strcmp(status, "pass"))
		return xstrdup(verdict && strcmp(verdict, "clean") ? verdict :
			       jstr(boot, "workload_status") ? jstr(boot, "workload_status") : "");
	if (!n)
		return xstrdup("no defect shown");
	return xasprintf("defect: %zu case%s", n, n == 1 ? "" : "s");
}

/* Where the boots ran: "qemu", or e.g. "qemu, lava" when results came from several runners. */
static char *runners_text(json_t *k)
{
	static const char *const sections[] = { "boot", "bench" };
	struct strvec seen = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		for (int v = 0; v < 2; v++) {
			const char *r = jstr(jget(k, sections[i], variants[v]), "runner");

			if (r && !sv_contains(&seen, r)) {
				sv_push(&seen, r);
				sb_addf(&sb, "%s%s", sb.len ? ", " : "", r);
			}
		}
	sv_release(&seen);
	return sb_detach(&sb);
}

/* The debug boot's verdict and what it found: "clean", "warn: lockdep". */
static char *debug_text(json_t *debug)
{
	const char *verdict = jstr(json_object_get(debug, "boot"), "verdict");
	struct strbuf sb = STRBUF_INIT;
	json_t *t;
	size_t i;

	if (!verdict)
		return xstrdup("");
	sb_adds(&sb, verdict);
	json_array_foreach(json_object_get(debug, "traces"), i, t)
		sb_addf(&sb, "%s%s", i ? ", " : ": ", jstr(t, "kind"));
	return sb_detach(&sb);
}

/* The version the tree is at ("6.1.192-3"), marked when a result names another. */
static char *revision_text(json_t *k)
{
	const char *label = jstr(json_object_get(k, "tree"), "revision");

	if (!label)
		label = jstr(json_object_get(k, "tree"), "source");
	if (!label)
		return xstrdup("");
	return xasprintf("%s%s", source_label_version(label), json_array_size(json_object_get(k, "stale")) ? " (stale)" : "");
}

/* More than one series in the document: rows say which. */
static bool several_series(json_t *doc)
{
	json_t *k;
	size_t i;

	json_array_foreach(json_object_get(doc, "kernels"), i, k)
		if (strcmp(jstr(k, "series"), jstr(json_array_get(json_object_get(doc, "kernels"), 0), "series")))
			return true;
	return false;
}

size_t report_cells(json_t *k, struct report_cell *c)
{
	json_t *stages = json_object_get(k, "stages"), *tests = json_object_get(k, "tests"), *cmp;
	json_t *bench = json_object_get(k, "bench");
	int nfail, nrun, nknown;
	const char *st;
	size_t n = 0, i;

#define STAGE(s) jstr(json_object_get(stages, s), "status")
	cell(&c[n++], "kernel", "info", xstrdup(jstr(k, "kernel")));
	cell(&c[n++], "revision", "info", revision_text(k));
	cell(&c[n++], "patches", STAGE("port"), port_text(json_object_get(k, "port")));
	cell(&c[n++], "prereqs", json_is_null(json_object_get(k, "port")) ? "not-run" : "info",
	     prereq_text(json_object_get(k, "port")));
	cell(&c[n++], "build", STAGE("build"), build_text(json_object_get(k, "build")));
	cell(&c[n++], "boot", STAGE("boot"), verdicts_text(json_object_get(k, "boot")));
	cell(&c[n++], "runner", "info", runners_text(k));
	cell(&c[n++], "dio boot", json_is_null(jget(k, "bench", "base")) && json_is_null(jget(k, "bench", "patched")) ?
	     "not-run" : "info", verdicts_text(json_object_get(k, "bench")));
	st = tests_status(tests, "correctness", &nfail, &nrun, &nknown);
	cell(&c[n++], "correctness", st, nrun ? xasprintf("%.0f mismatches",
		bench_sum(bench, "correctness_ext4", "mismatch_runs") + bench_sum(bench, "correctness_ext3", "mismatch_runs")) :
		xstrdup(""));
	st = tests_status(tests, "nowait", &nfail, &nrun, &nknown);
	cell(&c[n++], "nowait", st, nrun ? xasprintf("%.0f/%.0f agree", bench_sum(bench, "nowait", "compared") -
		bench_sum(bench, "nowait", "mismatches"), bench_sum(bench, "nowait", "compared")) : xstrdup(""));
	tests_status(tests, "", &nfail, &nrun, &nknown);
	cell(&c[n++], "tests", STAGE("bench"), !nrun ? xstrdup("") : nknown ?
	     xasprintf("%d/%d pass, %d known", nrun - nfail, nrun, nknown) : xasprintf("%d/%d pass", nrun - nfail, nrun));
	cell(&c[n++], "debug", STAGE("debug"), debug_text(json_object_get(k, "debug")));
	st = STAGE("posted");
	/* evidence kept is information, not a pass of the series as posted */
	cell(&c[n++], "as posted", !strcmp(st, "pass") && json_object_get(json_object_get(k, "posted"), "boot") ? "info" : st,
	     posted_text(json_object_get(k, "posted"), st));
	json_array_foreach(json_object_get(k, "comparisons"), i, cmp)
		if (n < REPORT_MAX_CELLS - 1)
			ratio_cell(&c[n++], cmp);
	cell(&c[n++], "verdict", jstr(k, "verdict"), xstrdup(jstr(k, "verdict")));
#undef STAGE
	return n;
}

void report_cells_free(struct report_cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].text);
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t column_index(struct strvec *cols, const char *name)
{
	for (size_t i = 0; i < cols->n; i++)
		if (!strcmp(cols->v[i], name))
			return i;
	sv_push(cols, name);
	return cols->n - 1;
}

void report_table(json_t *doc, struct report_table *t)
{
	json_t *kernels = json_object_get(doc, "kernels"), *k;
	size_t i, last;

	memset(t, 0, sizeof(*t));
	t->rows = json_array_size(kernels);
	t->cells = xcalloc(t->rows ? t->rows : 1, sizeof(*t->cells));
	json_array_foreach(kernels, i, k) {
		struct report_cell c[REPORT_MAX_CELLS];
		size_t n = 0;

		if (several_series(doc))
			cell(&c[n++], "series", "info", xstrdup(jstr(k, "series")));
		n += report_cells(k, c + n);

		for (size_t j = 0; j < n; j++) {
			size_t col = column_index(&t->columns, c[j].column);

			if (col < REPORT_MAX_CELLS && !t->cells[i][col].text)
				t->cells[i][col] = c[j];
			else
				free(c[j].text);
		}
	}
	/* the verdict last, after every kernel's comparisons */
	last = column_index(&t->columns, "verdict");
	for (i = 0; i < t->rows; i++) {
		struct report_cell v = t->cells[i][last];

		memmove(&t->cells[i][last], &t->cells[i][last + 1], (t->columns.n - last - 1) * sizeof(v));
		t->cells[i][t->columns.n - 1] = v;
	}
	free(t->columns.v[last]);
	memmove(&t->columns.v[last], &t->columns.v[last + 1], (t->columns.n - last - 1) * sizeof(char *));
	t->columns.v[t->columns.n - 1] = xstrdup("verdict");
}

void report_table_free(struct report_table *t)
{
	for (size_t i = 0; i < t->rows; i++)
		report_cells_free(t->cells[i], t->columns.n < REPORT_MAX_CELLS ? t->columns.n : REPORT_MAX_CELLS);
	free(t->cells);
	sv_release(&t->columns);
}
