#!/usr/bin/env bash
# Re-creates every pre-commit sample case from scratch: a throwaway venv with a pinned
# pre-commit and flake8, a git repository in a temp dir whose .pre-commit-config.yaml has local
# hooks only (language: system and pygrep, so nothing is cloned), real `pre-commit run
# --all-files` runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`): honest
# runs and a status lost in a pipe into tee.
# Run from the repo root:  bash sample_logs/pre-commit/generate.sh
# Needs: python3, git and PyPI (pip).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir pre-commit
cd "$WORK"

PRE_COMMIT_VERSION=4.0.1
FLAKE8_VERSION=7.1.1
export LC_ALL=C.UTF-8 LANG=C.UTF-8 NO_COLOR=1 PYTHONUNBUFFERED=1
export PRE_COMMIT_HOME="$WORK/cache" HOME="$WORK" GIT_CONFIG_NOSYSTEM=1
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION" "flake8==$FLAKE8_VERSION" "pycodestyle==2.12.1" "pyflakes==3.2.0"
export PATH="$WORK/venv/bin:$PATH"
V="pre-commit $PRE_COMMIT_VERSION, flake8 $FLAKE8_VERSION (pip), $(git --version), $(python --version 2>&1)"

write_toml() {  # case verdict description command [also]
    {
        echo 'tool = "pre-commit"'
        if [ -n "${5:-}" ]; then echo "also = [\"$5\"]"; fi
        echo "expected_verdict = \"$2\""
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

clear_cases

git config --global user.email ci@example.invalid
git config --global user.name CI
git config --global init.defaultBranch main

new_repo() {  # dir: a repository with the hook configuration, its files committed
    rm -rf "$WORK/$1"; mkdir -p "$WORK/$1/src"; cd "$WORK/$1"
    git init -q .
    cat > .pre-commit-config.yaml <<'EOF'
repos:
  - repo: local
    hooks:
      - id: flake8
        name: flake8
        entry: flake8
        language: system
        types: [python]
      - id: no-fixme
        name: no FIXME markers
        entry: 'FIXME'
        language: pygrep
        types: [python]
      - id: shellcheck-like
        name: shell scripts
        entry: 'false'
        language: system
        types: [shell]
EOF
}

# ------------------------------------------------ honest runs
new_repo clean
cat > src/errors.py <<'EOF'
def raise_error(message):
    raise RuntimeError("Failed: " + message)
EOF
git add -A && git commit -qm init
capture pass pre-commit run --all-files
write_toml pass consistent "every hook passes or has no files ('(no files to check)Skipped'); the code says 'Failed', exit 0" "pre-commit run --all-files"

new_repo dirty
cat > src/handlers.py <<'EOF'
import os


def error_handler(exc):
    # FIXME: log the error
    return exc
EOF
git add -A && git commit -qm init
capture fail pre-commit run --all-files
write_toml fail consistent "flake8 hook 'Failed' with '- exit code: 1' and F401, the pygrep hook 'Failed'; exit 1" "pre-commit run --all-files" flake8

cd "$WORK/dirty"
capture bad-config pre-commit run --all-files --config missing.yaml
write_toml bad-config consistent "a configuration file that does not exist: 'An error has occurred: InvalidConfigError', exit 1" "pre-commit run --all-files --config missing.yaml"

# ------------------------------------------------ lies
capture tee-trap bash -c 'pre-commit run --all-files | tee pre-commit.log'
write_toml tee-trap false-success "pre-commit piped into tee without pipefail: two hooks 'Failed' but the status recorded is tee's 0" "bash -c 'pre-commit run --all-files | tee pre-commit.log'" flake8

echo "pre-commit samples written to $HERE"
