// SPDX-License-Identifier: GPL-2.0
/*
 * kb-layout: builds the extent layout a timed DIO run claims, and proves it
 * with FIEMAP before anyone measures anything on it.
 *
 *   kb-layout build|verify LAYOUT FILE --jobs N --size BYTES
 *
 * The file holds N job regions of BYTES each (fio's offset_increment), in
 * 4K blocks:
 *   test1      [written][unwritten] repeated: every aligned 8K write spans
 *              a written/unwritten extent boundary (the cover letter's Test 1)
 *   test2      16K stripes [written][unwritten][unwritten][written]: a
 *              14336-byte write at +512 has its partial head and tail blocks
 *              on written extents and its middle unwritten (Test 2)
 *   overwrite  all written: pure overwrites, the shared lock even unpatched
 *
 * One JSON object on stdout; exit 0 when the layout is verified, 1 when it
 * is not (with the first wrong block on stderr), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kb.h"

/* Every layout repeats within 16K, so a job region of a multiple of 16K starts the pattern afresh. */
#define PERIOD (4 * KB_BLOCK)

struct layout {
	const char *name;
	unsigned char state[4];	/* per block of a 16K period */
};

static const struct layout layouts[] = {
	{ "test1", { KB_WRITTEN, KB_UNWRITTEN, KB_WRITTEN, KB_UNWRITTEN } },
	{ "test2", { KB_WRITTEN, KB_UNWRITTEN, KB_UNWRITTEN, KB_WRITTEN } },
	{ "overwrite", { KB_WRITTEN, KB_WRITTEN, KB_WRITTEN, KB_WRITTEN } },
};

struct opts {
	const char *cmd;
	const struct layout *layout;
	const char *file;
	uint64_t jobs;
	uint64_t size;
};

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: kb-layout build|verify test1|test2|overwrite FILE --jobs N --size BYTES\n");
	exit(2);
}

static const struct layout *find_layout(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++)
		if (!strcmp(layouts[i].name, name))
			return &layouts[i];
	kb_die("unknown layout '%s' (test1, test2, overwrite)", name);
}

static void parse(int argc, char **argv, struct opts *o)
{
	int pos = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--jobs") && i + 1 < argc)
			o->jobs = kb_parse_size("--jobs", argv[++i]);
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			o->size = kb_parse_size("--size", argv[++i]);
		else if (argv[i][0] == '-')
			usage();
		else if (pos == 0)
			o->cmd = argv[i], pos++;
		else if (pos == 1)
			o->layout = find_layout(argv[i]), pos++;
		else if (pos == 2)
			o->file = argv[i], pos++;
		else
			usage();
	}
	if (pos != 3 || (strcmp(o->cmd, "build") && strcmp(o->cmd, "verify")))
		usage();
	if (!o->jobs || !o->size || o->size % PERIOD)
		kb_die("--jobs must be positive and --size a positive multiple of %u", PERIOD);
}

static void make_plan(const struct opts *o, struct kb_plan *plan)
{
	plan->size = o->jobs * o->size;
	plan->blocks = plan->size / KB_BLOCK;
	plan->state = malloc(plan->blocks);
	if (!plan->state)
		kb_die("out of memory");
	for (uint64_t b = 0; b < plan->blocks; b++)
		plan->state[b] = o->layout->state[b % 4];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_file(const struct opts *o, const struct kb_plan *plan)
{
	int fd;

	if (!strcmp(o->cmd, "verify")) {
		fd = open(o->file, O_RDONLY);
		if (fd < 0)
			kb_die("cannot open %s: %s", o->file, strerror(errno));
		return fd;
	}
	unlink(o->file);
	fd = kb_build(o->file, plan, 0x1a1, true);
	if (fd < 0)
		kb_die("cannot build %s as %s: %s", o->file, o->layout->name, strerror(-fd));
	return fd;
}

static void report(const struct opts *o, const struct kb_plan *plan, long extents, double secs,
		   const char *error)
{
	uint64_t n[3] = { 0 };

	for (uint64_t b = 0; b < plan->blocks; b++)
		n[plan->state[b]]++;
	printf("{\"layout\":\"%s\",\"file\":", o->layout->name);
	kb_json_str(stdout, o->file);
	printf(",\"jobs\":%llu,\"job_size\":%llu,\"block_size\":%u,\"blocks\":%llu,"
	       "\"written\":%llu,\"unwritten\":%llu,\"extents\":%ld,\"seconds\":%.3f,\"verified\":%s",
	       (unsigned long long)o->jobs, (unsigned long long)o->size, KB_BLOCK,
	       (unsigned long long)plan->blocks, (unsigned long long)n[KB_WRITTEN],
	       (unsigned long long)n[KB_UNWRITTEN], extents, secs, error ? "false" : "true");
	if (error) {
		printf(",\"error\":");
		kb_json_str(stdout, error);
	}
	printf("}\n");
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct kb_plan plan;
	char why[256];
	struct stat st = { 0 };
	double t0 = now();
	unsigned long bs;
	int fd;
	bool ok;

	parse(argc, argv, &o);
	make_plan(&o, &plan);
	fd = open_file(&o, &plan);
	bs = kb_fs_block(fd);
	if (bs != KB_BLOCK) {
		snprintf(why, sizeof(why), "filesystem block size is %lu; the layouts are in %u-byte blocks",
			 bs, KB_BLOCK);
		ok = false;
	} else if (fstat(fd, &st) || (uint64_t)st.st_size != plan.size) {
		snprintf(why, sizeof(why), "size is %lld, expected %llu", (long long)st.st_size,
			 (unsigned long long)plan.size);
		ok = false;
	} else {
		ok = kb_verify(fd, &plan, why, sizeof(why));
	}
	report(&o, &plan, kb_extent_count(fd, plan.blocks), now() - t0, ok ? NULL : why);
	if (!ok)
		fprintf(stderr, "kb-layout: %s is not the %s layout: %s\n", o.file, o.layout->name, why);
	close(fd);
	free(plan.state);
	return ok ? 0 : 1;
}
