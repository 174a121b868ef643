// The CDK CLI's entry point (cdk.json "app"): builds the app from the CLI's context and synthesizes it.
import { buildApp } from './app.ts';
import { SettingsError } from './settings.ts';

try {
  buildApp().app.synth();
} catch (error) {
  // A setting the user can fix is told plainly; anything else is a bug and keeps its stack.
  if (!(error instanceof SettingsError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
