#!/usr/bin/env bats
# make install and make uninstall with DESTDIR: the binary, its wsx-SUBCMD
# links, the man pages and the bash, zsh and fish completions (one per link
# where the shell loads them by command name) appear where they belong, work
# from there, and are all gone after uninstall.

load helpers

setup() {
	BUILDDIR=${WSX_REAL:-$WSX}
	BUILDDIR=${BUILDDIR%/*}
	[ -f "$BUILDDIR/Makefile" ] || skip "no Makefile next to $WSX"
	DEST="$BATS_TEST_TMPDIR/dest"
}

mk() { # TARGET...: make in the build directory, not in the caller's jobs
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s -C "$BUILDDIR" "$@" DESTDIR="$DEST" prefix=/usr
}

@test "install: make install DESTDIR= puts everything in place, make uninstall removes it all" {
	local c f
	run mk install
	assert_success
	for f in usr/bin/wsx usr/share/man/man1/wsx.1 \
		usr/share/bash-completion/completions/wsx \
		usr/share/zsh/site-functions/_wsx \
		usr/share/fish/vendor_completions.d/wsx.fish; do
		[ -f "$DEST/$f" ] || fail "make install did not install /$f"
	done
	for c in $("$WSX" --list-commands); do
		for f in usr/bin/wsx-$c usr/share/man/man1/wsx-$c.1 \
			usr/share/bash-completion/completions/wsx-$c \
			usr/share/fish/vendor_completions.d/wsx-$c.fish; do
			[ -e "$DEST/$f" ] || fail "make install did not install /$f"
		done
	done
	# the installed link runs its command, and its bash completion works
	run "$DEST/usr/bin/wsx-relay" --help
	assert_success
	assert_output --partial "wsx relay"
	run bash -c 'PATH=$1:$PATH; source "$2/wsx-relay"
		COMP_WORDS=(wsx-relay --connect-f); COMP_CWORD=1; _wsx; echo "${COMPREPLY[*]}"' \
		_ "$DEST/usr/bin" "$DEST/usr/share/bash-completion/completions"
	assert_equal "$output" --connect-first

	run mk uninstall
	assert_success
	run find "$DEST" ! -type d
	assert_success
	assert_output ""
}
