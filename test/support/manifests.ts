// The deploy/ artefacts as data, for the tests that check them against the code.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseYamlSubset } from './yaml-subset.ts';

export const repositoryRoot = resolve(import.meta.dirname, '../..');

/** A parsed manifest under deploy/kubernetes/, as loose JSON. */
export function manifest(name: string): any {
  return parseYamlSubset(readFileSync(resolve(repositoryRoot, 'deploy/kubernetes', name), 'utf8'));
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
}

/** An IAM policy document under deploy/. */
export function iamPolicy(name: string): { Version: string; Statement: PolicyStatement[] } {
  return JSON.parse(readFileSync(resolve(repositoryRoot, 'deploy', name), 'utf8')) as { Version: string; Statement: PolicyStatement[] };
}

/** A list or a single value, as a list (IAM allows both). */
export function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** The Deployment's container environment as name → value. */
export function deploymentEnv(): Record<string, unknown> {
  const container = manifest('deployment.yaml').spec.template.spec.containers[0];
  return Object.fromEntries((container.env as Array<{ name: string; value: unknown }>).map((each) => [each.name, each.value]));
}
