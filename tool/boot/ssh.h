/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_SSH_H
#define KB_SSH_H

#include <stdbool.h>

#include "lib/kernel.h"
#include "boot/qemu.h"
#include "lib/util.h"

/*
 * A test box driven the way ktest.pl drives one: the box runs its own OS
 * with an ssh server and kexec; the kernel and initramfs are copied there
 * with scp and started with kexec, the console command (run here) shows
 * the test kernel's serial console, which is judged as a QEMU console is,
 * and the power-cycle command (run here) brings the box back to its OS.
 */

struct ssh_boot_opts {
	const struct ssh_box *box;
	const char *file;	/* the kernel YAML, named in errors */
	const char *kernel;	/* bzImage */
	const char *initrd;
	const char *append;	/* kernel arguments after the box's own and "panic=-1" */
	double timeout;		/* seconds from kexec to the workload's end */
	const char *console;	/* the console log written */
};

struct ssh_boot_info {
	char *box_kernel;	/* the box OS's "uname -r" before the test */
	char *cmdline;		/* what the test kernel was given */
	double copy_seconds;
	bool console_closed;	/* the console command ended before the workload did */
	bool back;		/* the box answered ssh again after the power cycle */
	double back_seconds;	/* from the power cycle to that answer */
};

/* "user@host:port", for messages and results. */
char *ssh_box_str(const struct ssh_box *b);

/*
 * One test boot. Returns 0 when the test kernel was started (r holds the
 * verdict); -1 (reported, kb_errcode set) when the box could not be reached,
 * the copy or kexec failed, or a command of the YAML is missing.
 */
int ssh_boot(const struct ssh_boot_opts *o, struct boot_result *r, struct ssh_boot_info *info);
void ssh_boot_info_free(struct ssh_boot_info *i);

#endif
