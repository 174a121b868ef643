// The small pieces a task shows wherever it is listed (the list and the board cards): its
// priority, its due time read in the task's own zone (and flagged when overdue), its checklist
// progress and its list. Each says in words what colour alone would not.
import { type ReactNode, useId } from 'react';
import {
  deviceZone,
  formatInZone,
  isOverdue,
  PRIORITY_LABELS,
  type Task,
  type TaskPriority,
  zoneName,
} from './task-model.ts';

export function PriorityBadge({ priority }: { priority: TaskPriority }) {
  return <span className={`priority priority-${priority}`}>{PRIORITY_LABELS[priority]}</span>;
}

/** "Due Jan 15, 2030, 9:30 AM (Asia/Tokyo)": the zone is named when it is not this device's. */
export function DueTime({ task, now }: { task: Task; now: number }) {
  if (!task.dueAt) return null;
  const overdue = isOverdue(task, now);
  const zone = task.timeZone === deviceZone() ? '' : ` (${zoneName(task.timeZone)})`;
  return (
    <time dateTime={task.dueAt} className={overdue ? 'due overdue' : 'due'}>
      {overdue ? 'Overdue: due ' : 'Due '}
      {formatInZone(task.dueAt, task.timeZone)}
      {zone}
    </time>
  );
}

/** "2/5", read out as "2 of 5 checklist items done". */
export function ChecklistProgress({ checklist }: { checklist: Task['checklist'] }) {
  if (checklist.length === 0) return null;
  const done = checklist.filter((item) => item.done).length;
  const label = `${done} of ${checklist.length} checklist items done`;
  return (
    <span className={done === checklist.length ? 'progress complete' : 'progress'} title={label}>
      <span aria-hidden="true">
        ☑ {done}/{checklist.length}
      </span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

export function ListName({ list }: { list: string | undefined }) {
  if (!list) return null;
  return (
    <span className="list-name">
      <span className="visually-hidden">List: </span>
      {list}
    </span>
  );
}

/**
 * A labelled select. The label is tied by id rather than wrapped around the select: a wrapping
 * label would make the chosen option part of the select's own name ("Remind me At the due time").
 */
export function SelectField({
  label,
  value,
  onChange,
  className = 'field',
  children,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  className?: string;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {children}
      </select>
    </div>
  );
}
