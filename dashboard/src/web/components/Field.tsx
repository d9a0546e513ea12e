import { useId, type ReactNode } from 'react';
import { useProblemText } from './formProblems';

interface CommonProps {
  label: string;
  /** Extra help, read out after the label. */
  hint?: ReactNode;
  /** The request field this input fills ("email", "rules[0].text"): a refusal naming it marks it. */
  name?: string;
  /** What to say under the field when the server or the form's check refuses it. */
  invalid?: string;
  required?: boolean;
  disabled?: boolean;
}

/** Label, hint, the input and its problem, stacked for easy reading; the ids tie them together. */
function Frame({
  id,
  label,
  hint,
  problem,
  className,
  children,
}: {
  id: string;
  label: string;
  hint: ReactNode;
  problem: string | null;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${problem === null ? '' : ' field-invalid'}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint !== undefined && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {problem !== null && (
        <p id={`${id}-problem`} className="field-problem">
          {problem}
        </p>
      )}
      {children}
    </div>
  );
}

function describedBy(id: string, hint: unknown, problem: string | null): string | undefined {
  const ids = [hint === undefined ? null : `${id}-hint`, problem === null ? null : `${id}-problem`].filter(
    Boolean,
  );
  return ids.length === 0 ? undefined : ids.join(' ');
}

interface FieldProps extends CommonProps {
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'time' | 'search';
  autoComplete?: string;
  min?: number | string;
  max?: number | string;
  step?: number;
  inputMode?: 'numeric' | 'text' | 'email';
  spellCheck?: boolean;
  maxLength?: number;
}

/** A labelled input with an optional hint. */
export function TextField({
  label,
  hint,
  name,
  invalid,
  value,
  onChange,
  type = 'text',
  required,
  ...rest
}: FieldProps) {
  const id = useId();
  const problem = useProblemText(name, invalid);
  return (
    <Frame id={id} label={label} hint={hint} problem={problem}>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        required={required}
        aria-required={required}
        aria-invalid={problem === null ? undefined : true}
        aria-describedby={describedBy(id, hint, problem)}
        {...rest}
      />
    </Frame>
  );
}

/** A day, with the browser's date picker (the value is YYYY-MM-DD, shown in the user's locale). */
export function DateField(props: Omit<FieldProps, 'type'>) {
  return <TextField {...props} type="date" />;
}

/** A time of day, with the browser's time picker (HH:MM or HH:MM:SS). */
export function TimeField(props: Omit<FieldProps, 'type'>) {
  return <TextField {...props} type="time" />;
}

interface TextAreaProps extends CommonProps {
  value: string;
  onChange: (value: string) => void;
  rows?: number;
  maxLength?: number;
  id?: string;
}

export function TextAreaField({
  label,
  hint,
  name,
  invalid,
  value,
  onChange,
  required,
  ...rest
}: TextAreaProps) {
  const generated = useId();
  const id = rest.id ?? generated;
  const problem = useProblemText(name, invalid);
  return (
    <Frame id={id} label={label} hint={hint} problem={problem}>
      <textarea
        id={id}
        name={name}
        rows={rest.rows ?? 4}
        maxLength={rest.maxLength}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        required={required}
        aria-required={required}
        aria-invalid={problem === null ? undefined : true}
        aria-describedby={describedBy(id, hint, problem)}
        disabled={rest.disabled}
      />
    </Frame>
  );
}

interface SelectProps extends CommonProps {
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
  inline?: boolean;
}

/** A labelled select. */
export function SelectField({
  label,
  hint,
  name,
  invalid,
  value,
  onChange,
  options,
  required,
  disabled,
  inline,
}: SelectProps) {
  const id = useId();
  const problem = useProblemText(name, invalid);
  return (
    <Frame
      id={id}
      label={label}
      hint={hint}
      problem={problem}
      className={inline ? 'field-inline' : undefined}
    >
      <select
        id={id}
        name={name}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        required={required}
        disabled={disabled}
        aria-invalid={problem === null ? undefined : true}
        aria-describedby={describedBy(id, hint, problem)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}
