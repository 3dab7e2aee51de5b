#!/bin/sh
# series import/show over the real archive files, end to end through the binary.
. "$(dirname "$0")/lib.sh"
A="$SERIES/archive"
S001="$A/001_2e31d047427a21b3.txt"
S000="$A/000_90e44bd725056204.txt"

seed_001_json() {
	"$KB" series import "$S001" --json >"$T/s.json" 2>"$T/s.err" || return 1
	python3 - "$T/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
want = ["ext4: prevent sleeping allocation in NOWAIT write path",
        "ext4: drain in-flight DIO before buffered write fallback",
        "ext4: skip overwrite check for aligned non-extending DIO writes",
        "ext4: base unaligned DIO lock decision on partial block zeroing",
        "ext4: use kiocb_modified instead of file_modified in DIO/DAX write path",
        "ext4: return -EAGAIN from ext4_map_blocks() in NOWAIT cache miss",
        "ext4: handle IOMAP_NOWAIT in ext4_iomap_begin() with cache-only lookup",
        "ext4: handle IOCB_NOWAIT in ext4_dio_needs_zeroing() with cache-only lookup"]
p = s["patches"]
assert [x["subject"] for x in p] == want, [x["subject"] for x in p]
assert [x["number"] for x in p] == list(range(1, 9))
assert p[1]["text"] == "recovered-from-quote", p[1]["text"]
assert all(x["text"] == "clean" for i, x in enumerate(p) if i != 1)
jan = "Jan Kara <jack@suse.cz>"
for i, x in enumerate(p, 1):
    rb = [t["value"] for t in x["trailers"] if t["key"] == "Reviewed-by"]
    collected = [t["value"] for t in x["trailers"] if t["collected"]]
    if i in (1, 2, 5, 7, 8):
        assert collected == [jan], (i, collected)
    else:
        assert collected == [], (i, collected)
    if i in (3, 4):
        assert rb == ["Zhang Yi <yi.zhang@huawei.com>", jan], (i, rb)
    assert rb.count(jan) == (0 if i == 6 else 1), (i, rb)
r = p[5]["review"]
assert len(r) == 1 and r[0]["hunk"] == 1 and r[0]["reviewer"] == "Jan Kara", r
assert r[0]["responder"] == "Baokun Li" and r[0]["action"] == "drop-hunk", r
assert all(not x["review"] for i, x in enumerate(p) if i != 5)
assert [q["commit"] for q in p[2]["prereqs"]] == ["5d87c7fca2c1", "012924f0eeef"]
assert [(q["commit"], q["cited"]) for q in p[1]["prereqs"]] == [("378f32bab371", "Fixes")]
PY
}
check "seed 001: 8 patches, quote recovery, trailers, review item, prereqs" seed_001_json

seed_000_damaged() {
	"$KB" series import "$S000" --json >"$T/d.json" 2>/dev/null || return 1
	python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["patches"]
assert len(p) == 8 and all(x["text"] == "whitespace-damaged" for x in p), [x["text"] for x in p]' "$T/d.json"
}
check "seed 000 alone: every patch marked whitespace-damaged" seed_000_damaged

reimport_identical() {
	"$KB" series import "$S001" "$S000" -o "$T/ext4-dio-shared-lock" >/dev/null &&
	diff -r "$SERIES/series.yaml" "$T/ext4-dio-shared-lock/series.yaml" &&
	diff -r "$SERIES/upstream" "$T/ext4-dio-shared-lock/upstream" &&
	diff -r "$SERIES/archive" "$T/ext4-dio-shared-lock/archive"
}
check "re-import reproduces the committed series byte for byte" reimport_identical

git_am_accepts() {
	for p in "$SERIES"/upstream/*.patch; do
		r="$T/am.$(basename "$p")"
		mkdir -p "$r" && git -C "$r" init -q &&
		python3 "$ROOT/tests/helpers/preimage.py" "$p" "$r" &&
		git -C "$r" add -A && git -C "$r" -c user.name=t -c user.email=t@t commit -qm base &&
		git -C "$r" -c user.name=t -c user.email=t@t am -q "$p" || { echo "git am rejected $p"; return 1; }
		git -C "$r" log -1 --format=%an | grep -qx "Baokun Li" || return 1
	done
	git -C "$T/am.0001-ext4-prevent-sleeping-allocation-in-NOWAIT-write-pat.patch" log -1 --format=%B |
		grep -qx "Reviewed-by: Jan Kara <jack@suse.cz>"
}
check "git am accepts every exported patch, trailers included" git_am_accepts

show_summary() {
	"$KB" series show "$SERIES" >"$T/show" &&
	grep -q "\[2/8\] recovered-from-quote" "$T/show" &&
	grep -q "review: Jan Kara on hunk 1" "$T/show" &&
	"$KB" series show "$SERIES" --json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)["patches"]) == 8'
}
check "series show reads series.yaml (text and JSON)" show_summary

# bad input: one error line naming the input, a distinct exit status, nothing written
bad_input() {
	want=$1
	shift
	rm -rf "$T/out"
	"$KB" series import "$@" -o "$T/out" >"$T/bad.out" 2>"$T/bad.err"
	got=$?
	[ "$got" = "$want" ] || { echo "exit $got, want $want"; cat "$T/bad.err"; return 1; }
	[ "$(wc -l <"$T/bad.err")" = 1 ] || { echo "want one error line:"; cat "$T/bad.err"; return 1; }
	grep -q "^error: .*'" "$T/bad.err" || { cat "$T/bad.err"; return 1; }
	[ ! -e "$T/out" ] || { echo "output written"; return 1; }
}
: >"$T/empty.txt"
printf 'From: a <a@b>\nSubject: hello\n\njust talk\n' >"$T/talk.mbox"
sed -n "1,2290p" "$S001" >"$T/no-4.txt"
tr "\n" " " <"$S001" | head -c 20000 >"$T/flat.txt"
check "missing file: exit 3" bad_input 3 "$T/nope.mbox"
check "empty file: exit 4" bad_input 4 "$T/empty.txt"
check "mbox without patches: exit 4" bad_input 4 "$T/talk.mbox"
check "several incomplete series, none named: exit 4" bad_input 4 "$T/no-4.txt"
check "series lacking patches 3/8 and 4/8: exit 5" bad_input 5 "$T/no-4.txt" --subject "NOWAIT write path"
check "mail flattened to one line: exit 4" bad_input 4 "$T/flat.txt"

commands() {
	"$KB" --help >"$T/help" &&
	for c in series kernels port export build boot cocci matrix report lava; do
		grep -q "^   $c " "$T/help" || { echo "--help lacks $c"; return 1; }
	done &&
	! grep -q "not implemented" "$T/help" &&
	"$KB" help series | grep -q "series import" &&
	"$KB" matrix --help | grep -q "^usage: kbackport matrix" &&
	expect_exit 2 "$KB" matrix --frobnicate &&
	expect_exit 2 "$KB" frobnicate
}
check "command table: --help lists every command, help <cmd>, unknown ones exit 2" commands

done_testing
