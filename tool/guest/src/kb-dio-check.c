// SPDX-License-Identifier: GPL-2.0
/*
 * kb-dio-check: does DIO under the shared i_rwsem still write the right
 * bytes? Every cell of the matrix
 *
 *   layout (hole, unwritten, written, mixed)
 *   x alignment (aligned, unaligned head, unaligned tail, both)
 *   x inside i_size / extending
 *   x plain / RWF_NOWAIT (-EAGAIN retried without it, and counted)
 *   x writers on disjoint ranges / neighbours sharing a block
 *
 * builds a fresh file (layout checked with FIEMAP), lets concurrent
 * writer threads write their ranges at once, then reads the file back with
 * O_DIRECT and buffered and compares every byte with what must be there:
 * each writer's pattern (unique per writer and offset), old data, or zeros.
 * Any difference prints the file, offset, expected and actual bytes.
 *
 *   kb-dio-check --dir DIR [--quick] [--writers N] [--rounds N] [--self-test-corrupt]
 *   kb-dio-check --dir DIR --ext3-race [--rounds N]
 *
 * --ext3-race is patch 2/8's race on a filesystem without extents: async
 * DIO to the written half of a [hole][written] file while another thread's
 * DIO over both falls back to buffered I/O. fsync must not fail with EIO
 * (the kernel log's "Page cache invalidation failure" is the caller's to
 * check) and both reads must agree with one of the writers.
 *
 * One JSON object on stdout; exit 0 when everything matched, 1 when not,
 * 2 when the check could not run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kb.h"
#include "kb-uring.h"

#define B KB_BLOCK
#define SPAN (3 * B)		/* one writer's nominal range */
#define HEAD_SHIFT 1024		/* an unaligned head starts this far into its block */
#define TAIL_SHIFT 1536		/* an unaligned tail stops this far before its block's end */
#define MID_SHIFT 2048		/* shared neighbours meet this far into a block */
#define MAX_WRITERS 16
#define MAX_REPORTED 10
#define MAX_FAILED 32

enum { L_HOLE, L_UNWRITTEN, L_WRITTEN, L_MIXED, NR_LAYOUTS };
enum { A_ALIGNED, A_HEAD, A_TAIL, A_BOTH, NR_ALIGNS };

static const char *const layout_names[] = { "hole", "unwritten", "written", "mixed" };
static const char *const align_names[] = { "aligned", "head", "tail", "both" };

struct opts {
	const char *dir;
	unsigned int writers;
	unsigned int rounds;
	bool quick;
	bool corrupt;
	bool race;
};

struct cell {
	int layout, align;
	bool extend, nowait, shared;
	unsigned int id, round;
	char name[80];
};

struct range {
	uint64_t start, end;
};

struct mismatch {
	char file[128], cell[80], via[16];
	uint64_t offset, len;
	unsigned char expected, actual;
	char expected_who[24], actual_who[24];
};

static struct {
	uint64_t cells, runs, writes, nowait_writes, eagain, mismatch_runs, mismatch_bytes;
	uint64_t size_errors, layout_errors, io_errors, failed_count;
	unsigned int nfailed, nreported;
	char failed[MAX_FAILED][80];
	struct mismatch reported[MAX_REPORTED];
} tot;

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: kb-dio-check --dir DIR [--quick] [--writers N] [--rounds N] [--self-test-corrupt]\n"
			"       kb-dio-check --dir DIR --ext3-race [--rounds N]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	bool rounds_set = false;

	o->writers = 4;
	o->rounds = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			o->dir = argv[++i];
		else if (!strcmp(argv[i], "--writers") && i + 1 < argc)
			o->writers = kb_parse_size("--writers", argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			o->rounds = kb_parse_size("--rounds", argv[++i]), rounds_set = true;
		else if (!strcmp(argv[i], "--quick"))
			o->quick = true;
		else if (!strcmp(argv[i], "--self-test-corrupt"))
			o->corrupt = true;
		else if (!strcmp(argv[i], "--ext3-race"))
			o->race = true;
		else
			usage();
	}
	if (!o->dir || o->writers < 2 || o->writers > MAX_WRITERS || !o->rounds)
		usage();
	if (o->race && !rounds_set)
		o->rounds = 200;
}

/* ---- geometry and expected content --------------------------------------- */

static bool head_unaligned(int align)
{
	return align == A_HEAD || align == A_BOTH;
}

static bool tail_unaligned(int align)
{
	return align == A_TAIL || align == A_BOTH;
}

/*
 * Disjoint: each writer has its own SPAN with a free block after it.
 * Shared: neighbours meet inside a block (at a block edge when aligned),
 * so unaligned neighbours both need that block's partial zeroing.
 * The alignment class sets the outer head and tail.
 */
static void ranges(const struct cell *c, unsigned int n, struct range *r)
{
	for (unsigned int i = 0; i < n; i++) {
		if (c->shared) {
			uint64_t mid = c->align == A_ALIGNED ? 0 : MID_SHIFT;

			r[i].start = B + i * SPAN + (i ? mid : 0);
			r[i].end = B + (i + 1) * SPAN + (i + 1 < n ? mid : 0);
		} else {
			r[i].start = B + i * (SPAN + B);
			r[i].end = r[i].start + SPAN;
		}
		if (head_unaligned(c->align) && (!c->shared || i == 0))
			r[i].start += HEAD_SHIFT;
		if (tail_unaligned(c->align) && (!c->shared || i + 1 == n))
			r[i].end -= TAIL_SHIFT;
	}
}

static int block_layout(int layout, uint64_t b)
{
	static const unsigned char mixed[] = { KB_WRITTEN, KB_UNWRITTEN, KB_HOLE };

	switch (layout) {
	case L_HOLE:
		return KB_HOLE;
	case L_UNWRITTEN:
		return KB_UNWRITTEN;
	case L_WRITTEN:
		return KB_WRITTEN;
	default:
		return mixed[b % 3];
	}
}

/*
 * The file before the writers: one guard block past the last range. When
 * extending, i_size sits mid-block halfway through the ranges, so some
 * writers cross it and some start past it; written blocks cannot exist
 * past i_size (truncation frees them), so they are holes there.
 */
static void make_plan(const struct cell *c, const struct range *r, unsigned int n, struct kb_plan *p)
{
	p->blocks = (r[n - 1].end + B - 1) / B + 1;
	p->size = p->blocks * B;
	if (c->extend)
		p->size = (r[0].start + r[n - 1].end) / 2 / B * B + TAIL_SHIFT;
	p->state = malloc(p->blocks);
	if (!p->state)
		kb_die("out of memory");
	for (uint64_t b = 0; b < p->blocks; b++) {
		p->state[b] = block_layout(c->layout, b);
		if (p->state[b] == KB_WRITTEN && b * B >= p->size)
			p->state[b] = KB_HOLE;
	}
}

static uint64_t old_tag(const struct cell *c)
{
	return (uint64_t)c->round << 40 | (uint64_t)c->id << 16;
}

static uint64_t writer_tag(const struct cell *c, unsigned int i)
{
	return old_tag(c) | (i + 1);
}

/* What the file must hold after the writers, and its size. */
static uint64_t expected(const struct cell *c, const struct kb_plan *p, const struct range *r,
			 unsigned int n, unsigned char *exp, uint64_t len)
{
	uint64_t size = p->size;

	memset(exp, 0, len);
	for (uint64_t b = 0; b < p->blocks && b * B < p->size; b++) {
		uint64_t end = (b + 1) * B < p->size ? (b + 1) * B : p->size;

		if (p->state[b] == KB_WRITTEN)
			kb_fill(exp + b * B, end - b * B, b * B, old_tag(c));
	}
	for (unsigned int i = 0; i < n; i++) {
		kb_fill(exp + r[i].start, r[i].end - r[i].start, r[i].start, writer_tag(c, i));
		if (r[i].end > size)
			size = r[i].end;
	}
	return size;
}

/* ---- the writers ------------------------------------------------------------ */

struct writer {
	pthread_t thread;
	pthread_barrier_t *start;
	int fd;
	struct range r;
	bool nowait;
	unsigned char *buf;
	int err;		/* -errno of the write that failed */
	unsigned int eagain;	/* NOWAIT refusals retried blocking */
};

static int write_range(struct writer *w)
{
	size_t len = w->r.end - w->r.start, done = 0;
	int flags = w->nowait ? RWF_NOWAIT : 0;

	while (done < len) {
		struct iovec iov = { w->buf + done, len - done };
		ssize_t n = pwritev2(w->fd, &iov, 1, w->r.start + done, flags);

		if (n < 0 && errno == EAGAIN && flags) {
			/* NOWAIT may refuse; the blocking retry must still land the data. */
			w->eagain++;
			flags = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		done += n;
	}
	return 0;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_barrier_wait(w->start);
	w->err = write_range(w);
	return NULL;
}

/* Runs all writers at once; returns the number that failed. */
static unsigned int run_writers(const struct cell *c, int fd, const struct range *r, unsigned int n)
{
	struct writer w[MAX_WRITERS];
	pthread_barrier_t start;
	unsigned int failed = 0;

	pthread_barrier_init(&start, NULL, n);
	for (unsigned int i = 0; i < n; i++) {
		w[i] = (struct writer){ .start = &start, .fd = fd, .r = r[i], .nowait = c->nowait };
		w[i].buf = kb_alloc(r[i].end - r[i].start);
		kb_fill(w[i].buf, r[i].end - r[i].start, r[i].start, writer_tag(c, i));
		if (pthread_create(&w[i].thread, NULL, writer_main, &w[i]))
			kb_die("cannot start a writer thread");
	}
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		free(w[i].buf);
		tot.writes++;
		tot.nowait_writes += c->nowait;
		tot.eagain += w[i].eagain;
		if (w[i].err) {
			fprintf(stderr, "kb-dio-check: %s: writer %u [%llu, %llu): %s\n", c->name, i,
				(unsigned long long)r[i].start, (unsigned long long)r[i].end, strerror(-w[i].err));
			failed++;
		}
	}
	pthread_barrier_destroy(&start);
	return failed;
}

/* ---- read back and compare ------------------------------------------------- */

struct who {
	const struct cell *c;
	const struct kb_plan *p;
	const struct range *r;
	unsigned int n;
};

/* Who must have written offset O. */
static void expected_who(const struct who *w, uint64_t o, char *out, size_t len)
{
	for (unsigned int i = 0; i < w->n; i++) {
		if (o >= w->r[i].start && o < w->r[i].end) {
			snprintf(out, len, "writer %u", i);
			return;
		}
	}
	snprintf(out, len, o / B < w->p->blocks && o < w->p->size && w->p->state[o / B] == KB_WRITTEN ?
		 "old data" : "zero");
}

/* Whose data the 8 bytes from O look like, to tell stale data from a torn write. */
static void actual_who(const struct who *w, const unsigned char *got, uint64_t len, uint64_t o, char *out,
		       size_t outlen)
{
	uint64_t n = len - o < 8 ? len - o : 8;
	unsigned char cand[8];
	bool zero = true;

	for (uint64_t k = 0; k < n; k++)
		zero &= !got[o + k];
	if (zero) {
		snprintf(out, outlen, "zero");
		return;
	}
	for (unsigned int i = 0; i <= w->n; i++) {
		uint64_t tag = i < w->n ? writer_tag(w->c, i) : old_tag(w->c);

		kb_fill(cand, n, o, tag);
		if (!memcmp(cand, got + o, n)) {
			if (i < w->n)
				snprintf(out, outlen, "writer %u", i);
			else
				snprintf(out, outlen, "old data");
			return;
		}
	}
	snprintf(out, outlen, "unknown");
}

static void report_mismatch(const struct who *w, const char *file, const char *via, const unsigned char *exp,
			    const unsigned char *got, uint64_t len, uint64_t o, uint64_t run)
{
	struct mismatch m = { .offset = o, .len = run, .expected = exp[o], .actual = got[o] };

	snprintf(m.file, sizeof(m.file), "%s", file);
	snprintf(m.cell, sizeof(m.cell), "%s", w->c->name);
	snprintf(m.via, sizeof(m.via), "%s", via);
	expected_who(w, o, m.expected_who, sizeof(m.expected_who));
	actual_who(w, got, len, o, m.actual_who, sizeof(m.actual_who));
	fprintf(stderr, "kb-dio-check: MISMATCH %s (%s, %s read) offset %llu: expected 0x%02x (%s), "
		"actual 0x%02x (%s); %llu bytes differ from there\n", m.file, m.cell, via,
		(unsigned long long)o, m.expected, m.expected_who, m.actual, m.actual_who,
		(unsigned long long)run);
	if (tot.nreported < MAX_REPORTED)
		tot.reported[tot.nreported++] = m;
}

/* Compares LEN bytes; reports every run of differing bytes. Returns the number of runs. */
static uint64_t compare(const struct who *w, const char *file, const char *via, const unsigned char *exp,
			const unsigned char *got, uint64_t len)
{
	uint64_t runs = 0;

	for (uint64_t o = 0; o < len;) {
		uint64_t e = o;

		if (exp[o] == got[o]) {
			o++;
			continue;
		}
		while (e < len && exp[e] != got[e])
			e++;
		report_mismatch(w, file, via, exp, got, len, o, e - o);
		tot.mismatch_bytes += e - o;
		runs++;
		o = e;
	}
	return runs;
}

/* Reads the file through FD (O_DIRECT or not) and compares; returns the problems found. */
static unsigned int read_back(const struct who *w, const char *file, int fd, const char *via,
			      const unsigned char *exp, uint64_t size, uint64_t cap)
{
	unsigned char *got = kb_alloc(cap);
	unsigned int bad = 0;
	size_t n;
	int ret = kb_pread(fd, got, cap, 0, &n);

	if (ret) {
		fprintf(stderr, "kb-dio-check: %s: %s read failed: %s\n", file, via, strerror(-ret));
		tot.io_errors++;
		bad++;
	} else if (n != size) {
		fprintf(stderr, "kb-dio-check: %s (%s): %s read returned %zu bytes, size must be %llu\n", file,
			w->c->name, via, n, (unsigned long long)size);
		tot.size_errors++;
		bad++;
	}
	if (!ret) {
		uint64_t runs = compare(w, file, via, exp, got, n < size ? n : size);

		tot.mismatch_runs += runs;
		bad += runs > 0;
	}
	free(got);
	return bad;
}

/* --self-test-corrupt: flips one byte of writer 0's data behind the checker's back. */
static void corrupt(int fd, const struct range *r)
{
	uint64_t o = r[0].start + 100, blk = o / B * B;
	unsigned char *buf = kb_alloc(B);
	size_t n;

	if (kb_pread(fd, buf, B, blk, &n) || n != B)
		kb_die("--self-test-corrupt: cannot read block at %llu", (unsigned long long)blk);
	buf[o - blk] ^= 0x5a;
	if (kb_pwrite_full(fd, buf, B, blk))
		kb_die("--self-test-corrupt: cannot write block at %llu", (unsigned long long)blk);
	free(buf);
}

/* ---- one cell -------------------------------------------------------------------- */

static void fail_cell(const struct cell *c)
{
	tot.failed_count++;
	if (tot.nfailed < MAX_FAILED)
		snprintf(tot.failed[tot.nfailed++], sizeof(tot.failed[0]), "%s", c->name);
}

/* Builds the cell's file; returns its O_DIRECT fd, or -1 after reporting why not. */
static int build_cell(const struct cell *c, const char *path, const struct kb_plan *p)
{
	char why[200];
	int fd = kb_build(path, p, old_tag(c), false);

	if (fd < 0) {
		fprintf(stderr, "kb-dio-check: %s: cannot build the %s layout: %s\n", path, c->name,
			strerror(-fd));
		tot.io_errors++;
		return -1;
	}
	if (!kb_verify(fd, p, why, sizeof(why))) {
		fprintf(stderr, "kb-dio-check: %s (%s): layout not as built: %s\n", path, c->name, why);
		tot.layout_errors++;
		close(fd);
		return -1;
	}
	return fd;
}

static bool run_cell(const struct opts *o, const struct cell *c)
{
	struct range r[MAX_WRITERS];
	struct kb_plan p;
	struct who who = { c, &p, r, o->writers };
	char path[4096];
	unsigned char *exp;
	uint64_t cap, size;
	unsigned int bad;
	int fd, bfd;

	ranges(c, o->writers, r);
	make_plan(c, r, o->writers, &p);
	snprintf(path, sizeof(path), "%s/cell-%u", o->dir, c->id);
	fd = build_cell(c, path, &p);
	if (fd < 0) {
		free(p.state);
		return false;
	}
	cap = (p.blocks + 1) * B;
	exp = kb_alloc(cap);
	size = expected(c, &p, r, o->writers, exp, cap);
	bad = run_writers(c, fd, r, o->writers);
	tot.io_errors += bad;
	if (o->corrupt)
		corrupt(fd, r);
	bad += read_back(&who, path, fd, "O_DIRECT", exp, size, cap);
	bfd = open(path, O_RDONLY);
	if (bfd < 0)
		kb_die("cannot open %s: %s", path, strerror(errno));
	bad += read_back(&who, path, bfd, "buffered", exp, size, cap);
	close(bfd);
	close(fd);
	/* A failed cell's file stays for a look; a good one would only fill the disk. */
	if (!bad)
		unlink(path);
	free(exp);
	free(p.state);
	tot.runs++;
	return !bad;
}

/* Whether the filesystem can hold unwritten extents (not without the extents feature). */
static bool has_fallocate(const char *dir)
{
	char path[4096];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/probe-fallocate", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		kb_die("cannot create %s: %s", path, strerror(errno));
	ret = fallocate(fd, 0, 0, B);
	close(fd);
	unlink(path);
	if (ret && errno != EOPNOTSUPP)
		kb_die("fallocate on %s: %s", path, strerror(errno));
	return !ret;
}

#define NR_CELLS (NR_LAYOUTS * NR_ALIGNS * 8)

/* Cell ID in the matrix: layout, then alignment, then 3 bits of extend/nowait/shared. */
static void cell_from_id(struct cell *c)
{
	unsigned int x = c->id % 8;

	c->layout = c->id / (NR_ALIGNS * 8);
	c->align = c->id / 8 % NR_ALIGNS;
	c->extend = x & 1;
	c->nowait = x & 2;
	c->shared = x & 4;
	snprintf(c->name, sizeof(c->name), "%s/%s/%s/%s/%s", layout_names[c->layout], align_names[c->align],
		 c->extend ? "extend" : "inside", c->nowait ? "nowait" : "plain",
		 c->shared ? "shared" : "disjoint");
}

static bool cell_wanted(const struct opts *o, const struct cell *c, bool falloc)
{
	if (!falloc && (c->layout == L_UNWRITTEN || c->layout == L_MIXED))
		return false;
	/* The quick matrix keeps the alignment extremes. */
	return !o->quick || c->align == A_ALIGNED || c->align == A_BOTH;
}

static void run_matrix(const struct opts *o, bool falloc)
{
	struct cell c = { 0 };

	for (c.round = 0; c.round < o->rounds; c.round++) {
		for (c.id = 0; c.id < NR_CELLS; c.id++) {
			cell_from_id(&c);
			if (!cell_wanted(o, &c, falloc))
				continue;
			if (!c.round)
				tot.cells++;
			if (!run_cell(o, &c))
				fail_cell(&c);
		}
	}
}

/* ---- JSON ------------------------------------------------------------------------ */

static void print_mismatches(void)
{
	printf(",\"mismatch_runs\":%llu,\"mismatch_bytes\":%llu,\"first_mismatches\":[",
	       (unsigned long long)tot.mismatch_runs, (unsigned long long)tot.mismatch_bytes);
	for (unsigned int i = 0; i < tot.nreported; i++) {
		const struct mismatch *m = &tot.reported[i];

		printf("%s{\"file\":", i ? "," : "");
		kb_json_str(stdout, m->file);
		printf(",\"cell\":");
		kb_json_str(stdout, m->cell);
		printf(",\"via\":\"%s\",\"offset\":%llu,\"bytes\":%llu,\"expected\":\"0x%02x\",\"expected_who\":\"%s\","
		       "\"actual\":\"0x%02x\",\"actual_who\":\"%s\"}", m->via, (unsigned long long)m->offset,
		       (unsigned long long)m->len, m->expected, m->expected_who, m->actual, m->actual_who);
	}
	printf("]");
}

static void print_matrix(const struct opts *o, bool falloc)
{
	printf("{\"program\":\"kb-dio-check\",\"mode\":\"matrix\",\"dir\":");
	kb_json_str(stdout, o->dir);
	printf(",\"quick\":%s,\"self_test_corrupt\":%s,\"writers\":%u,\"rounds\":%u,\"block_size\":%u,"
	       "\"skipped_layouts\":%s,\"cells\":%llu,\"runs\":%llu,\"writes\":%llu,\"nowait_writes\":%llu,"
	       "\"eagain_retries\":%llu,\"size_errors\":%llu,\"layout_errors\":%llu,\"io_errors\":%llu",
	       o->quick ? "true" : "false", o->corrupt ? "true" : "false", o->writers, o->rounds, B,
	       falloc ? "[]" : "[\"unwritten\",\"mixed\"]", (unsigned long long)tot.cells,
	       (unsigned long long)tot.runs, (unsigned long long)tot.writes,
	       (unsigned long long)tot.nowait_writes, (unsigned long long)tot.eagain,
	       (unsigned long long)tot.size_errors, (unsigned long long)tot.layout_errors,
	       (unsigned long long)tot.io_errors);
	print_mismatches();
	printf(",\"failed_cells\":%llu,\"failed\":[", (unsigned long long)tot.failed_count);
	for (unsigned int i = 0; i < tot.nfailed; i++)
		printf("%s\"%s\"", i ? "," : "", tot.failed[i]);
	printf("]}\n");
}

/* ---- the ext3-style race (patch 2/8) ------------------------------------------- */

#define RACE_DEPTH 4

struct race {
	int fd;
	const struct cell *c;
	pthread_barrier_t start;
	int b_done;			/* set when B's write and fsync returned */
	uint64_t a_writes, a_errors;
	int b_write_err, b_fsync_err;
};

/* Thread A: keeps RACE_DEPTH async DIO overwrites of block 1 in flight until B is done. */
static void *race_a(void *arg)
{
	struct race *rc = arg;
	struct kb_ring ring;
	unsigned char *buf = kb_alloc(B);
	unsigned int inflight = 0;
	uint64_t data;

	kb_fill(buf, B, B, writer_tag(rc->c, 0));
	if (kb_ring_init(&ring, RACE_DEPTH * 2))
		kb_die("io_uring became unavailable");
	pthread_barrier_wait(&rc->start);
	do {
		while (inflight < RACE_DEPTH && !kb_ring_rw(&ring, true, rc->fd, buf, B, B, 0, 0, 0))
			inflight++;
		if (!inflight)
			break;
		if (kb_ring_wait(&ring, &data) != (int)B)
			rc->a_errors++;
		inflight--;
		rc->a_writes++;
	} while (!__atomic_load_n(&rc->b_done, __ATOMIC_ACQUIRE));
	for (; inflight; inflight--, rc->a_writes++)
		if (kb_ring_wait(&ring, &data) != (int)B)
			rc->a_errors++;
	kb_ring_exit(&ring);
	free(buf);
	return NULL;
}

/* Thread B: one DIO over [hole][written]; the hole makes it fall back to buffered I/O. */
static void race_b(struct race *rc)
{
	unsigned char *buf = kb_alloc(2 * B);

	kb_fill(buf, 2 * B, 0, writer_tag(rc->c, 1));
	pthread_barrier_wait(&rc->start);
	rc->b_write_err = kb_pwrite_full(rc->fd, buf, 2 * B, 0);
	rc->b_fsync_err = fsync(rc->fd) ? -errno : 0;
	__atomic_store_n(&rc->b_done, 1, __ATOMIC_RELEASE);
	free(buf);
}

/* Block 0 must be B's; block 1 wholly A's or wholly B's, whoever came last. */
static void race_check(const struct cell *c, const char *path, int fd, const char *via)
{
	unsigned char *got = kb_alloc(3 * B), *exp = kb_alloc(2 * B);
	/* "writer 0" is A (block 1 only), "writer 1" is B; A's range is empty when B came last. */
	struct range r[2] = { { B, 2 * B }, { 0, 2 * B } };
	struct kb_plan p = { .blocks = 2, .size = 2 * B, .state = (unsigned char[]){ KB_HOLE, KB_WRITTEN } };
	struct who w = { c, &p, r, 2 };
	size_t n;

	if (kb_pread(fd, got, 3 * B, 0, &n) || n != 2 * B) {
		fprintf(stderr, "kb-dio-check: %s: %s read returned %zu bytes, expected %u\n", path, via, n, 2 * B);
		tot.size_errors++;
	}
	kb_fill(exp, 2 * B, 0, writer_tag(c, 1));
	if (got[B] != exp[B])
		kb_fill(exp + B, B, B, writer_tag(c, 0));
	else
		r[0].end = r[0].start;
	tot.mismatch_runs += compare(&w, path, via, exp, got, 2 * B);
	free(got);
	free(exp);
}

static void race_round(struct cell *c, struct race *rc, const char *path)
{
	unsigned char *old = kb_alloc(B);
	pthread_t a;
	int bfd;

	unlink(path);
	rc->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (rc->fd < 0)
		kb_die("cannot create %s: %s", path, strerror(errno));
	kb_fill(old, B, B, old_tag(c));
	if (kb_pwrite_full(rc->fd, old, B, B))
		kb_die("cannot write block 1 of %s", path);
	rc->b_done = 0;
	pthread_barrier_init(&rc->start, NULL, 2);
	if (pthread_create(&a, NULL, race_a, rc))
		kb_die("cannot start a thread");
	race_b(rc);
	pthread_join(a, NULL);
	pthread_barrier_destroy(&rc->start);
	if (!rc->b_fsync_err && fsync(rc->fd))
		rc->b_fsync_err = -errno;
	race_check(c, path, rc->fd, "O_DIRECT");
	bfd = open(path, O_RDONLY);
	if (bfd < 0)
		kb_die("cannot open %s: %s", path, strerror(errno));
	race_check(c, path, bfd, "buffered");
	close(bfd);
	close(rc->fd);
	free(old);
}

static int run_race(const struct opts *o)
{
	struct cell c = { .id = 1 };
	struct race rc = { .c = &c };
	uint64_t fsync_eio = 0, write_errors = 0;
	struct kb_ring probe;
	char path[4096];
	int ret = kb_ring_init(&probe, 2);
	bool ok;

	if (ret) {
		/* Without async DIO there is no race to provoke: say so rather than pass. */
		printf("{\"program\":\"kb-dio-check\",\"mode\":\"ext3-race\",\"ran\":false,"
		       "\"why\":\"io_uring unavailable: %s\"}\n", strerror(-ret));
		return 2;
	}
	kb_ring_exit(&probe);
	snprintf(path, sizeof(path), "%s/race", o->dir);
	snprintf(c.name, sizeof(c.name), "ext3-race");
	for (c.round = 0; c.round < o->rounds; c.round++) {
		race_round(&c, &rc, path);
		fsync_eio += rc.b_fsync_err == -EIO;
		write_errors += rc.b_write_err != 0 || (rc.b_fsync_err && rc.b_fsync_err != -EIO);
	}
	ok = !fsync_eio && !write_errors && !rc.a_errors && !tot.mismatch_runs && !tot.size_errors;
	if (ok)
		unlink(path);
	printf("{\"program\":\"kb-dio-check\",\"mode\":\"ext3-race\",\"ran\":true,\"dir\":");
	kb_json_str(stdout, o->dir);
	printf(",\"rounds\":%u,\"async\":\"io_uring\",\"depth\":%d,\"a_writes\":%llu,\"a_errors\":%llu,"
	       "\"fsync_eio\":%llu,\"write_errors\":%llu,\"size_errors\":%llu",
	       o->rounds, RACE_DEPTH, (unsigned long long)rc.a_writes, (unsigned long long)rc.a_errors,
	       (unsigned long long)fsync_eio, (unsigned long long)write_errors,
	       (unsigned long long)tot.size_errors);
	print_mismatches();
	printf("}\n");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	unsigned long bs;
	int dfd;
	bool falloc;

	parse(argc, argv, &o);
	dfd = open(o.dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		kb_die("cannot open %s: %s", o.dir, strerror(errno));
	bs = kb_fs_block(dfd);
	close(dfd);
	if (bs != B)
		kb_die("%s: filesystem block size %lu; the matrix is laid out in %u-byte blocks", o.dir, bs, B);
	if (o.race)
		return run_race(&o);
	falloc = has_fallocate(o.dir);
	run_matrix(&o, falloc);
	print_matrix(&o, falloc);
	return tot.failed_count ? 1 : 0;
}
