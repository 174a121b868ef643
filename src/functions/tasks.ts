// Lambda entry point: the tasks routes (src/functions/catalog.ts).
import { runtimeFromEnvironment } from './environment.ts';
import { httpFunction } from './http.ts';

export const handler = httpFunction('tasks', runtimeFromEnvironment);
