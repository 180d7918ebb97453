#!/usr/bin/env bash
# The native front of the seriesc tool (src/Cli.Native, issue 17) against the managed seriesc it ships beside: for
# every command line below, standard output, standard error and the exit code must be the same, byte for byte.
# The list covers every bundled declaration in each format (table, json, latex), values at points, check over the
# bundled folder at two orders, declarations with errors, and command-line mistakes (exit codes 1 and 2), plus command
# lines the front hands on (estimate, --version, --help, completions). It also checks the front really serves its
# commands itself: copied alone, without seriesc.dll, check and coefficients still answer and the rest say what is missing.
# Usage: tests/consumer/native-front.sh DIR   (DIR holds the native `seriesc` and `seriesc.dll`: an installed tool's
# folder, or src/Cli's linux-x64 publish folder with the front copied in)
set -euo pipefail
dir=$(cd "${1:?usage: native-front.sh DIR}" && pwd)
native=$dir/seriesc managed=(dotnet "$dir/seriesc.dll")
[[ -x $native && -f $dir/seriesc.dll ]] || { echo "native-front.sh: $dir lacks seriesc (executable) or seriesc.dll" >&2; exit 2; }
[[ $(head -c 4 "$native" | tail -c 3) == ELF ]] || { echo "native-front.sh: $native is not a native executable" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/seriesc-native.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "native front: $*" >&2; exit 1; }

# Declarations with errors, and a folder of them: their diagnostics name file, line and column.
mkdir -p "$work/bad"
printf 'distribution Broken(k > 0 {\n    support positive\n}\n' > "$work/bad/syntax.dist"
printf 'distribution Unknown(a > 0) {\n    support real\n    cgf(t) = a * nosuch(t)\n}\n' > "$work/bad/unknown.dist"
printf 'distribution Cauchy(x0, g > 0) {\n    support real\n    logcf(w) = i*x0*w - g*abs(w)\n}\n' > "$work/bad/cauchy.dist"

# A user's declaration (no build-time class: estimate hands it on).
printf 'distribution Mine(k > 0, mu > 0) {\n    support positive\n    cgf(t) = -k * log(1 - mu*t)\n}\n' > "$work/mine.dist"

lines=()
for file in "$dir"/distributions/*.dist; do
  name=$(basename "$file" .dist)
  for format in table json latex; do lines+=("coefficients $name --order 6 --format $format"); done
done
lines+=(
  "" "check $dir/distributions" "check $dir/distributions --order 16" "check $dir/distributions/gamma.dist --order 3"
  "check $work/bad" "check $work/bad/syntax.dist $dir/distributions/gamma.dist" "check $work/nowhere.dist"
  "coefficients $work/bad/cauchy.dist" "coefficients $work/bad/syntax.dist --format json"
  "coefficients gamma --order 4 --at k=2.5,mu=0.7" "coefficients gamma --order 4 --at k=2.5,mu=0.7 --format json"
  "coefficients gamma --order 4 --at k=2.5,mu=0.7 --format latex" "coefficients laplace --order 6 --at mu=0,b=3"
  "coefficients dirichlet --order 3 --at alpha=[20,30,50] --format json" "coefficients binomial --order 5 --at n=10,p=0.3"
  "coefficients beta --order 4 --at alpha=0.5,beta=2" "coefficients poisson --order 64 --format json"
  "coefficients categorical --order 5 --at p1=0.2,p2=0.3" "coefficients logistic --order 8 --at mu=1,s=0.5 --format latex"
  "coefficients gamma --at k=-1,mu=1" "coefficients gamma --at k=2" "coefficients gamma --at q=1,k=1,mu=1"
  "coefficients gamma --at k=abc,mu=1" "coefficients nosuch" "coefficients gamma --order 0" "coefficients gamma --order 65"
  "coefficients gamma --order x" "coefficients gamma --format jsn" "coefficients gamma --bogus" "coefficients"
  "check" "check --order" "check --help" "coefficients --help" "coefficients gamma extra"
  # Handed on to the managed seriesc: the same process, so these compare its output with itself through the exec.
  "--version" "--help" "bogus" "coefficients gamma --order 2 --at k=2.5,mu=0.7 --generated"
  "[suggest:15] coefficients ga"
  # estimate, served by the front for a declaration with a build-time class (issue 13): every estimator, both formats,
  # --dims, threads, stencils, a multivariate and a discrete law, a non-separable f, mistakes (exit code 2).
  "estimate gamma --at k=2.5,mu=0.7 --f z^2 --samples 2000 --format json"
  "estimate gamma --at k=2.5,mu=0.7 --dims 100 --f (z-0.49)^2 --samples 20000 --estimator all --format json"
  "estimate gamma --at k=2.5,mu=0.7 --dims 100 --f (z-0.49)^2 --samples 3 --estimator all --format json"
  "estimate gamma --at k=2.5,mu=0.7 --dims 7 --f exp(-z)+sin(z) --samples 999 --estimator all --threads 2"
  "estimate gamma --at k=2.5,mu=0.7 --f log(z)*z --samples 5000 --derivatives stencil --format json"
  "estimate gamma --at k=[1.5,2.5],mu=0.7 --dims 2 --f tanh(z) --samples 1 --estimator all --format json"
  "estimate laplace --at mu=0,b=3 --f z^4 --samples 4000 --estimator all --wide"
  "estimate bivariatenormal --at m1=0,m2=1,s1=1,s2=2,rho=0.3 --f z1*z2+z1^3 --samples 3000 --estimator all --format json"
  "estimate poisson --at lambda=3 --f z^2 --samples 3000 --estimator all --format json"
  "estimate gamma --at k=-1,mu=0.7 --f z^2" "estimate gamma --at k=2.5,mu=0.7 --f z^^2" "estimate gamma --at k=2.5,mu=0.7 --f z^2 --dims 0"
  "estimate nosuch --at k=1 --f z" "estimate gamma --at k=2.5,mu=0.7 --f z^2 --samples 100000000000"
  # Handed on once the rule is to be loaded: another order, a user's declaration.
  "estimate gamma --at k=2.5,mu=0.7 --f z^2 --samples 2000 --order 2 --format json"
  "estimate $work/mine.dist --at k=2.5,mu=0.7 --f z^2 --samples 2000"
)
n=0 twin_lines=0
for line in "${lines[@]}"; do
  read -r -a words <<< "$line"
  set +e
  (cd "$work" && "$native" "${words[@]}" > "$work/native.out" 2> "$work/native.err"); native_rc=$?
  (cd "$work" && "${managed[@]}" "${words[@]}" > "$work/managed.out" 2> "$work/managed.err"); managed_rc=$?
  set -e
  # estimate's JSON carries its running time: compare everything but that field.
  if [[ $line == estimate* ]]; then sed -i -E 's/"seconds": *[0-9.eE+-]+/"seconds": T/g' "$work"/native.out "$work"/managed.out; fi
  # ... and the table its last column (the seconds of each estimator's rows).
  if [[ $line == estimate* && $line != *json* ]]; then sed -i -E 's/ [0-9]+\.[0-9]+$/ T/' "$work"/native.out "$work"/managed.out; fi
  cmp -s "$work/native.out" "$work/managed.out" || { diff "$work/managed.out" "$work/native.out" | head -20; fail "standard output differs for: seriesc $line"; }
  cmp -s "$work/native.err" "$work/managed.err" || { diff "$work/managed.err" "$work/native.err" | head -20; fail "standard error differs for: seriesc $line"; }
  (( native_rc == managed_rc )) || fail "exit code $native_rc (native) against $managed_rc (managed) for: seriesc $line"
  n=$((n + 1))
  # Where the front has an AVX-512 twin and this machine can run it, estimate ran there: run it again in the front's
  # own four-lane code (SERIESC_AVX512=0), which must give the same numbers.
  if [[ $line == estimate* && -x $dir/seriesc-avx512 ]]; then
    set +e
    (cd "$work" && SERIESC_AVX512=0 "$native" "${words[@]}" > "$work/v3.out" 2> "$work/v3.err"); v3_rc=$?
    set -e
    sed -i -E 's/"seconds": *[0-9.eE+-]+/"seconds": T/g' "$work/v3.out"
    if [[ $line != *json* ]]; then sed -i -E 's/ [0-9]+\.[0-9]+$/ T/' "$work/v3.out"; fi
    cmp -s "$work/v3.out" "$work/managed.out" || { diff "$work/managed.out" "$work/v3.out" | head -20; fail "standard output differs without the AVX-512 twin for: seriesc $line"; }
    cmp -s "$work/v3.err" "$work/managed.err" || { diff "$work/managed.err" "$work/v3.err" | head -20; fail "standard error differs without the AVX-512 twin for: seriesc $line"; }
    (( v3_rc == managed_rc )) || fail "exit code $v3_rc without the AVX-512 twin against $managed_rc (managed) for: seriesc $line"
    twin_lines=$((twin_lines + 1))
  fi
done
echo "native front: $n command lines, output and exit codes identical to the managed seriesc"
if [[ -x $dir/seriesc-avx512 ]]; then
  # On an AVX-512 machine (all five of x86-64-v4's flags) the exec really happens: the twin's path is the process's
  # (checked where strace is installed and may trace).
  avx512=1
  for flag in avx512f avx512dq avx512cd avx512bw avx512vl; do grep -qw "$flag" /proc/cpuinfo || avx512=0; done
  if (( avx512 )) && command -v strace > /dev/null; then
    if strace -f -e trace=execve -o "$work/exec.trace" "$native" estimate gamma --at k=2.5,mu=0.7 --f z^2 --samples 10 > /dev/null 2>&1; then
      grep -q 'seriesc-avx512"' "$work/exec.trace" || fail "estimate on an AVX-512 machine did not exec the twin"
    else
      echo "native front: strace could not trace here; the exec into the twin was not checked"
    fi
  fi
  if (( avx512 )); then
    echo "native front: $twin_lines estimate lines identical through the AVX-512 twin and the front's own four-lane code"
  else
    echo "native front: no AVX-512 here, so the twin never ran; $twin_lines estimate lines ran twice in the front's own code"
  fi
fi

# Served natively: a copy of the front alone with the declarations, no seriesc.dll beside it to hand anything to.
mkdir "$work/alone" && cp "$native" "$work/alone/" && cp -r "$dir/distributions" "$work/alone/"
out=$(cd "$work" && "$work/alone/seriesc" coefficients gamma --order 2 --format json) || fail "the front did not serve coefficients by itself"
grep -q '"c"' <<< "$out" || fail "coefficients by itself printed: $out"
(cd "$work" && "$work/alone/seriesc" check "$dir/distributions" 2> "$work/check.err") || { cat "$work/check.err"; fail "the front did not serve check by itself"; }
grep -qF "checked $(ls "$dir"/distributions/*.dist | wc -l) declarations" "$work/check.err" || { cat "$work/check.err"; fail "check by itself said otherwise"; }
if (cd "$work" && "$work/alone/seriesc" --version > /dev/null 2> "$work/alone.err"); then fail "the front answered --version without the managed seriesc"; fi
grep -qF "seriesc.dll) is missing" "$work/alone.err" || { cat "$work/alone.err"; fail "a hand-off without seriesc.dll did not say so"; }
out=$(cd "$work" && "$work/alone/seriesc" estimate gamma --at k=2.5,mu=0.7 --dims 10 --f "(z - 0.49)^2" --samples 1000 --format json) \
  || fail "the front did not serve estimate by itself"
grep -q '"gradient"' <<< "$out" || fail "estimate by itself printed: $out"
if (cd "$work" && "$work/alone/seriesc" estimate gamma --at k=2.5,mu=0.7 --f z^2 --order 2 > /dev/null 2> "$work/alone.err"); then
  fail "the front answered estimate --order 2 (no build-time class) without the managed seriesc"
fi
grep -qF "seriesc.dll) is missing" "$work/alone.err" || { cat "$work/alone.err"; fail "estimate --order 2 alone did not say what is missing"; }
echo "native front: check, coefficients and estimate answered by the front alone; --version and estimate --order 2 handed on"
