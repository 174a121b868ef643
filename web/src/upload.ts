// Sending a file's bytes to a pre-signed URL. fetch() cannot report upload progress, so this uses
// XMLHttpRequest, whose `upload.onprogress` fires as bytes leave. The URL comes from the API
// (POST /v1/files/uploads): a PUT with headers (the local server, S3 PUT URLs) or a POST of a
// multipart form whose signed fields come before the file (S3 POST policies). A refusal is an
// ApiError carrying the storage's own words, whether it answers in problem JSON or S3's XML.
import { ApiError, type Problem } from './api.ts';

export interface PresignedUpload {
  path: string;
  url: string;
  method: 'PUT' | 'POST';
  headers: Record<string, string>;
  fields?: Record<string, string>;
  expiresAt: string;
}

/** Called as bytes are sent: how many so far, out of how many. */
export type OnProgress = (sent: number, total: number) => void;

/** A progress callback that reports whole percents, and only when the bar visibly moves (events come fast). */
export function percentProgress(report: (percent: number) => void): OnProgress {
  let shown = 0;
  return (sent, total) => {
    const percent = total > 0 ? Math.floor((sent / total) * 100) : 100;
    if (percent !== shown) {
      shown = percent;
      report(percent);
    }
  };
}

/** Sends `file` to the pre-signed URL; resolves once the storage has accepted all of it. */
export function sendToPresignedUrl(
  grant: PresignedUpload,
  file: Blob,
  onProgress: OnProgress,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(grant.method, grant.url);
    let body: Blob | FormData = file;
    if (grant.method === 'POST') {
      const form = new FormData();
      for (const [name, value] of Object.entries(grant.fields ?? {})) form.append(name, value);
      form.append('file', file); // S3 ignores every field after the file
      body = form;
    }
    for (const [name, value] of Object.entries(grant.headers)) {
      // A multipart body sets its own Content-Type, with the boundary.
      if (grant.method === 'POST' && name.toLowerCase() === 'content-type') continue;
      xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else reject(new ApiError(xhr.status, problemOf(xhr)));
    };
    xhr.onerror = () =>
      reject(
        new ApiError(0, {
          title: 'Offline',
          status: 0,
          detail: 'The upload did not get through: check your connection and try again',
          code: 'Offline',
        }),
      );
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/** The storage's refusal: problem JSON from the local server, `<Error><Message>` XML from S3. */
function problemOf(xhr: XMLHttpRequest): Problem {
  const fallback: Problem = {
    title: xhr.statusText,
    status: xhr.status,
    detail: `The upload was refused (${xhr.status})`,
    code: 'UploadRefused',
  };
  const text = xhr.responseText;
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    if (typeof parsed.detail === 'string') return { ...fallback, ...parsed } as Problem;
  } catch {
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    if (message) return { ...fallback, detail: message };
  }
  return fallback;
}

/**
 * Runs at most `limit` tasks at once; the rest wait their turn in order. Several uploads share
 * the connection this way without one huge file starving the others of a start.
 */
export function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const next = () => {
    running -= 1;
    waiting.shift()?.();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      const start = () => {
        running += 1;
        task().then(resolve, reject).finally(next);
      };
      if (running < limit) start();
      else waiting.push(start);
    });
}
