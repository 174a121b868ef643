import { z } from '@hono/zod-openapi';
import { customAttributeNames } from '../../platform/identity.ts';
import { noControlCharacters } from '../common/model.ts';
import { isCommonPassword, PASSWORD_MAX, PASSWORD_MIN } from './passwords.ts';

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }))
  .openapi({ example: 'ada@example.com', type: 'string', format: 'email' });

export const Password = z
  .string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`)
  .refine(
    async (password) => !(await isCommonPassword(password)),
    'is one of the most common passwords: choose a less guessable one',
  )
  .openapi({ example: 'correct horse battery staple' });

export const Name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128)
  .refine(noControlCharacters, 'must not contain control characters')
  .openapi({ example: 'Ada Lovelace' });

/** The 6-digit code mailed for sign-up confirmation and password reset. */
export const MailedCode = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from the email');

/** A TOTP code from the authenticator, or one of the recovery codes. */
export const MfaCode = z
  .string()
  .trim()
  .regex(/^(\d{6}|[A-Za-z0-9]{5}-[A-Za-z0-9]{5})$/, 'must be a 6-digit code or a recovery code like ABCDE-23456');

const attributeShape = Object.fromEntries(
  customAttributeNames.map((name) => [name, z.string().max(2048).refine(noControlCharacters).optional()]),
) as Record<(typeof customAttributeNames)[number], z.ZodOptional<z.ZodString>>;

export const Attributes = z.object(attributeShape).strict();

export const SignUpBody = z.object({ email: Email, password: Password, name: Name }).strict().openapi('SignUp');
export const ConfirmBody = z.object({ email: Email, code: MailedCode }).strict().openapi('Confirm');
export const EmailBody = z.object({ email: Email }).strict().openapi('EmailOnly');
export const SignInBody = z
  .object({ email: Email, password: z.string().min(1).max(PASSWORD_MAX) })
  .strict()
  .openapi('SignIn');
export const MfaChallengeBody = z
  .object({ session: z.string().min(1).max(512), code: MfaCode })
  .strict()
  .openapi('MfaChallengeAnswer');
export const RefreshBody = z
  .object({ refreshToken: z.string().min(1).max(1024) })
  .strict()
  .openapi('Refresh');
export const ResetPasswordBody = z
  .object({ email: Email, code: MailedCode, newPassword: Password })
  .strict()
  .openapi('ResetPassword');
export const ChangePasswordBody = z
  .object({ oldPassword: z.string().min(1).max(PASSWORD_MAX), newPassword: Password })
  .strict()
  .openapi('ChangePassword');
export const MfaCodeBody = z.object({ code: MfaCode }).strict().openapi('MfaCode');
/** Names that would be confusing or impersonating as a public site address. */
const RESERVED_USERNAMES = new Set([
  'admin',
  'administrator',
  'api',
  'root',
  'stratus',
  'support',
  'help',
  'me',
  'www',
]);

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])$/,
    'must be 3 to 30 letters, digits, - or _, starting and ending with a letter or digit',
  )
  .refine((name) => !RESERVED_USERNAMES.has(name), 'is reserved: choose another')
  .openapi({ example: 'ada' });

export const UpdateMeBody = z
  .object({ name: Name.optional(), username: Username.optional(), attributes: Attributes.optional() })
  .strict()
  .refine(
    (body) => Object.values(body).some((value) => value !== undefined),
    'send name, username or attributes to change',
  )
  .openapi('UpdateMe');

export const TokensSchema = z
  .object({
    idToken: z.string(),
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int(),
    tokenType: z.literal('Bearer'),
  })
  .openapi('Tokens');

export const ChallengeSchema = z
  .object({ challenge: z.literal('SOFTWARE_TOKEN_MFA'), session: z.string() })
  .openapi('MfaChallenge');

export const ProfileSchema = z
  .object({
    sub: z.string(),
    email: z.string(),
    name: z.string(),
    username: z.string().optional(),
    attributes: z.record(z.string(), z.string()),
    mfaEnabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Profile');

export const MessageSchema = z.object({ message: z.string() }).openapi('Message');
export const MfaSetupSchema = z.object({ secret: z.string(), otpauthUri: z.string() }).openapi('MfaSetup');
export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) }).openapi('RecoveryCodes');
