// SPDX-License-Identifier: GPL-2.0
/*
 * kbackport: port an upstream kernel patch series onto vendor trees,
 * build, boot and measure them. One subcommand per tool/builtin/<name>.c,
 * its options and usage declared there (builtin/options.h).
 */
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "builtin/builtin.h"
#include "lib/util.h"

struct command {
	int (*fn)(int argc, char **argv);
	const struct kb_usage *usage;	/* its name, summary, forms, options and text */
};

static const struct command commands[] = {
	{ cmd_series, &usage_series },
	{ cmd_kernels, &usage_kernels },
	{ cmd_triage, &usage_triage },
	{ cmd_port, &usage_port },
	{ cmd_export, &usage_export },
	{ cmd_mail, &usage_mail },
	{ cmd_refresh, &usage_refresh },
	{ cmd_build, &usage_build },
	{ cmd_boot, &usage_boot },
	{ cmd_cocci, &usage_cocci },
	{ cmd_matrix, &usage_matrix },
	{ cmd_report, &usage_report },
	{ cmd_lava, &usage_lava },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].usage->name, name))
			return &commands[i];
	return NULL;
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: kbackport <command> [<args>]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "   %-9s %s\n", commands[i].usage->name, commands[i].usage->summary);
	fprintf(f, "\n'kbackport help <command>' or 'kbackport <command> --help' shows the usage of one command.\n");
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
	kb_usage_print(stdout, c->usage);
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
	/* Once, before any command can reach libgit2 (hashes, trees, notes). */
	if (git_libgit2_init() < 0)
		die("cannot initialize libgit2");
	return c->fn(argc - 1, argv + 1);
}
