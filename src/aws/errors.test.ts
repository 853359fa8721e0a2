import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, systemClock } from '../core/index.js';
import { type AwsSimHarness, createAwsSimHarness, SIM_CREDENTIALS } from '../sim/aws/index.js';
import { createAwsAdapters } from './create-aws-adapters.js';
import { createAwsClients } from './client-factory.js';
import { AwsError, toAwsError } from './errors.js';

let h: AwsSimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('AWS error mapping', () => {
  it.each([
    ['ThrottlingException', 400, 'THROTTLED', true],
    ['AccessDeniedException', 400, 'ACCESS_DENIED', false],
    ['DoesNotExistException', 400, 'NOT_FOUND', false],
    ['ValidationException', 400, 'INVALID_INPUT', false],
    ['IdempotentParameterMismatch', 400, 'IDEMPOTENCY_MISMATCH', false],
    ['InternalServerError', 500, 'UNAVAILABLE', true],
    ['SomethingNewException', 400, 'INVALID_INPUT', false],
  ] as const)('when SSM answers %s (HTTP %i), then AwsError %s, retryable %s', async (name, status, code, retryable) => {
    // Prepare: one attempt, so the mapped error is what the caller sees.
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 61 } }, maxAttempts: 1 });
    h.sim.injectFault('DescribeInstanceInformation', { name, status });
    // Act
    const err = await h.ports.inventory.describeInstances(h.ctx).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(AwsError);
    expect(err).toMatchObject({ code, retryable, awsErrorName: name, httpStatus: status, operation: 'SSM.DescribeInstanceInformation' });
    expect((err as AwsError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when the SDK retries a throttled call, then the caller sees success', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 62 } } });
    h.sim.injectFault('DescribeInstanceInformation', { name: 'ThrottlingException', times: 1 });

    const instances = await h.ports.inventory.describeInstances(h.ctx);

    expect(instances).toHaveLength(2);
    expect(h.sim.requestLog.map((e) => [e.attempt, e.status])).toEqual([
      [1, 400],
      [2, 200],
    ]);
  });

  it('when nothing listens at the endpoint, then UNAVAILABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const clients = createAwsClients({
      accounts: [],
      defaultRegion: 'us-east-1',
      logger: silentLogger(),
      endpointOverrides: `http://127.0.0.1:${port}`,
      credentials: SIM_CREDENTIALS,
      maxAttempts: 1,
    });
    const ports = createAwsAdapters({ clients, clock: systemClock, logger: silentLogger(), runbook: 'x' });

    const err = await ports.identity.whoAmI({ accountId: '123456789012', region: 'us-east-1' }).catch((e: unknown) => e);
    clients.destroy();

    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect((err as Error).message).toMatch(new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
  });

  it('when a dual-stack connect fails with an empty AggregateError, then the message keeps each address and cause', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:4566`), { code: 'ECONNREFUSED' });
    const aggregate = Object.assign(new AggregateError([refused('::1'), refused('127.0.0.1')], ''), { code: 'ECONNREFUSED' });

    const err = toAwsError(aggregate, { operation: 'STS.GetCallerIdentity' });

    expect(err.message).toBe('STS.GetCallerIdentity: connect ECONNREFUSED ::1:4566; connect ECONNREFUSED 127.0.0.1:4566');
    expect(err.code).toBe('UNAVAILABLE');
  });

  it('when an SDK error carries the raw HTTP exchange, then the AwsError cause does not', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 63 } }, maxAttempts: 1 });
    h.sim.injectFault('DescribeInstanceInformation', { name: 'AccessDeniedException' });

    const err = (await h.ports.inventory.describeInstances(h.ctx).catch((e: unknown) => e)) as AwsError;
    const cause = err.cause as Record<string, unknown>;

    expect(cause['$response']).toBeUndefined();
    expect(JSON.stringify(cause)).not.toMatch(/authorization|Signature=/i);
    expect(cause['$metadata']).toMatchObject({ httpStatusCode: 400, requestId: err.requestId });
  });

  it('when an AwsError is mapped again, then it passes through unchanged', () => {
    const original = new AwsError('THROTTLED', 'x');

    expect(toAwsError(original, { operation: 'SSM.X' })).toBe(original);
  });
});
