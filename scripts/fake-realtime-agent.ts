/**
 * Runs the local fake realtime agent on its own (`npm start` already runs one when
 * OPENAI_API_KEY is not set):
 *
 *   npm run fake:agent -- --port 8089
 *   OPENAI_REALTIME_URL=ws://127.0.0.1:8089/v1/realtime npm start
 */
import { parseArgs } from 'node:util';
import { startFakeRealtimeAgent } from '../fakes/realtime/agent.ts';

const { values: args } = parseArgs({ options: { port: { type: 'string', default: '8089' } } });
const agent = await startFakeRealtimeAgent({ port: Number(args.port) });
process.stdout.write(`Fake realtime agent: OPENAI_REALTIME_URL=${agent.url}\n`);
const stop = () => void agent.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
