/**
 * Who is asking, in AppSync's terms: a signed-in user (Cognito user pools), a holder of an API
 * key (public, read-only), or Stratus itself (IAM: the stream handlers that publish live updates).
 * Which modes may call a field is written in the schema with AppSync's directives, and checked
 * the same way on one machine (`directives.ts`) as AppSync checks it on AWS.
 */
export type GraphAuth = { mode: 'user'; sub: string } | { mode: 'apiKey' } | { mode: 'iam' };

export type AuthMode = GraphAuth['mode'];

/** The directive that allows each mode, as AppSync names them. */
export const modeDirectives: Record<AuthMode, string> = {
  user: 'aws_cognito_user_pools',
  apiKey: 'aws_api_key',
  iam: 'aws_iam',
};

/** The schema's default mode: a field without any auth directive is for signed-in users only. */
export const DEFAULT_MODE: AuthMode = 'user';
