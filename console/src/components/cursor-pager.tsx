/**
 * Previous / Next over a cursor-paged list. `stack` holds the cursors of the pages seen so far;
 * with a single page and nothing after it there is nothing to page, so nothing is drawn.
 */
export function CursorPager({
  label,
  stack,
  nextCursor,
  onChange,
}: {
  label: string;
  stack: (string | null)[];
  nextCursor: string | null | undefined;
  onChange: (next: (string | null)[]) => void;
}) {
  if (stack.length <= 1 && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        className="button"
        disabled={stack.length <= 1}
        onClick={() => onChange(stack.slice(0, -1))}
      >
        Previous
      </button>
      <span className="muted small">Page {stack.length}</span>
      <button
        type="button"
        className="button"
        disabled={!nextCursor}
        onClick={() => onChange([...stack, nextCursor ?? null])}
      >
        Next
      </button>
    </nav>
  );
}
