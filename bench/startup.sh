#!/usr/bin/env bash
# Whole-process start-up of seriesc, side by side (issue 17): a cold `seriesc coefficients gamma --order 8`, run
# alternately by each build given, RUNS times each (default 15), so machine load falls on both alike. Prints each
# build's median and fastest wall time, their ratio to the first build, and the load average before and after.
# Usage: bench/startup.sh NAME=PATH/TO/seriesc.dll [NAME=PATH ...]
#   e.g. bench/startup.sh before=/tmp/seriesc-before/seriesc.dll after=src/Cli/bin/Release/net10.0/seriesc.dll
# ("Cold" here means a new process each time: runtime start, JIT and the derivation; the OS file cache stays warm.)
set -euo pipefail
runs=${RUNS:-15}
args=(${SERIESC_ARGS:-coefficients gamma --order 8})
(( $# >= 1 )) || { sed -n 2,7p "$0" >&2; exit 2; }
names=() paths=()
for pair in "$@"; do names+=("${pair%%=*}"); paths+=("${pair#*=}"); done
for p in "${paths[@]}"; do [[ -f $p ]] || { echo "startup.sh: no $p" >&2; exit 2; }; done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# One untimed run each: the OS file cache is then warm for every build alike.
for p in "${paths[@]}"; do dotnet "$p" "${args[@]}" > /dev/null; done
for ((r = 0; r < runs; r++)); do
  for i in "${!paths[@]}"; do
    start=$(date +%s%N)
    dotnet "${paths[$i]}" "${args[@]}" > /dev/null
    echo $(( ($(date +%s%N) - start) / 1000000 )) >> "$work/$i"
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seriesc ${args[*]}: $runs runs each (ms)"
base=
for i in "${!paths[@]}"; do
  median=$(sort -n "$work/$i" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  fastest=$(sort -n "$work/$i" | head -n 1)
  base=${base:-$median}
  printf '%-12s median %6s  fastest %6s  speed-up %sx\n' "${names[$i]}" "$median" "$fastest" "$(awk -v b="$base" -v m="$median" 'BEGIN { printf "%.2f", b / m }')"
done
