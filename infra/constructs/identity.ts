import { Aws, Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { IdentityPool, UserPoolAuthenticationProvider } from 'aws-cdk-lib/aws-cognito-identitypool';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { cognitoCustomAttributes, cognitoStandardAttributes } from '../../src/adapters/aws/cognito-attributes.ts';
import { PASSWORD_MIN } from '../../src/apps/users/passwords.ts';
import { ADMINS_GROUP } from '../../src/platform/identity.ts';
import type { Settings } from '../settings.ts';

export interface IdentityProps {
  stage: string;
  preSignUp: lambda.IFunction;
  postConfirmation: lambda.IFunction;
  /** Where each signed-in identity gets its own `private/<identity id>/` prefix. */
  userDataBucket: s3.IBucket;
  /** A verified SES sender; absent: Cognito's own mailer (fine for trying it, capped per day). */
  mailFrom?: string;
  /** Outside OpenID Connect and SAML providers, with the hosted domain their sign-ins go through. */
  federation?: Settings['federation'];
}

/** Cognito's variable for the caller's identity id, resolved by IAM at request time. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
export const IDENTITY_ID_VARIABLE = '${cognito-identity.amazonaws.com:sub}';
/** The only part of the user-data bucket an identity-pool identity may touch. */
export const identityPrefix = `private/${IDENTITY_ID_VARIABLE}/`;

/**
 * The CDK's names for the Cognito standard attributes that hold some of the profile attributes
 * (src/adapters/aws/cognito-attributes.ts decides which); the rest are `custom:` attributes.
 */
const cdkStandardName: Record<string, keyof cognito.StandardAttributes & keyof cognito.StandardAttributesMask> = {
  preferred_username: 'preferredUsername',
  website: 'website',
  locale: 'locale',
  zoneinfo: 'timezone',
};

/** Every profile attribute, as the pool declares it and as the client may read and write it. */
function profileAttributes(): {
  standard: cognito.StandardAttributes;
  mask: cognito.StandardAttributesMask;
  custom: Record<string, cognito.ICustomAttribute>;
} {
  const mask: { -readonly [K in keyof cognito.StandardAttributesMask]?: boolean } = {};
  const standard: { -readonly [K in keyof cognito.StandardAttributes]?: cognito.StandardAttribute } = {};
  for (const name of cognitoStandardAttributes) {
    const cdkName = cdkStandardName[name];
    if (!cdkName) throw new Error(`No CDK name for the Cognito standard attribute "${name}"`);
    standard[cdkName] = { required: false, mutable: true };
    mask[cdkName] = true;
  }
  const custom = Object.fromEntries(
    cognitoCustomAttributes.map((name) => [
      name,
      new cognito.StringAttribute({ minLen: 0, maxLen: 2048, mutable: true }),
    ]),
  );
  return { standard, mask, custom };
}

/** Lifetimes the local issuer uses too (src/adapters/local/local-identity.ts). */
const ACCESS_TOKEN_LIFETIME = Duration.hours(1);
const REFRESH_TOKEN_LIFETIME = Duration.days(30);

/**
 * The user pool (sign-in with email, the local password policy, optional TOTP MFA, the profile
 * attributes, the two triggers), the app client the auth function signs in through, and an
 * identity pool whose signed-in role reaches only the caller's own prefix of the user-data bucket.
 */
export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly identityPool: IdentityPool;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    const profile = profileAttributes();
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `stratus-${props.stage}`,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: true, mutable: true },
        ...profile.standard,
      },
      customAttributes: profile.custom,
      // The same rule as on one machine: length, not composition (NIST SP 800-63B); the app
      // also refuses the most common passwords before Cognito sees them.
      passwordPolicy: {
        minLength: PASSWORD_MIN,
        requireLowercase: false,
        requireUppercase: false,
        requireDigits: false,
        requireSymbols: false,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true, email: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      userVerification: {
        emailStyle: cognito.VerificationEmailStyle.CODE,
        emailSubject: 'Your Stratus confirmation code',
        emailBody: 'Your Stratus confirmation code is {####}. It is valid for 24 hours.',
      },
      email: props.mailFrom
        ? cognito.UserPoolEmail.withSES({ fromEmail: props.mailFrom, sesRegion: Aws.REGION })
        : cognito.UserPoolEmail.withCognito(),
      lambdaTriggers: { preSignUp: props.preSignUp, postConfirmation: props.postConfirmation },
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // The operator console's members (`cognito:groups` in their tokens). The first is added by
    // hand: aws cognito-idp admin-add-user-to-group --group-name admins (docs/aws.md).
    new cognito.UserPoolGroup(this, 'AdminsGroup', {
      userPool: this.userPool,
      groupName: ADMINS_GROUP,
      description: 'Operators: the console at /admin (users, data, audit log)',
    });

    const providers = props.federation ? this.federate(props.federation) : [];
    this.client = this.userPool.addClient('WebClient', {
      userPoolClientName: 'stratus-web',
      generateSecret: false,
      // Sign-in with a password (the auth function) and refresh; the hosted domain only for
      // outside providers' code flow (PKCE, as the app's client is public).
      authFlows: { userPassword: true },
      ...(props.federation
        ? {
            oAuth: {
              flows: { authorizationCodeGrant: true },
              scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
              callbackUrls: props.federation.callbackUrls,
            },
            supportedIdentityProviders: [
              cognito.UserPoolClientIdentityProvider.COGNITO,
              ...providers.map((idp) => cognito.UserPoolClientIdentityProvider.custom(idp.providerName)),
            ],
          }
        : { disableOAuth: true }),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: ACCESS_TOKEN_LIFETIME,
      idTokenValidity: ACCESS_TOKEN_LIFETIME,
      refreshTokenValidity: REFRESH_TOKEN_LIFETIME,
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, ...profile.mask })
        .withCustomAttributes(...cognitoCustomAttributes),
      // email_verified is Cognito's to set, never the client's.
      writeAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, fullname: true, ...profile.mask })
        .withCustomAttributes(...cognitoCustomAttributes),
    });

    for (const idp of providers) this.client.node.addDependency(idp);

    this.identityPool = new IdentityPool(this, 'IdentityPool', {
      identityPoolName: `stratus_${props.stage}`,
      allowUnauthenticatedIdentities: false,
      authenticationProviders: {
        userPools: [new UserPoolAuthenticationProvider({ userPool: this.userPool, userPoolClient: this.client })],
      },
    });
    grantOwnPrefix(this.identityPool.authenticatedRole, props.userDataBucket);
  }

  /**
   * Each provider as a user-pool identity provider, and the hosted domain their sign-ins go
   * through. The provider's profile fills the same attributes a sign-up does, its
   * `email_verified` included. Not yet on AWS: the app's routes into this flow, and the rule
   * that an email an account already uses is linked only once its owner signs in (on one
   * machine, src/apps/users/federation.ts); see docs/aws.md.
   */
  private federate(federation: NonNullable<Settings['federation']>): cognito.IUserPoolIdentityProvider[] {
    this.userPool.addDomain('HostedDomain', { cognitoDomain: { domainPrefix: federation.domainPrefix } });
    return federation.providers.map((provider) =>
      provider.protocol === 'saml'
        ? new cognito.UserPoolIdentityProviderSaml(this, `Provider-${provider.id}`, {
            userPool: this.userPool,
            name: provider.id,
            metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(provider.metadataUrl),
            attributeMapping: {
              email: cognito.ProviderAttribute.other(provider.emailAttribute),
              fullname: cognito.ProviderAttribute.other(provider.nameAttribute),
            },
          })
        : new cognito.UserPoolIdentityProviderOidc(this, `Provider-${provider.id}`, {
            userPool: this.userPool,
            name: provider.id,
            clientId: provider.clientId,
            // A dynamic reference, resolved by CloudFormation at deploy: the secret is never in the template.
            clientSecret: SecretValue.secretsManager(provider.clientSecretName).unsafeUnwrap(),
            issuerUrl: provider.issuer,
            scopes: ['openid', 'email', 'profile'],
            attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
            attributeMapping: {
              email: cognito.ProviderAttribute.other('email'),
              emailVerified: cognito.ProviderAttribute.other('email_verified'),
              fullname: cognito.ProviderAttribute.other('name'),
            },
          }),
    );
  }
}

/** Objects under `private/<identity id>/` only, and listing only that prefix. */
function grantOwnPrefix(role: iam.IRole, bucket: s3.IBucket): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects(`${identityPrefix}*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${identityPrefix}*`] } },
    }),
  );
}
