#!/usr/bin/env bash
# The packages as a user meets them. Packs every shipped package from this checkout into a temporary feed (no pack
# warning allowed) and checks their metadata; then, outside the repository and against that feed only:
#   1. runs the README's "Use it in your project" section word for word (its code blocks, extracted from README.md):
#      a new console project with the build-time packages and its .dist, and one with the run-time compiler; both
#      print a gradient, checked against the closed forms;
#   2. builds a copy of tests/consumer and checks incremental generation: a second build skips it; -p:SeriesOrder,
#      SeriesNamespace in Directory.Build.props, a deleted .dist, every .dist deleted and `dotnet clean` each give
#      exactly the right classes (no stale ones) and are followed by a build that skips it again;
#   3. an error in a declaration is an MSBuild error at its position; the installed seriesc tool compiles the same code.
# Usage: tests/consumer/run.sh [--no-build]   (CONFIGURATION=Release by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
config=${CONFIGURATION:-Release}
nobuild=()
[[ "${1:-}" == "--no-build" ]] && nobuild=(--no-build)
work=$(mktemp -d "${TMPDIR:-/tmp}/seriesc-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
feed=$work/feed
cache=${NUGET_PACKAGES:-$HOME/.nuget/packages}
fail() { echo "consumer package test: $*" >&2; exit 1; }

echo "== pack into $feed"
for project in src/Runtime/Runtime.csproj src/Symbolic/Symbolic.csproj src/Emit/Emit.csproj src/Build/Build.csproj src/Cli/Cli.csproj; do
  # The tool's RID packages are built by the pack itself (one publish per RID), never by the solution build.
  skip=("${nobuild[@]}"); [[ $project == src/Cli/Cli.csproj ]] && skip=()
  dotnet pack "$root/$project" -c "$config" "${skip[@]}" -o "$feed" -nologo -v:n > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }
  if grep -E 'warning [A-Z]+[0-9]+' "$work/pack.log"; then fail "dotnet pack $project gave warnings"; fi
done
version=$(dotnet msbuild "$root/src/Runtime/Runtime.csproj" -getProperty:Version)
ls "$feed"

echo "== package metadata: license, readme, symbols, XML docs, SourceLink"
# The tool is RID-specific (src/Cli/Cli.csproj): `seriesc` points at seriesc.linux-x64 (the native front and the
# ReadyToRun managed seriesc) and seriesc.any (portable IL); the pointer holds no code, so the symbols are in the RID packages.
tool_rids=(linux-x64 any)
for id in SeriesCompiler.Runtime SeriesCompiler.Symbolic SeriesCompiler SeriesCompiler.Build seriesc "${tool_rids[@]/#/seriesc.}"; do
  nupkg=$feed/$id.$version.nupkg
  [[ -f $nupkg ]] || fail "$nupkg is missing"
  [[ -f $feed/$id.$version.snupkg || $id == SeriesCompiler.Build || $id == seriesc ]] || fail "$id has no symbols package"
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for want in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<authors>The SeriesCompiler authors</authors>'; do
    grep -qF "$want" <<< "$nuspec" || fail "$id.nuspec lacks $want"
  done
  # SourceLink (built into the SDK) records the commit; the repository URL too once the clone has a remote.
  grep -qE '<repository type="git"[^>]* commit="[0-9a-f]{40}"' <<< "$nuspec" || fail "$id.nuspec records no commit"
  grep -q '<description>Package Description</description>' <<< "$nuspec" && fail "$id has the default description"
  files=$(unzip -Z1 "$nupkg")
  grep -qx README.md <<< "$files" && grep -qx LICENSE <<< "$files" || fail "$id lacks README.md or LICENSE"
done
for lib in SeriesCompiler.Runtime SeriesCompiler.Symbolic SeriesCompiler:SeriesCompiler.Emit; do
  id=${lib%%:*} assembly=${lib##*:}
  # (Listings are read whole first: grep -q would stop unzip early, which pipefail counts as a failure.)
  files=$(unzip -Z1 "$feed/$id.$version.nupkg") symbols=$(unzip -Z1 "$feed/$id.$version.snupkg")
  grep -qx "lib/net10.0/$assembly.xml" <<< "$files" || fail "$id has no XML documentation"
  grep -qx "lib/net10.0/$assembly.pdb" <<< "$symbols" || fail "$id.snupkg has no PDB"
done
# The tool is lean (issue 17): no plotting libraries (the experiments load on demand in a clone), each package under
# 15 MB.
for rid in "${tool_rids[@]}"; do
  tool=$feed/seriesc.$rid.$version.nupkg
  size=$(stat -c %s "$tool")
  echo "seriesc.$rid.$version.nupkg: $size bytes"
  (( size < 15 * 1024 * 1024 )) || fail "the seriesc.$rid tool package is $size bytes, over 15 MB"
  files=$(unzip -Z1 "$tool")
  if grep -iE 'skiasharp|harfbuzz|scottplot|SeriesCompiler\.Experiments' <<< "$files"; then fail "the seriesc.$rid tool package carries the experiments or their plotting libraries"; fi
  grep -qx "tools/net10.0/$rid/seriesc.dll" <<< "$files" || fail "seriesc.$rid has no tools/net10.0/$rid/seriesc.dll"
done
# On linux-x64 the entry point is the native front (src/Cli.Native), an ELF executable beside seriesc.dll, run as such.
files=$(unzip -Z1 "$feed/seriesc.linux-x64.$version.nupkg")
grep -qx tools/net10.0/linux-x64/seriesc <<< "$files" || fail "seriesc.linux-x64 has no native front tools/net10.0/linux-x64/seriesc"
unzip -p "$feed/seriesc.linux-x64.$version.nupkg" tools/net10.0/linux-x64/seriesc > "$work/native-front"
[[ $(head -c 4 "$work/native-front" | tail -c 3) == ELF ]] || fail "seriesc.linux-x64's seriesc is not an ELF executable"
# ... and its AVX-512 twin, which it execs for estimate where the processor has AVX-512 (src/Cli.Native/Avx512Twin.cs).
grep -qx tools/net10.0/linux-x64/seriesc-avx512 <<< "$files" || fail "seriesc.linux-x64 has no AVX-512 twin tools/net10.0/linux-x64/seriesc-avx512"
settings=$(unzip -p "$feed/seriesc.linux-x64.$version.nupkg" tools/net10.0/linux-x64/DotnetToolSettings.xml)
grep -qF '<Command Name="seriesc" EntryPoint="seriesc" Runner="executable" />' <<< "$settings" || fail "seriesc.linux-x64's tool settings do not name the native front: $settings"
unzip -p "$feed/seriesc.$version.nupkg" seriesc.nuspec | grep -qF '<packageType name="DotnetTool" />' || fail "seriesc is not a tool package"
files=$(unzip -Z1 "$feed/SeriesCompiler.$version.nupkg")
grep -qx contentFiles/any/any/distributions/gamma.dist <<< "$files" || fail "SeriesCompiler does not carry the bundled declarations"

# From here on the feed (for SeriesCompiler*, by source mapping) and the machine's packages (for MathNet, Roslyn, ...)
# are the only sources, and restores go to a private packages folder: a package packed earlier under the same version
# never comes from a cache.
export NUGET_PACKAGES=$work/packages
cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="seriescompiler" value="$feed" />
    <add key="machine" value="$cache" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="seriescompiler">
      <package pattern="SeriesCompiler" />
      <package pattern="SeriesCompiler.*" />
      <package pattern="seriesc" />
      <package pattern="seriesc.*" />
    </packageSource>
    <packageSource key="machine">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
EOF

echo "== the README's section \"Use it in your project\", word for word"
# Its fenced blocks in order: 0 sh (build-time packages), 1 dist, 2 csharp, 3 sh (run-time package), 4 csharp.
sed -n '/^## Use it in your project$/,/^## /p' "$root/README.md" | awk -v dir="$work/readme" '
  BEGIN { system("mkdir -p " dir) }
  /^```/ { if (inside) { inside = 0; n++ } else { inside = 1; tag = substr($0, 4); print tag > (dir "/tags") } ; next }
  inside { print > (dir "/block" (n + 0)) }'
[[ "$(tr '\n' ' ' < "$work/readme/tags")" == "sh dist csharp sh csharp " ]] || fail "the README section's blocks changed: $(tr '\n' ' ' < "$work/readme/tags")"
grep -qF '`distributions/shifted.dist`' "$root/README.md" || fail "the README no longer names distributions/shifted.dist"

# Checks the line the example prints: each "NAME = VALUE ± SE" within 4 standard errors of the closed form.
check_gradient() { # output, then NAME=EXACT pairs
  local out=$1; shift
  echo "$out"
  for pair in "$@"; do
    python3 - "$out" "${pair%%=*}" "${pair#*=}" <<'EOF' || fail "gradient ${pair%%=*} is off"
import re, sys
out, name, exact = sys.argv[1], sys.argv[2], float(sys.argv[3])
m = re.search(r"(?:^|[ :,])" + re.escape(name) + r" = ([-+0-9.eE]+) ± ([-+0-9.eE]+)", out)
if not m: sys.exit(f"no gradient for {name} in: {out}")
value, se = float(m.group(1)), float(m.group(2))
print(f"  {name}: {value} vs exact {exact}, {abs(value - exact) / se if se > 0 else 0:.2f} standard errors")
sys.exit(0 if abs(value - exact) <= 4 * se + 1e-12 else 1)
EOF
  done
}

mkdir "$work/readme-build" && cd "$work/readme-build"
dotnet new console --name ReadmeBuild --output . >/dev/null
bash -euo pipefail "$work/readme/block0" > "$work/readme-add.log" 2>&1 || { cat "$work/readme-add.log"; exit 1; }
mkdir -p distributions && cp "$work/readme/block1" distributions/shifted.dist
cp "$work/readme/block2" Program.cs
dotnet build -c "$config" -nologo -v:q -warnaserror > "$work/readme-build.log" 2>&1 || { cat "$work/readme-build.log"; exit 1; }
# dL/dm = 2(m + mu - 0.49), dL/dmu = 2 mu + 2(m + mu - 0.49) at m = 1, mu = 0.5.
check_gradient "$(dotnet bin/"$config"/net10.0/ReadmeBuild.dll)" m=2.02 mu=3.02

mkdir "$work/readme-run" && cd "$work/readme-run"
dotnet new console --name ReadmeRun --output . >/dev/null
bash -euo pipefail "$work/readme/block3" > "$work/readme-add.log" 2>&1 || { cat "$work/readme-add.log"; exit 1; }
cp "$work/readme/block4" Program.cs
dotnet build -c "$config" -nologo -v:q -warnaserror > "$work/readme-run.log" 2>&1 || { cat "$work/readme-run.log"; exit 1; }
# From another folder: the bundled declarations must come from distributions/ beside the application.
# dL/dk = mu^2 + 2 mu (k mu - 0.49), dL/dmu = 2 k mu + 2 k (k mu - 0.49) at k = 2.5, mu = 0.7.
check_gradient "$(cd "$work" && dotnet readme-run/bin/"$config"/net10.0/ReadmeRun.dll)" k=2.254 mu=9.8

echo "== tests/consumer: incremental generation"
cp -r "$root/tests/consumer" "$work/consumer"
rm -rf "$work/consumer/bin" "$work/consumer/obj" "$work/consumer/run.sh"
cd "$work/consumer"
gen=obj/$config/net10.0/SeriesCompiler
log=$work/build.log
build() { dotnet build -c "$config" -nologo -v:n -p:SeriesCompilerVersion="$version" "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }; }
generated() { grep -qE "SeriesCompiler: [0-9]+ rule" "$log" || fail "the build did not regenerate"; grep -E "SeriesCompiler: [0-9]+ rule" "$log"; }
skipped() { # a second build with the same settings
  build "$@"
  grep -F 'Skipping target "_SeriesCompiler_Generate" because all output files are up-to-date' "$log" || fail "the second build did not skip the generation"
}
# The classes in the built assembly (Program.cs lists them) and the files in obj/, against what is expected.
expect() { # namespace, then "Class order" lines
  local ns=$1; shift
  local want; want=$(for line in "$@"; do echo "rule $ns.${line% *} order ${line##* }"; done; echo "registry $ns.RuleRegistry")
  local got; got=$(dotnet bin/"$config"/net10.0/Consumer.dll) || { echo "$got"; fail "the consumer failed"; }
  diff <(echo "$want") <(echo "$got") || fail "wrong classes (above: - expected, + built)"
  local files; files=$( (for line in "$@"; do echo "${line% *}.g.cs"; done; echo RuleRegistry.g.cs) | sort)
  diff <(echo "$files") <(ls "$gen" | grep -v '^Stencils\.g\.cs$' | sort) || fail "stale or missing files in $gen"
  if grep -L "^namespace $ns;" "$gen"/*.g.cs | grep .; then fail "files above are not in namespace $ns"; fi
  echo "$got"
}

build; generated
expect Consumer.Rules "GammaSumRule -" "ThinnedRule 4"
skipped

echo "== the seriesc tool from the feed compiles the same code"
dotnet tool install seriesc --version "$version" --tool-path "$work/tools" >/dev/null
# On linux-x64 the install picks the precompiled RID package, elsewhere the portable one.
if [[ $(uname -s)-$(uname -m) == Linux-x86_64 ]]; then
  installed=$work/tools/.store/seriesc/$version/seriesc.linux-x64/$version/tools/net10.0/linux-x64
  [[ -f $installed/seriesc.dll ]] || fail "dotnet tool install did not pick seriesc.linux-x64"
  # The native front answers check and coefficients as the managed seriesc does, byte for byte, and hands the rest on.
  bash "$root/tests/consumer/native-front.sh" "$installed"
fi
"$work/tools/seriesc" compile distributions --namespace Consumer.Rules --order 4 --out "$work/cli-out"
# Without the experiments it says how to run them (exit code 1), on one line.
if "$work/tools/seriesc" experiment --list > "$work/experiment.out" 2> "$work/experiment.err"; then fail "the packed tool ran experiment --list"; fi
grep -qF 'dotnet run --project src/Cli -- experiment NAME' "$work/experiment.err" || { cat "$work/experiment.err"; fail "the packed tool does not say how to run the experiments"; }
diff -r "$work/cli-out" "$gen"

echo "== -p:SeriesOrder=6, then back to the project's 4"
build -p:SeriesOrder=6; generated
expect Consumer.Rules "GammaSumRule -" "ThinnedRule 6"
skipped -p:SeriesOrder=6
build; generated
expect Consumer.Rules "GammaSumRule -" "ThinnedRule 4"

echo "== SeriesNamespace changed in Directory.Build.props"
sed -i 's|<SeriesNamespace>Consumer.Rules</SeriesNamespace>|<SeriesNamespace>Consumer.Other</SeriesNamespace>|' Directory.Build.props
grep -qF Consumer.Other Directory.Build.props || fail "Directory.Build.props no longer sets SeriesNamespace"
build; generated
expect Consumer.Other "GammaSumRule -" "ThinnedRule 4"
skipped

echo "== a deleted .dist takes its class with it"
rm distributions/thinned.dist
build; generated
expect Consumer.Other "GammaSumRule -"
skipped

echo "== dotnet clean deletes the generated files; the next build regenerates"
dotnet clean -c "$config" -nologo -v:q -p:SeriesCompilerVersion="$version" > "$log" 2>&1 || { cat "$log"; exit 1; }
if ls "$gen"/*.g.cs obj/"$config"/net10.0/SeriesCompiler.files.txt obj/"$config"/net10.0/SeriesCompiler.inputs.cache 2>/dev/null; then
  fail "dotnet clean left the files above"
fi
build; generated
expect Consumer.Other "GammaSumRule -"
skipped

echo "== every .dist deleted: no class left"
mkdir "$work/kept" && mv distributions/*.dist "$work/kept/"
build
got=$(dotnet bin/"$config"/net10.0/Consumer.dll)
[[ "$got" == "registry " ]] || { echo "$got"; fail "classes left after every .dist was deleted"; }
if ls "$gen"/*.g.cs 2>/dev/null; then fail "generated files left after every .dist was deleted"; fi
mv "$work/kept/"*.dist distributions/

echo "== an error in a declaration is an MSBuild error at its position"
printf 'distribution Broken(p > 0) {\n    support positive\n    cgf(t) = p*nosuch(t)\n}\n' > distributions/broken.dist
if dotnet build -c "$config" -nologo -v:q -p:SeriesCompilerVersion="$version" > "$work/build3.log" 2>&1; then
  fail "the build of a broken declaration succeeded"
fi
grep -E "broken\.dist\(3,[0-9]+\): error SC[0-9]{4}:" "$work/build3.log"
rm distributions/broken.dist
build; generated
expect Consumer.Other "GammaSumRule -"
echo "consumer package test: ok"
