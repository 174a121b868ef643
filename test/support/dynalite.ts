import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../src/adapters/aws/dynamo-schema.ts';

/** dynalite ships no types: the one function we call, as its README documents it. */
type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

/** A dynalite server (in memory, in this process) on a free port of 127.0.0.1, with a client for it. */
export interface RunningDynalite {
  endpoint: string;
  /** A client for the emulator (fixed test credentials and region; dynalite checks no signatures). */
  client: DynamoDBClient;
  /** Creates a table shaped like Stratus's (same keys and GSIs) and waits until it is ACTIVE. */
  createTable(tableName: string): Promise<void>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<RunningDynalite> {
  // Tables become ACTIVE at once: no test waits out dynalite's default 500 ms CREATING state.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // Fail fast on an emulator error instead of retrying it.
    maxAttempts: 1,
  });

  return {
    endpoint,
    client,
    async createTable(tableName) {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`dynalite did not make ${tableName} ACTIVE`);
    },
    async close() {
      client.destroy();
      // Keep-alive sockets would hold close() open; the client is gone, so drop them.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
