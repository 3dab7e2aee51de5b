#!/bin/sh
# kbackport kernels [list] [--json]: the descriptions in kernels/, strict parsing, exit codes.
. "$(dirname "$0")/lib.sh"
unset KBACKPORT_KERNELS_DIR KBACKPORT_SRC_DIR
# An empty work dir: nothing imported, whatever $KBACKPORT_WORK/ holds.
export KBACKPORT_WORK="$T/work"

lists_debian_kernels() {
	"$KB" kernels >"$T/list" || return 1
	cat "$T/list"
	[ "$(wc -l <"$T/list")" = 3 ] &&
	grep -Eq '^debian-5\.10 +linux-source-5\.10 +source: fetch    imported: no   version: -$' "$T/list" &&
	grep -Eq '^debian-6\.1  +linux-source-6\.1  +source: present  imported: no   version: -$' "$T/list" &&
	grep -Eq '^debian-6\.12 +linux-source-6\.12 +source: present  imported: no   version: -$' "$T/list"
}

list_is_default() {
	"$KB" kernels list >"$T/list2" && cmp "$T/list" "$T/list2"
}

json_parses() {
	"$KB" kernels list --json >"$T/json" || return 1
	python3 -m json.tool "$T/json" >/dev/null || return 1
	python3 - "$T/json" "$(dpkg-query -W -f='${Version}' linux-source-6.12)" <<-'EOF'
	import json, sys
	ks = json.load(open(sys.argv[1]))
	assert [k["name"] for k in ks] == ["debian-5.10", "debian-6.1", "debian-6.12"], ks
	# Debian 11's tree: from a suite, with our private apt; nothing at hand before the import
	assert ks[0]["source"] == {"type": "debian-package", "package": "linux-source-5.10", "version": None,
				   "suite": "bullseye-security", "tarball": None, "revision": None}, ks[0]["source"]
	k = ks[2]
	assert k["source"] == {"type": "debian-package", "package": "linux-source-6.12", "version": None,
			       "suite": None, "tarball": "/usr/src/linux-source-6.12.tar.xz",
			       "revision": "linux-source-6.12 " + sys.argv[2]}, k["source"]
	assert k["revision"] is None and k["moved"] is False, k
	assert k["source_present"] is True and k["imported"] is False, k
	assert k["version"] is None and k["base"] is None, k
	assert k["config"]["base"] == "tinyconfig", k["config"]
	assert k["boot"] == {"runner": "qemu", "qemu": {"smp": 2, "memory": 2048}, "timeout": 600}, k["boot"]
	EOF
}

# write_kernel NAME TEXT: a description in the temporary kernels dir.
write_kernel() {
	mkdir -p "$T/kernels"
	printf '%s\n' "$2" >"$T/kernels/$1.yaml"
}

bad_key_exit_4() {
	write_kernel good 'name: good
source: {debian-package: linux-source-6.12}
arch: x86_64
config: {base: tinyconfig}'
	write_kernel typo 'name: typo
source: {debian-package: linux-source-6.12}
arch: x86_64
config: {base: tinyconfig, fragment: [a.config]}'
	KBACKPORT_KERNELS_DIR="$T/kernels" expect_exit 4 "$KB" kernels 2>"$T/err" >/dev/null &&
	one_error "$T/err" "unknown key 'config.fragment'" "'$T/kernels/typo.yaml'"
}

# the vendor config of a fetched package is read from inside it: no way out of it
vendor_config_escape_exit_4() {
	rm -f "$T/kernels/typo.yaml"
	write_kernel esc 'name: esc
source: {debian-package: linux-source-5.10, suite: bullseye-security}
arch: x86_64
config: {base: tinyconfig, vendor-config: /usr/src/linux-config-5.10/../../../../etc/shadow}'
	KBACKPORT_KERNELS_DIR="$T/kernels" expect_exit 4 "$KB" kernels 2>"$T/err" >/dev/null &&
	one_error "$T/err" "invalid path '/usr/src/linux-config-5.10/../../../../etc/shadow' for 'config.vendor-config'" \
		"'$T/kernels/esc.yaml'" && rm "$T/kernels/esc.yaml"
}

# config fragments are read from kernels/config/: no way out of it
fragment_escape_exit_4() {
	write_kernel frag 'name: frag
source: {debian-package: linux-source-6.12}
arch: x86_64
config: {base: tinyconfig, fragments: [qemu-minimal.config, ../../../etc/shadow]}'
	KBACKPORT_KERNELS_DIR="$T/kernels" expect_exit 4 "$KB" kernels 2>"$T/err" >/dev/null &&
	one_error "$T/err" "invalid path '../../../etc/shadow' for 'config.fragments'" "'$T/kernels/frag.yaml'" &&
	rm "$T/kernels/frag.yaml"
}

syntax_error_exit_4() {
	rm -f "$T/kernels/typo.yaml"
	write_kernel broken 'name: broken
source: {debian-package: linux-source-6.12'
	KBACKPORT_KERNELS_DIR="$T/kernels" expect_exit 4 "$KB" kernels --json 2>"$T/err" >/dev/null &&
	one_error "$T/err" "cannot parse '$T/kernels/broken.yaml'"
}

missing_key_exit_4() {
	rm -f "$T/kernels/broken.yaml"
	write_kernel noarch 'name: noarch
source: {debian-package: linux-source-6.12}
config: {base: tinyconfig}'
	KBACKPORT_KERNELS_DIR="$T/kernels" expect_exit 4 "$KB" kernels import noarch 2>"$T/err" &&
	one_error "$T/err" "missing required key 'arch'" "'$T/kernels/noarch.yaml'"
}

unknown_kernel_exit_3() {
	expect_exit 3 "$KB" kernels import nosuch 2>"$T/err" &&
	one_error "$T/err" "unknown kernel 'nosuch' (no kernels/nosuch.yaml)"
}

no_kernels_dir_exit_3() {
	KBACKPORT_KERNELS_DIR="$T/none" expect_exit 3 "$KB" kernels 2>"$T/err" &&
	one_error "$T/err" "cannot open directory '$T/none'"
}

missing_source_listed() {
	rm -f "$T/kernels/noarch.yaml"
	write_kernel gone 'name: gone
source: {git: {path: '"$T"'/no-repo, ref: v1.0}}
arch: x86_64
config: {base: tinyconfig}'
	KBACKPORT_KERNELS_DIR="$T/kernels" "$KB" kernels >"$T/list3" || return 1
	cat "$T/list3"
	grep -Eq "^gone  $T/no-repo@v1\.0  source: missing  imported: no   version: -$" "$T/list3" &&
	grep -Eq "^good  linux-source-6\.12 +source: present" "$T/list3"
}

check "kernels lists the three debian kernels (5.10 fetched from its suite)" lists_debian_kernels
check "kernels list is the default" list_is_default
check "kernels --json parses, one object per kernel" json_parses
check "unknown key: one error naming file and key, exit 4" bad_key_exit_4
check "a vendor-config under /usr/src/ that climbs out of its package: refused at load, exit 4" vendor_config_escape_exit_4
check "a config fragment that climbs out of kernels/config/: refused at load, exit 4" fragment_escape_exit_4
check "YAML syntax error: one error naming the file, exit 4" syntax_error_exit_4
check "missing required key: exit 4" missing_key_exit_4
check "unknown kernel: exit 3" unknown_kernel_exit_3
check "missing kernels dir: exit 3" no_kernels_dir_exit_3
check "a missing git source is listed as missing" missing_source_listed
check "unknown subcommand: exit 2" expect_exit 2 "$KB" kernels frob
check "unknown option: exit 2" expect_exit 2 "$KB" kernels list --xml
check "import without a name: exit 2" expect_exit 2 "$KB" kernels import
done_testing
