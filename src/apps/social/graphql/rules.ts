/**
 * What a query must pass before it runs, on one machine and in the Lambda data source alike:
 * AppSync's authorization directives, and limits on size, depth, aliases and cost, so one
 * request cannot make the server read the whole table. Limits are checked on the document
 * alone, before any resolver runs.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  type ASTVisitor,
  type DirectiveNode,
  GraphQLError,
  getNamedType,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { type AuthMode, DEFAULT_MODE, modeDirectives } from './auth.ts';

export const graphLimits = {
  /** Tokens in one document: beyond this, parsing stops (graphql-js's own `maxTokens`). */
  maxTokens: 2000,
  /** Nested selections: `feed { items { author { posts { items { ... } } } } }` is 5. */
  maxDepth: 8,
  maxAliases: 15,
  /** graphql-armor's cost: 2 per object field, 1 per scalar, times 1.5 per level of depth. */
  maxCost: 2000,
} as const;

const modeNames: Record<AuthMode, string> = { user: 'a user token', apiKey: 'an API key', iam: 'IAM' };

/** The modes a field allows: its own directives, else its type's, else the default (as AppSync decides). */
function allowedModes(fieldDirectives: readonly DirectiveNode[], typeDirectives: readonly DirectiveNode[]): AuthMode[] {
  const modes = (directives: readonly DirectiveNode[]) =>
    (Object.keys(modeDirectives) as AuthMode[]).filter((mode) =>
      directives.some((directive) => directive.name.value === modeDirectives[mode]),
    );
  const own = modes(fieldDirectives);
  if (own.length > 0) return own;
  const inherited = modes(typeDirectives);
  return inherited.length > 0 ? inherited : [DEFAULT_MODE];
}

/** Refuses any selected field (at any depth) that the caller's mode may not read. */
export function authorizationRule(mode: AuthMode): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Field(node) {
      const parent = context.getParentType();
      const field = context.getFieldDef();
      if (!parent || !field || node.name.value.startsWith('__')) return;
      const allowed = allowedModes(field.astNode?.directives ?? [], parent.astNode?.directives ?? []);
      if (allowed.includes(mode)) {
        // The returned object type must allow the mode too (AppSync checks each type it returns).
        const type = getNamedType(field.type);
        const typeDirectives = type.astNode && 'directives' in type.astNode ? (type.astNode.directives ?? []) : [];
        if (!('getFields' in type) || allowedModes([], typeDirectives).includes(mode)) return;
      }
      context.reportError(
        new GraphQLError(`Not authorized to access ${parent.name}.${field.name} with ${modeNames[mode]}`, {
          nodes: [node],
          extensions: { code: mode === 'user' ? 'FORBIDDEN' : 'UNAUTHENTICATED' },
        }),
      );
    },
  });
}

export function limitRules(): ValidationRule[] {
  const exposeLimits = true;
  return [
    maxDepthRule({ n: graphLimits.maxDepth, exposeLimits, flattenFragments: true }) as unknown as ValidationRule,
    maxAliasesRule({ n: graphLimits.maxAliases, exposeLimits }) as unknown as ValidationRule,
    costLimitRule({ maxCost: graphLimits.maxCost, exposeLimits, flattenFragments: true }) as unknown as ValidationRule,
  ];
}
