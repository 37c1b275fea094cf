#!/usr/bin/env node
// The README's first command, tried the way a new user tries it: `npm start` on this clone with
// whatever Node the machine has, both health endpoints waited for, then Ctrl-C (SIGINT to the
// whole process group, as a terminal sends it), and nothing of it may be left running.
// Plain JavaScript for old Node versions: it runs before the project's Node 22 exists.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apiPort = Number(process.env.API_PORT || 3000);
const mediaPort = Number(process.env.MEDIA_PORT || 8080);
// The first start installs the dependencies; give it the time a slow mirror needs.
const startTimeoutMs = 12 * 60_000;
const stopTimeoutMs = 30_000;

const banner = 'ai-caller is running';
const say = (msg) => process.stdout.write(`[check-start] ${msg}\n`);
let output = '';
function fail(msg) {
  process.stderr.write(`\n[check-start] FAILED: ${msg}\n--- npm start output ---\n${output}\n`);
  process.exit(1);
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/health', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** Processes still alive in the given process group, or whose command line names this clone. */
function leftovers(group) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      // Field 5 of /proc/N/stat is the process group; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if ((group !== undefined && pgid === group) || cmdline.includes(root)) {
        found.push(`${name}: ${cmdline.slice(0, 160)}`);
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

const before = leftovers();
if (before.length > 0) fail(`processes of this clone already run:\n${before.join('\n')}`);

say(`npm start (node ${process.version} on the PATH)`);
const child = spawn('npm', ['start'], {
  cwd: root,
  detached: true, // its own process group, like a job in a terminal
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, CI: 'true' },
});
child.stdout.on('data', (c) => {
  output += c;
});
child.stderr.on('data', (c) => {
  output += c;
});
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
let exitInfo;
exited.then((info) => {
  exitInfo = info;
});

const started = Date.now();
for (;;) {
  if (exitInfo)
    fail(`npm start exited (code ${exitInfo.code}, signal ${exitInfo.signal}) before it was healthy`);
  if (Date.now() - started > startTimeoutMs) {
    process.kill(-child.pid, 'SIGKILL');
    fail('the platform was not healthy in time');
  }
  if ((await healthy(apiPort)) && (await healthy(mediaPort))) break;
  await new Promise((r) => setTimeout(r, 500));
}
say(`API and media service healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
// A user presses Ctrl-C after reading the banner, not the instant the ports answer: the banner
// follows the media service's own health check, so wait for it before stopping.
const bannerDeadline = Date.now() + 30_000;
while (!output.includes(banner)) {
  if (exitInfo) fail(`npm start exited (code ${exitInfo.code}, signal ${exitInfo.signal}) before its banner`);
  if (Date.now() > bannerDeadline) {
    process.kill(-child.pid, 'SIGKILL');
    fail('the start banner was not printed within 30 s of both services being healthy');
  }
  await new Promise((r) => setTimeout(r, 100));
}
say(`banner printed after ${((Date.now() - started) / 1000).toFixed(1)} s; sending Ctrl-C`);

process.kill(-child.pid, 'SIGINT');
const stopped = await Promise.race([
  exited,
  new Promise((r) => setTimeout(() => r(undefined), stopTimeoutMs)),
]);
if (!stopped) {
  process.kill(-child.pid, 'SIGKILL');
  fail(`npm start did not stop within ${stopTimeoutMs / 1000} s of Ctrl-C`);
}
// The group's members may still be finishing after npm itself left.
const deadline = Date.now() + 10_000;
let left = leftovers(child.pid);
while (left.length > 0 && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 200));
  left = leftovers(child.pid);
}
if (left.length > 0) fail(`still running after Ctrl-C:\n${left.join('\n')}`);
say(`stopped cleanly (exit code ${stopped.code ?? stopped.signal}); nothing left running`);
