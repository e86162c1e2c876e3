#!/usr/bin/env bash
# Re-creates every dotnet sample case. The .NET SDK is not installed here, so every case is a real
# `dotnet test` log that a public project committed, downloaded from its pinned commit and checked
# against the sha256 recorded below. All three were written by PowerShell's `>` redirection, which
# saves UTF-16LE; exitaudit reads UTF-8 only and says so ("convert it first: iconv -f UTF-16 -t
# UTF-8"), so each is converted with `iconv -f UTF-16LE -t UTF-8` and nothing else: the byte order
# mark and the CRLF line ends are kept, no character is changed.
# A committed log does not record its run's exit status: the honest case gets the status dotnet
# test exits with for what the log shows (1 after failed tests or build errors), and the lying case
# is the same log with exit 0, the only thing that differs when `| tee` or `|| true` masks it.
# Usage (from the repo root): bash sample_logs/dotnet/generate.sh
# Needs: curl, sha256sum, iconv. Where raw.githubusercontent.com is unreachable, put on PATH a
# `curl` that serves the same commit from a local clone: the sha256 checks still apply.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir dotnet

public_log() {  # CASE REPO COMMIT PATH SHA256 EXIT
    local dir="$HERE/$1"
    mkdir -p "$dir"
    curl -fsSL "https://raw.githubusercontent.com/$2/$3/$4" -o "$WORK/log"
    echo "$5  $WORK/log" | sha256sum -c --quiet -
    iconv -f UTF-16LE -t UTF-8 "$WORK/log" > "$dir/output.log"
    echo "$6" > "$dir/exit_code"
}
public_toml() {  # CASE VERDICT DESCRIPTION PRODUCED_BY SOURCE
    {
        echo 'tool = "dotnet"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$4")"
        echo "source = $(toml_str "$5")"
        echo "converted = $(toml_str "UTF-16LE to UTF-8 with iconv (BOM and CRLF kept); the sha256 in generate.sh is the committed file's")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

C=Andrey-Pominov/PvpAnalytics; K=f19bf45887d0668920bb4172cecbeeaa0a844444; F=dotnet-test-output.txt
public_log vstest_failures "$C" "$K" "$F" f6efdb32085529a9e4b1f3e074e88d418afd78a4e8046d25f25894d9fb2d75ff 1
public_toml vstest_failures consistent \
  "dotnet test (VSTest 17.14.1, xUnit, net9.0): 7 tests fail, 19 are skipped, 'Failed!  - Failed:     7, Passed:    27, Skipped:    19, Total:    53'; exit 1" \
  "dotnet test (.NET 9 SDK, VSTest 17.14.1) on Windows, run by the project; output committed as $F" "https://github.com/$C/blob/$K/$F"
public_log vstest_failures_tee "$C" "$K" "$F" f6efdb32085529a9e4b1f3e074e88d418afd78a4e8046d25f25894d9fb2d75ff 0
public_toml vstest_failures_tee false-success \
  "the same real log audited with exit 0: what 'dotnet test | Tee-Object' or 'dotnet test | tee' records when the pipeline's status is the last command's" \
  "dotnet test (.NET 9 SDK, VSTest 17.14.1) on Windows, run by the project; output committed as $F; exit 0 stands for the masked status" "https://github.com/$C/blob/$K/$F"

C=TomasMartins50635/BalanceProjectionApp; K=3528fcb5ee9e2305f6f419c269aa71897ebd664f; F=dotnet-test-output.txt
public_log build_errors_partial_pass "$C" "$K" "$F" 04303bdf23469719866463e585562621183bc0560b80de075aa61d3f78ceb380 1
public_toml build_errors_partial_pass consistent \
  "dotnet test over a solution (.NET 10 SDK): three test projects fail to compile ('error CS1061'), MSB3277 warnings, and the one project that builds passes ('Passed!  - Failed:     0, Passed:    23'); exit 1" \
  "dotnet test (.NET SDK 10.0.201) on Windows, run by the project; output committed as $F" "https://github.com/$C/blob/$K/$F"
public_log build_errors_or_true "$C" "$K" "$F" 04303bdf23469719866463e585562621183bc0560b80de075aa61d3f78ceb380 0
public_toml build_errors_or_true false-success \
  "the same real log audited with exit 0, as 'dotnet test || true' records it: compile errors hide behind the one 'Passed!' line" \
  "dotnet test (.NET SDK 10.0.201) on Windows, run by the project; output committed as $F; exit 0 stands for the masked status" "https://github.com/$C/blob/$K/$F"

C=jwmcguire3/Pressure-Chain; K=983beb9f32cba855f03afd584f97b6c00d02c02e; F=dotnet-test.log
public_log restore_failed "$C" "$K" "$F" fb96ddf8f4ecb98bf9d20ec645d2ea05e6c35e0ca4d70ca1f1bb0c5cc9ec311c 1
public_toml restore_failed consistent \
  "dotnet test -v normal: the restore of the solution fails ('Done Building Project ... -- FAILED.', 'Build FAILED.' with '0 Error(s)'), no test runs; exit 1" \
  "dotnet test (detailed MSBuild logger) on Windows, run by the project; output committed as $F" "https://github.com/$C/blob/$K/$F"

echo "dotnet samples written to $HERE"
