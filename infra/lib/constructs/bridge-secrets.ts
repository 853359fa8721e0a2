import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

/** Secret names the deployed configuration points at (`PATCHBRIDGE_SERVICENOW_SECRET_ID`, `PATCHBRIDGE_API_HMAC_SECRET_ID`). */
export function secretNames(prefix: string) {
  return { serviceNow: `${prefix}/servicenow`, apiHmacKeys: `${prefix}/api-hmac-keys` } as const;
}

export interface BridgeSecretsProps {
  readonly prefix: string;
  readonly encryptionKey: IKey;
}

/**
 * The ServiceNow credentials (`{instanceUrl, clientId, clientSecret}` or
 * `{instanceUrl, username, password}`) and the API HMAC keys
 * (`{"keys":[{"id","secret"}]}`), created empty: an operator fills them
 * (docs/deploy.md), so no value ever passes through a template.
 */
export class BridgeSecrets extends Construct {
  readonly serviceNow: Secret;
  readonly apiHmacKeys: Secret;

  constructor(scope: Construct, id: string, props: BridgeSecretsProps) {
    super(scope, id);
    const names = secretNames(props.prefix);
    const empty = (id: string, secretName: string, description: string) => {
      const secret = new Secret(this, id, { secretName, description, encryptionKey: props.encryptionKey, removalPolicy: RemovalPolicy.RETAIN });
      // Without GenerateSecretString CloudFormation creates the secret with no value at all.
      (secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
      acknowledge(secret, {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotated by the operator, not a Lambda: the ServiceNow OAuth secret is rotated in ServiceNow, and the HMAC keys by adding a second key (docs/deploy.md "Rotate the HMAC key").',
      });
      return secret;
    };
    this.serviceNow = empty('ServiceNow', names.serviceNow, 'patchbridge: ServiceNow credentials {instanceUrl, clientId, clientSecret} or {instanceUrl, username, password}');
    this.apiHmacKeys = empty('ApiHmacKeys', names.apiHmacKeys, 'patchbridge: API HMAC keys {"keys":[{"id","secret"}]}, two during rotation');
  }
}
