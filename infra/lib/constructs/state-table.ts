import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type TableDefinition, tableDefinition } from '../../../src/store/index.js';

export interface StateTableProps {
  /** `PATCHBRIDGE_STORE=dynamodb://<tableName>`. */
  readonly tableName: string;
  readonly encryptionKey: IKey;
}

function attributeType(definition: TableDefinition, name: string): AttributeType {
  const type = definition.createTable.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
  if (type === 'S') return AttributeType.STRING;
  if (type === 'N') return AttributeType.NUMBER;
  if (type === 'B') return AttributeType.BINARY;
  throw new Error(`tableDefinition: attribute ${name} has no supported type`);
}

function keysOf(definition: TableDefinition, schema: readonly { AttributeName?: string; KeyType?: string }[] | undefined) {
  const key = (kind: 'HASH' | 'RANGE') => {
    const name = schema?.find((k) => k.KeyType === kind)?.AttributeName;
    return name === undefined ? undefined : { name, type: attributeType(definition, name) };
  };
  const partitionKey = key('HASH');
  if (!partitionKey) throw new Error('tableDefinition: a key schema without a HASH key');
  return { partitionKey, sortKey: key('RANGE') };
}

/**
 * The state table, built from the store's own `tableDefinition` (keys, indexes,
 * billing, TTL attribute), so the deployed table cannot drift from what the
 * DynamoDB store expects. Adds what only production needs: PITR, deletion
 * protection, the customer managed key, retain on stack deletion.
 */
export class StateTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: StateTableProps) {
    super(scope, id);
    const definition = tableDefinition(props.tableName);
    const create = definition.createTable;
    if (create.BillingMode !== 'PAY_PER_REQUEST') throw new Error('tableDefinition: only on-demand billing is mapped');
    this.table = new Table(this, 'Table', {
      tableName: create.TableName,
      ...keysOf(definition, create.KeySchema),
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: definition.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of create.GlobalSecondaryIndexes ?? []) {
      if (index.Projection?.ProjectionType !== 'ALL') throw new Error(`tableDefinition: index ${index.IndexName} projection is not mapped`);
      this.table.addGlobalSecondaryIndex({
        indexName: index.IndexName ?? '',
        ...keysOf(definition, index.KeySchema),
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
