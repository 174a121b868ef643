import { createRoute } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { jsonBody, jsonResponse, problem, problems, router } from '../../http/openapi.ts';
import {
  ChallengeSchema,
  ChangePasswordBody,
  ConfirmBody,
  EmailBody,
  MessageSchema,
  MfaChallengeBody,
  MfaCodeBody,
  MfaSetupSchema,
  ProfileSchema,
  RecoveryCodesSchema,
  RefreshBody,
  ResetPasswordBody,
  SignInBody,
  SignUpBody,
  TokensSchema,
  UpdateMeBody,
} from './model.ts';
import { profileView } from './profile.ts';
import type { AccountsService } from './service.ts';

const tags = ['Accounts'];

/** The accounts API: `/v1/auth/*` (Cognito's flows) and `/v1/me`. */
export function accountRoutes(accounts: AccountsService, signedInChain: MiddlewareHandler<AppEnv>[]) {
  const app = router();
  const signedIn = { security: [{ Bearer: [] }], middleware: signedInChain };
  const origin = (c: Context<AppEnv>) => ({ address: c.get('clientIp') });
  const message = (text: string) => ({ message: text });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/signup',
      tags,
      summary: 'Create an account; a 6-digit code is mailed to confirm it',
      request: jsonBody(SignUpBody),
      responses: {
        201: jsonResponse(
          MessageSchema.extend({ sub: ProfileSchema.shape.sub }),
          'Created; confirm with the mailed code',
        ),
        409: problems[400],
        ...problems,
      },
    }),
    async (c) => {
      const { sub } = await accounts.signUp(c.req.valid('json'), origin(c));
      return c.json({ sub, ...message('Check your email for the confirmation code') }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/confirm',
      tags,
      summary: 'Confirm the account with the mailed code',
      request: jsonBody(ConfirmBody),
      responses: { 200: jsonResponse(MessageSchema, 'Confirmed; sign in'), ...problems },
    }),
    async (c) => {
      const { email, code } = c.req.valid('json');
      await accounts.confirm(email, code, origin(c));
      return c.json(message('Your account is confirmed: sign in'), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/resend-code',
      tags,
      summary: 'Send a new confirmation code (the answer is the same whether or not the account exists)',
      request: jsonBody(EmailBody),
      responses: { 202: jsonResponse(MessageSchema, 'Accepted'), ...problems },
    }),
    async (c) => {
      await accounts.resendCode(c.req.valid('json').email);
      return c.json(message('If an unconfirmed account has this email, a new code is on its way'), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/signin',
      tags,
      summary: 'Sign in with email and password; answers with tokens, or an MFA challenge',
      request: jsonBody(SignInBody),
      responses: {
        200: jsonResponse(TokensSchema.or(ChallengeSchema), 'Tokens, or the SOFTWARE_TOKEN_MFA challenge'),
        403: problems[401],
        ...problems,
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const result = await accounts.signIn(email, password, origin(c));
      return c.json('tokens' in result ? result.tokens : result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/mfa/challenge',
      tags,
      summary: 'Answer the MFA challenge with a TOTP code or a recovery code',
      request: jsonBody(MfaChallengeBody),
      responses: { 200: jsonResponse(TokensSchema, 'Tokens'), ...problems },
    }),
    async (c) => {
      const { session, code } = c.req.valid('json');
      return c.json(await accounts.answerMfaChallenge(session, code, origin(c)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/refresh',
      tags,
      summary: 'Trade a refresh token (single use) for new tokens',
      request: jsonBody(RefreshBody),
      responses: { 200: jsonResponse(TokensSchema, 'New tokens, with a new refresh token'), ...problems },
    }),
    async (c) => c.json(await accounts.refresh(c.req.valid('json').refreshToken), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/signout',
      tags,
      summary: 'Sign out everywhere: every refresh token and every access token issued so far stop working',
      ...signedIn,
      responses: { 200: jsonResponse(MessageSchema, 'Signed out everywhere'), ...problems },
    }),
    async (c) => {
      await accounts.signOutEverywhere(c.get('caller').sub);
      return c.json(message('Signed out on every device'), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/forgot-password',
      tags,
      summary: 'Mail a password reset code (the answer is the same whether or not the account exists)',
      request: jsonBody(EmailBody),
      responses: { 202: jsonResponse(MessageSchema, 'Accepted'), ...problems },
    }),
    async (c) => {
      await accounts.forgotPassword(c.req.valid('json').email);
      return c.json(message('If an account has this email, a reset code is on its way'), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/reset-password',
      tags,
      summary: 'Set a new password with the mailed reset code; signs out everywhere',
      request: jsonBody(ResetPasswordBody),
      responses: { 200: jsonResponse(MessageSchema, 'Password changed'), ...problems },
    }),
    async (c) => {
      const { email, code, newPassword } = c.req.valid('json');
      await accounts.resetPassword(email, code, newPassword, origin(c));
      return c.json(message('Your password is changed: sign in with it'), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/change-password',
      tags,
      summary: 'Change the password, giving the current one',
      ...signedIn,
      request: jsonBody(ChangePasswordBody),
      responses: {
        200: jsonResponse(MessageSchema, 'Password changed'),
        ...problems,
        403: problem('The current password is incorrect (the session stays valid)'),
      },
    }),
    async (c) => {
      const { oldPassword, newPassword } = c.req.valid('json');
      await accounts.changePassword(c.get('caller'), oldPassword, newPassword, origin(c));
      return c.json(message('Your password is changed'), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/mfa/setup',
      tags,
      summary: 'Start TOTP MFA: a secret and an otpauth:// URI for the authenticator app',
      ...signedIn,
      responses: { 200: jsonResponse(MfaSetupSchema, 'The secret to add to an authenticator'), ...problems },
    }),
    async (c) => c.json(await accounts.setupMfa(c.get('caller')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/mfa/enable',
      tags,
      summary: 'Turn MFA on with a first code; returns 10 one-time recovery codes, shown only now',
      ...signedIn,
      request: jsonBody(MfaCodeBody),
      responses: { 200: jsonResponse(RecoveryCodesSchema, 'MFA is on'), ...problems },
    }),
    async (c) => c.json(await accounts.enableMfa(c.get('caller'), c.req.valid('json').code, origin(c)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/mfa/disable',
      tags,
      summary: 'Turn MFA off with a current code or a recovery code',
      ...signedIn,
      request: jsonBody(MfaCodeBody),
      responses: { 200: jsonResponse(MessageSchema, 'MFA is off'), ...problems },
    }),
    async (c) => {
      await accounts.disableMfa(c.get('caller'), c.req.valid('json').code, origin(c));
      return c.json(message('MFA is off'), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me',
      tags,
      summary: 'The signed-in user’s profile',
      ...signedIn,
      responses: { 200: jsonResponse(ProfileSchema, 'The profile'), ...problems },
    }),
    (c) => c.json(profileView(c.get('profile')), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/me',
      tags,
      summary: 'Change the name and custom attributes',
      ...signedIn,
      request: jsonBody(UpdateMeBody),
      responses: { 200: jsonResponse(ProfileSchema, 'The updated profile'), ...problems },
    }),
    async (c) => c.json(await accounts.updateMe(c.get('caller'), c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/me',
      tags,
      summary: 'Delete the account and everything it owns',
      ...signedIn,
      responses: { 204: { description: 'Deleted' }, ...problems },
    }),
    async (c) => {
      await accounts.deleteMe(c.get('caller'));
      return c.body(null, 204);
    },
  );

  return app;
}
