/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_QEMU_H
#define KB_QEMU_H

#include <jansson.h>
#include <stdbool.h>

#include "boot/console.h"
#include "boot/record.h"
#include "lib/util.h"

/*
 * Booting a kernel in QEMU: which accelerator works here, the boot with a
 * deadline, the console captured and judged (console.h).
 */

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
	bool host_measured;	/* QEMU only: host is what the rest of the host did meanwhile */
	struct host_load host;
};

/* The worst of the console's findings, the timeout and whether init ran. */
enum verdict boot_verdict(const struct boot_result *r);

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
