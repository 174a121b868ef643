// The console's Metrics page: the last hour of requests as the API measured them. A table per
// route (requests, requests per second, p50 and p99 latency, error rates) comes first: it is the
// numbers themselves, and the text alternative for the charts under it, which show requests per
// minute and p99 per minute for the busiest routes, and the queue's depth and the change
// stream's lag over the hour. Each chart also has its own numbers behind a disclosure.
import { Fragment, type ReactNode, useId } from 'react';
import { formatMs, formatPercent, type Metrics, type RouteSeries, useAdminResource } from './admin-model.ts';
import { type ChartSeries, LineChart } from './chart.tsx';

const TOP_ROUTES = 5;
const MINUTE = 60_000;
const minuteClock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** Requests per second as small as a quiet hour makes them, to two significant digits. */
function formatRate(rate: number): string {
  if (rate === 0) return '0';
  return rate >= 100 ? String(Math.round(rate)) : String(Number(rate.toPrecision(2)));
}

/** The hour the charts span: up to now, or to the newest minute measured if the server's clock is ahead. */
function timeAxis(metrics: Metrics): { from: number; to: number } {
  const measured = [
    ...metrics.routes.flatMap((route) => route.minutes.map((m) => Date.parse(m.minute))),
    ...Object.values(metrics.gauges).flatMap((series) => series.map((point) => Date.parse(point.minute))),
  ];
  const to = Math.max(Math.floor(Date.now() / MINUTE) * MINUTE, ...measured);
  const from = Math.min(to - (metrics.windowMinutes - 1) * MINUTE, ...measured);
  return { from, to };
}

/** Requests per minute, with the minutes that had none as zeros: a quiet minute is a real zero. */
function requestsPerMinute(route: RouteSeries, from: number, to: number): ChartSeries {
  const counts = new Map(route.minutes.map((m) => [Date.parse(m.minute), m.requests]));
  const points = [];
  for (let at = from; at <= to; at += MINUTE) points.push({ at, value: counts.get(at) ?? 0 });
  return { name: route.route, points };
}

/** p99 per minute only where there were requests: a minute without any has no latency. */
const p99PerMinute = (route: RouteSeries): ChartSeries => ({
  name: route.route,
  points: route.minutes.map((m) => ({ at: Date.parse(m.minute), value: m.p99Ms })),
});

/** The peak of a chart, in words, for its description. */
function peak(series: ChartSeries[], unit: (value: number) => string): string {
  let best: { name: string; at: number; value: number } | undefined;
  for (const line of series) {
    for (const point of line.points) if (!best || point.value > best.value) best = { name: line.name, ...point };
  }
  if (!best || best.value === 0) return 'Nothing was measured in the last hour.';
  const whose = series.length > 1 ? ` (${best.name})` : '';
  return `The highest is ${unit(best.value)} at ${minuteClock.format(best.at)}${whose}.`;
}

export function MetricsPage() {
  const metrics = useAdminResource<Metrics>('/v1/admin/metrics');
  const { data } = metrics;
  return (
    <div aria-busy={metrics.loading}>
      <div className="admin-heading-row">
        <h2 id="admin-page-heading">Metrics</h2>
        <button type="button" className="secondary" disabled={metrics.loading} onClick={() => void metrics.reload()}>
          {metrics.loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p role="alert" className="error">
        {metrics.error}
      </p>
      {!data && metrics.loading && <p className="empty">Loading…</p>}
      {data && <MetricsView metrics={data} />}
    </div>
  );
}

function MetricsView({ metrics }: { metrics: Metrics }) {
  const axis = timeAxis(metrics);
  const top = metrics.routes.slice(0, TOP_ROUTES);
  const requests = top.map((route) => requestsPerMinute(route, axis.from, axis.to));
  const p99 = top.map(p99PerMinute);
  const gauge = (name: string): ChartSeries[] => [
    { name, points: (metrics.gauges[name] ?? []).map((p) => ({ at: Date.parse(p.minute), value: p.value })) },
  ];
  const queueDepth = gauge('queueDepth');
  const streamLag = gauge('streamLag');
  const topNote =
    metrics.routes.length > TOP_ROUTES ? `The ${TOP_ROUTES} busiest routes.` : 'Every route that was called.';

  return (
    <>
      <p className="hint">The last {metrics.windowMinutes} minutes, measured by this server.</p>
      <RoutesTable routes={metrics.routes} windowMinutes={metrics.windowMinutes} />
      <div className="admin-charts">
        <MetricCard
          title="Requests per minute"
          note={topNote}
          chartTitle="Requests per minute, busiest routes"
          series={requests}
          listed={requestsOnly(requests)}
          unit={(v) => `${v} requests in a minute`}
          valueName="Requests"
          emptyText="No requests in the last hour"
          whole
          {...axis}
        />
        <MetricCard
          title="p99 latency per minute"
          note={topNote}
          chartTitle="p99 latency per minute, busiest routes"
          series={p99}
          unit={formatMs}
          format={formatMs}
          valueName="p99"
          emptyText="No requests in the last hour"
          {...axis}
        />
        <MetricCard
          title="Queue depth"
          note="Event deliveries waiting, sampled a few times a minute."
          chartTitle="Queue depth over the last hour"
          series={queueDepth}
          unit={(v) => `${v} waiting`}
          valueName="Waiting"
          emptyText="No samples yet"
          whole
          {...axis}
        />
        <MetricCard
          title="Stream lag"
          note="Change-stream records the slowest consumer has yet to handle."
          chartTitle="Stream lag over the last hour"
          series={streamLag}
          unit={(v) => `${v} records behind`}
          valueName="Records behind"
          emptyText="No samples yet"
          whole
          {...axis}
        />
      </div>
    </>
  );
}

/** One chart with its peak in words and its numbers as a list (`listed`, by default what is drawn). */
function MetricCard(props: {
  title: string;
  note: string;
  chartTitle: string;
  series: ChartSeries[];
  listed?: ChartSeries[];
  /** A value in words, for the peak. */
  unit: (value: number) => string;
  format?: (value: number) => string;
  valueName: string;
  emptyText: string;
  whole?: boolean;
  from: number;
  to: number;
}) {
  const format = props.format ?? String;
  return (
    <ChartCard title={props.title} note={props.note}>
      <LineChart
        title={props.chartTitle}
        summary={peak(props.series, props.unit)}
        series={props.series}
        from={props.from}
        to={props.to}
        format={format}
        whole={props.whole ?? false}
        emptyText={props.emptyText}
      />
      <Numbers series={props.listed ?? props.series} valueName={props.valueName} format={format} />
    </ChartCard>
  );
}

/** The zero-filled minutes are for drawing; the numbers list only minutes that had requests. */
const requestsOnly = (series: ChartSeries[]): ChartSeries[] =>
  series.map((line) => ({ ...line, points: line.points.filter((p) => p.value > 0) }));

function RoutesTable({ routes, windowMinutes }: { routes: RouteSeries[]; windowMinutes: number }) {
  const captionId = useId();
  if (routes.length === 0) return <p className="empty">No requests in the last {windowMinutes} minutes.</p>;
  return (
    // Keyboard users must be able to scroll a table wider than a phone: the region takes focus.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region has to be reachable by keyboard (WCAG 2.1.1)
    <section className="admin-table-scroll" aria-labelledby={captionId} tabIndex={0}>
      <table className="admin-routes">
        <caption id={captionId}>Requests per route, last {windowMinutes} minutes</caption>
        <thead>
          <tr>
            <th scope="col">Route</th>
            <th scope="col">Requests</th>
            <th scope="col">Per second</th>
            <th scope="col">p50</th>
            <th scope="col">p99</th>
            <th scope="col">Server errors</th>
            <th scope="col">Client errors</th>
          </tr>
        </thead>
        <tbody>
          {routes.map((route) => (
            <tr key={route.route}>
              <th scope="row">
                <code>
                  <Breakable route={route.route} />
                </code>
              </th>
              <td>{route.requests}</td>
              <td>{formatRate(route.requestsPerSecond)}</td>
              <td>{formatMs(route.p50Ms)}</td>
              <td>{formatMs(route.p99Ms)}</td>
              <td className={route.errorRate > 0 ? 'admin-bad' : undefined}>{formatPercent(route.errorRate)}</td>
              <td>{formatPercent(route.clientErrorRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A route that may wrap after each slash, so it breaks between its parts on a phone, never inside one. */
function Breakable({ route }: { route: string }) {
  const parts = route.split('/');
  return parts.map((part, index) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one route never change order
    <Fragment key={index}>
      {part}
      {index < parts.length - 1 && (
        <>
          /<wbr />
        </>
      )}
    </Fragment>
  ));
}

function ChartCard({ title, note, children }: { title: string; note: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section className="card admin-chart" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <p className="hint">{note}</p>
      {children}
    </section>
  );
}

/** A chart's points as a table (minute, series, value), behind a disclosure. */
function Numbers({
  series,
  valueName,
  format,
}: {
  series: ChartSeries[];
  valueName: string;
  format: (value: number) => string;
}) {
  const rows = series
    .flatMap((line) => line.points.map((point) => ({ name: line.name, ...point })))
    .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
  if (rows.length === 0) return null;
  const several = series.length > 1;
  return (
    <details>
      <summary>Show the numbers</summary>
      <table className="admin-numbers">
        <thead>
          <tr>
            <th scope="col">Minute</th>
            {several && <th scope="col">Route</th>}
            <th scope="col">{valueName}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.at}|${row.name}`}>
              <td>{minuteClock.format(row.at)}</td>
              {several && (
                <td>
                  <code>{row.name}</code>
                </td>
              )}
              <td>{format(row.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
