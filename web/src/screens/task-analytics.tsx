// Task analytics at /tasks/analytics, a section of the Tasks screen (which holds the page's <main>,
// heading and view tabs, and loads this on first visit): a period picker
// (the last 7, 30 or 90 days, or any dates), the period's headline figures, and three charts —
// tasks created and completed per day, and the period's tasks by status and by priority.
//
// Charts are uPlot (small, canvas). A canvas says nothing to a screen reader, so every chart is an
// image with a name, and the same numbers are in a table right under it, behind a disclosure so
// the page stays short on a phone. Charts take their colours from the sheet's CSS variables and
// are redrawn at their box's width whenever it changes (rotation, resize), down to 360 px.
//
// Days are days in the user's notification time zone, which only the API knows: the first answer
// (the API's default, the last 30 days) tells which day "today" is there, and the other "last N
// days" periods count back from it.
import 'uplot/dist/uPlot.min.css';
import './task-analytics.css';
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import { errorText } from '../api.ts';
import { session } from '../session.ts';

interface Analytics {
  from: string;
  to: string;
  created: number;
  byStatus: Record<string, number>;
  byPriority: Record<string, number>;
  completionRate: number | null;
  completed: number;
  medianHoursToComplete: number | null;
  overdue: number;
  days: { date: string; created: number; completed: number }[];
}

type Period = { kind: 'last'; days: 7 | 30 | 90 } | { kind: 'range'; from: string; to: string };

const PRESETS = [7, 30, 90] as const;
const STATUS_LABELS: Record<string, string> = { todo: 'To do', in_progress: 'In progress', done: 'Done' };
const PRIORITY_LABELS: Record<string, string> = { urgent: 'Urgent', high: 'High', medium: 'Medium', low: 'Low' };
const CHART_HEIGHT = 220;

/** `2025-03-10` moved by `days` (days have no time zone here: noon UTC keeps clear of DST). */
const shiftDate = (date: string, days: number) =>
  new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** This device's date, for the rare ask made before the API said which day it is. */
const deviceToday = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10);

function periodQuery(period: Period, today: string | undefined): string {
  if (period.kind === 'range') return `?from=${period.from}&to=${period.to}`;
  // The API's own default: asked the same way every time, so learning `today` asks nothing again.
  if (period.days === 30) return '';
  const to = today ?? deviceToday();
  return `?from=${shiftDate(to, -(period.days - 1))}&to=${to}`;
}

/** The period's figures; the previous answer stays shown (marked busy) while the next loads. */
function useAnalytics(period: Period) {
  const [data, setData] = useState<Analytics>();
  const [today, setToday] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const query = periodQuery(period, today);
  useEffect(() => {
    void attempt;
    const abort = new AbortController();
    setLoading(true);
    setError(undefined);
    session
      .call<Analytics>(`/v1/task-analytics${query}`, { signal: abort.signal })
      .then((answer) => {
        setData(answer);
        if (query === '') setToday(answer.to); // the default period ends today, in the user's zone
      })
      .catch((caught: unknown) => {
        if ((caught as Error).name === 'AbortError') return;
        setData(undefined); // not the figures of a period other than the one picked
        setError(errorText(caught));
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [query, attempt]);
  return { data, loading, error, retry: () => setAttempt((n) => n + 1), today };
}

export function TaskAnalytics() {
  const [period, setPeriod] = useState<Period>({ kind: 'last', days: 30 });
  const { data, loading, error, retry, today } = useAnalytics(period);
  const headingId = useId();
  return (
    <section className="task-analytics" aria-labelledby={headingId} aria-busy={loading}>
      <h2 id={headingId} className="visually-hidden">
        Analytics
      </h2>
      <PeriodPicker period={period} onChange={setPeriod} today={today ?? data?.to} />
      {error && (
        <div className="analytics-error">
          <p role="alert" className="error">
            {error}
          </p>
          <button type="button" onClick={retry}>
            Try again
          </button>
        </div>
      )}
      {!data && loading && <p className="empty">Loading…</p>}
      {data && <Report data={data} />}
    </section>
  );
}

function PeriodPicker({
  period,
  onChange,
  today,
}: {
  period: Period;
  onChange: (period: Period) => void;
  today: string | undefined;
}) {
  const [custom, setCustom] = useState(period.kind === 'range');
  const end = today ?? deviceToday();
  const pick = (days: (typeof PRESETS)[number]) => {
    setCustom(false);
    onChange({ kind: 'last', days });
  };
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    onChange({ kind: 'range', from: String(data.get('from')), to: String(data.get('to')) });
  };
  return (
    <div className="period">
      <fieldset className="period-choices">
        <legend>Period</legend>
        {PRESETS.map((days) => (
          <label key={days}>
            <input
              type="radio"
              name="analytics-period"
              checked={!custom && period.kind === 'last' && period.days === days}
              onChange={() => pick(days)}
            />
            Last {days} days
          </label>
        ))}
        <label>
          <input type="radio" name="analytics-period" checked={custom} onChange={() => setCustom(true)} />
          Dates…
        </label>
      </fieldset>
      {custom && (
        <form className="period-range" aria-label="Choose dates" onSubmit={apply}>
          <label className="field">
            <span>From</span>
            <input
              type="date"
              name="from"
              required
              max={end}
              defaultValue={period.kind === 'range' ? period.from : shiftDate(end, -29)}
            />
          </label>
          <label className="field">
            <span>To</span>
            <input type="date" name="to" required defaultValue={period.kind === 'range' ? period.to : end} />
          </label>
          <button type="submit">Show</button>
        </form>
      )}
    </div>
  );
}

const dayFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const formatDay = (date: string) => dayFormat.format(new Date(`${date}T00:00:00Z`));

function formatDuration(hours: number | null): string {
  if (hours === null) return '—';
  if (hours < 1 / 60) return 'under a minute';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${Number(hours.toFixed(1))} hours`;
  return `${Number((hours / 24).toFixed(1))} days`;
}

const formatRate = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);

function Report({ data }: { data: Analytics }) {
  const nothing = data.created === 0 && data.completed === 0;
  return (
    <>
      <p className="period-shown">
        {formatDay(data.from)} – {formatDay(data.to)}
      </p>
      <dl className="headlines">
        <Figure label="Created" value={String(data.created)} />
        <Figure label="Completed" value={String(data.completed)} />
        <Figure label="Completion rate" value={formatRate(data.completionRate)} note="of the tasks created" />
        <Figure label="Overdue now" value={String(data.overdue)} />
        <Figure label="Median time to complete" value={formatDuration(data.medianHoursToComplete)} />
      </dl>
      {nothing ? (
        <p className="empty">No tasks were created or completed in this period.</p>
      ) : (
        <>
          <DailyChart days={data.days} />
          <CategoryChart
            title="Tasks by status"
            note="Of the tasks created in the period, as they are now."
            counts={data.byStatus}
            labels={STATUS_LABELS}
            colour="--chart-status"
          />
          <CategoryChart
            title="Tasks by priority"
            note="Of the tasks created in the period."
            counts={data.byPriority}
            labels={PRIORITY_LABELS}
            colour="--chart-priority"
          />
        </>
      )}
    </>
  );
}

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="headline">
      <dt>{label}</dt>
      <dd>
        {value}
        {note && <span className="hint"> {note}</span>}
      </dd>
    </div>
  );
}

/** A CSS variable's value on `element` (the chart's box), e.g. `--chart-created`. */
const cssColour = (element: Element, name: string) => getComputedStyle(element).getPropertyValue(name).trim();

/**
 * A uPlot chart filling its box's width: made when the data changes, resized (not remade) when
 * the box does, destroyed with the component. `build` gets the box, to read colours from it.
 */
function UPlotChart({
  name,
  data,
  build,
}: {
  name: string;
  data: uPlot.AlignedData;
  build: (box: HTMLElement) => Omit<uPlot.Options, 'width' | 'height'>;
}) {
  const box = useRef<HTMLDivElement>(null);
  const buildRef = useRef(build);
  buildRef.current = build;
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const size = () => ({ width: Math.max(200, Math.floor(element.clientWidth)), height: CHART_HEIGHT });
    const chart = new uPlot({ ...buildRef.current(element), ...size() }, data, element);
    const observer = new ResizeObserver(() => {
      const next = size();
      if (next.width !== chart.width) chart.setSize(next);
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [data]);
  return <div ref={box} className="chart" role="img" aria-label={name} />;
}

/** The axes' look, shared: muted labels, light grid, whole numbers only on the count axis. */
function axes(box: HTMLElement, x: Partial<uPlot.Axis>): uPlot.Axis[] {
  const text = cssColour(box, '--chart-text');
  const grid = { stroke: cssColour(box, '--chart-grid'), width: 1 };
  const ticks = { stroke: cssColour(box, '--chart-grid'), width: 1, size: 4 };
  return [
    { stroke: text, grid: { show: false }, ticks, size: 32, ...x },
    { stroke: text, grid, ticks, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000], size: 40 },
  ];
}

/** Counts from zero, with a little headroom above the highest. */
const countRange: uPlot.Range.Function = (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))];

const DAY_SECONDS = 86_400;
/** Dots on each day's value while they stay apart on a phone; beyond, the lines alone. */
const POINTS_UP_TO = 14;
/** The date axis steps in whole days: hours mean nothing in a count per day. */
const DAY_STEPS = [1, 2, 3, 7, 14, 28, 56, 91, 182].map((days) => days * DAY_SECONDS);
const shortDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

function DailyChart({ days }: { days: Analytics['days'] }) {
  const headingId = useId();
  const data = useMemo<uPlot.AlignedData>(
    () => [
      days.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000),
      days.map((day) => day.created),
      days.map((day) => day.completed),
    ],
    [days],
  );
  const build = (box: HTMLElement): Omit<uPlot.Options, 'width' | 'height'> => {
    const created = cssColour(box, '--chart-created');
    const completed = cssColour(box, '--chart-completed');
    return {
      // Dates are calendar days, not instants: read them in UTC, where they were put.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: (_u, min, max) => [min - DAY_SECONDS / 2, max + DAY_SECONDS / 2] },
        y: { range: countRange },
      },
      axes: axes(box, {
        space: 56,
        incrs: DAY_STEPS,
        values: (_u, splits) => splits.map((ts) => shortDay.format(new Date(ts * 1000))),
      }),
      series: [
        {},
        {
          label: 'Created',
          stroke: created,
          width: 2,
          points: { show: days.length <= POINTS_UP_TO, size: 6, fill: created },
        },
        {
          label: 'Completed',
          stroke: completed,
          width: 2,
          dash: [6, 3],
          points: { show: days.length <= POINTS_UP_TO, size: 6, fill: completed },
        },
      ],
    };
  };
  return (
    <section className="card chart-card" aria-labelledby={headingId}>
      <h3 id={headingId}>Created and completed per day</h3>
      <ul className="chart-legend">
        <li className="created">Created</li>
        <li className="completed">Completed</li>
      </ul>
      <UPlotChart name="Chart: tasks created and completed per day" data={data} build={build} />
      <details>
        <summary>Show the numbers</summary>
        <table>
          <caption className="visually-hidden">Tasks created and completed per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Created</th>
              <th scope="col">Completed</th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.date}>
                <th scope="row">{formatDay(day.date)}</th>
                <td>{day.created}</td>
                <td>{day.completed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

function CategoryChart({
  title,
  note,
  counts,
  labels,
  colour,
}: {
  title: string;
  note: string;
  counts: Record<string, number>;
  labels: Record<string, string>;
  colour: string;
}) {
  const headingId = useId();
  const keys = Object.keys(labels);
  const names = keys.map((key) => labels[key] ?? key);
  const values = keys.map((key) => counts[key] ?? 0);
  // Remade only with new counts: a new array would redraw the chart on every render.
  const data = useMemo<uPlot.AlignedData>(() => {
    const order = Object.keys(labels);
    return [order.map((_, i) => i), order.map((key) => counts[key] ?? 0)];
  }, [counts, labels]);
  const build = (box: HTMLElement): Omit<uPlot.Options, 'width' | 'height'> => {
    const fill = cssColour(box, colour);
    const text = cssColour(box, '--chart-ink');
    return {
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, keys.length - 0.5] }, y: { range: countRange } },
      axes: axes(box, {
        splits: () => keys.map((_, i) => i),
        values: (_u, splits) => splits.map((i) => names[i] ?? ''),
      }),
      series: [
        {},
        { label: title, fill, stroke: fill, paths: uPlot.paths.bars?.({ size: [0.6, 64] }), points: { show: false } },
      ],
      hooks: { draw: [(u) => drawBarValues(u, text)] },
    };
  };
  return (
    <section className="card chart-card" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <p className="hint">{note}</p>
      <UPlotChart name={`Chart: ${title.toLowerCase()}`} data={data} build={build} />
      <details>
        <summary>Show the numbers</summary>
        <table>
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{title.replace('Tasks by ', '').replace(/^./, (c) => c.toUpperCase())}</th>
              <th scope="col">Tasks</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key, i) => (
              <tr key={key}>
                <th scope="row">{names[i]}</th>
                <td>{values[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

/** Writes each bar's count above it, so the chart reads without the axis. */
function drawBarValues(u: uPlot, colour: string) {
  const { ctx } = u;
  const xs = u.data[0];
  const ys = u.data[1] ?? [];
  ctx.save();
  ctx.fillStyle = colour;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.font = `600 ${Math.round(12 * uPlot.pxRatio)}px system-ui, sans-serif`;
  xs.forEach((x, i) => {
    const y = ys[i];
    if (y === null || y === undefined) return;
    ctx.fillText(String(y), u.valToPos(x, 'x', true), u.valToPos(y, 'y', true) - 4 * uPlot.pxRatio);
  });
  ctx.restore();
}
