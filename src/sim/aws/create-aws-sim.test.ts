import { verify, X509Certificate } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { type AwsSim, createAwsSim } from './create-aws-sim.js';
import { SIM_CREDENTIALS } from './harness.js';
import { type SnsNotificationEnvelope, snsStringToSign } from './sns-signer.js';

const running: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function start(options: Parameters<typeof createAwsSim>[0]): Promise<AwsSim> {
  const sim = createAwsSim(options);
  await sim.listen(0);
  running.push(sim);
  return sim;
}

async function receiver(): Promise<{ url: string; posts: { headers: IncomingHttpHeaders; body: string }[] }> {
  const posts: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  running.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, posts };
}

function ssm(sim: AwsSim): SSMClient {
  const client = new SSMClient({ endpoint: sim.url, region: 'us-east-1', credentials: SIM_CREDENTIALS, maxAttempts: 1 });
  running.push({ close: () => client.destroy() });
  return client;
}

describe('the AWS simulator wire protocol', () => {
  it.each([
    ['an unknown JSON 1.1 operation', { 'x-amz-target': 'AmazonSSM.DescribeNothing', 'content-type': 'application/x-amz-json-1.1' }, '{}', 'UnknownOperationException', 'json'],
    ['an unknown target prefix', { 'x-amz-target': 'AmazonEC2.DescribeInstances', 'content-type': 'application/x-amz-json-1.1' }, '{}', 'UnknownOperationException', 'json'],
    ['an unknown query action', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=DeleteEverything&Version=2010-03-31', 'InvalidAction', 'xml'],
  ])('when asked for %s, then it answers the AWS error, never HTML', async (_label, headers, body, code, format) => {
    const sim = await start({ fleet: { size: 1, seed: 1 } });

    const res = await fetch(sim.url, { method: 'POST', headers, body });
    const text = await res.text();

    expect(res.status).toBe(400);
    expect(text).not.toMatch(/<html/i);
    if (format === 'json') {
      expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(JSON.parse(text)).toMatchObject({ __type: code });
    } else {
      expect(res.headers.get('content-type')).toBe('text/xml');
      expect(text).toMatch(new RegExp(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code>`));
    }
  });

  it('when a GET reaches the root, then the answer is an AWS-style XML error', async () => {
    const sim = await start({ fleet: { size: 1, seed: 1 } });

    const res = await fetch(`${sim.url}/`);

    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('when an operation is over its TPS limit, then it answers a ThrottlingException the SDK classifies as throttling', async () => {
    const sim = await start({ fleet: { size: 1, seed: 1 }, tps: { DescribeInstanceInformation: { rate: 1, burst: 1 } } });
    const call = () =>
      fetch(sim.url, {
        method: 'POST',
        headers: { 'x-amz-target': 'AmazonSSM.DescribeInstanceInformation', 'content-type': 'application/x-amz-json-1.1' },
        body: '{}',
      });

    const first = await call();
    const second = await call();

    expect(first.status).toBe(200);
    expect(second.status).toBe(400);
    expect(second.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    expect(await second.json()).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });
    expect(sim.counters.get('DescribeInstanceInformation')).toMatchObject({ calls: 2, ok: 1, throttled: 1 });
  });

  it('when latency is configured for an operation, then calls to it take at least that long', async () => {
    const sim = await start({ fleet: { size: 1, seed: 1 }, latency: { DescribeInstanceInformation: { minMs: 40, maxMs: 60 } } });

    await fetch(sim.url, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.DescribeInstanceInformation' }, body: '{}' });

    expect(sim.requestLog[0]!.durationMs).toBeGreaterThanOrEqual(39);
  });

  it('when latency is configured, then the answer is the state at the request’s arrival, and errors wait the latency out too', async () => {
    const sim = await start({ fleet: { size: 2, seed: 1 }, latency: { ListCommands: 150 } });
    const listCommands = (body: object) =>
      fetch(sim.url, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.ListCommands' }, body: JSON.stringify(body) });

    const t0 = performance.now();
    const listing = listCommands({});
    // A command sent while the listing's answer is on its way is not in it: the simulator's own work runs inside the latency.
    await new Promise((r) => setTimeout(r, 30));
    await ssm(sim).send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [sim.fleet.instances[0]!.instanceId], Parameters: { commands: ['date'] } }));
    const answer = await listing;
    const listedAfter = performance.now() - t0;
    const refused = performance.now();
    const bad = await listCommands({ MaxResults: 500 });
    const refusedAfter = performance.now() - refused;

    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { Commands: unknown[] }).Commands).toEqual([]);
    expect(listedAfter).toBeGreaterThanOrEqual(149);
    expect(bad.status).toBe(400);
    expect(refusedAfter).toBeGreaterThanOrEqual(149);
    expect(((await (await listCommands({})).json()) as { Commands: unknown[] }).Commands).toHaveLength(1);
  });

  it('when a request is signed, then the log records the access key and region of its credential scope, not the signature', async () => {
    const sim = await start({ fleet: { size: 2, seed: 1 } });

    await ssm(sim).send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [sim.fleet.instances[0]!.instanceId], Parameters: { commands: ['date'] } }));

    expect(sim.requestLog[0]).toMatchObject({ service: 'ssm', operation: 'SendCommand', accessKeyId: SIM_CREDENTIALS.accessKeyId, region: 'us-east-1', attempt: 1 });
    expect(JSON.stringify(sim.requestLog)).not.toMatch(/Signature=/);
  });
});

describe('the AWS simulator deliveries', () => {
  it('when a command notifies an SNS HTTP subscriber, then the POST carries SNS headers and a signature that verifies with the served certificate', async () => {
    const hook = await receiver();
    const topic = 'arn:aws:sns:us-east-1:123456789012:patch-results';
    const sim = await start({ fleet: { size: 3, seed: 2, offlineRate: 0, staleRate: 0 }, sinks: [{ kind: 'sns-http', url: hook.url, topicArns: [topic] }], signatureVersion: '2' });
    const instanceId = sim.fleet.instances[0]!.instanceId;

    await ssm(sim).send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunPatchBaseline',
        InstanceIds: [instanceId],
        Parameters: { Operation: ['Scan'] },
        NotificationConfig: { NotificationArn: topic, NotificationType: 'Invocation', NotificationEvents: ['Success', 'Failed', 'TimedOut'] },
        ServiceRoleArn: 'arn:aws:iam::123456789012:role/sns',
      }),
    );
    await sim.settle();

    expect(hook.posts).toHaveLength(1);
    const post = hook.posts[0]!;
    expect(post.headers).toMatchObject({ 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-topic-arn': topic, 'content-type': 'text/plain; charset=UTF-8' });
    const envelope = JSON.parse(post.body) as SnsNotificationEnvelope;
    expect(post.headers['x-amz-sns-message-id']).toBe(envelope.MessageId);
    const pem = await (await fetch(envelope.SigningCertURL)).text();
    const cert = new X509Certificate(pem);
    expect(verify('sha256', Buffer.from(snsStringToSign(envelope)), cert.publicKey, Buffer.from(envelope.Signature, 'base64'))).toBe(true);
    expect(JSON.parse(envelope.Message)).toMatchObject({ instanceId, status: 'Success' });
  });

  it('when an EventBridge API destination is registered, then events arrive as JSON with the API key header', async () => {
    const hook = await receiver();
    const sim = await start({
      fleet: { size: 3, seed: 3, offlineRate: 0, staleRate: 0 },
      sinks: [{ kind: 'eventbridge-http', url: hook.url, apiKey: { header: 'x-patchbridge-key', value: 'k-123' }, detailTypes: ['EC2 Command Invocation Status-change Notification'] }],
    });

    await ssm(sim).send(new SendCommandCommand({ DocumentName: 'AWS-RunPatchBaseline', InstanceIds: [sim.fleet.instances[1]!.instanceId], Parameters: { Operation: ['Scan'] } }));
    await sim.settle();

    expect(hook.posts.map((p) => (JSON.parse(p.body) as { detail: { status: string } }).detail.status)).toEqual(['InProgress', 'Success']);
    expect(hook.posts[0]!.headers).toMatchObject({ 'x-patchbridge-key': 'k-123', 'content-type': 'application/json; charset=utf-8' });
  });
});

describe('the AWS simulator clock', () => {
  it('when time is stepped, then invocations progress only as the test advances it', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const sim = await start({ fleet: { size: 3, seed: 4, offlineRate: 0, staleRate: 0, failureRate: 0 }, clock, time: { mode: 'stepped' } });
    const instanceId = sim.fleet.instances[0]!.instanceId;
    const status = () => {
      const [command] = sim.state().commandList;
      return command?.byInstance.get(instanceId)?.status;
    };

    await ssm(sim).send(new SendCommandCommand({ DocumentName: 'AWS-RunPatchBaseline', InstanceIds: [instanceId], Parameters: { Operation: ['Install'] } }));
    await sim.settle();
    const atStart = status();
    await sim.advance(5_000);
    const afterDispatch = status();
    await sim.advance(1_200_000);

    expect([atStart, afterDispatch, status()]).toEqual(['Pending', 'InProgress', 'Success']);
    expect(sim.now().toISOString()).toBe('2026-03-01T00:20:05.000Z');
  });

  it('when time is scaled, then simulated minutes pass in real milliseconds', async () => {
    const sim = await start({ fleet: { size: 2, seed: 5, offlineRate: 0, staleRate: 0, failureRate: 0 }, time: { mode: 'scaled', factor: 20_000 } });

    await ssm(sim).send(new SendCommandCommand({ DocumentName: 'AWS-RunPatchBaseline', InstanceIds: [sim.fleet.instances[0]!.instanceId], Parameters: { Operation: ['Install'] } }));
    await sim.settle();

    expect(sim.state().commandList[0]?.status).toBe('Success');
  });

  it('when an install succeeds, then missing patches become installed and compliance follows', async () => {
    const sim = await start({ fleet: { size: 4, seed: 6, offlineRate: 0, staleRate: 0, failureRate: 0, compliantRate: 0, unmanagedRate: 0 } });
    const instance = sim.fleet.instances.find((i) => i.states.includes(5))!;

    await ssm(sim).send(
      new SendCommandCommand({ DocumentName: 'AWS-RunPatchBaseline', InstanceIds: [instance.instanceId], Parameters: { Operation: ['Install'], SnapshotId: ['snap-1'] } }),
    );
    await sim.settle();

    expect([...instance.states].filter((s) => s === 5 || s === 6)).toEqual([]);
    expect(instance.patch).toMatchObject({ operation: 'Install', snapshotId: 'snap-1' });
  });
});
