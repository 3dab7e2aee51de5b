// SPDX-License-Identifier: GPL-2.0
/*
 * kb-nowait: which DIO writes does ext4 refuse with EAGAIN under NOWAIT?
 *
 *   kb-nowait --mnt DIR [--dev DEV] [--expect FILE]
 *
 * Each case builds a fresh 256K file in DIR (an ext4 mounted from DEV),
 * checks its layout with FIEMAP, then issues one write three ways:
 *
 *   pwritev2-nowait  pwritev2(..., RWF_NOWAIT)
 *   uring-nowait     io_uring write with RWF_NOWAIT: -EAGAIN reaches the CQE
 *   uring            plain io_uring write: the kernel tries it with
 *                    IOCB_NOWAIT inline and punts to an io-wq worker on
 *                    EAGAIN, so it always succeeds; "ok-punted" when an
 *                    io-wq worker ran it, "ok-inline" when not
 *
 * Two things besides the extent state make a NOWAIT write fail, and each
 * case controls them so the answer is about the extents:
 *  - timestamps: with kiocb_modified() (series 5/8) a write that must
 *    update mtime returns EAGAIN. The write follows futimens(NULL) within
 *    one tick of the coarse clock; an EAGAIN with a tick in between is
 *    ambiguous and the case is repeated. stale-mtime lets them go stale.
 *  - S_NOSEC: lost when the inode is evicted (cold cases), and without it
 *    every NOWAIT write needs the exclusive lock. A buffered write from an
 *    unreadable buffer sets it again (file_remove_privs()) and fails before
 *    mapping any block. /proc/fs/ext4/<dev>/es_shrinker_info shows whether
 *    the extent cache really stayed cold.
 * (Page cache over the range is a third: all I/O here is O_DIRECT.)
 *
 * After an EAGAIN the write is completed without NOWAIT and read back;
 * before that, "eagain_written" counts the bytes the refused write wrote
 * anyway: a NOWAIT write whose first extent was submitted before a later
 * one refused (overwrite-hole: [W][H] under the shared lock, 1/8's EAGAIN
 * from ext4_iomap_alloc()) fails after writing part of its data, and its
 * async completion cannot be reissued by io_uring.
 * With --expect (tool/guest/expect/nowait-<variant>-<kernel>.json) every
 * answer is compared; what could not be compared (not run, ambiguous, no
 * io_uring) is counted as "unrun". One JSON object on stdout; exit 1 when
 * an answer differs from the table or data read back wrong, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kb.h"
#include "kb-uring.h"

#define FILE_BLOCKS 64
#define AT (8 * KB_BLOCK)		/* the write's block: a stripe start */
#define ALIGNED_LEN (2 * KB_BLOCK)	/* the cover letter's 8K */
#define UNALIGNED_LEN 14336		/* and its 14336 bytes at +512 */
#define TRIES 10

enum { API_PWRITEV2, API_URING_NOWAIT, API_URING, NR_APIS };
static const char *const api_names[] = { "pwritev2-nowait", "uring-nowait", "uring" };

enum { W = KB_WRITTEN, U = KB_UNWRITTEN, H = KB_HOLE };

struct nw_case {
	const char *name;
	const char *layout;
	unsigned char period[4];	/* block states, repeating */
	uint64_t off;
	unsigned int len;
	bool cold;			/* remounted: nothing cached */
	bool stale;			/* mtime older than the coarse clock */
};

static const struct nw_case cases[] = {
	{ "overwrite-written", "written", { W, W, W, W }, AT, ALIGNED_LEN, false, false },
	{ "overwrite-unwritten", "unwritten", { U, U, U, U }, AT, ALIGNED_LEN, false, false },
	{ "overwrite-mixed", "test1 [W][U]", { W, U, W, U }, AT, ALIGNED_LEN, false, false },
	{ "unaligned-written", "written", { W, W, W, W }, AT + 512, UNALIGNED_LEN, false, false },
	{ "unaligned-stripe", "test2 [W][U][U][W]", { W, U, U, W }, AT + 512, UNALIGNED_LEN, false, false },
	{ "unaligned-zeroing", "unwritten", { U, U, U, U }, AT + 512, UNALIGNED_LEN, false, false },
	{ "allocate", "hole", { H, H, H, H }, AT, ALIGNED_LEN, false, false },
	{ "extending", "written", { W, W, W, W }, FILE_BLOCKS * KB_BLOCK, ALIGNED_LEN, false, false },
	{ "cold-overwrite", "written", { W, W, W, W }, AT, ALIGNED_LEN, true, false },
	{ "cold-unaligned-written", "written", { W, W, W, W }, AT + 512, UNALIGNED_LEN, true, false },
	{ "stale-mtime", "written", { W, W, W, W }, AT, ALIGNED_LEN, false, true },
	{ "overwrite-hole", "[W][H]", { W, H, W, H }, AT, ALIGNED_LEN, false, false },
};

struct opts {
	const char *mnt, *dev, *expect;
	char path[PATH_MAX];
};

/*
 * One answer: what the write returned, whether a timestamp tick blurs it,
 * and how much of its data a write that did not succeed left in the file.
 */
struct answer {
	char result[32];
	bool ambiguous;
	unsigned int written;
};

struct outcome {
	struct answer a[NR_APIS];
	unsigned int tries[NR_APIS];
	char expect[NR_APIS][32];
	bool have_expect;
	bool match;
	bool data_ok;
	int cold;			/* 1 verified cold, 0 not, -1 unknown */
	char error[200];		/* why the case could not run */
};

static struct {
	unsigned int compared, mismatches, unrun, data_errors;
} tot;

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: kb-nowait --mnt DIR [--dev DEV] [--expect FILE]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mnt") && i + 1 < argc)
			o->mnt = argv[++i];
		else if (!strcmp(argv[i], "--dev") && i + 1 < argc)
			o->dev = argv[++i];
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			o->expect = argv[++i];
		else
			usage();
	}
	if (!o->mnt)
		usage();
	snprintf(o->path, sizeof(o->path), "%s/kb-nowait", o->mnt);
}

static uint64_t case_tag(const struct nw_case *c)
{
	return 0xa0000 + (c - cases);
}

/* ---- preparing a case ---------------------------------------------------------- */

static void case_plan(const struct nw_case *c, struct kb_plan *p, unsigned char *state)
{
	for (unsigned int b = 0; b < FILE_BLOCKS; b++)
		state[b] = c->period[b % 4];
	p->state = state;
	p->blocks = FILE_BLOCKS;
	p->size = FILE_BLOCKS * KB_BLOCK;
}

/* The number of cached extents of the filesystem FD is on; -1 when the kernel does not say. */
static long es_objects(int fd)
{
	char link[64], target[PATH_MAX], path[PATH_MAX + 64];
	struct stat st;
	long n = -1;
	ssize_t len;
	FILE *f;

	if (fstat(fd, &st))
		return -1;
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	len = readlink(link, target, sizeof(target) - 1);
	if (len < 0)
		return -1;
	target[len] = 0;
	snprintf(path, sizeof(path), "/proc/fs/ext4/%s/es_shrinker_info", strrchr(target, '/') + 1);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* "stats:" then "  <n> objects" */
	if (fscanf(f, "stats: %ld objects", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Unmounts and mounts again, so the next open finds no inode and no cached extent. */
static int remount(const struct opts *o)
{
	int fd;

	if (umount2(o->mnt, 0))
		return -errno;
	/* Only so the extent tree must come from the device: nothing depends on it working. */
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		ssize_t n = write(fd, "3", 1);

		(void)n;
		close(fd);
	}
	if (mount(o->dev, o->mnt, "ext4", 0, NULL))
		return -errno;
	return 0;
}

/* See the top of the file: S_NOSEC back without touching the extent cache. */
static int restore_nosec(const char *path)
{
	void *bad = mmap(NULL, KB_BLOCK, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0 || bad == MAP_FAILED)
		kb_die("cannot open %s: %s", path, strerror(errno));
	if (pwrite(fd, bad, 1, 0) >= 0 || errno != EFAULT)
		ret = -EINVAL;
	close(fd);
	munmap(bad, KB_BLOCK);
	return ret;
}

/* Builds the case's file; returns its O_DIRECT fd or -1 with OUT->error set. */
static int prepare(const struct opts *o, const struct nw_case *c, struct outcome *out)
{
	unsigned char state[FILE_BLOCKS];
	struct kb_plan p;
	char why[160];
	long before;
	int fd, ret;

	case_plan(c, &p, state);
	unlink(o->path);
	fd = kb_build(o->path, &p, case_tag(c), false);
	if (fd < 0) {
		snprintf(out->error, sizeof(out->error), "cannot build the file: %s", strerror(-fd));
		return -1;
	}
	/* FIEMAP goes through ext4_map_blocks(): after it every extent is cached. */
	if (!kb_verify(fd, &p, why, sizeof(why))) {
		snprintf(out->error, sizeof(out->error), "layout: %s", why);
		close(fd);
		return -1;
	}
	if (!c->cold)
		return fd;
	close(fd);
	ret = o->dev ? remount(o) : -ENODEV;
	if (ret) {
		snprintf(out->error, sizeof(out->error), "%s", o->dev ? strerror(-ret) : "no --dev to remount");
		return -1;
	}
	fd = open(o->path, O_RDWR | O_DIRECT);
	if (fd < 0)
		kb_die("cannot open %s after the remount: %s", o->path, strerror(errno));
	before = es_objects(fd);
	if (restore_nosec(o->path)) {
		snprintf(out->error, sizeof(out->error), "cannot restore S_NOSEC with a faulting write");
		close(fd);
		return -1;
	}
	out->cold = before < 0 ? -1 : es_objects(fd) == before;
	return fd;
}

/* ---- the write ------------------------------------------------------------------ */

static struct timespec coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return ts;
}

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/*
 * Sets up the timestamps the case wants right before its write; returns the
 * coarse time to compare with afterwards. current_time() is the coarse
 * clock, so mtime == now means the write has no time to update.
 */
static struct timespec timestamps(int fd, const struct nw_case *c)
{
	struct stat st;

	if (!c->stale) {
		/*
		 * Twice: on an evicted inode (the cold cases) the first update
		 * reads the inode's block and outlasts a tick, leaving an mtime
		 * already stale for the write; the second finds it cached. What
		 * counts is the time it set, not the clock before it.
		 */
		if (futimens(fd, NULL) || futimens(fd, NULL) || fstat(fd, &st))
			kb_die("futimens: %s", strerror(errno));
		return st.st_mtim;
	}
	if (fstat(fd, &st))
		kb_die("fstat: %s", strerror(errno));
	while (same_time(coarse(), st.st_mtim))
		usleep(1000);
	return coarse();
}

static void errno_result(int err, char *out, size_t len)
{
	if (err == EAGAIN)
		snprintf(out, len, "eagain");
	else
		snprintf(out, len, "error:%s", strerrorname_np(err) ? strerrorname_np(err) : "?");
}

static void pwritev2_nowait(int fd, const struct nw_case *c, const unsigned char *buf, struct answer *a)
{
	struct iovec iov = { (void *)buf, c->len };
	struct timespec t0 = timestamps(fd, c);
	ssize_t n = pwritev2(fd, &iov, 1, c->off, RWF_NOWAIT);
	int err = errno;

	if (n == c->len)
		snprintf(a->result, sizeof(a->result), "ok");
	else if (n >= 0)
		snprintf(a->result, sizeof(a->result), "short:%zd", n);
	else
		errno_result(err, a->result, sizeof(a->result));
	a->ambiguous = !c->stale && n < 0 && err == EAGAIN && !same_time(t0, coarse());
}

/*
 * The io-wq workers of this process (threads named iou-wrk-<tid>): how
 * many, and how often they have been scheduled out in all.
 */
static void io_wq_state(unsigned int *workers, unsigned long *switches)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	*workers = 0;
	*switches = 0;
	while (d && (e = readdir(d))) {
		char path[300], line[128] = "";
		unsigned long n;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) && strstr(line, "iou-wrk")) {
			++*workers;
			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "voluntary_ctxt_switches: %lu", &n) == 1 ||
				    sscanf(line, "nonvoluntary_ctxt_switches: %lu", &n) == 1)
					*switches += n;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
}

/*
 * One read of /proc/self/stat through the ring before the timed write, then
 * a pause to let what it started settle. Plain io_uring (IOSQE_ASYNC): it
 * starts an idle io-wq worker, which a punted write then wakes instead of
 * creating a thread, so io_uring_enter() returns at once and the tick check
 * stays tight; the pause lets the worker sleep again, or its switch would
 * count as our write's. NOWAIT (RWF_NOWAIT, completes inline): a task's
 * first io_uring_enter() and the ring's own setup (its io-wq starting) can
 * outlast a timestamp tick under TCG. Measured on patched 5.10's
 * cold-overwrite: 10 tries for an unambiguous NOWAIT answer without, 3 with.
 */
static void prime_ring(struct kb_ring *ring, bool nowait)
{
	int fd = open("/proc/self/stat", O_RDONLY);
	char buf[64];
	uint64_t data;

	if (fd >= 0 && !kb_ring_rw(ring, false, fd, buf, sizeof(buf), 0, nowait ? RWF_NOWAIT : 0,
				   nowait ? 0 : IOSQE_ASYNC, 0))
		kb_ring_wait(ring, &data);
	if (fd >= 0)
		close(fd);
	usleep(20000);
}

/*
 * In a child process of its own, whose only io-wq worker is the one
 * prime_ring() started: the write was punted when that worker ran again
 * (its switch count moved) or another one appeared.
 */
static void uring_child(int fd, const struct nw_case *c, const unsigned char *buf, bool nowait, int pipefd)
{
	struct answer a = { "", false, 0 };
	unsigned long s0, s1;
	unsigned int w0, w1;
	struct kb_ring ring;
	struct timespec t0, t1;
	uint64_t data;
	int res = kb_ring_init(&ring, 4);

	if (res) {
		snprintf(a.result, sizeof(a.result), "unavailable");
		_exit(write(pipefd, &a, sizeof(a)) == sizeof(a) ? 0 : 1);
	}
	prime_ring(&ring, nowait);
	io_wq_state(&w0, &s0);
	t0 = timestamps(fd, c);
	/* io_uring_enter() makes the IOCB_NOWAIT attempt inline: the tick that matters is before it returns. */
	res = kb_ring_rw(&ring, true, fd, (void *)buf, c->len, c->off, nowait ? RWF_NOWAIT : 0, 0, 0);
	t1 = coarse();
	if (!res)
		res = kb_ring_wait(&ring, &data);
	usleep(20000);
	io_wq_state(&w1, &s1);
	if (res == (int)c->len && nowait)
		snprintf(a.result, sizeof(a.result), "ok");
	else if (res == (int)c->len)
		snprintf(a.result, sizeof(a.result), w1 != w0 || s1 != s0 ? "ok-punted" : "ok-inline");
	else if (res >= 0)
		snprintf(a.result, sizeof(a.result), "short:%d", res);
	else
		errno_result(-res, a.result, sizeof(a.result));
	a.ambiguous = !c->stale && (res == -EAGAIN || !strcmp(a.result, "ok-punted")) && !same_time(t0, t1);
	kb_ring_exit(&ring);
	_exit(write(pipefd, &a, sizeof(a)) == sizeof(a) ? 0 : 1);
}

static void uring(int fd, const struct nw_case *c, const unsigned char *buf, bool nowait, struct answer *a)
{
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		kb_die("pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		kb_die("fork: %s", strerror(errno));
	if (!pid) {
		close(p[0]);
		uring_child(fd, c, buf, nowait, p[1]);
	}
	close(p[1]);
	if (read(p[0], a, sizeof(*a)) != sizeof(*a))
		snprintf(a->result, sizeof(a->result), "error:child");
	close(p[0]);
	waitpid(pid, &status, 0);
}

/*
 * The bytes of BUF, in whole 512-byte sectors, that the file already holds
 * at the case's range: what a refused write wrote anyway (kb_fill's
 * patterns differ per case and tag, so old data never matches a sector).
 */
static unsigned int written_anyway(int fd, const struct nw_case *c, const unsigned char *buf,
				   unsigned char *back, uint64_t start, size_t span)
{
	unsigned int n = 0;
	size_t got;

	if (kb_pread(fd, back, span, start, &got))
		return 0;
	for (size_t i = 0; i + 512 <= c->len && c->off - start + i + 512 <= got; i += 512)
		n += !memcmp(back + (c->off - start) + i, buf + i, 512) * 512;
	return n;
}

/*
 * Whatever NOWAIT did, a blocking write must then land the data, and reads
 * must show it. Before that, a write that did not succeed is checked for
 * data it wrote anyway (an EAGAIN after part of the I/O was submitted).
 */
static bool finish_and_check(int fd, const struct nw_case *c, const unsigned char *buf, struct answer *a)
{
	uint64_t start = c->off / KB_BLOCK * KB_BLOCK;
	size_t span = (c->off + c->len - start + KB_BLOCK - 1) / KB_BLOCK * KB_BLOCK, got;
	unsigned char *back = kb_alloc(span);
	bool ok;

	a->written = 0;
	if (strncmp(a->result, "ok", 2))
		a->written = written_anyway(fd, c, buf, back, start, span);
	if (strncmp(a->result, "ok", 2) && kb_pwrite_full(fd, buf, c->len, c->off)) {
		free(back);
		return false;
	}
	ok = !kb_pread(fd, back, span, start, &got) && got >= c->off - start + c->len &&
	     !memcmp(back + (c->off - start), buf, c->len);
	free(back);
	return ok;
}

static void attempt(int fd, const struct nw_case *c, int api, const unsigned char *buf, struct answer *a)
{
	if (api == API_PWRITEV2)
		pwritev2_nowait(fd, c, buf, a);
	else
		uring(fd, c, buf, api == API_URING_NOWAIT, a);
}

static void run_case(const struct opts *o, const struct nw_case *c, struct outcome *out)
{
	unsigned char *buf = kb_alloc(c->len);

	kb_fill(buf, c->len, c->off, case_tag(c) + 0x100);
	out->data_ok = true;
	out->cold = -1;
	for (int api = 0; api < NR_APIS; api++) {
		struct answer *a = &out->a[api];

		do {
			int fd = prepare(o, c, out);

			if (fd < 0) {
				snprintf(a->result, sizeof(a->result), "not-run");
				break;
			}
			attempt(fd, c, api, buf, a);
			out->tries[api]++;
			if (!strcmp(a->result, "unavailable"))
				a->ambiguous = false;
			else if (!finish_and_check(fd, c, buf, a))
				out->data_ok = false;
			close(fd);
		} while (a->ambiguous && out->tries[api] < TRIES);
	}
	unlink(o->path);
	free(buf);
}

/* ---- expectations ---------------------------------------------------------------- */

/*
 * The value of "KEY": "VALUE" in LINE. The expect files keep one case per
 * line, so a line-wise look-up is all the JSON reading a static guest
 * binary needs.
 */
static bool json_field(const char *line, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(line, pat);
	if (!p)
		return false;
	p += strlen(pat);
	p += strspn(p, " \t:");
	if (*p != '"')
		return false;
	e = strchr(p + 1, '"');
	if (!e || (size_t)(e - p - 1) >= len)
		return false;
	memcpy(out, p + 1, e - p - 1);
	out[e - p - 1] = 0;
	return true;
}

static void load_expect(const char *file, struct outcome *out)
{
	FILE *f = fopen(file, "r");
	char line[2048], name[64];

	if (!f)
		kb_die("cannot read %s: %s", file, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
			struct outcome *x = &out[i];

			if (!json_field(line, "case", name, sizeof(name)) || strcmp(name, cases[i].name))
				continue;
			x->have_expect = true;
			for (int api = 0; api < NR_APIS; api++)
				if (!json_field(line, api_names[api], x->expect[api], sizeof(x->expect[api])))
					kb_die("%s: case %s has no \"%s\"", file, name, api_names[api]);
		}
	}
	fclose(f);
}

/* Compares one case: it matches when every answer ran, unambiguously, as expected. */
static bool compare(const struct outcome *x)
{
	bool match = x->have_expect;

	for (int api = 0; api < NR_APIS; api++) {
		const char *r = x->a[api].result;

		if (!x->have_expect || !strcmp(r, "not-run") || !strcmp(r, "unavailable") ||
		    x->a[api].ambiguous) {
			tot.unrun++;
			match = false;
			continue;
		}
		tot.compared++;
		if (strcmp(r, x->expect[api])) {
			tot.mismatches++;
			match = false;
		}
	}
	return match;
}

/* ---- JSON ------------------------------------------------------------------------ */

static void print_apis(const char *key, const struct outcome *x, bool expect)
{
	printf(",\"%s\":{", key);
	for (int api = 0; api < NR_APIS; api++)
		printf("%s\"%s\":\"%s\"", api ? "," : "", api_names[api],
		       expect ? x->expect[api] : x->a[api].result);
	printf("}");
}

static void print_case(const struct nw_case *c, const struct outcome *x, bool expect)
{
	printf("{\"case\":\"%s\",\"layout\":\"%s\",\"write\":\"%u bytes at %llu\",\"cache\":\"%s\","
	       "\"mtime\":\"%s\"", c->name, c->layout, c->len, (unsigned long long)c->off,
	       c->cold ? "cold" : "warm", c->stale ? "stale" : "fresh");
	print_apis("results", x, false);
	printf(",\"tries\":{");
	for (int api = 0; api < NR_APIS; api++)
		printf("%s\"%s\":%u", api ? "," : "", api_names[api], x->tries[api]);
	printf("},\"eagain_written\":{");
	for (int api = 0; api < NR_APIS; api++)
		printf("%s\"%s\":%u", api ? "," : "", api_names[api], x->a[api].written);
	printf("},\"ambiguous\":[");
	for (int api = 0, n = 0; api < NR_APIS; api++)
		if (x->a[api].ambiguous)
			printf("%s\"%s\"", n++ ? "," : "", api_names[api]);
	printf("],\"data\":\"%s\"", x->data_ok ? "ok" : "bad");
	if (c->cold)
		printf(",\"cold_verified\":%s", x->cold < 0 ? "null" : x->cold ? "true" : "false");
	if (x->error[0]) {
		printf(",\"error\":");
		kb_json_str(stdout, x->error);
	}
	if (expect && x->have_expect)
		print_apis("expect", x, true);
	else if (expect)
		printf(",\"expect\":null");
	if (expect)
		printf(",\"match\":%s", x->match ? "true" : "false");
	printf("}");
}

int main(int argc, char **argv)
{
	struct outcome out[ARRAY_SIZE(cases)];
	struct opts o = { 0 };
	struct utsname u;

	parse(argc, argv, &o);
	memset(out, 0, sizeof(out));
	if (o.expect)
		load_expect(o.expect, out);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		run_case(&o, &cases[i], &out[i]);
		tot.data_errors += !out[i].data_ok;
		if (o.expect)
			out[i].match = compare(&out[i]);
	}
	uname(&u);
	printf("{\"program\":\"kb-nowait\",\"kernel\":\"%s\",\"mnt\":", u.release);
	kb_json_str(stdout, o.mnt);
	printf(",\"dev\":");
	o.dev ? kb_json_str(stdout, o.dev) : (void)printf("null");
	printf(",\"expect_file\":");
	o.expect ? kb_json_str(stdout, o.expect) : (void)printf("null");
	printf(",\"cases\":[");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		printf("%s", i ? ",\n" : "\n");
		print_case(&cases[i], &out[i], o.expect);
	}
	printf("],\"data_errors\":%u", tot.data_errors);
	if (o.expect)
		printf(",\"compared\":%u,\"mismatches\":%u,\"unrun\":%u", tot.compared, tot.mismatches, tot.unrun);
	printf("}\n");
	return tot.data_errors || tot.mismatches ? 1 : 0;
}
