/**
 * AppSync's direct Lambda resolver event, turned back into one GraphQL request for the social
 * graph (src/apps/social/graphql/graph.ts), so that AppSync runs the same resolvers, auth checks
 * and limits as graphql-yoga does on one machine.
 *
 * AppSync invokes the function once per root field (Query or Mutation) and resolves the nested
 * fields itself from what the function returns, reading each by its field name. So the request
 * rebuilt here is one operation with that one root field: its arguments come in as variables
 * (`event.arguments`, already coerced by AppSync) typed from the schema, and its selection set is
 * `info.selectionSetGraphQL` with three changes:
 * - aliases are dropped, so each value lands under the field name AppSync looks it up by;
 * - variables the client used further down (`posts(limit: $n)`) are written in as literals from
 *   `info.variables`, so they cannot clash with the root field's own variables;
 * - an argument whose variable the client did not send is left out, as GraphQL does.
 * Named fragments reach the function already written out as inline fragments (`... on Post`).
 */
import type { AppSyncIdentity, AppSyncResolverEvent } from 'aws-lambda';
import {
  astFromValue,
  buildSchema,
  type DocumentNode,
  type FieldNode,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  parse,
  parseType,
  print,
  type SelectionSetNode,
  TypeInfo,
  type ValueNode,
  type VariableNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { GraphAuth } from '../apps/social/graphql/auth.ts';
import type { GraphRequest } from '../apps/social/graphql/graph.ts';
import { APPSYNC_PRELUDE } from '../apps/social/graphql/schema.ts';

/**
 * A schema written in AppSync's dialect, readable by graphql-js (types only, no resolvers): with
 * the scalars and directives AppSync declares itself put in front, as the social graph does.
 */
export function appSyncSchema(sdl: string): GraphQLSchema {
  return buildSchema(`${APPSYNC_PRELUDE}\n${sdl}`);
}

/** The direct Lambda resolver event, as far as this translation reads it. */
export type AppSyncEvent = Pick<AppSyncResolverEvent<Record<string, unknown>>, 'arguments' | 'identity' | 'info'>;

/** The event names something other than one root query or mutation field of the schema. */
export class UnsupportedEventError extends Error {
  override name = 'UnsupportedEvent';
}

/**
 * Who is asking: a Cognito user pool identity carries `sub`; an API key leaves the identity out;
 * an IAM caller (Stratus's own stream function) has an account and an ARN but no `sub`.
 */
export function graphAuth(identity: AppSyncIdentity): GraphAuth {
  if (identity === null || identity === undefined) return { mode: 'apiKey' };
  if ('sub' in identity && typeof identity.sub === 'string' && identity.sub !== '') {
    return { mode: 'user', sub: identity.sub };
  }
  if ('accountId' in identity || 'userArn' in identity) return { mode: 'iam' };
  throw new UnsupportedEventError('The caller is neither a user pool user, an API key nor an IAM principal');
}

/** The one-field GraphQL request an AppSync event stands for. */
export function graphRequest(event: AppSyncEvent, schema: GraphQLSchema): GraphRequest {
  const { fieldName, parentTypeName } = event.info;
  const operation = operationOf(schema, parentTypeName);
  const rootType = operation === OperationTypeNode.QUERY ? schema.getQueryType() : schema.getMutationType();
  const field = rootType?.getFields()[fieldName];
  if (!rootType || !field) {
    throw new UnsupportedEventError(`${parentTypeName}.${fieldName} is not a field of the schema`);
  }
  const given = event.arguments ?? {};
  const args = field.args.filter((arg) => Object.hasOwn(given, arg.name));

  // The client's variables are written in before the root field gets its own arguments, so a
  // client variable named like one of them (`$id`) cannot be taken for it.
  const selection = rootSelection(event.info.selectionSetGraphQL, fieldName, field.type);
  const inlined = inlineClientVariables(
    oneFieldOperation(operation, fieldName, [], selection),
    schema,
    event.info.variables ?? {},
  );
  const document = oneFieldOperation(operation, fieldName, args, rootFieldOf(inlined).selectionSet);
  return {
    document: print(document),
    variables: Object.fromEntries(args.map((arg) => [arg.name, given[arg.name]])),
    operationName: fieldName,
    auth: graphAuth(event.identity),
  };
}

/** `<operation> <field>($arg: Type, ...) { <field>(arg: $arg, ...) <selection> }` */
function oneFieldOperation(
  operation: OperationTypeNode,
  fieldName: string,
  args: readonly GraphQLArgument[],
  selectionSet: SelectionSetNode | undefined,
): DocumentNode {
  const variable = (name: string): VariableNode => ({ kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } });
  const root: FieldNode = {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: fieldName },
    arguments: args.map((arg) => ({
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: arg.name },
      value: variable(arg.name),
    })),
    ...(selectionSet ? { selectionSet } : {}),
  };
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation,
        name: { kind: Kind.NAME, value: fieldName },
        variableDefinitions: args.map((arg) => ({
          kind: Kind.VARIABLE_DEFINITION,
          variable: variable(arg.name),
          type: parseType(arg.type.toString()),
        })),
        selectionSet: { kind: Kind.SELECTION_SET, selections: [root] },
      },
    ],
  };
}

function rootFieldOf(document: DocumentNode): FieldNode {
  const [definition] = document.definitions as [OperationDefinitionNode];
  return definition.selectionSet.selections[0] as FieldNode;
}

function operationOf(schema: GraphQLSchema, parentTypeName: string): OperationTypeNode {
  if (parentTypeName === schema.getQueryType()?.name) return OperationTypeNode.QUERY;
  if (parentTypeName === schema.getMutationType()?.name) return OperationTypeNode.MUTATION;
  throw new UnsupportedEventError(
    `Only Query and Mutation fields are resolved by this function, not ${parentTypeName} fields`,
  );
}

/**
 * The selection set under the root field, or none for a field of a scalar type. AppSync's
 * documentation shows it both as the bare selection set and wrapped in the root field itself;
 * both are read, the wrapper told apart by a field the return type does not have.
 */
function rootSelection(
  text: string | undefined,
  fieldName: string,
  returnType: GraphQLOutputType,
): SelectionSetNode | undefined {
  if (!text || text.trim() === '') return undefined;
  const operation = parse(text).definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) {
    throw new UnsupportedEventError('info.selectionSetGraphQL is not a selection set');
  }
  const selections = operation.selectionSet.selections;
  const only = selections.length === 1 ? selections[0] : undefined;
  if (only?.kind === Kind.FIELD && only.name.value === fieldName && only.selectionSet) {
    const named = getNamedType(returnType);
    const fields = isObjectType(named) || isInterfaceType(named) ? named.getFields() : {};
    if (!Object.hasOwn(fields, fieldName)) return only.selectionSet;
  }
  return operation.selectionSet;
}

/**
 * Drops aliases and writes the client's variables in as literals of the type expected where each
 * is used (an enum as an enum value, an ID as an ID); an argument or input field whose variable
 * was not sent is left out, a list item becomes null.
 */
function inlineClientVariables(
  document: DocumentNode,
  schema: GraphQLSchema,
  variables: Record<string, unknown>,
): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const missing = (node: { value: ValueNode }) =>
    node.value.kind === Kind.VARIABLE && !Object.hasOwn(variables, node.value.name.value);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        return node.alias ? { ...node, alias: undefined } : undefined;
      },
      Argument(node) {
        return missing(node) ? null : undefined;
      },
      ObjectField(node) {
        return missing(node) ? null : undefined;
      },
      Variable(node) {
        if (!Object.hasOwn(variables, node.name.value)) return { kind: Kind.NULL };
        return literal(variables[node.name.value], typeInfo.getInputType());
      },
    }),
  );
}

/** A value as a GraphQL literal: typed when the type is known, by its JavaScript shape otherwise. */
function literal(value: unknown, type: GraphQLInputType | null | undefined): ValueNode {
  if (type) {
    const typed = astFromValue(value, type);
    if (typed) return typed;
  }
  if (value === null || value === undefined) return { kind: Kind.NULL };
  if (typeof value === 'boolean') return { kind: Kind.BOOLEAN, value };
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? { kind: Kind.INT, value: String(value) }
      : { kind: Kind.FLOAT, value: String(value) };
  }
  if (Array.isArray(value)) return { kind: Kind.LIST, values: value.map((item) => literal(item, undefined)) };
  if (typeof value === 'object') {
    return {
      kind: Kind.OBJECT,
      fields: Object.entries(value).map(([name, inner]) => ({
        kind: Kind.OBJECT_FIELD,
        name: { kind: Kind.NAME, value: name },
        value: literal(inner, undefined),
      })),
    };
  }
  return { kind: Kind.STRING, value: String(value) };
}
