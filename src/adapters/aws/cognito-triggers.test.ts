import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserLambdaValidationException } from '@aws-sdk/client-cognito-identity-provider';
import type { PostConfirmationTriggerEvent, PreSignUpTriggerEvent } from 'aws-lambda';
import { AppError } from '../../platform/errors.ts';
import type { ConfirmedEvent, IdentityHooks, SignUpEvent } from '../../platform/identity.ts';
import { refusalOf, toAppError } from './cognito-errors.ts';
import { postConfirmationHandler, preSignUpHandler } from './cognito-triggers.ts';

// Events as Cognito sends them (shapes from the Cognito developer guide's trigger examples).
const preSignUpEvent = (): PreSignUpTriggerEvent => ({
  version: '1',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_Example1',
  userName: '0f6e8c4a-1b2c-4d5e-8f90-123456789abc',
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
  triggerSource: 'PreSignUp_SignUp',
  request: {
    userAttributes: {
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      'custom:bio': 'Analyst',
      website: 'https://ada.example.com',
    },
    validationData: {},
  },
  response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});

const postConfirmationEvent = (
  triggerSource: PostConfirmationTriggerEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp',
): PostConfirmationTriggerEvent => ({
  version: '1',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_Example1',
  userName: '0f6e8c4a-1b2c-4d5e-8f90-123456789abc',
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
  triggerSource,
  request: {
    userAttributes: {
      sub: '0f6e8c4a-1b2c-4d5e-8f90-123456789abc',
      'cognito:email_alias': 'ada@example.com',
      'cognito:user_status': 'CONFIRMED',
      email_verified: 'true',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      'custom:bio': 'Analyst',
    },
  },
  response: {},
});

describe('PreSignUp trigger', () => {
  test('runs the pre-sign-up hook with the email, name and attributes, and answers the event unchanged', async () => {
    const seen: SignUpEvent[] = [];
    const event = preSignUpEvent();
    const answer = await preSignUpHandler({ preSignUp: async (e) => void seen.push(e) })(event);
    assert.deepEqual(seen, [
      {
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        attributes: { bio: 'Analyst', website: 'https://ada.example.com' },
      },
    ]);
    assert.deepEqual(answer, preSignUpEvent(), 'no auto-confirm, no auto-verify: the user confirms by code');
  });

  test('a refusal reaches the SignUp caller as the hook’s own AppError, through Cognito’s wording', async () => {
    const refusal = new AppError(400, 'PreSignUpRefused', 'Sign-ups from refused.example are closed.');
    const handler = preSignUpHandler({
      preSignUp: async () => {
        throw refusal;
      },
    });
    const thrown = await handler(preSignUpEvent()).then(
      () => assert.fail('expected a refusal'),
      (error: Error) => error,
    );
    assert.ok(!(thrown instanceof AppError), 'Lambda reports a plain error');
    // Cognito wraps the Lambda's errorMessage so, and SignUp throws it as UserLambdaValidationException.
    const fromCognito = new UserLambdaValidationException({
      message: `PreSignUp failed with error ${thrown.message}.`,
      $metadata: {},
    });
    const mapped = toAppError(fromCognito);
    assert.ok(mapped instanceof AppError);
    assert.deepEqual([mapped.status, mapped.code, mapped.detail], [400, 'PreSignUpRefused', refusal.detail]);
  });

  test('an error that is no refusal is rethrown as it is, and reads as no refusal', async () => {
    const bug = new TypeError('hooks are broken');
    const handler = preSignUpHandler({
      preSignUp: async () => {
        throw bug;
      },
    });
    await assert.rejects(handler(preSignUpEvent()), (error) => error === bug);
    assert.equal(refusalOf(`PreSignUp failed with error ${bug.message}.`), undefined);
  });

  test('without a pre-sign-up hook every sign-up passes', async () => {
    assert.deepEqual(await preSignUpHandler({})(preSignUpEvent()), preSignUpEvent());
  });
});

describe('PostConfirmation trigger', () => {
  test('runs the post-confirmation hook once a sign-up is confirmed, with the new sub', async () => {
    const seen: ConfirmedEvent[] = [];
    const hooks: IdentityHooks = { postConfirmation: async (e) => void seen.push(e) };
    const answer = await postConfirmationHandler(hooks)(postConfirmationEvent());
    assert.deepEqual(seen, [
      {
        sub: '0f6e8c4a-1b2c-4d5e-8f90-123456789abc',
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        attributes: { bio: 'Analyst' },
      },
    ]);
    assert.deepEqual(answer, postConfirmationEvent());
  });

  test('does not run the hook after a forgotten password is reset: that is no new account', async () => {
    let calls = 0;
    const handler = postConfirmationHandler({ postConfirmation: async () => void calls++ });
    await handler(postConfirmationEvent('PostConfirmation_ConfirmForgotPassword'));
    assert.equal(calls, 0);
  });

  test('a failing hook fails the trigger, so Cognito reports it', async () => {
    const handler = postConfirmationHandler({
      postConfirmation: async () => {
        throw new Error('table unavailable');
      },
    });
    await assert.rejects(handler(postConfirmationEvent()), /table unavailable/);
  });
});
