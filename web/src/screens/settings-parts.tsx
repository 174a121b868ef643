// The building blocks the account settings' sections share: a titled card, a button's request
// state, an input with a hint, and the API's plain message answer. Kept apart from settings.tsx
// so the two-step sign-in section (mfa-settings.tsx) uses them without importing the screen.
// Styled by settings.css, which the Settings screen loads.
import { type ReactNode, useId, useState } from 'react';
import { errorText } from '../api.ts';

/** The answer of requests that only report what they did. */
export interface Message {
  message: string;
}

/** A card with a heading that names it for screen readers' landmark lists. */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section className="card settings-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** A button's request: busy while it runs, the API's words when it fails. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/** An input with a hint tied to it (`aria-describedby`), optional unless `required`. */
export function HintedField({
  label,
  name,
  hint,
  defaultValue,
  type = 'text',
  required = false,
  autoComplete,
  maxLength,
}: {
  label: string;
  name: string;
  hint: ReactNode;
  defaultValue?: string | undefined;
  type?: string;
  required?: boolean;
  autoComplete?: string;
  maxLength?: number;
}) {
  const inputId = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={name}
        type={type}
        required={required}
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        maxLength={maxLength}
        aria-describedby={hintId}
      />
      <p id={hintId} className="hint">
        {hint}
      </p>
    </div>
  );
}
