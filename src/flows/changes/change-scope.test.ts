import { describe, expect, it } from 'vitest';
import { AwsError } from '../../aws/index.js';
import { silentLogger } from '../../core/index.js';
import { ChangeRefusedError, type ChangeVerdict } from '../../domain/index.js';
import { ServiceNowError } from '../../servicenow/index.js';
import { ChangeFlowError } from './errors.js';
import { type ChangeScopeDeps, requireChangeScope, targetInstances } from './change-scope.js';
import { canonicalRequest } from './request.js';

const verdict: Extract<ChangeVerdict, { ok: true }> = {
  ok: true,
  changeNumber: 'CHG0030001',
  changeSysId: 'c'.repeat(32),
  start: new Date(0),
  end: new Date(1),
  facts: { sys_id: 'c'.repeat(32), number: 'CHG0030001', state: -1, approval: 'approved', start_date: new Date(0), end_date: new Date(1), description: 'web-prod' },
};
const request = (targets: unknown) => canonicalRequest({ changeRequest: 'CHG0030001', accountId: '111122223333', region: 'eu-west-1', targets: targets as never, operation: 'Install' });

const CTX = { accountId: '111122223333', region: 'eu-west-1' };

function deps(over: Partial<ChangeScopeDeps> & { calls?: string[]; targets?: unknown }): ChangeScopeDeps {
  const calls = over.calls ?? [];
  const fleet = {
    describeInstances: async () => {
      calls.push('describeInstances');
      return [];
    },
  };
  return {
    mode: 'affected-cis',
    logger: silentLogger(),
    instances: () => targetInstances(fleet, CTX, request(over.targets ?? { instanceIds: ['i-0123456789abcdef0'] }).targets),
    cmdb: {
      affectedCis: async () => {
        calls.push('affectedCis');
        return [];
      },
      findAllCisByInstanceIds: async () => {
        calls.push('findAllCisByInstanceIds');
        return new Map();
      },
    },
    ...over,
  };
}

describe('requireChangeScope', () => {
  it('when the mode is none, then it reads nothing', async () => {
    const calls: string[] = [];
    await requireChangeScope(deps({ mode: 'none', calls }), request({ patchGroups: ['web-prod'] }), verdict);
    expect(calls).toEqual([]);
  });

  it('when ServiceNow fails while the affected CIs are read, then CHANGE_UNVERIFIABLE (503, fail closed) and not a scope verdict', async () => {
    const failing = deps({
      cmdb: {
        affectedCis: async () => {
          throw new ServiceNowError('UNAVAILABLE', 'ServiceNow is down');
        },
        findAllCisByInstanceIds: async () => new Map(),
      },
    });
    const err = await requireChangeScope(failing, request({ instanceIds: ['i-0123456789abcdef0'] }), verdict).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChangeRefusedError);
    expect(err).toMatchObject({ code: 'CHANGE_UNVERIFIABLE', retryable: true });
    expect((err as Error).message).not.toContain('ServiceNow is down');
  });

  it('when AWS cannot resolve the patch group, then AWS_UNAVAILABLE and the AWS message stays out of the answer', async () => {
    const fleet = {
      describeInstances: async (): Promise<never> => {
        throw new AwsError('THROTTLED', 'Rate exceeded for arn:aws:iam::111122223333:role/patchbridge', { operation: 'SSM.DescribeInstanceInformation' });
      },
    };
    const err = await targetInstances(fleet, CTX, request({ patchGroups: ['web-prod'] }).targets).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChangeFlowError);
    expect(err).toMatchObject({ code: 'AWS_UNAVAILABLE' });
    expect((err as Error).message).not.toContain('arn:aws');
  });

  it('when the mode is patch-groups and the targets are one Patch Group tag, then the tag values are checked as patch groups without reading AWS', async () => {
    const calls: string[] = [];
    await requireChangeScope(deps({ mode: 'patch-groups', calls }), request({ tags: [{ key: 'PatchGroup', values: ['web-prod'] }] }), verdict);
    expect(calls).toEqual(['affectedCis']);
  });

  it('when the mode is patch-groups and the tags are not patch groups, then their instances are resolved and checked as affected CIs', async () => {
    const calls: string[] = [];
    const targets = { tags: [{ key: 'Environment', values: ['web-prod'] }] };
    const err = await requireChangeScope(deps({ mode: 'patch-groups', calls, targets }), request(targets), verdict).catch((e: unknown) => e);
    expect(calls).toEqual(['affectedCis', 'describeInstances']);
    expect(err).toMatchObject({ code: 'CHANGE_SCOPE_MISMATCH' });
  });
});
