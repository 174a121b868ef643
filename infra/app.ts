import { App, Validations } from 'aws-cdk-lib';
import recommendedFlags from 'aws-cdk-lib/recommended-feature-flags.json' with { type: 'json' };
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings, type Settings } from './settings.ts';
import { StratusStack } from './stratus-stack.ts';

export interface BuildOptions {
  /** Context values, as `-c key=value` would give them (the CLI's and cdk.json's take precedence). */
  context?: Record<string, unknown>;
  /** Where the cloud assembly goes; the CLI sets it through the environment when absent. */
  outdir?: string;
}

/**
 * The Stratus CDK app: one stack, `Stratus-<stage>`, checked by cdk-nag's AwsSolutions rules
 * at synth (an unacknowledged error stops synth). Feature flags are this aws-cdk-lib's
 * recommended set, so the app and its tests build with the same ones.
 */
export function buildApp(options: BuildOptions = {}): { app: App; stack: StratusStack; settings: Settings } {
  const app = new App({
    context: { ...recommendedFlags, ...options.context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new StratusStack(app, `Stratus-${settings.stage}`, {
    settings,
    description: `Stratus (${settings.stage}): API, functions, table, buckets, identity and CDN`,
    terminationProtection: settings.stage === 'prod',
    ...(settings.env ? { env: settings.env } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, settings };
}
