import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/index.js';
import { type AwsSimHarness, createAwsSimHarness } from '../sim/aws/index.js';
import { AwsError } from './errors.js';

let h: AwsSimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TOKEN_A = '0f8fad5b-d9cb-469f-a165-70867728950e';
const TOKEN_B = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('PatchExecution over the simulator', () => {
  it('when a patch command is sent to a tag, then every instance of the group gets an invocation and the comment is cut to 100 characters', async () => {
    // Prepare
    const seen: unknown[] = [];
    h = await createAwsSimHarness({
      sim: { fleet: { size: 60, seed: 21, failureRate: 0, staleRate: 0, offlineRate: 0 }, sinks: [{ kind: 'callback', fn: (kind, p) => void (kind === 'sns' && seen.push(p)), topicArns: ['arn:aws:sns:us-east-1:123456789012:patch-results'] }] },
    });
    const group = h.sim.fleet.patchGroups[0]!;
    const members = h.sim.fleet.instances.filter((i) => i.tags['Patch Group'] === group);
    // Act
    const { commandId } = await h.ports.patchExecution.sendPatchCommand(h.ctx, {
      targets: [{ key: 'tag:Patch Group', values: [group] }],
      operation: 'Install',
      maxConcurrency: '25%',
      maxErrors: '10%',
      comment: `CHG0012345 ${'x'.repeat(200)}`,
      notification: {
        topicArn: 'arn:aws:sns:us-east-1:123456789012:patch-results',
        serviceRoleArn: 'arn:aws:iam::123456789012:role/ssm-sns',
        type: 'Invocation',
      },
    });
    await h.sim.settle();
    const status = await h.ports.patchExecution.getRunStatus(h.ctx, { kind: 'command', commandId });
    // Assess
    expect(status.phase).toBe('succeeded');
    expect(status.invocations.map((i) => i.instanceId).sort()).toEqual(members.map((m) => m.instanceId).sort());
    expect(status.invocations[0]?.comment).toHaveLength(100);
    expect(status.counts).toMatchObject({ targets: members.length, completed: members.length, errors: 0 });
    // Invocation-level notifications: InProgress and Success per instance, camelCase, one instance each.
    const messages = seen.map((e) => JSON.parse((e as { Message: string }).Message) as Record<string, unknown>);
    expect(messages).toHaveLength(members.length * 2);
    expect(messages.every((m) => m['commandId'] === commandId && typeof m['instanceId'] === 'string')).toBe(true);
  });

  it('when an instance is forced to fail, then the run is failed and its invocation says so', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 10, seed: 22, failureRate: 0, staleRate: 0, offlineRate: 0 } } });
    const [bad, good] = h.sim.fleet.instances.filter((i) => i.pingStatus === 'Online');
    h.sim.forceOutcome(bad!.instanceId, 'Failed');

    const { commandId } = await h.ports.patchExecution.sendPatchCommand(h.ctx, {
      targets: [{ key: 'InstanceIds', values: [bad!.instanceId, good!.instanceId] }],
      operation: 'Install',
      maxConcurrency: '2',
      maxErrors: '0',
      comment: 'CHG0000002',
    });
    await h.sim.settle();
    const status = await h.ports.patchExecution.getRunStatus(h.ctx, { kind: 'command', commandId }, { withDetails: true });

    expect(status.phase).toBe('failed');
    const byId = new Map(status.invocations.map((i) => [i.instanceId, i]));
    expect(byId.get(bad!.instanceId)).toMatchObject({ status: 'Failed', statusDetails: 'Failed' });
    expect(byId.get(good!.instanceId)).toMatchObject({ status: 'Success' });
    expect(byId.get(bad!.instanceId)?.plugins?.[0]?.output).toMatch(/Failed to install/);
  });

  it('when a patch run is started, then its status lists the command and every invocation across pages', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 140, seed: 23, patchGroups: ['all'], unmanagedRate: 0, staleRate: 0, failureRate: 0, offlineRate: 0 } } });

    const { executionId } = await h.ports.patchExecution.startPatchRun(h.ctx, {
      clientToken: TOKEN_A,
      parameters: { PatchGroup: ['all'], Operation: ['Install'] },
      tags: { ChangeRequest: 'CHG0012345' },
    });
    await h.sim.settle();
    const status = await h.ports.patchExecution.getRunStatus(h.ctx, { kind: 'automation', executionId });

    expect(status).toMatchObject({ phase: 'succeeded', status: 'Success', documentName: 'patchbridge-AdHocPatch' });
    expect(status.commandIds).toHaveLength(1);
    expect(status.invocations).toHaveLength(140);
    expect(h.sim.requestLog.filter((e) => e.operation === 'ListCommandInvocations').length).toBe(3);
  });

  it('when the same ClientToken is sent with the same parameters, then the same execution id comes back', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 5, seed: 24 } } });
    const input = { clientToken: TOKEN_A, parameters: { PatchGroup: ['web-prod'] } };

    const first = await h.ports.patchExecution.startPatchRun(h.ctx, input);
    const second = await h.ports.patchExecution.startPatchRun(h.ctx, input);

    expect(second.executionId).toBe(first.executionId);
    expect(h.sim.state().automations.size).toBe(1);
  });

  it('when the same ClientToken is sent with new parameters, then IDEMPOTENCY_MISMATCH keeps the AWS name and request id', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 5, seed: 25 } } });
    await h.ports.patchExecution.startPatchRun(h.ctx, { clientToken: TOKEN_B, parameters: { PatchGroup: ['web-prod'] } });

    const err = await h.ports.patchExecution
      .startPatchRun(h.ctx, { clientToken: TOKEN_B, parameters: { PatchGroup: ['db-prod'] } })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AwsError);
    expect(err).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', awsErrorName: 'IdempotentParameterMismatch', retryable: false });
    const requestId = (err as AwsError).requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.sim.requestLog.some((e) => e.errorCode === 'IdempotentParameterMismatch')).toBe(true);
  });

  it('when three runs start at once, then the 1 TPS bucket lets one StartAutomationExecution through per second', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    h = await createAwsSimHarness({ sim: { fleet: { size: 5, seed: 26 } }, clock });
    const starts = () => h!.sim.count('StartAutomationExecution');
    const tokens = [TOKEN_A, TOKEN_B, '2c1b7d4e-8f3a-4b6c-9d0e-1f2a3b4c5d6e'];

    const runs = tokens.map((clientToken) => h!.ports.patchExecution.startPatchRun(h!.ctx, { clientToken, parameters: { PatchGroup: ['web-prod'] } }));
    await until(() => starts() === 1);
    await new Promise((r) => setTimeout(r, 50));
    const afterZero = starts();
    await clock.advance(999);
    await new Promise((r) => setTimeout(r, 50));
    const after999 = starts();
    await clock.advance(1);
    await until(() => starts() === 2);
    await clock.advance(1000);
    await until(() => starts() === 3);
    const ids = await Promise.all(runs);

    expect([afterZero, after999, starts()]).toEqual([1, 1, 3]);
    expect(new Set(ids.map((r) => r.executionId)).size).toBe(3);
  });

  it('when a running patch run is cancelled, then it ends Cancelled; cancelling it again is a no-op', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 20, seed: 27, staleRate: 0, offlineRate: 0 }, time: { mode: 'stepped' } } });
    const { executionId } = await h.ports.patchExecution.startPatchRun(h.ctx, { clientToken: TOKEN_A, parameters: { PatchGroup: ['web-prod'] } });
    await h.sim.advance(2_000);

    await h.ports.patchExecution.cancelRun(h.ctx, { kind: 'automation', executionId });
    await h.sim.advance(60_000);
    const status = await h.ports.patchExecution.getRunStatus(h.ctx, { kind: 'automation', executionId });
    await h.ports.patchExecution.cancelRun(h.ctx, { kind: 'automation', executionId });

    expect(status).toMatchObject({ phase: 'cancelled', status: 'Cancelled' });
    expect(status.invocations.every((i) => i.status === 'Cancelled')).toBe(true);
  });

  it('when the run does not exist, then NOT_FOUND', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 3, seed: 28 } } });

    const err = await h.ports.patchExecution
      .getRunStatus(h.ctx, { kind: 'automation', executionId: '00000000-0000-4000-8000-000000000000' })
      .catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'NOT_FOUND', awsErrorName: 'AutomationExecutionNotFoundException' });
  });
});
