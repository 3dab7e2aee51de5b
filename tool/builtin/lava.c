// SPDX-License-Identifier: GPL-2.0
/*
 * kbackport lava <kernel> [--variant base|patched|posted|debug] [--workload W] [--append ARGS] [--lab PROFILE]
 *                [--series DIR] [-o job.yaml] [--validate] [--run-local | --submit URL [--wait]]
 *
 * Writes a LAVA job that boots the variant's image with the guest
 * initramfs and runs the workload through LAVA's test shell, each case
 * reported with lava-test-case. --run-local runs it with lava-run on a
 * QEMU device rendered from lava-server's device-type templates;
 * --submit posts it to a LAVA server. Either way LAVA's log comes back
 * into <work>/results/<kernel>/<variant>/<workload>.json, judged as
 * kbackport boot judges a console, with "runner": "lava".
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin/builtin.h"
#include "boot/guest.h"
#include "lib/kernel.h"
#include "boot/lava.h"
#include "boot/qemu.h"
#include "boot/record.h"
#include "lib/store.h"
#include "lib/run.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	{ "variant", 'v', 0, "base|patched|posted|debug", "what to boot (default: base)" },
	{ "workload", 'w', 0, "NAME|FILE", "a workload of tool/guest/workloads/ or a shell script (default: smoke)" },
	{ "append", 'a', 0, "'ARGS'", "more kernel arguments; NAME=value ones reach the workload's environment" },
	{ "lab", 'l', 0, "PROFILE", "kernels/labs/<PROFILE>.yaml or a file (default: qemu)" },
	{ "series", 'S', 0, "DIR", "the series results are kept under (default: the only one in backports/)" },
	{ "output", 'o', 'o', "job.yaml", "write the job there (default: stdout and the results directory)" },
	{ "validate", 'V', 0, NULL, "only write the job and check it with LAVA's schema" },
	{ "run-local", 'r', 0, NULL, "run the job here with lava-run on a QEMU device" },
	{ "submit", 's', 0, "URL", "submit the job to the LAVA server at URL" },
	{ "wait", 'W', 0, NULL, "with --submit: wait for the job to finish and import its log" },
	{ "token-file", 't', 0, "F", "the server's token, in a file of mode 0600 (or KBACKPORT_LAVA_TOKEN)" },
	{ NULL },
};

const struct kb_usage usage_lava = {
	.name = "lava",
	.summary = "write, run or submit a LAVA job",
	.forms = (const char *const[]){
		"lava <kernel> [{variant}] [{workload}] [{append}] [{lab}] [{series}] [{-o}] [{validate}] "
		"[{run-local} | {submit} [{wait}] [{token-file}]]",
		NULL,
	},
	.options = options,
	.text = "Writes a LAVA job: deploy the variant's bzImage and the guest initramfs\n"
		"(file:// URLs, or the profile's artifact-url/<kernel>/<variant>/), boot\n"
		"them (the profile's method: qemu, u-boot, grub, ipxe, depthcharge) and run\n"
		"the workload in LAVA's test shell, each case reported with lava-test-case.\n"
		"PROFILE: kernels/labs/<name>.yaml (default qemu) or a file: device type,\n"
		"boot method, timeouts, tags, priority, visibility. Every job is checked\n"
		"with LAVA's own schema (lava_common); without -o it goes to stdout and to\n"
		"work/results/<series>/<kernel>/<variant>/<workload>.lava-job.yaml; --validate\n"
		"only checks.\n"
		"--run-local runs it with lava-run on a QEMU device rendered from lava-server's\n"
		"device-type templates (KBACKPORT_LAVA_DEVICE_TYPES overrides where they are);\n"
		"--submit posts it to a LAVA server (REST API v0.2; token from\n"
		"KBACKPORT_LAVA_TOKEN or a mode 0600 file: --token-file, KBACKPORT_LAVA_TOKEN_FILE),\n"
		"--wait polls until it finishes (every KBACKPORT_LAVA_POLL s, default 10).\n"
		"Both import LAVA's log into <workload>.json as kbackport boot writes it, with\n"
		"\"runner\": \"lava\"; exit codes as for boot.",
};

/* The workload's scratch virtio disk, as kbackport boot gives it. */
#define SCRATCH_MIB 256

struct lava_cmd {
	struct kernel_desc k;
	const char *variant;
	struct guest_workload w;
	struct lava_lab lab;
	const char *out;
	const char *submit;
	const char *token_file;
	bool validate, run_local, wait;
	char *prefix;
	char *series;		/* the series name results are kept under */
	char *series_dir;	/* its directory: the expectation tables the image carries */
	char *dir;
	json_t *build;
	char *initrd;
	char *scratch;
	char *append;
	const char *extra;	/* --append: kernel arguments for the workload */
	char *job_path;
	char *yaml;
	char *accel;
};

static const char *build_str(const struct lava_cmd *c, const char *key)
{
	return json_string_value(json_object_get(c->build, key));
}

/* file:// for a local run, else where the lab serves our artifacts. */
static char *artifact_url(const struct lava_cmd *c, const char *path)
{
	char *abs, *url;

	if (c->lab.artifact_url)
		return xasprintf("%s/%s/%s/%s", c->lab.artifact_url, c->k.name, c->variant, path_basename(path));
	abs = realpath(path, NULL);
	url = xasprintf("file://%s", abs ? abs : path);
	free(abs);
	return url;
}

static int make_job(struct lava_cmd *c)
{
	bool qemu = !strcmp(c->lab.boot_method, "qemu");
	char *cpio = xasprintf("%s/usr/gen_init_cpio", build_str(c, "build_dir"));
	char *kernel_url = NULL, *ramdisk_url = NULL, *scratch_url = NULL, *name = NULL;
	struct lava_job j = { 0 };
	bool cached;
	int ret = -1;

	if (guest_image(cpio, &c->w, c->series_dir, &c->initrd, &cached))
		goto out;
	c->append = xasprintf("%skb.lava=1 " GUEST_CMDLINE_KERNEL "%s " GUEST_CMDLINE_VARIANT "%s%s%s",
			      qemu ? "console=ttyS0,115200 " : "", c->k.name, c->variant, c->extra ? " " : "",
			      c->extra ? c->extra : "");
	if (qemu) {
		c->scratch = xasprintf("%s/%s.lava-scratch.img", c->dir, c->w.name);
		if (qemu_scratch_disk(c->scratch, SCRATCH_MIB))
			goto out;
		scratch_url = artifact_url(c, c->scratch);
	}
	kernel_url = artifact_url(c, build_str(c, "image"));
	ramdisk_url = artifact_url(c, c->initrd);
	name = xasprintf("kbackport %s %s %s", c->k.name, c->variant, c->w.name);
	j.name = name;
	j.kernel_url = kernel_url;
	j.ramdisk_url = ramdisk_url;
	j.scratch_url = scratch_url;
	j.append = c->append;
	j.workload = c->w.name;
	j.lab = &c->lab;
	c->yaml = lava_job_yaml(&j);
	ret = c->yaml ? 0 : -1;
out:
	free(cpio);
	free(kernel_url);
	free(ramdisk_url);
	free(scratch_url);
	free(name);
	return ret;
}

/*
 * Every job is checked with LAVA's schema, so it is written to a file
 * first: -o, else the results directory; stdout gets it when nothing
 * else is asked for.
 */
static int write_job(struct lava_cmd *c)
{
	bool to_stdout = !c->out && !c->run_local && !c->submit && !c->validate;

	c->job_path = c->out ? xstrdup(c->out) : xasprintf("%s/%s.lava-job.yaml", c->dir, c->w.name);
	if (write_file_atomic(c->job_path, c->yaml, strlen(c->yaml)))
		return -1;
	if (lava_validate(c->job_path, c->lab.file))
		return -1;
	fprintf(to_stdout ? stderr : stdout, "%s: LAVA job %s (passes LAVA's job schema)\n", c->prefix,
		c->job_path);
	if (to_stdout)
		fputs(c->yaml, stdout);
	return 0;
}

/* ---- LAVA's answer into our result ---------------------------------------------- */

struct lava_source {
	const char *where;	/* "lava-run" or the server URL */
	long job_id;
	const char *health;	/* the server's; NULL for lava-run */
	bool timed_out;
	const char *log;	/* LAVA's log as stored here */
};

static bool lava_timed_out(const struct lava_log *log)
{
	return log->job_error && strstr(log->job_error, "timed out");
}

static json_t *result_json(const struct lava_cmd *c, const struct lava_source *s, const struct lava_log *log,
			   const struct console_report *r, enum verdict v, const char *console)
{
	struct boot_record rec = {
		.runner = "lava", .kernel = c->k.name, .variant = c->variant, .build = c->build, .initrd = c->initrd,
		.w = &c->w, .accel = c->accel,
		.accel_why = c->accel ? "kbackport boot's probe, given to the rendered LAVA device" : NULL,
		.vcpus = c->k.qemu_smp, .memory_mib = c->k.qemu_memory, .timeout = c->lab.job_minutes * 60.0,
		.kernel_args = c->append, .verdict = v, .timed_out = s->timed_out || lava_timed_out(log),
		.init_seconds = -1, .workload_seconds = -1, .total_seconds = -1,
		.console = r, .console_path = console, .extra_name = "lava",
		.extra = json_pack("{s:s, s:I, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "where", s->where,
				   "job_id", (json_int_t)s->job_id, "job_result", results_str(log->job_result),
				   "lab", c->lab.name, "device_type", c->lab.device_type, "definition", c->job_path,
				   "error", results_str(log->job_error), "health", results_str(s->health),
				   "cases", lava_cases_json(log), "log", s->log),
	};

	return boot_record_json(&rec);
}

static void print_cases(const struct lava_cmd *c, const struct lava_log *log)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < log->ncases; i++)
		if (strcmp(log->cases[i].suite, "lava"))
			sb_addf(&sb, "%s%s %s", sb.len ? ", " : "", log->cases[i].name, log->cases[i].result);
	printf("%s: LAVA test cases: %s\n", c->prefix, sb.len ? sb.buf : "none");
	sb_release(&sb);
}

static int exit_code(enum verdict v, const char *status, const struct lava_log *log)
{
	if (v != V_CLEAN)
		return KB_EXIT_BOOT;
	if (strcmp(status, "done"))
		return KB_EXIT_TEST;
	/* Clean console, but LAVA itself failed the job (e.g. its test shell never ran). */
	return log->job_result && !strcmp(log->job_result, "pass") ? 0 : KB_EXIT_BOOT;
}

/* LAVA's log (lava-run's or the server's) into <workload>.json. */
static int import_log(struct lava_cmd *c, const struct lava_source *s, const char *text)
{
	char *console = xasprintf("%s/%s.lava-console.log", c->dir, c->w.name);
	char *json_path = xasprintf("%s/%s.json", c->dir, c->w.name);
	struct console_report r = { 0 };
	struct lava_log log;
	json_t *obj = NULL;
	enum verdict v;
	int ret = -1;

	lava_log_parse(text, &log);
	if (write_file_atomic(console, log.console.buf, log.console.len))
		goto out;
	console_parse(log.console.buf, &r);
	v = console_verdict(&r, s->timed_out || lava_timed_out(&log));
	obj = result_json(c, s, &log, &r, v, console);
	if (results_write(json_path, obj))
		goto out;
	printf("%s: LAVA job %s%s%s\n", c->prefix, log.job_result ? log.job_result : "without a result",
	       log.job_error ? ": " : "", log.job_error ? log.job_error : "");
	print_cases(c, &log);
	for (size_t i = 0; i < r.nfindings; i++)
		printf("    %s:%zu: [%s] %s\n", path_basename(console), r.findings[i].lineno, r.findings[i].kind,
		       r.findings[i].line);
	printf("%s: workload %s: %s\n", c->prefix, c->w.name, console_workload_status(&r));
	printf("%s: verdict: %s (%s)\n", c->prefix, verdict_name(v), json_path);
	ret = exit_code(v, console_workload_status(&r), &log);
out:
	console_report_free(&r);
	lava_log_free(&log);
	json_decref(obj);
	free(console);
	free(json_path);
	return ret;
}

/* ---- lava-run -------------------------------------------------------------------- */

/* The device dictionary a lab admin would give a QEMU worker, for this kernel's QEMU settings. */
static json_t *device_vars(const struct lava_cmd *c)
{
	bool kvm = !strcmp(c->accel, "kvm");
	json_t *extra = json_array();

	json_array_append_new(extra, json_sprintf("-smp %d", c->k.qemu_smp));
	if (!kvm) {
		json_array_append_new(extra, json_string("-cpu max"));
		json_array_append_new(extra, json_string("-accel tcg,thread=multi"));
	}
	/* virtio: the overlay disk needs no IDE driver in the guest kernel. */
	return json_pack("{s:s, s:i, s:b, s:s, s:o}", "arch", "amd64", "memory", c->k.qemu_memory, "no_kvm", !kvm,
			 "guestfs_interface", "virtio", "extra_options", extra);
}

static int run_local(struct lava_cmd *c)
{
	char *ldir = xasprintf("%s/lava-%s", c->dir, c->w.name), *device = xasprintf("%s/device.yaml", ldir);
	char *outdir = xasprintf("%s/out", ldir), *log_path = xasprintf("%s/%s.lava.log", c->dir, c->w.name);
	char *job_id = xasprintf("%ld", (long)getpid()), *dt_dir = NULL, *why = NULL;
	const char *argv[] = { "lava-run", "--job-id", job_id, "--output-dir", outdir, "--device", device,
			       c->job_path, NULL };
	/* libguestfs builds the overlay disk in an appliance VM: no KVM here. */
	const char *env[] = { "LIBGUESTFS_BACKEND_SETTINGS=force_tcg", NULL };
	struct run_opts o = { .argv = argv, .env = env, .out_path = log_path };
	struct lava_source s = { .where = "lava-run", .log = log_path };
	struct strbuf text = STRBUF_INIT;
	struct run_result r;
	json_t *vars = NULL;
	int ret = -1;

	if (strcmp(c->lab.device_type, "qemu")) {
		error_code(KB_EXIT_USAGE, "--run-local runs QEMU devices; lab '%s' is a '%s'", c->lab.file,
			   c->lab.device_type);
		goto out;
	}
	if (qemu_accel(build_str(c, "image"), &c->accel, &why) || mkdir_p(ldir))
		goto out;
	dt_dir = lava_device_types_dir();
	vars = device_vars(c);
	if (!dt_dir || lava_render_device(dt_dir, "qemu", vars, device))
		goto out;
	o.timeout = c->lab.job_minutes * 60.0 + 60;
	printf("%s: lava-run %s (device from %s/qemu.jinja2, %s), log %s\n", c->prefix, c->job_path, dt_dir,
	       c->accel, log_path);
	fflush(stdout);
	if (run(&o, &r) || read_file(log_path, &text))
		goto out;
	s.job_id = atol(job_id);
	s.timed_out = r.timed_out;
	ret = import_log(c, &s, sb_str(&text));
out:
	if (ret < 0)
		ret = kb_errcode ? kb_errcode : KB_EXIT_BOOT;
	json_decref(vars);
	sb_release(&text);
	free(ldir);
	free(device);
	free(outdir);
	free(log_path);
	free(job_id);
	free(dt_dir);
	free(why);
	return ret;
}

/* ---- a LAVA server ----------------------------------------------------------------- */

static double poll_seconds(void)
{
	const char *s = getenv("KBACKPORT_LAVA_POLL");
	double v = s ? strtod(s, NULL) : 0;

	return v > 0 ? v : 10;
}

static int wait_job(struct lava_cmd *c, const char *url, const char *token, long id)
{
	double deadline = run_now() + c->lab.job_minutes * 60.0 + 3600, pause = poll_seconds();
	char *state = NULL, *health = NULL, *log_path = xasprintf("%s/%s.lava.log", c->dir, c->w.name);
	struct lava_source s = { .where = url, .job_id = id, .log = log_path };
	struct strbuf logs = STRBUF_INIT;
	int ret = -1;

	for (;;) {
		free(state);
		free(health);
		if (lava_job_status(url, token, id, &state, &health))
			goto out;
		if (!strcmp(state, "Finished"))
			break;
		if (run_now() > deadline) {
			error_code(KB_EXIT_BOOT, "LAVA job %ld is still '%s' after %d minutes", id, state,
				   c->lab.job_minutes + 60);
			goto out;
		}
		usleep((useconds_t)(pause * 1e6));
	}
	printf("%s: LAVA job %ld finished, health %s\n", c->prefix, id, health);
	if (lava_job_logs(url, token, id, &logs))
		goto out;
	if (!logs.len) {
		error_code(KB_EXIT_FAIL, "LAVA server '%s' gave an empty log for job %ld", url, id);
		goto out;
	}
	if (write_file_atomic(log_path, logs.buf, logs.len))
		goto out;
	s.health = health;
	ret = import_log(c, &s, logs.buf);
out:
	if (ret < 0)
		ret = kb_errcode ? kb_errcode : KB_EXIT_FAIL;
	sb_release(&logs);
	free(state);
	free(health);
	free(log_path);
	return ret;
}

static int submit(struct lava_cmd *c)
{
	char *token = NULL, *url = xstrdup(c->submit);
	long id;
	int ret;

	while (ends_with(url, "/"))
		url[strlen(url) - 1] = '\0';
	if (lava_token(c->token_file, &token) || lava_submit(url, token, c->yaml, &id)) {
		ret = kb_errcode ? kb_errcode : KB_EXIT_FAIL;
		goto out;
	}
	printf("%s: LAVA job %ld: %s/scheduler/job/%ld\n", c->prefix, id, url, id);
	fflush(stdout);
	ret = c->wait ? wait_job(c, url, token, id) : 0;
out:
	free(token);
	free(url);
	return ret;
}

/* ---- the command --------------------------------------------------------------------- */

static int lava(struct lava_cmd *c)
{
	c->prefix = xasprintf("%s %s", c->k.name, c->variant);
	c->dir = store_results_dir(c->series, c->k.name, c->variant);
	if (!c->dir || !(c->build = results_built(c->dir, c->k.name, c->variant)) || make_job(c) || write_job(c))
		return kb_errcode ? kb_errcode : KB_EXIT_FAIL;
	if (c->run_local)
		return run_local(c);
	if (c->submit)
		return submit(c);
	return 0;
}

static void lava_cmd_free(struct lava_cmd *c)
{
	guest_workload_free(&c->w);
	lava_lab_free(&c->lab);
	kernel_free(&c->k);
	json_decref(c->build);
	free(c->prefix);
	free(c->series);
	free(c->series_dir);
	free(c->dir);
	free(c->initrd);
	free(c->scratch);
	free(c->append);
	free(c->job_path);
	free(c->yaml);
	free(c->accel);
}

int cmd_lava(int argc, char **argv)
{
	struct lava_cmd c = { .variant = "base" };
	const char *workload = "smoke", *lab = "qemu", *series = NULL;
	int opt, ret;

	while ((opt = kb_getopt(argc, argv, &usage_lava)) != -1) {
		switch (opt) {
		case 'v':
			c.variant = optarg;
			break;
		case 'w':
			workload = optarg;
			break;
		case 'l':
			lab = optarg;
			break;
		case 'o':
			c.out = optarg;
			break;
		case 'V':
			c.validate = true;
			break;
		case 'r':
			c.run_local = true;
			break;
		case 's':
			c.submit = optarg;
			break;
		case 'W':
			c.wait = true;
			break;
		case 't':
			c.token_file = optarg;
			break;
		case 'a':
			c.extra = optarg;
			break;
		case 'S':
			series = optarg;
			break;
		default:
			return usage_error(&usage_lava);
		}
	}
	if (optind != argc - 1 || (c.run_local && c.submit) || (c.wait && !c.submit))
		return usage_error(&usage_lava);
	if (!results_variant_known(c.variant)) {
		error("unknown variant '%s' (%s)", c.variant, RESULTS_VARIANTS);
		return KB_EXIT_USAGE;
	}
	if (c.submit && !starts_with(c.submit, "http://") && !starts_with(c.submit, "https://")) {
		error("--submit takes the server's http:// or https:// URL, not '%s'", c.submit);
		return KB_EXIT_USAGE;
	}
	c.series_dir = series ? xstrdup(series) : default_series_dir();
	c.series = store_series_name(c.series_dir);
	if (kernel_find(argv[optind], &c.k)) {
		free(c.series);
		free(c.series_dir);
		return kb_errcode;
	}
	if (lava_lab_load(lab, &c.lab) || guest_workload_find(workload, &c.w))
		ret = kb_errcode;
	else
		ret = lava(&c);
	lava_cmd_free(&c);
	return ret;
}
