// SPDX-License-Identifier: GPL-2.0
/* kbackport matrix: placeholder until its issue lands. */
#include "builtin.h"
#include "util.h"

int cmd_matrix(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("'matrix' is not implemented yet");
	return KB_EXIT_USAGE;
}
