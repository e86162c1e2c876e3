#!/usr/bin/env bash
# Re-creates every GNU make sample case from scratch.
# Run from the repo root:  bash sample_logs/make/generate.sh
# Needs: GNU make, gcc, sh (all from Debian). No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir make

export LC_ALL=C LANG=C
unset MAKEFLAGS MFLAGS MAKELEVEL || true

MAKE_VERSION="$(make --version | sed -n 1p)"


# write_toml CASE VERDICT DESCRIPTION COMMAND
write_toml() {
    local forced=""
    [ -n "${5:-}" ] && forced="forced_verdict = \"$5\"  # with --tool make: nothing in the log names the tool"
    cat > "$HERE/$1/case.toml" <<EOF
tool = "make"
expected_verdict = "$2"
description = "$3"
produced_by = "$MAKE_VERSION (Debian), \`$4\`"
hand_written = false
colour = false
EOF
    # Only when given: an empty line would end the file where the committed ones do not.
    [ -z "$forced" ] || echo "$forced" >> "$HERE/$1/case.toml"
}

# ---------------------------------------------------------------- recipe-error
P="$WORK/recipe-error"; mkdir -p "$P"; cd "$P"
cat > run-tests.sh <<'EOF'
#!/bin/sh
echo "test_parse_header ... ok"
echo "test_parse_body ... ok"
echo "test_render_table ... FAIL"
echo "  expected 3 columns, got 2"
echo "3 tests, 1 failure"
exit 1
EOF
chmod +x run-tests.sh
printf '.PHONY: all test\nall: test\n\ntest:\n\t@echo "running unit tests"\n\t./run-tests.sh\n' > Makefile
capture recipe-error make test
write_toml recipe-error consistent \
  "a test recipe exits 1; make prints '*** [Makefile:6: test] Error 1' and exits 2" "make test"

# --------------------------------------------------------------- ignored-error
P="$WORK/ignored-error"; mkdir -p "$P"; cd "$P"
cat > lint.sh <<'EOF'
#!/bin/sh
echo "src/table.c:41: warning: line longer than 100 characters"
echo "lint: 1 problem"
exit 1
EOF
chmod +x lint.sh
printf '.PHONY: all lint build\nall: lint build\n\nlint:\n\t-./lint.sh\n\nbuild:\n\t@echo "building app"\n\ttouch app\n' > Makefile
capture ignored-error make all
write_toml ignored-error consistent \
  "a recipe line prefixed with '-' fails; make prints 'Error 1 (ignored)', carries on and exits 0 - the failure was deliberately ignored" "make all"

# ---------------------------------------------------------------- tee-trap
P="$WORK/tee-trap"; mkdir -p "$P/lib"; cd "$P"
cat > lib/check.sh <<'EOF'
#!/bin/sh
echo "checking lib/strbuf.c"
echo "FAIL: strbuf_append overflows at 4096 bytes"
exit 1
EOF
chmod +x lib/check.sh
printf '.PHONY: test\ntest:\n\t@echo "testing lib"\n\t./check.sh\n' > lib/Makefile
printf '.PHONY: all\nall:\n\t$(MAKE) -C lib test\n\t@echo "all done"\n' > Makefile
capture tee-trap sh -c 'make all 2>&1 | tee build.log'
write_toml tee-trap false-success \
  "recursive make fails ('make[1]: *** ... Error 1', 'make: *** [Makefile:3: all] Error 2') but the run was 'make all | tee build.log' in sh without pipefail, so tee's 0 was recorded" \
  "sh -c 'make all 2>&1 | tee build.log'"

# ---------------------------------------------------------------- missing-target
P="$WORK/missing-target"; mkdir -p "$P"; cd "$P"
printf '.PHONY: all install\nall:\n\t@echo "nothing to build"\ninstall:\n\t@echo "installing"\n' > Makefile
capture missing-target make instal
write_toml missing-target consistent \
  "typo in the goal: make prints \\\"*** No rule to make target 'instal'.  Stop.\\\" and exits 2" "make instal"

# ---------------------------------------------------------------- clean-build
P="$WORK/clean-build"; mkdir -p "$P/src"; cd "$P"
cat > src/greet.c <<'EOF'
#include <stdio.h>
#include "greet.h"
void greet(const char *who) { printf("hello, %s\n", who); }
EOF
cat > src/greet.h <<'EOF'
void greet(const char *who);
EOF
cat > src/main.c <<'EOF'
#include "greet.h"
int main(void) { greet("world"); return 0; }
EOF
cat > Makefile <<'EOF'
CC = gcc
CFLAGS = -Wall -Wextra -O2
OBJS = build/main.o build/greet.o
.PHONY: all test clean
all: build/hello
build/hello: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS)
build/%.o: src/%.c src/greet.h
	@mkdir -p build
	$(CC) $(CFLAGS) -c -o $@ $<
test: build/hello
	./build/hello | grep -q 'hello, world'
	@echo "1 test passed, 0 errors"
clean:
	rm -rf build
EOF
capture clean-build make all test
write_toml clean-build no-coverage \
  "clean C build and smoke test with gcc; prints '1 test passed, 0 errors' and exits 0" "make all test" consistent

echo "make samples written to $HERE"
