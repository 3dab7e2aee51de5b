// SPDX-License-Identifier: GPL-2.0
/* Shared helpers of the guest DIO programs: see kb.h. */
#define _GNU_SOURCE
#include "kb.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>
#include <unistd.h>

void kb_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void *kb_alloc(size_t len)
{
	void *p;
	size_t n = (len + KB_BLOCK - 1) / KB_BLOCK * KB_BLOCK;

	if (posix_memalign(&p, KB_BLOCK, n ? n : KB_BLOCK))
		kb_die("out of memory (%zu bytes)", len);
	memset(p, 0, n ? n : KB_BLOCK);
	return p;
}

uint64_t kb_parse_size(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		kb_die("%s: '%s' is not a size", opt, s);
	switch (*end) {
	case 'g': case 'G':
		v <<= 10;
		/* fall through */
	case 'm': case 'M':
		v <<= 10;
		/* fall through */
	case 'k': case 'K':
		v <<= 10;
		end++;
		break;
	}
	if (*end)
		kb_die("%s: '%s' is not a size", opt, s);
	return v;
}

/* splitmix64's finaliser: cheap, and every input bit reaches every output bit. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t word(uint64_t tag, uint64_t index)
{
	return mix(index ^ mix(tag + 0x9e3779b97f4a7c15ull));
}

void kb_fill(unsigned char *buf, size_t len, uint64_t off, uint64_t tag)
{
	uint64_t w = word(tag, off >> 3);

	for (size_t i = 0; i < len; i++, off++) {
		if (i && !(off & 7))
			w = word(tag, off >> 3);
		buf[i] = w >> ((off & 7) * 8);
	}
}

int kb_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int kb_pread(int fd, void *buf, size_t len, uint64_t off, size_t *got)
{
	ssize_t n;

	/* One call: a short read means end of file, and another would be an unaligned O_DIRECT read. */
	do {
		n = pread(fd, buf, len, off);
	} while (n < 0 && errno == EINTR);
	*got = n < 0 ? 0 : n;
	return n < 0 ? -errno : 0;
}

unsigned long kb_fs_block(int fd)
{
	struct statvfs st;

	return fstatvfs(fd, &st) ? 0 : st.f_bsize;
}

/* The end of the run of blocks in state S starting at block B. */
static uint64_t run_end(const struct kb_plan *plan, uint64_t b, int s)
{
	while (b < plan->blocks && plan->state[b] == s)
		b++;
	return b;
}

/* Writes every written run: pattern TAG at its own offsets, in chunks of at most 1 MiB. */
static int write_runs(int fd, const struct kb_plan *plan, uint64_t tag)
{
	const size_t chunk = 1 << 20;
	unsigned char *buf = kb_alloc(chunk);
	int ret = 0;

	for (uint64_t b = 0; b < plan->blocks && !ret;) {
		uint64_t e = run_end(plan, b, KB_WRITTEN);

		for (uint64_t off = b * KB_BLOCK; off < e * KB_BLOCK && !ret; off += chunk) {
			size_t len = e * KB_BLOCK - off < chunk ? e * KB_BLOCK - off : chunk;

			kb_fill(buf, len, off, tag);
			ret = kb_pwrite_full(fd, buf, len, off);
		}
		b = e > b ? e : b + 1;
	}
	free(buf);
	return ret;
}

/* KEEP_SIZE so that unwritten blocks past the size stay there: the size is set before. */
static int fallocate_runs(int fd, const struct kb_plan *plan)
{
	for (uint64_t b = 0; b < plan->blocks;) {
		uint64_t e = run_end(plan, b, KB_UNWRITTEN);

		if (e > b && fallocate(fd, FALLOC_FL_KEEP_SIZE, b * KB_BLOCK, (e - b) * KB_BLOCK))
			return -errno;
		b = e > b ? e : b + 1;
	}
	return 0;
}

/*
 * Drops FD's clean pages. A kernel without CONFIG_ADVISE_SYSCALLS (a
 * tinyconfig guest) keeps them: DIO invalidates what it overwrites anyway,
 * so that is slower, not wrong.
 */
static int drop_pages(int fd)
{
	int ret = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);

	return ret == ENOSYS ? 0 : -ret;
}

/*
 * Buffered: writeback submits every run at once, so a layout of thousands
 * of runs costs a few device latencies, not one each. The pages are then
 * dropped so the timed DIO never has page cache to invalidate.
 */
static int write_runs_buffered(const char *path, const struct kb_plan *plan, uint64_t tag)
{
	int fd = open(path, O_WRONLY);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_runs(fd, plan, tag);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret)
		ret = drop_pages(fd);
	close(fd);
	return ret;
}

int kb_build(const char *path, const struct kb_plan *plan, uint64_t tag, bool buffered)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	int ret;

	if (fd < 0)
		return -errno;
	ret = buffered ? write_runs_buffered(path, plan, tag) : write_runs(fd, plan, tag);
	/* Truncating after the writes zeroes the tail of a partial last block, as a real file has. */
	if (!ret && ftruncate(fd, plan->size))
		ret = -errno;
	if (!ret)
		ret = fallocate_runs(fd, plan);
	/* The zeroed tail of a partial last block sits dirty in the page cache: write and drop it. */
	if (!ret && plan->size % KB_BLOCK && fdatasync(fd))
		ret = -errno;
	if (!ret && plan->size % KB_BLOCK)
		ret = drop_pages(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* Marks the blocks extent E covers, clipped to [0, blocks). */
static void mark_extent(const struct fiemap_extent *e, uint64_t blocks, unsigned char *state)
{
	uint64_t b = e->fe_logical / KB_BLOCK;
	uint64_t end = (e->fe_logical + e->fe_length + KB_BLOCK - 1) / KB_BLOCK;
	int s = e->fe_flags & FIEMAP_EXTENT_UNWRITTEN ? KB_UNWRITTEN : KB_WRITTEN;

	for (; b < end && b < blocks; b++)
		state[b] = s;
}

/* FIEMAP in batches; calls FN for every extent in [0, blocks). Returns 0 or -errno. */
static int fiemap_walk(int fd, uint64_t blocks, void (*fn)(const struct fiemap_extent *, void *), void *arg)
{
	enum { BATCH = 512 };
	size_t size = sizeof(struct fiemap) + BATCH * sizeof(struct fiemap_extent);
	struct fiemap *fm = malloc(size);
	uint64_t start = 0, end = blocks * KB_BLOCK;
	int ret = 0;
	bool last = false;

	if (!fm)
		kb_die("out of memory");
	while (!last && start < end) {
		memset(fm, 0, size);
		fm->fm_start = start;
		fm->fm_length = end - start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
			ret = -errno;
			break;
		}
		if (!fm->fm_mapped_extents)
			break;
		for (unsigned int i = 0; i < fm->fm_mapped_extents; i++) {
			const struct fiemap_extent *e = &fm->fm_extents[i];

			fn(e, arg);
			start = e->fe_logical + e->fe_length;
			last = e->fe_flags & FIEMAP_EXTENT_LAST;
		}
	}
	free(fm);
	return ret;
}

struct mark_arg {
	uint64_t blocks;
	unsigned char *state;
};

static void mark_cb(const struct fiemap_extent *e, void *arg)
{
	struct mark_arg *m = arg;

	mark_extent(e, m->blocks, m->state);
}

/* Blocks [0, blocks) of FD as FIEMAP reports them, into STATE. 0 or -errno. */
static int fiemap_states(int fd, uint64_t blocks, unsigned char *state)
{
	struct mark_arg m = { blocks, state };

	memset(state, KB_HOLE, blocks);
	return fiemap_walk(fd, blocks, mark_cb, &m);
}

static void count_cb(const struct fiemap_extent *e, void *arg)
{
	(void)e;
	++*(long *)arg;
}

long kb_extent_count(int fd, uint64_t blocks)
{
	long n = 0;
	int ret = fiemap_walk(fd, blocks, count_cb, &n);

	return ret ? ret : n;
}

static const char *state_name(int state)
{
	static const char *const names[] = { "hole", "unwritten", "written" };

	return names[state];
}

bool kb_verify(int fd, const struct kb_plan *plan, char *why, size_t len)
{
	unsigned char *got = malloc(plan->blocks ? plan->blocks : 1);
	int ret;
	bool ok = true;

	if (!got)
		kb_die("out of memory");
	ret = fiemap_states(fd, plan->blocks, got);
	if (ret) {
		snprintf(why, len, "FIEMAP failed: %s", strerror(-ret));
		ok = false;
	}
	for (uint64_t b = 0; ok && b < plan->blocks; b++) {
		if (got[b] == plan->state[b])
			continue;
		snprintf(why, len, "block %llu (offset %llu): expected %s, FIEMAP says %s",
			 (unsigned long long)b, (unsigned long long)b * KB_BLOCK,
			 state_name(plan->state[b]), state_name(got[b]));
		ok = false;
	}
	free(got);
	return ok;
}

void kb_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
