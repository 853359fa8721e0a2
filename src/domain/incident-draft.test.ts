import { describe, expect, it } from 'vitest';
import { HOSTILE_LONG, HOSTILE_TEXT } from '../sim/aws/index.js';
import {
  assessSeverity,
  assignmentGroupFor,
  boundExcerpt,
  buildIncidentDraft,
  CORRELATION_ID_PATTERN,
  ciFor,
  combineDrafts,
  correlationIdFor,
  DESCRIPTION_MAX_CHARS,
  type IncidentPolicy,
  type InstanceFailure,
  markersFromComment,
  mergeDescription,
  parseDescription,
  renderWorkNote,
  failedInstancesCsv,
  WORK_NOTE_MAX_CHARS,
} from './index.js';

const policy: IncidentPolicy = {
  prodEnvironments: ['production', 'prod'],
  groupMap: [
    { tagKey: 'Application', tagValue: 'billing', group: 'Billing Ops' },
    { tagKey: 'Environment', tagValue: 'production', group: 'Prod Ops' },
  ],
  defaultGroup: 'Cloud Operations',
  serviceMap: { web: 'Web Service' },
};

function instance(n: number, overrides: Partial<InstanceFailure> = {}): InstanceFailure {
  const id = `i-${n.toString(16).padStart(17, '0')}`;
  return {
    instanceId: id,
    name: `host-${n}`,
    platform: 'Amazon Linux 2023',
    ipAddress: `10.0.0.${n % 250}`,
    pingStatus: 'Online',
    patchGroup: 'web',
    baselineId: 'pb-0123456789abcdef0',
    status: 'Failed',
    commandId: '11111111-2222-3333-4444-555555555555',
    counts: { failed: 1, missing: 2, installedPendingReboot: 0, criticalNonCompliant: 0, securityNonCompliant: 0 },
    topPatches: [],
    tags: { Environment: 'test' },
    links: { instance: `https://console/${id}` },
    failedAt: '2026-03-01T10:00:00.000Z',
    ...overrides,
  };
}

describe('correlationIdFor', () => {
  const key = { accountId: '123456789012', region: 'ap-southeast-2', executionId: '791b72e0-f0da-4021-8b35-f95df0a1b2c3', patchGroup: 'web servers' };

  it('when called twice with the same key, then the id is the same and matches the contract pattern', () => {
    // Act
    const a = correlationIdFor(key);
    const b = correlationIdFor({ ...key });
    // Assess
    expect(a).toBe(b);
    expect(a).toMatch(CORRELATION_ID_PATTERN);
    expect(a.length).toBeLessThanOrEqual(100);
  });

  it.each([
    ['patch group', { patchGroup: 'db servers' }],
    ['account', { accountId: '210987654321' }],
    ['region', { region: 'eu-west-1' }],
    ['execution', { executionId: '00000000-f0da-4021-8b35-f95df0a1b2c3' }],
  ])('when only the %s differs, then the id differs', (_name, change) => {
    // Act / Assess
    expect(correlationIdFor({ ...key, ...change })).not.toBe(correlationIdFor(key));
  });

  it('when the execution id is very long or has odd characters, then the id still fits the contract', () => {
    // Act
    const id = correlationIdFor({ ...key, executionId: `${'x'.repeat(150)}^ORDERBY`, patchGroup: 'a^b' });
    // Assess
    expect(id).toMatch(CORRELATION_ID_PATTERN);
  });
});

describe('assessSeverity', () => {
  it.each([
    ['a test instance with no security gap', [instance(1)], 3, 3],
    ['a production instance', [instance(1, { tags: { Environment: 'Production' } })], 1, 2],
    [
      'missing critical patches on production',
      [instance(1, { tags: { Environment: 'prod' }, counts: { failed: 0, missing: 3, installedPendingReboot: 0, criticalNonCompliant: 2, securityNonCompliant: 2 } })],
      1,
      1,
    ],
    [
      'missing security patches outside production',
      [instance(1, { counts: { failed: 0, missing: 3, installedPendingReboot: 0, criticalNonCompliant: 0, securityNonCompliant: 1 } })],
      2,
      2,
    ],
    ['a wide failure (10 instances)', Array.from({ length: 10 }, (_, n) => instance(n)), 2, 3],
  ])('when the draft has %s, then impact and urgency follow the policy', (_name, instances, impact, urgency) => {
    // Act
    const result = assessSeverity(instances, policy);
    // Assess
    expect([result.impact, result.urgency]).toEqual([impact, urgency]);
    expect(result.reasons.length).toBeGreaterThan(0);
  });

  it('when the production list is configured differently, then the same tags are judged differently', () => {
    // Act
    const result = assessSeverity([instance(1, { tags: { Environment: 'live' } })], { ...policy, prodEnvironments: ['live'] });
    // Assess
    expect(result.impact).toBe(1);
  });
});

describe('assignmentGroupFor / ciFor', () => {
  it.each([
    ['the first matching rule', [instance(1, { tags: { Application: 'billing', Environment: 'production' } })], 'Billing Ops'],
    ['a later rule when the first does not match', [instance(1), instance(2, { tags: { Environment: 'production' } })], 'Prod Ops'],
    ['the default when nothing matches', [instance(1)], 'Cloud Operations'],
  ])('when tags select %s, then that group is assigned', (_name, instances, group) => {
    // Act / Assess
    expect(assignmentGroupFor(instances, policy)).toBe(group);
  });

  it.each([
    ['one instance', [instance(7)], 'web', { kind: 'instance', instanceId: instance(7).instanceId }],
    ['several instances of a mapped group', [instance(1), instance(2)], 'web', { kind: 'service', name: 'Web Service' }],
    ['several instances of an unmapped group', [instance(1), instance(2)], 'db', undefined],
  ])('when the draft has %s, then the CI follows', (_name, instances, group, ci) => {
    // Act / Assess
    expect(ciFor(instances, group, policy)).toEqual(ci);
  });
});

describe('buildIncidentDraft', () => {
  const base = {
    accountId: '123456789012',
    region: 'us-east-1',
    execution: { kind: 'maintenance-window' as const, id: '791b72e0-f0da-4021-8b35-f95df0a1b2c3', windowId: 'mw-0ed7251d3fcf6e0c2' },
    patchGroup: 'web',
    now: new Date('2026-03-01T10:05:00Z'),
  };

  it('when a draft has a dozen instances, then the description has a summary, a complete table and next steps', () => {
    // Prepare
    const instances = Array.from({ length: 12 }, (_, n) => instance(n + 1));
    // Act
    const draft = buildIncidentDraft({ ...base, changeNumber: 'CHG0012345', instances }, policy);
    // Assess
    expect(draft.description).toMatch(/^Patching failed on 12 instance\(s\) of patch group "web" during maintenance window mw-0ed7251d3fcf6e0c2 execution/);
    for (const i of instances) expect(draft.description).toContain(i.instanceId);
    expect(draft.description).toContain('Change request: CHG0012345.');
    expect(draft.description).toContain('Next steps:');
    expect(draft.description.length).toBeLessThanOrEqual(DESCRIPTION_MAX_CHARS);
    expect(draft.shortDescription).toBe('Patching failed on 12 instances in patch group web (maintenance window, 123456789012 us-east-1)');
    expect(draft.correlationDisplay).toBe('patchbridge');
    expect(draft.instances.map((i) => i.instanceId)).toEqual([...instances.map((i) => i.instanceId)].sort());
  });

  it('when the table would overflow the description, then it stays within the limit and says how many are left out', () => {
    // Prepare
    const instances = Array.from({ length: 200 }, (_, n) => instance(n + 1));
    // Act
    const draft = buildIncidentDraft({ ...base, instances }, policy);
    // Assess
    expect(draft.description.length).toBeLessThanOrEqual(DESCRIPTION_MAX_CHARS);
    expect(draft.description).toMatch(/… and \d+ more instance\(s\), not in this table: every failed instance is named in the work notes, and where they would be too long, in an attached CSV of failed instances\./);
    expect(draft.description).toContain('Next steps:');
  });
});

describe('parseDescription / mergeDescription', () => {
  const base = {
    accountId: '123456789012',
    region: 'us-east-1',
    execution: { kind: 'command' as const, id: '11111111-2222-3333-4444-555555555555' },
    patchGroup: 'web',
    changeNumber: 'CHG0012345',
    now: new Date('2026-03-01T10:05:00Z'),
  };

  it('when a rendered description is read back, then its rows and detail lines come back', () => {
    // Prepare
    const draft = buildIncidentDraft({ ...base, instances: [instance(1), instance(2)] }, policy);
    // Act
    const parsed = parseDescription(draft.description);
    // Assess
    expect(parsed?.rows.map((r) => r[0])).toEqual([instance(1).instanceId, instance(2).instanceId]);
    expect(parsed?.details[0]).toBe('Change request: CHG0012345.');
  });

  it('when late instances are merged, then the table lists old and new rows once, sorted, under the new total', () => {
    // Prepare
    const first = buildIncidentDraft({ ...base, instances: [instance(3), instance(1)] }, policy);
    const late = buildIncidentDraft({ ...base, instances: [instance(2), instance(3)] }, policy);
    // Act
    const merged = mergeDescription(first.description, late, 3);
    // Assess
    expect(parseDescription(merged)?.rows.map((r) => r[0])).toEqual([1, 2, 3].map((n) => instance(n).instanceId));
    expect(merged).toMatch(/^Patching failed on 3 instance\(s\) of patch group "web"/);
    expect(merged).toContain('Change request: CHG0012345.');
  });

  it('when the existing description is not one patchbridge wrote, then the draft description is used', () => {
    // Prepare
    const draft = buildIncidentDraft({ ...base, instances: [instance(1)] }, policy);
    // Act / Assess
    expect(mergeDescription('edited by hand', draft, 1)).toBe(draft.description);
  });
});

describe('combineDrafts', () => {
  const base = {
    accountId: '123456789012',
    region: 'us-east-1',
    execution: { kind: 'command' as const, id: '11111111-2222-3333-4444-555555555555' },
    patchGroup: 'db',
    now: new Date('2026-03-01T10:05:00Z'),
  };

  it('when drafts of one incident are pending together, then one draft carries every instance once with the highest priority', () => {
    // Prepare
    const a = buildIncidentDraft({ ...base, instances: [instance(1), instance(2)] }, policy);
    const b = buildIncidentDraft({ ...base, instances: [instance(2), instance(3, { tags: { Environment: 'prod' } })] }, policy);
    // Act
    const combined = combineDrafts([a, b]);
    // Assess
    expect(combined.instances.map((i) => i.instanceId)).toEqual([1, 2, 3].map((n) => instance(n).instanceId));
    expect(parseDescription(combined.description)?.rows.map((r) => r[0])).toEqual([1, 2, 3].map((n) => instance(n).instanceId));
    expect(combined.shortDescription).toContain('on 3 instances');
    expect(combined.impact).toBe(Math.min(a.impact, b.impact));
    expect(combined.impact).toBe(1);
  });

  it('when single-instance drafts combine into several instances, then the instance CI is dropped', () => {
    // Prepare
    const a = buildIncidentDraft({ ...base, instances: [instance(1)] }, policy);
    const b = buildIncidentDraft({ ...base, instances: [instance(2)] }, policy);
    // Act / Assess
    expect(a.ci).toEqual({ kind: 'instance', instanceId: instance(1).instanceId });
    expect(combineDrafts([a, b]).ci).toBeUndefined();
  });
});

describe('renderWorkNote', () => {
  it('when instances have patches and errors, then each block carries them and the links', () => {
    // Prepare
    const failure = instance(1, {
      errorExcerpt: 'Traceback\nyum: mirror unreachable',
      topPatches: [{ id: 'KB5031356', title: 'Cumulative Update', severity: 'CRITICAL', vendorSeverity: 'Critical', state: 'Failed', kb: 'KB5031356', cves: ['CVE-2023-36884'] }],
      links: { instance: 'https://console/i', command: 'https://console/c' },
    });
    // Act
    const { text: note, unnamed } = renderWorkNote('New failures:', [failure]);
    // Assess
    expect(unnamed).toBe(0);
    expect(note).toContain('KB5031356 [Failed, Critical] KB5031356 CVE-2023-36884');
    expect(note).toContain('Error output (tail): Traceback yum: mirror unreachable');
    expect(note).toContain('Command: https://console/c');
  });

  it('when the details of 400 instances do not fit, then instances are named one line each with their error, never cut mid-item', () => {
    // Prepare
    const many = Array.from({ length: 400 }, (_, n) => instance(n + 1, { errorExcerpt: `error of ${n + 1} ${'e'.repeat(400)}` }));
    // Act
    const { text, unnamed } = renderWorkNote('Failures:', many);
    // Assess
    expect(text.length).toBeLessThanOrEqual(WORK_NOTE_MAX_CHARS);
    expect(text).toMatch(/^(Failed instances|Also failed):$/m);
    const named = many.filter((i) => new RegExp(`${i.instanceId}(?![0-9a-f])`).test(text));
    expect(named.length + unnamed).toBe(many.length);
    // The named ones are a prefix: nothing skipped, nothing half-written.
    expect(named.map((i) => i.instanceId)).toEqual(many.slice(0, named.length).map((i) => i.instanceId));
    for (const line of text.split('\n').filter((l) => l.startsWith('- i-'))) expect(line).toMatch(/^- i-[0-9a-f]{17} Failed/);
  });

  it('when even one line per instance does not fit, then the note says how many are left out and names the attached CSV, which lists every instance with its error', () => {
    // Prepare
    const storm = Array.from({ length: 2_000 }, (_, n) => instance(n + 1, { errorExcerpt: `disk full on volume ${n}` }));
    // Act
    const { text, unnamed } = renderWorkNote('Failures:', storm, [], 'failed.csv');
    const csv = failedInstancesCsv(storm);
    // Assess
    expect(text.length).toBeLessThanOrEqual(WORK_NOTE_MAX_CHARS);
    expect(unnamed).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`${unnamed} more failed instance\\(s\\) are not listed here: every failed instance, with its error, is in the attached failed\\.csv\\.$`));
    const rows = csv.trimEnd().split('\r\n');
    expect(rows).toHaveLength(2_001);
    for (const [n, i] of storm.entries()) expect(rows[n + 1]).toMatch(new RegExp(`^${i.instanceId},.*disk full on volume ${n}$`));
  });

  it('when instance data looks like a spreadsheet formula or holds quotes and newlines, then the CSV defuses and quotes it', () => {
    // Prepare
    const hostile = instance(1, { name: '=HYPERLINK("http://x")', errorExcerpt: 'line one\n"quoted", two' });
    // Act
    const csv = failedInstancesCsv([hostile]);
    // Assess
    expect(csv).toContain('"\'=HYPERLINK(""http://x"")"');
    expect(csv).toContain('"line one ""quoted"", two"');
  });
});

describe('markersFromComment / boundExcerpt', () => {
  it.each([
    ['patchbridge mwx=791B72E0-F0DA-4021-8B35-F95DF0A1B2C3 mw=mw-0ed7251d3fcf6e0c2', { windowExecutionId: '791b72e0-f0da-4021-8b35-f95df0a1b2c3', windowId: 'mw-0ed7251d3fcf6e0c2' }],
    ['patchbridge CHG0012345 aex=333ba70b-2333-48db-b17e-a5e69c6f4d1c', { automationExecutionId: '333ba70b-2333-48db-b17e-a5e69c6f4d1c', changeNumber: 'CHG0012345' }],
    ['Maintenance window mw-0ed7251d3fcf6e0c2 task patch-install', { windowId: 'mw-0ed7251d3fcf6e0c2' }],
    ['Automation 333ba70b-2333-48db-b17e-a5e69c6f4d1c', { automationExecutionId: '333ba70b-2333-48db-b17e-a5e69c6f4d1c' }],
    ['nothing here', {}],
    [undefined, {}],
  ])('when the comment is %j, then the markers are %j', (comment, expected) => {
    // Act / Assess
    expect(markersFromComment(comment)).toEqual(expected);
  });

  it('when output has an ERROR section, then the excerpt is its tail within the bound', () => {
    // Act
    const excerpt = boundExcerpt(`lots of stdout\n----------ERROR-------\n${'x'.repeat(1000)}failed: disk full`, 100);
    // Assess
    expect(excerpt?.length).toBe(100);
    expect(excerpt?.endsWith('failed: disk full')).toBe(true);
    expect(excerpt).not.toContain('stdout');
  });
});

describe('incident text from hostile AWS data', () => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]|\[\/?code\]/i;
  const hostile = (n: number): InstanceFailure => {
    const text = HOSTILE_TEXT[n % HOSTILE_TEXT.length] ?? '';
    return {
      instanceId: `i-${n.toString(16).padStart(17, '0')}`,
      name: `web ${text}`.slice(0, 256),
      platform: `Linux${text}`,
      patchGroup: `web${text}`.slice(0, 256),
      status: 'Failed',
      statusDetails: `Failed ${text}`,
      topPatches: [{ id: `kernel${text}`, title: `${text} ${HOSTILE_LONG}`, severity: 'CRITICAL', state: 'Failed', cves: [] }],
      errorExcerpt: HOSTILE_LONG.slice(-600),
      tags: { Name: text.slice(0, 256), [`Owner${text}`.slice(0, 128)]: `${text}${'o'.repeat(256)}`.slice(0, 256) },
      links: { instance: 'https://console.aws.amazon.com/x' },
      failedAt: '2026-03-01T10:00:00.000Z',
    };
  };

  it('when names, tags, titles and output hold control characters, [code] tags and 10 KB strings, then no ServiceNow text holds any and every field stays within its column', () => {
    // Prepare
    const instances = Array.from({ length: 40 }, (_, n) => hostile(n + 1));

    // Act
    const draft = buildIncidentDraft(
      {
        accountId: '111122223333',
        region: 'eu-west-1',
        execution: { kind: 'command', id: '11111111-2222-3333-4444-555555555555' },
        patchGroup: `web${HOSTILE_TEXT.join('')}`.slice(0, 256),
        instances,
        now: new Date('2026-03-01T10:00:00Z'),
      },
      { prodEnvironments: ['prod'], groupMap: [], defaultGroup: 'Ops', serviceMap: {} },
    );
    const note = renderWorkNote('patchbridge: patching failed.', draft.instances, [], 'x.csv');

    // Assess
    for (const [what, text] of [['short description', draft.shortDescription], ['description', draft.description], ['work note', note.text]] as const) {
      expect(UNSAFE.test(text), what).toBe(false);
    }
    expect(draft.shortDescription.length).toBeLessThanOrEqual(160);
    expect(draft.description.length).toBeLessThanOrEqual(4_000);
    expect(note.text.length).toBeLessThanOrEqual(16_000);
    expect(note.text).toContain('(code)<img src=x onerror=alert(document.cookie)>(/code)');
    expect(JSON.stringify(draft).length).toBeLessThan(200_000);
    expect(draft.correlationId).toMatch(/^[A-Za-z0-9:._-]{1,100}$/);
  });
});
