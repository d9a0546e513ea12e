/**
 * Marks the fields a refused form got wrong. A form wraps its fields in <FormProblems>
 * with the error it got; every field whose `name` the error's issues mention is marked
 * (aria-invalid, its own message under it), and the first of them takes the focus.
 */
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError, type FieldIssue } from '../errors';

const ProblemsContext = createContext<FieldIssue[]>([]);

export function FormProblems({ error, children }: { error: unknown; children: ReactNode }) {
  const { t } = useTranslation();
  const issues = error === null || error === undefined ? [] : describeError(error, t).issues;
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (error === null || error === undefined) return;
    box.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);

  return (
    <ProblemsContext.Provider value={issues}>
      <div ref={box} className="form-problems">
        {children}
      </div>
    </ProblemsContext.Provider>
  );
}

/** The problem with the field `name` (or any of its sub-fields), if the last refusal named it. */
export function useFieldProblem(name: string | undefined): FieldIssue | undefined {
  const issues = useContext(ProblemsContext);
  if (name === undefined) return undefined;
  return issues.find(
    (i) => i.path === name || i.path.startsWith(`${name}.`) || i.path.startsWith(`${name}[`),
  );
}

const sentence = (text: string) => (text === '' ? text : `${text.charAt(0).toUpperCase()}${text.slice(1)}`);

/** What to say under a wrong field: its own translated words, else the schema's (English) or a plain prompt. */
export function useProblemText(name: string | undefined, invalid: string | undefined): string | null {
  const { t, i18n } = useTranslation();
  const problem = useFieldProblem(name);
  if (!problem) return null;
  if (invalid !== undefined) return invalid;
  return i18n.language === 'en' ? sentence(problem.message).replace(/\.?$/, '.') : t('errors.field');
}
