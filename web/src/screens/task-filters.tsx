// The list's filters and sort. They live in the address bar (the list reads them from there), so
// a filtered view survives a reload and the back button steps through filter changes. On a phone
// the filters fold away behind one button; the active ones stay visible as chips that remove
// themselves, so a folded panel never hides why the list looks short. Tag and list are typed
// (with the values seen so far offered), and apply once typing pauses.
import { useEffect, useId, useRef, useState } from 'react';
import {
  type Filters,
  isFiltered,
  PRIORITIES,
  PRIORITY_LABELS,
  SORT_LABELS,
  type Sort,
  STATUS_LABELS,
  STATUSES,
} from './task-model.ts';
import { SelectField } from './task-parts.tsx';

const TYPING_PAUSE_MS = 400;

export function TaskFilters({
  filters,
  onChange,
  knownTags,
  knownLists,
}: {
  filters: Filters;
  onChange: (filters: Filters) => void;
  knownTags: string[];
  knownLists: string[];
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const set = (change: Partial<Filters>) => {
    const next = { ...filters, ...change };
    for (const key of Object.keys(change) as (keyof Filters)[]) if (next[key] === undefined) delete next[key];
    onChange(next);
  };
  const count = [filters.status, filters.priority, filters.tag, filters.list, filters.overdue].filter(Boolean).length;

  return (
    <section className="task-filters" aria-label="Filter and sort">
      <div className="filter-bar">
        <button
          type="button"
          className="secondary"
          aria-expanded={open}
          aria-controls={`${id}-panel`}
          onClick={() => setOpen(!open)}
        >
          Filters{count > 0 ? ` (${count})` : ''}
        </button>
        <SelectField
          className="sort"
          label="Sort"
          value={filters.sort}
          onChange={(value) => set({ sort: value as Sort })}
        >
          {(Object.keys(SORT_LABELS) as Sort[]).map((sort) => (
            <option key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </SelectField>
      </div>
      <div id={`${id}-panel`} className="filter-panel" hidden={!open}>
        <SelectField
          label="Status"
          value={filters.status ?? ''}
          onChange={(value) => set({ status: (value || undefined) as Filters['status'] })}
        >
          <option value="">Any</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Priority"
          value={filters.priority ?? ''}
          onChange={(value) => set({ priority: (value || undefined) as Filters['priority'] })}
        >
          <option value="">Any</option>
          {PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {PRIORITY_LABELS[priority]}
            </option>
          ))}
        </SelectField>
        <TypedFilter
          label="Tag"
          value={filters.tag}
          suggestions={knownTags}
          onCommit={(tag) => set({ tag: tag?.toLowerCase() })}
        />
        <TypedFilter label="List" value={filters.list} suggestions={knownLists} onCommit={(list) => set({ list })} />
        <label className="check">
          <input
            type="checkbox"
            checked={filters.overdue === true}
            onChange={(event) => set({ overdue: event.target.checked || undefined })}
          />
          Only overdue
        </label>
      </div>
      {isFiltered(filters) && (
        <ul className="chips" aria-label="Active filters">
          {filters.status && (
            <Chip text={`Status: ${STATUS_LABELS[filters.status]}`} onRemove={() => set({ status: undefined })} />
          )}
          {filters.priority && (
            <Chip
              text={`Priority: ${PRIORITY_LABELS[filters.priority]}`}
              onRemove={() => set({ priority: undefined })}
            />
          )}
          {filters.tag && <Chip text={`Tag: #${filters.tag}`} onRemove={() => set({ tag: undefined })} />}
          {filters.list && <Chip text={`List: ${filters.list}`} onRemove={() => set({ list: undefined })} />}
          {filters.overdue && <Chip text="Overdue" onRemove={() => set({ overdue: undefined })} />}
          <li>
            <button type="button" className="link" onClick={() => onChange({ sort: filters.sort })}>
              Clear filters
            </button>
          </li>
        </ul>
      )}
    </section>
  );
}

function Chip({ text, onRemove }: { text: string; onRemove: () => void }) {
  return (
    <li>
      <button type="button" className="chip" onClick={onRemove} aria-label={`Remove filter ${text}`}>
        {text} <span aria-hidden="true">×</span>
      </button>
    </li>
  );
}

/** A text filter that applies when typing pauses, on Enter, or on leaving the field. */
function TypedFilter({
  label,
  value,
  suggestions,
  onCommit,
}: {
  label: string;
  value: string | undefined;
  suggestions: string[];
  onCommit: (value: string | undefined) => void;
}) {
  const id = useId();
  const [text, setText] = useState(value ?? '');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const committed = useRef(value ?? '');
  // The pause timer outlives the render that set it: it must apply to the filters as they are then.
  const latestCommit = useRef(onCommit);
  latestCommit.current = onCommit;

  // The address changed elsewhere (a chip removed, back button): show what is applied.
  useEffect(() => {
    committed.current = value ?? '';
    setText(value ?? '');
  }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const commit = (next: string) => {
    clearTimeout(timer.current);
    const trimmed = next.trim();
    if (trimmed === committed.current) return;
    committed.current = trimmed;
    latestCommit.current(trimmed === '' ? undefined : trimmed);
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={text}
        list={`${id}-known`}
        autoComplete="off"
        autoCapitalize="none"
        enterKeyHint="search"
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => commit(next), TYPING_PAUSE_MS);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit(text);
        }}
        onBlur={() => commit(text)}
      />
      <datalist id={`${id}-known`}>
        {suggestions.map((suggestion) => (
          <option key={suggestion} value={suggestion} />
        ))}
      </datalist>
    </div>
  );
}
