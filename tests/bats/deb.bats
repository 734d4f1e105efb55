#!/usr/bin/env bats
# The Debian package (debian/, scripts/deb): unpacked into a temporary root,
# its wsx runs and answers an echo server, its wsx-COMMAND links, man pages
# and completions are where Debian's packages put them; it has no maintainer
# scripts and no conffiles, and dpkg removes every file of it; lintian finds
# no error. The package is $WSX_DEB when that file exists (CI builds it
# once), else scripts/deb builds one for this file (slow: a whole build).

load helpers

# (bats 1.8 cannot skip from setup_file: it tells setup through NO_DEB)
setup_file() {
	local t
	for t in dpkg-deb dpkg-buildpackage dh; do
		if ! command -v "$t" >/dev/null; then
			export NO_DEB="no $t: the packaging tools (dpkg-dev, debhelper) are not installed"
			return 0
		fi
	done
	if [ -n "${WSX_DEB:-}" ] && [ -f "$WSX_DEB" ]; then
		DEB=$WSX_DEB
	else
		# one job: the other suites run beside this one
		DEB=$(DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=1" \
			"$WSX_SRCDIR/scripts/deb" "$BATS_FILE_TMPDIR/deb" 2>"$BATS_FILE_TMPDIR/deb.log") || {
			cat "$BATS_FILE_TMPDIR/deb.log" >&2
			return 1
		}
	fi
	ROOT=$BATS_FILE_TMPDIR/root
	dpkg-deb -x "$DEB" "$ROOT"
	export DEB ROOT
}

setup() {
	[ -z "${NO_DEB:-}" ] || skip "$NO_DEB"
	VERSION=$(sed -n 's/^AC_INIT(\[wsx\], *\[\([^]]*\)\].*/\1/p' "$WSX_SRCDIR/configure.ac")
	[ -n "$VERSION" ] || fail "no version in configure.ac's AC_INIT"
	PKG_WSX=$ROOT/usr/bin/wsx
}

teardown() {
	stop_servers
}

@test "deb: the packaged wsx runs; its links, man pages, completions and docs are in Debian's places" {
	local c f m
	run --separate-stderr "$PKG_WSX" --version
	assert_success
	assert_line --index 0 "wsx $VERSION"
	for c in $("$PKG_WSX" --list-commands); do
		[ -L "$ROOT/usr/bin/wsx-$c" ] || fail "/usr/bin/wsx-$c is not a symlink"
		assert_equal "$(readlink "$ROOT/usr/bin/wsx-$c")" wsx
	done
	run "$ROOT/usr/bin/wsx-serve" --help
	assert_success
	assert_output --partial "wsx serve"

	# every man page of man/, compressed, and man renders it
	for m in "$WSX_SRCDIR"/man/*.1; do
		f=usr/share/man/man1/${m##*/}.gz
		[ -f "$ROOT/$f" ] || fail "the package has no /$f"
	done
	run env MANPAGER=cat MANWIDTH=80 man -P cat -l "$ROOT/usr/share/man/man1/wsx-serve.1.gz"
	assert_success
	assert_output --partial "wsx-serve"

	# completions: one per command name where the shell looks them up by it
	for f in usr/share/bash-completion/completions/wsx \
		usr/share/zsh/vendor-completions/_wsx \
		usr/share/fish/vendor_completions.d/wsx.fish; do
		[ -f "$ROOT/$f" ] || fail "the package has no /$f"
	done
	for c in $("$PKG_WSX" --list-commands); do
		assert_equal "$(readlink "$ROOT/usr/share/bash-completion/completions/wsx-$c")" wsx
		assert_equal "$(readlink "$ROOT/usr/share/fish/vendor_completions.d/wsx-$c.fish")" wsx.fish
	done
	# not in site-functions, which Debian's zsh does not search
	[ ! -e "$ROOT/usr/share/zsh/site-functions" ] || fail "/usr/share/zsh/site-functions is in the package"

	for f in copyright changelog.gz; do
		[ -f "$ROOT/usr/share/doc/wsx/$f" ] || fail "the package has no /usr/share/doc/wsx/$f"
	done
	compgen -G "$ROOT/usr/share/doc/wsx/README.md*" >/dev/null ||
		fail "the package has no /usr/share/doc/wsx/README.md"
}

@test "deb: the packaged wsx pipes one message through the packaged wsx serve --echo" {
	start_server deb-echo "$PKG_WSX" serve --echo -p 0
	run --separate-stderr bash -c 'echo hello | "$1" pipe "$2"' _ "$PKG_WSX" "$URL"
	assert_success
	assert_output hello
}

@test "deb: no maintainer scripts, no conffiles, Depends from shlibs; dpkg -P leaves no file behind" {
	local f
	run bash -c 'dpkg-deb --ctrl-tarfile "$1" | tar -tf - | sed "s|^\./||" | grep .' _ "$DEB"
	assert_success
	assert_line control
	for f in preinst postinst prerm postrm config conffiles triggers; do
		refute_line "$f"
	done
	run dpkg-deb -f "$DEB" Depends
	assert_success
	assert_output --regexp '(^|, )libwebsockets[0-9]+ '
	assert_output --regexp '(^|, )libhiredis[0-9.]+ '

	# install into a private dpkg database and root, then purge: only dpkg's
	# own bookkeeping stays
	local dir=$BATS_TEST_TMPDIR/dpkgroot
	mkdir -p "$dir/var/lib/dpkg/info" "$dir/var/lib/dpkg/updates" "$dir/var/lib/dpkg/triggers"
	: >"$dir/var/lib/dpkg/status"
	: >"$dir/var/lib/dpkg/available"
	dpkg_root() {
		dpkg --root="$dir" --force-not-root --force-depends --force-script-chrootless \
			--log=/dev/null "$@"
	}
	run dpkg_root -i "$DEB"
	assert_success
	[ -x "$dir/usr/bin/wsx" ] || fail "dpkg -i did not install /usr/bin/wsx"
	run dpkg_root -P wsx
	assert_success
	# dpkg's database and the directories above it, nothing else
	run bash -c 'find "$1" -mindepth 1 -printf "%P\n" |
		grep -vE "^var(/lib(/dpkg(/.*)?)?)?\$"' _ "$dir"
	assert_failure 1
	assert_output ""
	run dpkg_root -s wsx
	assert_failure
}

@test "deb: lintian reports no error" {
	command -v lintian >/dev/null || skip "no lintian"
	local errors
	run --separate-stderr lintian "$DEB"
	# 1 is lintian's status for errors; more is lintian failing
	[ "$status" -le 1 ] || fail "lintian failed: $stderr"
	errors=$(grep '^E: ' <<<"$output") || true
	[ -z "$errors" ] || fail "lintian reports errors:"$'\n'"$errors"
}
