import { useCallback, useEffect, useRef, useState } from 'react';

export type Loadable<T> =
  | { state: 'loading'; data?: undefined; error?: undefined }
  | { state: 'ready'; data: T; error?: undefined }
  | { state: 'error'; data?: undefined; error: Error };

export interface UseApiOptions<T> {
  /** Fetch again this often while the page is visible. */
  pollMs?: number;
  /** Keep polling only while this says so of the data shown (a finished job needs no polling). */
  pollWhile?: (data: T) => boolean;
}

/**
 * Loads `fetcher()` when `key` changes. `reload()` fetches again keeping the shown data (no
 * flash of the loading state), which is what polling and "retry" want.
 */
export function useApi<T>(fetcher: () => Promise<T>, key: string, options: UseApiOptions<T> = {}) {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading' });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const pollWhileRef = useRef(options.pollWhile);
  pollWhileRef.current = options.pollWhile;
  const valueRef = useRef(value);
  valueRef.current = value;
  const generation = useRef(0);

  const load = useCallback(async (quiet: boolean) => {
    const mine = ++generation.current;
    if (!quiet) setValue({ state: 'loading' });
    try {
      const data = await fetcherRef.current();
      if (mine === generation.current) setValue({ state: 'ready', data });
    } catch (error) {
      if (mine === generation.current && !quiet) setValue({ state: 'error', error: error as Error });
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is what decides a new load.
  useEffect(() => {
    void load(false);
  }, [key, load]);

  useEffect(() => {
    if (!options.pollMs) return;
    const handle = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      const shown = valueRef.current;
      if (shown.state === 'ready' && pollWhileRef.current && !pollWhileRef.current(shown.data)) return;
      void load(true);
    }, options.pollMs);
    return () => clearInterval(handle);
  }, [options.pollMs, load]);

  const reload = useCallback(() => load(true), [load]);
  const retry = useCallback(() => load(false), [load]);
  return { ...value, reload, retry, setData: (data: T) => setValue({ state: 'ready', data }) };
}
