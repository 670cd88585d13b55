#!/bin/sh
# cppcheck over the user-space C (userspace/, bench/, selftests/lib/), as
# one TAP test of `make user-test`; run from the top of the tree. Any
# warning, performance or portability finding fails it. (The selftests
# themselves are left out: cppcheck cannot follow kselftest_harness.h's
# macros.)
echo "TAP version 13"
echo "1..1"
if ! command -v cppcheck >/dev/null; then
	echo "not ok 1 - cppcheck: not installed (apt-get install cppcheck)"
	echo "# Totals: pass:0 fail:1 skip:0"
	exit 1
fi
if out=$(cppcheck --quiet --enable=warning,performance,portability \
	--std=c11 --error-exitcode=1 --inline-suppr \
	-I userspace/lib -I selftests/lib -I bench \
	userspace bench selftests/lib 2>&1); then
	echo "ok 1 - cppcheck: userspace/ bench/ selftests/lib/ clean ($(cppcheck --version))"
	echo "# Totals: pass:1 fail:0 skip:0"
	exit 0
fi
printf '%s\n' "$out" | sed 's/^/# /'
echo "not ok 1 - cppcheck found problems"
echo "# Totals: pass:0 fail:1 skip:0"
exit 1
