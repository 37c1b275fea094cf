import type { ClientEvent, FakeRealtimeConnection } from '../../fakes/realtime/scripted-server.ts';

/**
 * The model's side of a warm transfer in call tests (test-only): the model calls `transfer_call`
 * with `mode: "warm"`, then answers the lines the transfer asks for (out-of-band responses: the
 * hold announcement to the caller, the briefing to the person).
 */
export function requestWarmTransfer(model: FakeRealtimeConnection, args: Record<string, unknown> = {}): void {
  model.responseCreated('wt_request');
  model.functionCall('wt_request', 'fc_transfer', 'transfer_call', { mode: 'warm', ...args });
  model.responseDone('wt_request');
}

type LineRequest = ClientEvent & { response: { conversation?: string; instructions: string } };

const isLine = (event: ClientEvent) =>
  (event.response as { conversation?: string } | undefined)?.conversation === 'none';

/** Waits for the `n`-th out-of-band line requested (1: hold announcement, 2: briefing) and speaks it. */
export async function speakLine(
  model: FakeRealtimeConnection,
  n: number,
  audio?: Buffer,
): Promise<LineRequest> {
  const request = (await model.waitFor(
    'response.create',
    () => model.received.filter((e) => e.type === 'response.create' && isLine(e)).length >= n,
  )) as ClientEvent;
  const lines = model.received.filter((e) => e.type === 'response.create' && isLine(e));
  const id = `wt_line_${n}`;
  if (audio) model.speak(id, `${id}_item`, [audio], 'line');
  else {
    model.responseCreated(id);
    model.responseDone(id);
  }
  return (lines[n - 1] ?? request) as LineRequest;
}

/** The transfer's `function_call_output`, parsed, once it was sent. */
export async function transferResult(model: FakeRealtimeConnection): Promise<Record<string, unknown>> {
  const event = await model.waitFor(
    'conversation.item.create',
    (e) => (e.item as { call_id?: string } | undefined)?.call_id === 'fc_transfer',
  );
  return JSON.parse((event.item as { output: string }).output);
}

/** Whether the model was asked for a normal response after the transfer's result (the agent speaks again). */
export function respondedAfterResult(model: FakeRealtimeConnection): boolean {
  const index = model.received.findIndex(
    (e) => (e.item as { call_id?: string } | undefined)?.call_id === 'fc_transfer',
  );
  return model.received.slice(index).some((e) => e.type === 'response.create' && !isLine(e));
}

/** Prints a measured figure when WARM_TRANSFER_FIGURES is set (figures are reported, never asserted). */
export function reportFigure(name: string, ms: number): void {
  if (process.env.WARM_TRANSFER_FIGURES) process.stderr.write(`FIGURE ${name}: ${ms} ms\n`);
}
