// SPDX-License-Identifier: GPL-2.0
/*
 * kernels/<name>.yaml: one kernel tree to port to. The reader is strict,
 * so a typo in a key fails here instead of silently falling back to a
 * default three stages later.
 */
#include "lib/kernel.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/debian.h"
#include "lib/treepath.h"
#include "lib/yaml.h"

const char *kernels_dir(void)
{
	const char *d = getenv("KBACKPORT_KERNELS_DIR");

	return d && *d ? d : "kernels";
}

static int parse_git(struct yfile *f, yaml_node_t *map, struct kernel_desc *k)
{
	static const char *const keys[] = { "path", "ref" };
	yaml_node_t *v[ARRAY_SIZE(keys)];

	/* 3: both keys are required */
	if (yfile_fields(f, map, "source.git", keys, ARRAY_SIZE(keys), 3, v) ||
	    yfile_str(f, v[0], "source.git.path", &k->git_path) ||
	    yfile_str(f, v[1], "source.git.ref", &k->git_ref))
		return -1;
	k->source = KSRC_GIT;
	return 0;
}

static int parse_source(struct yfile *f, yaml_node_t *map, struct kernel_desc *k)
{
	static const char *const keys[] = { "debian-package", "version", "suite", "git" };
	enum { PACKAGE, VERSION, SUITE, GIT };
	yaml_node_t *v[ARRAY_SIZE(keys)];

	if (yfile_fields(f, map, "source", keys, ARRAY_SIZE(keys), 0, v))
		return -1;
	if (v[PACKAGE] && v[GIT])
		return yfile_bad(f, map, "both 'source.debian-package' and 'source.git' given");
	if (v[GIT] && (v[VERSION] || v[SUITE]))
		return yfile_bad(f, v[VERSION] ? v[VERSION] : v[SUITE],
			   "'source.%s' is for a Debian package; a git source is pinned by its ref",
			   v[VERSION] ? "version" : "suite");
	if (v[GIT])
		return parse_git(f, v[GIT], k);
	if (!v[PACKAGE])
		return yfile_bad(f, map, "missing 'source.debian-package' or 'source.git'");
	if (yfile_str(f, v[PACKAGE], "source.debian-package", &k->package))
		return -1;
	if (!deb_valid_package(k->package))
		return yfile_bad(f, v[PACKAGE], "invalid package name '%s' for 'source.debian-package'",
			   k->package);
	if (v[VERSION] && yfile_str(f, v[VERSION], "source.version", &k->package_version))
		return -1;
	if (v[VERSION] && !deb_valid_version(k->package_version))
		return yfile_bad(f, v[VERSION], "invalid Debian version '%s' for 'source.version'", k->package_version);
	if (v[SUITE] && yfile_str(f, v[SUITE], "source.suite", &k->suite))
		return -1;
	if (v[SUITE] && !deb_valid_suite(k->suite))
		return yfile_bad(f, v[SUITE], "invalid Debian suite '%s' for 'source.suite'", k->suite);
	k->source = KSRC_DEBIAN_PACKAGE;
	return 0;
}

static int parse_config(struct yfile *f, yaml_node_t *map, struct kernel_desc *k)
{
	static const char *const keys[] = { "base", "fragments", "vendor-config" };
	yaml_node_t *v[ARRAY_SIZE(keys)];
	const char *why;

	/* 1: only base is required */
	if (yfile_fields(f, map, "config", keys, ARRAY_SIZE(keys), 1, v) ||
	    yfile_str(f, v[0], "config.base", &k->config_base))
		return -1;
	if (v[1] && yfile_strlist(f, v[1], "config.fragments", &k->config_fragments))
		return -1;
	/* read from kernels/config/: the name passes the gate */
	for (size_t i = 0; i < k->config_fragments.n; i++)
		if ((why = treepath_check(k->config_fragments.v[i])))
			return yfile_bad(f, v[1], "invalid path '%s' for 'config.fragments': %s",
					 k->config_fragments.v[i], why);
	if (v[2] && yfile_str(f, v[2], "config.vendor-config", &k->vendor_config))
		return -1;
	/* read from inside a fetched package (git/source.h): the part below /usr/src/ passes the gate */
	if (v[2] && starts_with(k->vendor_config, "/usr/src/") &&
	    (why = treepath_check(k->vendor_config + strlen("/usr/src/"))))
		return yfile_bad(f, v[2], "invalid path '%s' for 'config.vendor-config': %s", k->vendor_config, why);
	return 0;
}

static int parse_qemu(struct yfile *f, yaml_node_t *map, struct kernel_desc *k)
{
	static const char *const keys[] = { "smp", "memory" };
	yaml_node_t *v[ARRAY_SIZE(keys)];

	if (yfile_fields(f, map, "boot.qemu", keys, ARRAY_SIZE(keys), 0, v))
		return -1;
	if (v[0] && yfile_posint(f, v[0], "boot.qemu.smp", &k->qemu_smp))
		return -1;
	if (v[1] && yfile_posint(f, v[1], "boot.qemu.memory", &k->qemu_memory))
		return -1;
	return 0;
}

static int get_port(struct yfile *f, yaml_node_t *n, int *port)
{
	if (yfile_posint(f, n, "boot.ssh.port", port))
		return -1;
	if (*port > 65535)
		return yfile_bad(f, n, "invalid value '%d' for 'boot.ssh.port' (expected 1 to 65535)", *port);
	return 0;
}

static int parse_ssh(struct yfile *f, yaml_node_t *map, struct kernel_desc *k)
{
	enum { HOST, PORT, USER, KEY, KNOWN_HOSTS, POWER_CYCLE, CONSOLE, KEXEC, INSTALL, DIR, APPEND, NKEYS };
	static const char *const keys[NKEYS] = {
		[HOST] = "host", [PORT] = "port", [USER] = "user", [KEY] = "key",
		[KNOWN_HOSTS] = "known-hosts", [POWER_CYCLE] = "power-cycle", [CONSOLE] = "console",
		[KEXEC] = "kexec", [INSTALL] = "install", [DIR] = "dir", [APPEND] = "append",
	};
	const unsigned int required = 1u << HOST | 1u << POWER_CYCLE | 1u << CONSOLE;
	struct ssh_box *b = &k->ssh;
	yaml_node_t *v[NKEYS];

	b->kexec = true;
	if (yfile_fields(f, map, "boot.ssh", keys, NKEYS, required, v) ||
	    yfile_str(f, v[HOST], "boot.ssh.host", &b->host) ||
	    (v[PORT] && get_port(f, v[PORT], &b->port)) ||
	    (v[USER] && yfile_str(f, v[USER], "boot.ssh.user", &b->user)) ||
	    (v[KEY] && yfile_str(f, v[KEY], "boot.ssh.key", &b->key)) ||
	    (v[KNOWN_HOSTS] && yfile_str(f, v[KNOWN_HOSTS], "boot.ssh.known-hosts", &b->known_hosts)) ||
	    yfile_argv(f, v[POWER_CYCLE], "boot.ssh.power-cycle", &b->power_cycle) ||
	    yfile_argv(f, v[CONSOLE], "boot.ssh.console", &b->console) ||
	    (v[KEXEC] && yfile_bool(f, v[KEXEC], "boot.ssh.kexec", &b->kexec)) ||
	    (v[INSTALL] && yfile_str(f, v[INSTALL], "boot.ssh.install", &b->install)) ||
	    (v[DIR] && yfile_str(f, v[DIR], "boot.ssh.dir", &b->dir)) ||
	    (v[APPEND] && yfile_str(f, v[APPEND], "boot.ssh.append", &b->append)))
		return -1;
	/* ssh would read "-oProxyCommand=..." as an option. */
	if (*b->host == '-')
		return yfile_bad(f, v[HOST], "invalid host '%s' for 'boot.ssh.host'", b->host);
	if (b->user && *b->user == '-')
		return yfile_bad(f, v[USER], "invalid user '%s' for 'boot.ssh.user'", b->user);
	/* Without kexec, only the box's boot loader can start the kernel: install tells it to. */
	if (!b->kexec && !b->install)
		return yfile_bad(f, map, "missing required key 'boot.ssh.install' (boot.ssh.kexec is false)");
	if (b->kexec && b->install)
		return yfile_bad(f, v[INSTALL], "'boot.ssh.install' is for 'kexec: false' only");
	if (b->dir && *b->dir != '/')
		return yfile_bad(f, v[DIR], "expected an absolute path for 'boot.ssh.dir', not '%s'", b->dir);
	if (!b->user)
		b->user = xstrdup("root");
	if (!b->dir)
		b->dir = xstrdup("/tmp/kbackport");
	if (!b->append)
		b->append = xstrdup("console=ttyS0,115200");
	if (!b->port)
		b->port = 22;
	k->has_ssh = true;
	return 0;
}

static int parse_boot(struct yfile *f, yaml_node_t *map, struct kernel_desc *k)
{
	static const char *const keys[] = { "runner", "qemu", "timeout", "ssh" };
	static const char *const runners[] = { "qemu", "lava", "ssh" };
	yaml_node_t *v[ARRAY_SIZE(keys)];
	size_t i;

	if (yfile_fields(f, map, "boot", keys, ARRAY_SIZE(keys), 0, v))
		return -1;
	if (v[0]) {
		free(k->boot_runner);
		k->boot_runner = NULL;
		if (yfile_str(f, v[0], "boot.runner", &k->boot_runner))
			return -1;
		for (i = 0; i < ARRAY_SIZE(runners) && strcmp(runners[i], k->boot_runner); i++)
			;
		if (i == ARRAY_SIZE(runners))
			return yfile_bad(f, v[0], "unknown runner '%s' for 'boot.runner' (expected qemu, lava or ssh)",
				   k->boot_runner);
	}
	if (v[1] && parse_qemu(f, v[1], k))
		return -1;
	if (v[2] && yfile_posint(f, v[2], "boot.timeout", &k->boot_timeout))
		return -1;
	if (v[3] && parse_ssh(f, v[3], k))
		return -1;
	if (!strcmp(k->boot_runner, "ssh") && !k->has_ssh)
		return yfile_bad(f, map, "missing required key 'boot.ssh' (boot.runner is ssh)");
	return 0;
}

/* The name must match the file so kernel_find() and the file agree. */
static int check_name(struct yfile *f, yaml_node_t *n, const char *name)
{
	const char *base = path_basename(f->path);
	size_t len = strlen(base);

	if (ends_with(base, ".yaml"))
		len -= strlen(".yaml");
	if (strlen(name) != len || strncmp(name, base, len))
		return yfile_bad(f, n, "name '%s' does not match the file name", name);
	return 0;
}

static int parse_root(struct yfile *f, yaml_node_t *root, struct kernel_desc *k)
{
	enum { NAME, DESCRIPTION, SOURCE, ARCH, CONFIG, BOOT, NKEYS };
	static const char *const keys[NKEYS] = {
		[NAME] = "name", [DESCRIPTION] = "description", [SOURCE] = "source",
		[ARCH] = "arch", [CONFIG] = "config", [BOOT] = "boot",
	};
	const unsigned int required = 1u << NAME | 1u << SOURCE | 1u << ARCH | 1u << CONFIG;
	yaml_node_t *v[NKEYS];

	if (yfile_fields(f, root, "", keys, NKEYS, required, v) ||
	    yfile_str(f, v[NAME], "name", &k->name) ||
	    check_name(f, v[NAME], k->name) ||
	    (v[DESCRIPTION] && yfile_str(f, v[DESCRIPTION], "description", &k->description)) ||
	    parse_source(f, v[SOURCE], k) ||
	    yfile_str(f, v[ARCH], "arch", &k->arch) ||
	    parse_config(f, v[CONFIG], k) ||
	    (v[BOOT] && parse_boot(f, v[BOOT], k)))
		return -1;
	return 0;
}

int kernel_load(const char *path, struct kernel_desc *k)
{
	struct yfile f;
	int ret;

	memset(k, 0, sizeof(*k));
	k->file = xstrdup(path);
	k->boot_runner = xstrdup("qemu");
	k->qemu_smp = 2;
	k->qemu_memory = 2048;
	k->boot_timeout = 600;
	ret = yfile_load(&f, path, "kernel description");
	if (!ret)
		ret = parse_root(&f, yfile_root(&f), k);
	yfile_free(&f);
	if (ret)
		kernel_free(k);
	return ret;
}

void kernel_free(struct kernel_desc *k)
{
	free(k->file);
	free(k->name);
	free(k->description);
	free(k->package);
	free(k->package_version);
	free(k->suite);
	free(k->git_path);
	free(k->git_ref);
	free(k->arch);
	free(k->config_base);
	sv_release(&k->config_fragments);
	free(k->vendor_config);
	free(k->boot_runner);
	free(k->ssh.host);
	free(k->ssh.user);
	free(k->ssh.key);
	free(k->ssh.known_hosts);
	free(k->ssh.install);
	sv_release(&k->ssh.power_cycle);
	sv_release(&k->ssh.console);
	free(k->ssh.dir);
	free(k->ssh.append);
	memset(k, 0, sizeof(*k));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The <name>.yaml files of dir, sorted; hidden files are editor droppings. */
static int list_yaml(const char *dir, struct strvec *files)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return error_code(KB_EXIT_NOINPUT, "cannot open directory '%s': %s", dir,
				  strerror(errno));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && ends_with(de->d_name, ".yaml"))
			sv_push(files, de->d_name);
	closedir(d);
	if (files->n)
		qsort(files->v, files->n, sizeof(*files->v), cmp_str);
	return 0;
}

int kernel_load_all(const char *dir, struct kernel_desc **out, size_t *nr)
{
	struct strvec files = STRVEC_INIT;
	struct kernel_desc *v;
	size_t i;

	*out = NULL;
	*nr = 0;
	if (list_yaml(dir, &files))
		return -1;
	v = xcalloc(files.n, sizeof(*v));
	for (i = 0; i < files.n; i++) {
		char *path = xasprintf("%s/%s", dir, files.v[i]);
		int ret = kernel_load(path, &v[i]);

		free(path);
		if (ret) {
			kernel_free_all(v, i);
			sv_release(&files);
			return -1;
		}
	}
	sv_release(&files);
	*out = v;
	*nr = i;
	return 0;
}

void kernel_free_all(struct kernel_desc *k, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		kernel_free(&k[i]);
	free(k);
}

int kernel_find(const char *name, struct kernel_desc *k)
{
	char *path;
	int ret;

	memset(k, 0, sizeof(*k));
	/* The name becomes a path under kernels/ and work/trees/. */
	if (!*name || *name == '.' || strchr(name, '/'))
		return error_code(KB_EXIT_BADINPUT, "invalid kernel name '%s'", name);
	path = xasprintf("%s/%s.yaml", kernels_dir(), name);
	if (!path_exists(path)) {
		error_code(KB_EXIT_NOINPUT, "unknown kernel '%s' (no %s)", name, path);
		free(path);
		return -1;
	}
	ret = kernel_load(path, k);
	free(path);
	return ret;
}

char *kernel_tarball(const struct kernel_desc *k)
{
	const char *dir = getenv("KBACKPORT_SRC_DIR");

	return xasprintf("%s/%s.tar.xz", dir && *dir ? dir : "/usr/src", k->package);
}

char *kernel_source_str(const struct kernel_desc *k)
{
	if (k->source == KSRC_GIT)
		return xasprintf("%s@%s", k->git_path, k->git_ref);
	return xstrdup(k->package);
}
