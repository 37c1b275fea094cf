import {
  createContext,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';

export interface ConfirmOptions {
  /** The question, as the dialog's heading (its accessible name). */
  title: string;
  /** What happens if confirmed (the dialog's description). */
  message?: ReactNode;
  /** The confirming button, a verb: "Revoke key", "Cancel campaign". */
  confirmLabel: string;
  cancelLabel?: string;
  /** Red confirming button for what cannot be undone. */
  danger?: boolean;
}

type Ask = (options: ConfirmOptions) => Promise<boolean>;
const ConfirmContext = createContext<Ask | null>(null);

/**
 * `const confirm = useConfirm(); if (await confirm({...})) …` — the console's one confirmation:
 * a modal `<dialog>` (the page behind is inert), labelled by its title and described by its
 * message, focus on the safe choice, Tab kept inside, Escape cancels, focus goes back after.
 */
export function useConfirm(): Ask {
  const ask = useContext(ConfirmContext);
  if (!ask) throw new Error('useConfirm needs a <ConfirmProvider>');
  return ask;
}

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<{ options: ConfirmOptions; resolve: (ok: boolean) => void } | null>(
    null,
  );
  const ask = useCallback<Ask>(
    (options) =>
      new Promise<boolean>((resolve) => {
        setPending((previous) => {
          previous?.resolve(false);
          return { options, resolve };
        });
      }),
    [],
  );
  const answer = useCallback(
    (ok: boolean) => {
      pending?.resolve(ok);
      setPending(null);
    },
    [pending],
  );
  return (
    <ConfirmContext.Provider value={ask}>
      {children}
      {pending && <ConfirmDialog options={pending.options} onAnswer={answer} />}
    </ConfirmContext.Provider>
  );
}

function ConfirmDialog({ options, onAnswer }: { options: ConfirmOptions; onAnswer: (ok: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const messageId = useId();

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    cancelRef.current?.focus();
    return () => {
      if (dialog?.open) dialog.close();
      opener?.focus();
    };
  }, []);

  // showModal makes the page inert; this keeps Tab cycling between the dialog's own buttons too.
  const trapTab = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab' || !ref.current) return;
    const focusable = Array.from(ref.current.querySelectorAll<HTMLElement>('button:not([disabled])'));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={options.message ? messageId : undefined}
      onCancel={(event) => {
        // Escape: answer "no" ourselves so React state and the dialog stay in step.
        event.preventDefault();
        onAnswer(false);
      }}
      onKeyDown={trapTab}
    >
      <h2 id={titleId}>{options.title}</h2>
      {options.message && (
        <div id={messageId} className="confirm-message">
          {options.message}
        </div>
      )}
      <div className="confirm-actions">
        <button ref={cancelRef} type="button" className="button" onClick={() => onAnswer(false)}>
          {options.cancelLabel ?? 'Keep it'}
        </button>
        <button
          type="button"
          className={`button ${options.danger ? 'button-danger' : 'button-primary'}`}
          onClick={() => onAnswer(true)}
        >
          {options.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
