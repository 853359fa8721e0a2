import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { runAwsSimCli } from './cli.js';
import { SIM_CREDENTIALS } from './harness.js';

describe('patchbridge sim aws', () => {
  it('when started with --port 0 --fleet-size 12, then SDK clients reach a 12-instance fleet at the printed URL', async () => {
    const lines: string[] = [];
    const sim = await runAwsSimCli(['--port', '0', '--fleet-size', '12', '--seed', '5', '--time', 'instant'], (l) => lines.push(l));
    const client = new SSMClient({ endpoint: sim.url, region: 'us-east-1', credentials: SIM_CREDENTIALS });
    try {
      const out = await client.send(new DescribeInstanceInformationCommand({ MaxResults: 50 }));

      expect(out.InstanceInformationList).toHaveLength(12);
      expect(lines[0]).toContain(sim.url);
      expect(lines.join('\n')).toContain(`AWS_ENDPOINT_URL=${sim.url}`);
    } finally {
      client.destroy();
      await sim.close();
    }
  });

  it.each([
    [['--fleet-size', '-1'], /--fleet-size/],
    [['--time', 'sometimes'], /--time/],
    [['--account-id', '12'], /--account-id/],
    [['--bogus'], /bogus/],
  ])('when given %j, then it refuses with a message naming the option', async (args, message) => {
    await expect(runAwsSimCli(['--port', '0', ...args], () => undefined)).rejects.toThrow(message);
  });
});
