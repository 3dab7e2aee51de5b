// SPDX-License-Identifier: GPL-2.0
/*
 * kbackport matrix [--series DIR] [--kernels a,b|all] [--stages port,build,boot,bench,debug,posted]
 *                  [--jobs N] [--rounds N] [--runner qemu|lava|ssh]
 *
 * Runs the pipeline for every selected kernel (matrix.c), then judges the
 * result store (report.c): prints the table, writes <work>/report/ and
 * exits 0 only when every kernel passed every selected stage, else with
 * the code of the earliest failing stage (6 port, 7 build, 8 boot, 9 tests),
 * else 10 when a measurement was disturbed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "boot/record.h"
#include "builtin/builtin.h"
#include "lib/kernel.h"
#include "report/matrix.h"
#include "report/model.h"
#include "report/output.h"
#include "report/text.h"
#include "lib/store.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	KB_OPTION_SERIES_DIR,
	{ "kernels", 'k', 0, "a,b|all", "the kernels to run (default: all, every kernels/*.yaml)" },
	{ "stages", 'S', 0, "port,build,boot,bench,debug,posted", "the stages to run (default: all six)" },
	{ "jobs", 'j', 'j', "N", "at most N builds or boots at once, 1 to 64 (default: 1)" },
	{ "rounds", 'R', 0, "N", "bench rounds, base and patched in turn, 1 to 16 (default: 2; lava: 1)" },
	{ "runner", 'r', 0, "qemu|lava|ssh", "how boots run (default: qemu); qemu and ssh must match the YAML" },
	{ NULL },
};

const struct kb_usage usage_matrix = {
	.name = "matrix",
	.summary = "port, build, boot and measure every kernel",
	.forms = (const char *const[]){
		"matrix [{series}] [{kernels}] [{stages}] [{jobs}] [{rounds}] [{runner}]",
		NULL,
	},
	.options = options,
	.text = "For each kernel: kernels import, port, build base and patched, the\n"
		"vendor-config check, boot both with the smoke workload (stage boot) and\n"
		"with the dio workload (stage bench: correctness, NOWAIT table, IOPS;\n"
		"base and patched in turn, N rounds, the patched/base ratios compared\n"
		"round by round), the debug flavour built and booted with the dio checks\n"
		"under lockdep, sleep-in-atomic and KASAN (stage debug: any splat fails\n"
		"it), and the series as posted when the port carries local fixes (stage\n"
		"posted: the dio checks, kept as the evidence of the defect they fix),\n"
		"each step a kbackport command that reuses its stored result while its\n"
		"inputs are unchanged; run it again to resume after an interruption.\n"
		"At most N builds or boots at once (default 1), import and port beside\n"
		"them, the dio boots alone. A failed step skips its kernel's later\n"
		"stages. qemu and ssh boot through 'kbackport boot' (the YAML's runner\n"
		"must match), lava through 'kbackport lava --run-local'.\n"
		"$KBACKPORT_BUILD_LOCK names a file locked around every build step.\n"
		"Step logs: <work>/results/<series>/<kernel>/matrix/. Ends with the table\n"
		"and <work>/report/{report.txt,report.json,index.html}.\n"
		"Exit 0 when every kernel passed every selected stage, else the earliest\n"
		"failing stage's code: 6 port, 7 build, 8 boot, 9 tests, debug and posted;\n"
		"10 when nothing failed but a bench was disturbed (a busy host, rounds\n"
		"that disagree, a ratio above what the jobs can give): run it again;\n"
		"128+N if killed.",
};

static int parse_stages(const char *list, unsigned *out)
{
	struct strvec names = STRVEC_INIT;
	int ret = 0;

	*out = 0;
	report_names(list, &names);
	for (size_t i = 0; i < names.n && !ret; i++) {
		int s = report_stage_find(names.v[i]);

		if (s < 0)
			ret = error("unknown stage '%s' (port, build, boot, bench, debug, posted)", names.v[i]);
		else
			*out |= 1u << s;
	}
	if (!ret && !*out)
		ret = error("no stage in '%s'", list);
	sv_release(&names);
	return ret;
}

int select_kernels(const char *list, struct strvec *out)
{
	struct kernel_desc *all = NULL, one;
	struct strvec names = STRVEC_INIT;
	size_t n = 0;
	int ret = 0;

	if (!strcmp(list, "all")) {
		if (kernel_load_all(kernels_dir(), &all, &n))
			return -1;
		for (size_t i = 0; i < n; i++)
			sv_push(out, all[i].name);
		kernel_free_all(all, n);
		if (!n)
			return error_code(KB_EXIT_NOINPUT, "no kernels in '%s'", kernels_dir());
		return 0;
	}
	report_names(list, &names);
	for (size_t i = 0; i < names.n && !ret; i++) {
		ret = kernel_find(names.v[i], &one);
		if (!ret)
			sv_push(out, one.name);
		kernel_free(&one);
	}
	sv_release(&names);
	return ret;
}

/* qemu and ssh boot through 'kbackport boot', which follows the YAML: they must agree. */
static int check_runner(const char *runner, const struct strvec *kernels)
{
	struct kernel_desc k;
	int ret = 0;

	if (!strcmp(runner, "lava"))
		return 0;
	for (size_t i = 0; i < kernels->n && !ret; i++) {
		if (kernel_find(kernels->v[i], &k))
			return -1;
		if (strcmp(k.boot_runner, runner))
			ret = error_code(KB_EXIT_BADINPUT, "'%s' boots with runner '%s', not '%s' (--runner)", k.file,
					 k.boot_runner, runner);
		kernel_free(&k);
	}
	return ret;
}

/* One matrix at a time on a work directory: the steps share its trees and results. */
static int lock_work(void)
{
	char *path = store_path("matrix.lock");
	int fd;

	if (mkdir_p(work_dir())) {
		free(path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		error("cannot open '%s': %s", path, strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		fd = error("another 'kbackport matrix' is running on '%s' (lock '%s')", work_dir(), path);
	free(path);
	return fd;
}

/* Judges what the store holds now: the table on stdout, the files under <work>/report/. */
static int report(const char *series, const struct strvec *kernels, unsigned stages)
{
	static const char *const files[][2] = { { "report.txt", "text" }, { "report.json", "json" },
						{ "index.html", "html" } };
	struct strvec one = STRVEC_INIT;
	char *dir = store_path("report");
	json_t *doc;
	int code;

	sv_push(&one, series);
	doc = report_collect(&one, kernels);
	code = report_exit_code(doc, stages);
	sv_release(&one);
	printf("\n");
	report_text(doc, stdout);
	if (!mkdir_p(dir))
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			char *path = xasprintf("%s/%s", dir, files[i][0]);

			if (!report_write(doc, files[i][1], path))
				printf("report: %s\n", path);
			free(path);
		}
	json_decref(doc);
	free(dir);
	return code;
}

int cmd_matrix(int argc, char **argv)
{
	struct strvec kernels = STRVEC_INIT;
	struct matrix_opts o = { .runner = "qemu", .jobs = 1, .kernels = &kernels };
	const char *klist = "all", *slist = "port,build,boot,bench,debug,posted", *rounds = NULL;
	char self[PATH_MAX], *series, *name;
	ssize_t n;
	int c, ret, lock = -1;

	while ((c = kb_getopt(argc, argv, &usage_matrix)) != -1) {
		switch (c) {
		case 's':
			o.series = optarg;
			break;
		case 'k':
			klist = optarg;
			break;
		case 'S':
			slist = optarg;
			break;
		case 'j':
			if (option_count("jobs", optarg, 64, &o.jobs))
				return KB_EXIT_USAGE;
			break;
		case 'R':
			rounds = optarg;
			break;
		case 'r':
			o.runner = optarg;
			break;
		default:
			return usage_error(&usage_matrix);
		}
	}
	if (optind != argc)
		return usage_error(&usage_matrix);
	if (strcmp(o.runner, "qemu") && strcmp(o.runner, "lava") && strcmp(o.runner, "ssh")) {
		error("unknown runner '%s' (qemu, lava or ssh)", o.runner);
		return KB_EXIT_USAGE;
	}
	if (parse_stages(slist, &o.stages))
		return KB_EXIT_USAGE;
	/* a lab boots what its job says: 'kbackport lava' keeps no rounds */
	o.rounds = strcmp(o.runner, "lava") ? REPORT_BENCH_ROUNDS : 1;
	if (rounds) {
		if (option_count("rounds", rounds, BOOT_MAX_ROUNDS, &o.rounds))
			return KB_EXIT_USAGE;
		if (o.rounds > 1 && !strcmp(o.runner, "lava")) {
			error("--rounds %d needs 'kbackport boot' (runner qemu or ssh): a lava run boots each bench once", o.rounds);
			return KB_EXIT_USAGE;
		}
	}
	if (o.series && !is_dir(o.series))
		die_code(KB_EXIT_NOINPUT, "cannot open series '%s': not a directory", o.series);
	series = o.series ? xstrdup(o.series) : default_series_dir();
	o.series = series;
	o.series_name = name = store_series_name(series);
	if (select_kernels(klist, &kernels) ||
	    ((o.stages & ((1u << RS_BOOT) | (1u << RS_BENCH) | (1u << RS_DEBUG) | (1u << RS_POSTED))) &&
	     check_runner(o.runner, &kernels))) {
		sv_release(&kernels);
		return kb_errcode ? kb_errcode : KB_EXIT_BADINPUT;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die("cannot find our own binary: %s", strerror(errno));
	self[n] = '\0';
	o.self = self;
	o.build_lock = getenv("KBACKPORT_BUILD_LOCK");
	o.tty = isatty(STDOUT_FILENO);
	lock = lock_work();
	if (lock < 0) {
		sv_release(&kernels);
		return KB_EXIT_FAIL;
	}
	printf("matrix: %zu kernel%s, stages %s, runner %s, %d heavy step%s at a time, %d bench round%s; step logs in %s/results/%s/<kernel>/matrix/\n",
	       kernels.n, kernels.n == 1 ? "" : "s", slist, o.runner, o.jobs, o.jobs == 1 ? "" : "s", o.rounds,
	       o.rounds == 1 ? "" : "s", work_dir(), name);
	fflush(stdout);
	ret = matrix_run(&o);
	if (ret < 0)
		ret = KB_EXIT_FAIL;
	else if (!ret)
		ret = report(name, &kernels, o.stages);
	close(lock);
	sv_release(&kernels);
	free(series);
	free(name);
	return ret;
}
