#!/usr/bin/env node
// Entry point of every `npm` script: runs set-up, then the rest of the command line under the
// project's own Node 22 (node_modules/.bin/node), whatever Node started this file.
//
//   node scripts/launch.mjs [--browser] <node arguments…>
//
// Why a launcher: `npm start` used to be `node setup.mjs && node start.ts`. On a fresh clone the
// shell resolved (and cached) `node` to the machine's own, older Node before set-up had created
// node_modules/.bin/node, so the second half ran TypeScript on the old Node and failed. Spawning
// the binary by its path after set-up cannot pick the wrong one. Plain JavaScript that runs on old
// Node versions, like setup.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const setupArgs = [];
while (args[0] === '--browser') setupArgs.push(args.shift());
if (args.length === 0) {
  process.stderr.write('usage: node scripts/launch.mjs [--browser] <node arguments…>\n');
  process.exit(2);
}

const setup = spawnSync(process.execPath, [join(root, 'scripts/setup.mjs'), ...setupArgs], {
  stdio: 'inherit',
});
if (setup.status !== 0) process.exit(setup.status ?? 1);

const bin = join(root, 'node_modules', '.bin');
const node22 = join(bin, 'node');
// Children that spawn `node` or `npx` themselves find the project's binaries first.
const env = {
  ...process.env,
  PATH: `${bin}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`,
};
const child = spawn(node22, args, { stdio: 'inherit', env });

// Ctrl-C in a terminal reaches the whole process group, the child included; a signal sent to this
// process alone (a supervisor, `kill`) must reach the child too. The child's handlers are
// idempotent, so receiving one twice is harmless.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('error', (error) => {
  process.stderr.write(`[launch] could not run ${node22}: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Leave the way the child left, so callers see the same signal.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
