/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_BUILTIN_H
#define KB_BUILTIN_H

int cmd_series(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_refresh(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_cocci(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_lava(int argc, char **argv);

/* The only series under backports/ (dies asking for --series otherwise). */
char *default_series_dir(void);

/* Prints the usage of one command (from the command table) to stderr. */
void usage_of(const char *cmd);

#endif
