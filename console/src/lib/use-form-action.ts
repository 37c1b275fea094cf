import { type FormEvent, useCallback, useRef, useState } from 'react';

/**
 * A form's actions: `run(action)` marks the form busy, clears the last error, runs `action` and
 * keeps what it throws for `<FormError>`; `submit` is the form's own action (`action`) run from
 * its submit event, with the browser's submit stopped. A check that fails before any request
 * (two passwords that differ) simply throws too.
 */
export function useFormAction(action?: () => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const actionRef = useRef(action);
  actionRef.current = action;
  const run = useCallback(async (task: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  }, []);
  const submit = useCallback(
    async (event?: FormEvent) => {
      event?.preventDefault();
      const current = actionRef.current;
      if (current) await run(current);
    },
    [run],
  );
  return { busy, error, setError, run, submit };
}
