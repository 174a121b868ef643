/**
 * Request metrics for the operator console, kept in memory for the last hour: per route and
 * minute, the number of requests, server errors (5xx) and client errors (4xx), and latencies
 * for p50/p99 (up to 1,000 kept per route and minute, sampled evenly beyond that, so a busy
 * minute costs bounded memory). Gauges (queue depth, stream lag) keep their last value per
 * minute. On AWS, CloudWatch plays this part.
 */
const WINDOW_MINUTES = 60;
const RESERVOIR = 1000;

interface Bucket {
  count: number;
  serverErrors: number;
  clientErrors: number;
  latencies: number[];
}

export interface RouteSeries {
  route: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Share of requests answered 5xx. */
  errorRate: number;
  clientErrorRate: number;
  /** One point per minute of the window that had requests, oldest first. */
  minutes: { minute: string; requests: number; serverErrors: number; p50Ms: number; p99Ms: number }[];
}

export interface MetricsSnapshot {
  windowMinutes: number;
  routes: RouteSeries[];
  gauges: Record<string, { minute: string; value: number }[]>;
}

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}

/** The API's routes: versioned REST, GraphQL, and the token issuer's well-known documents. */
const API_ROUTE = /^\/(v\d+|graphql|\.well-known)(\/|$)/;

export class RouteMetrics {
  private readonly buckets = new Map<number, Map<string, Bucket>>();
  private readonly gauges = new Map<string, Map<number, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records an API request; the web app's pages and assets are not the API's load, and are left out. */
  record(entry: { method: string; route: string; status: number; latencyMs: number }): void {
    if (!API_ROUTE.test(entry.route)) return;
    const minute = minuteOf(this.now());
    let routes = this.buckets.get(minute);
    if (!routes) {
      routes = new Map();
      this.buckets.set(minute, routes);
      this.forgetBefore(minute - WINDOW_MINUTES);
    }
    const key = `${entry.method} ${entry.route}`;
    let bucket = routes.get(key);
    if (!bucket) {
      bucket = { count: 0, serverErrors: 0, clientErrors: 0, latencies: [] };
      routes.set(key, bucket);
    }
    bucket.count += 1;
    if (entry.status >= 500) bucket.serverErrors += 1;
    else if (entry.status >= 400) bucket.clientErrors += 1;
    if (bucket.latencies.length < RESERVOIR) bucket.latencies.push(entry.latencyMs);
    else {
      // Reservoir sampling: every request of the minute has the same chance to be kept.
      const slot = Math.floor(Math.random() * bucket.count);
      if (slot < RESERVOIR) bucket.latencies[slot] = entry.latencyMs;
    }
  }

  gauge(name: string, value: number): void {
    let series = this.gauges.get(name);
    if (!series) {
      series = new Map();
      this.gauges.set(name, series);
    }
    const minute = minuteOf(this.now());
    series.set(minute, value);
    for (const old of series.keys()) if (old <= minute - WINDOW_MINUTES) series.delete(old);
  }

  snapshot(): MetricsSnapshot {
    const since = minuteOf(this.now()) - WINDOW_MINUTES;
    const byRoute = new Map<string, { minute: number; bucket: Bucket }[]>();
    for (const [minute, routes] of [...this.buckets].sort((a, b) => a[0] - b[0])) {
      if (minute <= since) continue;
      for (const [route, bucket] of routes) byRoute.set(route, [...(byRoute.get(route) ?? []), { minute, bucket }]);
    }
    const iso = (minute: number) => new Date(minute * 60_000).toISOString();
    const routes = [...byRoute].map(([route, points]): RouteSeries => {
      const requests = points.reduce((sum, p) => sum + p.bucket.count, 0);
      const all = points.flatMap((p) => p.bucket.latencies).sort((a, b) => a - b);
      const sum = (pick: (b: Bucket) => number) => points.reduce((total, p) => total + pick(p.bucket), 0);
      return {
        route,
        requests,
        requestsPerSecond: requests / (WINDOW_MINUTES * 60),
        p50Ms: percentile(all, 0.5),
        p99Ms: percentile(all, 0.99),
        errorRate: sum((b) => b.serverErrors) / requests,
        clientErrorRate: sum((b) => b.clientErrors) / requests,
        minutes: points.map(({ minute, bucket }) => {
          const sorted = [...bucket.latencies].sort((a, b) => a - b);
          return {
            minute: iso(minute),
            requests: bucket.count,
            serverErrors: bucket.serverErrors,
            p50Ms: percentile(sorted, 0.5),
            p99Ms: percentile(sorted, 0.99),
          };
        }),
      };
    });
    const gauges = Object.fromEntries(
      [...this.gauges].map(([name, series]) => [
        name,
        [...series]
          .filter(([minute]) => minute > since)
          .sort((a, b) => a[0] - b[0])
          .map(([minute, value]) => ({ minute: iso(minute), value })),
      ]),
    );
    return { windowMinutes: WINDOW_MINUTES, routes: routes.sort((a, b) => b.requests - a.requests), gauges };
  }

  private forgetBefore(minute: number): void {
    for (const old of this.buckets.keys()) if (old <= minute) this.buckets.delete(old);
  }
}
