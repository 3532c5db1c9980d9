import { Writable } from 'node:stream';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEntries, appendAuditEntry } from '../src/audit/appendAuditEntry.ts';
import { genesisHash, type AuditEntryInput } from '../src/audit/auditEntry.ts';
import { columnsFromRow, entryHash, hashColumns, type AuditEntryColumns } from '../src/audit/entryColumns.ts';
import { canonicalJson } from '../src/audit/canonicalJson.ts';
import {
  CheckpointConflictError,
  createCheckpoint,
  readCheckpoint,
  readPeerCheckpoints,
  storePeerCheckpoint,
  type CheckpointSigner,
} from '../src/audit/checkpoints.ts';
import { exportAuditEntries } from '../src/audit/exportAuditEntries.ts';
import { runAuditCommand } from '../src/audit/runAuditCommand.ts';
import { verifyAuditChain, type VerifyResult } from '../src/audit/verifyAuditChain.ts';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

// The audit log's core on a real PostgreSQL: appends build a chain that
// verifies; every kind of tampering by a superuser is reported at exactly the
// first bad entry; a consistent rewrite is caught by the partner's copy of a
// checkpoint; the application role can only read and append.

const chainLength = 40;
const start = Date.parse('2026-03-02T08:00:00.000Z');
/** Entry i (1-based) of a test chain happens i - 1 minutes after the start. */
const minute = (i: number) => new Date(start + (i - 1) * 60_000);

/** Entries of every kind and shape: with and without an officer, records, variables, errors. */
function sampleInput(i: number): AuditEntryInput {
  const kinds = ['CONSULTATION', 'DISCLOSURE', 'DENIAL', 'CHANGE'] as const;
  const outcomes = ['OK', 'PARTIAL', 'DENIED', 'ERROR'] as const;
  const anonymous = i % 7 === 0;
  return {
    kind: kinds[i % kinds.length]!,
    actor: anonymous ? null : { sub: `officer-${i % 5}`, agency: i % 2 ? 'MK' : 'XK', unit: i % 3 ? 'XK-BP-HANI' : null, roles: i % 4 ? ['officer'] : [] },
    purpose: anonymous ? null : 'CRIMINAL_INVESTIGATION',
    caseReference: i % 3 ? 'XK-MK-2026-0042' : null,
    operation: `Operation${i}`,
    documentHash: 'ab'.repeat(32),
    variables: i % 5 ? { serial: `AK-47-${i}`, filter: { kinds: ['SEIZURE'], plate: 'SK 123 AB' }, first: i } : null,
    records: Array.from({ length: i % 4 }, (_, r) => ({ agency: 'XK', id: `record-${i}-${r}`, tier: 'SUMMARY', basis: 'SHARING_RULE' })),
    outcome: outcomes[i % outcomes.length]!,
    errorCode: i % 4 === 2 ? 'FORBIDDEN' : null,
    clientAddress: '10.0.0.7',
    traceId: i.toString(16).padStart(32, '0'),
    details: i % 6 ? null : { note: `détail ${i}`, nested: [1, 2.5, true, null] },
  };
}

/** Appends entries 1..count, one transaction each, as the request paths do. */
async function buildChain(prisma: PrismaClient, party: string, count: number, first = 1) {
  for (let i = first; i < first + count; i += 1) {
    await prisma.$transaction((tx) => appendAuditEntry(tx, party, sampleInput(i), minute(i)));
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function testSigner(): Promise<{ signer: CheckpointSigner; jwks: JSONWebKeySet }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = `audit-key-${Math.random().toString(36).slice(2)}`;
  return {
    signer: { issuer: 'urn:border-hub:audit:test', kid, alg: 'ES256', key: privateKey },
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] },
  };
}

/** Tampers as a superuser bypassing the triggers, verifies on the same connection, and undoes everything. */
async function verifyTampered(client: pg.Client, tamper: (client: pg.Client) => Promise<void>, options = {}): Promise<VerifyResult> {
  await client.query('begin');
  try {
    await client.query('set local session_replication_role = replica');
    await tamper(client);
    return await verifyAuditChain(client, options);
  } finally {
    await client.query('rollback');
  }
}

async function readEntry(client: pg.Client, seq: number): Promise<AuditEntryColumns> {
  const { rows } = await client.query('select * from audit.entry where seq = $1', [seq]);
  return columnsFromRow(rows[0]);
}

async function insertRow(client: pg.Client, row: AuditEntryColumns) {
  await client.query('insert into audit.entry select * from json_populate_record(null::audit.entry, $1::json)', [JSON.stringify(row)]);
}

/** Renumbers entries seq >= from by `by`, through negative numbers so that the primary key never collides. */
async function shift(client: pg.Client, from: number, by: number) {
  await client.query('update audit.entry set seq = -seq where seq >= $1', [from]);
  await client.query('update audit.entry set seq = -seq + $1 where seq < 0', [by]);
}

const rehashed = (row: AuditEntryColumns): AuditEntryColumns => {
  const { hash: _hash, ...content } = row;
  return { ...content, hash: hashColumns(content) };
};

/** Field edits a superuser could make, each guaranteed to change the value. */
const fieldEdits = [
  `purpose = coalesce(purpose, '') || 'X'`,
  `at = at + interval '1 millisecond'`,
  `party = 'MK'`,
  `kind = 'CHANGE' || ''`,
  `actor_sub = coalesce(actor_sub, '') || '-other'`,
  `actor_roles = array_append(coalesce(actor_roles, '{}'), 'auditor')`,
  `case_reference = coalesce(case_reference, '') || '-1'`,
  `variables = jsonb_build_object('forged', true)`,
  `records = records || '[{"agency": "MK", "id": "forged"}]'::jsonb`,
  `outcome = case outcome when 'OK' then 'DENIED' else 'OK' end`,
  `error_code = coalesce(error_code, '') || 'X'`,
  `details = coalesce(details, '{}'::jsonb) || '{"note": "forged"}'`,
  `prev_hash = encode(sha256(prev_hash::bytea), 'hex')`,
  `hash = encode(sha256(hash::bytea), 'hex')`,
];
// `kind = 'CHANGE' || ''` would not change entries that are CHANGE already: those get DISCLOSURE.
const editSql = (edit: string) => (edit.startsWith('kind') ? `kind = case kind when 'CHANGE' then 'DISCLOSURE' else 'CHANGE' end` : edit);

interface Tamper {
  name: string;
  /** Positions it applies to, in a chain of `chainLength`. */
  positions: number[];
  apply(client: pg.Client, k: number): Promise<void>;
}

const everyPosition = Array.from({ length: chainLength }, (_, i) => i + 1);

const tampers: Tamper[] = [
  ...fieldEdits.map((edit) => ({
    name: `update: ${edit.split(' =')[0]}`,
    positions: everyPosition,
    apply: async (client: pg.Client, k: number) => {
      await client.query(`update audit.entry set ${editSql(edit)} where seq = $1`, [k]);
    },
  })),
  {
    name: 'update, then recompute the hash of that entry',
    positions: everyPosition,
    apply: async (client, k) => {
      const row = rehashed({ ...(await readEntry(client, k)), purpose: 'PUBLIC_ORDER' });
      await client.query('update audit.entry set purpose = $2, hash = $3 where seq = $1', [k, row.purpose, row.hash]);
    },
  },
  {
    name: 'delete',
    positions: everyPosition,
    apply: async (client, k) => {
      await client.query('delete from audit.entry where seq = $1', [k]);
    },
  },
  {
    name: 'delete, renumbering the later entries to close the gap',
    positions: everyPosition,
    apply: async (client, k) => {
      await client.query('delete from audit.entry where seq = $1', [k]);
      await shift(client, k + 1, -1);
    },
  },
  {
    name: 'insert a copy of an entry with an edited field, renumbering to make room',
    positions: everyPosition,
    apply: async (client, k) => {
      const original = await readEntry(client, k);
      await shift(client, k, 1);
      await insertRow(client, { ...original, case_reference: 'FORGED-1', hash: original.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) });
    },
  },
  {
    name: 'insert a well-formed forged entry (linked, correct hash), renumbering to make room',
    positions: everyPosition,
    apply: async (client, k) => {
      const original = await readEntry(client, k);
      await shift(client, k, 1);
      await insertRow(client, rehashed({ ...original, actor_sub: 'forger', records: [{ agency: 'MK', id: 'planted' }] }));
    },
  },
  {
    name: 'insert three well-formed forged entries in a row, renumbering to make room',
    positions: everyPosition,
    apply: async (client, k) => {
      const original = await readEntry(client, k);
      await shift(client, k, 3);
      let previous = original.prev_hash;
      for (let i = 0; i < 3; i += 1) {
        const forged = rehashed({ ...original, seq: k + i, prev_hash: previous, actor_sub: `forger-${i}` });
        await insertRow(client, forged);
        previous = forged.hash;
      }
    },
  },
  {
    name: 'reorder: swap entries k and k + 1',
    positions: everyPosition.slice(0, -1),
    apply: async (client, k) => {
      await client.query('update audit.entry set seq = -seq where seq in ($1, $2)', [k, k + 1]);
      await client.query('update audit.entry set seq = case seq when $1::bigint then $2::bigint else $3::bigint end where seq < 0', [-k, k + 1, k]);
    },
  },
];

describe('canonical JSON', () => {
  it('is the same for the same data, whatever the key order, and skips undefined', () => {
    const a = { b: [1, { d: undefined, c: 'x' }], a: new Date(Date.UTC(2026, 0, 1)), n: null, big: 12n };
    const b = { n: null, big: 12n, a: '2026-01-01T00:00:00.000Z', b: [1, { c: 'x' }] };
    expect(canonicalJson(a)).toBe('{"a":"2026-01-01T00:00:00.000Z","b":[1,{"c":"x"}],"big":12,"n":null}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(canonicalJson([undefined, Number.NaN, -0, 1e21, 'é\n"'])).toBe('[null,null,0,1e+21,"é\\n\\""]');
  });
});

describe('appending', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase('audit_append');
    prisma = createPrismaClient({ databaseUrl: database.url });
    client = await connect(database.url);
  });
  afterAll(async () => {
    await client?.end();
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
  });

  it('builds a gapless chain from the genesis hash that verifies', async () => {
    await buildChain(prisma, 'XK', 10);
    const first = await readEntry(client, 1);
    expect(first.prev_hash).toBe(genesisHash);
    const result = await verifyAuditChain(client);
    expect(result).toEqual({ ok: true, count: 10, headHash: (await readEntry(client, 10)).hash, checkpoints: 0, witnesses: 0 });
  });

  it('returns the entry as stored, hashed over what reads back', async () => {
    const entry = await prisma.$transaction((tx) => appendAuditEntry(tx, 'XK', sampleInput(11), minute(11)));
    const stored = await readEntry(client, entry.seq);
    expect(stored.hash).toBe(entry.hash);
    const { hash: _hash, prevHash, ...content } = entry;
    expect(entryHash(prevHash, content)).toBe(entry.hash);
  });

  it('serialises concurrent appends: 30 transactions at once still make one gapless chain', async () => {
    const before = await verifyAuditChain(client);
    expect(before.ok).toBe(true);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => prisma.$transaction((tx) => appendAuditEntries(tx, 'XK', [sampleInput(i), sampleInput(i + 1)]))),
    );
    expect(await verifyAuditChain(client, { batchSize: 7 })).toMatchObject({ ok: true, count: (before.ok ? before.count : 0) + 60 });
  });

  it('stamps each entry under the lock: with concurrent appends, time order is sequence order', async () => {
    // Each transaction does its work (a pause) before appending, as the services do; a time taken
    // before the lock would then often be older than the entry that won the lock first.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        prisma.$transaction(async (tx) => {
          await tx.$executeRaw`select pg_sleep(${(i % 5) / 200}::float8)`;
          return appendAuditEntry(tx, 'XK', sampleInput(i));
        }),
      ),
    );
    const { rows } = await client.query<{ seq: string }>('select seq from audit.entry order by at, seq');
    expect(rows.map((row) => Number(row.seq))).toEqual(rows.map((_, index) => index + 1));
    expect(await verifyAuditChain(client)).toMatchObject({ ok: true });
  });

  it('refuses to date an entry before the one it follows', async () => {
    await expect(prisma.$transaction((tx) => appendAuditEntry(tx, 'XK', sampleInput(1), new Date(start - 60_000)))).rejects.toThrow(/is before entry/);
  });

  it('commits with the work it records or not at all, and refuses to run outside a transaction', async () => {
    const count = async () => Number((await client.query('select count(*) from audit.entry')).rows[0].count);
    const before = await count();
    await expect(
      prisma.$transaction(async (tx) => {
        await appendAuditEntry(tx, 'XK', sampleInput(1));
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await count()).toBe(before);
    await expect(appendAuditEntry(prisma, 'XK', sampleInput(1))).rejects.toThrow(/inside a transaction/);
    expect(await count()).toBe(before);
  });

  it('stores any content so that it hashes the same when read back (NUL, lone surrogates, deep or odd JSON, long text)', async () => {
    const awkward = fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udfff', '\u2028', '"', '\\', '€', '😀'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });
    const input = fc.record({
      variables: fc.jsonValue({ stringUnit: fc.oneof(fc.constantFrom('\u0000', '\ud83d', '__proto__'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }),
      details: fc.option(fc.dictionary(awkward, fc.oneof(awkward, fc.double(), fc.bigInt(), fc.date({ noInvalidDate: true })))),
      operation: fc.option(fc.string({ unit: 'binary', maxLength: 300 })),
      caseReference: fc.option(awkward),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 3 }), async (generated) => {
        const inputs = generated.map((g, i) => ({ ...sampleInput(i), ...g }));
        const entries = await prisma.$transaction((tx) => appendAuditEntries(tx, 'XK', inputs));
        for (const entry of entries) expect((await readEntry(client, entry.seq)).hash).toBe(entry.hash);
      }),
      { seed: 20260302, numRuns: 60 },
    );
    expect(await verifyAuditChain(client)).toMatchObject({ ok: true });
    // Deeper than any real request: recorded with a marker rather than making the entry unwritable.
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5_000; i += 1) deep = [deep];
    await prisma.$transaction((tx) => appendAuditEntry(tx, 'XK', { ...sampleInput(1), variables: deep }));
    expect(await verifyAuditChain(client)).toMatchObject({ ok: true });
  });
});

describe('tampering, as a superuser bypassing the triggers, is reported at the first bad entry', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase('audit_tamper');
    prisma = createPrismaClient({ databaseUrl: database.url });
    await buildChain(prisma, 'XK', chainLength);
    // The head is checkpointed, as partners hold it: without that, the newest entries could go unnoticed.
    const { signer } = await testSigner();
    await prisma.$transaction((tx) => createCheckpoint(tx, 'XK', signer));
    client = await connect(database.url);
    expect(await verifyAuditChain(client)).toMatchObject({ ok: true, count: chainLength, checkpoints: 1 });
  });
  afterAll(async () => {
    await client?.end();
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
  });

  it.each(tampers.map((tamper) => [tamper.name, tamper] as const))('%s, at every position', async (_name, tamper) => {
    const misses: { k: number; result: VerifyResult }[] = [];
    for (const k of tamper.positions) {
      const result = await verifyTampered(client, (c) => tamper.apply(c, k), { batchSize: 16 });
      if (result.ok || result.firstBadSeq !== k) misses.push({ k, result });
    }
    expect(misses).toEqual([]);
  });

  it('says what happened', async () => {
    const reason = async (tamper: string, k: number) => {
      const result = await verifyTampered(client, (c) => tampers.find((t) => t.name.startsWith(tamper))!.apply(c, k));
      return result.ok ? 'ok' : `${result.firstBadSeq}: ${result.reason}`;
    };
    expect(await reason('update: purpose', 5)).toBe('5: entry 5 was altered: its content does not match its hash');
    expect(await reason('delete', 5)).toBe('5: entry 5 is missing');
    expect(await reason('delete', chainLength)).toMatch(new RegExp(`^${chainLength}: entry ${chainLength} is missing: the checkpoint signed at .* \\(own\\) covers ${chainLength} entries, the log ends at entry ${chainLength - 1}$`));
    expect(await reason('insert a well-formed', 5)).toBe('5: entry 5 was inserted: entry 6 names entry 4 as its predecessor');
    expect(await reason('update, then recompute', 5)).toBe('5: entry 5 was altered and its hash recomputed: entry 6 still names its former hash');
    expect(await reason('insert three', 5)).toBe('5: entries 5 to 7 were inserted: entry 8 names entry 4 as its predecessor');
    expect(await reason('reorder', 5)).toBe('5: entry 5 names entry 6 as its predecessor: the entries were reordered');
    expect(await reason('update: prev_hash', 5)).toMatch(/^5: entry 5 does not follow entry 4: it names [0-9a-f]{12}… as its predecessor, whose hash is [0-9a-f]{12}…$/);
  });

  it('reports an entry dated before its predecessor, even when the chain was re-hashed around it', async () => {
    const result = await verifyTampered(client, async (c) => {
      await c.query('delete from audit.checkpoint');
      const { rows } = await c.query('select * from audit.entry where seq >= 5 order by seq');
      let previous = (await readEntry(c, 4)).hash;
      for (const entry of rows.map(columnsFromRow)) {
        const row = rehashed({ ...entry, ...(entry.seq === 12 ? { at: minute(3).toISOString() } : {}), prev_hash: previous });
        await c.query('update audit.entry set at = $2, prev_hash = $3, hash = $4 where seq = $1', [row.seq, row.at, row.prev_hash, row.hash]);
        previous = row.hash;
      }
    });
    expect(result).toEqual({ ok: false, firstBadSeq: 12, reason: `entry 12 is dated ${minute(3).toISOString()}, before entry 11 (${minute(11).toISOString()})` });
  });

  it('without a checkpoint, dropping the newest entry leaves a valid shorter chain: what checkpoints are for', async () => {
    const result = await verifyTampered(client, async (c) => {
      await c.query('delete from audit.checkpoint');
      await c.query('delete from audit.entry where seq = $1', [chainLength]);
    });
    expect(result).toMatchObject({ ok: true, count: chainLength - 1 });
  });
});

describe('checkpoints: a rewritten history is caught by the partner', () => {
  let xk: TestDatabase;
  let mk: TestDatabase;
  let xkPrisma: PrismaClient;
  let mkPrisma: PrismaClient;
  let xkClient: pg.Client;
  let mkClient: pg.Client;
  let keys: Awaited<ReturnType<typeof testSigner>>;

  /** What a superuser of XK's database can do: change entry k and recompute every hash after it. */
  async function rewriteFrom(client: pg.Client, k: number) {
    const { rows } = await client.query('select * from audit.entry where seq >= $1 order by seq', [k - 1]);
    const entries = rows.map(columnsFromRow);
    let previous = entries[0]!.seq === k - 1 ? entries.shift()!.hash : genesisHash;
    for (const entry of entries) {
      const content = entry.seq === k ? { ...entry, purpose: 'PUBLIC_ORDER', actor_sub: 'somebody-else' } : entry;
      const row = rehashed({ ...content, prev_hash: previous });
      await client.query('update audit.entry set purpose = $2, actor_sub = $3, prev_hash = $4, hash = $5 where seq = $1', [
        row.seq, row.purpose, row.actor_sub, row.prev_hash, row.hash,
      ]);
      previous = row.hash;
    }
  }

  beforeAll(async () => {
    [xk, mk] = await Promise.all([createTestDatabase('audit_xk'), createTestDatabase('audit_mk')]);
    xkPrisma = createPrismaClient({ databaseUrl: xk.url });
    mkPrisma = createPrismaClient({ databaseUrl: mk.url });
    keys = await testSigner();
    // XK checkpoints every ten entries and sends each checkpoint to MK, who keeps it.
    for (const upTo of [10, 20, 30]) {
      await buildChain(xkPrisma, 'XK', 10, upTo - 9);
      const checkpoint = await xkPrisma.$transaction((tx) => createCheckpoint(tx, 'XK', keys.signer, minute(upTo)));
      expect(checkpoint).toMatchObject({ party: 'XK', seq: upTo, count: upTo });
      await mkPrisma.$transaction((tx) => storePeerCheckpoint(tx, checkpoint.jws, keys.jwks, 'XK'));
    }
    xkClient = await connect(xk.url);
    mkClient = await connect(mk.url);
  });
  afterAll(async () => {
    await Promise.all([xkClient?.end(), mkClient?.end(), xkPrisma?.$disconnect(), mkPrisma?.$disconnect()]);
    await Promise.all([xk?.[Symbol.asyncDispose](), mk?.[Symbol.asyncDispose]()]);
  });

  it('verify checks own checkpoints and their signatures', async () => {
    expect(await verifyAuditChain(xkClient, { publicKeys: keys.jwks })).toMatchObject({ ok: true, count: 30, checkpoints: 3 });
    const stranger = await testSigner();
    expect(await verifyAuditChain(xkClient, { publicKeys: stranger.jwks })).toMatchObject({ ok: false, firstBadSeq: 10, reason: expect.stringMatching(/checkpoint of entry 10 \(own\) does not verify/) });
    // Creating a checkpoint again without new entries gives the same one.
    const again = await xkPrisma.$transaction((tx) => createCheckpoint(tx, 'XK', keys.signer));
    expect(again).toEqual({ ...readCheckpoint(again.jws), jws: (await xkClient.query('select jws from audit.checkpoint where seq = 30')).rows[0].jws });
  });

  it('a rewrite that keeps the own checkpoints is caught by them; editing their columns is caught by their signature', async () => {
    const caught = await verifyTampered(xkClient, (c) => rewriteFrom(c, 15));
    expect(caught).toMatchObject({ ok: false, firstBadSeq: 20, reason: expect.stringMatching(/entry 20 does not match the checkpoint signed at .* \(own\): history was rewritten in entries 11 to 20 \(the checkpoint of entry 10 matches\)/) });
    const covered = await verifyTampered(xkClient, async (c) => {
      await rewriteFrom(c, 15);
      await c.query(`update audit.checkpoint set head_hash = (select hash from audit.entry e where e.seq = checkpoint.seq)`);
    });
    expect(covered).toMatchObject({ ok: false, firstBadSeq: 20, reason: expect.stringMatching(/checkpoint of entry 20 \(own\) was altered/) });
  });

  it('a rewrite with recomputed hashes and no own checkpoints verifies on its own, but not against MK\'s copies', async () => {
    const peerCheckpoints = await readPeerCheckpoints(mkClient, 'XK', 'copy kept by MK');
    expect(peerCheckpoints.map((checkpoint) => checkpoint.seq)).toEqual([10, 20, 30]);
    for (const [k, expectedSeq] of [[1, 10], [10, 10], [11, 20], [15, 20], [20, 20], [21, 30], [30, 30]] as const) {
      const rewrite = async (c: pg.Client) => {
        await c.query('delete from audit.checkpoint');
        await rewriteFrom(c, k);
      };
      expect(await verifyTampered(xkClient, rewrite)).toMatchObject({ ok: true, count: 30 });
      const result = await verifyTampered(xkClient, rewrite, { peerCheckpoints, publicKeys: keys.jwks });
      expect(result, `rewrite from entry ${k}`).toMatchObject({ ok: false, firstBadSeq: expectedSeq, reason: expect.stringContaining('(copy kept by MK)') });
    }
    // Dropping the newest entries (and the own checkpoints) is caught the same way.
    const truncated = await verifyTampered(
      xkClient,
      async (c) => {
        await c.query('delete from audit.checkpoint');
        await c.query('delete from audit.entry where seq > 25');
      },
      { peerCheckpoints },
    );
    expect(truncated).toMatchObject({ ok: false, firstBadSeq: 26, reason: expect.stringMatching(/entry 26 is missing: the checkpoint signed at .* \(copy kept by MK\) covers 30 entries/) });
  });

  it('audit verify with --peer-database-url, after a committed rewrite; the re-signed head is refused by MK', async () => {
    await xkClient.query('begin');
    await xkClient.query('set local session_replication_role = replica');
    await xkClient.query('delete from audit.checkpoint');
    await rewriteFrom(xkClient, 15);
    await xkClient.query('commit');

    const alone = await runCommand(['verify', '--database-url', xk.url]);
    expect(alone).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: 30 entries, head [0-9a-f]{64}\n/) });
    const withPeer = await runCommand(['verify', '--database-url', xk.url, '--peer-database-url', mk.url]);
    expect(withPeer.code).toBe(1);
    expect(withPeer.stdout).toMatch(/^FAILED at entry 20: entry 20 does not match the checkpoint signed at 2026-03-02T08:19:00.000Z \(copy kept in .*\): history was rewritten in entries 11 to 20 \(the checkpoint of entry 10 matches\)\n$/);

    // XK signs its rewritten head and sends it: MK already holds another head for entry 30.
    const resigned = await xkPrisma.$transaction((tx) => createCheckpoint(tx, 'XK', keys.signer));
    await expect(mkPrisma.$transaction((tx) => storePeerCheckpoint(tx, resigned.jws, keys.jwks, 'XK'))).rejects.toBeInstanceOf(CheckpointConflictError);
    // A checkpoint in another party's name, or not signed by the party's key, is refused.
    await expect(mkPrisma.$transaction((tx) => storePeerCheckpoint(tx, resigned.jws, keys.jwks, 'AL'))).rejects.toThrow(/checkpoint of XK received from AL/);
    const stranger = await testSigner();
    await expect(mkPrisma.$transaction((tx) => storePeerCheckpoint(tx, resigned.jws, stranger.jwks))).rejects.toThrow(/no applicable key|signature/);
  });
});

describe('append-only in the database', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let client: pg.Client;
  const tables = ['audit.entry', 'audit.checkpoint', 'audit.peer_checkpoint'];

  beforeAll(async () => {
    database = await createTestDatabase('audit_roles');
    prisma = createPrismaClient({ databaseUrl: database.url });
    await buildChain(prisma, 'GATEWAY', 3);
    const { signer } = await testSigner();
    await prisma.$transaction((tx) => createCheckpoint(tx, 'GATEWAY', signer));
    await prisma.$executeRaw`insert into audit.peer_checkpoint (party, seq, head_hash, at, jws) values ('XK', 1, ${genesisHash}, now(), 'x')`;
    client = await connect(database.url);
  });
  afterAll(async () => {
    await client?.end();
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
  });

  it('the application role hub_app reads and appends, and can neither update, delete nor truncate', async () => {
    await client.query('set role hub_app');
    try {
      for (const table of tables) {
        await expect(client.query(`select count(*) from ${table}`)).resolves.toBeDefined();
        await expect(client.query(`update ${table} set seq = seq`)).rejects.toThrow(/permission denied/);
        await expect(client.query(`delete from ${table}`)).rejects.toThrow(/permission denied/);
        await expect(client.query(`truncate ${table}`)).rejects.toThrow(/permission denied/);
      }
      // Its business tables stay fully writable.
      await client.query(`insert into node.agency (code, name, country) values ('ZZ', 'Test agency', 'Nowhere')`);
      await client.query(`update node.agency set name = 'Renamed' where code = 'ZZ'`);
      await client.query(`delete from node.agency where code = 'ZZ'`);
    } finally {
      await client.query('reset role');
    }
    // Appending through the application's own path works under the role.
    const entry = await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`set local role hub_app`;
      return appendAuditEntry(tx, 'GATEWAY', sampleInput(4), minute(4));
    });
    expect(entry.seq).toBe(4);
    expect(await verifyAuditChain(client)).toMatchObject({ ok: true, count: 4 });
  });

  it('the owner, a superuser even, gets the trigger\'s refusal while the triggers are on', async () => {
    for (const table of tables) {
      const message = `${table} is append-only`;
      await expect(client.query(`update ${table} set seq = seq`)).rejects.toThrow(message);
      await expect(client.query(`update ${table} set seq = seq where false`)).rejects.toThrow(message);
      await expect(client.query(`delete from ${table} where seq = 1`)).rejects.toThrow(message);
      await expect(client.query(`truncate ${table}`)).rejects.toThrow(message);
    }
    expect(await verifyAuditChain(client)).toMatchObject({ ok: true, count: 4 });
  });

  it('fails closed: when the role may no longer append, the work it records does not commit either', async () => {
    await client.query('revoke insert on audit.entry from hub_app');
    try {
      await expect(
        prisma.$transaction(async (tx) => {
          await tx.$executeRaw`set local role hub_app`;
          await tx.$executeRaw`insert into node.agency (code, name, country) values ('ZY', 'Released?', 'Nowhere')`;
          await appendAuditEntry(tx, 'GATEWAY', sampleInput(5));
        }),
      ).rejects.toThrow(/permission denied/);
    } finally {
      await client.query('grant insert on audit.entry to hub_app');
    }
    expect((await client.query(`select 1 from node.agency where code = 'ZY'`)).rowCount).toBe(0);
  });
});

describe('export', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase('audit_export');
    prisma = createPrismaClient({ databaseUrl: database.url });
    await buildChain(prisma, 'MK', chainLength);
    client = await connect(database.url);
  });
  afterAll(async () => {
    await client?.end();
    await prisma?.$disconnect();
    await database?.[Symbol.asyncDispose]();
  });

  it('writes the entries of a time range as JSON Lines anyone can re-hash, through a slow reader', async () => {
    const lines: string[] = [];
    let pending = '';
    // One chunk at a time, each taking a turn of the event loop: export must wait for it.
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk, _encoding, done) {
        pending += String(chunk);
        setImmediate(done);
      },
    });
    const { count } = await exportAuditEntries(client, slow, { from: minute(11), to: minute(21), batchSize: 3 });
    lines.push(...pending.split('\n').filter(Boolean));
    expect(count).toBe(10);
    const entries = lines.map((line) => JSON.parse(line) as AuditEntryColumns);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    expect(entries[0]!.at).toBe('2026-03-02T08:10:00.000Z');
    for (const [i, entry] of entries.entries()) {
      const { hash, ...content } = entry;
      expect(hashColumns(content)).toBe(hash);
      if (i > 0) expect(entry.prev_hash).toBe(entries[i - 1]!.hash);
    }
  });

  it('audit export streams every entry, or a range, to stdout', async () => {
    const all = await runCommand(['export', '--database-url', database.url]);
    expect(all.code).toBe(0);
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(chainLength);
    const range = await runCommand(['export', '--database-url', database.url, '--from', '2026-03-02T08:30:00Z']);
    expect(range.stdout.trimEnd().split('\n').map((line) => JSON.parse(line).seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 31));
    expect(await runCommand(['export', '--database-url', database.url, '--from', 'yesterday'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--from: not a time') });
    expect(await runCommand(['verify'], {})).toMatchObject({ code: 2, stderr: expect.stringContaining('--database-url (or DATABASE_URL) is required') });
  });
});

/** Runs `hub audit …` with its output captured. */
async function runCommand(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const output = { stdout: '', stderr: '' };
  const sink = (name: keyof typeof output) =>
    new Writable({
      write(chunk, _encoding, done) {
        output[name] += String(chunk);
        done();
      },
    });
  const code = await runAuditCommand(argv, { stdout: sink('stdout'), stderr: sink('stderr'), env });
  return { code, ...output };
}
