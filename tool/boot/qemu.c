// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU boots through run(): the console is QEMU's stdout, captured to a
 * file and watched as it arrives for the guest's markers (to time the
 * boot); the deadline kills QEMU and the verdict becomes hang.
 */
#define _GNU_SOURCE
#include "boot/qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "boot/guest.h"
#include "lib/run.h"
#include "lib/store.h"

#define QEMU "qemu-system-x86_64"
/* A working KVM boots to the no-root panic in about a second; nested KVM hangs. */
#define PROBE_TIMEOUT 15.0

static const struct run_tool qemu_tools[] = {
	{ QEMU, "qemu-system-x86" },
};

static char *probe_key(void)
{
	struct utsname u;
	struct stat st;
	char *qemu = run_which(QEMU), *key;

	if (uname(&u) < 0 || !qemu || stat(qemu, &st) < 0) {
		free(qemu);
		return NULL;
	}
	key = xasprintf("%s %s %s %lld %lld", u.nodename, u.release, qemu, (long long)st.st_size,
			(long long)st.st_mtime);
	free(qemu);
	return key;
}

static int probe_kvm(const char *kernel, bool *works, char **why)
{
	const char *argv[] = { QEMU, "-accel", "kvm", "-cpu", "host", "-smp", "1", "-m", "256",
			       "-nodefaults", "-nographic", "-serial", "stdio", "-no-reboot",
			       "-kernel", kernel, "-append", "console=ttyS0 panic=-1", NULL };
	struct strbuf out = STRBUF_INIT;
	struct run_opts o = { .argv = argv, .out = &out, .timeout = PROBE_TIMEOUT };
	struct run_result r;

	*works = false;
	if (run(&o, &r)) {
		sb_release(&out);
		return -1;
	}
	if (r.timed_out) {
		*why = xasprintf("KVM probe boot hung (killed after %.0f s)", PROBE_TIMEOUT);
	} else if (r.status || r.signal || !strstr(sb_str(&out), "Linux version")) {
		const char *o = sb_str(&out);

		*why = xasprintf("KVM probe boot failed (QEMU %s %d%s%.*s)", r.signal ? "killed by signal" :
				 "exit status", r.signal ? r.signal : r.status, *o ? ": " : "",
				 (int)strcspn(o, "\r\n"), o);
	} else {
		*works = true;
		*why = xasprintf("KVM probe boot finished in %.1f s", r.seconds);
	}
	sb_release(&out);
	return 0;
}

int qemu_accel(const char *kernel, char **accel, char **why)
{
	const char *env = getenv("KBACKPORT_ACCEL");
	char *cache_dir = store_path("cache"), *cache = xasprintf("%s/accel", cache_dir);
	char *key = NULL;
	struct strbuf stored = STRBUF_INIT, text = STRBUF_INIT;
	bool works;
	int ret = -1;

	*accel = *why = NULL;
	if (run_require(qemu_tools, ARRAY_SIZE(qemu_tools), KB_EXIT_BOOT))
		goto cleanup;
	if (env && *env) {
		if (strcmp(env, "kvm") && strcmp(env, "tcg")) {
			error_code(KB_EXIT_USAGE, "KBACKPORT_ACCEL is '%s'; it takes kvm or tcg", env);
			goto cleanup;
		}
		*accel = xstrdup(env);
		*why = xstrdup("from KBACKPORT_ACCEL");
		ret = 0;
		goto cleanup;
	}
	if (access("/dev/kvm", R_OK | W_OK)) {
		*accel = xstrdup("tcg");
		*why = xasprintf("/dev/kvm is not usable: %s", strerror(errno));
		ret = 0;
		goto cleanup;
	}
	key = probe_key();
	/* The cache: "<key>\n<accel>\n<why>\n". */
	if (key && path_exists(cache) && !read_file(cache, &stored)) {
		char *nl = strchr(stored.buf, '\n'), *nl2 = nl ? strchr(nl + 1, '\n') : NULL;

		if (nl2 && (size_t)(nl - stored.buf) == strlen(key) && !memcmp(stored.buf, key, nl - stored.buf)) {
			*accel = xstrndup(nl + 1, nl2 - nl - 1);
			*why = xasprintf("cached probe: %s", nl2 + 1);
			rtrim(*why);
			ret = 0;
			goto cleanup;
		}
	}
	if (probe_kvm(kernel, &works, why))
		goto cleanup;
	*accel = xstrdup(works ? "kvm" : "tcg");
	if (key && !mkdir_p(cache_dir)) {
		sb_addf(&text, "%s\n%s\n%s\n", key, *accel, *why);
		write_file_atomic(cache, text.buf, text.len);
	}
	ret = 0;
cleanup:
	sb_release(&stored);
	sb_release(&text);
	free(key);
	free(cache);
	free(cache_dir);
	return ret;
}

/* ---- the host meanwhile ----------------------------------------------------------- */

/*
 * The host was busy when others took more than a quarter of one CPU on
 * average (a TCG guest's vCPUs are host threads: it is slowed as soon as it
 * has to share one) or the hypervisor stole more than 5 % of the wall time.
 */
#define HOST_BUSY_OTHER_CPUS 0.25
#define HOST_BUSY_STEAL 0.05

struct host_sample {
	double at;		/* run_now() */
	double busy, steal;	/* CPU seconds over all CPUs since boot (/proc/stat) */
	double self, children;	/* ours, and our waited-for children's (QEMU's once it is reaped) */
	double load;		/* 1-minute load average */
};

static double cpu_seconds(const struct rusage *ru)
{
	return ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 + ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

/* -1 when /proc does not tell: the host's load is then unknown, not quiet. */
static int host_sample(struct host_sample *s)
{
	/* user nice system idle iowait irq softirq steal; guest time is counted in user and nice */
	unsigned long long j[8];
	long hz = sysconf(_SC_CLK_TCK);
	struct rusage self, children;
	FILE *f = fopen("/proc/stat", "r");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &j[0], &j[1], &j[2], &j[3], &j[4],
			    &j[5], &j[6], &j[7]) : 0;

	if (f)
		fclose(f);
	f = fopen("/proc/loadavg", "r");
	if (!f || fscanf(f, "%lf", &s->load) != 1)
		n = 0;
	if (f)
		fclose(f);
	if (n != 8 || hz <= 0 || getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &children))
		return -1;
	s->at = run_now();
	s->busy = (double)(j[0] + j[1] + j[2] + j[5] + j[6]) / hz;
	s->steal = (double)j[7] / hz;
	s->self = cpu_seconds(&self);
	s->children = cpu_seconds(&children);
	return 0;
}

/* What the rest of the host did between the samples around QEMU's run, and whether that was too much. */
static void host_judge(const struct host_sample *a, const struct host_sample *b, struct host_load *h)
{
	double own = b->self - a->self, other, share;
	struct strbuf why = STRBUF_INIT;

	memset(h, 0, sizeof(*h));
	h->wall = b->at - a->at;
	h->qemu_cpu = b->children - a->children;
	/* jiffies against rusage: a few ticks of rounding, never below nothing */
	other = b->busy - a->busy - h->qemu_cpu - own;
	h->other_cpu = other > 0 ? other : 0;
	h->steal = b->steal - a->steal;
	h->load_start = a->load;
	h->load_end = b->load;
	h->nproc = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (h->wall <= 0)
		return;
	share = h->other_cpu / h->wall;
	if (share > HOST_BUSY_OTHER_CPUS)
		sb_addf(&why, "other processes used %.2f CPUs on average (nproc %d)", share, h->nproc);
	if (h->steal > HOST_BUSY_STEAL * h->wall)
		sb_addf(&why, "%sthe hypervisor stole %.1f s of CPU time in %.1f s", why.len ? "; " : "", h->steal,
			h->wall);
	h->busy = why.len > 0;
	h->why = why.len ? sb_detach(&why) : NULL;
	sb_release(&why);
}

/* ---- the boot ----------------------------------------------------------------- */

/* Times the guest's markers as the console arrives. */
struct watch {
	double start;
	struct strbuf partial;	/* the line being received */
	double init_at;
	double workload_at;
};

static void watch_line(struct watch *w, const char *line)
{
	if (w->init_at < 0 && starts_with(line, GUEST_MARK_INIT))
		w->init_at = run_now() - w->start;
	if (w->workload_at < 0 && starts_with(line, GUEST_MARK_START))
		w->workload_at = run_now() - w->start;
}

static void on_console(const char *data, size_t len, void *arg)
{
	struct watch *w = arg;

	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n') {
			sb_addc(&w->partial, data[i]);
			continue;
		}
		watch_line(w, sb_str(&w->partial));
		sb_reset(&w->partial);
	}
}

int qemu_scratch_disk(const char *path, int mib)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return error("cannot create '%s': %s", path, strerror(errno));
	if (ftruncate(fd, (off_t)mib << 20) < 0) {
		int e = errno;

		close(fd);
		return error("cannot size '%s': %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

static void qemu_argv(const struct qemu_opts *o, struct strvec *argv)
{
	bool kvm = !strcmp(o->accel, "kvm");

	sv_push(argv, QEMU);
	sv_push(argv, "-accel");
	/* Multi-threaded TCG: one host thread per vCPU. */
	sv_push(argv, kvm ? "kvm" : "tcg,thread=multi");
	sv_push(argv, "-cpu");
	sv_push(argv, kvm ? "host" : "max");
	sv_push(argv, "-smp");
	sv_push_owned(argv, xasprintf("%d", o->smp));
	sv_push(argv, "-m");
	sv_push_owned(argv, xasprintf("%d", o->memory));
	/* No default NIC, VGA or CD-ROM: nothing to probe, and the console on stdout. */
	sv_push(argv, "-nodefaults");
	sv_push(argv, "-nographic");
	sv_push(argv, "-serial");
	sv_push(argv, "stdio");
	sv_push(argv, "-no-reboot");
	sv_push(argv, "-kernel");
	sv_push(argv, o->kernel);
	sv_push(argv, "-initrd");
	sv_push(argv, o->initrd);
	sv_push(argv, "-append");
	sv_push_owned(argv, xasprintf("console=ttyS0 panic=-1 %s", o->append ? o->append : ""));
	if (o->disk) {
		sv_push(argv, "-drive");
		sv_push_owned(argv, xasprintf("file=%s,if=virtio,format=raw,cache=unsafe", o->disk));
	}
}

enum verdict boot_verdict(const struct boot_result *r)
{
	return console_verdict(&r->console, r->timed_out);
}

int qemu_boot(const struct qemu_opts *o, struct boot_result *r)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf text = STRBUF_INIT;
	struct watch w = { .partial = STRBUF_INIT, .init_at = -1, .workload_at = -1 };
	struct run_opts ro = { 0 };
	struct run_result rr;
	struct host_sample before, after;
	bool sampled;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (run_require(qemu_tools, ARRAY_SIZE(qemu_tools), KB_EXIT_BOOT))
		goto cleanup;
	qemu_argv(o, &argv);
	ro.argv = (const char *const *)argv.v;
	ro.out_path = o->console;
	ro.timeout = o->timeout;
	ro.on_output = on_console;
	ro.arg = &w;
	sampled = !host_sample(&before);
	w.start = run_now();
	if (run(&ro, &rr))
		goto cleanup;
	if (sampled && !host_sample(&after)) {
		host_judge(&before, &after, &r->host);
		r->host_measured = true;
	}
	if (w.partial.len)
		watch_line(&w, w.partial.buf);
	if (read_file(o->console, &text))
		goto cleanup;
	r->timed_out = rr.timed_out;
	r->qemu_status = rr.signal ? -1 : rr.status;
	r->total_seconds = rr.seconds;
	r->init_seconds = w.init_at;
	r->workload_seconds = w.workload_at;
	console_parse(text.buf, &r->console);
	/* QEMU refusing its arguments or the accelerator is not a kernel verdict. */
	if (!rr.timed_out && rr.status && !strstr(text.buf, "Linux version")) {
		error_code(KB_EXIT_BOOT, "QEMU failed (exit status %d) before the kernel started: %.300s",
			   rr.status, text.buf);
		goto cleanup;
	}
	r->verdict = boot_verdict(r);
	ret = 0;
cleanup:
	sv_release(&argv);
	sb_release(&text);
	sb_release(&w.partial);
	return ret;
}

void boot_result_free(struct boot_result *r)
{
	console_report_free(&r->console);
	free(r->host.why);
	memset(r, 0, sizeof(*r));
}
