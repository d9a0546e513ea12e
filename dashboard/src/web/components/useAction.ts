import { useState } from 'react';

/**
 * A form's submit. `run` marks the form busy, clears the last error and awaits the action;
 * whatever the action throws (a `checkForm` problem or the server's refusal) lands in
 * `error`, and the fields keep what was typed.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}

/**
 * An action on one row of a table (disable, remove, revoke). `run` marks that row busy and
 * clears the last error and confirmation; a string the action returns becomes the new
 * confirmation, and whatever it throws lands in `error`.
 */
export function useRowAction() {
  const [busyId, setBusyId] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  async function run(id: string, action: () => Promise<string | void>): Promise<void> {
    setBusyId(id);
    setError(null);
    setConfirmation(null);
    try {
      const message = await action();
      if (typeof message === 'string') setConfirmation(message);
    } catch (err) {
      setError(err);
    } finally {
      setBusyId(null);
    }
  }
  return { busyId, error, setError, confirmation, setConfirmation, run };
}
