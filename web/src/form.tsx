// Forms that say what is wrong: the API's problem detail appears above the button, announced to
// screen readers, and the button is disabled while the request runs.
import { type FormEvent, type ReactNode, useState } from 'react';
import { errorText } from './api.ts';

export function Form({
  label,
  submit,
  onSubmit,
  children,
}: {
  label: string;
  submit: string;
  onSubmit: (data: FormData) => Promise<void>;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const handle = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(new FormData(event.currentTarget));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form aria-label={label} onSubmit={handle} className="card">
      {children}
      <p role="alert" className="error">
        {error}
      </p>
      <button type="submit" disabled={busy}>
        {busy ? 'Please wait…' : submit}
      </button>
    </form>
  );
}

export function Field({
  label,
  name,
  type = 'text',
  autoComplete,
  defaultValue,
  inputMode,
}: {
  label: string;
  name: string;
  type?: string;
  autoComplete?: string;
  defaultValue?: string;
  inputMode?: 'numeric' | 'email' | 'text';
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        name={name}
        type={type}
        required
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        inputMode={inputMode}
      />
    </label>
  );
}

/** A new password (reset or change): the API's rule in the label, and the hint password managers use. */
export function NewPasswordField() {
  return (
    <Field
      label="New password (at least 8 characters)"
      name="newPassword"
      type="password"
      autoComplete="new-password"
    />
  );
}

export const text = (data: FormData, name: string): string => String(data.get(name) ?? '');
