#!/usr/bin/env bats
# The docs say what the code does: a command's options are the same in what
# it accepts (--list-options), its --help, its man page and the bash, zsh and
# fish completions, both ways; --help's option groups are the man page's
# OPTIONS subsections, in order; wsx --help's summary of a command is its man
# page's NAME line and names its modes; the man pages are clean for mandoc,
# and README's command and exit-status tables match the binary and wsx(1).

load helpers

MAN="$WSX_SRCDIR/man"

teardown() {
	stop_servers
}

commands() { "$WSX" --list-commands; }

man_text() { # PAGE: the page as plain text (no overstrike)
	mandoc -T ascii "$MAN/$1" | sed -e 's/.\x08//g'
}

long_options() { # CMD: its long options, one per line
	"$WSX" "$1" --list-options | tr ' ' '\n' | grep -E '^--[a-z]'
}

@test "docs: every command has a man page that mandoc finds clean" {
	local c
	run mandoc -T lint -W warning "$MAN/wsx.1"
	assert_success
	assert_output ""
	for c in $(commands); do
		[ -f "$MAN/wsx-$c.1" ] || fail "no man page for $c"
		run mandoc -T lint -W warning "$MAN/wsx-$c.1"
		assert_success
		assert_output ""
	done
}

@test "docs: groff -ww prints no warning for any man page" {
	command -v groff >/dev/null || skip "no groff"
	local f
	for f in "$MAN"/*.1; do
		# groff exits 0 even when it warns: any output fails
		run groff -ww -man -z "$f"
		assert_success
		assert_output ""
	done
}


accepted() { # CMD: the long and short options it takes, one per line
	"$WSX" "$1" --list-options | cut -d' ' -f1,2 | tr ' ' '\n' |
		grep -E '^-([[:alnum:]]$|-[a-z])' | grep -vx -- --list-options | sort -u
}

help_options() { # CMD: the options --help lists
	"$WSX" "$1" --help |
		grep -oE '^ {2}(-[[:alnum:]], )?--[a-z0-9-]+|^ {6}--[a-z0-9-]+' |
		grep -oE -- '-[[:alnum:]]|--[a-z0-9-]+' | sort -u
}

man_items() { # CMD: the .TP item lines under OPTIONS, escapes and fonts gone
	awk '/^\.SH OPTIONS/{on=1; next} /^\.SH/{on=0} on && prev ~ /^\.TP/ {print} {prev=$0}' \
		"$MAN/wsx-$1.1" | sed -e 's/\\f[BIRP]//g' -e 's/\\//g'
}

man_options() { # CMD: the options its man page documents
	man_items "$1" | grep -oE '^\.B[IR]? (-[[:alnum:]] ?", " )?--[a-z0-9-]+' |
		grep -oE -- '(^| )-[[:alnum:]]|--[a-z0-9-]+' | tr -d ' ' | sort -u
}

bash_options() { # CMD: the long options bash completes after --
	PATH="${WSX%/*}:$PATH" bash -c 'source "$1"; COMP_WORDS=(wsx "$2" --)
		COMP_CWORD=2; _wsx; printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$WSX_SRCDIR/completions/wsx.bash" "$1" | sort -u
}

fish_options() { # CMD: the long options fish completes after --
	PATH="${WSX%/*}:$PATH" fish -c 'source $argv[1]; complete -C "wsx $argv[2] --"' \
		"$WSX_SRCDIR/completions/wsx.fish" "$1" | cut -f1 | sort -u
}

zsh_options() { # CMD: the long options in zsh's specs for it
	PATH="${WSX%/*}:$PATH" zsh -fc "autoload -U compinit; compinit -u -D
		source '$WSX_SRCDIR/completions/_wsx'; _wsx_specs wsx $1" |
		grep -oE '^\*--[a-z0-9-]+' | cut -c2- | sort -u
}

same() { # WHAT EXPECTED ACTUAL: fail with what is missing and what is extra
	[ "$2" = "$3" ] && return 0
	fail "$(printf '%s\nmissing: %s\nextra: %s' "$1" \
		"$(comm -23 <(echo "$2") <(echo "$3") | tr '\n' ' ')" \
		"$(comm -13 <(echo "$2") <(echo "$3") | tr '\n' ' ')")"
}

help_sections() { # CMD: --help's option group titles, in order
	"$WSX" "$1" --help | awk '/^ +-/ && prev ~ /^[A-Z].*:$/ {sub(/:$/, "", prev); print prev} {prev=$0}'
}

man_sections() { # CMD: the .SS headings under OPTIONS, in order
	awk '/^\.SH OPTIONS/{on=1; next} /^\.SH/{on=0} on && /^\.SS /{sub(/^\.SS /, ""); print}' \
		"$MAN/wsx-$1.1" | sed -e 's/\\-/-/g' -e 's/^"//' -e 's/"$//'
}

name_line() { # PAGE: what its NAME line says after the dash
	awk '/^\.SH NAME/{getline; print; exit}' "$MAN/$1" | sed -e 's/\\-/-/g' -e 's/^[^ ]* - //'
}

summary() { # CMD: its line in wsx --help
	"$WSX" --help | sed -n "s/^  $1  *//p"
}

@test "docs: --help lists exactly the options a command takes, long and short" {
	local c
	for c in $(commands); do
		same "wsx $c --help vs what it takes" "$(accepted "$c")" "$(help_options "$c")"
	done
}

@test "docs: a man page documents exactly the options its command takes, long and short" {
	local c
	for c in $(commands); do
		same "wsx-$c(1) vs what wsx $c takes" "$(accepted "$c")" "$(man_options "$c")"
	done
}

@test "docs: bash, zsh and fish complete exactly the options a command takes" {
	# the completions ask the wsx on PATH: it must be the one under test
	[ "${WSX##*/}" = wsx ] || skip "WSX is not named wsx"
	local c want
	for c in $(commands); do
		want=$(accepted "$c" | grep -e '^--')
		same "bash completion of wsx $c" "$want" "$(bash_options "$c")"
		if command -v zsh >/dev/null; then
			same "zsh completion of wsx $c" "$want" "$(zsh_options "$c")"
		fi
		if command -v fish >/dev/null; then
			same "fish completion of wsx $c" "$want" "$(fish_options "$c")"
		fi
	done
}

@test "docs: --help's option groups are the man page's OPTIONS subsections, in order" {
	local c
	for c in $(commands); do
		assert_equal "$(help_sections "$c")" "$(man_sections "$c")"
	done
}

@test "docs: wsx --help's summary of each command is its man page's NAME line" {
	local c
	for c in $(commands); do
		assert_equal "$(summary "$c")" "$(name_line "wsx-$c.1")"
	done
}

@test "docs: serve's summary, NAME line, wsx(1) entry and README row name all its modes: echo, broadcast, --exec, --static" {
	local m row entry
	row=$(grep '^| `wsx serve' "$WSX_SRCDIR/README.md")
	entry=$(man_text wsx.1 | awk -v RS= '/(^|\n) +serve( |\n)/')
	[ -n "$entry" ]
	for m in echo broadcast --exec --static; do
		[[ "$(summary serve)" == *"$m"* ]] || fail "wsx --help's serve line lacks $m"
		[[ "$(name_line wsx-serve.1)" == *"$m"* ]] || fail "wsx-serve(1)'s NAME lacks $m"
		[[ "$row" == *"$m"* ]] || fail "README's serve row lacks $m"
		[[ "$entry" == *"$m"* ]] || fail "wsx(1)'s serve entry lacks $m"
	done
}

@test "docs: bench's summary, NAME line, wsx(1) entry and README row name every --mode" {
	local m row entry
	row=$(grep '^| `wsx bench' "$WSX_SRCDIR/README.md")
	entry=$(man_text wsx.1 | awk -v RS= '/(^|\n) +bench( |\n)/')
	[ -n "$entry" ]
	for m in $("$WSX" bench --list-options | sed -n 's/^--mode //p' | tr '|' ' '); do
		[[ "$row" == *"$m"* ]] || fail "README's bench row lacks $m"
		[[ "$(summary bench)" == *"$m"* ]] || fail "wsx --help's bench line lacks $m"
		[[ "$(name_line wsx-bench.1)" == *"$m"* ]] || fail "wsx-bench(1)'s NAME lacks $m"
		[[ "$entry" == *"$m"* ]] || fail "wsx(1)'s bench entry lacks $m"
	done
}

@test "docs: wsx(1), wsx --help and README name every command" {
	local c help man
	help=$("$WSX" --help)
	man=$(man_text wsx.1)
	for c in $(commands); do
		[[ "$help" == *"  $c "* ]] || fail "wsx --help lacks $c"
		[[ "$man" == *"$c"* ]] || fail "wsx(1) lacks $c"
		grep -q "^| \`wsx $c" "$WSX_SRCDIR/README.md" || fail "README's table lacks $c"
	done
}

@test "docs: wsx-connect(1) lists exactly the close codes /close accepts" {
	local said listed
	# the ranges in /close's refusal, as the binary holds them
	said=$(grep -aoE 'not a code to send \([0-9, -]+\)' "$WSX" | grep -oE '[0-9]+-[0-9]+')
	listed=$(man_text wsx-connect.1 | tr -s ' \n' ' ' |
		grep -oE 'CODE is one of [0-9, -]+' | grep -oE '[0-9]+-[0-9]+')
	[ -n "$said" ]
	assert_equal "$listed" "$said"
}

@test "docs: README's exit statuses are wsx(1)'s" {
	local readme man
	readme=$(grep -oE '^\| [0-9]+ \|' "$WSX_SRCDIR/README.md" | tr -dc '0-9\n')
	man=$(awk '/^\.SH EXIT STATUS/{on=1; next} /^\.SH/{on=0} on && /^\.B [0-9]+$/{print $2}' "$MAN/wsx.1")
	[ -n "$man" ]
	assert_equal "$readme" "$man"
}

@test "docs: bash completion offers every command" {
	[ "${WSX##*/}" = wsx ] || skip "WSX is not named wsx"
	local c
	run bash -c "PATH='${WSX%/*}':\$PATH; source '$WSX_SRCDIR/completions/wsx.bash'
		COMP_WORDS=(wsx ''); COMP_CWORD=1; _wsx; echo \"\${COMPREPLY[*]}\""
	assert_success
	for c in $(commands); do
		[[ " $output " == *" $c "* ]] || fail "completion lacks command $c"
	done
}

quick_start() { # README's Quick start section
	awk '/^## Quick start/{on=1; next} /^## /{on=0} on' "$WSX_SRCDIR/README.md"
}

@test "docs: README's quick start talks to a server with serve, connect and pipe before bench, and its pipe line works" {
	local qs line
	qs=$(quick_start)
	[[ "$qs" == *"wsx serve"* ]] || fail "the quick start does not start a server"
	[[ "$qs" == *"wsx connect ws://"* ]] || fail "the quick start does not show connect"
	line=$(grep -m1 -E '^echo [a-z]+ \| wsx pipe ws://127\.0\.0\.1:8080/$' <<<"$qs") ||
		fail "the quick start has no 'echo ... | wsx pipe ws://127.0.0.1:8080/' line"
	(($(grep -n 'wsx pipe' <<<"$qs" | head -1 | cut -d: -f1) <
		$(grep -n 'wsx bench' <<<"$qs" | head -1 | cut -d: -f1))) ||
		fail "the quick start benchmarks before it pipes"
	start_wsx_echo
	line=${line//wsx pipe/\"\$WSX\" pipe}
	run bash -c "WSX='$WSX'; ${line//:8080/:$PORT}"
	assert_success
	assert_output "$(set -- ${line#echo }; echo "$1")"
}

@test "docs: README names scripts/bootstrap only under Building, after the quick start" {
	local first building
	first=$(grep -n 'scripts/bootstrap' "$WSX_SRCDIR/README.md" | head -1 | cut -d: -f1)
	building=$(grep -n '^## Building$' "$WSX_SRCDIR/README.md" | cut -d: -f1)
	[ -n "$building" ] || fail "README has no '## Building' heading"
	((first > building)) || fail "README shows scripts/bootstrap (line $first) before '## Building' (line $building)"
	[[ "$(quick_start)" != *bootstrap* ]] || fail "the quick start mentions bootstrap"
}
