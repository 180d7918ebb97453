#!/usr/bin/env bash
# Whole-process side by side: `seriesc check distributions --order N` against the same work in Maxima
# (bench/maxima/cumulants.mac: the Taylor series of K(t) of the same 15 declarations with a characteristic
# function to order N, and the derivative of every coefficient in every differentiable parameter).
# Usage: bench/maxima-compare.sh [RUNS] [ORDERS...]   (default: 3 runs, orders 16 and 64)
# Each side runs RUNS times per order; the median wall time and the median CPU time (user + system, all threads) are
# printed with the ratios Maxima / seriesc. `check` derives the declarations on every core, so its wall time is below
# its CPU time on a machine with more than one; Maxima runs on one.
# MAXIMA_RUNS=K runs Maxima K times instead (its order 64 takes minutes; the median of K runs is printed).
# Builds seriesc (Release) first, unless SERIESC names one. Maxima is optional: without it the script says so and exits 0 (CI has none).
set -euo pipefail
export LC_ALL=C   # bash's time and printf read and write decimals with a point
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"; shift || true
orders=("$@"); [ ${#orders[@]} -eq 0 ] && orders=(16 64)

if ! command -v maxima > /dev/null 2>&1; then
  echo "maxima not found: skipping the Maxima comparison (apt-get install -y maxima to run it)"
  exit 0
fi
# SERIESC=PATH times another seriesc (an installed tool, say, which on linux-x64 is the native front of src/Cli.Native)
# instead of this checkout's Release build (the managed program).
if [[ -n ${SERIESC:-} ]]; then
  seriesc=$SERIESC
else
  dotnet build "$root/src/Cli/Cli.csproj" -c Release -nologo -v q > /dev/null
  seriesc="$root/src/Cli/bin/Release/net10.0/seriesc"
fi

errors=$(mktemp); times=$(mktemp); trap 'rm -f "$errors" "$times"' EXIT
# "WALL CPU": the medians, in seconds, of RUNS runs of a command (output discarded; a failing run prints its errors and
# aborts). CPU is the process's user + system time, its children's included (bash's time, to the millisecond).
medians() {
  local count=$runs
  if [[ $1 == --runs ]]; then count=$2; shift 2; fi
  : > "$times"
  local TIMEFORMAT='%3R %3U %3S'
  for _ in $(seq "$count"); do
    { time "$@" > /dev/null 2> "$errors" || { cat "$errors" >&2; exit 1; }; } 2>> "$times"
  done
  local wall cpu
  wall=$(awk '{ print $1 }' "$times" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  cpu=$(awk '{ print $2 + $3 }' "$times" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  echo "$wall $cpu"
}

echo "seriesc: $seriesc"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $runs runs of seriesc and ${MAXIMA_RUNS:-$runs} of Maxima per cell, median seconds"
printf '%-6s %12s %12s %12s %12s %10s %10s\n' order "seriesc wall" "seriesc CPU" "maxima wall" "maxima CPU" "wall ratio" "CPU ratio"
for n in "${orders[@]}"; do
  # Captured first: a failing run's exit inside $(...) stops the script here (set -e), not in a `read` that ignores it.
  ours=$(medians "$seriesc" check "$root/distributions" --order "$n")
  theirs=$(cd "$root/bench/maxima" && medians --runs "${MAXIMA_RUNS:-$runs}" maxima --very-quiet -r "N: $n\$ batchload(\"cumulants.mac\")\$")
  read -r ours_wall ours_cpu <<< "$ours"
  read -r theirs_wall theirs_cpu <<< "$theirs"
  printf '%-6s %12.3f %12.3f %12.3f %12.3f %9.1fx %9.1fx\n' "$n" "$ours_wall" "$ours_cpu" "$theirs_wall" "$theirs_cpu" \
    "$(echo "$theirs_wall / $ours_wall" | bc -l)" "$(echo "$theirs_cpu / $ours_cpu" | bc -l)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
