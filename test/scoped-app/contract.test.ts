import { afterEach, describe, expect, it } from 'vitest';
import { randomIds } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { buildIncidentDraft, type IncidentPolicy, type InstanceFailure, REOPEN_NOTE_PREFIX } from '../../src/domain/index.js';
import { patchRunRecordValues, serviceNowWriteHandlers, type IncidentToRaise } from '../../src/flows/changes/index.js';
import { createIncidentUpserter } from '../../src/flows/incidents/index.js';
import { createServiceNowClient, type FailureImportRow, type ServiceNowClient, staticCredentials } from '../../src/servicenow/index.js';
import { SteppingClock } from '../../src/servicenow/testing.js';
import { APP_CONTRACT } from '../../src/sim/servicenow/app/contract.gen.js';
import { REOPEN_NOTE } from '../../src/sim/servicenow/app/failure-import.gen.js';
import type { AppColumn } from '../../src/sim/servicenow/app/contract-types.js';
import { createServiceNowSim, SIM_BASIC_CREDENTIALS, TABLES } from '../../src/sim/servicenow/index.js';
import { FAILURE_IMPORT_COLUMNS, FAILURE_IMPORT_MAP, type StagingColumn } from '../../src/sim/servicenow/schema.js';
import { createSqliteStore } from '../../src/store/index.js';
import type { PatchRunRecord, PatchRunStatus } from '../../src/store/types.js';

// One contract for the app, the client and the simulator: the app's build
// (`contract.gen.ts`, checked against the packed zip by app-build.test.ts) is the
// only definition; each test below fails when one side drifts from it.

type AppStatus = (typeof APP_CONTRACT)['tables']['x_pbridge_patch_run']['columns']['status']['choices'][number];
// Compile-time halves: the typecheck in `npm test` fails first on these.
const stagingKeysCovered: Exclude<keyof FailureImportRow, StagingColumn> extends never ? true : never = true;
const statusesCovered: [PatchRunStatus] extends [AppStatus] ? ([AppStatus] extends [PatchRunStatus] ? true : never) : never = true;
/** Every run status patchbridge has (the `Record` key type makes this list exhaustive). */
const RUN_STATUSES = Object.keys({
  Pending: 1,
  InProgress: 1,
  Success: 1,
  Failed: 1,
  TimedOut: 1,
  Cancelling: 1,
  Cancelled: 1,
} satisfies Record<PatchRunStatus, 1>) as PatchRunStatus[];

const STAGING = APP_CONTRACT.tables.x_pbridge_failure_import.columns as Readonly<Record<string, AppColumn>>;
const PATCH_RUN = APP_CONTRACT.tables.x_pbridge_patch_run.columns as Readonly<Record<string, AppColumn>>;

/** Each value must land in a column the table defines, within its length and choices. */
function fitsTable(values: object, columns: Readonly<Record<string, AppColumn>>): string[] {
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(values as Record<string, unknown>)) {
    const column = columns[name];
    const value = String(raw);
    if (!column) problems.push(`${name}: not a column`);
    else if (column.type === 'reference' && !/^[0-9a-f]{32}$/.test(value)) problems.push(`${name}: not a sys_id`);
    else if (column.choices && !column.choices.includes(value)) problems.push(`${name}: "${value}" is not a choice`);
    else if (column.maxLength > 0 && value.length > column.maxLength) problems.push(`${name}: ${value.length} > ${column.maxLength}`);
  }
  return problems;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const GROUP = 'G'.repeat(80);
const policy: IncidentPolicy = { prodEnvironments: ['prod'], groupMap: [], defaultGroup: GROUP, serviceMap: {} };
const PATCH_GROUP = 'p'.repeat(256);

function failure(n: number): InstanceFailure {
  return {
    instanceId: `i-${n.toString(16).padStart(17, '0')}`,
    patchGroup: PATCH_GROUP,
    status: 'Failed',
    topPatches: Array.from({ length: 20 }, (_, k) => ({ id: `KB${5_000_000 + k}`, title: 't'.repeat(200), severity: 'CRITICAL', state: 'Failed', cves: [] })),
    errorExcerpt: 'E'.repeat(600),
    tags: { Environment: 'prod', Application: 'a'.repeat(256) },
    links: { instance: `https://console.aws.amazon.com/ec2/home?region=ap-southeast-2#InstanceDetails:instanceId=i-${n}` },
    failedAt: '2026-03-01T10:00:00.000Z',
  };
}

/** The largest drafts the incident flow can produce: 256-character patch group, 5,000 failing instances. */
const draftOf = (from: number, to: number) =>
  buildIncidentDraft(
    {
      accountId: '123456789012',
      region: 'ap-southeast-2',
      execution: { kind: 'maintenance-window', id: '11111111-2222-3333-4444-555555555555', windowId: 'mw-0123456789abcdef0' },
      patchGroup: PATCH_GROUP,
      instances: Array.from({ length: to - from }, (_, k) => failure(from + k)),
      now: new Date('2026-03-01T10:00:00Z'),
    },
    policy,
  );

async function recordingClient(): Promise<{ client: ServiceNowClient; rows: FailureImportRow[]; sim: ReturnType<typeof createServiceNowSim> }> {
  const clock = new SteppingClock('2026-03-01T10:00:00Z');
  const sim = createServiceNowSim({ clock });
  await sim.listen(0);
  closers.push(() => sim.close());
  sim.seed.group({ name: GROUP });
  const real = createServiceNowClient({ instanceUrl: sim.url, auth: staticCredentials(SIM_BASIC_CREDENTIALS), clock });
  const rows: FailureImportRow[] = [];
  const client: ServiceNowClient = {
    ...real,
    importRow: async (table, row) => {
      rows.push(row);
      return real.importRow(table, row);
    },
  };
  return { client, rows, sim };
}

describe('the staging table the client posts to', () => {
  it('has every column the client can send (checked at compile time too)', () => {
    expect(stagingKeysCovered).toBe(true);
    expect([...FAILURE_IMPORT_COLUMNS].sort()).toEqual(Object.keys(STAGING).sort());
  });

  it('when the incident flow creates, updates and re-creates its largest incident, then every row fits the staging table', async () => {
    // Prepare
    const { client, rows, sim } = await recordingClient();
    const store = createSqliteStore({ path: ':memory:', clock: new SteppingClock('2026-03-01T10:00:00Z'), logger: silentLogger() });
    closers.push(() => store.close());
    const upserter = createIncidentUpserter({ servicenow: client, store, mode: 'import-set', clock: new SteppingClock('2026-03-01T10:00:00Z'), ids: randomIds, logger: silentLogger() });

    // Act
    const created = await upserter.upsert(draftOf(0, 4_000));
    await upserter.upsert(draftOf(3_000, 5_000));
    sim.state.update('incident', created.sysId ?? '', { state: '7' });
    await upserter.upsert(draftOf(5_000, 5_200));

    // Assess
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(fitsTable(row, STAGING)).toEqual([]);
  });

  it('when the window guard raises its largest incident, then the row fits the staging table', async () => {
    // Prepare
    const { client, rows } = await recordingClient();
    const incident: IncidentToRaise = {
      correlationId: `pbguard:123456789012:ap-southeast-2:${'x'.repeat(100)}`.slice(0, 100),
      shortDescription: 's'.repeat(160),
      description: 'd'.repeat(4_000),
      accountId: '123456789012',
      region: 'ap-southeast-2',
      executionId: 'e'.repeat(100),
      changeNumber: 'CHG0030001',
      workNote: 'w'.repeat(8_000),
    };
    const handler = serviceNowWriteHandlers({ store: { getPatchRun: async () => undefined, updatePatchRun: async () => { throw new Error('not used'); } }, servicenow: client, mode: 'import-set' }).find(
      (h) => h.kind === 'pb.incident',
    );

    // Act
    await handler?.handle([{ id: 'i1', kind: 'pb.incident', payload: incident, attempts: 0, nextAttemptAt: '', createdAt: '' }]);

    // Assess
    expect(rows).toHaveLength(1);
    expect(fitsTable(rows[0] ?? {}, STAGING)).toEqual([]);
  });
});

describe('the patch-run table write-back fills', () => {
  const run = (status: PatchRunStatus, targets: unknown): PatchRunRecord => ({
    id: '3f1d1c84-3a57-5f0e-9a53-0c4f7a9e2b11',
    changeNumber: 'CHG0030001',
    changeSysId: 'c'.repeat(32),
    accountId: '123456789012',
    region: 'ap-southeast-2',
    executionId: 'a'.repeat(36),
    clientToken: 't',
    request: { targets, operation: 'Install', rebootOption: 'NoReboot' },
    status,
    counts: { total: 5000, pending: 0, inProgress: 0, succeeded: 4000, failed: 900, timedOut: 50, cancelled: 50 },
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T11:00:00.000Z',
  });
  const largest = { tags: Array.from({ length: 5 }, (_, k) => ({ key: `k${k}`.repeat(64), values: Array.from({ length: 50 }, () => 'v'.repeat(256)) })) };

  it('has a status choice for every run status and nothing else (checked at compile time too)', () => {
    expect(statusesCovered).toBe(true);
    expect([...(PATCH_RUN['status']?.choices ?? [])].sort()).toEqual([...RUN_STATUSES].sort());
  });

  it.each(RUN_STATUSES)('when a run is %s, then every field written is a column of the app with a valid value', (status) => {
    expect(fitsTable(patchRunRecordValues(run(status, { patchGroups: ['web'] }), 'e'.repeat(32)), PATCH_RUN)).toEqual([]);
  });

  it('when a run targets as much as the API accepts, then the targets still fit their column', () => {
    const values = patchRunRecordValues(run('InProgress', largest), 'e'.repeat(32));
    expect(fitsTable(values, PATCH_RUN)).toEqual([]);
    expect(values['targets']).toContain('5 tags');
  });

  it('matches the simulator table, which is derived from the same definition', () => {
    const sim = TABLES['x_pbridge_patch_run'];
    expect(Object.keys(sim?.fields ?? {})).toEqual(expect.arrayContaining(Object.keys(PATCH_RUN)));
    expect(sim?.number?.prefix).toBe(APP_CONTRACT.tables.x_pbridge_patch_run.number.prefix);
  });
});

describe('the lifecycle both modes follow', () => {
  it('reopens a Resolved incident with the same note in Import Set mode (the app) and Table API mode (the client flow)', () => {
    expect(REOPEN_NOTE).toBe(REOPEN_NOTE_PREFIX);
  });
});

describe('the coalesce key', () => {
  const keyed = FAILURE_IMPORT_MAP.fields.filter((f) => f.coalesce && !f.script);

  it('is the column the client puts the correlation id in, on every row it sends', async () => {
    // Prepare
    const { client, rows } = await recordingClient();
    const store = createSqliteStore({ path: ':memory:', clock: new SteppingClock('2026-03-01T10:00:00Z'), logger: silentLogger() });
    closers.push(() => store.close());
    const upserter = createIncidentUpserter({ servicenow: client, store, mode: 'import-set', clock: new SteppingClock('2026-03-01T10:00:00Z'), ids: randomIds, logger: silentLogger() });
    const draft = draftOf(0, 3);

    // Act
    await upserter.upsert(draft);
    await upserter.upsert(draftOf(0, 4));

    // Assess
    expect(keyed.map((f) => f.target)).toEqual(['correlation_id']);
    for (const row of rows) for (const f of keyed) expect((row as unknown as Record<string, string>)[f.source]).toBe(draft.correlationId);
  });

  it('is what the Table API mode looks up: the same field, among active incidents only', async () => {
    // Prepare
    const { client, sim } = await recordingClient();
    const scripted = FAILURE_IMPORT_MAP.fields.filter((f) => f.coalesce && f.script);

    // Act
    await client.findActiveIncidentByCorrelationId('pb:1');

    // Assess
    expect(scripted.map((f) => [f.target, f.script])).toEqual([['active', 'matchOpenIncidents']]);
    const query = sim.requests.find((r) => r.path === '/api/now/table/incident')?.query['sysparm_query'] ?? '';
    for (const f of keyed) expect(query).toContain(`${f.target}=pb:1`);
    expect(query).toContain('active=true');
  });
});
