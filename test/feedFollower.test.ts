import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubPrismaClient, type HubPrismaClient } from '../src/database/createHubPrismaClient.ts';
import { createNodeClient, type NodeClient } from '../src/gateway/nodeClient.ts';
import { ensureDevelopmentKeys } from '../src/identity/developmentKeys.ts';
import { followNodeFeeds } from '../src/realtime/feedFollower.ts';
import { templateDatabases } from './globalSetup.ts';
import { createTestDatabase, waitUntil, type TestDatabase } from './helpers.ts';

// The gateway's follower of a node's feed, while the node is down: it retries
// for as long as the outage lasts, and each retry leaves nothing behind (a
// listener added per retry to the follower's stop signal grew without bound
// during a long outage, and Node warned of a leak after ten).

describe('following a node that is down', () => {
  let database: TestDatabase;
  let prisma: HubPrismaClient;
  let keysDir: string;

  beforeAll(async () => {
    database = await createTestDatabase('follower', templateDatabases.hub);
    prisma = createHubPrismaClient({ databaseUrl: database.applicationUrl });
    keysDir = await mkdtemp(join(tmpdir(), 'hub-follower-keys-'));
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
    await rm(keysDir, { recursive: true, force: true });
  });

  it('retries for as long as the node is down, each retry leaving nothing behind', async () => {
    // A port nothing listens on: every call is refused at once, as by a stopped node.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const keys = await ensureDevelopmentKeys(keysDir, ['XK']);
    const client = createNodeClient({ nodes: new Map([['XK', new URL(`http://127.0.0.1:${port}/graphql`)]]), signer: keys.gateway, timeoutMs: 1_000 });
    let calls = 0;
    const nodes: NodeClient = { ...client, serviceRequest: (...args: Parameters<NodeClient['serviceRequest']>) => (calls++, client.serviceRequest(...args)) } as NodeClient;
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const followers = followNodeFeeds({ nodes, prisma, databaseUrl: database.applicationUrl, logger: pino({ level: 'silent' }), retryDelayMs: 1 });
    try {
      await waitUntil('30 attempts to follow the node that is down', async () => calls >= 30);
    } finally {
      await followers.stop();
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
