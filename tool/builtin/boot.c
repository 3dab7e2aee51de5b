// SPDX-License-Identifier: GPL-2.0
/*
 * kbackport boot <kernel> [--variant base|patched|posted|debug] [--workload NAME|FILE] [--timeout S]
 *                [--append 'ARGS'] [--round N] [--series DIR] [--force]
 *
 * Boots the built image of one variant with the guest initramfs, in QEMU
 * or on an ssh test box (boot.runner: ssh, tool/ssh.h), runs one
 * workload, and writes <work>/results/<kernel>/<variant>/
 * <workload>.json and <workload>.console.log (console.log points at the
 * latest; round N > 1: <workload>.round-N.*). Exit 0 only for a clean
 * console (or one showing only what the series' known-defects table lists
 * for this kernel and variant) and a workload that finished with status 0;
 * 8 for any other kernel verdict; 9 for a failed workload.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin/builtin.h"
#include "boot/guest.h"
#include "lib/kernel.h"
#include "boot/qemu.h"
#include "boot/record.h"
#include "lib/store.h"
#include "boot/ssh.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	{ "variant", 'v', 0, "base|patched|posted|debug", "what to boot (default: base)" },
	{ "workload", 'w', 0, "NAME|FILE", "a workload of tool/guest/workloads/ or a shell script (default: smoke)" },
	{ "timeout", 't', 0, "S", "give the boot up after S seconds (default: the YAML's boot.timeout)" },
	{ "append", 'a', 0, "'ARGS'", "more kernel arguments; NAME=value ones reach the workload's environment" },
	{ "round", 'r', 0, "N", "measure again: round N, 1 to 16, kept beside round 1 (default: 1)" },
	{ "series", 's', 0, "DIR", "the series results are kept under (default: the only one in backports/)" },
	{ "force", 'f', 0, NULL, "boot again even when a stored result holds" },
	{ NULL },
};

const struct kb_usage usage_boot = {
	.name = "boot",
	.summary = "boot a built kernel in QEMU or on a test box, run a workload",
	.forms = (const char *const[]){
		"boot <kernel> [{variant}] [{workload}] [{timeout}] [{append}] [{round}] [{series}] [{force}]",
		NULL,
	},
	.options = options,
	.text = "Builds the guest initramfs (busybox, fio, mkfs.ext4, tool/guest/), boots the\n"
		"variant's bzImage in QEMU (KVM if a probe boot works, else multi-threaded\n"
		"TCG; KBACKPORT_ACCEL=kvm|tcg forces one) and runs the workload: a built-in\n"
		"NAME from tool/guest/workloads/ (default smoke) or a shell script FILE;\n"
		"--append adds kernel arguments (NAME=value ones reach the workload's\n"
		"environment).\n"
		"The console goes to work/results/<series>/<kernel>/<variant>/<workload>.console.log\n"
		"(console.log: the latest) and is judged: clean, known, warn, bug, oops,\n"
		"panic, hang (timeout, default from the YAML) or no-init; known: only\n"
		"what <series>/expect/known-<variant>-<kernel>.json lists, the defects the\n"
		"series fixes, shown by a kernel without it (its workload checks read the\n"
		"same table). With boot.runner: ssh in\n"
		"the YAML the kernel goes to a test box instead: copied with scp, booted by\n"
		"kexec (or the box's boot loader and the power-cycle command), the console\n"
		"read through the YAML's console command, the box power-cycled back. The result is\n"
		"<workload>.json; a stored one is reused for the same image, initramfs and\n"
		"settings unless --force. --round N (N > 1) boots the same again to measure\n"
		"again, kept as <workload>.round-N.json and reused by the same rule; the\n"
		"record says how busy the rest of the host was meanwhile (QEMU only).\n"
		"Exit 0: clean or known and the workload succeeded; 8: any other verdict;\n"
		"9: the workload failed.",
};

/* The scratch virtio-blk disk every boot gets, emptied each time. */
#define SCRATCH_MIB 256
/* Console lines shown when something went wrong. */
#define SHOW_LINES 15

struct boot {
	struct kernel_desc k;
	const char *variant;
	struct guest_workload w;
	double timeout;
	int round;		/* 1..BOOT_MAX_ROUNDS */
	bool force;
	const char *extra;	/* --append: more kernel arguments, e.g. a workload's NAME=value settings */
	char *series;		/* the series name results are kept under */
	char *series_dir;	/* its directory: the expectation tables the image carries */
	char *dir;		/* results */
	json_t *build;		/* the variant's build.json */
	char *initrd;
	char *accel;		/* QEMU only */
	char *accel_why;
	char *append;
	bool ssh;		/* boot.runner: ssh */
	struct ssh_boot_info box;
};

static const char *build_str(const struct boot *b, const char *key)
{
	return json_string_value(json_object_get(b->build, key));
}

/* How the test box starts the kernel. */
static const char *box_boot(const struct boot *b)
{
	return b->k.ssh.kexec ? "kexec" : "power-cycle";
}

/* The test box and its settings, in place of QEMU's. */
static char *ssh_key_text(const struct boot *b)
{
	char *box = ssh_box_str(&b->k.ssh);
	char *text = xasprintf("boot\nrunner ssh\nbox %s\nbox-boot %s\nbox-append %s\nimage %s\ninitrd %s\n"
			       "workload %s\ntimeout %.0f\nappend %s\n", box, box_boot(b), b->k.ssh.append,
			       build_str(b, "image_hash"), path_basename(b->initrd), b->w.name, b->timeout, b->append);

	free(box);
	return text;
}

/* A boot is reusable when kernel image, initramfs, workload and QEMU (or box) settings are all the same. */
static char *boot_key(const struct boot *b)
{
	char *text = b->ssh ? ssh_key_text(b) :
		xasprintf("boot\nimage %s\ninitrd %s\nworkload %s\naccel %s\nsmp %d\nmemory %d\ntimeout %.0f\n"
			  "append %s\n", build_str(b, "image_hash"), path_basename(b->initrd), b->w.name,
			  b->accel, b->k.qemu_smp, b->k.qemu_memory, b->timeout, b->append);
	results_hash h;
	char *key = NULL;

	/* later rounds are boots of their own; round 1 keeps the key it always had, so stored results hold */
	if (b->round > 1) {
		char *with = xasprintf("%sround %d\n", text, b->round);

		free(text);
		text = with;
	}
	if (!results_hash_buf(text, strlen(text), h))
		key = xasprintf("boot:%s", h);
	free(text);
	return key;
}

/* Where an ssh boot ran: null for QEMU. */
static json_t *box_json(const struct boot *b)
{
	const struct ssh_boot_info *i = &b->box;

	if (!b->ssh)
		return json_null();
	return json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:f, s:b, s:b, s:o}", "host", b->k.ssh.host,
			 "port", b->k.ssh.port, "user", b->k.ssh.user, "boot", box_boot(b),
			 "box_kernel", results_str(i->box_kernel), "cmdline", results_str(i->cmdline),
			 "copy_seconds", i->copy_seconds, "console_closed", i->console_closed,
			 "back", i->back, "back_seconds", i->back ? json_real(i->back_seconds) : json_null());
}

static json_t *boot_json(const struct boot *b, const char *key, const char *console,
			 const struct boot_result *r)
{
	struct boot_record rec = {
		.runner = b->ssh ? "ssh" : "qemu", .kernel = b->k.name, .variant = b->variant, .build = b->build,
		.initrd = b->initrd, .cache_key = key, .w = &b->w, .accel = b->accel, .accel_why = b->accel_why,
		/* a box is real hardware (or stands for it): no QEMU settings apply */
		.vcpus = b->ssh ? 0 : b->k.qemu_smp, .memory_mib = b->ssh ? 0 : b->k.qemu_memory,
		.timeout = b->timeout, .kernel_args = b->append, .verdict = r->verdict, .timed_out = r->timed_out,
		.qemu_ran = !b->ssh, .qemu_exit = r->qemu_status, .init_seconds = r->init_seconds,
		.workload_seconds = r->workload_seconds, .total_seconds = r->total_seconds,
		.console = &r->console, .console_path = console, .round = b->round,
		.host = r->host_measured ? &r->host : NULL, .extra_name = "box", .extra = box_json(b),
	};

	return boot_record_json(&rec);
}

/* "known": the only findings are the defects the series fixes, on a kernel without it */
static int exit_code(const char *verdict, const char *status)
{
	if (strcmp(verdict, "clean") && strcmp(verdict, "known"))
		return KB_EXIT_BOOT;
	return strcmp(status, "done") ? KB_EXIT_TEST : 0;
}

static void print_tail(const struct console_report *c)
{
	size_t from = c->tail.n > SHOW_LINES ? c->tail.n - SHOW_LINES : 0;

	printf("last console lines:\n");
	for (size_t i = from; i < c->tail.n; i++)
		printf("    | %s\n", c->tail.v[i]);
}

static void print_box(const struct boot *b, const char *prefix, const struct boot_result *r)
{
	if (r->timed_out)
		printf("%s: no end after %.0f s: console given up\n", prefix, b->timeout);
	else if (b->box.console_closed)
		printf("%s: the console command ended after %.1f s, before the workload did\n", prefix,
		       r->total_seconds);
	else
		printf("%s: console watched for %.1f s\n", prefix, r->total_seconds);
	if (b->box.back)
		printf("%s: test box power-cycled, back on its OS after %.1f s\n", prefix, b->box.back_seconds);
}

static void print_result(const struct boot *b, const char *prefix, const struct boot_result *r,
			 const char *console, const char *json_path)
{
	const struct console_report *c = &r->console;
	const char *status = console_workload_status(&r->console);

	if (r->init_seconds >= 0)
		printf("%s: init after %.1f s (guest uptime %.1f s), workload started after %.1f s\n", prefix,
		       r->init_seconds, c->guest_uptime_at_init, r->workload_seconds);
	if (b->ssh)
		print_box(b, prefix, r);
	else if (r->timed_out)
		printf("%s: no end after %.0f s: QEMU killed\n", prefix, b->timeout);
	else
		printf("%s: QEMU exited (status %d) after %.1f s\n", prefix, r->qemu_status, r->total_seconds);
	for (size_t i = 0; i < c->nfindings; i++)
		printf("    %s:%zu: [%s%s] %s\n", path_basename(console), c->findings[i].lineno, c->findings[i].kind,
		       c->findings[i].known ? ", known" : "", c->findings[i].line);
	if (r->host_measured)
		printf("%s: host %s: other processes %.2f CPUs on average, steal %.1f s, load %.2f to %.2f (nproc %d)\n",
		       prefix, r->host.busy ? "busy" : "quiet", r->host.wall > 0 ? r->host.other_cpu / r->host.wall : 0,
		       r->host.steal, r->host.load_start, r->host.load_end, r->host.nproc);
	printf("%s: workload %s: %s", prefix, b->w.name, status);
	if (c->workload_ended)
		printf(" (exit %d)", c->workload_exit);
	if (c->result_error)
		printf(": %s", c->result_error);
	printf("\n");
	if (c->result) {
		char *s = json_dumps(c->result, JSON_COMPACT | JSON_SORT_KEYS);

		printf("%s: result: %s\n", prefix, s ? s : "?");
		free(s);
	}
	if (r->verdict != V_CLEAN || strcmp(status, "done"))
		print_tail(c);
	printf("%s: verdict: %s (%s)\n", prefix, verdict_name(r->verdict), json_path);
}

/* A table a line per entry: far more than any series needs. */
#define KNOWN_MAX_BYTES (64 * 1024)

/*
 * What the series' table says this kernel and variant show because the
 * series is not in it (<series>/expect/known-<variant>-<kernel>.json, also
 * in the image for the workload's checks): *out stays NULL without one.
 */
static int load_known(const struct boot *b, json_t **out)
{
	char *path = xasprintf("%s/expect/known-%s-%s.json", b->series_dir, b->variant, b->k.name);
	struct strbuf text = STRBUF_INIT;
	json_error_t err;
	int ret = 0;

	*out = NULL;
	if (path_exists(path)) {
		ret = read_file_max(path, &text, KNOWN_MAX_BYTES);
		if (!ret)
			*out = json_loadb(text.buf, text.len, 0, &err);
		if (!ret && !*out)
			ret = error_code(KB_EXIT_BADINPUT, "known-defects table '%s' is not JSON: %s (line %d)", path,
					 err.text, err.line);
		else if (!ret && !json_is_array(json_object_get(*out, "known")))
			ret = error_code(KB_EXIT_BADINPUT, "known-defects table '%s' has no \"known\" list", path);
	}
	sb_release(&text);
	free(path);
	return ret;
}

/* console.log: the latest boot's console, as a link to the per-workload log. */
static void link_latest(const char *dir, const char *console)
{
	char *link = xasprintf("%s/console.log", dir);

	unlink(link);
	if (symlink(path_basename(console), link) < 0)
		warning("cannot link '%s': %s", link, strerror(errno));
	free(link);
}

static int run_qemu(struct boot *b, const char *image, const char *console, struct boot_result *r)
{
	struct qemu_opts o = { 0 };
	char *disk = xasprintf("%s/scratch.img", b->dir);
	int ret = -1;

	if (qemu_scratch_disk(disk, SCRATCH_MIB))
		goto cleanup;
	printf("%s %s: booting %s with %s (%s), %d vCPUs, %d MiB, workload %s, timeout %.0f s\n", b->k.name,
	       b->variant, path_basename(image), b->accel, b->accel_why, b->k.qemu_smp, b->k.qemu_memory,
	       b->w.name, b->timeout);
	fflush(stdout);
	o.kernel = image;
	o.initrd = b->initrd;
	o.append = b->append;
	o.disk = disk;
	o.accel = b->accel;
	o.smp = b->k.qemu_smp;
	o.memory = b->k.qemu_memory;
	o.timeout = b->timeout;
	o.console = console;
	ret = qemu_boot(&o, r);
cleanup:
	free(disk);
	return ret;
}

static int run_ssh(struct boot *b, const char *image, const char *console, struct boot_result *r)
{
	struct ssh_boot_opts o = { 0 };
	char *box = ssh_box_str(&b->k.ssh);

	printf("%s %s: booting %s on test box %s by %s, workload %s, timeout %.0f s\n", b->k.name, b->variant,
	       path_basename(image), box, box_boot(b), b->w.name, b->timeout);
	fflush(stdout);
	free(box);
	o.box = &b->k.ssh;
	o.file = b->k.file;
	o.kernel = image;
	o.initrd = b->initrd;
	o.append = b->append;
	o.timeout = b->timeout;
	o.console = console;
	return ssh_boot(&o, r, &b->box);
}

static int boot(struct boot *b)
{
	struct boot_result r = { 0 };
	char *prefix = b->round > 1 ? xasprintf("%s %s round %d", b->k.name, b->variant, b->round) :
		       xasprintf("%s %s", b->k.name, b->variant);
	char *cpio = NULL, *key = NULL, *name;
	char *json_path = NULL, *console = NULL, *lock = NULL;
	json_t *stored = NULL, *obj = NULL, *known = NULL;
	const char *image;
	bool cached;
	int ret = -1, lock_fd = -1;

	/* the series' input first: a bad table is named before anything is built or locked */
	if (load_known(b, &known))
		goto cleanup;
	b->dir = store_results_dir(b->series, b->k.name, b->variant);
	if (!b->dir)
		goto cleanup;
	/* two boots of one variant would share its scratch disk and result files */
	lock = xasprintf("%s/boot.lock", b->dir);
	lock_fd = lock_file(lock);
	if (lock_fd < 0 || !(b->build = results_built(b->dir, b->k.name, b->variant)))
		goto cleanup;
	image = build_str(b, "image");
	cpio = xasprintf("%s/usr/gen_init_cpio", build_str(b, "build_dir"));
	if (guest_image(cpio, &b->w, b->series_dir, &b->initrd, &cached) ||
	    (!b->ssh && qemu_accel(image, &b->accel, &b->accel_why)))
		goto cleanup;
	printf("%s: initramfs %s%s\n", prefix, b->initrd, cached ? " (cached)" : "");
	b->append = xasprintf(GUEST_CMDLINE_WORKLOAD "%s " GUEST_CMDLINE_KERNEL "%s " GUEST_CMDLINE_VARIANT "%s%s%s",
			      b->w.name, b->k.name, b->variant, b->extra ? " " : "", b->extra ? b->extra : "");
	key = boot_key(b);
	name = boot_record_name(b->w.name, b->round, ".json");
	json_path = xasprintf("%s/%s", b->dir, name);
	free(name);
	stored = results_read(json_path);
	if (key && !b->force && stored && results_key_matches(stored, key)) {
		const char *verdict = json_string_value(json_object_get(stored, "verdict"));
		const char *status = json_string_value(json_object_get(stored, "workload_status"));

		if (verdict && status) {
			printf("%s: verdict: %s, workload %s (stored result for the same image, initramfs and settings: %s; --force boots again)\n",
			       prefix, verdict, status, json_path);
			ret = exit_code(verdict, status);
			goto cleanup;
		}
	}
	name = boot_record_name(b->w.name, b->round, ".console.log");
	console = xasprintf("%s/%s", b->dir, name);
	free(name);
	if (!key || (b->ssh ? run_ssh(b, image, console, &r) : run_qemu(b, image, console, &r)))
		goto cleanup;
	link_latest(b->dir, console);
	if (known && console_mark_known(&r.console, known))
		r.verdict = boot_verdict(&r);
	obj = boot_json(b, key, console, &r);
	if (results_write(json_path, obj))
		goto cleanup;
	print_result(b, prefix, &r, console, json_path);
	ret = exit_code(verdict_name(r.verdict), console_workload_status(&r.console));
cleanup:
	if (ret < 0)
		ret = kb_errcode ? kb_errcode : KB_EXIT_BOOT;
	boot_result_free(&r);
	json_decref(stored);
	json_decref(obj);
	json_decref(known);
	free(prefix);
	free(cpio);
	free(key);
	free(json_path);
	free(console);
	free(lock);
	if (lock_fd >= 0)
		close(lock_fd);
	return ret;
}

int cmd_boot(int argc, char **argv)
{
	struct boot b = { .variant = "base", .round = 1 };
	const char *workload = "smoke", *timeout = NULL, *series = NULL, *round = NULL;
	int c, ret;

	while ((c = kb_getopt(argc, argv, &usage_boot)) != -1) {
		switch (c) {
		case 'v':
			b.variant = optarg;
			break;
		case 'w':
			workload = optarg;
			break;
		case 't':
			timeout = optarg;
			break;
		case 'a':
			b.extra = optarg;
			break;
		case 'r':
			round = optarg;
			break;
		case 'f':
			b.force = true;
			break;
		case 's':
			series = optarg;
			break;
		default:
			return usage_error(&usage_boot);
		}
	}
	if (optind != argc - 1)
		return usage_error(&usage_boot);
	if (!results_variant_known(b.variant)) {
		error("unknown variant '%s' (%s)", b.variant, RESULTS_VARIANTS);
		return KB_EXIT_USAGE;
	}
	if (timeout) {
		char *end;

		b.timeout = strtod(timeout, &end);
		if (*end || b.timeout <= 0) {
			error("--timeout takes a number of seconds, not '%s'", timeout);
			return KB_EXIT_USAGE;
		}
	}
	if (round && option_count("round", round, BOOT_MAX_ROUNDS, &b.round))
		return KB_EXIT_USAGE;
	b.series_dir = series ? xstrdup(series) : default_series_dir();
	b.series = store_series_name(b.series_dir);
	if (kernel_find(argv[optind], &b.k))
		return kb_errcode;
	if (!timeout)
		b.timeout = b.k.boot_timeout;
	b.ssh = !strcmp(b.k.boot_runner, "ssh");
	if (!b.ssh && strcmp(b.k.boot_runner, "qemu"))
		die_code(KB_EXIT_BADINPUT, "'%s': boot runner '%s' is not supported by 'kbackport boot' (qemu or ssh)",
			 b.k.file, b.k.boot_runner);
	if (guest_workload_find(workload, &b.w))
		ret = kb_errcode;
	else
		ret = boot(&b);
	guest_workload_free(&b.w);
	kernel_free(&b.k);
	json_decref(b.build);
	free(b.series);
	free(b.series_dir);
	free(b.dir);
	free(b.initrd);
	free(b.accel);
	free(b.accel_why);
	free(b.append);
	ssh_boot_info_free(&b.box);
	return ret;
}
