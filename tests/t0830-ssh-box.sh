#!/bin/sh
# kbackport boot with boot.runner: ssh, against a stand-in test box
# (tests/helpers/sshbox: a TCG QEMU guest running Debian's own kernel with
# dropbear and kexec). The debian-6.12 base image is copied there over
# scp, booted by kexec, its console read through the YAML's console
# command, judged, and the box power-cycled back. The kernel YAML lives in
# a scratch kernels dir and the results in a scratch work dir (build.json
# copied, images shared), so the QEMU runner's results are left alone.
# Costs about 4 minutes under TCG: five box boots, three test boots.
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
K=debian-6.12
BOX=$T/box
W=$KBACKPORT_WORK
R=$W/results/$SNAME/$K/base
HELPER=$ROOT/tests/helpers/sshbox
mkdir -p "$BOX" "$T/kernels" "$R"
trap '"$HELPER" stop "$BOX" 2>/dev/null; rm -rf "$T"' EXIT

# A free local port for the box's ssh forward.
PORT=$("$ROOT/tests/helpers/free-port")

# yaml [PORT [KEY [BOOT-LINES]]]: a kernel description whose boot goes to the box.
yaml() {
	cat >"$T/kernels/$K.yaml" <<-EOF
	name: $K
	source: {debian-package: linux-source-6.12}
	arch: x86_64
	config: {base: tinyconfig, fragments: [qemu-minimal.config]}
	boot:
	  runner: ssh
	  timeout: 180
	  ssh:
	    host: 127.0.0.1
	    port: ${1:-$PORT}
	    user: root
	    key: ${2:-$BOX/id}
	    known-hosts: $BOX/known_hosts
	    power-cycle: [$HELPER, power-cycle, $BOX]
	    console: [$HELPER, console, $BOX]
	    ${3:-kexec: true}
	EOF
}

kb() {
	KBACKPORT_KERNELS_DIR="$T/kernels" KBACKPORT_WORK="$W" "$KB" "$@"
}

# on_box NAME ARGS...: kbackport boot ARGS, output in $T/NAME.out and shown; its exit status.
on_box() {
	name=$1
	shift
	kb boot $K "$@" >"$T/$name.out" 2>&1
	rc=$?
	cat "$T/$name.out"
	return $rc
}

setup() {
	use_built $K base &&
	"$HELPER" build "$BOX" && "$HELPER" start "$BOX" "$PORT" && "$HELPER" wait "$BOX" 180 &&
	yaml
}

smoke_on_box() {
	on_box smoke --workload smoke --force &&
	grep -q "^$K base: booting bzImage on test box root@127.0.0.1:$PORT by kexec, workload smoke" "$T/smoke.out" &&
	grep -q "^$K base: test box power-cycled, back on its OS after " "$T/smoke.out" &&
	grep -q "^$K base: verdict: clean " "$T/smoke.out" &&
	python3 - "$R/smoke.json" "$PORT" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["runner"] == "ssh" and b["verdict"] == "clean" and b["workload_status"] == "done", b
	assert b["workload_exit"] == 0 and not b["timed_out"] and b["findings"] == [], b
	assert b["accelerator"] is None and b["qemu_exit"] is None, b
	box = b["box"]
	assert box["host"] == "127.0.0.1" and box["port"] == int(sys.argv[2]) and box["boot"] == "kexec", box
	# The box ran Debian's kernel; the result comes from the kexec'd test kernel.
	assert box["box_kernel"].endswith("-amd64") and box["back"] and not box["console_closed"], box
	assert box["cmdline"].startswith("console=ttyS0,115200 panic=-1 kb.workload=smoke"), box
	r = b["result"]
	assert r["workload"] == "smoke" and not r["kernel"].endswith("-amd64"), r
	assert [t["status"] for t in r["tests"]] == ["pass"] * 3, r["tests"]
	assert b["boot"]["init_seconds"] > 0, b["boot"]
	EOF
}

# The box must really be back on its own OS, not the test kernel.
box_back() {
	ssh -o BatchMode=yes -o LogLevel=ERROR -o IdentitiesOnly=yes -i "$BOX/id" \
		-o UserKnownHostsFile="$BOX/known_hosts" -p "$PORT" root@127.0.0.1 uname -r >"$T/uname" 2>&1
	cat "$T/uname"
	grep -q -- '-amd64$' "$T/uname"
}

console_kept() {
	grep -q "Linux version 6.12" "$R/smoke.console.log" && grep -q "^@@KB-WORKLOAD-END@@ exit=0" "$R/smoke.console.log" &&
	[ "$(readlink "$R/console.log")" = smoke.console.log ]
}

stored_reused() {
	on_box again --workload smoke && grep -q "^$K base: verdict: clean, workload done (stored result" "$T/again.out" &&
	! grep -q booting "$T/again.out"
}

# A test kernel that never finishes: given up at the timeout, the box power-cycled back.
hang_recovered() {
	expect_exit 8 on_box hang --workload hang --timeout 20 --force && grep -q "^$K base: no end after 20 s: console given up" "$T/hang.out" &&
	grep -q "^$K base: test box power-cycled, back on its OS after " "$T/hang.out" &&
	grep -q "^$K base: verdict: hang " "$T/hang.out" &&
	python3 - "$R/hang.json" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["runner"] == "ssh" and b["verdict"] == "hang" and b["timed_out"], b
	assert b["workload_status"] == "unfinished" and b["box"]["back"], b
	EOF
}

# Without kexec: the install command sets up the stand-in's one-shot boot
# loader (a tar on its /dev/vdb), the power cycle boots the test kernel.
reboot_mode() {
	yaml "" "" "$(printf 'kexec: false\n    install: %s' 'tar -cf /dev/vdb bzImage initrd cmdline && sync')"
	on_box reboot --workload smoke --force
	rc=$?
	yaml
	[ $rc = 0 ] && grep -q "^$K base: booting bzImage on test box root@127.0.0.1:$PORT by power-cycle" "$T/reboot.out" &&
	grep -q "^$K base: verdict: clean " "$T/reboot.out" &&
	grep -q "^sshbox: booting the installed kernel once" "$R/smoke.console.log" &&
	python3 - "$R/smoke.json" <<-'EOF'
	import json, sys
	b = json.load(open(sys.argv[1]))
	assert b["runner"] == "ssh" and b["verdict"] == "clean" and b["workload_status"] == "done", b
	assert b["box"]["boot"] == "power-cycle" and b["box"]["back"], b["box"]
	assert [t["status"] for t in b["result"]["tests"]] == ["pass"] * 3, b["result"]
	EOF
}

unreachable() {
	free=$("$ROOT/tests/helpers/free-port")
	yaml "$free"
	kb boot $K --force >/dev/null 2>"$T/err"
	rc=$?
	yaml
	[ $rc = 8 ] && one_error "$T/err" "cannot reach test box 'root@127.0.0.1:$free' over ssh" \
		"Connection refused" "$T/kernels/$K.yaml"
}

wrong_key() {
	ssh-keygen -q -t ed25519 -N '' -f "$T/other" &&
	yaml "" "$T/other"
	kb boot $K --force >/dev/null 2>"$T/err"
	rc=$?
	yaml
	[ $rc = 8 ] && one_error "$T/err" "cannot reach test box" "Permission denied (publickey)"
}

missing_key() {
	yaml "" "$T/nokey"
	kb boot $K --force >/dev/null 2>"$T/err"
	rc=$?
	yaml
	[ $rc = 3 ] && one_error "$T/err" "cannot read key '$T/nokey' (boot.ssh.key in '$T/kernels/$K.yaml')"
}

missing_field() {
	yaml
	grep -v 'power-cycle:' "$T/kernels/$K.yaml" >"$T/y" && mv "$T/y" "$T/kernels/$K.yaml"
	kb boot $K >/dev/null 2>"$T/err"
	rc=$?
	yaml
	[ $rc = 4 ] && one_error "$T/err" "missing required key 'boot.ssh.power-cycle' in '$T/kernels/$K.yaml'"
}

check "setup: image built, stand-in box up on port $PORT" setup
check "smoke on the box: copied, kexec'd, clean, result JSON with runner ssh, box power-cycled" smoke_on_box
check "the box is back on its own OS (Debian's kernel) after the run" box_back
check "the box's console log is kept" console_kept
check "the same boot again reuses the stored result" stored_reused
check "hang: given up at --timeout 20 (verdict hang, exit 8), the box power-cycled back" hang_recovered
check "kexec: false: installed for the box's boot loader, booted by the power cycle, clean" reboot_mode
check "an unreachable box: one error line naming the box, exit 8" unreachable
check "a key the box does not accept: one error line, exit 8" wrong_key
check "a missing key file: one error line naming the key and the YAML, exit 3" missing_key
check "a missing boot.ssh field: one error line naming the YAML, exit 4" missing_field
done_testing
