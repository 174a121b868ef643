// Lambda entry point: the notifications routes (src/functions/catalog.ts).
import { runtimeFromEnvironment } from './environment.ts';
import { httpFunction } from './http.ts';

export const handler = httpFunction('notifications', runtimeFromEnvironment);
