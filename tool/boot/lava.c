// SPDX-License-Identifier: GPL-2.0
/*
 * LAVA lab profiles, job definitions, schema validation, device
 * templates, dispatcher logs and the REST API. What LAVA defines (its job
 * schema, its device-type templates) is asked of LAVA's own Python code,
 * run on the interpreter lava-run uses, so the checks are LAVA's and not
 * a copy that drifts.
 */
#define _GNU_SOURCE
#include "boot/lava.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "lib/kernel.h"
#include "lib/run.h"
#include "lib/yaml.h"

/* ---- lab profiles ------------------------------------------------------------ */

static const char *const boot_methods[] = { "qemu", "u-boot", "grub", "ipxe", "depthcharge" };

char *lava_labs_dir(void)
{
	return xasprintf("%s/labs", kernels_dir());
}

static int lab_str(struct yfile *f, yaml_node_t *n, const char *key, char **out)
{
	free(*out);
	*out = NULL;
	return yfile_str(f, n, key, out);
}

static int lab_timeouts(struct yfile *f, yaml_node_t *map, struct lava_lab *lab)
{
	static const char *const keys[] = { "job", "deploy", "boot", "test" };
	int *fields[] = { &lab->job_minutes, &lab->deploy_minutes, &lab->boot_minutes, &lab->test_minutes };
	yaml_node_t *v[ARRAY_SIZE(keys)];

	if (yfile_fields(f, map, "timeouts", keys, ARRAY_SIZE(keys), 0, v))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char *key = xasprintf("timeouts.%s", keys[i]);
		long minutes;
		int ret = v[i] ? yfile_int(f, v[i], key, 1, 24 * 60, &minutes) : 0;

		free(key);
		if (ret)
			return -1;
		if (v[i])
			*fields[i] = (int)minutes;
	}
	return 0;
}

static int lab_url(struct yfile *f, yaml_node_t *n, struct lava_lab *lab)
{
	if (!yfile_scalar(n))	/* null: local file:// URLs */
		return 0;
	if (lab_str(f, n, "artifact-url", &lab->artifact_url))
		return -1;
	if (!starts_with(lab->artifact_url, "http://") && !starts_with(lab->artifact_url, "https://") &&
	    !starts_with(lab->artifact_url, "file://"))
		return yfile_bad(f, n, "'artifact-url' must be an http://, https:// or file:// URL");
	while (ends_with(lab->artifact_url, "/"))
		lab->artifact_url[strlen(lab->artifact_url) - 1] = '\0';
	return 0;
}

static int lab_enum(struct yfile *f, yaml_node_t *n, const char *key, const char *const *choices, size_t nchoices,
		    char **out)
{
	const char *v;

	if (yfile_enum(f, n, key, choices, nchoices, &v))
		return -1;
	free(*out);
	*out = xstrdup(v);
	return 0;
}

static int lab_parse(struct yfile *f, struct lava_lab *lab)
{
	static const char *const keys[] = { "name", "description", "device-type", "boot-method", "deploy-to",
					    "artifact-url", "prompt", "priority", "visibility", "tags", "timeouts" };
	enum { NAME, DESCRIPTION, DEVICE_TYPE, BOOT_METHOD, DEPLOY_TO, ARTIFACT_URL, PROMPT, PRIORITY, VISIBILITY,
	       TAGS, TIMEOUTS };
	static const char *const targets[] = { "tmpfs", "tftp" };
	yaml_node_t *v[ARRAY_SIZE(keys)];
	char *description = NULL;
	int ret;

	/* 1 | 4 | 8: name, device-type and boot-method are required */
	if (yfile_fields(f, yfile_root(f), "", keys, ARRAY_SIZE(keys), 1u | 4u | 8u, v) ||
	    lab_str(f, v[NAME], "name", &lab->name) ||
	    (v[DESCRIPTION] && yfile_str(f, v[DESCRIPTION], "description", &description)) ||
	    lab_str(f, v[DEVICE_TYPE], "device-type", &lab->device_type) ||
	    lab_enum(f, v[BOOT_METHOD], "boot-method", boot_methods, ARRAY_SIZE(boot_methods), &lab->boot_method) ||
	    (v[DEPLOY_TO] && lab_enum(f, v[DEPLOY_TO], "deploy-to", targets, ARRAY_SIZE(targets), &lab->deploy_to)) ||
	    (v[ARTIFACT_URL] && lab_url(f, v[ARTIFACT_URL], lab)) ||
	    (v[PROMPT] && lab_str(f, v[PROMPT], "prompt", &lab->prompt)) ||
	    /* priority and visibility are LAVA's to judge: the job's schema check names a bad one */
	    (v[PRIORITY] && lab_str(f, v[PRIORITY], "priority", &lab->priority)) ||
	    (v[VISIBILITY] && lab_str(f, v[VISIBILITY], "visibility", &lab->visibility)) ||
	    (v[TAGS] && yfile_strlist(f, v[TAGS], "tags", &lab->tags)) ||
	    (v[TIMEOUTS] && lab_timeouts(f, v[TIMEOUTS], lab)))
		ret = -1;
	else
		ret = 0;
	free(description);
	if (!ret && !lab->deploy_to)
		lab->deploy_to = xstrdup(strcmp(lab->boot_method, "qemu") ? "tftp" : "tmpfs");
	return ret;
}

static void lab_defaults(struct lava_lab *lab, const char *path)
{
	memset(lab, 0, sizeof(*lab));
	lab->file = xstrdup(path);
	lab->prompt = xstrdup("kb-lava# ");
	lab->priority = xstrdup("medium");
	lab->visibility = xstrdup("public");
	lab->job_minutes = 30;
	lab->deploy_minutes = 10;
	lab->boot_minutes = 5;
	lab->test_minutes = 15;
}

int lava_lab_load(const char *arg, struct lava_lab *lab)
{
	char *dir = lava_labs_dir();
	char *path = strchr(arg, '/') || ends_with(arg, ".yaml") ? xstrdup(arg) : xasprintf("%s/%s.yaml", dir, arg);
	struct yfile f;
	int ret;

	lab_defaults(lab, path);
	free(dir);
	ret = yfile_load(&f, path, "lab profile");
	if (!ret)
		ret = lab_parse(&f, lab);
	yfile_free(&f);
	free(path);
	if (ret)
		lava_lab_free(lab);
	return ret;
}

void lava_lab_free(struct lava_lab *lab)
{
	free(lab->file);
	free(lab->name);
	free(lab->device_type);
	free(lab->boot_method);
	free(lab->deploy_to);
	free(lab->artifact_url);
	free(lab->prompt);
	free(lab->priority);
	free(lab->visibility);
	sv_release(&lab->tags);
	memset(lab, 0, sizeof(*lab));
}

/* ---- the job definition ----------------------------------------------------- */

/* key: {minutes: N} */
static void out_minutes(struct yaml_out *y, const char *key, int minutes)
{
	yaml_out_str(y, key);
	yaml_out_map(y, true);
	yaml_out_str(y, "minutes");
	yaml_out_int(y, minutes);
	yaml_out_map(y, false);
}

static void out_strv(struct yaml_out *y, const char *key, const struct strvec *sv)
{
	yaml_out_str(y, key);
	yaml_out_seq(y, true);
	for (size_t i = 0; i < sv->n; i++)
		yaml_out_str(y, sv->v[i]);
	yaml_out_seq(y, false);
}

static bool is_qemu(const struct lava_lab *lab)
{
	return !strcmp(lab->boot_method, "qemu");
}

/* qemu: the images are QEMU arguments; {label} becomes the downloaded file. */
static void job_images(struct yaml_out *y, const struct lava_job *j)
{
	char *kernel_arg = xasprintf("-kernel {kernel} -append \"%s\"", j->append);

	yaml_out_str(y, "images");
	yaml_out_map(y, true);
	yaml_out_str(y, "kernel");
	yaml_out_map(y, true);
	yaml_out_kv(y, "image_arg", kernel_arg);
	yaml_out_kv(y, "url", j->kernel_url);
	yaml_out_map(y, false);
	yaml_out_str(y, "ramdisk");
	yaml_out_map(y, true);
	yaml_out_kv(y, "image_arg", "-initrd {ramdisk}");
	yaml_out_kv(y, "url", j->ramdisk_url);
	yaml_out_map(y, false);
	if (j->scratch_url) {
		yaml_out_str(y, "scratch");
		yaml_out_map(y, true);
		yaml_out_kv(y, "image_arg", "-drive format=raw,file={scratch},if=virtio,cache=unsafe");
		yaml_out_kv(y, "url", j->scratch_url);
		yaml_out_map(y, false);
	}
	yaml_out_map(y, false);
	free(kernel_arg);
}

static void job_url(struct yaml_out *y, const char *key, const char *url)
{
	yaml_out_str(y, key);
	yaml_out_map(y, true);
	yaml_out_kv(y, "url", url);
	yaml_out_map(y, false);
}

static void job_deploy(struct yaml_out *y, const struct lava_job *j)
{
	yaml_out_map(y, true);
	yaml_out_str(y, "deploy");
	yaml_out_map(y, true);
	yaml_out_kv(y, "to", j->lab->deploy_to);
	/* "oe": a plain POSIX shell, no package manager, which is what busybox gives. */
	yaml_out_kv(y, "os", "oe");
	out_minutes(y, "timeout", j->lab->deploy_minutes);
	if (is_qemu(j->lab)) {
		job_images(y, j);
	} else {
		job_url(y, "kernel", j->kernel_url);
		job_url(y, "ramdisk", j->ramdisk_url);
	}
	yaml_out_map(y, false);
	yaml_out_map(y, false);
}

static void job_boot(struct yaml_out *y, const struct lava_job *j)
{
	struct strvec prompts = STRVEC_INIT;

	sv_push(&prompts, j->lab->prompt);
	yaml_out_map(y, true);
	yaml_out_str(y, "boot");
	yaml_out_map(y, true);
	yaml_out_kv(y, "method", j->lab->boot_method);
	if (is_qemu(j->lab))
		yaml_out_kv(y, "media", "tmpfs");
	else
		yaml_out_kv(y, "commands", "ramdisk");	/* the device type's commands for kernel + ramdisk */
	out_minutes(y, "timeout", j->lab->boot_minutes);
	out_strv(y, "prompts", &prompts);
	yaml_out_map(y, false);
	yaml_out_map(y, false);
	sv_release(&prompts);
}

/* An inline test definition: init runs the workload and calls lava-test-case per case. */
static void job_test(struct yaml_out *y, const struct lava_job *j)
{
	char *name = xasprintf("kbackport-%s", j->workload), *path = xasprintf("inline/%s.yaml", name);
	char *step = xasprintf("/init --lava-run %s", j->workload);
	char *what = xasprintf("kbackport workload %s", j->workload);
	struct strvec steps = STRVEC_INIT;

	sv_push(&steps, step);
	yaml_out_map(y, true);
	yaml_out_str(y, "test");
	yaml_out_map(y, true);
	out_minutes(y, "timeout", j->lab->test_minutes);
	yaml_out_str(y, "definitions");
	yaml_out_seq(y, true);
	yaml_out_map(y, true);
	yaml_out_kv(y, "from", "inline");
	yaml_out_kv(y, "name", name);
	yaml_out_kv(y, "path", path);
	yaml_out_str(y, "repository");
	yaml_out_map(y, true);
	yaml_out_str(y, "metadata");
	yaml_out_map(y, true);
	yaml_out_kv(y, "format", "Lava-Test Test Definition 1.0");
	yaml_out_kv(y, "name", name);
	yaml_out_kv(y, "description", what);
	yaml_out_map(y, false);
	yaml_out_str(y, "run");
	yaml_out_map(y, true);
	out_strv(y, "steps", &steps);
	yaml_out_map(y, false);
	yaml_out_map(y, false);
	yaml_out_map(y, false);
	yaml_out_seq(y, false);
	yaml_out_map(y, false);
	yaml_out_map(y, false);
	sv_release(&steps);
	free(name);
	free(path);
	free(step);
	free(what);
}

static void job_header(struct yaml_out *y, const struct lava_job *j)
{
	const struct lava_lab *lab = j->lab;

	yaml_out_kv(y, "device_type", lab->device_type);
	yaml_out_kv(y, "job_name", j->name);
	yaml_out_str(y, "timeouts");
	yaml_out_map(y, true);
	out_minutes(y, "job", lab->job_minutes);
	out_minutes(y, "action", lab->test_minutes);
	out_minutes(y, "connection", 2);
	yaml_out_map(y, false);
	yaml_out_kv(y, "priority", lab->priority);
	yaml_out_kv(y, "visibility", lab->visibility);
	if (lab->tags.n)
		out_strv(y, "tags", &lab->tags);
	yaml_out_str(y, "context");
	yaml_out_map(y, true);
	if (is_qemu(lab))
		yaml_out_kv(y, "arch", "amd64");
	else	/* bootloaders take the kernel arguments from here */
		yaml_out_kv(y, "extra_kernel_args", j->append);
	yaml_out_map(y, false);
}

char *lava_job_yaml(const struct lava_job *j)
{
	struct yaml_out y;
	const char *problem;
	char *text;

	yaml_out_begin(&y, NULL);
	yaml_out_map(&y, true);
	job_header(&y, j);
	yaml_out_str(&y, "actions");
	yaml_out_seq(&y, true);
	job_deploy(&y, j);
	job_boot(&y, j);
	job_test(&y, j);
	yaml_out_seq(&y, false);
	yaml_out_map(&y, false);
	text = yaml_out_end(&y, &problem);
	if (!text)
		error("cannot write the LAVA job as YAML");
	return text;
}

/* ---- LAVA's Python: schema and templates ------------------------------------ */

static const struct run_tool lava_tools[] = {
	{ "lava-run", "lava-dispatcher" },
};

int lava_python(char **python)
{
	char *lava_run;
	struct strbuf text = STRBUF_INIT;
	const char *s;

	*python = NULL;
	if (run_require(lava_tools, ARRAY_SIZE(lava_tools), KB_EXIT_FAIL))
		return -1;
	lava_run = run_which("lava-run");
	if (read_file(lava_run, &text)) {
		free(lava_run);
		return -1;
	}
	/* "#! /usr/bin/python3": the interpreter that has lava_common. */
	s = text.buf + 2;
	while (*s == ' ')
		s++;
	if (starts_with(text.buf, "#!"))
		*python = xstrndup(s, strcspn(s, " \n"));
	sb_release(&text);
	if (!*python)
		error_code(KB_EXIT_FAIL, "cannot tell which Python '%s' runs on", lava_run);
	free(lava_run);
	return *python ? 0 : -1;
}

/*
 * Runs a Python snippet on LAVA's interpreter. Exit 3 from the snippet is
 * its verdict on the input (its one-line message in *out); other failures
 * are the snippet's own.
 */
static int lava_py(const char *code, const char *const *args, struct strbuf *out, int *status)
{
	struct strvec argv = STRVEC_INIT;
	struct run_opts o = { .out = out };
	struct run_result r;
	char *python;
	int ret;

	if (lava_python(&python))
		return -1;
	sv_push_owned(&argv, python);
	sv_push(&argv, "-c");
	sv_push(&argv, code);
	for (; *args; args++)
		sv_push(&argv, *args);
	o.argv = (const char *const *)argv.v;
	ret = run(&o, &r);
	*status = ret || r.signal ? -1 : r.status;
	sv_release(&argv);
	if (out->buf)
		rtrim(out->buf);
	return ret;
}

static const char validate_py[] =
	"import sys, yaml\n"
	"from voluptuous import Invalid\n"
	"from lava_common.schemas import validate\n"
	"try:\n"
	"    data = yaml.safe_load(open(sys.argv[1]))\n"
	"    validate(data, strict=True)\n"
	"except yaml.YAMLError as e:\n"
	"    print('not YAML: %s' % str(e).replace('\\n', ' ')); sys.exit(3)\n"
	"except Invalid as e:\n"
	"    print('%s at %s' % (e.msg, '/'.join(str(p) for p in e.path) or 'top level')); sys.exit(3)\n";

int lava_validate(const char *job_path, const char *origin)
{
	const char *args[] = { job_path, NULL };
	struct strbuf out = STRBUF_INIT;
	int status, ret = -1;

	if (lava_py(validate_py, args, &out, &status))
		goto out;
	if (status == 3)
		error_code(KB_EXIT_BADINPUT, "'%s'%s%s%s fails LAVA's job schema: %s", job_path, origin ? " (from '" : "",
			   origin ? origin : "", origin ? "')" : "", sb_str(&out));
	else if (status)
		error_code(KB_EXIT_FAIL, "cannot run LAVA's schema check on '%s': %s", job_path, sb_str(&out));
	else
		ret = 0;
out:
	sb_release(&out);
	return ret;
}

char *lava_device_types_dir(void)
{
	/* lava-server installs them in /etc (editable) and /usr/share (shipped). */
	static const char *const dirs[] = { "/etc/lava-server/dispatcher-config/device-types",
					    "/usr/share/lava-server/device-types" };
	const char *env = getenv("KBACKPORT_LAVA_DEVICE_TYPES");

	if (env && *env) {
		char *t = xasprintf("%s/base.jinja2", env);
		bool ok = path_exists(t);

		free(t);
		if (ok)
			return xstrdup(env);
		error_code(KB_EXIT_NOINPUT, "KBACKPORT_LAVA_DEVICE_TYPES '%s' holds no base.jinja2", env);
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *t = xasprintf("%s/base.jinja2", dirs[i]);
		bool ok = path_exists(t);

		free(t);
		if (ok)
			return xstrdup(dirs[i]);
	}
	error_code(KB_EXIT_NOINPUT, "no LAVA device-type templates (lava-server's): install lava-server, or unpack "
		   "its package and set KBACKPORT_LAVA_DEVICE_TYPES to its usr/share/lava-server/device-types");
	return NULL;
}

static const char render_py[] =
	"import sys, json, yaml, jinja2\n"
	"d, dt, out = sys.argv[1], sys.argv[2], sys.argv[4]\n"
	"env = jinja2.Environment(loader=jinja2.FileSystemLoader([d]), trim_blocks=True, autoescape=False)\n"
	"try:\n"
	"    text = env.get_template(dt + '.jinja2').render(**json.loads(sys.argv[3]))\n"
	"except jinja2.TemplateNotFound as e:\n"
	"    print('no device type %s.jinja2 in %s' % (dt, d)); sys.exit(3)\n"
	"yaml.safe_load(text)\n"
	"open(out, 'w').write(text)\n";

int lava_render_device(const char *dir, const char *dt, json_t *vars, const char *out_path)
{
	char *json = json_dumps(vars, JSON_COMPACT | JSON_SORT_KEYS);
	const char *args[] = { dir, dt, json, out_path, NULL };
	struct strbuf out = STRBUF_INIT;
	int status, ret = -1;

	if (lava_py(render_py, args, &out, &status))
		goto out;
	if (status == 3)
		error_code(KB_EXIT_NOINPUT, "%s", sb_str(&out));
	else if (status)
		error_code(KB_EXIT_FAIL, "cannot render the LAVA device '%s' from '%s': %s", dt, dir, sb_str(&out));
	else
		ret = 0;
out:
	sb_release(&out);
	free(json);
	return ret;
}

/* ---- the dispatcher's log --------------------------------------------------------- */

static char *ymap_str(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	const char *s = yfile_scalar(yaml_map_get(d, map, key));

	return s ? xstrdup(s) : NULL;
}

/* LAVA escapes every '"' of the target's output as '\"' (lava_dispatcher/shell.py). */
static void add_target_line(struct strbuf *console, const char *s)
{
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == '"')
			s++;
		sb_addc(console, *s);
	}
	sb_addc(console, '\n');
}

static void add_result(struct lava_log *log, yaml_document_t *d, yaml_node_t *msg)
{
	struct lava_case *c;
	char *suite = ymap_str(d, msg, "definition"), *name = ymap_str(d, msg, "case");
	char *result = ymap_str(d, msg, "result");

	if (!suite || !name || !result) {
		free(suite);
		free(name);
		free(result);
		return;
	}
	if (!strcmp(suite, "lava") && !strcmp(name, "job")) {
		free(log->job_result);
		free(log->job_error);
		log->job_result = xstrdup(result);
		log->job_error = ymap_str(d, msg, "error_msg");
	}
	log->cases = xrealloc(log->cases, (log->ncases + 1) * sizeof(*log->cases));
	c = &log->cases[log->ncases++];
	c->suite = suite;
	c->name = name;
	c->result = result;
}

static void parse_record(struct lava_log *log, const char *line, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *msg;
	const char *lvl;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)line, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_parser_delete(&parser);
		return;
	}
	root = yaml_document_get_root_node(&doc);
	lvl = yfile_scalar(yaml_map_get(&doc, root, "lvl"));
	msg = yaml_map_get(&doc, root, "msg");
	if (lvl && msg && !strcmp(lvl, "target") && yfile_scalar(msg))
		add_target_line(&log->console, yfile_scalar(msg));
	else if (lvl && msg && !strcmp(lvl, "target"))
		sb_addc(&log->console, '\n');
	else if (lvl && msg && !strcmp(lvl, "results"))
		add_result(log, &doc, msg);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
}

int lava_log_parse(const char *text, struct lava_log *log)
{
	memset(log, 0, sizeof(*log));
	for (const char *p = text; *p;) {
		const char *eol = strchrnul(p, '\n'), *s = p;

		/* lava-run prints records one a line; a server stores them as a YAML list. */
		if (starts_with(s, "- "))
			s += 2;
		if (*s == '{')
			parse_record(log, s, eol - s);
		p = *eol ? eol + 1 : eol;
	}
	if (!log->console.buf)
		sb_adds(&log->console, "");
	return 0;
}

void lava_log_free(struct lava_log *log)
{
	for (size_t i = 0; i < log->ncases; i++) {
		free(log->cases[i].suite);
		free(log->cases[i].name);
		free(log->cases[i].result);
	}
	free(log->cases);
	sb_release(&log->console);
	free(log->job_result);
	free(log->job_error);
	memset(log, 0, sizeof(*log));
}

json_t *lava_cases_json(const struct lava_log *log)
{
	json_t *a = json_array();

	for (size_t i = 0; i < log->ncases; i++) {
		const struct lava_case *c = &log->cases[i];

		if (strcmp(c->suite, "lava"))
			json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "suite", c->suite, "name", c->name,
							   "result", c->result));
	}
	return a;
}

/* ---- the REST API ---------------------------------------------------------------- */

int lava_token(const char *file, char **token)
{
	const char *env = getenv("KBACKPORT_LAVA_TOKEN"), *envfile = getenv("KBACKPORT_LAVA_TOKEN_FILE");
	struct strbuf text = STRBUF_INIT;
	struct stat st;

	*token = NULL;
	if (env && *env) {
		*token = xstrdup(env);
		return 0;
	}
	if (!file || !*file)
		file = envfile;
	if (!file || !*file)
		return error_code(KB_EXIT_USAGE, "no LAVA token: set KBACKPORT_LAVA_TOKEN, or give a 0600 file "
				  "with --token-file or KBACKPORT_LAVA_TOKEN_FILE");
	if (stat(file, &st) < 0)
		return error_code(KB_EXIT_NOINPUT, "cannot open token file '%s': %s", file, strerror(errno));
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077))
		return error_code(KB_EXIT_BADINPUT, "token file '%s' has mode %04o: it must be 0600 (chmod 600 '%s')",
				  file, (unsigned)(st.st_mode & 07777), file);
	if (read_file(file, &text))
		return error_code(KB_EXIT_NOINPUT, "cannot read token file '%s'", file);
	*token = trim_dup(sb_str(&text), strcspn(sb_str(&text), "\r\n"));
	sb_release(&text);
	if (!**token) {
		free(*token);
		*token = NULL;
		return error_code(KB_EXIT_BADINPUT, "token file '%s' is empty", file);
	}
	return 0;
}

/*
 * A LAVA answer (a job's log included) fits in this; a server that sends
 * more is broken or hostile, and the transfer is cut (curl reports a write
 * error, which http() turns into one line naming the limit).
 */
#define LAVA_MAX_BODY (64u << 20)

static size_t curl_sink(char *data, size_t size, size_t n, void *arg)
{
	struct strbuf *sb = arg;

	if (sb->len + size * n > LAVA_MAX_BODY)
		return 0;
	sb_add(sb, data, size * n);
	return size * n;
}

/* One request; the body of a 2xx answer in out, anything else an error naming the server's words. */
static int http(const char *method, const char *url, const char *token, const char *body, struct strbuf *out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *headers = NULL;
	CURLcode rc;
	char *auth = xasprintf("Authorization: Token %s", token);
	char errbuf[CURL_ERROR_SIZE] = "";
	long code = 0;
	int ret = -1;

	if (!c) {
		free(auth);
		return error("cannot start libcurl");
	}
	headers = curl_slist_append(headers, auth);
	headers = curl_slist_append(headers, "Accept: application/json");
	if (body) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_WRITE_ERROR) {
		error_code(KB_EXIT_FAIL, "LAVA server '%s' answered more than %u MiB: refused", url, LAVA_MAX_BODY >> 20);
		goto out;
	}
	if (rc != CURLE_OK) {
		error_code(KB_EXIT_FAIL, "cannot reach LAVA server '%s': %s", url, errbuf);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		char *what = trim_dup(sb_str(out), strcspn(sb_str(out), "\n"));

		error_code(KB_EXIT_FAIL, "LAVA server refused %s '%s' (HTTP %ld): %.200s", method, url, code, what);
		free(what);
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	free(auth);
	return ret;
}

static json_t *http_json(const char *method, const char *url, const char *token, const char *body)
{
	struct strbuf out = STRBUF_INIT;
	json_error_t err;
	json_t *obj = NULL;

	if (!http(method, url, token, body, &out)) {
		obj = json_loads(sb_str(&out), 0, &err);
		if (!obj)
			error_code(KB_EXIT_FAIL, "LAVA server answer from '%s' is not JSON: %s", url, err.text);
	}
	sb_release(&out);
	return obj;
}

int lava_submit(const char *url, const char *token, const char *yaml, long *id)
{
	char *api = xasprintf("%s/api/v0.2/jobs/", url);
	json_t *req = json_pack("{s:s}", "definition", yaml), *ans = NULL;
	char *body = json_dumps(req, JSON_COMPACT);
	json_t *ids;
	int ret = -1;

	ans = http_json("POST", api, token, body);
	if (!ans)
		goto out;
	ids = json_object_get(ans, "job_ids");
	if (!json_is_array(ids) || !json_is_integer(json_array_get(ids, 0))) {
		error_code(KB_EXIT_FAIL, "LAVA server '%s' answered without a job id", api);
		goto out;
	}
	*id = (long)json_integer_value(json_array_get(ids, 0));
	ret = 0;
out:
	json_decref(req);
	json_decref(ans);
	free(body);
	free(api);
	return ret;
}

int lava_job_status(const char *url, const char *token, long id, char **state, char **health)
{
	char *api = xasprintf("%s/api/v0.2/jobs/%ld/", url, id);
	json_t *ans = http_json("GET", api, token, NULL);
	const char *s = json_string_value(json_object_get(ans, "state"));
	const char *h = json_string_value(json_object_get(ans, "health"));
	int ret = -1;

	*state = *health = NULL;
	if (ans && (!s || !h))
		error_code(KB_EXIT_FAIL, "LAVA server answer from '%s' has no state and health", api);
	else if (ans) {
		*state = xstrdup(s);
		*health = xstrdup(h);
		ret = 0;
	}
	json_decref(ans);
	free(api);
	return ret;
}

int lava_job_logs(const char *url, const char *token, long id, struct strbuf *out)
{
	char *api = xasprintf("%s/api/v0.2/jobs/%ld/logs/", url, id);
	int ret = http("GET", api, token, NULL, out);

	free(api);
	return ret;
}
