/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_QEMU_H
#define KB_QEMU_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"

/*
 * Booting a kernel in QEMU: which accelerator works here, the boot with a
 * deadline, the console captured, and what the console says.
 */

/* Worst last: a boot's verdict is the worst thing seen. */
enum verdict {
	V_CLEAN,
	V_WARN,		/* WARNING:, lockdep splat, page cache invalidation failure */
	V_NO_INIT,	/* QEMU stopped before init ran */
	V_HANG,		/* killed at the timeout, or a task reported blocked */
	V_BUG,
	V_OOPS,
	V_PANIC,
};

const char *verdict_name(enum verdict v);

/* One console line that decides a verdict. */
struct finding {
	enum verdict verdict;
	const char *kind;	/* "panic", "oops", "bug", "kasan", "atomic-sleep", "warning", "lockdep",
				   "list", "hung-task", "pagecache" */
	size_t lineno;		/* 1-based, in the console log */
	char *line;
	struct strvec trace;	/* the lines of its report after it (call trace, lock chains) */
};

/* What the console says, as far as the guest protocol (guest.h) and the kernel go. */
struct console_report {
	bool reached_init;
	bool workload_started;
	bool workload_ended;
	int workload_exit;	/* valid when workload_ended */
	double guest_uptime_at_init;	/* the guest's own clock; -1 if unknown */
	json_t *result;		/* the workload's framed JSON; NULL if none */
	char *result_error;	/* why a frame did not parse; NULL if fine or absent */
	struct finding *findings;
	size_t nfindings;
	struct strvec tail;	/* the last console lines */
};

/* Reads a whole console log. */
void console_parse(const char *text, struct console_report *c);
void console_report_free(struct console_report *c);

/*
 * "kvm" when /dev/kvm is usable and a KVM boot of kernel really gets to its
 * end within a few seconds (nested KVM here can abort or hang), else "tcg".
 * $KBACKPORT_ACCEL (kvm|tcg) overrides; the probe's answer is kept under
 * <work>/cache/ for this host and QEMU binary. why says how it was decided.
 */
int qemu_accel(const char *kernel, char **accel, char **why);

struct qemu_opts {
	const char *kernel;	/* bzImage */
	const char *initrd;
	const char *append;	/* kernel arguments after "console=ttyS0 panic=-1" */
	const char *disk;	/* raw image attached as virtio-blk; NULL: none */
	const char *accel;	/* "kvm" | "tcg" */
	int smp;
	int memory;		/* MiB */
	double timeout;		/* seconds */
	const char *console;	/* the console log written */
};

struct boot_result {
	enum verdict verdict;
	bool timed_out;
	int qemu_status;	/* -1 if killed */
	double init_seconds;	/* wall time from QEMU start to init's marker; -1 if never */
	double workload_seconds;	/* ... to the workload's start; -1 if never */
	double total_seconds;
	struct console_report console;
};

/* The worst of the console's findings, the timeout and whether init ran. */
enum verdict console_verdict(const struct console_report *c, bool timed_out);
enum verdict boot_verdict(const struct boot_result *r);

/* Whether the workload did what it was asked: "done", or what went wrong. */
const char *console_workload_status(const struct console_report *c);

/* The console's findings as the result JSON's "findings" array. */
json_t *console_findings_json(const struct console_report *c);

/*
 * Boots, with QEMU killed at the timeout. Returns 0 when QEMU ran (the
 * verdict says how the kernel did), -1 when it could not be started or
 * exited on an error of its own before the kernel printed anything.
 */
int qemu_boot(const struct qemu_opts *o, struct boot_result *r);
void boot_result_free(struct boot_result *r);

/* A sparse raw disk image of mib MiB, emptied if it exists. */
int qemu_scratch_disk(const char *path, int mib);

#endif
