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
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "port/export.h"
#include "lib/kernel.h"
#include "git/repo.h"
#include "lib/store.h"
#include "git/source.h"

static const char *const stage_names[RS_NR] = { "port", "build", "boot", "bench", "debug" };
static const int stage_exit[RS_NR] = { KB_EXIT_CONFLICT, KB_EXIT_BUILD, KB_EXIT_BOOT, KB_EXIT_TEST, KB_EXIT_TEST };
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

/* <variant>/<workload>.json of a kernel. */
static json_t *load_boot(const struct where *w, const char *variant, const char *workload)
{
	char *name = xasprintf("%s.json", workload);
	json_t *o = store_read(w->series, w->kernel, variant, name);

	free(name);
	return o;
}

/* One stage of a kernel: status and the reasons for a ✘. */
static json_t *stage_new(void)
{
	return json_pack("{s:s, s:[]}", "status", "not-run", "reasons");
}

static void stage_set(json_t *stage, const char *status)
{
	const char *now = jstr(stage, "status");

	/* fail sticks: a later pass of another part does not undo it */
	if (!strcmp(now, "fail"))
		return;
	json_object_set_new(stage, "status", json_string(status));
}

__attribute__((format(printf, 2, 3))) static void stage_fail(json_t *stage, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	json_object_set_new(stage, "status", json_string("fail"));
	json_array_append_new(json_object_get(stage, "reasons"), json_string(s));
	free(s);
}

/* ---- port ---------------------------------------------------------------- */

static json_t *count_by(json_t *items, const char *key, bool prereq)
{
	json_t *counts = json_object(), *it;
	size_t i;

	json_array_foreach(items, i, it) {
		const char *v = jstr(it, key);

		if (!v || (json_object_get(it, "prereq") && json_is_true(json_object_get(it, "prereq")) != prereq))
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
		total += !json_is_true(json_object_get(p, "prereq"));
	json_array_foreach(json_object_get(port, "patches"), i, p) {
		const char *status = jstr(p, "status");
		bool prereq = json_is_true(json_object_get(p, "prereq"));

		json_array_append(patches, p);
		if (!status || strcmp(status, "conflict"))
			continue;
		if (prereq)
			stage_fail(stage, "prerequisite %lld conflicts: %s", (long long)json_integer_value(json_object_get(p, "patch")),
				   jstr(p, "subject"));
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
	return json_pack("{s:O, s:o, s:O, s:o, s:o, s:O}", "rej", json_object_get(port, "rej"),
			 "counts", count_by(json_object_get(port, "patches"), "status", false),
			 "prereqs", json_object_get(port, "prereqs"),
			 "prereq_counts", count_by(json_object_get(port, "prereqs"), "state", false),
			 "patches", patches, "file", json_object_get(port, "file"));
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

static json_t *boot_summary(json_t *b)
{
	return json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
			 "runner", jstr(b, "runner") ? jstr(b, "runner") : "qemu",
			 "accelerator", json_object_get(b, "accelerator"), "vcpus", json_object_get(b, "vcpus"),
			 "verdict", json_object_get(b, "verdict"), "workload_status", json_object_get(b, "workload_status"),
			 "image_hash", json_object_get(b, "image_hash"), "seconds", jget(b, "boot", "total_seconds"),
			 "findings", json_object_get(b, "findings"), "console", json_object_get(b, "console"),
			 "console_tail", json_object_get(b, "console_tail") ? json_object_get(b, "console_tail") : json_null(),
			 "result_error", json_object_get(b, "result_error") ? json_object_get(b, "result_error") : json_null());
}

/*
 * A workload's stored boot, judged: the kernel's verdict, the workload's
 * status, the image it booted. Returns the summary, or null when absent.
 */
static json_t *judge_boot(json_t *b, json_t *build, const char *variant, json_t *stage)
{
	const char *verdict = jstr(b, "verdict"), *status = jstr(b, "workload_status");
	const char *w = jget(b, "workload", "name") ? json_string_value(jget(b, "workload", "name")) : "?";
	json_t *f;
	size_t i;

	if (!b)
		return json_null();
	if (build && jstr(b, "image_hash") && jstr(build, "image_hash") &&
	    strcmp(jstr(b, "image_hash"), jstr(build, "image_hash")))
		stage_fail(stage, "%s %s: stale result of another image (%.12s, built %.12s)", variant, w,
			   jstr(b, "image_hash"), jstr(build, "image_hash"));
	if (!verdict || strcmp(verdict, "clean")) {
		stage_fail(stage, "%s %s: kernel verdict %s", variant, w, verdict ? verdict : "unknown");
		json_array_foreach(json_object_get(b, "findings"), i, f)
			if (i < 3)
				stage_fail(stage, "%s %s: console line %d: %s", variant, w,
					   (int)json_integer_value(json_object_get(f, "line")), jstr(f, "text"));
	}
	if (!status || strcmp(status, "done"))
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
		json_object_set_new(out, variants[v], judge_boot(loaded[v], builds[v], variants[v], stage));
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

static void measurements(json_t *b, const char *variant, json_t *out)
{
	const char *test;
	json_t *runs, *r;
	size_t i;

	json_object_foreach(jget(b, "result", "bench"), test, runs)
		json_array_foreach(runs, i, r)
			json_array_append_new(out, json_pack("{s:s, s:s, s:O, s:O, s:s}", "test", test, "variant",
							     variant, "jobs", json_object_get(r, "jobs"),
							     "iops", json_object_get(r, "iops"), "unit", "IOPS"));
}

static double iops_at(json_t *meas, const char *test, const char *variant, json_int_t jobs)
{
	json_t *m;
	size_t i;

	json_array_foreach(meas, i, m)
		if (!strcmp(jstr(m, "test"), test) && !strcmp(jstr(m, "variant"), variant) &&
		    json_integer_value(json_object_get(m, "jobs")) == jobs && json_is_number(json_object_get(m, "iops")))
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

		if (!strcmp(jstr(m, "test"), test) && j > best && iops_at(meas, test, "base", j) > 0 &&
		    iops_at(meas, test, "patched", j) >= 0)
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

static json_t *comparisons(json_t *meas, json_t *ref, json_t *stage)
{
	struct strvec names = STRVEC_INIT;
	json_t *out = json_array();

	test_names(meas, ref, &names);
	for (size_t i = 0; i < names.n; i++) {
		json_int_t jobs = compare_jobs(meas, names.v[i], ref);
		double base = iops_at(meas, names.v[i], "base", jobs);
		double patched = iops_at(meas, names.v[i], "patched", jobs);
		json_t *rt = report_reference_test(ref, names.v[i]);
		double min = json_number_value(json_object_get(rt, "min_ratio"));
		json_t *ratio = base > 0 && patched >= 0 ? json_real(patched / base) : json_null();

		if (base < 0 && patched < 0)
			continue;
		json_array_append_new(out, json_pack("{s:s, s:I, s:o, s:o, s:o, s:o}", "test", names.v[i], "jobs", jobs,
						     "base", base >= 0 ? json_real(base) : json_null(),
						     "patched", patched >= 0 ? json_real(patched) : json_null(), "ratio", ratio,
						     "min_ratio", json_object_get(rt, "min_ratio") ? json_real(min) : json_null()));
		if (json_is_real(ratio) && json_object_get(rt, "min_ratio") && json_real_value(ratio) < min)
			stage_fail(stage, "%s at %lld jobs: patched/base %.2fx, below the expected %.2fx", names.v[i],
				   (long long)jobs, json_real_value(ratio), min);
	}
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

static json_t *bench_section(json_t *dio[2], json_t *builds[2], json_t *stage, json_t *tests, json_t *meas)
{
	json_t *out = json_object();

	for (int v = 0; v < 2; v++) {
		json_object_set_new(out, variants[v], judge_boot(dio[v], builds[v], variants[v], stage));
		if (!dio[v])
			continue;
		workload_tests(dio[v], variants[v], tests, stage);
		measurements(dio[v], variants[v], meas);
		json_object_set(json_object_get(out, variants[v]), "device", jget(dio[v], "result", "device"));
		json_object_set(json_object_get(out, variants[v]), "settings", jget(dio[v], "result", "settings"));
		json_object_set(json_object_get(out, variants[v]), "correctness_ext4", jget(dio[v], "result", "correctness_ext4"));
		json_object_set(json_object_get(out, variants[v]), "correctness_ext3", jget(dio[v], "result", "correctness_ext3"));
		json_object_set_new(json_object_get(out, variants[v]), "nowait", nowait_summary(jget(dio[v], "result", "nowait")));
		nowait_differences(jget(dio[v], "result", "nowait"), variants[v], stage);
	}
	if (!!dio[0] != !!dio[1])
		stage_fail(stage, "%s %s: not run", dio[0] ? "patched" : "base", REPORT_BENCH_WORKLOAD);
	return out;
}

/* Takes text (may be NULL). */
static void add_text(json_t *list, char *text)
{
	if (text)
		json_array_append_new(list, json_string(text));
	free(text);
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
	json_object_set_new(out, "boot", judge_boot(b, build, "debug", stage));
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

static const char *kernel_verdict(json_t *stages)
{
	const char *verdict = "pass";

	for (int s = 0; s < RS_NR; s++) {
		const char *st = jstr(json_object_get(stages, stage_names[s]), "status");

		if (!strcmp(st, "fail"))
			return "fail";
		if (strcmp(st, "pass"))
			verdict = "incomplete";
	}
	return verdict;
}

static json_t *kernel_record(const char *series, const char *k)
{
	const struct where where = { series, k }, *w = &where;
	json_t *port = store_read(series, k, STORE_PORT, "port.json"), *matrix = store_read(series, k, NULL, "matrix.json");
	json_t *stages = json_object(), *builds[2] = { NULL }, *smoke[2] = { NULL }, *dio[2] = { NULL };
	json_t *tests = json_array(), *meas = json_array(), *ref = reference_for(port), *rec, *boot, *bench;
	char *port_file = store_port_file(series, k, "port.json");

	for (int s = 0; s < RS_NR; s++)
		json_object_set_new(stages, stage_names[s], stage_new());
	if (port)
		json_object_set_new(port, "file", json_string(port_file));
	rec = json_pack("{s:s, s:s, s:{s:s, s:O, s:O, s:O, s:O}}", "kernel", k, "series", series, "tree", "name", k,
			"series", port ? json_object_get(port, "series") : json_null(),
			"branch", port ? json_object_get(port, "branch") : json_null(),
			"base", port ? json_object_get(port, "base") : json_null(),
			"tip", port ? json_object_get(port, "tip") : json_null());
	json_object_set_new(rec, "stale", staleness(k, port, json_object_get(rec, "tree")));
	json_object_set_new(rec, "port", port ? port_section(port, json_object_get(stages, "port")) : json_null());
	json_object_set_new(rec, "build", build_section(w, port, json_object_get(stages, "build"), builds));
	boot = boot_section(w, REPORT_BOOT_WORKLOAD, json_object_get(stages, "boot"), builds, smoke);
	json_object_set_new(rec, "boot", boot);
	for (int v = 0; v < 2; v++)
		dio[v] = load_boot(w, variants[v], REPORT_BENCH_WORKLOAD);
	bench = bench_section(dio, builds, json_object_get(stages, "bench"), tests, meas);
	json_object_set_new(rec, "bench", bench);
	json_object_set_new(rec, "comparisons", comparisons(meas, ref, json_object_get(stages, "bench")));
	json_object_set_new(rec, "debug", debug_section(w, port, json_object_get(stages, "debug"), tests));
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
		json_decref(dio[v]);
	}
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
	int worst = RS_NR;
	json_t *k;
	size_t i;

	if (!json_array_size(json_object_get(doc, "kernels")))
		return KB_EXIT_FAIL;
	json_array_foreach(json_object_get(doc, "kernels"), i, k)
		for (int s = 0; s < worst; s++)
			if ((stages & (1u << s)) && strcmp(jstr(jget(k, "stages", stage_names[s]), "status"), "pass"))
				worst = s;
	return worst == RS_NR ? 0 : stage_exit[worst];
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

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		add_count(&sb, json_object_get(port, "counts"), keys[i][0], keys[i][1]);
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

/* pass/fail/not-run of the tests whose name starts with prefix, and a count. */
static const char *tests_status(json_t *tests, const char *prefix, int *nfail, int *nrun)
{
	json_t *t;
	size_t i;

	*nfail = *nrun = 0;
	json_array_foreach(tests, i, t) {
		if (!starts_with(jstr(t, "name"), prefix) || !strcmp(jstr(t, "status"), "skip"))
			continue;
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

static void ratio_cell(struct report_cell *c, json_t *cmp)
{
	json_t *ratio = json_object_get(cmp, "ratio"), *min = json_object_get(cmp, "min_ratio");
	char col[sizeof(c->column)];

	snprintf(col, sizeof(col), "%s@%lldj", jstr(cmp, "test"), (long long)json_integer_value(json_object_get(cmp, "jobs")));
	if (!json_is_number(ratio))
		cell(c, col, "not-run", xstrdup(""));
	else
		cell(c, col, json_is_number(min) ? json_number_value(ratio) < json_number_value(min) ? "fail" : "pass" : "info",
		     xasprintf("%.2fx", json_number_value(ratio)));
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
	int nfail, nrun;
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
	st = tests_status(tests, "correctness", &nfail, &nrun);
	cell(&c[n++], "correctness", st, nrun ? xasprintf("%.0f mismatches",
		bench_sum(bench, "correctness_ext4", "mismatch_runs") + bench_sum(bench, "correctness_ext3", "mismatch_runs")) :
		xstrdup(""));
	st = tests_status(tests, "nowait", &nfail, &nrun);
	cell(&c[n++], "nowait", st, nrun ? xasprintf("%.0f/%.0f agree", bench_sum(bench, "nowait", "compared") -
		bench_sum(bench, "nowait", "mismatches"), bench_sum(bench, "nowait", "compared")) : xstrdup(""));
	tests_status(tests, "", &nfail, &nrun);
	cell(&c[n++], "tests", STAGE("bench"), nrun ? xasprintf("%d/%d pass", nrun - nfail, nrun) : xstrdup(""));
	cell(&c[n++], "debug", STAGE("debug"), debug_text(json_object_get(k, "debug")));
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
