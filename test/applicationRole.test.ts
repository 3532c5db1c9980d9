import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../src/gateway/createGateway.ts';
import { createNode } from '../src/node/createNode.ts';
import { startTestHub, type TestHub } from './helpers.ts';

// The services log in as hub_app, a role with the application's rights only,
// so that a compromised process cannot take the owner's: there is no SET ROLE
// to undo, and nothing to switch to.

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('the services\u2019 database role', () => {
  it('is the login itself: RESET ROLE leaves hub_app, and no SET ROLE reaches the owner', async () => {
    const prisma = hub.nodes.get('XK')!.prisma;
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('reset role');
      const [who] = await tx.$queryRaw<{ session: string; current: string }[]>`select session_user::text as session, current_user::text as current`;
      expect(who).toEqual({ session: 'hub_app', current: 'hub_app' });
    });
    const [owner] = await prisma.$queryRaw<{ owner: string }[]>`select tableowner::text as owner from pg_tables where schemaname = 'audit' and tablename = 'entry'`;
    for (const role of [owner!.owner, 'postgres']) {
      await expect(prisma.$executeRawUnsafe(`set role "${role}"`), `set role ${role}`).rejects.toThrow(/permission denied to set role/);
    }
  });

  it.each(['XK', 'GATEWAY'])('cannot change the log or the schema (%s)', async (party) => {
    const database = party === 'GATEWAY' ? hub.hubDatabase : hub.nodes.get(party)!.database;
    const client = new pg.Client({ connectionString: database.applicationUrl });
    await client.connect();
    try {
      const refused = async (sql: string) => {
        const error = await client.query(sql).then(() => undefined, (caught: { code?: string }) => caught);
        return error?.code;
      };
      // 42501 insufficient_privilege: by the privileges, not only by the triggers.
      expect(await refused('update audit.entry set actor_sub = actor_sub')).toBe('42501');
      expect(await refused('delete from audit.entry')).toBe('42501');
      expect(await refused('truncate audit.entry')).toBe('42501');
      for (const schema of [party === 'GATEWAY' ? 'hub' : 'node', 'audit', 'public']) expect(await refused(`create table ${schema}.planted (id int)`), schema).toBe('42501');
      expect(await refused('create schema planted')).toBe('42501');
      expect(await refused('alter table audit.entry add column planted int')).toBe('42501');
      expect(await refused('drop trigger entry_append_only on audit.entry')).toBe('42501');
      expect(await refused('create role planted')).toBe('42501');
    } finally {
      await client.end();
    }
  });

  it('is required: a node and a gateway refuse to serve over the owner\u2019s connection', async () => {
    const node = createNode({ agency: 'MK', databaseUrl: hub.nodes.get('MK')!.database.url, trustList: hub.trustList, agencies: ['XK', 'MK'], auditDigestKey: hub.keys.auditDigests.get('MK')! });
    const gateway = createGateway({ trustList: hub.trustList, databaseUrl: hub.hubDatabase.url, nodes: new Map(), signer: hub.keys.gateway, auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!, graphiql: false });
    try {
      await expect(node.start()).rejects.toThrow(/connect as hub_app/);
      await expect(gateway.start()).rejects.toThrow(/connect as hub_app/);
    } finally {
      await node.stop();
      await gateway.stop();
    }
  });
});
