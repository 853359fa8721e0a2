/**
 * Run by client-factory.test.ts in a child process whose environment sets
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SSM: the factory gets no endpoint, so only
 * the SDK's own environment support can route these calls to the simulators.
 */
import { silentLogger } from '../core/logger.js';
import { createAwsAdapters } from './create-aws-adapters.js';
import { createAwsClients } from './client-factory.js';
import { systemClock } from '../core/clock.js';

const clients = createAwsClients({ accounts: [], defaultRegion: 'us-east-1', logger: silentLogger() });
const ports = createAwsAdapters({ clients, clock: systemClock, logger: silentLogger(), runbook: 'unused' });
const ctx = { accountId: '111111111111', region: 'us-east-1' };
const instances = await ports.inventory.describeInstances(ctx);
const who = await ports.identity.whoAmI(ctx);
clients.destroy();
process.stdout.write(`${JSON.stringify({ instances: instances.length, account: who.account })}\n`);
