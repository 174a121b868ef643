/**
 * A port whose adapter, and the AWS SDK client under it, is loaded on its first use. Every
 * function composes every app, yet the to-do function never calls S3 or Cognito's API: loading
 * those SDK clients at cold start took longer than loading the function's own bundle (measured
 * in docs/aws.md). Every method of a port is async, so a call can wait for the load; a failed
 * load is tried again by the next call. Methods in `eager` are served without loading anything
 * (checking a token needs no SDK client).
 */
export function lazyPort<T extends object>(load: () => Promise<T>, eager: Partial<T> = {}): T {
  let loading: Promise<T> | undefined;
  const loaded = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return new Proxy(eager as T, {
    get(target, name) {
      if (name in target) return Reflect.get(target, name);
      // `then` must stay undefined, or awaiting the port would treat it as a promise.
      if (name === 'then') return undefined;
      return async (...args: unknown[]) => {
        const port = await loaded();
        const method = Reflect.get(port, name) as (...args: unknown[]) => unknown;
        return method.apply(port, args);
      };
    },
  });
}
