import { SSMClient } from '@aws-sdk/client-ssm';

// The baseline: an empty handler that constructs one SDK client at init, bundled like the real ones.
const client = new SSMClient({});

export const handler = async (): Promise<{ region: string }> => ({ region: String(await client.config.region()) });
