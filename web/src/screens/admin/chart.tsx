// A line chart drawn as inline SVG, for the console's Metrics page: one line per series over a
// time axis, a dot on every point but the zeros along the bottom (a minute with one request is
// a dot, not nothing), and a legend that tells series apart by dash pattern as well as colour.
// No chart library: the app has none and needs only this. The SVG is drawn at the box's real
// width (measured, and redrawn when it changes), so its labels keep their size on a phone
// instead of shrinking with a viewBox. It is one image to assistive technology, named by `title`
// and described by `summary`; the caller puts the numbers in a table beside it.
import { useEffect, useId, useRef, useState } from 'react';

export interface ChartSeries {
  name: string;
  /** Oldest first; `at` in epoch milliseconds. */
  points: { at: number; value: number }[];
}

const HEIGHT = 200;
const MARGIN = { top: 12, right: 12, bottom: 28, left: 52 };
const FALLBACK_WIDTH = 320;
/** Time label spacings to choose from, in minutes, and the least room a label needs ("10:45 AM"). */
const TICK_MINUTES = [15, 20, 30, 60];
const MIN_TICK_GAP = 72;
/** Dark enough for 3:1 against white (WCAG 1.4.11), and apart from each other. */
export const SERIES_COLOURS = ['#1f4fd1', '#b42318', '#047857', '#7c3aed', '#b45309'];
const SERIES_DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 0'];
const INK = '#4b5563';
const GRID = '#d1d5db';

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A round step for about four gridlines: 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(max: number): number {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough);
  return step ?? 10 * power;
}

/** The width the chart's box has on screen, followed as it changes (rotation, resize). */
function useWidth() {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(FALLBACK_WIDTH);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.floor(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { box, width };
}

export function LineChart({
  title,
  summary,
  series,
  from,
  to,
  format,
  whole = false,
  emptyText,
}: {
  /** The chart's accessible name. */
  title: string;
  /** What the chart shows, in a sentence: its description for assistive technology. */
  summary: string;
  series: ChartSeries[];
  /** The time axis, epoch milliseconds. */
  from: number;
  to: number;
  /** A value as the axis writes it. */
  format: (value: number) => string;
  /** Counts (requests, records): gridlines on whole numbers only. */
  whole?: boolean;
  /** Written across an empty chart. */
  emptyText: string;
}) {
  const { box, width } = useWidth();
  const titleId = useId();
  const descId = useId();
  const plot = {
    left: MARGIN.left,
    right: Math.max(MARGIN.left + 10, width - MARGIN.right),
    top: MARGIN.top,
    bottom: HEIGHT - MARGIN.bottom,
  };
  const values = series.flatMap((s) => s.points.map((p) => p.value));
  const max = Math.max(0, ...values);
  const step = max > 0 ? (whole ? Math.max(1, Math.ceil(niceStep(max))) : niceStep(max)) : 1;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const span = Math.max(1, to - from);
  const x = (at: number) => plot.left + ((at - from) / span) * (plot.right - plot.left);
  const y = (value: number) => plot.bottom - (value / top) * (plot.bottom - plot.top);
  const yTicks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  // As many time labels as fit without touching: every 15 minutes on a wide chart, fewer on a phone.
  const perMinute = (plot.right - plot.left) / Math.max(1, span / 60_000);
  const tickMinutes = TICK_MINUTES.find((minutes) => minutes * perMinute >= MIN_TICK_GAP) ?? 60;
  const tickMs = tickMinutes * 60_000;
  const xTicks: number[] = [];
  for (let at = Math.ceil(from / tickMs) * tickMs; at <= to; at += tickMs) xTicks.push(at);
  const empty = values.length === 0;

  return (
    <div ref={box} className="admin-chart-box">
      <svg
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
        width={width}
        height={HEIGHT}
        viewBox={`0 0 ${width} ${HEIGHT}`}
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{summary}</desc>
        {yTicks.map((value) => (
          <g key={value}>
            <line x1={plot.left} x2={plot.right} y1={y(value)} y2={y(value)} stroke={GRID} strokeWidth={1} />
            <text x={plot.left - 6} y={y(value)} dy="0.32em" textAnchor="end" fontSize={12} fill={INK}>
              {format(value)}
            </text>
          </g>
        ))}
        {xTicks.map((at) => (
          <text key={at} x={x(at)} y={HEIGHT - 8} textAnchor="middle" fontSize={12} fill={INK}>
            {clock.format(at)}
          </text>
        ))}
        <line x1={plot.left} x2={plot.left} y1={plot.top} y2={plot.bottom} stroke={INK} strokeWidth={1} />
        {series.map((line, index) => (
          <SeriesLine key={line.name} series={line} index={index} x={x} y={y} />
        ))}
        {empty && (
          <text x={(plot.left + plot.right) / 2} y={(plot.top + plot.bottom) / 2} textAnchor="middle" fill={INK}>
            {emptyText}
          </text>
        )}
      </svg>
      {series.length > 1 && <Legend names={series.map((s) => s.name)} />}
    </div>
  );
}

function SeriesLine({
  series,
  index,
  x,
  y,
}: {
  series: ChartSeries;
  index: number;
  x: (at: number) => number;
  y: (value: number) => number;
}) {
  const colour = SERIES_COLOURS[index % SERIES_COLOURS.length];
  const dash = SERIES_DASHES[index % SERIES_DASHES.length];
  const path = series.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`);
  return (
    <g>
      {series.points.length > 1 && (
        <path d={path.join('')} fill="none" stroke={colour} strokeWidth={2} strokeDasharray={dash || undefined} />
      )}
      {series.points
        .filter((p) => p.value !== 0 || series.points.length === 1)
        .map((p) => (
          <circle key={p.at} cx={x(p.at)} cy={y(p.value)} r={3} fill={colour} />
        ))}
    </g>
  );
}

/** Which line is which: a sample of each line's colour and dash, then its name. */
function Legend({ names }: { names: string[] }) {
  return (
    <ul className="admin-legend">
      {names.map((name, index) => (
        <li key={name}>
          <svg width={28} height={10} aria-hidden="true" focusable="false">
            <line
              x1={1}
              x2={27}
              y1={5}
              y2={5}
              stroke={SERIES_COLOURS[index % SERIES_COLOURS.length]}
              strokeWidth={3}
              strokeDasharray={SERIES_DASHES[index % SERIES_DASHES.length] || undefined}
            />
          </svg>
          <span>{name}</span>
        </li>
      ))}
    </ul>
  );
}
