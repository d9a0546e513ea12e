import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A modal question before a change that stays on the record (a change of status). The
 * browser's own modal dialog keeps the keyboard inside it, and Escape cancels; focus starts
 * on the safe answer's neighbour (the one that does what was asked) and, when the dialog
 * closes either way, goes back to the button that opened it.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  returnFocusTo,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  returnFocusTo: HTMLElement | null;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  // A double click on "Yes" must not change the state twice: the first answer wins.
  const answered = useRef(false);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => returnFocusTo?.focus();
  }, [returnFocusTo]);
  const answer = (yes: boolean) => {
    if (answered.current) return;
    answered.current = true;
    ref.current?.close();
    if (yes) onConfirm();
    else onCancel();
  };
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby="confirm-dialog-title"
      aria-describedby="confirm-dialog-body"
      onCancel={(e) => {
        // Escape: cancel, and let React (not the browser) close it.
        e.preventDefault();
        answer(false);
      }}
    >
      <h2 id="confirm-dialog-title">{title}</h2>
      <div id="confirm-dialog-body">{children}</div>
      <div className="button-row">
        <button type="button" className="button button-primary" autoFocus onClick={() => answer(true)}>
          {confirmLabel}
        </button>
        <button type="button" className="button" onClick={() => answer(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
