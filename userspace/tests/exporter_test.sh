#!/usr/bin/env bash
# `madvstat exporter` end to end, as TAP tests of `make user-test`; run
# from the top of the tree. The exporter is build/user-test/madvstat (ASan
# and UBSan), pointed by MADVSTAT_TEST_ROOT at a fixture tree standing in
# for /proc/madvstat and /sys/fs/cgroup, and listens on 127.0.0.1 on a port
# the kernel picks. It is scraped with curl (both formats, checked by
# promtool and by a real Prometheus server), fed bad requests (a malformed
# request line, a 64 KiB header, a slow client, idle connections, 50
# scrapes at once) and a module that vanishes and comes back, then
# stopped with SIGTERM and SIGINT: exit 0, no ASan report (leaks
# included). Then the textfile mode, read by node_exporter's textfile
# collector. Every server it starts listens on 127.0.0.1 only and is
# stopped by its PID.
# shellcheck source=qemu/lib.sh
. ./qemu/lib.sh
set -u
tap_start

EXP=build/user-test/madvstat
test_tmpdir exporter-test
tap_need "qemu/deps installs it" curl promtool python3
if [ ! -x "$EXP" ]; then
	tap_bail "no $EXP (make user-test builds it)"
	exit 1
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- the fixture ------------------------------------------------------------
R=$T/root
HEADER="Pid Rss RssAnon LazyFree LazyFreeDirty Droppable Marked Reclaimed Rescued RescuedPinned Dropped ReclaimFreed Name Cgroup"
# A pod's container (the kubelet's systemd driver, containerd), named by
# the kubelet's log directories under $R/var/log.
CID=9a3e0c1d2b4f5a6978877665544332211001a2b3c4d5e6f708192a3b4c5d6e7f
PUID=1f0c8a2e-3b4d-4c5e-9f6a-7b8c9d0e1f2a
POD_CG=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${PUID//-/_}.slice/cri-containerd-$CID.scope
mkdir -p "$R/var/log/pods/shop_web-5d8f_$PUID/nginx" "$R/var/log/containers"
: >"$R/var/log/pods/shop_web-5d8f_$PUID/nginx/0.log"
ln -s "/var/log/pods/shop_web-5d8f_$PUID/nginx/0.log" "$R/var/log/containers/web-5d8f_shop_nginx-$CID.log"
make_module() {
	mkdir -p "$R/proc/madvstat"
	printf '# unreadable 4\n%s\n%s\n' "$HEADER" \
		"1 10240 2048 0 0 0 0 0 0 0 0 0 systemd /init.scope
4242 265588 262704 196608 65536 0 262144 1024 0 0 0 512 madvfree-repro /app.slice/repro.service
4243 20480 20000 10240 0 0 10240 0 0 0 0 0 go\\040worker /app.slice/repro.service
4300 8192 4096 4096 0 0 - - - - - - other /other.slice/x.service
4400 16384 16384 8192 0 0 8192 0 0 0 0 0 nginx $POD_CG" \
		>"$R/proc/madvstat/processes.new"
	mv "$R/proc/madvstat/processes.new" "$R/proc/madvstat/processes"
	cat >"$R/proc/madvstat/summary" <<'EOF'
Processes:            4
Rss:             304400 kB
Tracking:      live, since module load at 4 s after boot
AllMarked:       272384 kB
AllReclaimed:      1024 kB
AllRescued:           0 kB
AllRescuedPinned:     0 kB
AllReclaimFreed:    512 kB
AllUnattributed:      0 kB
AllFreedUnowned:      0 kB
KernelLazyFree:  272384 kB
KernelLazyFreed:    512 kB
TrackedMms:          12
MissedEvents:         0
Walks:               31
WalksSkipped:      2204
CleanConfirmed:      27
EOF
}
make_cgroups() {
	local cg=$R/sys/fs/cgroup
	mkdir -p "$cg/app.slice/repro.service" "$cg/init.scope" "$cg/other.slice/x.service"
	echo 300000000 >"$cg/app.slice/repro.service/memory.current"
	echo 536870912 >"$cg/app.slice/repro.service/memory.max"
	printf 'anon 1\npglazyfree 68096\npglazyfreed 128\n' >"$cg/app.slice/repro.service/memory.stat"
	echo 11000000 >"$cg/init.scope/memory.current"
	echo max >"$cg/init.scope/memory.max"
}
make_module
make_cgroups

# start_exporter LOG ARGS...: start it in the background; EXP_PID, PORT.
start_exporter() {
	local log=$1 i
	shift
	MADVSTAT_TEST_ROOT=$R "$EXP" exporter "$@" 2>"$log" &
	EXP_PID=$!
	test_track "$EXP_PID"
	PORT=
	# Up to 30 s: an ASan build on 2 loaded cores took more than 5 once.
	for i in $(seq 600); do
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
		[ -n "$PORT" ] && return 0
		kill -0 "$EXP_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# stop_exporter SIGNAL: stop it, wait; STOP_RC its exit status.
stop_exporter() {
	local i
	kill -"$1" "$EXP_PID"
	for i in $(seq 600); do
		kill -0 "$EXP_PID" 2>/dev/null || break
		sleep 0.05
	done
	STOP_RC=0
	wait "$EXP_PID" || STOP_RC=$?
}

URL=
get() { curl -s --max-time 10 "$@"; }

# ---- serving ----------------------------------------------------------------
if ! start_exporter "$T/log" --listen 127.0.0.1:0 --top 2; then
	tap_bail "the exporter did not start: $(cat "$T/log")"
	exit 1
fi
URL=http://127.0.0.1:$PORT
tap_ok "listens on 127.0.0.1, port $PORT picked by the kernel"

out=$(get -i "$URL/")
tap_check "/: 200, an HTML page linking to /metrics" \
	"$(printf '%s' "$out" | grep -q '^HTTP/1.1 200' &&
	printf '%s' "$out" | grep -qi '^Content-Type: text/html' &&
	printf '%s' "$out" | grep -q 'href="/metrics"'; echo $?)" "$out"

get -D "$T/h1" "$URL/metrics" >"$T/m1"
tap_check "/metrics: 200, text format 0.0.4" \
	"$(grep -q '^HTTP/1.1 200' "$T/h1" &&
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/h1"; echo $?)" "$(cat "$T/h1")"
out=$(promtool check metrics <"$T/m1" 2>&1)
tap_check "promtool check metrics accepts the text format" $? "$out"

# want FILE LINE...: every LINE is a line of FILE.
want() {
	local f=$1 l miss=
	shift
	for l in "$@"; do
		grep -qxF -- "$l" "$f" || miss="$miss
missing: $l"
	done
	[ -z "$miss" ] || { printf '%s\n' "$miss"; return 1; }
}
out=$(want "$T/m1" \
	'madvstat_up 1' \
	'madvstat_cgroup_lazyfree_bytes{cgroup="/app.slice/repro.service",namespace="",pod="",container=""} 211812352' \
	'madvstat_cgroup_lazyfree_dirty_bytes{cgroup="/app.slice/repro.service",namespace="",pod="",container=""} 67108864' \
	'madvstat_cgroup_rss_bytes{cgroup="/app.slice/repro.service",namespace="",pod="",container=""} 292933632' \
	'madvstat_cgroup_processes{cgroup="/app.slice/repro.service",namespace="",pod="",container=""} 2' \
	'madvstat_cgroup_memory_current_bytes{cgroup="/app.slice/repro.service",namespace="",pod="",container=""} 300000000' \
	'madvstat_cgroup_memory_max_bytes{cgroup="/app.slice/repro.service",namespace="",pod="",container=""} 536870912' \
	'madvstat_cgroup_pglazyfree_bytes_total{cgroup="/app.slice/repro.service",namespace="",pod="",container=""} 278921216' \
	'madvstat_cgroup_pglazyfreed_bytes_total{cgroup="/app.slice/repro.service",namespace="",pod="",container=""} 524288' \
	'madvstat_cgroup_memory_current_bytes{cgroup="/init.scope",namespace="",pod="",container=""} 11000000' \
	'madvstat_all_marked_bytes_total 278921216' \
	'madvstat_kernel_lazyfreed_bytes_total 524288' \
	'madvstat_tracking{state="live"} 1' \
	'madvstat_exporter_processes_unreadable 4' \
	'madvstat_exporter_scrape_errors_total 0' \
	'madvstat_process_lazyfree_bytes{pid="4242",comm="madvfree-repro",cgroup="/app.slice/repro.service",runtime="unknown",namespace="",pod="",container=""} 201326592' \
	'madvstat_process_lazyfree_bytes{pid="4243",comm="go worker",cgroup="/app.slice/repro.service",runtime="unknown",namespace="",pod="",container=""} 10485760')
tap_check "the values of the fixture: per cgroup, host, top processes, self" $? "$out"
n=$(grep -c '^madvstat_process_lazyfree_bytes{' "$T/m1")
out=$(want "$T/m1" \
	"madvstat_cgroup_lazyfree_bytes{cgroup=\"$POD_CG\",namespace=\"shop\",pod=\"web-5d8f\",container=\"nginx\"} 8388608" \
	"madvstat_cgroup_processes{cgroup=\"$POD_CG\",namespace=\"shop\",pod=\"web-5d8f\",container=\"nginx\"} 1")
tap_check "a pod's container: namespace, pod and container labels from /var/log/pods" $? "$out"
tap_check "the same label names on every series of a family, empty outside pods" \
	"$(! grep '^madvstat_\(cgroup\|process\)_[a-z_]*{' "$T/m1" | grep -qv ',namespace="[a-z0-9-]*",pod="[a-z0-9.-]*",container="[a-z0-9-]*"}'; echo $?)"
tap_check "--top 2: two processes, not the third holding lazily freed memory" \
	"$([ "$n" = 2 ]; echo $?)" "got $n"
tap_check "no memory.max series for a cgroup without a limit" \
	"$(grep -q 'memory_max_bytes{cgroup="/init.scope"[,}]' "$T/m1"; [ $? = 1 ]; echo $?)"

ACCEPT_PROM='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
get -D "$T/h2" -H "Accept: $ACCEPT_PROM" "$URL/metrics" >"$T/m2"
tap_check "/metrics with Prometheus' Accept: OpenMetrics 1.0.0" \
	"$(grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$T/h2"; echo $?)" \
	"$(cat "$T/h2")"
out=$(tail -n 1 "$T/m2"; grep -c '^# EOF' "$T/m2")
tap_check "OpenMetrics: ends with one # EOF" \
	"$([ "$out" = "# EOF
1" ]; echo $?)" "$out"
out=$(want "$T/m2" \
	'# TYPE madvstat_all_marked_bytes counter' \
	'madvstat_all_marked_bytes_total 278921216' \
	'# TYPE madvstat_cgroup_pglazyfree_bytes counter' \
	'# TYPE madvstat_exporter_build info')
tap_check "OpenMetrics: counter families without _total, samples with it; info" $? "$out"
# promtool (2.42) checks the text format only; the OpenMetrics output is
# checked by Prometheus' own parser below, and line by line here: every
# family's samples follow it, every counter sample ends in _total.
out=$(awk '
	/^# EOF$/ { next }
	/^# TYPE / { fam = $3; type = $4; next }
	/^# HELP / { next }
	/^#/ { print "stray comment: " $0; bad = 1; next }
	{ name = $0; sub(/[{ ].*/, "", name)
	  if (type == "counter" && name != fam "_total") { print "counter sample " name " of " fam; bad = 1 }
	  else if (type == "info" && name != fam "_info") { print "info sample " name " of " fam; bad = 1 }
	  else if (type == "gauge" && name != fam) { print "gauge sample " name " of " fam; bad = 1 } }
	END { exit bad }' "$T/m2")
tap_check "OpenMetrics: every sample belongs to the family before it" $? "$out"

out=$(get -I "$URL/metrics")
tap_check "HEAD /metrics: 200, headers only" \
	"$(printf '%s' "$out" | grep -q '^HTTP/1.1 200'; echo $?)" "$out"
out=$(get -i -X POST -d x=1 "$URL/metrics"; get -i -X DELETE "$URL/")
tap_check "POST and DELETE: 405 with Allow: GET, HEAD" \
	"$([ "$(printf '%s' "$out" | grep -c '^HTTP/1.1 405')" = 2 ] &&
	printf '%s' "$out" | grep -qi '^Allow: GET, HEAD'; echo $?)" "$out"
code=$(get -o /dev/null -w '%{http_code}' "$URL/metrics/x"; get -o /dev/null -w ' %{http_code}' "$URL/../etc/passwd")
tap_check "other paths: 404" "$([ "$code" = "404 404" ]; echo $?)" "got $code"

# ---- bad requests -----------------------------------------------------------
# raw MESSAGE: send bytes to the exporter, print the first line it answers.
raw() {
	python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
try:
    data = s.recv(4096)
    print(data.split(b"\r\n")[0].decode("latin-1") if data else "closed")
except OSError as e:
    print("closed: %s" % e)
PY
}
alive() { get -o /dev/null -w '%{http_code}' "$URL/metrics"; }
out=$(raw 'GARBAGE\r\n\r\n'; raw 'GET /metrics HTTP/9.9\r\n\r\n'; raw '\x00\xff\xfe junk\r\n\r\n')
tap_check "malformed request lines: 400, 505 or closed, then it still serves" \
	"$(! printf '%s\n' "$out" | grep -qv '^HTTP/1.1 4[0-9][0-9] \|^HTTP/1.1 505 \|^closed' &&
	[ "$(alive)" = 200 ]; echo $?)" "$out"
big=$(head -c 65536 /dev/zero | tr '\0' a)
code=$(get -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$URL/metrics")
tap_check "a 64 KiB header: refused (431), then it still serves" \
	"$([ "$code" = 431 ] && [ "$(alive)" = 200 ]; echo $?)" "got $code"

# A slow client (a byte a second: never idle) is cut by the request
# deadline (15 s), 20 idle connections by the idle time-out (10 s), while
# scrapes go on being answered.
python3 - "$PORT" >"$T/slow" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
slow = socket.create_connection(("127.0.0.1", port))
start = time.time()
closed_at = None
for ch in b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
    try:
        slow.sendall(bytes([ch]))
    except OSError:
        closed_at = time.time() - start
        break
    slow.settimeout(1)
    try:
        if slow.recv(1) == b"":
            closed_at = time.time() - start
            break
    except socket.timeout:
        pass
    except OSError:
        closed_at = time.time() - start
        break
idle_closed = 0
for s in idle:
    s.settimeout(5)
    try:
        if s.recv(1) == b"":
            idle_closed += 1
    except OSError:
        idle_closed += 1
print("slow closed after %s s; idle closed: %d of 20" % (
    "%.1f" % closed_at if closed_at is not None else "never", idle_closed))
PY
slow_pid=$!
sleep 1
ok_while=0
for i in $(seq 5); do
	[ "$(alive)" = 200 ] && ok_while=$((ok_while + 1))
	sleep 0.5
done
wait "$slow_pid"
out=$(cat "$T/slow")
closed=$(sed -n 's/^slow closed after \([0-9.]*\) s.*/\1/p' "$T/slow")
tap_check "slowloris: a byte a second, cut at the 15 s request deadline" \
	"$([ -n "$closed" ] && awk -v c="$closed" 'BEGIN { exit !(c >= 14 && c <= 20) }'; echo $?)" "$out"
tap_check "20 idle connections are closed by the time-out too" \
	"$(grep -q 'idle closed: 20 of 20' "$T/slow"; echo $?)" "$out"
tap_check "scrapes answered while those connections hang" \
	"$([ "$ok_while" = 5 ]; echo $?)" "$ok_while of 5"

# 50 scrapes at once (more than the 32 connections it serves at a time:
# the rest wait in the listen queue). 60 s each, not get's 10: under ASan
# on 2 loaded cores the last in the queue waited more than 10 s once.
# Each writes "CODE exit STATUS" (curl's exit status: 7 refused, 52 empty
# reply, 56 reset, 28 timed out), so a failure says how it failed.
for i in $(seq 50); do
	{
		curl -s --max-time 60 -o "$T/c$i" -w '%{http_code}' "$URL/metrics"
		echo " exit $?"
	} >"$T/code$i" &
done
wait $(jobs -p | grep -vx "$EXP_PID") 2>/dev/null
n_ok=0 n_same=0 bad=
for i in $(seq 50); do
	if [ "$(cat "$T/code$i")" = "200 exit 0" ]; then
		n_ok=$((n_ok + 1))
	else
		bad="$bad #$i: $(cat "$T/code$i");"
	fi
	cmp -s <(grep -v scrape_duration "$T/c$i") <(grep -v scrape_duration "$T/m1") && n_same=$((n_same + 1))
done
tap_check "50 concurrent scrapes: all 200, all whole" \
	"$([ "$n_ok" = 50 ] && [ "$n_same" = 50 ]; echo $?)" \
	"200: $n_ok, same as the first: $n_same;$bad"

# Every connection held by an idle client (40 for the 32 places): a scrape
# waits in the listen queue until the idle time-out frees a place, then is
# answered. (A thread per connection, libmicrohttpd accepted it and closed
# it at once: curl's "empty reply", exit 52.)
python3 - "$PORT" <<'PY' &
import socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        for _ in range(40)]
time.sleep(30)
PY
held_pid=$!
sleep 1
code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code} after %{time_total} s' "$URL/metrics"; echo ", exit $?")
kill "$held_pid" 2>/dev/null
wait "$held_pid" 2>/dev/null
tap_check "all 32 connections held by idle clients: a scrape waits, then 200" \
	"$([[ "$code" == "200 after "*", exit 0" ]]; echo $?)" "$code"

# The same names in the CLI's top --cgroup, in its table and in JSON.
out=$(MADVSTAT_TEST_ROOT=$R "$EXP" top --cgroup 2>&1)
tap_check "top --cgroup: NAME shop/web-5d8f/nginx, repro.service" \
	"$(printf '%s\n' "$out" | grep -q "  shop/web-5d8f/nginx  *$POD_CG\$" &&
	printf '%s\n' "$out" | grep -q '  repro.service  *\/app.slice\/repro.service$'; echo $?)" "$out"
out=$(MADVSTAT_TEST_ROOT=$R "$EXP" top --cgroup --json 2>&1 | grep -F "\"cgroup\":\"$POD_CG\"")
tap_check "top --cgroup --json: kind, names, pod UID, QoS, container id" \
	"$(printf '%s' "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
want = {"cgroup_kind": "kubernetes-container", "cgroup_name": "shop/web-5d8f/nginx",
	"namespace": "shop", "pod": "web-5d8f", "container": "nginx",
	"pod_uid": sys.argv[1], "qos_class": "burstable", "container_runtime": "containerd",
	"container_id": sys.argv[2], "unit": None, "processes": 1}
bad = {k: o.get(k) for k in want if o.get(k) != want[k]}
sys.exit(1 if bad else 0)' "$PUID" "$CID"; echo $?)" "$out"

# Without the kubelet's log directories: the UID and id, and one line why.
mv "$R/var/log" "$R/var/log.off"
MADVSTAT_TEST_ROOT=$R "$EXP" top --cgroup >"$T/nolog" 2>"$T/nolog.err"
mv "$R/var/log.off" "$R/var/log"
tap_check "no /var/log/pods: pod $PUID/containerd 9a3e0c1d2b4f, and said once" \
	"$(grep -q "  pod $PUID/containerd 9a3e0c1d2b4f  *$POD_CG\$" "$T/nolog" &&
	[ "$(grep -c "var/log/pods: No such file or directory: pods and containers named by UID and id only" "$T/nolog.err")" = 1 ]; echo $?)" \
	"$(cat "$T/nolog" "$T/nolog.err")"

# ---- the module going away and coming back ----------------------------------
(
	end=$((SECONDS + 4))
	while [ $SECONDS -lt $end ]; do
		rm -f "$R/proc/madvstat/summary"
		printf 'Pid Rss LazyFree Name\n1 2' >"$R/proc/madvstat/processes"
		rm -rf "$R/sys/fs/cgroup/app.slice"
		rm -rf "$R/proc/madvstat"
		make_module
		make_cgroups
	done
) &
flip=$!
codes="" up0=0 up1=0 n=0
while kill -0 "$flip" 2>/dev/null; do
	c=$(get -o "$T/f" -w '%{http_code}' "$URL/metrics")
	codes="$codes $c"
	n=$((n + 1))
	grep -qx 'madvstat_up 0' "$T/f" && up0=$((up0 + 1))
	grep -qx 'madvstat_up 1' "$T/f" && up1=$((up1 + 1))
done
wait "$flip"
tap_check "files vanishing mid-scrape: every one of $n scrapes answered 200" \
	"$([ -z "$(printf '%s' "$codes" | tr ' ' '\n' | grep -v '^200$' | grep .)" ]; echo $?)" "codes:$codes"
tap_diag "madvstat_up 1 in $up1, 0 in $up0 of them"
get "$URL/metrics" >"$T/m3"
errs=$(sed -n 's/^madvstat_exporter_scrape_errors_total //p' "$T/m3")
tap_check "scrape errors counted ($errs), madvstat_up 1 again once it is back" \
	"$([ "${errs:-0}" -ge 1 ] && grep -qx 'madvstat_up 1' "$T/m3"; echo $?)"
out=$(promtool check metrics <"$T/m3" 2>&1)
tap_check "promtool check metrics accepts it after the errors" $? "$out"

rm -rf "$R/proc/madvstat"
get "$URL/metrics" >"$T/m4"
get "$URL/metrics" >/dev/null
tap_check "no module: madvstat_up 0, served, valid" \
	"$(grep -qx 'madvstat_up 0' "$T/m4" && promtool check metrics <"$T/m4" >/dev/null 2>&1; echo $?)"
make_module
get "$URL/metrics" >/dev/null

# ---- stopping ---------------------------------------------------------------
stop_exporter TERM
lines=$(wc -l <"$T/log")
tap_check "SIGTERM: exit 0" "$([ "$STOP_RC" = 0 ]; echo $?)" "exit $STOP_RC" "$(cat "$T/log")"
tap_check "the log: a line per problem, not per scrape ($lines lines for $((n + 70)) scrapes)" \
	"$([ "$lines" -le 25 ] && grep -q 'not loaded' "$T/log" &&
	grep -q 'work again' "$T/log" && grep -q 'stopping on Terminated' "$T/log"; echo $?)" \
	"$(cat "$T/log")"
tap_diag "$(sed 's/^/log: /' "$T/log")"
out=$(cat "$T"/asan* 2>/dev/null)
tap_check "ASan and UBSan: no report, no leak at exit" "$([ -z "$out" ]; echo $?)" "$out"

start_exporter "$T/log2" --listen 127.0.0.1:0 || true
get -o /dev/null "http://127.0.0.1:$PORT/metrics"
stop_exporter INT
tap_check "SIGINT: exit 0, no ASan report" \
	"$([ "$STOP_RC" = 0 ] && [ -z "$(cat "$T"/asan* 2>/dev/null)" ]; echo $?)" "$(cat "$T/log2")"

# A second exporter on the port of a running one.
start_exporter "$T/log2" --listen 127.0.0.1:0 || true
timeout 60 env MADVSTAT_TEST_ROOT="$R" "$EXP" exporter --listen "127.0.0.1:$PORT" \
	>/dev/null 2>"$T/log3"
rc=$?
stop_exporter TERM
tap_check "a port in use: exit 1, said in one line" \
	"$([ "$rc" = 1 ] && [ "$(wc -l <"$T/log3")" = 1 ] &&
	grep -q "cannot listen on 127.0.0.1:$PORT: Address already in use" "$T/log3"; echo $?)" \
	"exit $rc: $(cat "$T/log3")"

# ---- in a container's cgroup namespace --------------------------------------
# The kernel writes cgroup paths from the reader's cgroup namespace root;
# the exporter finds that root (the cgroup whose cgroup.procs lists it) in
# the host's cgroup2 and names cgroups by their host paths.
C=$T/ctr
mkdir -p "$C/proc/madvstat" "$C/proc/self" "$C/sys/fs/cgroup/kubepods/pod1/ctr" \
	"$C/sys/fs/cgroup/kubepods/pod2/app"
printf '0::/\n' >"$C/proc/self/cgroup"
printf '# unreadable 0\n%s\n%s\n' "$HEADER" \
	"7 4096 1024 0 0 0 0 0 0 0 0 0 madvstat /
8 8192 8192 4096 0 0 4096 0 0 0 0 0 app /../../pod2/app" >"$C/proc/madvstat/processes"
cp "$R/proc/madvstat/summary" "$C/proc/madvstat/summary"
echo 123456 >"$C/sys/fs/cgroup/kubepods/pod2/app/memory.current"
: >"$C/sys/fs/cgroup/cgroup.procs"
sh -c 'echo $$ >"$1/sys/fs/cgroup/kubepods/pod1/ctr/cgroup.procs"; MADVSTAT_TEST_ROOT=$1 exec "$2" exporter --listen 127.0.0.1:0' \
	sh "$C" "$EXP" 2>"$T/log8" &
EXP_PID=$!
test_track "$EXP_PID"
for i in $(seq 100); do
	PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/log8")
	[ -n "$PORT" ] && break
	sleep 0.05
done
get "http://127.0.0.1:$PORT/metrics" >"$T/m8"
stop_exporter TERM
out=$(want "$T/m8" \
	'madvstat_cgroup_processes{cgroup="/kubepods/pod1/ctr"} 1' \
	'madvstat_cgroup_lazyfree_bytes{cgroup="/kubepods/pod2/app"} 4194304' \
	'madvstat_cgroup_memory_current_bytes{cgroup="/kubepods/pod2/app"} 123456')
tap_check "in a cgroup namespace: cgroups named and read by their host paths" \
	"$([ -z "$out" ] && grep -q 'rooted at /kubepods/pod1/ctr' "$T/log8"; echo $?)" \
	"$out" "$(cat "$T/log8")"

# ---- a real Prometheus server -----------------------------------------------
if command -v prometheus >/dev/null; then
	pport=$(free_port)
	mkdir -p "$T/prom"
	cp contrib/prometheus/madvstat.rules.yml "$T/prom/rules.yml" 2>/dev/null || : >"$T/prom/rules.yml"
	start_exporter "$T/log4" --listen 127.0.0.1:0 --top 2 || true
	cat >"$T/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: madvstat
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
	prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
		--web.listen-address="127.0.0.1:$pport" >"$T/prom/log" 2>&1 &
	test_track "$!"
	prom_pid=$!
	q() { curl -s --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"; }
	val=
	for i in $(seq 60); do
		val=$(q 'madvstat_cgroup_lazyfree_bytes{cgroup="/app.slice/repro.service"}' |
			python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null)
		[ -n "$val" ] && break
		sleep 0.5
	done
	health=$(curl -s "http://127.0.0.1:$pport/api/v1/targets" |
		python3 -c 'import json,sys; t=json.load(sys.stdin)["data"]["activeTargets"][0]; print(t["health"], t["lastError"] or "-")' 2>/dev/null)
	tap_check "Prometheus $(prometheus --version 2>&1 | sed -n 's/^prometheus, version \([^ ]*\).*/\1/p') scrapes it (OpenMetrics), target up" \
		"$([ "${health%% *}" = up ]; echo $?)" "target: $health" "$(tail -n 5 "$T/prom/log")"
	tap_check "a PromQL query returns the fixture's value (211812352)" \
		"$([ "$val" = 211812352 ]; echo $?)" "got '$val'"
	val=$(q 'sum by (namespace, pod, container) (madvstat_cgroup_lazyfree_bytes{namespace="shop",pod="web-5d8f"})' |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["metric"].get("container"), r[0]["value"][1]) if r else print("")' 2>/dev/null)
	tap_check "PromQL by the namespace and pod labels: nginx, 8388608" \
		"$([ "$val" = "nginx 8388608" ]; echo $?)" "got '$val'"
	if [ -s "$T/prom/rules.yml" ]; then
		for i in $(seq 20); do
			eff=$(q 'cgroup:madvstat_effective_memory_bytes{cgroup="/app.slice/repro.service"}' |
				python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null)
			[ -n "$eff" ] && break
			sleep 0.5
		done
		tap_check "the recording rule there: effective memory = memory.current - LazyFree (88187648)" \
			"$([ "$eff" = 88187648 ]; echo $?)" "got '$eff'"
	fi
	kill "$prom_pid"
	stop_exporter TERM
else
	tap_skip "a real Prometheus server scrapes it" "prometheus is not installed (qemu/deps installs it)"
fi

# ---- textfile ---------------------------------------------------------------
mkdir -p "$T/tf"
timeout 20 env MADVSTAT_TEST_ROOT="$R" "$EXP" exporter --textfile "$T/tf" --once 2>"$T/log5"
rc=$?
out=$(promtool check metrics <"$T/tf/madvstat.prom" 2>&1)
tap_check "--textfile --once: exit 0, DIR/madvstat.prom accepted by promtool" \
	"$([ "$rc" = 0 ] && [ -z "$out" ]; echo $?)" "exit $rc: $(cat "$T/log5") $out"
tap_check "--textfile: no temporary file left, mode 0644" \
	"$([ "$(ls -A "$T/tf")" = madvstat.prom ] && [ "$(stat -c %a "$T/tf/madvstat.prom")" = 644 ]; echo $?)" \
	"$(ls -la "$T/tf")"
timeout 20 env MADVSTAT_TEST_ROOT="$R" "$EXP" exporter --textfile "$T/none/dir" --once 2>"$T/log6"
rc=$?
tap_check "--textfile into a missing directory: exit 1, said" \
	"$([ "$rc" = 1 ] && grep -q 'temporary file' "$T/log6"; echo $?)" "exit $rc: $(cat "$T/log6")"

# Rewritten every second while read 300 times: never a partial file.
MADVSTAT_TEST_ROOT=$R "$EXP" exporter --textfile "$T/tf" --interval 1 2>"$T/log7" &
tf_pid=$!
test_track "$tf_pid"
ino0=$(stat -c %i "$T/tf/madvstat.prom")
partial=0
for i in $(seq 300); do
	tail -n 1 "$T/tf/madvstat.prom" | grep -q '^madvstat_exporter_build_info{' ||
		partial=$((partial + 1))
	sleep 0.01
done
ino1=$(stat -c %i "$T/tf/madvstat.prom")
kill -TERM "$tf_pid"
wait "$tf_pid"
rc=$?
tap_check "--interval 1: replaced by rename (inode $ino0 -> $ino1), 300 reads, none partial, exit 0" \
	"$([ "$ino0" != "$ino1" ] && [ "$partial" = 0 ] && [ "$rc" = 0 ]; echo $?)" \
	"partial: $partial, exit $rc" "$(cat "$T/log7")"

NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -n "$NE" ]; then
	nport=$(free_port)
	"$NE" --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$T/tf" \
		--web.listen-address="127.0.0.1:$nport" >"$T/ne.log" 2>&1 &
	ne_pid=$!
	test_track "$ne_pid"
	for i in $(seq 50); do
		get "http://127.0.0.1:$nport/metrics" >"$T/ne" 2>/dev/null && [ -s "$T/ne" ] && break
		sleep 0.1
	done
	kill "$ne_pid"
	out=$(want "$T/ne" \
		'madvstat_cgroup_lazyfree_bytes{cgroup="/app.slice/repro.service",container="",namespace="",pod=""} 2.11812352e+08' \
		"madvstat_cgroup_lazyfree_bytes{cgroup=\"$POD_CG\",container=\"nginx\",namespace=\"shop\",pod=\"web-5d8f\"} 8.388608e+06" \
		'madvstat_up 1' \
		'node_textfile_scrape_error 0')
	tap_check "node_exporter's textfile collector serves our metrics, pod labels too, no error" $? "$out" \
		"$(grep -i 'madvstat\|error' "$T/ne.log" | head -n 5)"
else
	tap_skip "node_exporter reads the textfile" "prometheus-node-exporter is not installed"
fi
out=$(cat "$T"/asan* 2>/dev/null)
tap_check "ASan and UBSan: no report in any run" "$([ -z "$out" ]; echo $?)" "$out"

tap_finish
