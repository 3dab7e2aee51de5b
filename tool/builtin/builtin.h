/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_BUILTIN_H
#define KB_BUILTIN_H

#include "builtin/options.h"
#include "lib/util.h"

int cmd_series(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_mail(int argc, char **argv);
int cmd_refresh(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_cocci(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_lava(int argc, char **argv);
int cmd_triage(int argc, char **argv);

/* Each command's options and usage (options.h), beside its cmd_*(). */
extern const struct kb_usage usage_series, usage_kernels, usage_port, usage_export, usage_refresh, usage_build,
	usage_boot, usage_cocci, usage_matrix, usage_report, usage_lava, usage_mail,
	usage_triage;

/* The kernels a --kernels list names, each checked against kernels/; every one for "all". */
int select_kernels(const char *list, struct strvec *out);

/* The only series under backports/ (dies asking for --series otherwise). */
char *default_series_dir(void);

#endif
