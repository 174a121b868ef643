/**
 * Synthesizes the real app for the infra tests. The functions' code is not what these tests
 * check, so each function gets a one-line placeholder bundle in a temporary folder (passed as
 * the `functionsDir` context, exactly as a real bundle folder would be): the tests never depend
 * on `npm run bundle` having run, and never deploy a placeholder. The web build likewise.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { eventFunctions, httpFunctions } from '../src/functions/catalog.ts';
import { buildApp } from './app.ts';
import { API_URL_META } from './constructs/web-deployment.ts';
import type { StratusStack } from './stratus-stack.ts';

export interface Synthesized {
  app: App;
  stack: StratusStack;
  template: Template;
  /** The template as JSON, for walks the assertions library has no matcher for. */
  json: CloudFormationTemplate;
  /** Removes the temporary bundles and cloud assembly. */
  cleanup(): void;
}

export interface CloudFormationTemplate {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[]; DeletionPolicy?: string }
  >;
  Outputs?: Record<string, { Value: unknown }>;
}

/** Builds and synthesizes the app (cdk-nag included: an unacknowledged error throws here). */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const root = mkdtempSync(join(tmpdir(), 'stratus-infra-'));
  const functionsDir = join(root, 'functions');
  for (const { name } of [...httpFunctions, ...eventFunctions]) {
    mkdirSync(join(functionsDir, name), { recursive: true });
    writeFileSync(join(functionsDir, name, 'index.mjs'), 'export const handler = async () => {};\n');
  }
  // A one-page web build in the shape Vite writes it.
  const webDir = join(root, 'web');
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(join(webDir, 'index.html'), `<html><head>${API_URL_META}</head></html>\n`);
  writeFileSync(join(webDir, 'assets', 'index-abc123.js'), 'export {};\n');
  writeFileSync(join(webDir, 'sw.js'), '\n');
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    const { app, stack } = buildApp({ context: { functionsDir, webDir, ...context }, outdir: join(root, 'cdk.out') });
    const assembly = app.synth();
    const json = assembly.getStackByName(stack.stackName).template as CloudFormationTemplate;
    return { app, stack, template: Template.fromJSON(json), json, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** Logical ids of the resources of one type. */
export function resourcesOfType(json: CloudFormationTemplate, type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** Every logical id a value refers to (`Ref`, `Fn::GetAtt`), at any depth. */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') into.add(inner[0]);
      else referencedIds(inner, into);
    }
  }
  return into;
}

/** A dependency cycle among the resources (CloudFormation refuses such a template), if there is one. */
export function findCycle(json: CloudFormationTemplate): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(json.Resources)) {
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    const targets = [...referencedIds(resource.Properties), ...dependsOn].filter((t) => t in json.Resources);
    edges.set(id, targets);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The API path of each `AWS::ApiGateway::Method`, e.g. `/v1/auth/{proxy+}`, by logical id. */
export function methodPaths(
  json: CloudFormationTemplate,
): Array<{ id: string; path: string; props: Record<string, unknown> }> {
  const resources = new Map(resourcesOfType(json, 'AWS::ApiGateway::Resource'));
  const pathOf = (resourceId: unknown): string => {
    const ref = (resourceId as { Ref?: string }).Ref;
    const resource = ref ? resources.get(ref) : undefined;
    if (!resource) return ''; // the root resource (Fn::GetAtt RootResourceId)
    return `${pathOf(resource.ParentId)}/${resource.PathPart as string}`;
  };
  return resourcesOfType(json, 'AWS::ApiGateway::Method').map(([id, props]) => ({
    id,
    path: pathOf(props.ResourceId) || '/',
    props,
  }));
}
