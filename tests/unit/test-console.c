// SPDX-License-Identifier: GPL-2.0
/* console.c: kernel reports found in a console, their traces, and bytes that are no UTF-8. */
#include <stdlib.h>

#include "boot/console.h"
#include "boot/guest.h"
#include "unit.h"

#define SPLAT \
	"[   12.000001] \xff\xfe garbage from a serial line \xc0\xaf\n" \
	"[   12.100000] WARNING: possible circular locking dependency detected \xed\xa0\x80\n" \
	"[   12.100001] kb-dio-check/77 is trying to acquire lock: \xe9\n" \
	"[   12.100002] ffff (&ei->i_data_sem){++++}, at: ext4_map_blocks+0x1a/0x30\n" \
	"[   12.100003] ---[ end trace 0000000000000000 ]---\n" \
	"[   12.200000] after the report\n" \
	"[   13.000000] BUG: KASAN: slab-use-after-free in ext4_x+0x10/0x20\n" \
	"[   13.000001] Call Trace:\n"

/* Every byte string reaches JSON as valid UTF-8: no finding and no trace line is dropped. */
static int test_non_utf8(const void *arg)
{
	struct console_report c;
	json_t *f, *t0, *t1, *back;
	char *text;

	(void)arg;
	console_parse(SPLAT, &c);
	f = console_findings_json(&c);
	text = json_dumps(f, 0);
	CHECK(c.nfindings == 2);
	CHECK(json_array_size(f) == 2);
	t0 = json_array_get(f, 0);
	t1 = json_array_get(f, 1);
	CHECK_STR(json_string_value(json_object_get(t0, "kind")), "lockdep");
	CHECK_STR(json_string_value(json_object_get(t1, "kind")), "kasan");
	CHECK(strstr(json_string_value(json_object_get(t0, "text")), "\xef\xbf\xbd"));
	/* the report's lines up to its end marker, the invalid byte replaced */
	CHECK(json_array_size(json_object_get(t0, "trace")) == 3);
	CHECK(strstr(json_string_value(json_array_get(json_object_get(t0, "trace"), 0)), "acquire lock: \xef\xbf\xbd"));
	CHECK(json_array_size(json_object_get(t1, "trace")) == 1);
	back = text ? json_loads(text, 0, NULL) : NULL;
	CHECK(back);
	json_decref(back);
	CHECK(console_verdict(&c, false) == V_BUG);
	free(text);
	json_decref(f);
	console_report_free(&c);
	return 0;
}

#define RACE \
	GUEST_MARK_INIT " uptime=1.50\n" \
	"[   40.000000] Page cache invalidation failure on direct I/O.  Possible data corruption due to collision with buffered I/O!\n" \
	"[   40.000001] File: /mnt/kbdio/race/f PID: 90 Comm: kb-dio-check\n"

/*
 * A known-defects table marks only the kinds it lists: the race the series
 * fixes makes the verdict "known", anything else beside it still counts.
 */
static int test_known(const void *arg)
{
	json_t *table = json_loads("{\"known\": [{\"check\": \"ext3-race\", \"console\": \"pagecache\", "
				   "\"why\": \"no drain before the buffered fallback\"}]}", 0, NULL);
	json_t *other = json_loads("{\"known\": [{\"check\": \"x\", \"console\": \"lockdep\"}]}", 0, NULL);
	struct console_report c;
	json_t *f;

	(void)arg;
	CHECK(table && other);
	console_parse(RACE, &c);
	CHECK(c.nfindings == 1 && console_verdict(&c, false) == V_WARN);
	CHECK(console_mark_known(&c, other) == 0 && console_verdict(&c, false) == V_WARN);
	CHECK(console_mark_known(&c, table) == 1 && console_verdict(&c, false) == V_KNOWN);
	CHECK_STR(verdict_name(V_KNOWN), "known");
	f = console_findings_json(&c);
	CHECK_STR(json_string_value(json_object_get(json_array_get(f, 0), "known")), "no drain before the buffered fallback");
	/* a timeout is never excused */
	CHECK(console_verdict(&c, true) == V_HANG);
	json_decref(f);
	console_report_free(&c);

	console_parse(RACE SPLAT, &c);
	CHECK(console_mark_known(&c, table) == 1 && console_verdict(&c, false) == V_BUG);
	console_report_free(&c);
	console_parse("[   41.000000] WARNING: CPU: 1 PID: 9 at fs/iomap/direct-io.c:1 x\n" RACE, &c);
	CHECK(console_mark_known(&c, table) == 1 && console_verdict(&c, false) == V_WARN);
	console_report_free(&c);
	json_decref(table);
	json_decref(other);
	return 0;
}

static const struct unit_case cases[] = {
	{ "non-UTF-8 console lines: findings and traces kept, valid JSON", test_non_utf8, NULL },
	{ "known-defects table: only its kinds are excused", test_known, NULL },
};

SUITE(suite_console, "console", cases);
