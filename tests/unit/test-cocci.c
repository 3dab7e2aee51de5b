// SPDX-License-Identifier: GPL-2.0
/* cocci.c: rule headers and survey probes, on synthetic headers of older trees. */
#include <stdlib.h>

#include "port/cocci.h"
#include "unit.h"
#include "lib/util.h"

/* A probe line, the file text it reads (NULL: no such file), the verdict and evidence. */
struct pcase {
	const char *probe;
	const char *text;
	bool holds;
	const char *evidence;
};

#define FS_60 "int file_modified(struct file *file);\nint kiocb_modified(struct kiocb *iocb);\n"
#define FS_515 "int file_modified(struct file *file);\nint file_needs_remove_privs(struct file *file);\n"
#define IOMAP_519 \
	" * iomap_dio_rw.  Overrides IOMAP_DIO_FORCE_WAIT.\n" \
	"ssize_t iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter,\n" \
	"\t\tconst struct iomap_ops *ops, const struct iomap_dio_ops *dops,\n" \
	"\t\tunsigned int dio_flags, void *private, size_t done_before);\n"
#define IOMAP_55 \
	"\tret = iomap_dio_rw(iocb, to, ops, NULL, false);\n" \
	"ssize_t iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter,\n" \
	"\t\tconst struct iomap_ops *ops, const struct iomap_dio_ops *dops,\n" \
	"\t\tbool wait_for_completion);\n"

static const struct pcase pcases[] = {
	{ "absent kiocb_modified in include/linux/fs.h", FS_60, false,
	  "include/linux/fs.h:2: kiocb_modified present" },
	{ "absent kiocb_modified in include/linux/fs.h", FS_515, true, "include/linux/fs.h: kiocb_modified absent" },
	{ "present file_needs_remove_privs in include/linux/fs.h", FS_515, true,
	  "include/linux/fs.h:2: file_needs_remove_privs present" },
	/* a longer identifier is not the symbol */
	{ "absent kiocb_modified in include/linux/fs.h", "int kiocb_modified_x(void);\n", true,
	  "include/linux/fs.h: kiocb_modified absent" },
	{ "absent EXT4_GET_BLOCKS_CACHED_NOWAIT in fs/ext4/ext4.h", NULL, false, "fs/ext4/ext4.h: no such file" },
	{ "present ext4_iomap_ops in fs/ext4/inode.c", NULL, false, "fs/ext4/inode.c: no such file" },
	/* the comment mentions the name without '(': not the declaration */
	{ "params iomap_dio_rw < 7 in include/linux/iomap.h", IOMAP_519, false,
	  "include/linux/iomap.h:2: iomap_dio_rw() takes 7 parameters" },
	/* a call comes first: skipped, the prototype counts */
	{ "params iomap_dio_rw < 7 in include/linux/iomap.h", IOMAP_55, true,
	  "include/linux/iomap.h:2: iomap_dio_rw() takes 5 parameters" },
	{ "params iomap_dio_rw == 5 in include/linux/iomap.h", IOMAP_55, true, NULL },
	{ "params f != 0 in x.h", "int f(void);\n", false, "x.h:1: f() takes 0 parameters" },
	{ "params g < 7 in x.h", "int f(void);\n", false, "x.h: no declaration of g()" },
};

/* Parses "// Needed-if: <probe>" in a minimal rule and evaluates it. */
static int probe_case(const void *arg)
{
	const struct pcase *c = arg;
	char *text = xasprintf("/// t\n// Confidence: High\n// Comments: t\n// Needed-if: %s\nvirtual patch\n", c->probe);
	struct cocci_rule r;
	char *ev = NULL;
	bool holds;

	CHECK(cocci_rule_parse("t.cocci", text, &r) == 0);
	free(text);
	CHECK(r.nneeded_if == 1);
	holds = cocci_probe_eval(&r.needed_if[0], c->text ? c->text : "", c->text != NULL, &ev);
	cocci_rule_free(&r);
	CHECK(holds == c->holds);
	if (c->evidence)
		CHECK_STR(ev, c->evidence);
	free(ev);
	return 0;
}

/* A header and what cocci_rule_parse() must make of it. */
struct hcase {
	const char *text;
	int code;
	const char *check;	/* for a valid header: the summary */
};

static const struct hcase hcases[] = {
	{ "/// one\n/// two\n// Confidence: Moderate\n// Comments: c\n//  more\n// Options: --no-includes\n"
	  "virtual patch\n// Needed-if: bad probe after the code\n", 0, "one two" },
	{ "/// x\n// Comments: c\nvirtual patch\n", KB_EXIT_BADINPUT, NULL },
	{ "/// x\n// Confidence: Sure\n// Comments: c\n", KB_EXIT_BADINPUT, NULL },
	{ "/// x\n// Confidence: High\n// Comments: c\n// Needed-if: missing kiocb_modified in a.h\n",
	  KB_EXIT_BADINPUT, NULL },
	{ "/// x\n// Confidence: High\n// Comments: c\n// Needed-if: params f = 3 in a.h\n", KB_EXIT_BADINPUT, NULL },
	{ "/// x\n// Confidence: High\n// Comments: c\n// Options: --in-place\n", KB_EXIT_BADINPUT, NULL },
	{ "@@\n@@\n- f();\n", KB_EXIT_BADINPUT, NULL },
};

static int header_case(const void *arg)
{
	const struct hcase *c = arg;
	struct cocci_rule r;
	int ret;

	kb_errcode = 0;
	ret = cocci_rule_parse("dir/0003-x.cocci", c->text, &r);
	CHECK((ret != 0) == (c->code != 0));
	if (c->code) {
		CHECK(kb_errcode == c->code);
		return 0;
	}
	CHECK_STR(r.name, "0003-x");
	CHECK_STR(r.summary, c->check);
	CHECK_STR(r.confidence, "Moderate");
	CHECK(r.options.n == 1 && r.nneeded_if == 0);
	cocci_rule_free(&r);
	return 0;
}

static const struct unit_case cases[] = {
	{ "kiocb_modified present (6.0+)", probe_case, &pcases[0] },
	{ "kiocb_modified absent (5.15): rule needed", probe_case, &pcases[1] },
	{ "file_needs_remove_privs present (5.15): rule usable", probe_case, &pcases[2] },
	{ "whole identifiers only", probe_case, &pcases[3] },
	{ "absent: a missing file fails (nothing to adapt)", probe_case, &pcases[4] },
	{ "present: a missing file fails", probe_case, &pcases[5] },
	{ "params: 7 in v5.19+ iomap.h, the comment skipped", probe_case, &pcases[6] },
	{ "params: 5 in v5.5 iomap.h, the call skipped: rule needed", probe_case, &pcases[7] },
	{ "params ==", probe_case, &pcases[8] },
	{ "params: (void) is 0", probe_case, &pcases[9] },
	{ "params: no declaration fails", probe_case, &pcases[10] },
	{ "header: summary joined, header ends at code", header_case, &hcases[0] },
	{ "header: Confidence missing", header_case, &hcases[1] },
	{ "header: bad Confidence", header_case, &hcases[2] },
	{ "header: bad probe kind", header_case, &hcases[3] },
	{ "header: bad params operator", header_case, &hcases[4] },
	{ "header: option not allowed", header_case, &hcases[5] },
	{ "header: none", header_case, &hcases[6] },
};

SUITE(suite_cocci, "cocci", cases);
