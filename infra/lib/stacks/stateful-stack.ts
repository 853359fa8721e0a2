import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StatefulProps } from '../props.js';
import { BridgeSecrets } from '../constructs/bridge-secrets.js';
import { DataBucket } from '../constructs/data-bucket.js';
import { EncryptionKey } from '../constructs/encryption-key.js';
import { StateTable } from '../constructs/state-table.js';

export interface StatefulStackProps extends StackProps, StatefulProps {
  readonly prefix: string;
  readonly memberAccountIds?: readonly string[];
}

/** What outlives a redeploy: the key, the state table, the data bucket and the secrets (all retained on delete). */
export class StatefulStack extends Stack {
  readonly encryption: EncryptionKey;
  readonly state: StateTable;
  readonly data: DataBucket;
  readonly secrets: BridgeSecrets;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.encryption = new EncryptionKey(this, 'Encryption', { prefix: props.prefix, ...(props.memberAccountIds ? { memberAccountIds: props.memberAccountIds } : {}) });
    const encryptionKey = this.encryption.key;
    this.state = new StateTable(this, 'State', { tableName: `${props.prefix}-state`, encryptionKey });
    this.data = new DataBucket(this, 'Data', {
      encryptionKey,
      ...(props.historyRetentionDays ? { historyRetentionDays: props.historyRetentionDays } : {}),
      ...(props.accessLogRetentionDays ? { accessLogRetentionDays: props.accessLogRetentionDays } : {}),
    });
    this.secrets = new BridgeSecrets(this, 'Secrets', { prefix: props.prefix, encryptionKey });
  }
}
