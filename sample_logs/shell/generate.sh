#!/usr/bin/env bash
# Re-creates every shell-script sample case from scratch.
# Run from the repo root:  bash sample_logs/shell/generate.sh
# Needs: bash (Debian). No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir shell
cd "$WORK"

export LC_ALL=C LANG=C
BASH_VERSION_LINE="$(bash --version | sed -n 1p)"


write_toml() {
    local forced=""
    [ -n "${5:-}" ] && forced="forced_verdict = \"$5\"  # with --tool shell: nothing in the log names the tool"
    cat > "$HERE/$1/case.toml" <<EOF
tool = "shell"
expected_verdict = "$2"
description = "$3"
produced_by = "$BASH_VERSION_LINE, \`$4\`"
hand_written = false
colour = false
EOF
    # Only when given: an empty line would end the file where the committed ones do not.
    [ -z "$forced" ] || echo "$forced" >> "$HERE/$1/case.toml"
}

# A release script that calls a tool which is not installed. Fed to bash on stdin, the way
# CI runners feed job scripts, so bash names itself 'bash: line N:'.
write_build() {  # $1: "" or "set -e"
    cat > build.sh <<EOF
#!/bin/bash
$1
echo "==> building release 1.4.2"
mkdir -p dist
printf 'body { color: red }\n' > dist/site.css
minify-assets --in dist/site.css --out dist/site.min.css
echo "==> release 1.4.2 ready in dist/"
EOF
}

# A deploy script that reads a config file that is not there.
write_deploy() {  # $1: "" or "set -e"
    cat > deploy.sh <<EOF
#!/bin/bash
$1
echo "==> deploying to staging"
TARGET=\$(cat /etc/exitaudit-demo/staging.conf)
echo "target host: \${TARGET}"
echo "==> deploy finished"
EOF
}

# ------------------------------------------------ missing-command (no set -e)
write_build ""
capture missing-command bash -c 'bash < build.sh'
write_toml missing-command false-success \
  "script without set -e calls a tool that is not installed ('bash: line 6: minify-assets: command not found'), then prints 'ready' and exits 0" \
  "bash < build.sh"

# ------------------------------------------------ missing-file (no set -e)
write_deploy ""
capture missing-file bash deploy.sh
write_toml missing-file false-success \
  "script without set -e: 'cat: /etc/exitaudit-demo/staging.conf: No such file or directory', carries on with an empty target, prints 'deploy finished' and exits 0" \
  "bash deploy.sh"

# ------------------------------------------------ missing-command-set-e
write_build "set -e"
capture missing-command-set-e bash -c 'bash < build.sh'
write_toml missing-command-set-e consistent \
  "same build script with set -e: 'bash: line 6: minify-assets: command not found' stops it with exit 127" \
  "bash < build.sh"

# ------------------------------------------------ missing-file-set-e
write_deploy "set -e"
capture missing-file-set-e bash deploy.sh
write_toml missing-file-set-e consistent \
  "same deploy script with set -e: the failing cat in the command substitution stops it with exit 1" \
  "bash deploy.sh"

# ------------------------------------------------ honest-error-words
cat > check-logs.sh <<'EOF'
#!/bin/bash
set -euo pipefail
printf '2024-05-01 10:00:00 INFO service started\n2024-05-01 10:00:05 INFO request handled\n' > app.log
echo "==> scanning app.log for errors"
count=$(grep -c ERROR app.log || true)
echo "ERROR lines found: ${count}"
echo "test_error_handler_returns_500 ... ok"
echo "test_no_error_on_empty_input ... ok"
echo "2 tests: 0 errors, 0 failures"
echo "==> no errors"
EOF
capture honest-error-words bash check-logs.sh
write_toml honest-error-words no-coverage \
  "successful script whose output is full of the word 'error' ('ERROR lines found: 0', '0 errors, 0 failures', test names with 'error'); exits 0 - a false-alarm trap" \
  "bash check-logs.sh" consistent

# ------------------------------------------------ helpers a program runs for itself
# A build image without ncurses (no tput) and without git: only the commands the builds below
# need are on PATH. The programs run their helpers through /bin/sh -c, and dash reports the
# missing ones as `/bin/sh: 1: tput: not found` (make's $(shell)) or `sh: 1: tput: not found`
# (os.popen); both builds go on and succeed.
mkdir -p "$WORK/bin"
for tool in make mkdir; do ln -sf "$(command -v "$tool")" "$WORK/bin/$tool"; done
# The interpreter itself, not a version manager's shim script (which would need bash on PATH).
ln -sf "$(python3 -c 'import sys; print(sys.executable)')" "$WORK/bin/python3"
MAKE_VERSION_LINE="$(make --version | sed -n 1p)"

cat > Makefile <<'EOF'
# make runs a command without shell syntax itself (`make: tput: No such file or directory`)
# and one with `||` through /bin/sh -c (`/bin/sh: 1: tput: not found`).
BOLD := $(shell tput bold)
COLUMNS := $(shell tput cols || echo 80)

all:
	@echo "$(BOLD)==> compiling app ($(COLUMNS) columns)"
	@mkdir -p build
	@printf 'int main(void) { return 0; }\n' > build/app.c
	@echo "==> build ok"
EOF
capture helper-tput-make env PATH="$WORK/bin" make --no-print-directory all
write_toml helper-tput-make consistent \
  "a succeeding make build whose Makefile probes the terminal with \$(shell tput bold) and \$(shell tput cols || echo 80): make prints 'make: tput: No such file or directory' and its /bin/sh -c '/bin/sh: 1: tput: not found', the build goes on and exits 0 - a helper's missing command, not the script's" \
  "env PATH=<dir without tput> make --no-print-directory all"
sed -i "s|^produced_by = \"$BASH_VERSION_LINE, |produced_by = \"$MAKE_VERSION_LINE, dash as /bin/sh, |" "$HERE/helper-tput-make/case.toml"

cat > build_wheel.py <<'EOF'
import os


def terminal_width():
    # The helper's stderr goes to the build log; its failure only means "no terminal".
    out = os.popen("tput cols").read().strip()
    return int(out) if out.isdigit() else 80


def version():
    out = os.popen("git describe --tags").read().strip()
    return out or "0.0.0+unknown"


print("=" * terminal_width())
print(f"building demo-{version()}")
os.makedirs("dist", exist_ok=True)
with open("dist/demo.txt", "w") as fh:
    fh.write("demo\n")
print("wheel written to dist/")
EOF
capture helper-tput-python env PATH="$WORK/bin" PYTHONUNBUFFERED=1 python3 build_wheel.py
write_toml helper-tput-python consistent \
  "a succeeding Python build step that runs 'tput cols' and 'git describe' through os.popen in an image that has neither: '/bin/sh: 1: tput: not found', '/bin/sh: 1: git: not found', then 'wheel written', exit 0" \
  "env PATH=<dir without tput and git> python3 build_wheel.py"
sed -i "s|^produced_by = \"$BASH_VERSION_LINE, |produced_by = \"$(python3 --version), dash as /bin/sh, |" "$HERE/helper-tput-python/case.toml"

echo "shell samples written to $HERE"
