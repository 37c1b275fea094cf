#!/usr/bin/env node
// Prepares a machine for `npm start` / `npm test`: Node 22 (the npm package `node@22`, a
// devDependency, ships the binary), dependencies, the Java runtime DynamoDB Local needs, and
// Chromium for browser tests. Plain JavaScript that runs on old Node versions, since it runs
// before Node 22 exists here.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantBrowser = process.argv.includes('--browser');
const say = (msg) => process.stdout.write(`[setup] ${msg}\n`);
const die = (msg) => {
  process.stderr.write(`\n[setup] ${msg}\n\n`);
  process.exit(1);
};

function run(cmd, args, opts = {}) {
  const out = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (out.status !== 0) die(`\`${cmd} ${args.join(' ')}\` failed (exit ${out.status}).`);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
let aptUpdated = false;
function aptInstall(packages) {
  const sudo = isRoot ? [] : ['sudo', '-n'];
  if (!isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    spawnSync(
      sudo[0] ?? 'apt-get',
      [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-qq'],
      { stdio: 'inherit', env },
    );
    aptUpdated = true;
  }
  const cmd = sudo.length ? 'sudo' : 'apt-get';
  const args = [
    ...(sudo.length ? ['-n', 'apt-get'] : []),
    'install',
    '-y',
    '-qq',
    '--no-install-recommends',
    ...packages,
  ];
  return spawnSync(cmd, args, { stdio: 'inherit', env }).status === 0;
}

// 1. Dependencies (and with them Node 22), reinstalled when the lockfile changed.
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.setup-stamp');
const lockHash = createHash('sha256').update(readFileSync(lock)).digest('hex');
const node22 = join(root, 'node_modules', '.bin', 'node');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash || !existsSync(node22)) {
  say('installing dependencies (npm ci)…');
  const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    stdio: 'pipe',
    cwd: root,
    encoding: 'utf8',
  });
  if (ci.status !== 0 && !/in sync|lock file/i.test(`${ci.stderr}${ci.stdout}`)) {
    process.stderr.write(`${ci.stdout}${ci.stderr}`);
    die('npm ci failed.');
  }
  if (ci.status !== 0) {
    // Some registry mirrors omit other platforms' optional packages (e.g. biome's), which makes
    // `npm ci` call the lockfile out of sync; `npm install` honours the same lockfile versions.
    say('npm ci refused the lockfile; installing with npm install instead…');
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  }
  writeFileSync(stamp, lockHash);
}
let nodeVersion = '';
try {
  nodeVersion = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
} catch {
  die(
    'The Node 22 binary from the `node` package did not run. Run `npm ci` again, or install Node 22 yourself.',
  );
}
if (!nodeVersion.startsWith('v22.')) die(`Expected Node 22 from node_modules, found ${nodeVersion}.`);

// 2. Java 17+ for DynamoDB Local.
function javaMajor() {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) return 0;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  return m ? (Number(m[1]) === 1 ? Number(m[2]) : Number(m[1])) : 0;
}
if (javaMajor() < 17) {
  if (process.platform === 'linux' && hasApt) {
    say('installing a Java runtime for DynamoDB Local (apt)…');
    if (!aptInstall(['openjdk-17-jre-headless']) && !aptInstall(['default-jre-headless'])) {
      die(
        'Could not install Java. Install a Java 17+ runtime (e.g. `sudo apt-get install -y openjdk-17-jre-headless`) and try again.',
      );
    }
  }
  if (javaMajor() < 17) {
    die(
      'DynamoDB Local needs Java 17 or newer. Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and try again.',
    );
  }
}

// 3. Chromium for the browser tests (Debian's package; a test tool's own browser download cannot work offline).
if (wantBrowser && !existsSync('/usr/bin/chromium')) {
  if (process.platform === 'linux' && hasApt) {
    say('installing Chromium for the browser tests (apt)…');
    if (!aptInstall(['chromium']))
      say('Chromium could not be installed; the browser tests will say so and fail.');
  } else {
    say('Chromium (/usr/bin/chromium) is missing; the browser tests need it.');
  }
}
say(`ready: Node ${nodeVersion}, Java ${javaMajor()}`);
