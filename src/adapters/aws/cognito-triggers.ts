import type { PostConfirmationTriggerEvent, PreSignUpTriggerEvent } from 'aws-lambda';
import { AppError } from '../../platform/errors.ts';
import type { ConfirmedEvent, IdentityHooks, SignUpEvent } from '../../platform/identity.ts';
import { fromCognitoAttributes } from './cognito-attributes.ts';
import { refusalMessage } from './cognito-errors.ts';

/**
 * Cognito's Lambda triggers running the port's `IdentityHooks`: the same hook code the
 * built-in issuer calls in-process. A trigger answers with the event it was given (no
 * auto-confirm, no auto-verify): the user still confirms with the mailed code.
 */

/**
 * PreSignUp: runs `hooks.preSignUp`. A refusal (`AppError`) is thrown with its status and code
 * written into the message, which Cognito hands the SignUp caller as
 * `UserLambdaValidationException`; `CognitoIdentity.signUp` turns it back into the same
 * `AppError`. Any other error is a bug and is rethrown as it is (the adapter does not show it).
 */
export function preSignUpHandler(hooks: IdentityHooks) {
  return async (event: PreSignUpTriggerEvent): Promise<PreSignUpTriggerEvent> => {
    try {
      await hooks.preSignUp?.(signUpEventOf(event.request.userAttributes));
    } catch (error) {
      if (error instanceof AppError) throw new Error(refusalMessage(error), { cause: error });
      throw error;
    }
    return event;
  };
}

/**
 * PostConfirmation: runs `hooks.postConfirmation` once the user confirmed their sign-up.
 * Cognito also calls this trigger after a forgotten password is reset; that is no new
 * account, so the hook does not run for it (the built-in issuer runs it only on sign-up).
 */
export function postConfirmationHandler(hooks: IdentityHooks) {
  return async (event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> => {
    if (event.triggerSource === 'PostConfirmation_ConfirmSignUp') {
      await hooks.postConfirmation?.(confirmedEventOf(event.request.userAttributes));
    }
    return event;
  };
}

export function signUpEventOf(userAttributes: Record<string, string>): SignUpEvent {
  const { email, name, attributes } = fromCognitoAttributes(userAttributes);
  return { email, name, attributes };
}

export function confirmedEventOf(userAttributes: Record<string, string>): ConfirmedEvent {
  const { sub, email, name, attributes } = fromCognitoAttributes(userAttributes);
  if (!sub) throw new Error('The PostConfirmation event has no sub attribute');
  return { sub, email, name, attributes };
}
