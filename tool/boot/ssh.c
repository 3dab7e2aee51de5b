// SPDX-License-Identifier: GPL-2.0
/*
 * The ssh test box runner. Every program runs through run(): ssh and scp
 * in batch mode (a key, never a password prompt) with connect timeouts,
 * the YAML's power-cycle and console commands as argv lists. The console
 * command runs in a forked kbackport process while this one talks to the
 * box; a SIGTERM to that process makes run() stop the command's group.
 */
#define _GNU_SOURCE
#include "boot/ssh.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/run.h"

/* Seconds: an ssh connection, a short remote command, a copy, a power cycle. */
#define CONNECT_TIMEOUT "10"
#define COMMAND_TIMEOUT 60.0
#define COPY_TIMEOUT 600.0
#define POWER_TIMEOUT 120.0
/* A box's own OS boot after its power cycle: firmware, boot loader, services. */
#define BOX_UP_TIMEOUT 300.0
/* How often the console log is looked at, and how long it is kept after the end. */
#define POLL_SECONDS 0.25
#define GRACE_SECONDS 2.0
/* A non-login shell on the box may not have kexec's directory in PATH. */
#define REMOTE_PATH "PATH=$PATH:/usr/sbin:/sbin; "

static const struct run_tool ssh_tools[] = {
	{ "ssh", "openssh-client" },
	{ "scp", "openssh-client" },
};

char *ssh_box_str(const struct ssh_box *b)
{
	return xasprintf("%s@%s:%d", b->user, b->host, b->port);
}

/* "~/x": ssh expands it in its options, but we look at the file first. */
static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (starts_with(path, "~/") && home)
		return xasprintf("%s/%s", home, path + 2);
	return xstrdup(path);
}

/* One word for the box's shell, whatever it holds. */
static void sb_add_quoted(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(sb, "'\\''");
		else
			sb_addc(sb, *s);
	}
	sb_addc(sb, '\'');
}

/* The options ssh and scp share; port_flag is "-p" for ssh, "-P" for scp. */
static void ssh_common(const struct ssh_box *b, const char *prog, const char *port_flag,
		       struct strvec *argv)
{
	static const char *const opts[] = {
		"BatchMode=yes", ("ConnectTimeout=" CONNECT_TIMEOUT), "ServerAliveInterval=5",
		"ServerAliveCountMax=3", "LogLevel=ERROR",
	};

	sv_push(argv, prog);
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		sv_push(argv, "-o");
		sv_push(argv, opts[i]);
	}
	if (b->key) {
		sv_push(argv, "-i");
		sv_push_owned(argv, expand_home(b->key));
		sv_push(argv, "-o");
		sv_push(argv, "IdentitiesOnly=yes");
	}
	sv_push(argv, "-o");
	if (b->known_hosts) {
		char *f = expand_home(b->known_hosts);

		sv_push_owned(argv, xasprintf("UserKnownHostsFile=%s", f));
		sv_push(argv, "-o");
		sv_push(argv, "StrictHostKeyChecking=yes");
		free(f);
	} else {
		sv_push(argv, "StrictHostKeyChecking=accept-new");
	}
	sv_push(argv, "-o");
	sv_push_owned(argv, xasprintf("User=%s", b->user));
	sv_push(argv, port_flag);
	sv_push_owned(argv, xasprintf("%d", b->port));
}

/* The last non-empty line of a program's output: where ssh puts its reason. */
static char *last_line(const char *text)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	return start == end ? xstrdup("no output") : xstrndup(start, end - start);
}

/* Runs a shell command on the box, output in *out; -1 only when ssh could not be started. */
static int ssh_run(const struct ssh_boot_opts *o, const char *cmd, double timeout, struct strbuf *out,
		   struct run_result *rr)
{
	struct strvec argv = STRVEC_INIT;
	struct run_opts ro = { .out = out, .timeout = timeout };
	int ret;

	ssh_common(o->box, "ssh", "-p", &argv);
	sv_push(&argv, "--");
	sv_push(&argv, o->box->host);
	sv_push(&argv, cmd);
	ro.argv = (const char *const *)argv.v;
	ret = run(&ro, rr);
	sv_release(&argv);
	return ret;
}

/*
 * ssh_run(), and any failure an error. ssh's own failures (exit 255:
 * connection, host key, authentication) and the command's are told apart.
 */
static int remote(const struct ssh_boot_opts *o, const char *cmd, double timeout, struct strbuf *out)
{
	struct run_result rr;
	char *box, *why;
	int ret = -1;

	if (ssh_run(o, cmd, timeout, out, &rr))
		return -1;
	box = ssh_box_str(o->box);
	why = last_line(sb_str(out));
	if (rr.timed_out)
		error_code(KB_EXIT_BOOT, "test box '%s' did not answer within %.0f s (boot.ssh in '%s')", box,
			   timeout, o->file);
	else if (rr.status == 255 || rr.signal)
		error_code(KB_EXIT_BOOT, "cannot reach test box '%s' over ssh: %s (boot.ssh in '%s')", box, why,
			   o->file);
	else if (rr.status)
		error_code(KB_EXIT_BOOT, "command failed on test box '%s' (exit %d): %s", box, rr.status, why);
	else
		ret = 0;
	free(box);
	free(why);
	return ret;
}

/* Before anything is copied: the commands exist, the key is readable, the box answers (and has kexec). */
static int preflight(const struct ssh_boot_opts *o, struct ssh_boot_info *info)
{
	const struct strvec *cmds[] = { &o->box->power_cycle, &o->box->console };
	static const char *const keys[] = { "boot.ssh.power-cycle", "boot.ssh.console" };
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	int ret = -1;

	if (run_require(ssh_tools, ARRAY_SIZE(ssh_tools), KB_EXIT_BOOT))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		char *p = run_which(cmds[i]->v[0]);

		free(p);
		if (!p)
			return error_code(KB_EXIT_NOINPUT, "cannot run '%s' (%s in '%s'): not found", cmds[i]->v[0],
					  keys[i], o->file);
	}
	if (o->box->key) {
		char *key = expand_home(o->box->key);
		int bad = access(key, R_OK);

		if (bad)
			error_code(KB_EXIT_NOINPUT, "cannot read key '%s' (boot.ssh.key in '%s'): %s", key, o->file,
				   strerror(errno));
		free(key);
		if (bad)
			return -1;
	}
	sb_adds(&cmd, REMOTE_PATH "uname -r && mkdir -p ");
	sb_add_quoted(&cmd, o->box->dir);
	if (o->box->kexec)
		sb_adds(&cmd, " && { command -v kexec >/dev/null || { echo 'no kexec: install kexec-tools'; exit 1; }; }");
	if (remote(o, cmd.buf, COMMAND_TIMEOUT, &out))
		goto cleanup;
	info->box_kernel = xstrndup(out.buf, strcspn(out.buf, "\r\n"));
	ret = 0;
cleanup:
	sb_release(&cmd);
	sb_release(&out);
	return ret;
}

/* The box's path of one of the files copied. */
static char *box_path(const struct ssh_boot_opts *o, const char *name)
{
	return xasprintf("%s/%s", o->box->dir, name);
}

static int copy(const struct ssh_boot_opts *o, const char *local, const char *name)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct run_opts ro = { .out = &out, .timeout = COPY_TIMEOUT };
	struct run_result rr;
	char *dest = box_path(o, name), *box = ssh_box_str(o->box), *why = NULL;
	/* scp reads "host:path"; an IPv6 address needs brackets. */
	const char *lb = strchr(o->box->host, ':') ? "[" : "", *rb = *lb ? "]" : "";
	int ret = -1;

	ssh_common(o->box, "scp", "-P", &argv);
	sv_push(&argv, "--");
	sv_push(&argv, local);
	sv_push_owned(&argv, xasprintf("%s%s%s:%s", lb, o->box->host, rb, dest));
	ro.argv = (const char *const *)argv.v;
	if (run(&ro, &rr))
		goto cleanup;
	if (rr.timed_out || rr.status || rr.signal) {
		why = last_line(sb_str(&out));
		error_code(KB_EXIT_BOOT, "cannot copy '%s' to test box '%s' as '%s': %s", local, box, dest,
			   rr.timed_out ? "timed out" : why);
		goto cleanup;
	}
	ret = 0;
cleanup:
	sv_release(&argv);
	sb_release(&out);
	free(dest);
	free(box);
	free(why);
	return ret;
}

static int kexec_load(const struct ssh_boot_opts *o, struct ssh_boot_info *info)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	char *kernel = box_path(o, "bzImage"), *initrd = box_path(o, "initrd");
	int ret;

	sb_adds(&cmd, REMOTE_PATH "kexec -l ");
	sb_add_quoted(&cmd, kernel);
	sb_adds(&cmd, " --initrd=");
	sb_add_quoted(&cmd, initrd);
	sb_adds(&cmd, " --command-line=");
	sb_add_quoted(&cmd, info->cmdline);
	ret = remote(o, cmd.buf, COMMAND_TIMEOUT, &out);
	sb_release(&cmd);
	sb_release(&out);
	free(kernel);
	free(initrd);
	return ret;
}

/* The forked process that runs the console command until it is told to stop. */
static pid_t start_console(const struct ssh_boot_opts *o)
{
	struct run_opts ro = {
		.argv = (const char *const *)o->box->console.v,
		.out_path = o->console,
		/* A safety net: the parent stops it long before. */
		.timeout = o->timeout + COPY_TIMEOUT,
	};
	struct run_result rr;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		error("cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid)
		return pid;
	_exit(run(&ro, &rr) ? 1 : 0);
}

static void stop_console(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Left waitable (WNOWAIT): stop_console() reaps it either way. */
static bool console_ended(pid_t pid)
{
	siginfo_t si = { 0 };

	return !waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) && si.si_pid == pid;
}

/* A console command that ended already (cannot connect, say) would leave the boot unseen. */
static int console_failed(const struct ssh_boot_opts *o, pid_t pid)
{
	struct strbuf text = STRBUF_INIT;
	char *why;

	if (!console_ended(pid))
		return 0;
	read_file(o->console, &text);
	why = last_line(sb_str(&text));
	error_code(KB_EXIT_BOOT, "console command '%s' (boot.ssh.console in '%s') ended at once: %s",
		   o->box->console.v[0], o->file, why);
	free(why);
	sb_release(&text);
	return -1;
}

static bool has_panic(const struct console_report *c)
{
	for (size_t i = 0; i < c->nfindings; i++)
		if (c->findings[i].verdict == V_PANIC)
			return true;
	return false;
}

/*
 * Watches the console log until the workload ends or the kernel panics
 * (and a little more, for the lines after), the console command ends, or
 * the timeout.
 */
static void watch(const struct ssh_boot_opts *o, pid_t pid, struct boot_result *r, struct ssh_boot_info *info)
{
	double start = run_now(), stop_at = 0;
	struct strbuf text = STRBUF_INIT;
	bool ended = false;

	r->init_seconds = r->workload_seconds = -1;
	for (;;) {
		double now = run_now();
		/* Looked at before the log, so the log read after it is complete. */
		bool closed = console_ended(pid);
		struct console_report c;

		sb_reset(&text);
		if (!read_file(o->console, &text)) {
			console_parse(text.buf, &c);
			if (c.reached_init && r->init_seconds < 0)
				r->init_seconds = now - start;
			if (c.workload_started && r->workload_seconds < 0)
				r->workload_seconds = now - start;
			ended = c.workload_ended;
			if (!stop_at && (ended || has_panic(&c)))
				stop_at = now + GRACE_SECONDS;
			console_report_free(&c);
		}
		if (closed) {
			info->console_closed = !ended;
			break;
		}
		if (stop_at && now >= stop_at)
			break;
		if (now - start >= o->timeout) {
			r->timed_out = true;
			break;
		}
		usleep(POLL_SECONDS * 1e6);
	}
	stop_console(pid);
	r->total_seconds = run_now() - start;
	sb_release(&text);
}

/* The YAML's power-cycle command: NULL when it worked, else what went wrong. */
static char *run_power_cycle(const struct ssh_boot_opts *o)
{
	struct strbuf out = STRBUF_INIT;
	struct run_opts ro = {
		.argv = (const char *const *)o->box->power_cycle.v,
		.out = &out,
		.timeout = POWER_TIMEOUT,
	};
	struct run_result rr;
	char *why = NULL, *line;

	if (run(&ro, &rr)) {
		why = xstrdup("it could not be started");
	} else if (rr.timed_out) {
		why = xasprintf("no end after %.0f s", POWER_TIMEOUT);
	} else if (rr.status || rr.signal) {
		line = last_line(sb_str(&out));
		why = xasprintf("%s %d: %s", rr.signal ? "signal" : "exit status", rr.signal ? rr.signal : rr.status,
				line);
		free(line);
	}
	sb_release(&out);
	return why;
}

/* Power-cycles the box and waits (up to BOX_UP_TIMEOUT) for its ssh server. */
static void power_cycle(const struct ssh_boot_opts *o, struct ssh_boot_info *info)
{
	struct strbuf out = STRBUF_INIT;
	struct run_result rr;
	double start = run_now();
	char *why = run_power_cycle(o);

	if (why) {
		warning("the test box was not power-cycled (boot.ssh.power-cycle in '%s'): %s", o->file, why);
		free(why);
		goto cleanup;
	}
	/* Quietly: until the box is up, every try fails. */
	while (run_now() - start < BOX_UP_TIMEOUT) {
		sb_reset(&out);
		if (!ssh_run(o, "true", COMMAND_TIMEOUT, &out, &rr) && !rr.timed_out && !rr.status && !rr.signal) {
			info->back = true;
			info->back_seconds = run_now() - start;
			break;
		}
		sleep(1);
	}
	if (!info->back)
		warning("the test box did not answer ssh within %.0f s of its power cycle", BOX_UP_TIMEOUT);
cleanup:
	sb_release(&out);
}

/* kexec -l, then kexec -e detached so that ssh returns before the box's network is gone. */
static int start_kexec(const struct ssh_boot_opts *o, struct ssh_boot_info *info, pid_t console)
{
	struct strbuf out = STRBUF_INIT;
	int ret;

	/* kexec -l takes a round trip: a console command that cannot connect has ended by then. */
	if (kexec_load(o, info) || console_failed(o, console))
		return -1;
	ret = remote(o, "sync; (sleep 1; " REMOTE_PATH "kexec -e) </dev/null >/dev/null 2>&1 &", COMMAND_TIMEOUT,
		     &out);
	sb_release(&out);
	return ret;
}

/*
 * Without kexec: dir/cmdline written, the YAML's install command run in
 * dir (it tells the box's boot loader to boot dir's kernel next), and the
 * power cycle boots it.
 */
static int start_installed(const struct ssh_boot_opts *o, struct ssh_boot_info *info, pid_t console)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	char *why;
	int ret = -1;

	sb_adds(&cmd, REMOTE_PATH "cd ");
	sb_add_quoted(&cmd, o->box->dir);
	sb_adds(&cmd, " && printf '%s\\n' ");
	sb_add_quoted(&cmd, info->cmdline);
	sb_adds(&cmd, " >cmdline && sync && ");
	sb_adds(&cmd, o->box->install);
	if (remote(o, cmd.buf, COMMAND_TIMEOUT, &out) || console_failed(o, console))
		goto cleanup;
	why = run_power_cycle(o);
	if (why) {
		error_code(KB_EXIT_BOOT, "the test box was not power-cycled (boot.ssh.power-cycle in '%s'): %s",
			   o->file, why);
		free(why);
		goto cleanup;
	}
	ret = 0;
cleanup:
	sb_release(&cmd);
	sb_release(&out);
	return ret;
}

int ssh_boot(const struct ssh_boot_opts *o, struct boot_result *r, struct ssh_boot_info *info)
{
	struct strbuf text = STRBUF_INIT;
	double start;
	pid_t pid;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	memset(info, 0, sizeof(*info));
	r->qemu_status = -1;
	if (preflight(o, info))
		goto cleanup;
	start = run_now();
	if (copy(o, o->kernel, "bzImage") || copy(o, o->initrd, "initrd"))
		goto cleanup;
	info->copy_seconds = run_now() - start;
	info->cmdline = xasprintf("%s panic=-1 %s", o->box->append, o->append);
	/* The console is watched before the boot, so the test kernel's first lines are in it. */
	pid = start_console(o);
	if (pid < 0)
		goto cleanup;
	if (o->box->kexec ? start_kexec(o, info, pid) : start_installed(o, info, pid)) {
		stop_console(pid);
		goto cleanup;
	}
	watch(o, pid, r, info);
	/* Whatever the test kernel did, the box goes back to its own OS. */
	power_cycle(o, info);
	if (read_file(o->console, &text))
		goto cleanup;
	console_parse(text.buf, &r->console);
	r->verdict = boot_verdict(r);
	ret = 0;
cleanup:
	sb_release(&text);
	return ret;
}

void ssh_boot_info_free(struct ssh_boot_info *i)
{
	free(i->box_kernel);
	free(i->cmdline);
	memset(i, 0, sizeof(*i));
}
