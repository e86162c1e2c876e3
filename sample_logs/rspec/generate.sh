#!/usr/bin/env bash
# Re-creates every RSpec sample case from scratch: small spec suites in a temp dir, real `rspec`
# runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`).
# Usage (from the repo root): bash sample_logs/rspec/generate.sh
# Needs (Debian 12, pinned): ruby3.1 (3.1.2), ruby-rspec=3.12.0c0e1m1s0-1 (rspec-core 3.12.0).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir rspec
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset SPEC_OPTS || true

V="rspec-core $(ruby -e 'require "rspec/core"; print RSpec::Core::Version::STRING') (Debian ruby-rspec), Ruby $(ruby -e 'print RUBY_VERSION')"
write_toml() {  # CASE VERDICT DESCRIPTION COMMAND
    {
        echo 'tool = "rspec"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

# suite DIR: a Stack class and its specs, all passing, with a pending and a skipped example whose
# names are full of failure words.
suite() {
    mkdir -p "$1/lib" "$1/spec"
    cat > "$1/lib/stack.rb" <<'EOF'
class Stack
  class EmptyError < StandardError; end
  def initialize; @items = []; end
  def push(x); @items.push(x); self; end
  def pop; raise EmptyError, "stack is empty" if @items.empty?; @items.pop; end
  def size; @items.size; end
end
EOF
    cat > "$1/spec/stack_spec.rb" <<'EOF'
require_relative "../lib/stack"

RSpec.describe Stack do
  it "pushes and pops" do
    expect(Stack.new.push(1).push(2).pop).to eq(2)
  end

  it "handles errors: raises EmptyError when popping an empty stack" do
    expect { Stack.new.pop }.to raise_error(Stack::EmptyError, "stack is empty")
  end

  it "counts items" do
    expect(Stack.new.push(:a).size).to eq(1)
  end

  it "reports failure counts in the error report" do
    pending "error report not written yet"
    expect(1).to eq(2)
  end

  it "survives a failed network call", skip: "needs the network" do
  end
end
EOF
}

# ------------------------------------------------ all_pass (documentation format)
P="$WORK/pass"; suite "$P"; cd "$P"
capture all_pass rspec --format documentation --order defined
write_toml all_pass consistent "3 examples pass; one pending and one skipped, named 'handles errors', 'reports failure counts', 'survives a failed network call'; '5 examples, 0 failures, 2 pending', exit 0" "rspec --format documentation --order defined"

# ------------------------------------------------ some_fail
P="$WORK/fail"; suite "$P"; cd "$P"
sed -i '0,/expect(Stack.new.push(1).push(2).pop).to eq(2)/s//expect(Stack.new.push(1).push(2).pop).to eq(1)/' spec/stack_spec.rb
capture some_fail rspec --order defined
write_toml some_fail consistent "one expectation fails: '5 examples, 1 failure, 2 pending', 'Failed examples:' with its rspec ./spec/... line, exit 1" "rspec --order defined"

# ------------------------------------------------ tee_trap
capture tee_trap sh -c 'rspec --order defined 2>&1 | tee rspec.log'
write_toml tee_trap false-success "the failing suite run as 'rspec | tee rspec.log' in sh without pipefail: '1 failure' in the summary, tee's 0 recorded" "sh -c 'rspec --order defined 2>&1 | tee rspec.log'"

# ------------------------------------------------ find_exec: one rspec per file, find's status
mkdir -p spec/more
cat > spec/more/queue_spec.rb <<'EOF'
RSpec.describe "a queue" do
  it "is first in, first out" do
    expect([1, 2].shift).to eq(1)
  end
end
EOF
capture find_exec sh -c "find spec -name '*_spec.rb' | sort -r | xargs -n1 -I{} sh -c 'rspec --order defined {}; true'"
write_toml find_exec false-success "one rspec per spec file, the way 'find spec -name *_spec.rb -exec rspec {} \\\\;' runs them: the first run fails ('5 examples, 1 failure'), the last passes, and the status recorded is find's 0" "sh -c \"find spec -name '*_spec.rb' | sort -r | xargs -n1 -I{} sh -c 'rspec --order defined {}; true'\""

# ------------------------------------------------ load_error: a spec file that does not parse
P="$WORK/broken"; suite "$P"; cd "$P"
printf 'RSpec.describe "broken" do\n  it "never loads" do\n    expect(1).to eq(1)\nend\n' > spec/broken_spec.rb
capture load_error rspec --order defined
write_toml load_error consistent "a spec file with a syntax error: 'An error occurred while loading ./spec/broken_spec.rb', '0 examples, 0 failures, 1 error occurred outside of examples', exit 1" "rspec --order defined"

# ------------------------------------------------ failure_exit_code: --failure-exit-code 3
P="$WORK/code"; suite "$P"; cd "$P"
sed -i '0,/expect(Stack.new.push(1).push(2).pop).to eq(2)/s//expect(Stack.new.push(1).push(2).pop).to eq(1)/' spec/stack_spec.rb
capture failure_exit_code rspec --order defined --failure-exit-code 3
write_toml failure_exit_code consistent "the failing suite with --failure-exit-code 3, as documented: '1 failure', exit 3" "rspec --order defined --failure-exit-code 3"

echo "rspec samples written to $HERE"
