#!/bin/sh
# shellcheck disable=SC2317,SC2016,SC2119
# (functions run by trap and wait_for; wait_for's eval expands its
# argument when it runs; tap_start takes no arguments here)
# exporter_vm_test: `madvstat exporter` with the real parts, in a guest
# (POSIX sh: busybox). Debian's Prometheus server scrapes it every second
# and evaluates contrib/prometheus/madvstat.rules.yml while two
# madvfree-repro processes hold lazily freed memory in cgroups of their
# own (one arena, one of 2048-byte objects); PromQL queries through the
# server's HTTP API (promtool query instant) must return exactly what
# /proc/madvstat/processes and memory.stat say. node_exporter's textfile
# collector serves the --textfile output with the same values. Then the
# exporter is scraped while short-lived processes come and go, while the
# module is unloaded and loaded again, and fed a malformed request; every
# scrape is checked by promtool check metrics. SIGTERM: exit status 0.
#
# qemu/check runs it in its own guest: `make guest-prom` puts the
# dynamically linked programs (madvstat with libmicrohttpd, prometheus,
# promtool, prometheus-node-exporter, curl) and their libraries into
# build/guest/prom, added at the guest's /, this script and qemu/lib.sh at
# /root/prom. Not busybox's wget: a static glibc program resolving a name
# loads the NSS code of the shared glibc now in the guest, and crashes.
# shellcheck source=qemu/lib.sh
. /root/prom/lib.sh
set -u
tap_start

EXP=/usr/bin/madvstat
PORT=19478
PROM=127.0.0.1:9090
T=$(mktemp -d /tmp/exporter-vm.XXXXXX)
CG=/sys/fs/cgroup
PIDS=

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

for prog in "$EXP" prometheus promtool prometheus-node-exporter curl madvfree-repro; do
	if ! command -v "$prog" >/dev/null; then
		tap_bail "$prog is not in the guest (make guest-prom, qemu/check)"
		exit 1
	fi
done
if [ ! -r /proc/madvstat/processes ]; then
	tap_bail "madvstat.ko is not loaded"
	exit 1
fi
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

# scrape FILE: GET /metrics into FILE; status 0 on a 200. (Prometheus
# itself asks for OpenMetrics.)
scrape() { curl -sf -m 20 -o "$1" "http://127.0.0.1:$PORT/metrics"; }

# metric FILE SERIES: the value of SERIES (name and labels as printed) in a
# scrape; nothing if absent.
metric() { awk -v s="$2" '$1 == s { print $2; exit }' "$1"; }

# query EXPR: the value of PromQL EXPR at Prometheus now (one series);
# nothing if the result is empty.
query() {
	promtool query instant "http://$PROM" "$1" 2>/dev/null |
		sed -n 's/.* => \([^ ]*\) @\[.*/\1/p' | head -n 1
}

# wait_for SECS CMD...: run CMD every second until it succeeds or SECS pass.
wait_for() {
	_n=$1
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 1
	done
}

# module_step WHAT UP CMD...: run CMD (rmmod, insmod); then a scrape is
# 200 with madvstat_up UP and passes promtool, and Prometheus sees UP.
module_step() {
	_what=$1 _up=$2
	shift 2
	"$@"
	_rc=$?
	scrape "$T/step"
	tap_check "$_what: scrape 200 with madvstat_up $_up, promtool clean" \
		"$([ $_rc = 0 ] && [ "$(metric "$T/step" madvstat_up)" = "$_up" ] &&
			promtool check metrics <"$T/step" >/dev/null 2>&1; echo $?)" \
		"$1: $_rc" "$(head -n 20 "$T/step")"
	wait_for 10 eval '[ "$(query madvstat_up)" = "$_up" ]'
	tap_check "$_what: Prometheus sees madvstat_up $_up" $?
}

# table_sum CGROUP COLUMN: COLUMN (kB) of /proc/madvstat/processes summed
# over CGROUP's processes, in bytes.
table_sum() {
	awk -v cg="$1" -v col="$2" '
		/^#/ { next }
		$1 == "Pid" { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["Cgroup"] == cg { s += $c[col] }
		END { printf "%.0f\n", s * 1024 }' /proc/madvstat/processes
}

# table_stable: the table's rows of the two workload cgroups did not change
# over a second (the workloads are holding).
table_stable() {
	grep ' /vmtest-' /proc/madvstat/processes >"$T/rows1"
	sleep 1
	grep ' /vmtest-' /proc/madvstat/processes >"$T/rows2"
	[ -s "$T/rows1" ] && cmp -s "$T/rows1" "$T/rows2" &&
		[ "$(wc -l <"$T/rows2")" = 2 ] &&
		[ "$(table_sum /vmtest-arena LazyFree)" != 0 ] &&
		[ "$(table_sum /vmtest-objects LazyFree)" != 0 ]
}

# ---- the workloads ------------------------------------------------------------
# Each joins its cgroup before it allocates, frees 64 MiB with MADV_FREE,
# writes a quarter again and holds (sampling its own entry each second).
for w in arena objects; do
	mkdir -p "$CG/vmtest-$w"
	sh -c "echo \$\$ >$CG/vmtest-$w/cgroup.procs &&
		exec madvfree-repro --size 64M --layout $w --reuse 25 --hold 1800 --quiet" &
	PIDS="$PIDS $!"
	eval "PID_$w=$!"
done
wait_for 120 table_stable
tap_check "two madvfree-repro workloads hold lazily freed memory in /vmtest-arena and /vmtest-objects" $? \
	"$(cat /proc/madvstat/processes)"

# ---- the exporter, and Prometheus scraping it ---------------------------------
"$EXP" exporter --listen "127.0.0.1:$PORT" --top 3 2>"$T/exporter.log" &
EXP_PID=$!
PIDS="$PIDS $EXP_PID"
wait_for 60 scrape "$T/m1"
tap_check "the exporter serves /metrics" $? "$(cat "$T/exporter.log")"
out=$(promtool check metrics <"$T/m1" 2>&1)
tap_check "promtool check metrics accepts the scrape" $? "$out"

mkdir -p "$T/prom"
cat >"$T/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - /root/prom/madvstat.rules.yml
scrape_configs:
  - job_name: madvstat
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
	--web.listen-address="$PROM" >"$T/prom/log" 2>&1 &
PIDS="$PIDS $!"
prom_up() { [ "$(query 'up{job="madvstat"}')" = 1 ] && [ "$(query madvstat_up)" = 1 ]; }
wait_for 180 prom_up
tap_check "Prometheus $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }') scrapes it: up 1, madvstat_up 1" $? \
	"$(tail -n 20 "$T/prom/log")"

# compare WHAT EXPECTED EXPR: EXPR at Prometheus equals EXPECTED, allowing
# the server 5 seconds to take a newer scrape.
compare() {
	_what=$1 _want=$2 _expr=$3
	wait_for 5 eval '[ "$(query "$_expr")" = "$_want" ]'
	tap_check "$_what: Prometheus $(query "$_expr"), the module $_want" $? "query: $_expr"
}

table_stable
for w in arena objects; do
	compare "/vmtest-$w lazily freed" "$(table_sum "/vmtest-$w" LazyFree)" \
		"madvstat_cgroup_lazyfree_bytes{cgroup=\"/vmtest-$w\"}"
	compare "/vmtest-$w written again" "$(table_sum "/vmtest-$w" LazyFreeDirty)" \
		"madvstat_cgroup_lazyfree_dirty_bytes{cgroup=\"/vmtest-$w\"}"
	compare "/vmtest-$w pglazyfree" \
		"$(awk '$1 == "pglazyfree" { printf "%.0f\n", $2 * 4096 }' "$CG/vmtest-$w/memory.stat")" \
		"madvstat_cgroup_pglazyfree_bytes_total{cgroup=\"/vmtest-$w\"}"
done
# The top process: the one holding the most, as /proc/madvstat/<pid> says.
top=$(awk '/^#/ || $1 == "Pid" { next } { print $4, $1 }' /proc/madvstat/processes |
	sort -n -r | head -n 1 | cut -d' ' -f2)
want=$(awk '$1 == "LazyFree:" { printf "%.0f\n", $2 * 1024; exit }' "/proc/madvstat/$top")
compare "top process $top lazily freed" "$want" \
	"madvstat_process_lazyfree_bytes{pid=\"$top\"}"
# The recording rule of madvstat.rules.yml, evaluated by the server: equal
# to memory.current minus LazyFree of the scrape it was evaluated on. The
# cgroup's memory.current moves (kernel memory charged to it) and a rule
# evaluation and the newest scrape are up to a second apart, so the
# equality, one PromQL expression, is asked until it holds (20 s).
sel='{cgroup="/vmtest-arena"}'
rule_holds() {
	[ -n "$(query "cgroup:madvstat_effective_memory_bytes$sel == on (instance, job, cgroup)
		(madvstat_cgroup_memory_current_bytes$sel - madvstat_cgroup_lazyfree_bytes$sel)")" ]
}
wait_for 20 rule_holds
tap_check "recording rule: /vmtest-arena effective memory $(query "cgroup:madvstat_effective_memory_bytes$sel") = memory.current - lazily freed $(table_sum /vmtest-arena LazyFree)" $? \
	"rule: $(query "cgroup:madvstat_effective_memory_bytes$sel")" \
	"memory.current: $(query "madvstat_cgroup_memory_current_bytes$sel")"

# ---- textfile mode, read by node_exporter --------------------------------------
mkdir -p "$T/tf"
"$EXP" exporter --textfile "$T/tf" --once 2>"$T/tf.log"
tap_check "--textfile --once: exit 0" $? "$(cat "$T/tf.log")"
prometheus-node-exporter --web.listen-address=127.0.0.1:9100 --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$T/tf" >"$T/ne.log" 2>&1 &
PIDS="$PIDS $!"
ne_scrape() { curl -sf -m 20 -o "$T/ne" http://127.0.0.1:9100/metrics; }
wait_for 60 ne_scrape
series="madvstat_cgroup_lazyfree_bytes{cgroup=\"/vmtest-arena\"}"
want=$(metric "$T/tf/madvstat.prom" "$series")
# node_exporter prints values as Go's %g does (5.0331648e+07): compared
# as numbers.
got=$(metric "$T/ne" "$series")
tap_check "node_exporter serves the textfile: $series $got, the file $want, the module $(table_sum /vmtest-arena LazyFree); no textfile error" \
	"$([ -n "$want" ] && awk -v a="$got" -v b="$want" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }' &&
		[ "$want" = "$(table_sum /vmtest-arena LazyFree)" ] &&
		grep -q '^node_textfile_scrape_error 0' "$T/ne"; echo $?)" \
	"$(grep -E 'madvstat_cgroup_lazyfree|textfile' "$T/ne")" "$(cat "$T/ne.log")"

# ---- processes exiting during scrapes -------------------------------------------
mkdir -p "$CG/vmtest-churn"
sh -c "echo \$\$ >$CG/vmtest-churn/cgroup.procs
	while :; do madvfree-repro --size 4M --quiet >/dev/null || exit 1; done" &
CHURN=$!
PIDS="$PIDS $CHURN"
bad=0 n=0
while [ $n -lt 30 ]; do
	n=$((n + 1))
	if ! scrape "$T/churn" || ! promtool check metrics <"$T/churn" >/dev/null 2>&1 ||
		[ "$(metric "$T/churn" madvstat_up)" != 1 ]; then
		bad=$((bad + 1))
		cp "$T/churn" "$T/churn.bad"
	fi
done
kill -0 $CHURN 2>/dev/null
alive=$?
kill $CHURN 2>/dev/null
tap_check "30 scrapes while processes start and exit: every one 200, madvstat_up 1, promtool clean ($bad bad)" \
	"$([ $bad = 0 ] && [ $alive = 0 ]; echo $?)" "$(head -n 20 "$T/churn.bad" 2>/dev/null)"

# ---- the module unloaded and loaded again ----------------------------------------
for w in arena objects; do eval "kill \$PID_$w"; done
wait_for 30 eval '! grep -q " /vmtest-" /proc/madvstat/processes'
module_step "module unloaded" 0 rmmod madvstat
module_step "module loaded again" 1 insmod /lib/madvstat/madvstat.ko

# ---- bad input, then the end ------------------------------------------------------
reply=$(printf 'NOT A REQUEST\r\n\r\n' | nc -w 5 127.0.0.1 $PORT | head -n 1)
scrape "$T/after"
tap_check "a malformed request gets '$reply', the next scrape 200" \
	"$(case $reply in "HTTP/1."[01]" 4"*) scrape "$T/after"; echo $? ;; *) echo 1 ;; esac)" \
	"$(cat "$T/exporter.log")"
kill -TERM $EXP_PID
wait $EXP_PID
rc=$?
tap_check "SIGTERM: the exporter exits 0" $rc "$(tail -n 20 "$T/exporter.log")"
tap_finish
exit $?
