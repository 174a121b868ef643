// Lambda entry point: Cognito's post confirmation trigger (creates the profile), the built-in issuer's hook.
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { postConfirmationHandler } from '../adapters/aws/cognito-triggers.ts';
import { hooksFromEnvironment } from './hooks.ts';

export const handler = (event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> =>
  postConfirmationHandler(hooksFromEnvironment())(event);
