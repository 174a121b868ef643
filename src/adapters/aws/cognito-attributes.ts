import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { type CustomAttributes, customAttributeNames } from '../../platform/identity.ts';

/**
 * How the port's user attributes live in a Cognito user pool. `email` and `name` are Cognito
 * standard attributes. Of `customAttributeNames`, those that are also standard OIDC attributes
 * in Cognito (`preferred_username`, `website`, `locale`, `zoneinfo`) are stored as those
 * standard attributes: a pool cannot hold a custom attribute by a standard name (its schema
 * takes `website` to mean the standard one, in CreateUserPool as in CloudFormation). The rest
 * are custom attributes, `custom:<name>`.
 *
 * With email as the username attribute, `preferred_username` is plain data, not a sign-in alias.
 * The user pool (infra) declares the standard ones mutable and the custom ones as mutable
 * strings: `cognitoCustomAttributes` lists the latter.
 */
const STANDARD: ReadonlySet<string> = new Set(['preferred_username', 'website', 'locale', 'zoneinfo']);
const CUSTOM_PREFIX = 'custom:';

type PortAttribute = (typeof customAttributeNames)[number];

/** The Cognito attribute name of one of the port's attributes: `bio` → `custom:bio`, `locale` → `locale`. */
export const cognitoAttributeName = (name: PortAttribute): string =>
  STANDARD.has(name) ? name : `${CUSTOM_PREFIX}${name}`;

/** The port's attributes the pool declares as custom attributes, by their schema name (without `custom:`). */
export const cognitoCustomAttributes: readonly PortAttribute[] = customAttributeNames.filter((n) => !STANDARD.has(n));

/** The port's attributes that are Cognito standard attributes, which the pool declares mutable. */
export const cognitoStandardAttributes: readonly PortAttribute[] = customAttributeNames.filter((n) => STANDARD.has(n));

/** The attribute list SignUp and UpdateUserAttributes take. */
export function toCognitoAttributes(user: {
  email?: string;
  name?: string;
  attributes?: CustomAttributes;
}): AttributeType[] {
  const list: AttributeType[] = [];
  if (user.email !== undefined) list.push({ Name: 'email', Value: user.email });
  if (user.name !== undefined) list.push({ Name: 'name', Value: user.name });
  for (const name of customAttributeNames) {
    const value = user.attributes?.[name];
    if (value !== undefined) list.push({ Name: cognitoAttributeName(name), Value: value });
  }
  return list;
}

/** A user's attributes, as GetUser/AdminGetUser list them or a trigger event's `userAttributes` map. */
export interface CognitoUserAttributes {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  attributes: CustomAttributes;
}

export function fromCognitoAttributes(source: AttributeType[] | Record<string, string>): CognitoUserAttributes {
  const map: Record<string, string> = Array.isArray(source)
    ? Object.fromEntries(source.filter((a) => a.Name !== undefined).map((a) => [a.Name, a.Value ?? '']))
    : source;
  const attributes: CustomAttributes = {};
  for (const name of customAttributeNames) {
    const value = map[cognitoAttributeName(name)];
    if (value !== undefined) attributes[name] = value;
  }
  return {
    sub: map.sub ?? '',
    email: map.email ?? '',
    emailVerified: map.email_verified === 'true',
    name: map.name ?? '',
    attributes,
  };
}
