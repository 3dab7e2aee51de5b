/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_OPTIONS_H
#define KB_OPTIONS_H

#include <getopt.h>	/* optarg, optind */
#include <stdio.h>

/*
 * A command's options and usage, declared once: getopt_long's table, the
 * usage `kbackport help <command>` and `<command> --help` print, and the
 * list `kbackport --help` shows all come from it (README's command list is
 * checked against the forms by tests/t0011-usage.sh).
 */
struct kb_option {
	const char *name;	/* --name */
	int val;		/* what kb_getopt() returns for it */
	char letter;		/* also -letter; 0: none */
	const char *arg;	/* the value's name ("DIR"); NULL for a flag */
	const char *help;	/* one line */
};

/* --series DIR, as every command that reads one series directory has it */
#define KB_OPTION_SERIES_DIR \
	{ "series", 's', 0, "DIR", "the series directory (default: the only one under backports/)" }

/*
 * forms: one synopsis a line, without "kbackport ", in which {name} stands
 * for option --name with its value ("--series DIR") and {-x} for its short
 * form ("-o DIR"): "port <kernel> [{series}] [{json}]". Every option is in
 * at least one form. A command with subcommands has a form or more for each,
 * the subcommand second ("kernels [list] [{json}]", "kernels import <name>").
 */
struct kb_usage {
	const char *name;			/* the command */
	const char *summary;			/* one line, for `kbackport --help` */
	const char *const *forms;		/* NULL-terminated */
	const struct kb_option *options;	/* ends with a NULL name; NULL: none */
	const char *text;			/* what it does, after the forms */
};

/*
 * getopt_long() over the options of u: the next option's val, -1 after the
 * last. argv[0] is the command, or a subcommand (argv[0] "import" for
 * `kbackport series import ...`), which takes only the options its forms
 * show. --help or -h anywhere prints the usage to stdout and exits 0; an
 * unknown option or a missing value says so, prints the usage to stderr
 * and exits KB_EXIT_USAGE.
 */
int kb_getopt(int argc, char **argv, const struct kb_usage *u);

/*
 * --name N: a whole number from 1 to max into *out; 0, or -1 with the
 * error said ("--rounds takes a number from 1 to 5, not 'x'").
 */
int option_count(const char *name, const char *value, int max, int *out);

/* The usage of u on stderr; returns KB_EXIT_USAGE (wrong arguments). */
int usage_error(const struct kb_usage *u);

/*
 * For a command whose subcommand (argv[1]) is missing or unknown: --help
 * or -h prints the usage (returns 0), anything else is a usage error.
 */
int usage_subcommand(int argc, char **argv, const struct kb_usage *u);

/*
 * The usage: "usage: kbackport <form>" for the first form, "   or: ..."
 * for the others (long ones wrapped, the rest of the line indented), the
 * text, the options with their help. Dies naming the mistake if a form
 * names an option u lacks, or an option is in no form.
 */
void kb_usage_print(FILE *f, const struct kb_usage *u);

/* One form as printed, without "kbackport " and unwrapped (a new string). */
char *kb_usage_form(const struct kb_usage *u, const char *form);

#endif
