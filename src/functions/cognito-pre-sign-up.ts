// Lambda entry point: Cognito's pre sign-up trigger, running the same hook as the built-in issuer.
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { preSignUpHandler } from '../adapters/aws/cognito-triggers.ts';
import { hooksFromEnvironment } from './hooks.ts';

export const handler = (event: PreSignUpTriggerEvent): Promise<PreSignUpTriggerEvent> =>
  preSignUpHandler(hooksFromEnvironment())(event);
