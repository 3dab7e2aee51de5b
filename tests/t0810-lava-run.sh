#!/bin/sh
# kbackport lava --run-local: the real dispatcher (lava-run) boots the
# debian-6.12 base image t0400 built in QEMU (TCG) on a device rendered from
# lava-server's qemu.jinja2; LAVA's test shell runs in our busybox initramfs
# and reports each case with lava-test-case; the result matches kbackport
# boot's verdicts. About 90 s (two LAVA jobs and one boot).
# tier: full
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
K=debian-6.12
R=$KBACKPORT_WORK/results/$SNAME/$K/base

# lava-server's templates, from the package make check installs (no test installs one).
device_types() {
	for d in /etc/lava-server/dispatcher-config/device-types /usr/share/lava-server/device-types; do
		[ -f $d/qemu.jinja2 ] && return 0
	done
	echo "no qemu.jinja2: is lava-server installed (make deps)?"
	return 1
}

# The fixture's base image (tests/fixture.sh), in this script's store.
image_built() {
	use_built $K base
}

boot_smoke() {
	"$KB" boot $K --workload smoke --force >"$T/boot.out" 2>&1 || { cat "$T/boot.out"; return 1; }
	cp $R/smoke.json "$T/boot-smoke.json"
}

# same_verdicts BOOT-JSON LAVA-JSON VERDICT: our verdict, workload status and
# cases agree, and LAVA's own test cases say the same.
same_verdicts() {
	python3 - "$@" <<-'EOF'
	import json, sys
	boot, lava = (json.load(open(p)) for p in sys.argv[1:3])
	print("boot:", boot["verdict"], boot["workload_status"], "lava:", lava["verdict"], lava["workload_status"])
	assert lava["runner"] == "lava" and lava["lava"]["where"] == "lava-run", lava
	assert boot.get("runner", "qemu") == "qemu", boot.get("runner")
	assert lava["verdict"] == boot["verdict"] == sys.argv[3], (lava["verdict"], boot["verdict"])
	assert lava["workload_status"] == boot["workload_status"], (lava["workload_status"], boot["workload_status"])
	for k in ("kernel", "variant", "image_hash", "commit", "workload_exit"):
	    assert lava[k] == boot[k], k
	ours = {t["name"]: t["status"] for t in (boot["result"] or {}).get("tests", [])}
	theirs = {t["name"]: t["status"] for t in (lava["result"] or {}).get("tests", [])}
	assert ours == theirs, (ours, theirs)
	cases = {c["name"]: c["result"] for c in lava["lava"]["cases"]}
	print("LAVA cases:", cases)
	for name, status in ours.items():
	    assert cases[name] == status, (name, cases)
	w = lava["workload"]["name"]
	assert cases[w] == ("pass" if lava["workload_exit"] == 0 else "fail"), cases
	assert lava["lava"]["job_result"] == "pass", lava["lava"]
	assert any(f["kind"] == "warning" for f in lava["findings"]) == (sys.argv[3] == "warn"), lava["findings"]
	EOF
}

lava_smoke() {
	"$KB" lava $K --workload smoke --run-local >"$T/lava.out" 2>&1
	rc=$?
	cat "$T/lava.out"
	[ $rc = 0 ] &&
	grep -qx "$K base: LAVA test cases: cpus-online pass, ext4-extents pass, ext4-noextents pass, smoke pass" "$T/lava.out" &&
	grep -qx "$K base: verdict: clean ($R/smoke.json)" "$T/lava.out" &&
	same_verdicts "$T/boot-smoke.json" $R/smoke.json clean &&
	grep -q '"lvl": "results", "msg": {"case": "cpus-online", "definition": "0_kbackport-smoke"' $R/smoke.lava.log &&
	grep -q "^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=smoke RESULT=pass>" $R/smoke.lava-console.log &&
	grep -q "^@@KB-RESULT-BEGIN@@" $R/smoke.lava-console.log
}

# The same WARNING kbackport boot catches (t0401) is caught from LAVA's log: exit 8.
lava_warn() {
	"$KB" boot $K --workload warn --force >"$T/bw.out" 2>&1
	cp $R/warn.json "$T/boot-warn.json"
	"$KB" lava $K --workload warn --run-local >"$T/lw.out" 2>&1
	rc=$?
	cat "$T/lw.out"
	[ $rc = 8 ] && grep -qx "$K base: verdict: warn ($R/warn.json)" "$T/lw.out" &&
	same_verdicts "$T/boot-warn.json" $R/warn.json warn
}

not_qemu() {
	expect_exit 2 "$KB" lava $K --lab kernels/labs/x86-ipxe.example.yaml --run-local >/dev/null 2>"$T/err" &&
	one_error "$T/err" "--run-local runs QEMU devices"
}

no_templates() {
	KBACKPORT_LAVA_DEVICE_TYPES="$T" expect_exit 3 "$KB" lava $K --run-local >/dev/null 2>"$T/err" &&
	one_error "$T/err" "KBACKPORT_LAVA_DEVICE_TYPES '$T' holds no base.jinja2"
}

check "lava-server's device-type templates are at hand" device_types
check "the base image is built" image_built
check "kbackport boot smoke (the reference)" boot_smoke
check "lava-run: LAVA reports every smoke case pass; our verdicts match kbackport boot's" lava_smoke
check "lava-run: the warn workload's WARNING gives verdict warn as with kbackport boot (exit 8)" lava_warn
check "--run-local with a board profile: exit 2" not_qemu
check "no device-type templates: exit 3" no_templates
done_testing
