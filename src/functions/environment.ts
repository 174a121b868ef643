import { loadAwsConfig } from './config.ts';
import { type AwsRuntime, createAwsRuntime } from './runtime.ts';

let built: AwsRuntime | undefined;

/** The runtime of this execution environment, made from its variables on first use (the cold start). */
export function runtimeFromEnvironment(): AwsRuntime {
  built ??= createAwsRuntime(loadAwsConfig(process.env));
  return built;
}
