// SPDX-License-Identifier: GPL-2.0
/* One boot record for every runner (record.h). */
#include "boot/record.h"

#include <string.h>

#include "lib/store.h"
#include "lib/text.h"

static json_t *seconds(double s)
{
	return s < 0 ? json_null() : json_real(s);
}

static json_t *times(const struct boot_record *r)
{
	const struct console_report *c = r->console;

	if (r->total_seconds < 0)
		return json_null();
	return json_pack("{s:o, s:o, s:f, s:o}", "init_seconds", seconds(r->init_seconds),
			 "workload_seconds", seconds(r->workload_seconds), "total_seconds", r->total_seconds,
			 "guest_uptime_at_init", seconds(c->guest_uptime_at_init));
}

static json_t *host_json(const struct host_load *h)
{
	if (!h)
		return json_null();
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:b, s:o}", "wall_seconds", h->wall,
			 "qemu_cpu_seconds", h->qemu_cpu, "other_cpu_seconds", h->other_cpu,
			 "other_cpus", h->wall > 0 ? h->other_cpu / h->wall : 0.0, "steal_seconds", h->steal,
			 "loadavg_start", h->load_start, "loadavg_end", h->load_end, "nproc", h->nproc,
			 "busy", h->busy, "reason", results_str(h->why));
}

static json_t *count(int n)
{
	return n > 0 ? json_integer(n) : json_null();
}

char *boot_record_name(const char *workload, int round, const char *ext)
{
	if (round > 1)
		return xasprintf("%s.round-%d%s", workload, round, ext);
	return xasprintf("%s%s", workload, ext);
}

json_t *boot_record_json(const struct boot_record *r)
{
	const struct console_report *c = r->console;
	const char *status = console_workload_status(c);
	bool problem = r->verdict != V_CLEAN || strcmp(status, "done");
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:O, s:O, s:O, s:s, s:o, s:{s:s, s:s, s:b}, s:o, s:o, s:o, s:o, s:f, "
		      "s:o, s:s, s:b, s:o, s:o, s:s, s:o, s:O, s:o, s:o, s:o, s:o}",
		      "runner", r->runner, "kernel", r->kernel, "variant", r->variant,
		      "commit", json_object_get(r->build, "commit"),
		      "config_hash", json_object_get(json_object_get(r->build, "config"), "hash"),
		      "image_hash", json_object_get(r->build, "image_hash"),
		      "initrd", r->initrd, "cache_key", results_str(r->cache_key),
		      "workload", "name", r->w->name, "file", r->w->path, "builtin", r->w->builtin,
		      "accelerator", results_str(r->accel), "accelerator_reason", results_str(r->accel_why),
		      "vcpus", count(r->vcpus), "memory_mib", count(r->memory_mib), "timeout", r->timeout,
		      "kernel_args", json_text(r->kernel_args),
		      "verdict", verdict_name(r->verdict), "timed_out", r->timed_out,
		      "qemu_exit", r->qemu_ran ? json_integer(r->qemu_exit) : json_null(),
		      "boot", times(r),
		      "workload_status", status,
		      "workload_exit", c->workload_ended ? json_integer(c->workload_exit) : json_null(),
		      "result", c->result ? c->result : json_null(),
		      "result_error", json_text(c->result_error),
		      "findings", console_findings_json(c), "console", json_text(r->console_path),
		      "console_tail", problem ? results_strv(&c->tail) : json_null());
	if (o) {
		json_object_set_new(o, "round", json_integer(r->round > 0 ? r->round : 1));
		json_object_set_new(o, "host", host_json(r->host));
	}
	if (o && r->extra_name)
		json_object_set_new(o, r->extra_name, r->extra ? r->extra : json_null());
	else
		json_decref(r->extra);
	return o;
}
