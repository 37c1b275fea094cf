import { type FormEvent, useCallback, useRef, useState } from 'react';

/**
 * A form's submit: stops the browser's own submit, marks the form busy, clears the last error,
 * runs `action` and keeps what it throws for `<FormError>`. A check that fails before any request
 * (two passwords that differ) simply throws too.
 */
export function useFormAction(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const actionRef = useRef(action);
  actionRef.current = action;
  const submit = useCallback(async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await actionRef.current();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, submit };
}
