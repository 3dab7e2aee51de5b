// SPDX-License-Identifier: GPL-2.0
/* kbackport lava: placeholder until its issue lands. */
#include "builtin.h"
#include "util.h"

int cmd_lava(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("'lava' is not implemented yet");
	return KB_EXIT_USAGE;
}
