import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEntries, appendCommittedEntries, chainEntries } from '../src/audit/appendAuditEntry.ts';
import { genesisHash } from '../src/audit/auditEntry.ts';
import { toColumns } from '../src/audit/entryColumns.ts';
import { normalizeAuditInput } from '../src/audit/normalizeAuditInput.ts';
import { createAuditWriter } from '../src/audit/createAuditWriter.ts';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { appendInput } from './auditAppendInput.ts';
import { adminQuery, codes, createTestDatabase, graphqlOverWebSocket, startTestHub, verifyChainOf, type TestHub } from './helpers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';

// Appending in one statement (audit.append_entries, node migration 0007, hub
// 0008): each process chains on the head it last saw and the function inserts
// only if that is still the head, under the log's lock. Whatever the
// interleaving of processes, writers and changes, the log stays one gap-free
// chain that verifies; and when the function cannot write, nothing is released.

const run = promisify(execFile);
const count = async (database: string) => Number((await adminQuery<{ count: string }>(database, 'select count(*) from audit.entry'))[0]!.count);

describe('appends from several clients and processes make one chain', () => {
  it('interleaves two clients’ group commits and changes in any order into one gap-free chain (property)', async () => {
    await using database = await createTestDatabase('append_property');
    // Two connection pools, each with its own guess at the head: two processes of one party.
    const clients: PrismaClient[] = [createPrismaClient({ databaseUrl: database.applicationUrl }), createPrismaClient({ databaseUrl: database.applicationUrl })];
    const writers = clients.map((prisma, n) => createAuditWriter({ prisma, party: 'XK', maxBatch: 3 + n }));
    const step = fc.record({
      client: fc.integer({ min: 0, max: 1 }),
      change: fc.boolean(),
      entries: fc.integer({ min: 1, max: 4 }),
      pauseMs: fc.integer({ min: 0, max: 3 }),
    });
    let expected = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
          const appended = await Promise.all(
            steps.map(async ({ client, change, entries, pauseMs }, index) => {
              await new Promise((resolve) => setTimeout(resolve, pauseMs));
              const inputs = Array.from({ length: entries }, (_, n) => appendInput(`${expected}-${index}-${n}`, change ? 'CHANGE' : 'DISCLOSURE'));
              return change
                ? clients[client]!.$transaction((tx) => appendAuditEntries(tx, 'XK', inputs))
                : Promise.all(inputs.map((input) => writers[client]!.append(input)));
            }),
          );
          const seqs = appended.flat().map((entry) => entry.seq);
          expect(new Set(seqs).size).toBe(seqs.length);
          expected += seqs.length;
          expect(Math.max(...seqs)).toBe(expected);
          // Each caller's entry is the one stored, and the whole log verifies.
          const stored = await adminQuery<{ seq: string; hash: string }>(database.name, 'select seq, hash from audit.entry where seq = any($1::bigint[])', [seqs]);
          const hashes = new Map(stored.map((row) => [Number(row.seq), row.hash]));
          for (const entry of appended.flat()) expect(hashes.get(entry.seq)).toBe(entry.hash);
          expect(await verifyChainOf(database.url)).toMatchObject({ ok: true, count: expected });
        }),
        { seed: 20261201, numRuns: 12 },
      );
    } finally {
      await Promise.all(clients.map((prisma) => prisma.$disconnect()));
    }
  });

  it('interleaves a second operating-system process with this one', async () => {
    await using database = await createTestDatabase('append_processes');
    const prisma = createPrismaClient({ databaseUrl: database.applicationUrl });
    try {
      const writer = createAuditWriter({ prisma, party: 'XK', maxBatch: 4 });
      const child = run(process.execPath, ['--import', 'tsx', 'test/auditAppendProcess.ts', database.applicationUrl, '150', '10'], { env: { ...process.env } });
      // Keep appending until the child is done, so that the two really overlap.
      let childDone = false;
      void child.finally(() => (childDone = true)).catch(() => {});
      const ours: number[] = [];
      while (!childDone || ours.length < 150) {
        const batch = await Promise.all([
          ...Array.from({ length: 5 }, (_, n) => writer.append(appendInput(`parent-${ours.length}-${n}`))),
          prisma.$transaction((tx) => appendAuditEntries(tx, 'XK', [appendInput(`parent-change-${ours.length}`, 'CHANGE')])).then(([entry]) => entry!),
        ]);
        ours.push(...batch.map((entry) => entry.seq));
      }
      const theirs = JSON.parse((await child).stdout) as number[];
      expect(theirs).toHaveLength(160);
      const all = [...ours, ...theirs].sort((a, b) => a - b);
      expect(all).toEqual(all.map((_, index) => index + 1));
      expect(await verifyChainOf(database.url)).toMatchObject({ ok: true, count: all.length });
    } finally {
      await prisma.$disconnect();
    }
  });
  it('commits an entry even when another writer moves the log on before every one of its attempts', async () => {
    await using database = await createTestDatabase('append_starved');
    const ours = createPrismaClient({ databaseUrl: database.applicationUrl });
    const other = createPrismaClient({ databaseUrl: database.applicationUrl });
    try {
      await appendCommittedEntries(ours, 'XK', [appendInput('first')]);
      // Before each statement of ours outside a transaction, the other writer appends: every guess of ours is stale.
      let interleaved = 0;
      const contended = {
        $queryRaw: (async (...args: Parameters<PrismaClient['$queryRaw']>) => {
          interleaved += 1;
          await appendCommittedEntries(other, 'XK', [appendInput(`other-${interleaved}`)]);
          return ours.$queryRaw(...args);
        }) as PrismaClient['$queryRaw'],
        $transaction: ours.$transaction.bind(ours) as PrismaClient['$transaction'],
      };
      const [entry] = await appendCommittedEntries(contended, 'XK', [appendInput('starved')]);
      expect(interleaved).toBeGreaterThan(0);
      expect(entry!.seq).toBe(1 + interleaved + 1);
      expect(await verifyChainOf(database.url)).toMatchObject({ ok: true, count: entry!.seq });
    } finally {
      await Promise.all([ours.$disconnect(), other.$disconnect()]);
    }
  });
});

describe('audit.append_entries inserts only entries that continue the head', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase('append_function');
    client = new pg.Client({ connectionString: database.applicationUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.[Symbol.asyncDispose]();
  });

  const call = async (entries: unknown, maxSkewMs: number | null = 2_000) =>
    (await client.query('select * from audit.append_entries($1::json, $2)', [entries === null ? null : JSON.stringify(entries), maxSkewMs])).rows[0] as {
      appended: boolean;
      head_seq: string | null;
      head_hash: string | null;
    };
  const chained = (head: { seq: number; hash: string }, at: Date, tag = 'x') => chainEntries(head, 'XK', [normalizeAuditInput(appendInput(tag))], at).map(toColumns);

  it('answers the head of an empty log without inserting, then takes an entry that follows it', async () => {
    expect(await call(null)).toMatchObject({ appended: false, head_seq: null, head_hash: null });
    const entries = chained({ seq: 0, hash: genesisHash }, new Date());
    expect(await call(entries)).toMatchObject({ appended: true, head_seq: '1', head_hash: entries[0]!.hash });
    expect(await verifyChainOf(database.url)).toMatchObject({ ok: true, count: 1 });
  });

  it('refuses, inserting nothing and answering the head, entries chained on another head, dated before it or off the clock', async () => {
    const head = await call(null);
    const current = { seq: Number(head.head_seq), hash: head.head_hash! };
    const before = await count(database.name);
    const refusals = [
      chained({ seq: current.seq, hash: 'f'.repeat(64) }, new Date()),
      chained({ seq: current.seq - 1, hash: genesisHash }, new Date()),
      chained({ seq: current.seq + 1, hash: current.hash }, new Date()),
      chained(current, new Date(Date.now() - 60_000)),
      chained(current, new Date(Date.now() + 60_000)),
    ];
    for (const entries of refusals) expect(await call(entries)).toMatchObject({ appended: false, head_seq: head.head_seq, head_hash: head.head_hash });
    // A known time (tests, tools) is not held to the clock, only to the head.
    expect(await call(chained(current, new Date(Date.now() + 60_000)), null)).toMatchObject({ appended: true });
    expect(await count(database.name)).toBe(before + 1);
    expect(await verifyChainOf(database.url)).toMatchObject({ ok: true, count: before + 1 });
  });
});

describe('fail-closed: when audit.append_entries cannot write, nothing leaves', () => {
  let hub: TestHub;
  let alertId: string;
  beforeAll(async () => {
    hub = await startTestHub();
    alertId = (await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() })).data!.createAlert.id;
  });
  afterAll(async () => {
    await hub?.[Symbol.asyncDispose]();
  });

  const read = `query($id: ID!) { alert(id: $id) { reference summary { title } } }`;
  const revoked = async (database: string, check: () => Promise<void>) => {
    await adminQuery(database, 'revoke execute on function audit.append_entries(json, integer) from hub_app');
    try {
      await check();
    } finally {
      await adminQuery(database, 'grant execute on function audit.append_entries(json, integer) to hub_app');
    }
  };

  it('at the owner node: the alert is withheld over HTTP and WebSocket, and the node logs nothing', async () => {
    const node = hub.nodes.get('XK')!.database.name;
    const before = await count(node);
    await revoked(node, async () => {
      // The client is told it was XK's log (not that XK did not answer).
      const http = await hub.query('mk-border-officer', read, { id: alertId });
      expect(codes(http)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(http.data?.alert ?? null).toBeNull();
      const ws = await graphqlOverWebSocket(hub.gatewayUrl, read, { id: alertId }, { token: await hub.token('mk-border-officer') });
      expect(ws.errors?.map((error) => error.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(ws.data?.alert ?? null).toBeNull();
    });
    expect(await count(node)).toBe(before);
    // With the log back, the same request is served and logged.
    expect((await hub.query('mk-border-officer', read, { id: alertId })).data?.alert).toMatchObject({ reference: expect.any(String) });
    expect(await count(node)).toBe(before + 1);
  });

  it('at the gateway: the consultation that cannot be logged answers AUDIT_UNAVAILABLE and no data, over HTTP and WebSocket', async () => {
    const gateway = hub.hubDatabase.name;
    const before = await count(gateway);
    await revoked(gateway, async () => {
      const http = await hub.query('mk-border-officer', read, { id: alertId });
      expect(codes(http)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(http.data ?? null).toBeNull();
      const ws = await graphqlOverWebSocket(hub.gatewayUrl, read, { id: alertId }, { token: await hub.token('mk-border-officer') });
      expect(ws.errors?.map((error) => error.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(ws.data ?? null).toBeNull();
    });
    expect(await count(gateway)).toBe(before);
    expect(await verifyChainOf(hub.hubDatabase.url)).toMatchObject({ ok: true });
  });
});
