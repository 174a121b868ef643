// Lambda entry point: the api-keys routes (src/functions/catalog.ts).
import { runtimeFromEnvironment } from './environment.ts';
import { httpFunction } from './http.ts';

export const handler = httpFunction('api-keys', runtimeFromEnvironment);
