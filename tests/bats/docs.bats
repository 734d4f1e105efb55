#!/usr/bin/env bats
# The docs say what the code does: every option a command accepts is in its
# --help, its man page and its completion, every option a man page documents
# is accepted, the man pages are clean for mandoc, and README's command and
# exit-status tables match the binary and wsx(1).

load helpers

MAN="$WSX_SRCDIR/man"

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

@test "docs: every option a command takes is in its --help and its man page" {
	local c o man help
	for c in $(commands); do
		help=$("$WSX" "$c" --help)
		man=$(man_text "wsx-$c.1")
		for o in $(long_options "$c"); do
			[ "$o" = --list-options ] && continue
			[[ "$help" == *"$o"* ]] || fail "wsx $c --help lacks $o"
			[[ "$man" == *"$o"* ]] || fail "wsx-$c(1) lacks $o"
		done
	done
}

@test "docs: every option a man page documents is accepted" {
	local c o accepted
	for c in $(commands); do
		accepted=$(long_options "$c")
		for o in $(grep -oE '^\.B[IR]? (\\-[a-z0-9]", ")?\\-\\-[a-z0-9\\-]+' "$MAN/wsx-$c.1" |
			grep -oE '\\-\\-[a-z0-9\\-]+$' | sed 's/\\//g'); do
			grep -qx -- "$o" <<<"$accepted" || fail "wsx-$c(1) documents $o, which wsx $c refuses"
		done
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

@test "docs: README's exit statuses are wsx(1)'s" {
	local readme man
	readme=$(grep -oE '^\| [0-9]+ \|' "$WSX_SRCDIR/README.md" | tr -dc '0-9\n')
	man=$(awk '/^\.SH EXIT STATUS/{on=1; next} /^\.SH/{on=0} on && /^\.B [0-9]+$/{print $2}' "$MAN/wsx.1")
	[ -n "$man" ]
	assert_equal "$readme" "$man"
}

@test "docs: bash completion offers the commands and every option" {
	local c o
	# the completion asks the wsx on PATH: it must be the one under test
	[ "${WSX##*/}" = wsx ] || skip "WSX is not named wsx"
	run bash -c "PATH='${WSX%/*}':\$PATH; source '$WSX_SRCDIR/completions/wsx.bash'
		COMP_WORDS=(wsx ''); COMP_CWORD=1; _wsx; echo \"\${COMPREPLY[*]}\""
	assert_success
	for c in $(commands); do
		[[ " $output " == *" $c "* ]] || fail "completion lacks command $c"
	done
	for c in $(commands); do
		run bash -c "PATH='${WSX%/*}':\$PATH; source '$WSX_SRCDIR/completions/wsx.bash'
			COMP_WORDS=(wsx $c --); COMP_CWORD=2; _wsx; echo \"\${COMPREPLY[*]}\""
		assert_success
		for o in $(long_options "$c"); do
			[ "$o" = --list-options ] && continue
			[[ " $output " == *" $o "* ]] || fail "completion of wsx $c lacks $o"
		done
	done
}
