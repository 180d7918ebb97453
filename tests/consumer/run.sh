#!/usr/bin/env bash
# Packs SeriesCompiler.Build, SeriesCompiler.Runtime and the seriesc tool from this checkout into a temporary feed,
# then, in a copy of tests/consumer outside the repository, builds and runs the consumer against that feed (its own
# .dist files become rules at build time), checks that a second build skips the generation, and runs the installed
# seriesc tool on the same declarations. Usage: tests/consumer/run.sh [--no-build]   (CONFIGURATION=Release by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
config=${CONFIGURATION:-Release}
nobuild=()
[[ "${1:-}" == "--no-build" ]] && nobuild=(--no-build)
work=$(mktemp -d "${TMPDIR:-/tmp}/seriesc-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
feed=$work/feed
version=1.0.0

echo "== pack into $feed"
for project in src/Build/Build.csproj src/Runtime/Runtime.csproj src/Cli/Cli.csproj; do
  dotnet pack "$root/$project" -c "$config" "${nobuild[@]}" -o "$feed" -p:Version=$version -nologo -v:q
done
ls "$feed"

echo "== build the consumer against the feed"
cp -r "$root/tests/consumer" "$work/consumer"
rm -rf "$work/consumer/bin" "$work/consumer/obj" "$work/consumer/run.sh"
cd "$work/consumer"
# A private packages folder, so a package packed earlier under the same version is never taken from the cache; the
# machine's global packages folder is a further source for the packages' own dependencies (MathNet).
restore=(--packages "$work/packages" -p:RestoreAdditionalProjectSources="$feed%3B${NUGET_PACKAGES:-$HOME/.nuget/packages}")
dotnet build -c "$config" -nologo -v:n "${restore[@]}" -p:SeriesCompilerVersion=$version > "$work/build1.log" || { cat "$work/build1.log"; exit 1; }
grep -E "SeriesCompiler: [0-9]+ rule" "$work/build1.log"
ls obj/"$config"/net10.0/SeriesCompiler/
dotnet bin/"$config"/net10.0/Consumer.dll

echo "== second build skips the generation"
dotnet build -c "$config" -nologo -v:n --no-restore -p:SeriesCompilerVersion=$version > "$work/build2.log" || { cat "$work/build2.log"; exit 1; }
grep -F 'Skipping target "_SeriesCompiler_Generate" because all output files are up-to-date' "$work/build2.log"

echo "== an error in a declaration is an MSBuild error at its position"
printf 'distribution Broken(p > 0) {\n    support positive\n    cgf(t) = p*nosuch(t)\n}\n' > distributions/broken.dist
if dotnet build -c "$config" -nologo -v:q --no-restore -p:SeriesCompilerVersion=$version > "$work/build3.log"; then
  echo "the build of a broken declaration succeeded"; exit 1
fi
grep -E "broken\.dist\(3,[0-9]+\): error SC[0-9]{4}:" "$work/build3.log"
rm distributions/broken.dist

echo "== the seriesc tool from the feed"
dotnet tool install seriesc --version $version --tool-path "$work/tools" --add-source "$feed" >/dev/null
"$work/tools/seriesc" compile distributions --namespace Consumer.Rules --order 4 --out "$work/cli-out"
diff -r "$work/cli-out" obj/"$config"/net10.0/SeriesCompiler/
echo "consumer package test: ok"
