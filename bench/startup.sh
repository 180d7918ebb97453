#!/usr/bin/env bash
# Whole-process start-up of seriesc, side by side (issue 17): a cold `seriesc coefficients gamma --order 8`, run
# alternately by each build given, RUNS times each (default 15), so machine load falls on both alike. Prints each
# build's median and fastest wall time, its median CPU time (user + system, which load inflates less than wall time),
# their ratios to the first build, and the load average before and after.
# Usage: bench/startup.sh NAME=COMMAND [NAME=COMMAND ...]   (a COMMAND ending in .dll runs as `dotnet COMMAND`)
#   e.g. bench/startup.sh before=/tmp/before/seriesc.dll build=src/Cli/bin/Release/net10.0/seriesc.dll tool=$HOME/.dotnet/tools/seriesc
#   (an installed tool on linux-x64 is the native front, src/Cli.Native; its folder's seriesc.dll is the managed program)
# ("Cold" here means a new process each time: runtime start, JIT and the derivation; the OS file cache stays warm.)
# SERIESC_ARGS replaces the arguments; SERIESC_PHASES=1 on one run prints where its time goes (seriesc's phase log).
set -euo pipefail
runs=${RUNS:-15}
args=(${SERIESC_ARGS:-coefficients gamma --order 8})
(( $# >= 1 )) || { sed -n 2,10p "$0" >&2; exit 2; }
names=() cmds=()
for pair in "$@"; do
  path=${pair#*=}
  [[ -f $path ]] || { echo "startup.sh: no $path" >&2; exit 2; }
  names+=("${pair%%=*}")
  if [[ $path == *.dll ]]; then cmds+=("dotnet $path"); else cmds+=("$path"); fi
done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# One untimed run each: the OS file cache is then warm for every build alike.
for c in "${cmds[@]}"; do $c "${args[@]}" > /dev/null; done
TIMEFORMAT='%R %U %S'
for ((r = 0; r < runs; r++)); do
  for i in "${!cmds[@]}"; do
    { time ${cmds[$i]} "${args[@]}" > /dev/null; } 2>> "$work/$i"
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seriesc ${args[*]}: $runs runs each (ms)"
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
wall0= cpu0=
for i in "${!cmds[@]}"; do
  wall=$(awk '{ printf "%d\n", $1 * 1000 }' "$work/$i" | median)
  fastest=$(awk '{ printf "%d\n", $1 * 1000 }' "$work/$i" | sort -n | head -n 1)
  cpu=$(awk '{ printf "%d\n", ($2 + $3) * 1000 }' "$work/$i" | median)
  wall0=${wall0:-$wall} cpu0=${cpu0:-$cpu}
  printf '%-10s wall median %6s  fastest %6s  speed-up %sx   cpu median %6s  speed-up %sx\n' "${names[$i]}" "$wall" "$fastest" \
    "$(awk -v b="$wall0" -v m="$wall" 'BEGIN { printf "%.2f", b / m }')" "$cpu" "$(awk -v b="$cpu0" -v m="$cpu" 'BEGIN { printf "%.2f", b / m }')"
done
