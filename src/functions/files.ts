// Lambda entry point: the files routes (src/functions/catalog.ts).
import { runtimeFromEnvironment } from './environment.ts';
import { httpFunction } from './http.ts';

export const handler = httpFunction('files', runtimeFromEnvironment);
