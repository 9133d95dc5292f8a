// Issue 12 item 5: the example Kubernetes manifests in deploy/kubernetes/ parse, point at
// each other, and match the service: the env the pods get is a valid configuration, the
// probes hit /healthz and /readyz on the service port, and the kubelet waits longer than
// the service's own shutdown can take.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config.ts';
import { limitVariables } from '../../src/app/limits.ts';
import { shutdownGraceMs, shutdownSlackMs } from '../../src/cli/serve.ts';
import { envOf, instructionsOf, readDockerfile } from '../support/dockerfile.ts';
import { deploymentEnv, manifest, repositoryRoot } from '../support/manifests.ts';

const deployment = manifest('deployment.yaml');
const service = manifest('service.yaml');
const serviceAccount = manifest('serviceaccount.yaml');
const disruptionBudget = manifest('poddisruptionbudget.yaml');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const runtimeStage = readDockerfile(resolve(repositoryRoot, 'Dockerfile')).at(-1)!;
// What the container sees: the image's ENV, then the Deployment's env on top.
const podEnv = { ...envOf(runtimeStage), ...deploymentEnv() } as Record<string, string>;

describe('deploy/kubernetes', () => {
  it('are a Deployment, a Service, a ServiceAccount and a PodDisruptionBudget that select and name one another', () => {
    expect(readdirSync(resolve(repositoryRoot, 'deploy/kubernetes')).sort()).toEqual(['deployment.yaml', 'poddisruptionbudget.yaml', 'service.yaml', 'serviceaccount.yaml']);
    expect([deployment.kind, service.kind, serviceAccount.kind, disruptionBudget.kind]).toEqual(['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget']);
    expect(deployment.apiVersion).toBe('apps/v1');
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(service.spec.selector).toEqual(labels);
    expect(disruptionBudget.spec.selector.matchLabels).toEqual(labels);
    expect(disruptionBudget.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
    expect(pod.serviceAccountName).toBe(serviceAccount.metadata.name);
    expect(serviceAccount.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
    expect(deployment.spec.replicas).toBeGreaterThan(1);
  });

  it('give the pods an environment the service accepts: DynamoDB, production, every interface, port 8080', () => {
    for (const variable of container.env) expect(typeof variable.value, variable.name).toBe('string');
    const known = readFileSync(resolve(repositoryRoot, 'src/app/config.ts'), 'utf8');
    const limitNames = Object.values(limitVariables).map((spec) => spec.variable as string);
    for (const { name } of container.env) expect(known.includes(`'${name}'`) || limitNames.includes(name), `${name} is read by the service`).toBe(true);
    const config = parseConfig(podEnv);
    expect(config.store).toBe('dynamodb');
    expect(config.production).toBe(true);
    expect(config.host).toBe('0.0.0.0');
    expect(config.jwt.secretId).toBe('videosvc/jwt-secret');
    expect(config.port).toBe(8080);
  });

  it('probe liveness on /healthz and readiness on /readyz at the port the service listens on', () => {
    const port = container.ports.find((each: { name: string }) => each.name === 'grpc');
    expect(port.containerPort).toBe(parseConfig(podEnv).port);
    expect(instructionsOf(runtimeStage, 'EXPOSE')).toEqual([String(port.containerPort)]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'grpc' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'grpc' });
    expect(service.spec.ports).toEqual([{ name: 'grpc', port: 8080, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }]);
  });

  it('let a stopping pod finish its pre-stop delay and drain before the kubelet kills it', () => {
    const serviceGivesUpAfterMs = parseConfig(podEnv).limits.shutdownDelayMs + shutdownGraceMs + shutdownSlackMs;
    expect(serviceGivesUpAfterMs).toBe(20_000);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(serviceGivesUpAfterMs);
  });

  it('run as the image user, non-root, with a read-only root filesystem and no capabilities', () => {
    const imageUser = instructionsOf(runtimeStage, 'USER').at(-1);
    expect(imageUser).toBe(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.limits.memory).toMatch(/^\d+Mi$/);
  });
});
