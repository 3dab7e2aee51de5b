/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_RECORD_H
#define KB_RECORD_H

#include <jansson.h>
#include <stdbool.h>

#include "boot/console.h"
#include "boot/guest.h"

/*
 * The boot record: <work>/results/.../<variant>/<workload>.json, what every
 * runner (qemu, ssh, lava) writes through boot_record_json() and the report
 * reads (README "Result store"). Fields a runner cannot know are null.
 */
struct boot_record {
	const char *runner;		/* "qemu", "ssh", "lava" */
	const char *kernel, *variant;
	json_t *build;			/* the variant's build.json: commit, config hash, image hash */
	const char *initrd;
	const char *cache_key;		/* NULL: not reused by key (lava) */
	const struct guest_workload *w;
	const char *accel, *accel_why;
	int vcpus, memory_mib;		/* 0: not QEMU's to say (a box) */
	double timeout;
	const char *kernel_args;
	enum verdict verdict;
	bool timed_out;
	bool qemu_ran;			/* qemu_exit is QEMU's exit status */
	int qemu_exit;
	/* wall times from the start, < 0 when never reached; all < 0: not measured here */
	double init_seconds, workload_seconds, total_seconds;
	const struct console_report *console;
	const char *console_path;
	const char *extra_name;		/* "box" or "lava": the runner's own object, or NULL */
	json_t *extra;			/* taken */
};

/* The record as JSON (new reference). */
json_t *boot_record_json(const struct boot_record *r);

#endif
