#!/usr/bin/env bats
# Tab completion in bash, zsh and fish: commands, every option of each
# command (asked of the binary, so a completion cannot lack one), files after
# FILE options, directories after DIR, enumerated arguments, and endpoint-spec
# prefixes for relay operands.

load helpers

COMPL="$WSX_SRCDIR/completions"

setup() {
	PATH="${WSX%/*}:$PATH"
	# the wsx the completions ask must be the one under test
	[ "${WSX##*/}" = wsx ] || skip "WSX is not named wsx"
	cd "$BATS_TEST_TMPDIR"
	mkdir -p certs somedir
	: >certs/ca.pem
}

commands() { "$WSX" --list-commands; }

long_options() { # CMD: its long options but --list-options, one per line
	"$WSX" "$1" --list-options | tr ' ' '\n' | grep -E '^--[a-z]' |
		grep -vx -- --list-options | sort -u
}

bash_complete() { # WORD...: what bash's _wsx offers for the last word
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_wsx; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPL/wsx.bash" "$@"
}

fish_complete() { # LINE: what fish offers at the end of LINE
	fish -c 'source $argv[1]; complete -C $argv[2]' "$COMPL/wsx.fish" "$1" | cut -f1
}

zsh_complete() { # LINE: the terminal after LINE and two Tabs in zsh
	zsh -f "$WSX_SRCDIR/tests/helpers/zsh-complete" "$COMPL" "$1" | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
}

@test "completion: bash offers files after --cacert, directories after --static, --slow's policies" {
	run bash_complete wsx connect --cacert certs/
	assert_success
	assert_output certs/ca.pem
	run bash_complete wsx serve --static some
	assert_output somedir
	run bash_complete wsx serve --slow ''
	assert_output "$(printf 'close\ndrop')"
	run bash_complete wsx bench --mode p
	assert_output push
}

@test "completion: bash offers endpoint-spec prefixes and unix: paths for relay" {
	run bash_complete wsx relay ws
	assert_success
	for p in ws:// wss:// ws+unix: ws-l: wss-l:; do
		assert_line "$p"
	done
	run bash_complete wsx relay ''
	for p in tcp: tcp-l: unix: unix-l: exec: sh: -; do
		assert_line -- "$p"
	done
	run bash_complete wsx relay unix:cer
	assert_output unix:certs
}

@test "completion: zsh loads _wsx under compinit without a word on stderr" {
	command -v zsh >/dev/null || skip "no zsh"
	run --separate-stderr zsh -fc "fpath=('$COMPL' \$fpath); autoload -U compinit
		compinit -u -D; print -r -- \$_comps[wsx] \$_comps[wsx-relay]
		autoload +X _wsx && print -r -- loaded"
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf '_wsx _wsx\nloaded')"
}

@test "completion: zsh's option specs are every option of every command" {
	command -v zsh >/dev/null || skip "no zsh"
	local c specs
	for c in $(commands); do
		specs=$(zsh -fc "autoload -U compinit; compinit -u -D; source '$COMPL/_wsx'
			_wsx_specs wsx $c" | grep -oE '^\*--[a-z0-9-]+' | cut -c2- | sort -u)
		assert_equal "$specs" "$(long_options "$c")"
	done
}

@test "completion: zsh completes commands, options, --slow's policies, files and relay prefixes" {
	command -v zsh >/dev/null || skip "no zsh"
	local c
	run zsh_complete 'wsx '
	for c in help $(commands); do
		assert_output --partial "$c"
	done
	run zsh_complete 'wsx connect --repl'
	assert_output --partial 'wsx connect --replay'
	run zsh_complete 'wsx serve --slow '
	assert_output --partial 'close  drop'
	run zsh_complete 'wsx connect --cacert certs/'
	assert_output --partial 'certs/ca.pem'
	run zsh_complete 'wsx relay tcp'
	assert_output --partial 'tcp:'
	assert_output --partial 'tcp-l:'
}

@test "completion: fish lists every option of every command" {
	command -v fish >/dev/null || skip "no fish"
	local c
	for c in $(commands); do
		run fish_complete "wsx $c --"
		assert_success
		assert_equal "$(sort -u <<<"$output")" "$(long_options "$c")"
	done
}

@test "completion: fish completes commands, --slow's policies, files, directories and relay prefixes" {
	command -v fish >/dev/null || skip "no fish"
	run fish_complete 'wsx '
	assert_equal "$(sort <<<"$output")" "$( (echo help; commands) | sort)"
	run fish_complete 'wsx serve --slow '
	assert_output "$(printf 'close\ndrop')"
	run fish_complete 'wsx connect --cacert certs/'
	assert_output certs/ca.pem
	run fish_complete 'wsx serve --static some'
	assert_output somedir/
	run fish_complete 'wsx relay unix:cer'
	assert_output unix:certs/
	run fish_complete 'wsx relay '
	for p in ws:// wss:// ws+unix: ws-l: wss-l: tcp: tcp-l: unix: unix-l: exec: sh: -; do
		assert_line -- "$p"
	done
}
