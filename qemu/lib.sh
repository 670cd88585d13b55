# shellcheck shell=sh
# qemu/lib.sh: shell functions the test scripts share. Source it, do not run
# it:  . "$ROOT/qemu/lib.sh"   (POSIX sh: bash, dash and busybox sh alike).
# Every function takes what it uses as arguments; the TAP functions keep
# their counts in the TAP_* variables below, which only they write.
#
# TAP output (TAP version 13, what qemu/guest-run-selftests and qemu/check
# read):
#   tap_start [PLAN]          print "TAP version 13" and, given PLAN, the
#                             plan "1..PLAN"; zero the counts.
#   tap_ok DESC               print "ok N - DESC"; one more pass.
#   tap_not_ok DESC [DIAG...] print "not ok N - DESC", then every line of
#                             each DIAG as "#   LINE"; one more failure.
#   tap_check DESC STATUS [DIAG...]
#                             tap_ok DESC if STATUS is 0, else
#                             tap_not_ok DESC DIAG...
#   tap_skip DESC REASON      print "ok N - DESC # SKIP REASON"; one more
#                             skip (a skip never counts as a pass).
#   tap_diag LINE...          print each line of each LINE as "# LINE".
#   tap_bail REASON           print "Bail out! REASON" and the totals line
#                             with one more failure; the caller then exits
#                             non-zero.
#   tap_finish                close the output: without a PLAN, print the
#                             plan "1..N" now; with one that N does not
#                             match, first one more failure "plan: ran N
#                             tests, planned PLAN". Then print
#                               # Totals: pass:P fail:F skip:S
#                             Returns 0 if nothing failed, else 1.
#   tap_read_totals FILE      print "P F S" from FILE's last "# Totals:"
#                             line (carriage returns ignored; the
#                             kselftest_harness form with "xfail:... error:"
#                             between the counts is read too); returns 1 and
#                             prints nothing if there is none.
#   TAP_N TAP_PASS TAP_FAIL TAP_SKIP   tests so far, passed, failed, skipped
#   TAP_PLAN                           the PLAN given to tap_start, or empty
#   tap_need HINT TOOL...     unless every TOOL is installed, tap_bail
#                             "TOOL is not installed (HINT)" and exit 1.
#
# Host tests of sanitized programs:
#   test_tmpdir NAME          make T=/tmp/madvstat-NAME.XXXXXX, removed at
#                             exit after the processes of test_track are
#                             killed; export ASAN_OPTIONS and UBSAN_OPTIONS
#                             so that reports go to $T/asan.*.
#   test_track PID...         kill each PID at exit (see test_tmpdir).
#
# Test kernels (from `ROOT/qemu/kernels list`, whose lines are
# "ALIAS RELEASE VMLINUZ KDIR"; the listing honours $MADVSTAT_CACHE):
#   kernel_aliases ROOT       print the fetched aliases, one a line, in the
#                             listing's order; returns 1 if the listing
#                             fails.
#   kernel_release ROOT ALIAS [ARCH]
#                             print ALIAS's RELEASE (e.g. 6.12.117+deb12-amd64)
#   kernel_vmlinuz ROOT ALIAS [ARCH]
#                             print ALIAS's VMLINUZ (the image's path)
#   kernel_kdir ROOT ALIAS [ARCH]
#                             print ALIAS's KDIR (its headers tree)
#                             ARCH: x86_64 (the default) or arm64, the
#                             listing of `qemu/kernels --arch ARCH list`.
#                             These three print nothing and return 1 when
#                             ALIAS is not listed (not fetched) or the listing
#                             fails; with `set -e`, write
#                             rel=$(kernel_release "$ROOT" 6.1) || ...
#
# Kernel headers:
#   kdir_release KDIR         print the UTS_RELEASE of the headers tree KDIR
#                             (from KDIR/include/generated/utsrelease.h);
#                             prints nothing and returns 1 if KDIR has none.

TAP_N=0 TAP_PASS=0 TAP_FAIL=0 TAP_SKIP=0 TAP_PLAN=

# _tap_lines PREFIX TEXT...: every line of every TEXT, after PREFIX.
_tap_lines() {
	_tap_prefix=$1
	shift
	for _tap_text in "$@"; do
		printf '%s\n' "$_tap_text" | sed "s/^/$_tap_prefix/"
	done
}

tap_start() {
	TAP_N=0 TAP_PASS=0 TAP_FAIL=0 TAP_SKIP=0 TAP_PLAN=${1:-}
	echo "TAP version 13"
	if [ -n "$TAP_PLAN" ]; then echo "1..$TAP_PLAN"; fi
}

tap_ok() {
	TAP_N=$((TAP_N + 1)) TAP_PASS=$((TAP_PASS + 1))
	echo "ok $TAP_N - $1"
}

tap_not_ok() {
	TAP_N=$((TAP_N + 1)) TAP_FAIL=$((TAP_FAIL + 1))
	echo "not ok $TAP_N - $1"
	shift
	_tap_lines '#   ' "$@"
}

tap_check() {
	_tap_desc=$1 _tap_status=$2
	shift 2
	if [ "$_tap_status" = 0 ]; then
		tap_ok "$_tap_desc"
	else
		tap_not_ok "$_tap_desc" "$@"
	fi
}

tap_skip() {
	TAP_N=$((TAP_N + 1)) TAP_SKIP=$((TAP_SKIP + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

tap_diag() {
	_tap_lines '# ' "$@"
}

tap_bail() {
	echo "Bail out! $1"
	echo "# Totals: pass:$TAP_PASS fail:$((TAP_FAIL + 1)) skip:$TAP_SKIP"
}

tap_finish() {
	if [ -z "$TAP_PLAN" ]; then
		echo "1..$TAP_N"
	elif [ "$TAP_N" != "$TAP_PLAN" ]; then
		tap_not_ok "plan: ran $TAP_N tests, planned $TAP_PLAN"
	fi
	echo "# Totals: pass:$TAP_PASS fail:$TAP_FAIL skip:$TAP_SKIP"
	[ "$TAP_FAIL" = 0 ]
}

tap_need() {
	_tap_hint=$1
	shift
	for _tap_tool in "$@"; do
		command -v "$_tap_tool" >/dev/null && continue
		tap_bail "$_tap_tool is not installed ($_tap_hint)"
		exit 1
	done
}

test_tmpdir() {
	T=$(mktemp -d "/tmp/madvstat-$1.XXXXXX") || exit 1
	_test_pids=
	trap _test_cleanup EXIT
	ASAN_OPTIONS="log_path=$T/asan:detect_leaks=1"
	UBSAN_OPTIONS="log_path=$T/asan:print_stacktrace=1"
	export ASAN_OPTIONS UBSAN_OPTIONS
}

test_track() {
	_test_pids="$_test_pids $*"
}

_test_cleanup() {
	for _test_pid in $_test_pids; do
		kill "$_test_pid" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$T"
}

tap_read_totals() {
	[ -r "$1" ] || return 1
	_tap_totals=$(tr -d '\r' <"$1" |
		sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\).* skip:\([0-9]*\).*/\1 \2 \3/p' |
		tail -n 1)
	[ -n "$_tap_totals" ] || return 1
	echo "$_tap_totals"
}

# _kernel_field ROOT ALIAS COLUMN: one column of ALIAS's line in the listing.
_kernel_field() {
	_kernel_list=$("$1/qemu/kernels" --arch "${4:-x86_64}" list) || return 1
	printf '%s\n' "$_kernel_list" | awk -v a="$2" -v c="$3" '
		$1 == a && !found { print $c; found = 1 }
		END { exit !found }'
}

kernel_aliases() {
	_kernel_list=$("$1/qemu/kernels" list) || return 1
	printf '%s\n' "$_kernel_list" | awk 'NF { print $1 }'
}

kernel_release() { _kernel_field "$1" "$2" 2 "${3:-}"; }
kernel_vmlinuz() { _kernel_field "$1" "$2" 3 "${3:-}"; }
kernel_kdir() { _kernel_field "$1" "$2" 4 "${3:-}"; }

kdir_release() {
	[ -r "$1/include/generated/utsrelease.h" ] || return 1
	_kdir_rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$1/include/generated/utsrelease.h")
	[ -n "$_kdir_rel" ] || return 1
	echo "$_kdir_rel"
}
