#!/usr/bin/env bash
# Re-creates the Jenkins sample cases.
# Run from the repo root:  bash sample_logs/jenkins/generate.sh
#
# Jenkins cannot run here, so the console log around the sh step is written by this script from
# Jenkins' Pipeline console-output format ('[Pipeline] stage', '[Pipeline] { (Build)',
# '[Pipeline] sh', ..., 'ERROR: script returned exit code N', 'Finished: FAILURE' /
# 'Finished: SUCCESS').
# The sh step's output is REAL: the step's script is written to a file and run as the Pipeline
# sh step runs it, `/bin/sh -xe script.sh` (dash here, as on Debian-based agents: no pipefail),
# so the '+ make' trace lines and the make/gcc output are genuine.
# In a tee pipeline the order of lines written by the two sides (xtrace lines, stderr that
# bypasses tee) is decided by the scheduler, so it can differ between regenerations.
# Needs: dash, GNU make, gcc, python3 (Debian). No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${TMPDIR:-/tmp}/exitaudit-samples/jenkins"
rm -rf "$WORK"
PROJECT="$WORK/workspace/exitaudit-demo"
mkdir -p "$PROJECT/src" "$WORK/durable"
trap 'rm -rf "$WORK"; rmdir "$(dirname "$WORK")" 2>/dev/null || true' EXIT

export LC_ALL=C LANG=C
unset MAKEFLAGS MFLAGS MAKELEVEL || true
MAKE_VERSION="$(make --version | sed -n 1p)"
GCC_VERSION="$(gcc --version | sed -n 1p)"
SH_VERSION="dash $(dpkg-query -W -f='${Version}' dash 2>/dev/null || echo unknown)"

# The project: main.c calls greet() with the wrong number of arguments, so gcc fails.
cd "$PROJECT"
cat > src/greet.h <<'EOF'
void greet(const char *who);
EOF
cat > src/greet.c <<'EOF'
#include <stdio.h>
#include "greet.h"
void greet(const char *who) { printf("hello, %s\n", who); }
EOF
cat > src/main.c <<'EOF'
#include "greet.h"
int main(void) {
    greet("world", 2);
    return 0;
}
EOF
cat > Makefile <<'EOF'
CC = gcc
CFLAGS = -Wall -O2
OBJS = build/greet.o build/main.o
build/hello: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS)
build/%.o: src/%.c src/greet.h
	@mkdir -p build
	$(CC) $(CFLAGS) -c -o $@ $<
EOF

# run_sh CASE SCRIPT: run a Pipeline `sh` step's script as Jenkins does (sh -xe).
run_sh() {
    local script="$WORK/durable/$1.sh"
    printf '%s\n' "$2" > "$script"
    rm -rf build build.log
    set +e
    timeout 60 /bin/sh -xe "$script" > "$WORK/$1.out" 2>&1 < /dev/null
    echo $? > "$WORK/$1.rc"
    set -e
}

run_sh build-fails 'make'
run_sh tee-trap 'make 2>&1 | tee build.log'

# assemble CASE: wrap the real sh-step output in a Jenkins Pipeline console log.
assemble() {
    mkdir -p "$HERE/$1"
    python3 - "$WORK/$1.out" "$(cat "$WORK/$1.rc")" "$HERE/$1/output.log" <<'PY'
import sys

step_out, rc, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3]
URL = "https://git.example.com/demo/exitaudit-demo.git"
REV = "3f9c2e1a7b5d4c6e8f0a1b2c3d4e5f60718293a4"
lines = [
    "Started by user Jane Developer",
    f"Obtained Jenkinsfile from git {URL}",
    "[Pipeline] Start of Pipeline",
    "[Pipeline] node",
    "Running on Jenkins in /var/jenkins_home/workspace/exitaudit-demo",
    "[Pipeline] {",
    "[Pipeline] stage",
    "[Pipeline] { (Declarative: Checkout SCM)",
    "[Pipeline] checkout",
    "The recommended git tool is: NONE",
    "No credentials specified",
    " > git rev-parse --resolve-git-dir /var/jenkins_home/workspace/exitaudit-demo/.git # timeout=10",
    "Fetching changes from the remote Git repository",
    f" > git config remote.origin.url {URL} # timeout=10",
    f"Fetching upstream changes from {URL}",
    " > git --version # timeout=10",
    " > git --version # 'git version 2.39.2'",
    f" > git fetch --tags --force --progress -- {URL} +refs/heads/*:refs/remotes/origin/* # timeout=10",
    " > git rev-parse refs/remotes/origin/main^{commit} # timeout=10",
    f"Checking out Revision {REV} (refs/remotes/origin/main)",
    " > git config core.sparsecheckout # timeout=10",
    f" > git checkout -f {REV} # timeout=10",
    'Commit message: "Greet with a repeat count"',
    "[Pipeline] }",
    "[Pipeline] // stage",
    "[Pipeline] withEnv",
    "[Pipeline] {",
    "[Pipeline] stage",
    "[Pipeline] { (Build)",
    "[Pipeline] sh",
]
with open(step_out, encoding="utf-8") as fh:
    lines += fh.read().splitlines()
lines += ["[Pipeline] }", "[Pipeline] // stage", "[Pipeline] stage", "[Pipeline] { (Archive)"]
if rc != 0:
    lines += ['Stage "Archive" skipped due to earlier failure(s)', "[Pipeline] getContext"]
else:
    lines += ["[Pipeline] archiveArtifacts", "Archiving artifacts"]
lines += [
    "[Pipeline] }", "[Pipeline] // stage",
    "[Pipeline] }", "[Pipeline] // withEnv",
    "[Pipeline] }", "[Pipeline] // node",
    "[Pipeline] End of Pipeline",
]
if rc != 0:
    lines += [f"ERROR: script returned exit code {rc}", "Finished: FAILURE"]
else:
    lines += ["Finished: SUCCESS"]
with open(dest, "w", encoding="utf-8") as fh:
    fh.write("\n".join(lines) + "\n")
PY
    cp "$WORK/$1.rc" "$HERE/$1/exit_code"
}

write_toml() {
    cat > "$HERE/$1/case.toml" <<EOF
tool = "jenkins"
also = ["make"]                      # tools whose output the job log contains
expected_verdict = "$2"
description = "$3"
produced_by = "sh step output: $MAKE_VERSION, $GCC_VERSION, run by $SH_VERSION as \`sh -xe\` with step script \`$4\`; console log around it written by generate.sh"
hand_written = true
why_hand_written = "Jenkins cannot run on this machine. The console lines around the sh step ('Started by user', '[Pipeline] ...' lines, the skipped stage, 'ERROR: script returned exit code N', 'Finished: FAILURE' / 'Finished: SUCCESS') follow Jenkins' Pipeline console-output format; the sh step's output in between is real, captured by running the same step script with /bin/sh -xe (dash) as the Pipeline sh step does. exit_code holds the sh step's exit code that decided the build result (0 for 'Finished: SUCCESS')."
colour = false
EOF
}

assemble build-fails
write_toml build-fails consistent \
  "sh 'make': gcc 'error: too many arguments to function', 'make: *** [Makefile:8: build/main.o] Error 1'; the build ends 'ERROR: script returned exit code 2' / 'Finished: FAILURE'" \
  "make"

assemble tee-trap
write_toml tee-trap false-success \
  "sh 'make 2>&1 | tee build.log': gcc error and 'make: *** [...] Error 1' but sh -xe (dash) has no pipefail, so tee's 0 wins, the Archive stage runs and the build ends 'Finished: SUCCESS'" \
  "make 2>&1 | tee build.log"

echo "jenkins samples written to $HERE"
