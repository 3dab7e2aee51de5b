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

/*
 * A workload booted again to measure it again: round 1 is <workload>.json,
 * round N > 1 <workload>.round-N.json (README "Matrix and report").
 */
#define BOOT_MAX_ROUNDS 16

/* The file of a round: ext is ".json" or ".console.log". */
char *boot_record_name(const char *workload, int round, const char *ext);

/*
 * What the rest of the host did while QEMU ran: a TCG guest's vCPUs are
 * host threads, so its timings stretch when other processes take CPUs.
 */
struct host_load {
	double wall;		/* seconds */
	double qemu_cpu;	/* CPU seconds QEMU used */
	double other_cpu;	/* CPU seconds every other process used meanwhile */
	double steal;		/* seconds the hypervisor took from this machine's CPUs */
	double load_start, load_end;	/* 1-minute load average */
	int nproc;
	bool busy;
	char *why;		/* when busy: what made it so */
};

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
	int round;			/* 1..BOOT_MAX_ROUNDS */
	const struct host_load *host;	/* NULL: not measured (a box or a lab is not this host) */
	const char *extra_name;		/* "box" or "lava": the runner's own object, or NULL */
	json_t *extra;			/* taken */
};

/* The record as JSON (new reference). */
json_t *boot_record_json(const struct boot_record *r);

#endif
