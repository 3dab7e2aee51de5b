// SPDX-License-Identifier: GPL-2.0
/* kernel.c: kernels/<name>.yaml, valid and invalid, one table row each. */
#include <stdlib.h>
#include <unistd.h>

#include "lib/kernel.h"
#include "unit.h"
#include "lib/util.h"

/* One YAML text written to <tmpdir>/<file>, and what kernel_load() must make of it. */
struct kcase {
	const char *file;
	const char *yaml;		/* NULL: do not create the file */
	int code;			/* expected kb_errcode, 0 for success */
	const char *msg;		/* expected in the one error line */
	int (*check)(const struct kernel_desc *k);
};

#define FULL \
	"name: debian-6.12\n" \
	"description: Debian 12 kernel 6.12\n" \
	"source:\n" \
	"  debian-package: linux-source-6.12   # a comment\n" \
	"arch: x86_64\n" \
	"config:\n" \
	"  base: tinyconfig\n" \
	"  fragments: [qemu-minimal.config, debug.config]\n" \
	"  vendor-config: /usr/src/linux-config-6.12/config.amd64_none_amd64.xz\n" \
	"boot:\n" \
	"  runner: qemu\n" \
	"  qemu: {smp: 4, memory: 512}\n" \
	"  timeout: 900\n"

#define GIT \
	"name: mainline\n" \
	"source:\n" \
	"  git: {path: /srv/linux, ref: v6.6.60}\n" \
	"arch: x86_64\n" \
	"config:\n" \
	"  base: tinyconfig\n"

#define SSH_HEAD \
	"name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n" \
	"config: {base: tinyconfig}\nboot:\n  runner: ssh\n"

#define SSH_MIN \
	SSH_HEAD \
	"  ssh:\n" \
	"    host: box1.lab\n" \
	"    power-cycle: [pdu, cycle, '3']\n" \
	"    console: [conserver-console, box1]\n"

#define SSH_FULL \
	SSH_HEAD \
	"  ssh:\n" \
	"    host: 10.0.0.7\n" \
	"    port: 2222\n" \
	"    user: kb\n" \
	"    key: ~/.ssh/lab\n" \
	"    known-hosts: /etc/kb/known_hosts\n" \
	"    power-cycle: [pdu, cycle, '3']\n" \
	"    console: [ipmitool, sol, activate]\n" \
	"    kexec: true\n" \
	"    dir: /var/tmp/kb\n" \
	"    append: console=ttyS1,115200 earlyprintk=serial\n"

static int check_ssh_min(const struct kernel_desc *k)
{
	const struct ssh_box *b = &k->ssh;

	CHECK_STR(k->boot_runner, "ssh");
	CHECK(k->has_ssh);
	CHECK_STR(b->host, "box1.lab");
	CHECK(b->port == 22);
	CHECK_STR(b->user, "root");
	CHECK(!b->key && !b->known_hosts);
	CHECK(b->power_cycle.n == 3);
	CHECK_STR(b->power_cycle.v[0], "pdu");
	CHECK_STR(b->power_cycle.v[2], "3");
	CHECK(b->console.n == 2);
	CHECK_STR(b->console.v[1], "box1");
	CHECK_STR(b->dir, "/tmp/kbackport");
	CHECK_STR(b->append, "console=ttyS0,115200");
	CHECK(b->kexec && !b->install);
	return 0;
}

static int check_ssh_full(const struct kernel_desc *k)
{
	const struct ssh_box *b = &k->ssh;

	CHECK_STR(b->host, "10.0.0.7");
	CHECK(b->port == 2222);
	CHECK_STR(b->user, "kb");
	CHECK_STR(b->key, "~/.ssh/lab");
	CHECK_STR(b->known_hosts, "/etc/kb/known_hosts");
	CHECK(b->console.n == 3);
	CHECK_STR(b->console.v[0], "ipmitool");
	CHECK_STR(b->dir, "/var/tmp/kb");
	CHECK_STR(b->append, "console=ttyS1,115200 earlyprintk=serial");
	return 0;
}

static int check_ssh_install(const struct kernel_desc *k)
{
	CHECK(!k->ssh.kexec);
	CHECK_STR(k->ssh.install, "grub-reboot kbackport");
	return 0;
}

/* boot.ssh with another runner is kept for when ssh is chosen. */
static int check_ssh_qemu(const struct kernel_desc *k)
{
	CHECK_STR(k->boot_runner, "qemu");
	CHECK(k->has_ssh);
	CHECK_STR(k->ssh.host, "box1.lab");
	return 0;
}

static int check_full(const struct kernel_desc *k)
{
	CHECK_STR(k->name, "debian-6.12");
	CHECK_STR(k->description, "Debian 12 kernel 6.12");
	CHECK(k->source == KSRC_DEBIAN_PACKAGE);
	CHECK_STR(k->package, "linux-source-6.12");
	CHECK(!k->git_path && !k->git_ref);
	CHECK_STR(k->arch, "x86_64");
	CHECK_STR(k->config_base, "tinyconfig");
	CHECK(k->config_fragments.n == 2);
	CHECK_STR(k->config_fragments.v[0], "qemu-minimal.config");
	CHECK_STR(k->config_fragments.v[1], "debug.config");
	CHECK_STR(k->vendor_config, "/usr/src/linux-config-6.12/config.amd64_none_amd64.xz");
	CHECK_STR(k->boot_runner, "qemu");
	CHECK(k->qemu_smp == 4 && k->qemu_memory == 512 && k->boot_timeout == 900);
	return 0;
}

static int check_git(const struct kernel_desc *k)
{
	char *s = kernel_source_str(k);
	int bad = strcmp(s, "/srv/linux@v6.6.60");

	free(s);
	CHECK(!bad);
	CHECK(k->source == KSRC_GIT);
	CHECK_STR(k->git_path, "/srv/linux");
	CHECK_STR(k->git_ref, "v6.6.60");
	CHECK(!k->package && !k->description && !k->vendor_config);
	CHECK(k->config_fragments.n == 0);
	/* the defaults of everything under boot */
	CHECK_STR(k->boot_runner, "qemu");
	CHECK(k->qemu_smp == 2 && k->qemu_memory == 2048 && k->boot_timeout == 600);
	return 0;
}

static int check_tarball(const struct kernel_desc *k)
{
	char *t;
	int bad;

	setenv("KBACKPORT_SRC_DIR", "/tmp/src", 1);
	t = kernel_tarball(k);
	unsetenv("KBACKPORT_SRC_DIR");
	bad = strcmp(t, "/tmp/src/linux-source-6.12.tar.xz");
	free(t);
	CHECK(!bad);
	t = kernel_tarball(k);
	bad = strcmp(t, "/usr/src/linux-source-6.12.tar.xz");
	free(t);
	CHECK(!bad);
	return 0;
}

/* Runs fn with stderr going to a file; returns what it wrote. */
static char *capture_stderr(int (*fn)(const char *, struct kernel_desc *), const char *arg,
			    struct kernel_desc *k, int *ret)
{
	char path[] = "/tmp/kb-unit-err-XXXXXX";
	struct strbuf sb = STRBUF_INIT;
	int fd = mkstemp(path), saved;

	if (fd < 0) {
		*ret = -2;	/* fails every verdict */
		return xstrdup("cannot create a temporary file\n");
	}
	saved = dup(2);
	fflush(stderr);
	dup2(fd, 2);
	*ret = fn(arg, k);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	read_file(path, &sb);
	unlink(path);
	return sb_detach(&sb);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The outcome: success and check(), or exactly one error line with msg and the file. */
static int verdict(const struct kcase *c, int ret, const char *err, const char *path,
		   const struct kernel_desc *k)
{
	if (!c->code) {
		CHECK_STR(err, "");
		CHECK(ret == 0);
		return c->check ? c->check(k) : 0;
	}
	if (ret != -1 || kb_errcode != c->code || count_lines(err) != 1 ||
	    !strstr(err, c->msg) || !strstr(err, path)) {
		fprintf(stderr, "    got %d, code %d, stderr: %s", ret, kb_errcode, err);
		return 1;
	}
	CHECK(!k->name && !k->file);
	return 0;
}

static int run_case(const void *arg)
{
	const struct kcase *c = arg;
	char dir[] = "/tmp/kb-unit-kernel-XXXXXX";
	struct kernel_desc k;
	char *path, *err;
	int ret, fail;

	CHECK(mkdtemp(dir));
	path = xasprintf("%s/%s", dir, c->file);
	if (c->yaml && write_file_atomic(path, c->yaml, strlen(c->yaml))) {
		free(path);
		return 1;
	}
	kb_errcode = 0;
	err = capture_stderr(kernel_load, path, &k, &ret);
	fail = verdict(c, ret, err, path, &k);
	kernel_free(&k);
	free(err);
	unlink(path);
	rmdir(dir);
	free(path);
	return fail;
}

#define ROW(label, file, yaml, code, msg, check) \
	{ label, run_case, &(const struct kcase){ file, yaml, code, msg, check } }
#define BADROW(label, yaml, msg) ROW(label, "debian-6.12.yaml", yaml, KB_EXIT_BADINPUT, msg, NULL)

static int test_find(const void *arg)
{
	struct kernel_desc k;
	char *err;
	int ret;

	(void)arg;
	setenv("KBACKPORT_KERNELS_DIR", "/nonexistent-kernels", 1);
	kb_errcode = 0;
	err = capture_stderr(kernel_find, "nosuch", &k, &ret);
	unsetenv("KBACKPORT_KERNELS_DIR");
	ret = ret == -1 && kb_errcode == KB_EXIT_NOINPUT &&
	      strstr(err, "unknown kernel 'nosuch' (no /nonexistent-kernels/nosuch.yaml)");
	free(err);
	CHECK(ret);
	kb_errcode = 0;
	err = capture_stderr(kernel_find, "../etc/x", &k, &ret);
	ret = ret == -1 && kb_errcode == KB_EXIT_BADINPUT && strstr(err, "invalid kernel name '../etc/x'");
	free(err);
	CHECK(ret);
	return 0;
}

/* Files come back sorted by name; other files are not kernels. */
static int test_load_all(const void *arg)
{
	static const char *const names[] = { "b", "a", "c" };
	char dir[] = "/tmp/kb-unit-kernels-XXXXXX";
	struct kernel_desc *ks = NULL;
	size_t n = 0;
	char *p;
	int ret;

	(void)arg;
	CHECK(mkdtemp(dir));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *text = xasprintf("name: %s\nsource: {git: {path: /x, ref: HEAD}}\n"
				       "arch: x86_64\nconfig: {base: tinyconfig}\n", names[i]);

		p = xasprintf("%s/%s.yaml", dir, names[i]);
		write_file_atomic(p, text, strlen(text));
		free(text);
		free(p);
	}
	p = xasprintf("%s/README", dir);
	write_file_atomic(p, "not yaml: [", 11);
	free(p);
	ret = kernel_load_all(dir, &ks, &n);
	ret = ret == 0 && n == 3 && !strcmp(ks[0].name, "a") && !strcmp(ks[1].name, "b") &&
	      !strcmp(ks[2].name, "c");
	kernel_free_all(ks, n);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		p = xasprintf("%s/%s.yaml", dir, names[i]);
		unlink(p);
		free(p);
	}
	p = xasprintf("%s/README", dir);
	unlink(p);
	free(p);
	rmdir(dir);
	CHECK(ret);
	return 0;
}

static int check_pinned(const struct kernel_desc *k)
{
	CHECK_STR(k->package, "linux-source-5.10");
	CHECK_STR(k->package_version, "5.10.262-1");
	CHECK_STR(k->suite, "bullseye-security");
	return 0;
}

static int check_tracked(const struct kernel_desc *k)
{
	CHECK(!k->package_version && !k->suite);
	return 0;
}

#define PINNED(version, suite) \
	"name: debian-6.12\nsource: {debian-package: linux-source-5.10, version: " version \
	", suite: " suite "}\narch: x86_64\nconfig: {base: tinyconfig}\n"

static const struct unit_case cases[] = {
	ROW("source.version and source.suite", "debian-6.12.yaml", PINNED("5.10.262-1", "bullseye-security"), 0,
	    NULL, check_pinned),
	ROW("no version: the newest is tracked", "debian-6.12.yaml", FULL, 0, NULL, check_tracked),
	ROW("an epoch and a tilde are Debian versions", "debian-6.12.yaml", PINNED("1:6.12.117-1~deb12u1", "trixie"),
	    0, NULL, NULL),
	BADROW("a version that is no Debian version", PINNED("../../x", "bookworm"),
	       "invalid Debian version '../../x' for 'source.version'"),
	BADROW("a version with a shell character", PINNED("'6.1;rm'", "bookworm"),
	       "invalid Debian version '6.1;rm' for 'source.version'"),
	BADROW("a suite with a slash", PINNED("6.1.192-2", "bookworm/updates"),
	       "invalid Debian suite 'bookworm/updates' for 'source.suite'"),
	BADROW("an empty version", PINNED("''", "bookworm"), "invalid Debian version '' for 'source.version'"),
	BADROW("a version for a git source",
	       "name: debian-6.12\nsource: {git: {path: /x, ref: y}, version: 1.0-1}\narch: x86_64\nconfig: {base: tinyconfig}\n",
	       "'source.version' is for a Debian package; a git source is pinned by its ref"),
	ROW("valid debian-package", "debian-6.12.yaml", FULL, 0, NULL, check_full),
	ROW("tarball path, KBACKPORT_SRC_DIR", "debian-6.12.yaml", FULL, 0, NULL, check_tarball),
	ROW("valid git source, defaults", "mainline.yaml", GIT, 0, NULL, check_git),
	ROW("missing file", "nosuch.yaml", NULL, KB_EXIT_NOINPUT, "cannot open", NULL),
	BADROW("unknown top-level key", FULL "colour: red\n", "unknown key 'colour'"),
	BADROW("unknown nested key",
	       "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n"
	       "config: {base: tinyconfig}\nboot:\n  qemu: {smp: 2, cpus: 2}\n",
	       "unknown key 'boot.qemu.cpus' in"),
	BADROW("unknown key under source.git",
	       "name: debian-6.12\nsource: {git: {path: /x, ref: y, branch: z}}\narch: x86_64\n"
	       "config: {base: tinyconfig}\n", "unknown key 'source.git.branch'"),
	BADROW("duplicate key", FULL "arch: arm64\n", "duplicate key 'arch'"),
	BADROW("missing name",
	       "source: {debian-package: linux-source-6.12}\narch: x86_64\nconfig: {base: tinyconfig}\n",
	       "missing required key 'name'"),
	BADROW("missing config.base",
	       "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n"
	       "config: {fragments: []}\n", "missing required key 'config.base'"),
	BADROW("missing git ref",
	       "name: debian-6.12\nsource: {git: {path: /x}}\narch: x86_64\nconfig: {base: tinyconfig}\n",
	       "missing required key 'source.git.ref'"),
	ROW("name does not match the file", "debian-6.1.yaml", FULL, KB_EXIT_BADINPUT,
	    "name 'debian-6.12' does not match the file name", NULL),
	BADROW("both sources",
	       "name: debian-6.12\nsource:\n  debian-package: linux-source-6.12\n"
	       "  git: {path: /x, ref: y}\narch: x86_64\nconfig: {base: tinyconfig}\n",
	       "both 'source.debian-package' and 'source.git' given"),
	BADROW("no source",
	       "name: debian-6.12\nsource: {}\narch: x86_64\nconfig: {base: tinyconfig}\n",
	       "missing 'source.debian-package' or 'source.git'"),
	BADROW("bad package name",
	       "name: debian-6.12\nsource: {debian-package: 'linux; rm -rf /'}\narch: x86_64\n"
	       "config: {base: tinyconfig}\n", "invalid package name 'linux; rm -rf /'"),
	BADROW("smp not a number",
	       "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n"
	       "config: {base: tinyconfig}\nboot: {qemu: {smp: two}}\n",
	       "invalid value 'two' for 'boot.qemu.smp' (expected a positive integer)"),
	BADROW("smp zero",
	       "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n"
	       "config: {base: tinyconfig}\nboot: {qemu: {smp: 0}}\n",
	       "invalid value '0' for 'boot.qemu.smp'"),
	BADROW("memory with a unit",
	       "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n"
	       "config: {base: tinyconfig}\nboot: {qemu: {memory: 2G}}\n",
	       "invalid value '2G' for 'boot.qemu.memory'"),
	BADROW("unknown runner",
	       "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n"
	       "config: {base: tinyconfig}\nboot: {runner: vbox}\n", "unknown runner 'vbox'"),
	ROW("ssh runner, defaults", "debian-6.12.yaml", SSH_MIN, 0, NULL, check_ssh_min),
	ROW("ssh runner, every key", "debian-6.12.yaml", SSH_FULL, 0, NULL, check_ssh_full),
	ROW("boot.ssh under runner qemu", "debian-6.12.yaml",
	    "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n"
	    "config: {base: tinyconfig}\nboot:\n  ssh: {host: box1.lab, power-cycle: [p], console: [c]}\n",
	    0, NULL, check_ssh_qemu),
	BADROW("ssh runner without boot.ssh", SSH_HEAD, "missing required key 'boot.ssh' (boot.runner is ssh)"),
	BADROW("ssh without host", SSH_HEAD "  ssh: {power-cycle: [p], console: [c]}\n",
	       "missing required key 'boot.ssh.host'"),
	BADROW("ssh without console", SSH_HEAD "  ssh: {host: b, power-cycle: [p]}\n",
	       "missing required key 'boot.ssh.console'"),
	BADROW("ssh unknown key", SSH_MIN "    password: secret\n", "unknown key 'boot.ssh.password'"),
	BADROW("power-cycle a string", SSH_HEAD "  ssh: {host: b, power-cycle: 'pdu cycle', console: [c]}\n",
	       "expected a list for 'boot.ssh.power-cycle'"),
	BADROW("console an empty list", SSH_HEAD "  ssh: {host: b, power-cycle: [p], console: []}\n",
	       "expected a command (a list: program and arguments) for 'boot.ssh.console'"),
	BADROW("ssh port out of range", SSH_MIN "    port: 70000\n",
	       "invalid value '70000' for 'boot.ssh.port' (expected 1 to 65535)"),
	BADROW("ssh port not a number", SSH_MIN "    port: ssh\n", "invalid value 'ssh' for 'boot.ssh.port'"),
	ROW("ssh without kexec, install given", "debian-6.12.yaml",
	    SSH_MIN "    kexec: false\n    install: grub-reboot kbackport\n", 0, NULL, check_ssh_install),
	BADROW("kexec false without install", SSH_MIN "    kexec: false\n",
	       "missing required key 'boot.ssh.install' (boot.ssh.kexec is false)"),
	BADROW("install with kexec", SSH_MIN "    install: grub-reboot kbackport\n",
	       "'boot.ssh.install' is for 'kexec: false' only"),
	BADROW("kexec not a boolean", SSH_MIN "    kexec: maybe\n", "expected true or false for 'boot.ssh.kexec'"),
	BADROW("ssh dir relative", SSH_MIN "    dir: tmp/kb\n",
	       "expected an absolute path for 'boot.ssh.dir', not 'tmp/kb'"),
	BADROW("ssh host an option", SSH_HEAD "  ssh: {host: -oProxyCommand=x, power-cycle: [p], console: [c]}\n",
	       "invalid host '-oProxyCommand=x' for 'boot.ssh.host'"),
	BADROW("fragments not a list",
	       "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch: x86_64\n"
	       "config: {base: tinyconfig, fragments: a.config}\n",
	       "expected a list for 'config.fragments'"),
	BADROW("empty arch",
	       "name: debian-6.12\nsource: {debian-package: linux-source-6.12}\narch:\n"
	       "config: {base: tinyconfig}\n", "expected a non-empty string for 'arch'"),
	BADROW("empty file", "", "empty kernel description"),
	BADROW("only a comment", "# nothing yet\n", "empty kernel description"),
	BADROW("not a mapping", "- name\n- source\n", "expected a mapping at the top"),
	BADROW("a scalar", "debian-6.12\n", "expected a mapping at the top"),
	BADROW("source not a mapping",
	       "name: debian-6.12\nsource: linux-source-6.12\narch: x86_64\nconfig: {base: tinyconfig}\n",
	       "expected a mapping for 'source'"),
	BADROW("syntax error", "name: [debian-6.12\n", "cannot parse"),
	BADROW("two documents", FULL "---\nname: x\n", "more than one document"),
	{ "kernel_find: unknown and invalid names", test_find, NULL },
	{ "kernel_load_all: sorted by name", test_load_all, NULL },
};

SUITE(suite_kernel, "kernel", cases);
