import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { type IndexName, indexKeys, TTL_ATTRIBUTE } from '../../platform/table.ts';

/** A global secondary index of the Stratus table; every key attribute is a string. */
export interface GlobalIndexDefinition {
  indexName: IndexName;
  partitionKey: string;
  sortKey: string;
  /** Queries through the port return whole items, so indexes project every attribute. */
  projection: 'ALL';
}

/**
 * The one DynamoDB table Stratus uses (single-table design), as the Table port defines it.
 * The CDK app, the dynalite test support and `DynamoTable` all read it from here, so
 * the deployed table, the emulated one and the adapter cannot drift apart.
 */
export const tableDefinition = {
  partitionKey: 'PK',
  sortKey: 'SK',
  globalIndexes: (Object.keys(indexKeys) as IndexName[]).map(
    (indexName): GlobalIndexDefinition => ({
      indexName,
      partitionKey: indexKeys[indexName][0],
      sortKey: indexKeys[indexName][1],
      projection: 'ALL',
    }),
  ),
  /** DynamoDB deletes items whose `ttl` (epoch seconds) has passed, some time later. */
  ttlAttribute: TTL_ATTRIBUTE,
  /** The stream handlers need both images (e.g. to clean up after a deleted account). */
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

/** Every attribute that is a key of the table or of an index (all strings). */
export function keyAttributeNames(): string[] {
  return [
    tableDefinition.partitionKey,
    tableDefinition.sortKey,
    ...tableDefinition.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
}

/**
 * The `CreateTable` request for an on-demand table of this shape (used against emulators;
 * the CDK app declares the same table through its own constructs). TTL and the stream are
 * separate settings on AWS (`UpdateTimeToLive`, `StreamSpecification`) that emulators lack.
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributeNames().map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: tableDefinition.globalIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}
