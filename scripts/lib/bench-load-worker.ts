/**
 * One process of the benchmark's load generator (Twilio's side): runs a share of the simulated
 * calls so the generator is not the bottleneck, and reports over IPC.
 *   ← {type:'open', streamUrl, parameters}      → {type:'flowing', failedCalls}
 *   ← {type:'measure', startEpochMs, endEpochMs} → {type:'measured', framesSent, framesLost, roundTripsMs, cpuPercent}
 *   ← {type:'close'}                             → {type:'closed'}
 */
import { type BenchCalls, openBenchCalls } from './bench-calls.ts';

type Command =
  | { type: 'open'; streamUrl: string; parameters: Record<string, string>[] }
  | { type: 'measure'; startEpochMs: number; endEpochMs: number }
  | { type: 'close' };

let calls: BenchCalls | undefined;
const reply = (message: unknown) => process.send?.(message);

process.on('message', (command: Command) => {
  void (async () => {
    if (command.type === 'open') {
      calls = openBenchCalls(command.streamUrl, command.parameters);
      reply({ type: 'flowing', failedCalls: await calls.flowing });
    } else if (command.type === 'measure' && calls) {
      const before = process.cpuUsage();
      const startedAt = performance.now();
      const measured = await calls.measure(command.startEpochMs, command.endEpochMs);
      const cpu = process.cpuUsage(before);
      const elapsedMicros = (performance.now() - startedAt) * 1000;
      reply({ type: 'measured', ...measured, cpuPercent: (100 * (cpu.user + cpu.system)) / elapsedMicros });
    } else if (command.type === 'close') {
      await calls?.close();
      reply({ type: 'closed' });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
