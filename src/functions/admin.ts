// Lambda entry point: the operator console's routes (src/functions/catalog.ts).
import { runtimeFromEnvironment } from './environment.ts';
import { httpFunction } from './http.ts';

export const handler = httpFunction('admin', runtimeFromEnvironment);
