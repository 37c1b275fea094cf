/**
 * Runs beside `npm start` (infra/local/start.ts) in its own process group. The supervisor writes
 * the pid of every child it starts (DynamoDB Local, the media service) to this process's stdin,
 * one per line. When stdin closes (the supervisor exited: normally, by a crash or by SIGKILL),
 * each child still alive gets SIGTERM, then SIGKILL after a grace period, and the guard exits.
 * Nothing else can do this: Java and Node have no portable way to die with their parent.
 */
const GRACE_MS = 5_000;
const POLL_MS = 100;

const pids = new Set<number>();
let pending = '';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function reap(): Promise<void> {
  const left = [...pids].filter(alive);
  for (const pid of left) signal(pid, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (left.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  for (const pid of left.filter(alive)) signal(pid, 'SIGKILL');
  process.exit(0);
}

// Terminal signals meant for the supervisor's group must not stop the guard before it has reaped.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const pid = Number(line.trim());
    if (Number.isInteger(pid) && pid > 0) pids.add(pid);
  }
});
process.stdin.on('close', () => void reap());
process.stdin.on('end', () => void reap());
