import { type CommandFilter, ListCommandInvocationsCommand, ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsSimHarness, SIM_CREDENTIALS } from './harness.js';

/** A command over the whole fleet in which 55 invocations fail and 3 time out; the tests only read it. */
async function commandWithFailures() {
  const h = await createAwsSimHarness({ sim: { fleet: { size: 130, seed: 21, failureRate: 0, staleRate: 0, unmanagedRate: 0 } } });
  const sim = h.sim;
  for (const i of sim.fleet.instances) i.pingStatus = 'Online';
  const failed = sim.fleet.instances.slice(0, 55).map((i) => i.instanceId);
  const timedOut = sim.fleet.instances.slice(55, 58).map((i) => i.instanceId);
  for (const id of failed) sim.forceOutcome(id, 'Failed');
  for (const id of timedOut) sim.forceOutcome(id, 'TimedOut');
  const { commandId } = await h.ports.patchExecution.sendPatchCommand(h.ctx, {
    targets: [{ key: 'tag:Patch Group', values: [...sim.fleet.patchGroups] }],
    operation: 'Install',
    maxConcurrency: '100%',
    maxErrors: '100%',
    comment: 'filters',
  });
  await sim.settle();
  const ssm = new SSMClient({ endpoint: sim.url, region: h.ctx.region, credentials: SIM_CREDENTIALS, maxAttempts: 1 });
  return { h, ssm, commandId, failed, timedOut };
}

describe('ListCommands and ListCommandInvocations Filters in the AWS simulator', () => {
  let fixture: Awaited<ReturnType<typeof commandWithFailures>>;
  const scenario = () => fixture;
  beforeAll(async () => {
    fixture = await commandWithFailures();
  });
  afterAll(async () => {
    fixture.ssm.destroy();
    await fixture.h.close();
  });
  beforeEach(() => fixture.h.sim.resetLog());

  it('when a Status filter is given, then only the invocations with that status come back, 50 a page', async () => {
    // Prepare
    const { h, commandId, failed, timedOut } = scenario();
    // Act
    const listedFailed = await h.ports.inventory.listCommandInvocations(h.ctx, commandId, { status: 'Failed' });
    const listedTimedOut = await h.ports.inventory.listCommandInvocations(h.ctx, commandId, { status: 'TimedOut' });
    const listedAll = await h.ports.inventory.listCommandInvocations(h.ctx, commandId);
    // Assess
    expect(listedFailed.map((i) => i.instanceId).sort()).toEqual([...failed].sort());
    expect(listedFailed.every((i) => i.status === 'Failed')).toBe(true);
    expect(listedTimedOut.map((i) => i.instanceId).sort()).toEqual([...timedOut].sort());
    expect(listedAll).toHaveLength(130);
    // 55 failed: two pages; 3 timed out: one; 130 unfiltered: three.
    expect(h.sim.count('ListCommandInvocations')).toBe(2 + 1 + 3);
  });

  it('when filtered by DocumentName and InvokedBefore, then the filters combine', async () => {
    // Prepare
    const { ssm, commandId } = scenario();
    // Act
    const byDocument = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Filters: [{ key: 'DocumentName', value: 'AWS-RunShellScript' }] }));
    const before = await ssm.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, Filters: [{ key: 'DocumentName', value: 'AWS-RunPatchBaseline' }, { key: 'InvokedBefore', value: '2000-01-01T00:00:00Z' }] }),
    );
    const after = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Filters: [{ key: 'InvokedAfter', value: '2000-01-01T00:00:00Z' }] }));
    // Assess
    expect(byDocument.CommandInvocations).toEqual([]);
    expect(before.CommandInvocations).toEqual([]);
    expect(after.CommandInvocations).toHaveLength(50);
  });

  it.each<[string, CommandFilter[], string, RegExp]>([
    ['a key outside the enum', [{ key: 'Colour' as CommandFilter['key'], value: 'red' }], 'ValidationException', /filters\.1\.member\.key.*enum value set/],
    ['ExecutionStage, which only ListCommands takes', [{ key: 'ExecutionStage', value: 'Executing' }], 'InvalidFilterKey', /ExecutionStage/],
    ['a status the operation does not know', [{ key: 'Status', value: 'Broken' }], 'InvalidFilterKey', /Broken/],
    ["a command-level status (ListCommands' Incomplete)", [{ key: 'Status', value: 'Incomplete' }], 'InvalidFilterKey', /Incomplete/],
    ['a timestamp that is not one', [{ key: 'InvokedAfter', value: 'yesterday' }], 'InvalidFilterKey', /yesterday/],
    ['an empty value', [{ key: 'Status', value: '' }], 'ValidationException', /filters\.1\.member\.value/],
    ['six filters', Array.from({ length: 6 }, () => ({ key: 'Status', value: 'Failed' })), 'ValidationException', /length less than or equal to 5/],
    ['an empty list', [], 'ValidationException', /length greater than or equal to 1/],
  ])('when the filters hold %s, then the simulator refuses them as AWS does', async (_what, filters, name, message) => {
    // Prepare
    const { ssm, commandId } = scenario();
    // Act
    const outcome = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Filters: filters })).then(
      () => undefined,
      (err: unknown) => err as Error & { $metadata?: { httpStatusCode?: number } },
    );
    // Assess
    expect(outcome?.name).toBe(name);
    expect(outcome?.message).toMatch(message);
    expect(outcome?.$metadata?.httpStatusCode).toBe(400);
  });

  it('when ListCommands is filtered, then Status, ExecutionStage, DocumentName and the time filters apply to the command', async () => {
    // Prepare
    const { ssm, commandId } = scenario();
    const list = (filters: CommandFilter[]) => ssm.send(new ListCommandsCommand({ Filters: filters })).then((out) => (out.Commands ?? []).map((c) => c.CommandId));
    const [command] = (await ssm.send(new ListCommandsCommand({ CommandId: commandId }))).Commands ?? [];
    // Act
    const byStatus = await list([{ key: 'Status', value: command!.Status! }]);
    const complete = await list([{ key: 'ExecutionStage', value: 'Complete' }]);
    const executing = await list([{ key: 'ExecutionStage', value: 'Executing' }]);
    const otherDocument = await list([{ key: 'DocumentName', value: 'AWS-RunShellScript' }]);
    const before2000 = await list([{ key: 'InvokedBefore', value: '2000-01-01T00:00:00Z' }]);
    // Assess
    expect(command!.Status).toBe('Failed');
    expect(byStatus).toEqual([commandId]);
    expect(complete).toEqual([commandId]);
    expect(executing).toEqual([]);
    expect(otherDocument).toEqual([]);
    expect(before2000).toEqual([]);
  });

  it.each<[string, CommandFilter[], string, RegExp]>([
    ['a key outside the enum', [{ key: 'Colour' as CommandFilter['key'], value: 'red' }], 'ValidationException', /filters\.1\.member\.key.*enum value set/],
    ['an execution stage that is not one', [{ key: 'ExecutionStage', value: 'Running' }], 'InvalidFilterKey', /Running/],
    ["an invocation-level status (ListCommandInvocations' Delayed)", [{ key: 'Status', value: 'Delayed' }], 'InvalidFilterKey', /Delayed/],
    ['a timestamp that is not one', [{ key: 'InvokedBefore', value: 'tomorrow' }], 'InvalidFilterKey', /tomorrow/],
    ['six filters', Array.from({ length: 6 }, () => ({ key: 'Status', value: 'Failed' })), 'ValidationException', /length less than or equal to 5/],
  ])('when ListCommands filters hold %s, then the simulator refuses them as AWS does', async (_what, filters, name, message) => {
    // Prepare
    const { ssm } = scenario();
    // Act
    const outcome = await ssm.send(new ListCommandsCommand({ Filters: filters })).then(
      () => undefined,
      (err: unknown) => err as Error & { $metadata?: { httpStatusCode?: number } },
    );
    // Assess
    expect(outcome?.name).toBe(name);
    expect(outcome?.message).toMatch(message);
    expect(outcome?.$metadata?.httpStatusCode).toBe(400);
  });
});
