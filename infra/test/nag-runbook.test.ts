import { describe, expect, it } from 'vitest';
import { runbookInput } from '../../src/flows/changes/index.js';
import { PREPOPULATED_PARAMETERS, readRunbook } from '../lib/constructs/adhoc-runbook.js';
import { awsSolutionsFindings } from '../lib/nag.js';
import { type Resources, synthApp } from './app-fixture.js';

// The app as `npm run synth` builds it: no context, so the member stack takes StackSet parameters.
const { app, template } = synthApp({});
// Synthesised once, here: Template.fromStack runs the whole synthesis (and CDK's CloudFormation validation).
const patching = template('patching').toJSON() as { Resources: Resources };
const member = template('member').toJSON() as { Parameters: Record<string, unknown>; Resources: Resources };

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning in any stack, and every acknowledgement carries a reason', () => {
    expect(awsSolutionsFindings(app)).toEqual([]);
    const acks = app.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules' || /acknowledg/i.test(m.type))
      .flatMap((m) => Object.values(m.data as Record<string, unknown>));
    expect(acks.length).toBeGreaterThan(0);
    for (const reason of acks) expect(String(reason).length).toBeGreaterThanOrEqual(20);
  });
});

describe('the ad hoc runbook', () => {
  const runbook = readRunbook();
  const sent = runbookInput(
    '0d4d8b58-8c4a-5bd1-9f51-2a1cfa1e0c11',
    {
      changeRequest: 'CHG0030001',
      accountId: '123456789012',
      region: 'us-east-1',
      targets: { patchGroups: ['web-prod'] },
      operation: 'Install',
      rebootOption: 'RebootIfNeeded',
      maxConcurrency: '10%',
      maxErrors: '0',
    },
    undefined,
  );

  it('declares every parameter src/flows/changes sends, and the target parameter', () => {
    const names = Object.keys(runbook.parameters);
    expect(names).toEqual(expect.arrayContaining([...Object.keys(sent.parameters ?? {}), sent.targetParameterName]));
  });

  it('needs nothing the flow does not send except what the deployment prepopulates', () => {
    const provided = new Set([...Object.keys(sent.parameters ?? {}), sent.targetParameterName, ...PREPOPULATED_PARAMETERS]);
    const required = Object.entries(runbook.parameters).filter(([, p]) => p.default === undefined).map(([name]) => name);
    expect(required.filter((name) => !provided.has(name))).toEqual([]);
    expect(Object.keys(runbook.parameters).filter((name) => !provided.has(name) && runbook.parameters[name]?.default === undefined)).toEqual([]);
  });

  it('accepts the values the flow sends (allowed values and patterns)', () => {
    for (const [name, values] of Object.entries(sent.parameters ?? {})) {
      const p = runbook.parameters[name];
      for (const v of values) {
        if (p?.allowedValues) expect(p.allowedValues).toContain(v);
        if (p?.allowedPattern) expect(v).toMatch(new RegExp(p.allowedPattern));
      }
    }
  });

  it('is deployed as patchbridge-AdHocPatch with its role and PatchResults topic prepopulated', () => {
    const docs = Object.values(patching.Resources).filter((r) => r.Type === 'AWS::SSM::Document');
    expect(docs).toHaveLength(1);
    const props = docs[0]?.Properties ?? {};
    expect(props['Name']).toBe('patchbridge-AdHocPatch');
    expect(props['DocumentType']).toBe('Automation');
    const parameters = (props['Content'] as { parameters: Record<string, { default?: unknown }> }).parameters;
    for (const name of PREPOPULATED_PARAMETERS) expect(parameters[name]?.default).toBeDefined();
    expect(JSON.stringify(parameters['NotificationTopicArn']?.default)).toContain('PatchResults');
    expect(Object.keys(parameters).sort()).toEqual(Object.keys(runbook.parameters).sort());
  });
});

describe('the member stack as a StackSet template', () => {
  it('takes the central account and the external id as parameters, and conditions the bridge role on that external id', () => {
    expect(Object.keys(member.Parameters)).toEqual(expect.arrayContaining(['CentralAccountId', 'ExternalId', 'CentralRegion']));
    const role = Object.values(member.Resources).find((r) => r.Type === 'AWS::IAM::Role' && r.Properties?.['RoleName'] === 'patchbridge-member');
    expect(JSON.stringify(role?.Properties?.['AssumeRolePolicyDocument'])).toContain('"Condition":{"StringEquals":{"sts:ExternalId":{"Ref":"ExternalId"}}}');
  });
});
