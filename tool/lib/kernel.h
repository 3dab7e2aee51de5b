/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_KERNEL_H
#define KB_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

enum kernel_source {
	KSRC_DEBIAN_PACKAGE,	/* <package>.tar.xz: installed in /usr/src, or fetched (debian.h) */
	KSRC_GIT,		/* a git repository and a ref in it */
};

/* boot.ssh: a test box driven the ktest.pl way (tool/ssh.h). */
struct ssh_box {
	char *host;
	int port;			/* default 22 */
	char *user;			/* default "root" */
	char *key;			/* identity file; NULL: ssh's own */
	char *known_hosts;		/* NULL: the user's own, new hosts accepted */
	struct strvec power_cycle;	/* argv run here: power the box off and on */
	struct strvec console;		/* argv run here: prints the box's serial console */
	bool kexec;			/* default true; false: power-cycle into what install set up */
	char *install;			/* shell command run on the box in dir when !kexec */
	char *dir;			/* where the kernel goes on the box; default /tmp/kbackport */
	char *append;			/* the box's own kernel arguments; default "console=ttyS0,115200" */
};

/* One kernels/<name>.yaml. Optional fields not given hold their defaults. */
struct kernel_desc {
	char *file;		/* the YAML file it was read from */
	char *name;
	char *description;	/* NULL if not given */
	enum kernel_source source;
	char *package;		/* KSRC_DEBIAN_PACKAGE */
	char *package_version;	/* source.version: this revision exactly; NULL: track the newest */
	char *suite;		/* source.suite: fetched from it with apt; NULL: the installed package */
	char *git_path;		/* KSRC_GIT */
	char *git_ref;		/* KSRC_GIT */
	char *arch;
	char *config_base;
	struct strvec config_fragments;	/* names under kernels/config/ */
	char *vendor_config;	/* NULL if not given */
	char *boot_runner;	/* default "qemu" */
	int qemu_smp;		/* default 2 */
	int qemu_memory;	/* MiB, default 2048 */
	int boot_timeout;	/* seconds, default 600 */
	bool has_ssh;		/* boot.ssh given (required by runner ssh) */
	struct ssh_box ssh;
};

/* $KBACKPORT_KERNELS_DIR or "kernels". */
const char *kernels_dir(void);

/*
 * Reads and validates one description. On error reports one line naming
 * the file (and the key), sets kb_errcode (KB_EXIT_NOINPUT for a missing
 * file, KB_EXIT_BADINPUT for bad content) and returns -1; *k is then empty.
 */
int kernel_load(const char *path, struct kernel_desc *k);
void kernel_free(struct kernel_desc *k);

/* Every <name>.yaml in dir, sorted by name. Fails on the first bad file. */
int kernel_load_all(const char *dir, struct kernel_desc **out, size_t *nr);
void kernel_free_all(struct kernel_desc *k, size_t nr);

/* Loads <kernels_dir()>/<name>.yaml. */
int kernel_find(const char *name, struct kernel_desc *k);

/* The tarball of a debian-package source: $KBACKPORT_SRC_DIR (or /usr/src)/<package>.tar.xz. */
char *kernel_tarball(const struct kernel_desc *k);

/* "linux-source-6.12" or "/srv/linux@v6.6.60". */
char *kernel_source_str(const struct kernel_desc *k);

#endif
