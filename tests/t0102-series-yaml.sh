#!/bin/sh
# series.yaml is the file users edit: its reader is strict. A typo in a key
# or an enum value, a number out of range, a date that is no date is one
# error line naming the file and the line (exit 4), from 'series show' and
# from 'port' before anything moves; no default hides it.
. "$(dirname "$0")/lib.sh"

# edited NAME SED: a copy of the committed series with one edit to series.yaml.
edited() {
	rm -rf "$T/$1"
	cp -r "$SERIES" "$T/$1" && sed -i "$2" "$T/$1/series.yaml"
}

# refused NAME SED MESSAGE: the edit makes series show exit 4 with MESSAGE and the file:line.
refused() {
	edited "$1" "$2" || return 1
	line=$(grep -n "$4" "$T/$1/series.yaml" | head -n 1 | cut -d: -f1)
	expect_exit 4 "$KB" series show "$T/$1" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "$3" "in '$T/$1/series.yaml' (line $line)"
}

unedited() {
	"$KB" series show "$SERIES" >/dev/null
}
check "the committed series.yaml reads" unedited
check "a typo in review[].action (drop_hunk) is refused, not read as keep" refused action \
	's/action: drop-hunk/action: drop_hunk/' \
	"invalid value 'drop_hunk' for 'review[].action' (one of drop-hunk, revise, keep)" "action: drop_hunk"
check "an unknown key is refused" refused key "s/^  subject: 'ext4: prevent/  subjet: 'ext4: prevent/" \
	"unknown key 'patches[].subjet'" "subjet:"
check "a patch number out of range is refused" refused number 's/^- number: 3$/- number: 99999/' \
	"invalid value '99999' for 'patches[].number' (expected 1 to 1000)" "number: 99999"
check "a date that is no date is refused" refused date '0,/^  date: 2026-06-18T12:57:00Z$/s//  date: yesterday/' \
	"invalid date 'yesterday' for 'cover.date'" "date: yesterday"
check "a bad text state is refused" refused text 's/^  text: clean$/  text: pristine/' \
	"invalid value 'pristine' for 'patches[].text'" "text: pristine"
check "a prerequisite cited some other way is refused" refused cited 's/cited: Fixes/cited: fixes/' \
	"invalid value 'fixes' for 'prereqs[].cited' (one of commit, Fixes)" "cited: fixes"

port_refuses() {
	edited portfix 's/action: drop-hunk/action: drop_hunk/' &&
	use_tree debian-6.12 &&
	expect_exit 4 "$KB" port debian-6.12 --series "$T/portfix" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "invalid value 'drop_hunk' for 'review[].action'" &&
	! git -C "$KBACKPORT_WORK/trees/debian-6.12" rev-parse -q --verify backport/portfix/debian-6.12 >/dev/null
}
check "port refuses the typo before anything moves" port_refuses

many_drops() {
	edited drops 's/x/x/' &&
	python3 - "$T/drops/series.yaml" <<-'PY'
	import sys
	p = sys.argv[1]
	s = open(p).read()
	j = s.index("- number: 2\n")
	assert "review:" not in s[:j]
	items = "".join("  - reviewer: R%d\n    hunk: 1\n    action: keep\n" % n for n in range(40))
	open(p, "w").write(s[:j] + "  review:\n" + items + s[j:])
	PY
	"$KB" series show "$T/drops" --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert len(s["patches"][0]["review"]) >= 40, len(s["patches"][0]["review"])'
}
check "more than 16 review items on a patch are all read (no silent cap)" many_drops

done_testing
