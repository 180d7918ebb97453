#!/usr/bin/env bash
# Whole-process side by side: `seriesc check distributions --order N` against the same work in Maxima
# (bench/maxima/cumulants.mac: the Taylor series of K(t) of the same 15 declarations with a characteristic
# function to order N, and the derivative of every coefficient in every differentiable parameter).
# Usage: bench/maxima-compare.sh [RUNS] [ORDERS...]   (default: 3 runs, orders 16 and 64)
# Each side runs RUNS times per order; the median wall time is printed with the ratio Maxima / seriesc.
# MAXIMA_RUNS=K runs Maxima K times instead (its order 64 takes minutes; the median of K runs is printed).
# Builds seriesc (Release) first, unless SERIESC names one. Maxima is optional: without it the script says so and exits 0 (CI has none).
set -euo pipefail
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

errors=$(mktemp); trap 'rm -f "$errors"' EXIT
# Median wall seconds of RUNS runs of a command (output discarded; a failing run prints its errors and aborts).
median() {
  local times=() count=$runs
  if [[ $1 == --runs ]]; then count=$2; shift 2; fi
  for _ in $(seq "$count"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2> "$errors" || { cat "$errors" >&2; exit 1; }
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $runs runs of seriesc and ${MAXIMA_RUNS:-$runs} of Maxima per cell, median wall seconds"
printf '%-6s %12s %12s %8s\n' order seriesc maxima ratio
for n in "${orders[@]}"; do
  ours=$(median "$seriesc" check "$root/distributions" --order "$n")
  theirs=$(cd "$root/bench/maxima" && median --runs "${MAXIMA_RUNS:-$runs}" maxima --very-quiet -r "N: $n\$ batchload(\"cumulants.mac\")\$")
  printf '%-6s %12.3f %12.3f %7.1fx\n' "$n" "$ours" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
