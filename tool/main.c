// SPDX-License-Identifier: GPL-2.0
/*
 * kbackport: port an upstream kernel patch series onto vendor trees,
 * build, boot and measure them. One subcommand per tool/cmd-<name>.c.
 */
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "builtin/builtin.h"
#include "lib/util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

static const struct command commands[] = {
	{ "series", cmd_series, "import a patch series from mail archives, show it",
	  "kbackport series import <file>... [-o DIR] [--version N] [--subject TEXT] [--json]\n"
	  "kbackport series show <DIR> [--json]\n"
	  "\n"
	  "import reads mbox files (git format-patch, b4), list-archive pages\n"
	  "(\"* [PATCH ...]\" messages, several threads mixed) and archive thread\n"
	  "views, picks one series (newest version unless --version), recovers\n"
	  "patches that survive only quoted in a reply, collects review trailers\n"
	  "and review items, and writes DIR/series.yaml, DIR/upstream/*.patch and\n"
	  "a copy of the inputs under DIR/archive/. Without -o nothing is written." },
	{ "kernels", cmd_kernels, "list kernel trees from kernels/, import one",
	  "kbackport kernels [list] [--json]\n"
	  "kbackport kernels import <name>\n"
	  "kbackport kernels versions <name>\n"
	  "\n"
	  "Each kernels/<name>.yaml describes one tree. import turns its source\n"
	  "(a Debian linux-source package or a git repository) into a git\n"
	  "repository under $KBACKPORT_WORK/trees/<name> (default work/), at the\n"
	  "revision the YAML pins (source.version) or the newest one (the installed\n"
	  "package, or the newest of source.suite, fetched with a private apt);\n"
	  "a tree at another revision moves to it. versions lists the revisions\n"
	  "Debian's archive offers for the package, newest first." },
	{ "port", cmd_port, "apply a series onto one kernel tree",
	  "kbackport port <kernel> [--series DIR] [--json] [--signoff 'Name <email>']\n"
	  "kbackport port --continue <kernel> [--series DIR]\n"
	  "\n"
	  "Resets branch backport/<series>/<kernel> of work/trees/<kernel> to the\n"
	  "imported base, applies the series' prerequisites (DIR/prereqs/) and\n"
	  "patches, one commit each, and tells how every hunk went: exact, offset,\n"
	  "fuzzy, whitespace, already present, dropped per review, or conflict.\n"
	  "A conflict stops the port (exit 6) with rejects under work/ports/<kernel>/;\n"
	  "--continue records the fixed tree as DIR/<kernel>/fixups/NNNN-*.patch\n"
	  "and ports again. The sign-off comes from git config, KBACKPORT_SIGNOFF\n"
	  "or --signoff." },
	{ "export", cmd_export, "export a ported branch as mbox or quilt series",
	  "kbackport export <kernel> --format mbox|quilt|branch [-o DIR] [--series DIR]\n"
	  "\n"
	  "mbox: DIR/backport.mbox (git am applies it to the base); quilt:\n"
	  "DIR/patches/series + DEP-3 headed patches (quilt push -a applies them to\n"
	  "the unpacked source); branch: prints the branch name and its tip.\n"
	  "DIR defaults to <series>/<kernel>/." },
	{ "refresh", cmd_refresh, "carry a port onto a new revision of its tree",
	  "kbackport refresh <kernel>... | --all [--series DIR] [--signoff 'Name <email>']\n"
	  "\n"
	  "For a tree whose source moved (a new Debian revision, a moved git ref):\n"
	  "imports the revision the kernel YAML gives (source.version pins one; else\n"
	  "the newest is tracked), ports the series again (fixups and review actions\n"
	  "replayed; a new conflict stops as 'port' does, exit 6, the committed\n"
	  "export left as it was), compares the new port with the committed\n"
	  "<series>/<kernel>/backport.mbox hunk by hunk (same, moved, context\n"
	  "changed, changed, new, dropped), writes the mbox and quilt exports, and\n"
	  "prints the summary (kept in <work>/ports/<kernel>/refresh.txt)." },
	{ "build", cmd_build, "build a kernel (base or patched)",
	  "kbackport build <kernel> [--variant base|patched|debug] [--series DIR] [--force] [--vendor-check]\n"
	  "\n"
	  "Checks out the variant (base: the imported tree; patched: branch\n"
	  "backport/<series>/<kernel>; debug: that commit with kernels/config/debug.config:\n"
	  "lockdep, sleep-in-atomic, list and KASAN checks) as a worktree under\n"
	  "work/worktrees/, merges the\n"
	  "config (kernels YAML base + fragments from kernels/config/, olddefconfig)\n"
	  "and fails naming any requested option that did not stick, then builds\n"
	  "bzImage in work/build/<kernel>/<variant> with ccache ($KBACKPORT_CCACHE_DIR,\n"
	  "default ~/.cache/kbackport-ccache) and -j$(nproc). The image is reused while\n"
	  "commit and merged config stay the same; --force rebuilds from clean.\n"
	  "patched also runs checkpatch.pl on every backported commit.\n"
	  "--vendor-check compiles the directories the port touched under the YAML's\n"
	  "vendor config with W=1 and sparse, base and patched, and lists new warnings.\n"
	  "Results: work/results/<kernel>/<variant>/build.json." },
	{ "boot", cmd_boot, "boot a built kernel in QEMU and run a workload",
	  "kbackport boot <kernel> [--variant base|patched|debug] [--workload NAME|FILE] [--timeout S]\n"
	  "               [--append 'ARGS'] [--force]\n"
	  "\n"
	  "Builds the guest initramfs (busybox, fio, mkfs.ext4, tool/guest/), boots the\n"
	  "variant's bzImage in QEMU (KVM if a probe boot works, else multi-threaded\n"
	  "TCG; KBACKPORT_ACCEL=kvm|tcg forces one) and runs the workload: a built-in\n"
	  "NAME from tool/guest/workloads/ (default smoke) or a shell script FILE;\n"
	  "--append adds kernel arguments (NAME=value ones reach the workload's\n"
	  "environment).\n"
	  "The console goes to work/results/<kernel>/<variant>/<workload>.console.log\n"
	  "(console.log: the latest) and is judged: clean, warn, bug, oops, panic,\n"
	  "hang (timeout, default from the YAML) or no-init. With boot.runner: ssh in\n"
	  "the YAML the kernel goes to a test box instead: copied with scp, booted by\n"
	  "kexec (or the box's boot loader and the power-cycle command), the console\n"
	  "read through the YAML's console command, the box power-cycled back. The result is\n"
	  "<workload>.json; a stored one is reused for the same image, initramfs and\n"
	  "settings unless --force. Exit 0: clean and the workload succeeded; 8: any\n"
	  "other verdict; 9: the workload failed." },
	{ "cocci", cmd_cocci, "survey which cocci/api rules a tree needs",
	  "kbackport cocci survey <kernel> [--json]\n"
	  "Probes the imported tree at refs/kbackport/base (symbols, signatures) for every\n"
	  "rule in cocci/api ($KBACKPORT_COCCI_API): needed / not needed / evidence.\n"
	  "`kbackport port` runs the needed ones, and backports/<series>/cocci/NNNN-*.cocci\n"
	  "after patch NNNN." },
	{ "matrix", cmd_matrix, "port, build, boot and measure every kernel",
	  "kbackport matrix [--series DIR] [--kernels a,b|all] [--stages port,build,boot,bench,debug]\n"
	  "                 [--jobs N] [--runner qemu|lava|ssh]\n"
	  "\n"
	  "For each kernel: kernels import, port, build base and patched, the\n"
	  "vendor-config check, boot both with the smoke workload (stage boot) and\n"
	  "with the dio workload (stage bench: correctness, NOWAIT table, IOPS),\n"
	  "and the debug flavour built and booted with the dio checks under lockdep,\n"
	  "sleep-in-atomic and KASAN (stage debug: any splat fails it),\n"
	  "each step a kbackport command that reuses its stored result while its\n"
	  "inputs are unchanged; run it again to resume after an interruption.\n"
	  "At most N builds or boots at once (default 1), import and port beside\n"
	  "them, the dio boots alone. A failed step skips its kernel's later\n"
	  "stages. qemu and ssh boot through 'kbackport boot' (the YAML's runner\n"
	  "must match), lava through 'kbackport lava --run-local'.\n"
	  "$KBACKPORT_BUILD_LOCK names a file locked around every build step.\n"
	  "Ends with the table and <work>/report/{report.txt,report.json,index.html}.\n"
	  "Exit 0 when every kernel passed every selected stage, else the earliest\n"
	  "failing stage's code: 6 port, 7 build, 8 boot, 9 tests and debug; 128+N if killed." },
	{ "report", cmd_report, "show stored results as text, JSON or HTML",
	  "kbackport report [--format text|json|html] [-o FILE] [--kernels a,b|all]\n"
	  "\n"
	  "Reads only the result store (<work>/ports/, <work>/results/) and the\n"
	  "series' bench-reference.json: one row per kernel with ✔/✘ per stage and\n"
	  "the reason for every ✘. json: schema kbackport-report/1 (README); html:\n"
	  "one self-contained page with per-kernel detail and IOPS-vs-jobs plots." },
	{ "lava", cmd_lava, "write, run or submit a LAVA job",
	  "kbackport lava <kernel> [--variant base|patched|debug] [--workload NAME|FILE] [--append 'ARGS']\n"
	  "               [--lab PROFILE]\n"
	  "               [-o job.yaml] [--validate] [--run-local | --submit URL [--wait] [--token-file F]]\n"
	  "\n"
	  "Writes a LAVA job: deploy the variant's bzImage and the guest initramfs\n"
	  "(file:// URLs, or the profile's artifact-url/<kernel>/<variant>/), boot\n"
	  "them (the profile's method: qemu, u-boot, grub, ipxe, depthcharge) and run\n"
	  "the workload in LAVA's test shell, each case reported with lava-test-case.\n"
	  "PROFILE: kernels/labs/<name>.yaml (default qemu) or a file: device type,\n"
	  "boot method, timeouts, tags, priority, visibility. Every job is checked\n"
	  "with LAVA's own schema (lava_common); without -o it goes to stdout and to\n"
	  "work/results/<kernel>/<variant>/<workload>.lava-job.yaml; --validate only checks.\n"
	  "--run-local runs it with lava-run on a QEMU device rendered from lava-server's\n"
	  "device-type templates (KBACKPORT_LAVA_DEVICE_TYPES overrides where they are);\n"
	  "--submit posts it to a LAVA server (REST API v0.2; token from\n"
	  "KBACKPORT_LAVA_TOKEN or a mode 0600 file: --token-file, KBACKPORT_LAVA_TOKEN_FILE),\n"
	  "--wait polls until it finishes (every KBACKPORT_LAVA_POLL s, default 10).\n"
	  "Both import LAVA's log into <workload>.json as kbackport boot writes it, with\n"
	  "\"runner\": \"lava\"; exit codes as for boot." },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: kbackport <command> [<args>]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "   %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'kbackport help <command>' shows the usage of one command.\n");
}

void usage_of(const char *name)
{
	const struct command *c = find_command(name);

	if (c)
		fprintf(stderr, "usage: %s\n", c->usage);
}

static int help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		print_help(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c) {
		error("unknown command '%s'", argv[1]);
		return KB_EXIT_USAGE;
	}
	printf("usage: %s\n", c->usage);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		print_help(stderr);
		return KB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return help(argc - 1, argv + 1);
	c = find_command(argv[1]);
	if (!c) {
		error("unknown command '%s' (see 'kbackport --help')", argv[1]);
		return KB_EXIT_USAGE;
	}
	if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		printf("usage: %s\n", c->usage);
		return 0;
	}
	/* Once, before any command can reach libgit2 (hashes, trees, notes). */
	if (git_libgit2_init() < 0)
		die("cannot initialize libgit2");
	return c->fn(argc - 1, argv + 1);
}
