#!/usr/bin/env bash
# `madvstat --watch --csv --svg` end to end and every chart rendered, as TAP
# tests of `make user-test`; run from the top of the tree. madvstat is
# build/user-test/madvstat (ASan and UBSan). It watches a fixture process
# whose /proc/madvstat file this script rewrites between samples (a free,
# then reclaim in steps), then a real process of this machine through
# smaps_rollup, and is stopped by --count and by SIGINT. Each chart is
# checked by xmllint (well formed) and rendered to PNG by rsvg-convert
# (librsvg, what GNOME and most converters use), at the size it declares.
# timeline-svg draws make demo's timelines the same way.
# shellcheck source=qemu/lib.sh
. ./qemu/lib.sh
set -u
tap_start

MS=build/user-test/madvstat
SVG_TOOL=build/user-test/timeline-svg
test_tmpdir chart-test
tap_need "qemu/deps installs librsvg2-bin and libxml2-utils" rsvg-convert xmllint
for prog in "$MS" "$SVG_TOOL"; do
	if [ ! -x "$prog" ]; then
		tap_bail "no $prog (make user-test builds it)"
		exit 1
	fi
done

# rendered NAME SVG: well formed, and rendered to a PNG of 960x450.
rendered() {
	local name=$1 svg=$2 png=${2%.svg}.png out size
	if ! out=$(xmllint --noout "$svg" 2>&1); then
		tap_not_ok "$name: well-formed XML" "$out"
		return
	fi
	if ! out=$(rsvg-convert -o "$png" "$svg" 2>&1); then
		tap_not_ok "$name: rendered by rsvg-convert" "$out"
		return
	fi
	# The PNG's IHDR: width and height, big-endian, at bytes 16 to 23.
	size=$(od -An -tu1 -j16 -N8 "$png" |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 "x" \
			$5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
	tap_check "$name: well formed, rendered to a ${size} PNG" \
		"$([ "$size" = 960x450 ] && echo 0 || echo 1)" "want 960x450"
}

no_asan_report() {
	if ls "$T"/asan* >/dev/null 2>&1; then
		tap_not_ok "$1: no ASan/UBSan report" "$(cat "$T"/asan*)"
		rm -f "$T"/asan*
	else
		tap_ok "$1: no ASan/UBSan report"
	fi
}

# ---- a fixture process whose counters move ---------------------------------
R=$T/root
mkdir -p "$R/proc/madvstat" "$R/proc/4242"
echo worker >"$R/proc/4242/comm"
echo "0::/system.slice/worker.service" >"$R/proc/4242/cgroup"
# report RSS LAZY DIRTY MARKED RECLAIMED (kB): /proc/madvstat/4242, atomically.
report() {
	cat >"$R/proc/madvstat/.4242" <<EOF
Pid:               4242
Name:          worker
Rss:             $1 kB
RssAnon:         $1 kB
LazyFree:        $2 kB
LazyFreeDirty:   $3 kB
RssEffective:    $(($1 - $2)) kB
Marked:          $4 kB
Reclaimed:       $5 kB
Rescued:              0 kB
RescuedPinned:        0 kB
Dropped:              0 kB
Tracking:      live, since process start

EOF
	mv "$R/proc/madvstat/.4242" "$R/proc/madvstat/4242"
}
report 263000 0 0 0 0
MADVSTAT_TEST_ROOT=$R $MS -w 0.2 --csv "$T/w.csv" --svg "$T/w.svg" 4242 \
	>"$T/w.out" 2>"$T/w.err" &
W=$!
test_track "$W"
# Touch, free, hold, reclaim in four steps, each over a few samples.
for step in "263000 0 0 0 0" "263000 262144 0 262144 0" \
	"263000 262144 0 262144 0" "197464 196608 0 262144 65536" \
	"131928 131072 0 262144 131072" "66392 65536 0 262144 196608" \
	"856 0 0 262144 262144"; do
	# shellcheck disable=SC2086
	report $step
	sleep 0.5
done
kill -INT "$W"
wait "$W"
st=$?
tap_check "SIGINT ends the watch with status 0" "$st" "exit $st" \
	"$(cat "$T/w.err")"
tap_check "it says where the chart is" \
	"$(grep -q "madvstat: chart of [0-9]* samples in $T/w.svg" "$T/w.err"; echo $?)" \
	"$(cat "$T/w.err")"
rows=$(($(wc -l <"$T/w.csv") - 1))
tap_check "the CSV has a row a sample ($rows over 3.5 s at 0.2 s)" \
	"$([ "$rows" -ge 8 ] && echo 0 || echo 1)" "$(cat "$T/w.csv")"
tap_check "the CSV names the free and the reclaim" \
	"$(grep -q ',freed,' "$T/w.csv" && grep -q ',reclaimed,' "$T/w.csv"; echo $?)" \
	"$(cat "$T/w.csv")"
tap_check "the values come from the module's file" \
	"$(! grep -v -e '^elapsed_s' -e ',madvstat$' "$T/w.csv" >/dev/null; echo $?)"
tap_check "the summary was shown as well" \
	"$(grep -q 'Lazily freed' "$T/w.out"; echo $?)"
rendered "watch chart" "$T/w.svg"
tap_check "the chart's axis counts 64 MiB steps" \
	"$(grep -q '>64 MiB<' "$T/w.svg" && grep -q '>256 MiB<' "$T/w.svg"; echo $?)"
tap_check "the chart's title names the process" \
	"$(grep -q 'madvstat: 4242 (worker), every 0.200 s' "$T/w.svg"; echo $?)"
$SVG_TOOL -t again "$T/w.csv" "$T/again.svg"
tap_check "timeline-svg draws the watch's CSV" "$?"
rendered "timeline-svg of the watch's CSV" "$T/again.svg"
no_asan_report "watch"

# The process goes away: the chart is still written; exit 1 as documented.
report 856 0 0 262144 262144
MADVSTAT_TEST_ROOT=$R $MS -w 0.2 --svg "$T/gone.svg" 4242 >/dev/null \
	2>"$T/gone.err" &
W=$!
sleep 0.7
rm -f "$R/proc/madvstat/4242"
wait "$W"
st=$?
tap_check "the process exits: status 1" "$([ "$st" = 1 ] && echo 0 || echo 1)" \
	"exit $st" "$(cat "$T/gone.err")"
rendered "chart after the process exited" "$T/gone.svg"

# A file it cannot write: refused before the first sample.
MADVSTAT_TEST_ROOT=$R $MS -w 0.2 -c 2 --svg "$T/no/such.svg" 4242 \
	>/dev/null 2>"$T/bad.err"
st=$?
tap_check "an SVG path it cannot write: status 1 and why" \
	"$([ "$st" = 1 ] && grep -q "no/such.svg: No such file" "$T/bad.err" && echo 0 || echo 1)" \
	"exit $st" "$(cat "$T/bad.err")"
no_asan_report "the process gone, the bad path"

# ---- a real process, through smaps_rollup ----------------------------------
sleep 60 &
P=$!
test_track "$P"
$MS --no-module -w 0.1 -c 5 --csv - --svg "$T/real.svg" "$P" >"$T/real.csv" \
	2>"$T/real.err"
st=$?
tap_check "a real process, 5 samples, CSV on stdout: status 0" "$st" \
	"$(cat "$T/real.err")"
tap_check "stdout is the CSV alone, header and 5 rows" \
	"$(head -1 "$T/real.csv" | grep -q '^elapsed_s,step,' &&
	   [ "$(wc -l <"$T/real.csv")" = 6 ] &&
	   [ "$(grep -c ',smaps_rollup$' "$T/real.csv")" = 5 ]; echo $?)" \
	"$(cat "$T/real.csv")"
rendered "real process chart" "$T/real.svg"
no_asan_report "real process"

# ---- charts of odd timelines ------------------------------------------------
H=elapsed_s,step,rss_kb,rss_anon_kb,lazyfree_kb,lazyfree_dirty_kb,reclaimed_kb,source
printf '%s\n' "$H" >"$T/empty.csv"
printf '%s\n0.000,start,4,4,0,0,0,madvstat\n' "$H" >"$T/one.csv"
printf '%s\n0.000,a,1,1,,,,smaps_rollup\n0.000,b,2,2,,,,smaps_rollup\n' "$H" \
	>"$T/notime.csv"
# A day, sampled every 10 s, with a burst of millisecond steps at noon.
awk -v h="$H" 'BEGIN {
	print h
	for (t = 0; t <= 86400; t += 10) {
		printf "%.3f,,%d,%d,%d,0,%d,madvstat\n", t, 4194304, 4194304,
			(t % 3600) * 100, int(t / 3600) * 1024
		if (t == 43200)
			for (i = 1; i <= 20; i++)
				printf "%.3f,reclaim %d,%d,%d,0,0,%d,madvstat\n",
					t + i / 1000, i, 4194304 - i * 65536,
					4194304 - i * 65536, i * 65536
	}
}' >"$T/day.csv"
for c in empty one notime day; do
	if $SVG_TOOL -t "$c" "$T/$c.csv" "$T/$c.svg" 2>"$T/$c.err"; then
		rendered "timeline-svg: $c" "$T/$c.svg"
	else
		tap_not_ok "timeline-svg: $c" "$(cat "$T/$c.err")"
	fi
done
tap_check "a day: ticks in hours, the burst widened and labelled" \
	"$(grep -q '>12 h<' "$T/day.svg" && grep -q '>20 ms<' "$T/day.svg"; echo $?)"
no_asan_report "timeline-svg"

tap_finish
