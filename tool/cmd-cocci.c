// SPDX-License-Identifier: GPL-2.0
/* kbackport cocci: placeholder until its issue lands. */
#include "builtin.h"
#include "util.h"

int cmd_cocci(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("'cocci' is not implemented yet");
	return KB_EXIT_USAGE;
}
