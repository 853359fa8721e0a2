import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsCall } from './call.js';
import type { AwsClients } from './client-factory.js';
import type { IdentityProbe } from './ports.js';

/** Builds the `IdentityProbe` port over STS `GetCallerIdentity`. */
export function createIdentityProbe(options: { readonly clients: AwsClients }): IdentityProbe {
  return {
    async whoAmI(ctx) {
      const out = await awsCall(ctx, 'STS.GetCallerIdentity', () => options.clients.sts(ctx).send(new GetCallerIdentityCommand({})));
      return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
    },
  };
}
