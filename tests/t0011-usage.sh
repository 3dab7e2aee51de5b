#!/bin/sh
# Every command's usage comes from its options table (tool/builtin/options.h):
# README's command list holds exactly the forms `kbackport help <command>`
# prints, --help works anywhere among a command's arguments, an unknown
# option is a usage error, and every option the usage names is one getopt
# takes. Needs no tree, no network.
. "$(dirname "$0")/lib.sh"

# The commands `kbackport --help` lists.
commands() {
	"$KB" --help | sed -n 's/^   \([a-z][a-z-]*\) .*/\1/p'
}

# forms CMD: the forms `kbackport help CMD` prints, one a line, long ones unwrapped.
forms() {
	"$KB" help "$1" | awk '
		/^$/ { exit }
		/^usage: kbackport |^   or: kbackport / {
			if (f != "") print f
			f = $0
			sub(/^(usage|   or): /, "", f)
			next
		}
		/^  +[^ ]/ { l = $0; sub(/^ +/, "", l); f = f " " l }
		END { if (f != "") print f }'
}

# readme_forms FILE: the synopses of FILE's "## Commands" list, one a line:
# each item "- `kbackport ...` — ...", its continuation lines joined.
readme_forms() {
	awk '
		/^## Commands$/ { on = 1; next }
		/^Guest programs \(`tool\/guest\/`/ { on = 0 }
		!on { next }
		/^- / { item(); it = substr($0, 3); next }
		/^  +[^ ]/ && it != "" { l = $0; sub(/^ +/, "", l); it = it " " l; next }
		{ item() }
		END { item() }
		function item() {
			if (substr(it, 1, 11) == "`kbackport ") {
				s = substr(it, 2)
				print substr(s, 1, index(s, "`") - 1)
			}
			it = ""
		}' "$1"
}

# The forms of every command `kbackport --help` lists, sorted.
all_forms() {
	for c in $(commands); do
		forms "$c"
	done | sort
}

# readme_matches FILE: both ways, or the difference is shown.
readme_matches() {
	all_forms >"$T/forms" &&
	readme_forms "$1" | sort >"$T/readme" &&
	[ -s "$T/forms" ] && [ -s "$T/readme" ] || { echo "no forms found"; return 1; }
	comm -23 "$T/forms" "$T/readme" | sed 's/^/only in the usage: /' >"$T/diff"
	comm -13 "$T/forms" "$T/readme" | sed 's/^/only in README: /' >>"$T/diff"
	cat "$T/diff"
	[ ! -s "$T/diff" ]
}
check "README's command list is exactly the forms 'kbackport help <command>' prints" readme_matches README.md

# The comparison itself catches a README that drifted, whichever way.
drift_caught() {
	# an option renamed in one synopsis: a form missing, a made-up one
	sed 's/^\(- `kbackport port <kernel> \[--series DIR\]\) \[--json\]/\1 [--xml]/' README.md >"$T/renamed.md" &&
	! cmp -s README.md "$T/renamed.md" &&
	! readme_matches "$T/renamed.md" >"$T/out" &&
	grep -q "^only in the usage: kbackport port <kernel> \[--series DIR\] \[--json\]" "$T/out" &&
	grep -q "^only in README: kbackport port <kernel> \[--series DIR\] \[--xml\]" "$T/out" &&
	# a form left out
	grep -v '^- `kbackport kernels versions <name>`' README.md >"$T/dropped.md" &&
	! readme_matches "$T/dropped.md" >"$T/out" &&
	grep -q "^only in the usage: kbackport kernels versions <name>$" "$T/out" &&
	# a form the usage does not have, in a wrapped item
	awk '{ print } /^## Commands$/ { print ""; print "- `kbackport kernels list"; print "  --all` — none such" }' \
		README.md >"$T/added.md" &&
	! readme_matches "$T/added.md" >"$T/out" &&
	grep -q "^only in README: kbackport kernels list --all$" "$T/out"
}
check "a README synopsis renamed, dropped or made up is caught" drift_caught

# For `kbackport <cmd> <arg> --help`: a form's subcommand ("kernels [list]": list), else a stand-in.
arg_of() {
	w=$(echo "$1" | cut -d' ' -f3)
	case "$w" in
	[a-z]*|\[[a-z]*\]) echo "$w" | tr -d '[]' ;;
	*) echo x ;;
	esac
}

# said WHAT: a failed run, and its stderr; fails.
said() {
	echo "$1"
	cat "$T/err"
	return 1
}

# help_is FILE CMD: FILE is what `kbackport help CMD` prints.
help_is() {
	"$KB" help "$2" >"$T/want" && cmp "$1" "$T/want" && grep -q "^usage: kbackport $2 " "$1"
}

help_anywhere() {
	for c in $(commands); do
		for a in --help -h; do
			expect_exit 0 "$KB" "$c" $a >"$T/out" 2>"$T/err" &&
			[ ! -s "$T/err" ] && help_is "$T/out" "$c" || said "'$c $a'" || return 1
		done
		forms "$c" >"$T/forms.$c" || return 1
		while read -r f; do
			a=$(arg_of "$f")
			for args in "$a --help" "$a x --help" "--help $a"; do
				# shellcheck disable=SC2086 # words, on purpose
				expect_exit 0 "$KB" "$c" $args >"$T/out" 2>"$T/err" &&
				[ ! -s "$T/err" ] && help_is "$T/out" "$c" || said "'$c $args'" || return 1
			done
		done <"$T/forms.$c"
	done
}
check "'<cmd> --help', '<cmd> <arg> --help', -h: the usage on stdout, exit 0, every command" help_anywhere

help_subcommands() {
	for args in "port debian-6.12 --help" "series import --help" "series show DIR --help" \
		"kernels import --help" "kernels list --json --help" "cocci survey k --help"; do
		# shellcheck disable=SC2086
		expect_exit 0 "$KB" $args >"$T/out" 2>"$T/err" && [ ! -s "$T/err" ] &&
		help_is "$T/out" "${args%% *}" || { echo "'$args'"; return 1; }
	done
}
check "--help after a kernel or a subcommand: 'port debian-6.12 --help', 'series import --help', ..." help_subcommands

unknown_option() {
	for c in $(commands); do
		for f in "" $(forms "$c" | while read -r g; do arg_of "$g"; done | sort -u); do
			# shellcheck disable=SC2086
			expect_exit 2 "$KB" "$c" $f --frobnicate >"$T/out" 2>"$T/err" &&
			[ ! -s "$T/out" ] && [ "$(head -n 1 "$T/err")" = "error: unknown option '--frobnicate'" ] &&
			sed 1d "$T/err" >"$T/usage" && help_is "$T/usage" "$c" ||
				said "'$c $f --frobnicate'" || return 1
		done
	done
}
check "an unknown option: one error line, then the usage on stderr, exit 2, every command" unknown_option

# Wrong positional arguments: the usage on stderr, exit 2, as before.
wrong_arguments() {
	for args in "port" "port a b" "export k" "build" "boot" "lava" "refresh" "refresh k --all" "matrix x" \
		"report x" "series" "series show" "kernels import" "kernels list x" "cocci" "cocci survey"; do
		# shellcheck disable=SC2086
		expect_exit 2 "$KB" $args >"$T/out" 2>"$T/err" && [ ! -s "$T/out" ] &&
		grep -q "^usage: kbackport ${args%% *} " "$T/err" || said "'$args'" || return 1
	done
	expect_exit 2 "$KB" series frob 2>"$T/err" && grep -q "^error: unknown subcommand 'series frob'$" "$T/err" &&
	expect_exit 2 "$KB" kernels import x --json 2>"$T/err" && grep -q "^error: unknown option '--json'$" "$T/err" &&
	expect_exit 2 "$KB" port k --series 2>"$T/err" && grep -q "^error: option '--series' needs a value$" "$T/err" &&
	expect_exit 2 "$KB" port k --json=yes 2>"$T/err" && grep -q "^error: option '--json' takes no value$" "$T/err"
}
check "wrong arguments, a subcommand's stray option, a missing value: usage on stderr, exit 2" wrong_arguments

# options CMD: "LETTER NAME ARG" for each option the usage lists (- for none).
options() {
	"$KB" help "$1" | awk '
		/^options:$/ { on = 1; next }
		!on || !/^  (-[a-zA-Z], |    )--/ { next }
		{
			letter = substr($0, 3, 1) == "-" ? substr($0, 4, 1) : "-"
			rest = substr($0, 9)
			name = rest; sub(/ .*/, "", name)
			rest = substr(rest, length(name) + 1)
			arg = rest ~ /^ [^ ]/ ? "1" : "-"
			print letter, name, arg
		}'
}

# Every option the usage lists is taken by getopt (the value 1 where one is
# needed; --help after it proves it was taken), in the forms that show it,
# long and short; and the forms name no option the list lacks.
options_taken() {
	for c in $(commands); do
		options "$c" >"$T/opts" && forms "$c" >"$T/forms" || return 1
		[ -s "$T/opts" ] || continue
		while read -r letter name arg; do
			v=$([ "$arg" = - ] || echo 1)
			shown=0
			while read -r f; do
				echo "$f" | tr ' ' '\n' | tr -d '[]' | grep -qx -e "--$name" -e "-$letter" || continue
				shown=1
				a=$(arg_of "$f")
				[ "$a" = x ] && a=
				for o in "--$name" $([ "$letter" = - ] || echo "-$letter"); do
					# shellcheck disable=SC2086
					expect_exit 0 "$KB" "$c" $a $o $v --help >"$T/out" 2>"$T/err" &&
					help_is "$T/out" "$c" || said "'$c $a $o $v' not taken" || return 1
				done
			done <"$T/forms"
			[ "$shown" = 1 ] || { echo "'$c': option --$name is in no form"; return 1; }
		done <"$T/opts"
		tr ' ' '\n' <"$T/forms" | tr -d '[]' | grep '^-' | sort -u >"$T/named"
		while read -r o; do
			case "$o" in
			--*) grep -q "^. ${o#--} " "$T/opts" ;;
			*) grep -q "^${o#-} " "$T/opts" ;;
			esac || { echo "'$c': a form names $o, which is not among the options"; return 1; }
		done <"$T/named"
	done
}
check "every option in a usage is taken by getopt, in the forms that show it; the forms name no other" options_taken

# A copy of the tool with a form naming an option its table lacks, and an
# option in no form: both stop the command naming the mistake.
table_mistakes() {
	mkdir -p "$T/copy" && cp -a tool "$T/copy/" &&
	sed -i 's/\("port <kernel> \[{series}\]\) \[{json}\]/\1 [{jsn}]/' "$T/copy/tool/builtin/port.c" &&
	sed -i 's/"report \[{format}\] \[{-o}\] \[{series}\] \[{kernels}\]"/"report [{format}] [{-o}] [{series}]"/' \
		"$T/copy/tool/builtin/report.c" &&
	! cmp -s tool/builtin/port.c "$T/copy/tool/builtin/port.c" &&
	! cmp -s tool/builtin/report.c "$T/copy/tool/builtin/report.c" &&
	make -s -f "$ROOT/Makefile" -C "$T/copy" kbackport >"$T/make.out" 2>&1 || { cat "$T/make.out"; return 1; }
	expect_exit 128 "$T/copy/kbackport" help port 2>"$T/err" >/dev/null &&
	grep -q "^fatal: usage of 'port' names an option 'jsn' it does not have$" "$T/err" &&
	expect_exit 128 "$T/copy/kbackport" port k 2>"$T/err" >/dev/null &&
	grep -q "^fatal: usage of 'port' names an option 'jsn' it does not have$" "$T/err" &&
	expect_exit 128 "$T/copy/kbackport" report --help 2>"$T/err" >/dev/null &&
	grep -q "^fatal: usage of 'report': option '--kernels' is in none of its forms$" "$T/err" &&
	"$T/copy/kbackport" help series >/dev/null
}
check "a form naming an option the table lacks, an option in no form: caught on any run" table_mistakes

done_testing
