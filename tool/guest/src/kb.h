/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the guest DIO programs (kb-layout, kb-dio-check, kb-nowait):
 * data patterns, per-block extent layouts built with fallocate/pwrite and
 * checked with FIEMAP, and a few I/O helpers. Static binaries for a
 * busybox initramfs: libc only.
 */
#ifndef KB_GUEST_KB_H
#define KB_GUEST_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The layouts the tests claim are in 4K blocks; a filesystem block must be this. */
#define KB_BLOCK 4096u

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum kb_state { KB_HOLE, KB_UNWRITTEN, KB_WRITTEN };

__attribute__((format(printf, 1, 2), noreturn)) void kb_die(const char *fmt, ...);
/* A KB_BLOCK-aligned zeroed buffer, as O_DIRECT wants; dies when out of memory. */
void *kb_alloc(size_t len);
/* A number with an optional k/m/g suffix (powers of 1024); dies on garbage. */
uint64_t kb_parse_size(const char *opt, const char *s);

/*
 * The data patterns: every 8-byte word depends on a tag (who wrote it) and
 * its file offset, so a misplaced, stale or torn block never matches.
 */
void kb_fill(unsigned char *buf, size_t len, uint64_t off, uint64_t tag);

/*
 * A layout: one state per KB_BLOCK block from offset 0, and the file size.
 * Blocks past the size may be unwritten (fallocated with KEEP_SIZE) or
 * holes, never written: truncating frees them.
 */
struct kb_plan {
	unsigned char *state;
	uint64_t blocks;
	uint64_t size;
};

/*
 * Creates PATH with the plan: written blocks by O_DIRECT writes of pattern
 * TAG (or buffered writes and one fsync when BUFFERED, which costs a few
 * device latencies instead of one per run), unwritten blocks by fallocate.
 * Returns an open O_DIRECT fd, or -errno (EOPNOTSUPP: no fallocate, as on
 * a filesystem without extents).
 */
int kb_build(const char *path, const struct kb_plan *plan, uint64_t tag, bool buffered);

/*
 * Checks FD against the plan with FIEMAP; on a difference writes
 * "block N: expected X, FIEMAP says Y" into WHY and returns false.
 */
bool kb_verify(int fd, const struct kb_plan *plan, char *why, size_t len);

/* The number of extents FIEMAP reports for the first BLOCKS blocks (-errno on error). */
long kb_extent_count(int fd, uint64_t blocks);

/* pwrite the whole range (short writes continued); 0 or -errno. */
int kb_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);
/* pread up to LEN bytes (fewer at end of file); *GOT is what was read. 0 or -errno. */
int kb_pread(int fd, void *buf, size_t len, uint64_t off, size_t *got);

/* The filesystem block size of FD. */
unsigned long kb_fs_block(int fd);

/* JSON string output with escaping. */
void kb_json_str(FILE *f, const char *s);

#endif
