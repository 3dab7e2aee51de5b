#!/bin/sh
# kbackport lava: job definitions from lab profiles, checked with LAVA's own
# schema (lava_common, here and in the tool); broken profiles fail with one
# line naming the file. Needs the debian-6.12 base image t0400 builds; no boot.
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR
K=debian-6.12
# The Python lava-run runs on has lava_common (python3 on PATH may not).
PY=$(sed -n '1s/^#! *//p' "$(command -v lava-run)")

# The fixture's base image (tests/fixture.sh), in this script's store.
image_built() {
	use_built $K base
}

# lava_check JOB [BOOT-METHOD]: LAVA's schema passes it, and it deploys, boots and tests what we built.
lava_check() {
	"$PY" - "$@" <<-'EOF'
	import sys, yaml
	from lava_common.schemas import validate
	job = yaml.safe_load(open(sys.argv[1]))
	validate(job, strict=True)
	method = sys.argv[2] if len(sys.argv) > 2 else "qemu"
	deploy, boot, test = (a[k] for a, k in zip(job["actions"], ("deploy", "boot", "test")))
	assert boot["method"] == method, boot
	assert test["definitions"][0]["repository"]["run"]["steps"] == ["/init --lava-run smoke"], test
	if method == "qemu":
	    assert job["device_type"] == "qemu" and deploy["to"] == "tmpfs", job
	    k = deploy["images"]["kernel"]
	    assert k["url"].startswith("file:///") and k["url"].endswith("/bzImage"), k
	    assert "kb.lava=1" in k["image_arg"] and "kb.kernel=debian-6.12" in k["image_arg"], k
	    assert deploy["images"]["ramdisk"]["url"].endswith(".cpio"), deploy
	    assert deploy["images"]["scratch"]["image_arg"].startswith("-drive format=raw"), deploy
	else:
	    assert deploy["to"] == "tftp" and boot["commands"] == "ramdisk", (deploy, boot)
	    assert deploy["kernel"]["url"].startswith("https://lab.example.org/kbackport/debian-6.12/base/"), deploy
	    assert "kb.lava=1" in job["context"]["extra_kernel_args"], job["context"]
	EOF
}

job_to_stdout() {
	"$KB" lava $K >"$T/job.yaml" 2>"$T/err" || { cat "$T/err"; return 1; }
	cat "$T/err"
	grep -q "^$K base: LAVA job .*smoke.lava-job.yaml (passes LAVA's job schema)$" "$T/err" &&
	lava_check "$T/job.yaml"
}

job_to_file() {
	"$KB" lava $K -o "$T/o.yaml" >"$T/out" 2>&1 && cat "$T/out" &&
	grep -qx "$K base: LAVA job $T/o.yaml (passes LAVA's job schema)" "$T/out" &&
	lava_check "$T/o.yaml" &&
	"$KB" lava $K --validate >"$T/v.out" 2>&1 && ! grep -q device_type "$T/v.out"
}

# Every profile under kernels/labs/: its boot method passed through, the job valid.
every_lab() {
	for f in kernels/labs/*.yaml; do
		method=$(sed -n 's/^boot-method: *\([a-z-]*\).*/\1/p' "$f")
		echo "$f: $method"
		"$KB" lava $K --lab "$f" -o "$T/lab.yaml" >/dev/null || return 1
		lava_check "$T/lab.yaml" "$method" || return 1
	done
}

# bad_lab CODE TEXT PATTERN...: a profile with TEXT fails with one error line.
bad_lab() {
	code=$1
	printf '%b' "$2" >"$T/bad.yaml"
	shift 2
	expect_exit "$code" "$KB" lava $K --lab "$T/bad.yaml" >/dev/null 2>"$T/err" &&
	one_error "$T/err" "$@"
}

GOOD='name: bad\ndevice-type: qemu\nboot-method: qemu\n'

check "the base image is built" image_built
check "the job goes to stdout, passes LAVA's schema, deploys our kernel, initramfs and scratch disk" job_to_stdout
check "-o writes the file; --validate only checks" job_to_file
check "every lab profile gives a valid job with its boot method" every_lab
check "a profile with an unknown key: exit 4, one line naming file and key" \
	bad_lab 4 "${GOOD}bootmethod: qemu\n" "'$T/bad.yaml'" "unknown key 'bootmethod'" "(line 4)"
check "an unknown boot method: exit 4" \
	bad_lab 4 'name: bad\ndevice-type: qemu\nboot-method: pxe\n' "invalid value 'pxe' for 'boot-method' (one of qemu, u-boot, grub, ipxe, depthcharge)" "(line 3)"
check "a value LAVA's schema refuses (visibility): exit 4 naming the profile" \
	bad_lab 4 "${GOOD}visibility: secret\n" "fails LAVA's job schema" "at visibility" "(from '$T/bad.yaml')"
check "a bad timeout: exit 4" bad_lab 4 "${GOOD}timeouts: {job: soon}\n" "invalid value 'soon' for 'timeouts.job' (expected 1 to 1440)"
check "a profile without a device type: exit 4" bad_lab 4 'name: bad\nboot-method: qemu\n' "missing required key 'device-type'"
check "not YAML: exit 4" bad_lab 4 'name: [bad\n' "cannot parse '$T/bad.yaml'"
check "a missing profile: exit 3" eval 'expect_exit 3 "$KB" lava $K --lab nope >/dev/null 2>"$T/err" &&
	one_error "$T/err" "cannot open '\''kernels/labs/nope.yaml'\''"'
done_testing
