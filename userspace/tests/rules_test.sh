#!/bin/sh
# The Prometheus rules of contrib/prometheus, as TAP tests of `make
# user-test`; run from the top of the tree: `promtool check rules` on the
# rules and `promtool test rules` on their unit tests
# (madvstat.rules.test.yml: recording rules' values, and which alerts fire
# and which do not).
# shellcheck source=qemu/lib.sh
. ./qemu/lib.sh
tap_start 2
D=contrib/prometheus
if ! command -v promtool >/dev/null; then
	tap_not_ok "promtool check rules" "promtool is not installed (qemu/deps installs prometheus)"
	tap_not_ok "promtool test rules" "promtool is not installed"
	tap_finish
	exit 1
fi
out=$(promtool check rules "$D/madvstat.rules.yml" 2>&1)
tap_check "promtool check rules $D/madvstat.rules.yml: $(printf '%s' "$out" | sed -n 's/^ *SUCCESS: //p')" $? "$out"
out=$(cd "$D" && promtool test rules madvstat.rules.test.yml 2>&1)
tap_check "promtool test rules $D/madvstat.rules.test.yml" $? "$out"
tap_finish
