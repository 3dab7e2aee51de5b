/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_GUEST_H
#define KB_GUEST_H

#include <stdbool.h>

#include "lib/util.h"

/*
 * The guest: an initramfs holding busybox, fio and mkfs.ext4 with their
 * shared libraries, kbackport's init and the workloads (shell scripts under
 * tool/guest/workloads/, or a user's file). The markers are the protocol
 * between tool/guest/init and the console parser in qemu.c.
 */

/*
 * The kernel command line names the workload init runs, and the kernel and
 * variant, for workloads that keep tables per kernel. Other NAME=value
 * arguments reach init (and so the workload) as environment variables.
 */
#define GUEST_CMDLINE_WORKLOAD "kb.workload="
#define GUEST_CMDLINE_KERNEL "kb.kernel="
#define GUEST_CMDLINE_VARIANT "kb.variant="

/* init prints these, each at the start of its own line. */
#define GUEST_MARK_INIT "@@KB-INIT@@"		/* init started; "uptime=<s>" follows */
#define GUEST_MARK_START "@@KB-WORKLOAD-BEGIN@@"	/* "<name>" follows */
#define GUEST_MARK_EXIT "@@KB-WORKLOAD-END@@"	/* "exit=<status>" follows */
/* A workload frames its JSON result with these. */
#define GUEST_RESULT_BEGIN "@@KB-RESULT-BEGIN@@"
#define GUEST_RESULT_END "@@KB-RESULT-END@@"

/* The guest-side files: $KBACKPORT_GUEST_DIR or tool/guest. */
const char *guest_dir(void);

struct guest_workload {
	char *name;	/* what init runs: /kb/workloads/<name>.sh */
	char *path;	/* the script on this machine */
	bool builtin;
};

/*
 * A built-in workload by NAME, or a FILE (anything naming an existing file,
 * or with a '/' or a '.' in it). A missing file or an unknown name is an
 * error (KB_EXIT_NOINPUT) that lists the built-in ones.
 */
int guest_workload_find(const char *arg, struct guest_workload *w);
void guest_workload_free(struct guest_workload *w);

/* Checks that the programs the image carries are installed (busybox-static, fio, e2fsprogs). */
int guest_require_tools(void);

/*
 * The initramfs holding init, every built-in workload and w, and the
 * series' expectation tables (series_dir/expect/ as /kb/expect/: what the
 * series promises is the series', not the tool's), written by the kernel's
 * gen_init_cpio (no root needed) as <work>/images/initramfs-<hash>.cpio,
 * hash covering every file's path, mode and content. An image with that
 * hash is reused (*cached).
 */
int guest_image(const char *gen_init_cpio, const struct guest_workload *w, const char *series_dir, char **path,
		bool *cached);

#endif
