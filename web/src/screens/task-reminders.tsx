// A task's reminders in the editor: each is "at the due time", "N minutes/hours/days before it",
// or "at a date and time" (wall clock, in the task's zone), listed with when the API worked out
// it will be sent. They are part of the editor's draft and go with Save, where the API checks
// them (a reminder already past is refused, in its words, next to the Save button). The fields
// that describe a new reminder sit inside the task's form, so Enter in them adds the reminder
// rather than saving the task.
import { type KeyboardEvent, useId, useState } from 'react';
import { Link } from '../router.ts';
import type { ReminderDraft } from './task-draft.ts';
import { newKey } from './task-draft.ts';
import { describeBefore, formatLongInZone, formatWallClock, type ReminderUnit, zoneName } from './task-model.ts';
import { SelectField } from './task-parts.tsx';

export const REMINDERS_MAX = 5;

type Kind = 'due' | 'before' | 'at';

export function describeReminder(reminder: ReminderDraft): string {
  if (reminder.before) return describeBefore(reminder.before.amount, reminder.before.unit);
  return `At ${formatWallClock(reminder.at ?? '')}`;
}

export function Reminders({
  reminders,
  zone,
  hasDue,
  onChange,
}: {
  reminders: ReminderDraft[];
  zone: string;
  hasDue: boolean;
  onChange: (reminders: ReminderDraft[]) => void;
}) {
  const headingId = useId();
  const full = reminders.length >= REMINDERS_MAX;
  return (
    <section className="editor-section" aria-labelledby={headingId}>
      <h2 id={headingId}>Reminders</h2>
      <p className="hint">
        Reminders go by email / in-app / SMS as set in <Link to="/notifications/settings">notification settings</Link>.
      </p>
      {reminders.length > 0 ? (
        <ul className="rows reminder-rows" aria-label="Reminders">
          {reminders.map((reminder) => (
            <li key={reminder.key}>
              <div>
                <span>{describeReminder(reminder)}</span>
                <span className="hint">
                  {reminder.fireAt
                    ? `Sent ${formatLongInZone(reminder.fireAt, zone)} (${zoneName(zone)})`
                    : reminder.at
                      ? `${zoneName(zone)} time · not saved yet`
                      : 'Its time is worked out when you save'}
                </span>
              </div>
              <button
                type="button"
                className="icon"
                aria-label={`Remove reminder: ${describeReminder(reminder)}`}
                onClick={() => onChange(reminders.filter((r) => r.key !== reminder.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">No reminders.</p>
      )}
      {full ? (
        <p className="hint">A task can have {REMINDERS_MAX} reminders: remove one to add another.</p>
      ) : (
        <NewReminder hasDue={hasDue} onAdd={(reminder) => onChange([...reminders, reminder])} />
      )}
    </section>
  );
}

function NewReminder({ hasDue, onAdd }: { hasDue: boolean; onAdd: (reminder: ReminderDraft) => void }) {
  const [kind, setKind] = useState<Kind>(hasDue ? 'before' : 'at');
  const [amount, setAmount] = useState('30');
  const [unit, setUnit] = useState<ReminderUnit>('minutes');
  const [date, setDate] = useState('');
  const [time, setTime] = useState('09:00');
  const [problem, setProblem] = useState<string>();

  const add = () => {
    if (kind === 'due') return finish({ key: newKey(), before: { amount: 0, unit: 'minutes' } });
    if (kind === 'before') {
      const value = Number(amount);
      if (!Number.isInteger(value) || value < 1 || value > 1000) {
        return setProblem('Enter a whole number from 1 to 1000.');
      }
      return finish({ key: newKey(), before: { amount: value, unit } });
    }
    if (!date || !time) return setProblem('Choose the reminder’s date and time.');
    finish({ key: newKey(), at: `${date}T${time}` });
  };
  const finish = (reminder: ReminderDraft) => {
    setProblem(undefined);
    onAdd(reminder);
  };
  /** Enter here adds the reminder; it would otherwise submit (save) the whole task. */
  const onEnter = (event: KeyboardEvent) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    add();
  };

  return (
    <fieldset className="new-reminder">
      <legend>Add a reminder</legend>
      <SelectField label="Remind me" value={kind} onChange={(value) => setKind(value as Kind)}>
        <option value="due">At the due time</option>
        <option value="before">Before the due time</option>
        <option value="at">At a date and time</option>
      </SelectField>
      {kind !== 'at' && !hasDue && <p className="hint">This needs a due date and time (above).</p>}
      {kind === 'before' && (
        <div className="pair">
          <label className="field">
            <span>How long before</span>
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={1000}
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              onKeyDown={onEnter}
            />
          </label>
          <SelectField label="Unit" value={unit} onChange={(value) => setUnit(value as ReminderUnit)}>
            <option value="minutes">Minutes</option>
            <option value="hours">Hours</option>
            <option value="days">Days</option>
          </SelectField>
        </div>
      )}
      {kind === 'at' && (
        <div className="pair">
          <label className="field">
            <span>Reminder date</span>
            <input type="date" value={date} onChange={(event) => setDate(event.target.value)} onKeyDown={onEnter} />
          </label>
          <label className="field">
            <span>Reminder time</span>
            <input type="time" value={time} onChange={(event) => setTime(event.target.value)} onKeyDown={onEnter} />
          </label>
        </div>
      )}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <button type="button" className="secondary" onClick={add}>
        Add reminder
      </button>
    </fieldset>
  );
}
