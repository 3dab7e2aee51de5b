/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_LAVA_H
#define KB_LAVA_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"

/*
 * LAVA (the Linaro Automated Validation Architecture): lab profiles, job
 * definitions, LAVA's own schema check and device-type templates (through
 * the Python that lava-run runs on), the dispatcher's log, and the
 * server's REST API (v0.2).
 */

/* One kernels/labs/<name>.yaml: where and how a lab boots our kernels. */
struct lava_lab {
	char *file;
	char *name;
	char *device_type;	/* "qemu", "beaglebone-black", ... */
	char *boot_method;	/* qemu | u-boot | grub | ipxe | depthcharge */
	char *deploy_to;	/* default: tmpfs for qemu, tftp otherwise */
	char *artifact_url;	/* base URL the artifacts are served from; NULL: file:// */
	char *prompt;		/* the guest shell's prompt */
	char *priority;		/* high | medium | low | 0..100 */
	char *visibility;	/* public | personal */
	struct strvec tags;
	int job_minutes, deploy_minutes, boot_minutes, test_minutes;
};

/* <kernels_dir()>/labs */
char *lava_labs_dir(void);

/* A profile by NAME (under lava_labs_dir()) or FILE. One-line errors, kb_errcode set. */
int lava_lab_load(const char *arg, struct lava_lab *lab);
void lava_lab_free(struct lava_lab *lab);

/* What one job boots and runs. */
struct lava_job {
	const char *name;
	const char *kernel_url;
	const char *ramdisk_url;
	const char *scratch_url;	/* a raw disk for the workload (qemu only); NULL: none */
	const char *append;		/* kernel arguments */
	const char *workload;
	const struct lava_lab *lab;
};

/* The job definition as YAML, or NULL (reported). */
char *lava_job_yaml(const struct lava_job *j);

/* The Python interpreter lava-run runs on (it has lava_common, yaml, jinja2). */
int lava_python(char **python);

/*
 * Checks a job file with lava_common.schemas.validate; KB_EXIT_BADINPUT
 * naming the problem, and origin (what the job was made from) if not NULL.
 */
int lava_validate(const char *job_path, const char *origin);

/* The directory holding LAVA's device-type templates (qemu.jinja2), or NULL (reported). */
char *lava_device_types_dir(void);

/*
 * Renders device type dt from the templates with the variables in vars (a
 * device dictionary) into out, as lava-server does for a worker.
 */
int lava_render_device(const char *dir, const char *dt, json_t *vars, const char *out);

/* One test case LAVA recorded. */
struct lava_case {
	char *suite;	/* the test definition, "lava" for LAVA's own actions */
	char *name;
	char *result;	/* pass | fail | skip | unknown */
};

/* What a dispatcher log (lava-run's, or a server's /logs/) says. */
struct lava_log {
	struct strbuf console;	/* the target's lines, LAVA's quoting undone */
	struct lava_case *cases;
	size_t ncases;
	char *job_result;	/* the "job" case: pass | fail; NULL if the log has none */
	char *job_error;	/* its error_msg */
};

/* Parses every "{dt, lvl, msg}" record; lines that are not records are skipped. */
int lava_log_parse(const char *text, struct lava_log *log);
void lava_log_free(struct lava_log *log);
/* The cases of the test definitions (LAVA's own "lava" suite left out) as JSON. */
json_t *lava_cases_json(const struct lava_log *log);

/*
 * The API token: $KBACKPORT_LAVA_TOKEN, else the file $KBACKPORT_LAVA_TOKEN_FILE
 * or file (if not NULL), which must be a regular file of mode 0600 or stricter.
 */
int lava_token(const char *file, char **token);

/* POST <url>/api/v0.2/jobs/: the new job's id. */
int lava_submit(const char *url, const char *token, const char *yaml, long *id);
/* GET <url>/api/v0.2/jobs/<id>/: state (Submitted ... Finished) and health. */
int lava_job_status(const char *url, const char *token, long id, char **state, char **health);
/* GET <url>/api/v0.2/jobs/<id>/logs/ */
int lava_job_logs(const char *url, const char *token, long id, struct strbuf *out);

#endif
