import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { CognitoError, NotAuthorizedError } from 'cognito-local/lib/errors.js';
import { DefaultConfig } from 'cognito-local/lib/server/config.js';
import { Router } from 'cognito-local/lib/server/Router.js';
import { createServer } from 'cognito-local/lib/server/server.js';
import { type CognitoService, CognitoServiceFactoryImpl } from 'cognito-local/lib/services/cognitoService.js';
import { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb.js';
import { LambdaService } from 'cognito-local/lib/services/lambda.js';
import { MessageDeliveryService } from 'cognito-local/lib/services/messageDelivery/messageDelivery.js';
import { MessagesService } from 'cognito-local/lib/services/messages.js';
import { otp } from 'cognito-local/lib/services/otp.js';
import { JwtTokenGenerator } from 'cognito-local/lib/services/tokenGenerator.js';
import { TriggersService } from 'cognito-local/lib/services/triggers/triggers.js';
import { attribute, attributesAppend, UserPoolServiceFactoryImpl } from 'cognito-local/lib/services/userPoolService.js';
import pino from 'pino';
import { cognitoCustomAttributes, cognitoStandardAttributes } from '../../src/adapters/aws/cognito-attributes.ts';
import { type Clock, systemClock } from '../../src/platform/clock.ts';
import { ADMINS_GROUP } from '../../src/platform/identity.ts';

/** A Lambda handler as Cognito invokes it: the event in, the (possibly changed) event out. */
// biome-ignore lint/suspicious/noExplicitAny: trigger events of several shapes pass through here
export type TriggerHandler = (event: any) => Promise<unknown>;

export interface CognitoLocalOptions {
  /**
   * The emulator's clock (token `iat`/`exp`, user dates). TOTP codes are the exception:
   * cognito-local checks them against the real time, which no test can move.
   */
  clock?: Clock;
  /** Trigger handlers, invoked in this process as Lambda would invoke them. */
  triggers?: { PreSignUp?: TriggerHandler; PostConfirmation?: TriggerHandler };
}

export interface CognitoLocal {
  endpoint: string;
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  /** A public app client allowing USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH, as the CDK app makes. */
  clientId: string;
  /** The `iss` of its tokens; the JWKS is at `<issuer>/.well-known/jwks.json`. */
  issuer: string;
  /** A JWKS cache that fetches over plain HTTP (aws-jwt-verify's own fetches over HTTPS only). */
  jwksCache: JwksCache;
  /** The latest code delivered to this email address, if any. */
  latestCode(email: string): string | undefined;
  close(): Promise<void>;
}

/**
 * Starts cognito-local in this process on 127.0.0.1 (a free port), with its data in a temp
 * folder, one user pool shaped like the CDK app's (email as username, auto-verified, optional
 * TOTP MFA, the custom attributes) and one app client.
 *
 * It is assembled from cognito-local's own parts instead of its CLI, to plug in three things
 * its CLI cannot: a movable clock, a message sender that records codes (the CLI only prints
 * them in a box on the console), and a Lambda client that runs the trigger handlers here.
 * Where cognito-local answers differently from Cognito, `asCognitoAnswers` below corrects it;
 * each correction names the AWS behaviour it restores.
 */
export async function startCognitoLocal(options: CognitoLocalOptions = {}): Promise<CognitoLocal> {
  const clock = options.clock ?? systemClock;
  const emulatorClock = { get: () => new Date(clock.now()) };
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-cognito-local-'));
  // cognito-local's types name pino 7; it only calls child/debug/info/error, which pino 10 has.
  const logger = pino({ level: 'silent' }) as never;
  const ctx = { logger };

  const config = structuredClone(DefaultConfig);
  config.TriggerFunctions = Object.fromEntries(Object.keys(options.triggers ?? {}).map((name) => [name, name]));
  const dataStoreFactory = new StormDBDataStoreFactory(dataDir);
  const cognito = await new CognitoServiceFactoryImpl(
    dataDir,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(emulatorClock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);
  const triggers = new TriggersService(
    emulatorClock,
    cognito,
    new LambdaService(config.TriggerFunctions, inProcessLambda(options.triggers ?? {}) as never),
    // KMS encrypts codes for the CustomEmailSender trigger only, which Stratus does not use; the
    // real CryptoService would load the whole aws-sdk v2 (and its end-of-support notice).
    noCustomEmailSender as never,
  );
  const codes: Array<{ destination: string; code: string }> = [];
  const recordCode = async (_ctx: unknown, _user: unknown, destination: string, message: { __code?: string }) => {
    if (message.__code) codes.push({ destination, code: message.__code });
  };
  const services = {
    clock: emulatorClock,
    cognito,
    config,
    messages: new MessagesService(triggers, new MessageDeliveryService({ sendEmail: recordCode, sendSms: recordCode })),
    otp,
    tokenGenerator: new JwtTokenGenerator(emulatorClock, triggers, config.TokenConfig),
    triggers,
  };
  const server = createServer(
    asCognitoAnswers(Router(services), services),
    logger,
    {
      port: 0,
      hostname: '127.0.0.1',
    },
    services,
  );
  const http = (await server.start()) as Server;
  const { port } = http.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // Tokens name the address the emulator really listens on, so their JWKS can be fetched.
  config.TokenConfig.IssuerDomain = endpoint;

  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { UserPool } = await client.send(
    new CreateUserPoolCommand({
      PoolName: 'stratus-test',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      // As the CDK app declares them: custom attributes by their name without `custom:`.
      Schema: [...cognitoStandardAttributes, ...cognitoCustomAttributes].map((name) => ({
        Name: name,
        AttributeDataType: 'String',
        Mutable: true,
      })),
    }),
  );
  const userPoolId = UserPool?.Id as string;
  // The operator console's group, as the CDK app makes it.
  await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: ADMINS_GROUP }));
  const { UserPoolClient } = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'stratus-web',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AccessTokenValidity: 1,
      IdTokenValidity: 1,
      TokenValidityUnits: { AccessToken: 'hours', IdToken: 'hours' },
    }),
  );

  return {
    endpoint,
    client,
    userPoolId,
    clientId: UserPoolClient?.ClientId as string,
    issuer: `${endpoint}/${userPoolId}`,
    jwksCache: new SimpleJwksCache({ fetcher: { fetch: plainHttpFetch } }),
    latestCode: (email) => codes.findLast((c) => c.destination === email)?.code,
    async close() {
      client.destroy();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const noCustomEmailSender = {
  encrypt: () => Promise.reject(new Error('cognito-local runs here without KMS: no CustomEmailSender trigger')),
};

/** An aws-sdk v2 Lambda client, as cognito-local calls it, that runs the handlers in this process. */
function inProcessLambda(handlers: Record<string, TriggerHandler | undefined>) {
  return {
    invoke: (params: { FunctionName: string; Payload: string }) => ({
      promise: async () => {
        const handler = handlers[params.FunctionName];
        if (!handler) throw new Error(`No handler for ${params.FunctionName}`);
        try {
          return { StatusCode: 200, Payload: JSON.stringify(await handler(JSON.parse(params.Payload))) };
        } catch (error) {
          // What Lambda answers when a handler throws.
          const { name, message } = error as Error;
          return {
            StatusCode: 200,
            FunctionError: 'Unhandled',
            Payload: JSON.stringify({ errorType: name, errorMessage: message }),
          };
        }
      },
    }),
  };
}

/**
 * cognito-local's answers corrected where they differ from Cognito's, so the adapter is
 * tested against the answers Cognito gives:
 *
 * - A wrong password: cognito-local throws InvalidPasswordException from InitiateAuth and
 *   ChangePassword; Cognito throws NotAuthorizedException ("Incorrect username or password.").
 *   (cognito-local never checks the password policy, so its InvalidPasswordException always
 *   means a wrong password.)
 * - ConfirmSignUp verifies the email on Cognito (the code was mailed to it when email is
 *   auto-verified); cognito-local leaves `email_verified` unset.
 */
function asCognitoAnswers(router: Router, services: { cognito: CognitoService }): Router {
  return (target) => {
    const route = router(target);
    if (target === 'InitiateAuth' || target === 'ChangePassword') {
      return async (ctx, req) => {
        try {
          return await route(ctx, req);
        } catch (error) {
          if (error instanceof CognitoError && error.code === 'InvalidPasswordException') {
            throw new NotAuthorizedError('Incorrect username or password.');
          }
          throw error;
        }
      };
    }
    if (target === 'ConfirmSignUp') {
      return async (ctx, req) => {
        const result = await route(ctx, req);
        const pool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
        const user = await pool.getUserByUsername(ctx, req.Username);
        if (user) {
          await pool.saveUser(ctx, {
            ...user,
            Attributes: attributesAppend(user.Attributes, attribute('email_verified', 'true')),
          });
        }
        return result;
      };
    }
    return route;
  };
}

async function plainHttpFetch(uri: string): Promise<ArrayBuffer> {
  const response = await fetch(uri);
  if (!response.ok) throw new Error(`GET ${uri}: ${response.status}`);
  return response.arrayBuffer();
}
