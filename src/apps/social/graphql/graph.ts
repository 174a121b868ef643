/**
 * The social app's GraphQL API, put together: the schema with its resolvers, the checks every
 * document passes (auth directives, limits), and how errors reach clients. graphql-yoga serves
 * it on one machine (`src/local/graphql.ts`, through `plugins`); the AppSync Lambda data source
 * calls `execute` with the same pieces.
 */
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type OperationTypeNode,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { AppError } from '../../../platform/errors.ts';
import { type Table, TableValidationError } from '../../../platform/table.ts';
import { itemLoader } from '../loader.ts';
import type { AuthMode, GraphAuth } from './auth.ts';
import type { GraphContext } from './context.ts';
import { type ResolverDeps, socialResolvers } from './resolvers.ts';
import { authorizationRule, graphLimits, limitRules } from './rules.ts';
import { buildSocialSchema } from './schema.ts';

export interface GraphRequest {
  /** One query or mutation document (subscriptions are served by yoga on one machine, AppSync on AWS). */
  document: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  auth: GraphAuth;
}

export interface SocialGraph {
  schema: GraphQLSchema;
  /** Runs one query or mutation: what the AppSync Lambda data source calls. */
  execute(request: GraphRequest): Promise<ExecutionResult>;
  /** The kind of operation the request would run; undefined if its document does not parse. */
  operationOf(request: Omit<GraphRequest, 'auth'>): OperationTypeNode | undefined;
  /** A fresh context for one request (or one subscription). */
  contextFor(auth: GraphAuth): GraphContext;
  /** The same checks and error shaping, for graphql-yoga. */
  plugins: Plugin[];
  /** Turns any error into what a client may see (unexpected ones are reported and masked). */
  clientError(error: unknown): GraphQLError;
}

export interface GraphDeps extends ResolverDeps {
  table: Table;
  onUnexpectedError(error: unknown): void;
}

/** HTTP-ish statuses of the app's errors, as GraphQL error codes. */
const codes: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'BAD_USER_INPUT',
  429: 'TOO_MANY_REQUESTS',
};

/**
 * Parsing and validation, each done once per document (and per auth mode: whether a document is
 * allowed depends on who asks). yoga's own cache must stay off: it keys validation results by
 * rule names, which would let a result checked for a user be reused for an API key.
 */
function documentChecks(schema: GraphQLSchema) {
  const parsed = new LRUCache<string, DocumentNode>({ max: 1000 });
  const validated = new Map<AuthMode, WeakMap<DocumentNode, readonly GraphQLError[]>>();
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();
  return {
    /** Throws a GraphQLError (syntax, or too many tokens). */
    parse(source: string): DocumentNode {
      let document = parsed.get(source);
      if (!document) {
        try {
          document = parse(source, { maxTokens: graphLimits.maxTokens });
        } catch (error) {
          throw withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED');
        }
        parsed.set(source, document);
      }
      return document;
    },
    validate(document: DocumentNode, mode: AuthMode): readonly GraphQLError[] {
      let byDocument = validated.get(mode);
      if (!byDocument) {
        byDocument = new WeakMap();
        validated.set(mode, byDocument);
      }
      let errors = byDocument.get(document);
      if (!errors) {
        errors = validationErrors(document, mode, schema).map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        byDocument.set(document, errors);
      }
      return errors;
    },
    /**
     * The document compiled into a function once (graphql-jit), then run for every request that
     * sends it: graphql-js interprets the document anew on each run, which was a third of a feed
     * page's CPU time (bench/README.md). Only valid documents get here.
     */
    compiled(document: DocumentNode, operationName: string | undefined): CompiledQuery | ExecutionResult {
      let byOperation = compiled.get(document);
      if (!byOperation) {
        byOperation = new Map();
        compiled.set(document, byOperation);
      }
      let query = byOperation.get(operationName ?? '');
      if (!query) {
        const result = compileQuery(schema, document, operationName);
        if (!isCompiledQuery(result)) return result;
        query = result;
        byOperation.set(operationName ?? '', query);
      }
      return query;
    },
  };
}

/** graphql-armor's depth limit throws its error instead of reporting it: both are the document's fault. */
function validationErrors(document: DocumentNode, mode: AuthMode, schema: GraphQLSchema): readonly GraphQLError[] {
  try {
    return validate(schema, document, [...specifiedRules, ...limitRules(), authorizationRule(mode)]);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
}

/** The error with `code` in its extensions, unless it names one already. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

export function createSocialGraph(deps: GraphDeps): SocialGraph {
  const schema = buildSocialSchema(socialResolvers(deps));
  const contextFor = (auth: GraphAuth): GraphContext => ({ auth, loader: itemLoader(deps.table) });

  function clientError(error: unknown): GraphQLError {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    const located = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
    if (original instanceof AppError) {
      return new GraphQLError(original.detail, {
        ...located,
        extensions: {
          code: codes[original.status] ?? 'BAD_USER_INPUT',
          reason: original.code,
          ...(original.fields ? { fields: original.fields } : {}),
        },
      });
    }
    if (original instanceof TableValidationError) {
      return new GraphQLError(original.message, { ...located, extensions: { code: 'BAD_USER_INPUT' } });
    }
    if (original instanceof GraphQLError) return original;
    deps.onUnexpectedError(original);
    return new GraphQLError('Something went wrong on our side; it has been logged', {
      ...located,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  }

  const checks = documentChecks(schema);
  return {
    schema,
    contextFor,
    clientError,
    operationOf(request) {
      try {
        return getOperationAST(checks.parse(request.document), request.operationName)?.operation;
      } catch {
        return undefined;
      }
    },
    async execute(request) {
      let document: DocumentNode;
      try {
        document = checks.parse(request.document);
      } catch (error) {
        return { errors: [clientError(error)] };
      }
      const invalid = checks.validate(document, request.auth.mode);
      if (invalid.length > 0) return { errors: invalid };
      if (getOperationAST(document, request.operationName)?.operation === 'subscription') {
        return { errors: [new GraphQLError('Subscriptions are served over WebSocket or SSE, not here')] };
      }
      const query = checks.compiled(document, request.operationName);
      if (!isCompiledQuery(query)) return { errors: (query.errors ?? []).map(clientError) };
      const result = await query.query(undefined, contextFor(request.auth), request.variables ?? {});
      return result.errors ? { ...result, errors: result.errors.map(clientError) } : result;
    },
    plugins: [
      {
        onParse({ params, setParsedDocument }) {
          setParsedDocument(checks.parse(typeof params.source === 'string' ? params.source : params.source.body));
        },
        onValidate({ params, context, setResult }) {
          setResult(checks.validate(params.documentAST, (context as unknown as GraphContext).auth.mode));
        },
      },
    ],
  };
}
