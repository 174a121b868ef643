// Lambda entry point: the auth routes (src/functions/catalog.ts).
import { runtimeFromEnvironment } from './environment.ts';
import { httpFunction } from './http.ts';

export const handler = httpFunction('auth', runtimeFromEnvironment);
