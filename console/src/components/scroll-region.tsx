import type { ReactNode } from 'react';

/**
 * A table that may scroll sideways on a narrow screen. Keyboard users must be able to reach and
 * scroll it (axe `scrollable-region-focusable`), so the wrapper is a named, focusable region.
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keyboard.
    <section className="table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
