import { useId, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  /** Extra help, read out after the label. */
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'number';
  autoComplete?: string;
  required?: boolean;
  min?: number;
  max?: number;
  inputMode?: 'numeric' | 'text' | 'email';
  spellCheck?: boolean;
}

/** A labelled input with an optional hint, stacked for easy reading. */
export function TextField({ label, hint, value, onChange, type = 'text', required, ...rest }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint !== undefined && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      <input
        id={id}
        type={type}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        required={required}
        aria-required={required}
        aria-describedby={hint === undefined ? undefined : hintId}
        {...rest}
      />
    </div>
  );
}

interface SelectProps {
  label: string;
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
  required?: boolean;
  disabled?: boolean;
}

/** A labelled select. */
export function SelectField({ label, hint, value, onChange, options, required, disabled }: SelectProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint !== undefined && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        required={required}
        disabled={disabled}
        aria-describedby={hint === undefined ? undefined : hintId}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
