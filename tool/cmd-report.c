// SPDX-License-Identifier: GPL-2.0
/* kbackport report: placeholder until its issue lands. */
#include "builtin.h"
#include "util.h"

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("'report' is not implemented yet");
	return KB_EXIT_USAGE;
}
