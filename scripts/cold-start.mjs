// Measures one function bundle's cold start on this machine, in a fresh process: the time to
// import it (with the AWS SDK clients it loads at once) and, for an HTTP function, to answer its
// first request (GET /health, which reaches no AWS service). Prints one JSON line.
// Usage: node scripts/cold-start.mjs dist/functions/<name>/index.mjs [http]
// sharp is not loaded by any import measured here: object-created's folder holds sharp for
// Lambda (linux-arm64), which this machine could not load, so its import succeeding shows that
// sharp waits for the first image (scripts/bundle.ts also refuses a bundle that imports it at load).
import { pathToFileURL } from 'node:url';

const [bundle, kind] = process.argv.slice(2);
// Placeholder settings: nothing here is called, but the runtime validates its configuration.
Object.assign(process.env, {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'cold-start-probe',
  AWS_SECRET_ACCESS_KEY: 'cold-start-probe',
  TABLE_NAME: 'stratus',
  BUCKET_NAME: 'stratus-user-data',
  USER_POOL_ID: 'eu-west-1_probe',
  USER_POOL_CLIENT_ID: 'probe',
  CORS_ORIGINS: 'https://app.example.com',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '1',
});
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - started;
let firstRequestMs;
if (kind === 'http') {
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/health',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET', path: '/health', sourceIp: '192.0.2.1' }, requestId: 'probe' },
  };
  const context = { functionName: 'probe', awsRequestId: 'probe', getRemainingTimeInMillis: () => 10_000 };
  const before = performance.now();
  const response = await handler(event, context);
  firstRequestMs = performance.now() - before;
  if (response.statusCode !== 200) throw new Error(`GET /health answered ${response.statusCode}`);
}
console.log(
  JSON.stringify({ importMs: Math.round(importMs), firstRequestMs: firstRequestMs && Math.round(firstRequestMs) }),
);
