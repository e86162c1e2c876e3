#!/usr/bin/env bash
# Re-creates every Minitest sample case from scratch: a small library and its tests in a temp dir,
# real runs (ruby directly and under rake's TestTask) captured as CI would
# (`cmd > output.log 2>&1; echo $? > exit_code`).
# Usage (from the repo root): bash sample_logs/minitest/generate.sh
# Needs (Debian 12, pinned): ruby3.1 (3.1.2, bundles minitest 5.15.0 and rake 13.0.6).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir minitest
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset TESTOPTS TEST N MT_NO_PLUGINS || true
export MT_NO_PLUGINS=1   # no plugin from the system's gems changes the output

V="minitest $(ruby -e 'require "minitest"; print Minitest::VERSION'), rake $(ruby -e 'require "rake"; print Rake::VERSION'), Ruby $(ruby -e 'print RUBY_VERSION') (Debian)"
write_toml() {  # CASE VERDICT DESCRIPTION COMMAND
    {
        echo 'tool = "minitest"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

project() {
    mkdir -p "$1/lib" "$1/test"
    cat > "$1/lib/temperature.rb" <<'EOF'
class Temperature
  class InvalidError < ArgumentError; end
  def self.to_celsius(f)
    raise InvalidError, "below absolute zero" if f < -459.67
    ((f - 32) * 5.0 / 9).round(1)
  end
end
EOF
    cat > "$1/test/temperature_test.rb" <<'EOF'
require "minitest/autorun"
require_relative "../lib/temperature"

class TemperatureTest < Minitest::Test
  def test_freezing_point
    assert_equal 0.0, Temperature.to_celsius(32)
  end

  def test_boiling_point
    assert_equal 100.0, Temperature.to_celsius(212)
  end

  def test_error_handling_below_absolute_zero
    error = assert_raises(Temperature::InvalidError) { Temperature.to_celsius(-500) }
    assert_match(/absolute zero/, error.message)
  end

  def test_failure_report_format
    skip "failure report not written yet"
  end
end
EOF
    cat > "$1/Rakefile" <<'EOF'
require "rake/testtask"
Rake::TestTask.new(:test) do |t|
  t.libs << "lib"
  t.test_files = FileList["test/**/*_test.rb"]
end
task default: :test
EOF
}

# ------------------------------------------------ all_pass
P="$WORK/pass"; project "$P"; cd "$P"
capture all_pass ruby -Ilib test/temperature_test.rb --seed 4242
write_toml all_pass consistent "three tests pass (one named test_error_handling_below_absolute_zero) and one is skipped: '4 runs, 5 assertions, 0 failures, 0 errors, 1 skips', exit 0" "ruby -Ilib test/temperature_test.rb --seed 4242"

# ------------------------------------------------ failure
P="$WORK/fail"; project "$P"; cd "$P"
sed -i 's/assert_equal 100.0, Temperature.to_celsius(212)/assert_equal 100.0, Temperature.to_celsius(211)/' test/temperature_test.rb
capture failure ruby -Ilib test/temperature_test.rb --seed 4242
write_toml failure consistent "one assertion fails: '1) Failure:', '4 runs, 5 assertions, 1 failures, 0 errors, 1 skips', exit 1" "ruby -Ilib test/temperature_test.rb --seed 4242"

# ------------------------------------------------ tee_trap
capture tee_trap sh -c 'ruby -Ilib test/temperature_test.rb --seed 4242 2>&1 | tee minitest.log'
write_toml tee_trap false-success "the failing run piped into tee in sh without pipefail: '1 failures' in the summary, tee's 0 recorded" "sh -c 'ruby -Ilib test/temperature_test.rb --seed 4242 2>&1 | tee minitest.log'"

# ------------------------------------------------ error: an exception in a test
P="$WORK/error"; project "$P"; cd "$P"
sed -i 's/Temperature.to_celsius(32)/Temperature.to_celsius(nil)/' test/temperature_test.rb
capture error ruby -Ilib test/temperature_test.rb --seed 4242
write_toml error consistent "a test raises NoMethodError: '1) Error:', '4 runs, 4 assertions, 0 failures, 1 errors, 1 skips', exit 1" "ruby -Ilib test/temperature_test.rb --seed 4242"

# ------------------------------------------------ rake_failure and rake_or_true
cd "$WORK/fail"
capture rake_failure rake test TESTOPTS=--seed=4242
write_toml rake_failure consistent "the failing test under rake's TestTask: minitest's summary, then 'rake aborted!' and 'Command failed with status (1)', exit 1" "rake test TESTOPTS=--seed=4242"
capture rake_or_true sh -c 'rake test TESTOPTS=--seed=4242 || true'
write_toml rake_or_true false-success "the same rake run with '|| true': '1 failures', 'rake aborted!', status 0 recorded" "sh -c 'rake test TESTOPTS=--seed=4242 || true'"

echo "minitest samples written to $HERE"
