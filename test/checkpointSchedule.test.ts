import { Writable } from 'node:stream';
import pg from 'pg';
import { generateKeyPair } from 'jose';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { genesisHash } from '../src/audit/auditEntry.ts';
import { columnsFromRow, hashColumns } from '../src/audit/entryColumns.ts';
import { signCheckpoint } from '../src/audit/checkpoints.ts';
import { checkpointTask } from '../src/audit/checkpointSchedule.ts';
import { createGateway } from '../src/gateway/createGateway.ts';
import { mintGatewayCredential, mintGatewayServiceCredential } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, graphql, graphqlOverWebSocket, purposeHeaders, startTestHub, waitUntil, type TestHub } from './helpers.ts';

// The parties exchange signed checkpoints on the hub's schedule (graphile-worker
// in the hub database), with nobody asking; a party that signs a different head
// for an entry already checkpointed is caught at once, and auditors see it.

const interval = 250;
const audit = { purpose: 'AUDIT', caseReference: null };

/** A pino logger whose JSON lines the test reads. */
function capturingLogger() {
  const lines: { level: number; msg: string; job?: string; conflict?: Record<string, unknown> }[] = [];
  const sink = new Writable({
    write: (chunk, _encoding, done) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info', base: undefined }, sink), lines };
}

/** Some traffic, so that every party's log has entries to checkpoint. */
async function traffic(hub: TestHub) {
  await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  await hub.query('mk-border-officer', '{ alerts { totalCount } }');
}

const databaseOf = (hub: TestHub, party: string) => (party === 'GATEWAY' ? hub.hubDatabase : hub.nodes.get(party)!.database).name;

async function head(hub: TestHub, party: string): Promise<{ seq: number; hash: string }> {
  const [row] = await adminQuery<{ seq: string; hash: string }>(databaseOf(hub, party), 'select seq, hash from audit.entry order by seq desc limit 1');
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: genesisHash };
}

/** The head hash `holder` keeps for `party` at `seq`: from its own checkpoints, or from its copies of the others'. */
async function keptHash(hub: TestHub, holder: string, party: string, seq: number): Promise<string | undefined> {
  const rows =
    holder === party
      ? await adminQuery<{ head_hash: string }>(databaseOf(hub, holder), 'select head_hash from audit.checkpoint where seq = $1', [seq])
      : await adminQuery<{ head_hash: string }>(databaseOf(hub, holder), 'select head_hash from audit.peer_checkpoint where party = $1 and seq = $2', [party, seq]);
  return rows[0]?.head_hash;
}

const parties = ['GATEWAY', 'MK', 'XK'];

/** Waits until every party holds the checkpoint of every party's current head, its own and the others' copies. */
async function everyHeadKeptEverywhere(hub: TestHub) {
  const heads = new Map(await Promise.all(parties.map(async (party) => [party, await head(hub, party)] as const)));
  await waitUntil('every party to keep every head', async () => {
    for (const holder of parties) {
      for (const [party, { seq, hash }] of heads) {
        if ((await keptHash(hub, holder, party, seq)) !== hash) return false;
      }
    }
    return true;
  });
  return heads;
}

const pendingExchanges = async (hub: TestHub) =>
  Number(
    (
      await adminQuery<{ count: string }>(
        hub.hubDatabase.name,
        'select count(*) from graphile_worker.jobs where task_identifier = $1 and locked_at is null',
        [checkpointTask],
      )
    )[0]!.count,
  );

describe('checkpoints on a schedule', () => {
  it('are signed by every party and kept by every other without anyone asking', async () => {
    await using hub = await startTestHub({ gateway: { checkpointIntervalMs: interval } });
    await traffic(hub);
    const heads = await everyHeadKeptEverywhere(hub);
    // The exchange itself leaves no entry: an idle log keeps its head, and its checkpoint covers all of it.
    for (const [party, { seq }] of heads) expect((await head(hub, party)).seq, party).toBe(seq);
    // Each node signs with its own key: XK's copy of MK's checkpoint names MK's issuer, not the gateway's.
    const [copy] = await adminQuery<{ jws: string }>(databaseOf(hub, 'XK'), "select jws from audit.peer_checkpoint where party = 'MK' order by seq desc limit 1");
    const claims = JSON.parse(Buffer.from(copy!.jws.split('.')[1]!, 'base64url').toString()) as { iss: string };
    expect(claims.iss).toBe(hub.keys.nodes.get('MK')!.issuer);
    expect(claims.iss).not.toBe(hub.keys.gateway.issuer);

    // The latest of each, as the hub keeps them, for auditors (HTTP and graphql-ws alike).
    const query = '{ auditCheckpoints { party seq headHash } }';
    const overHttp = await hub.query('xk-auditor', query, {}, audit);
    expect(overHttp.errors).toBeUndefined();
    expect(overHttp.data!.auditCheckpoints).toEqual(parties.map((party) => ({ party, seq: heads.get(party)!.seq, headHash: heads.get(party)!.hash })));
    // That read was a consultation: the gateway's head moves on, and the next exchange covers it too.
    const overSocket = await graphqlOverWebSocket<{ auditCheckpoints: { party: string; seq: number }[] }>(hub.gatewayUrl, query, {}, { token: await hub.token('xk-auditor'), ...audit });
    const [gateway, ...nodes] = overSocket.data!.auditCheckpoints;
    expect(nodes).toEqual(overHttp.data!.auditCheckpoints.slice(1));
    expect(gateway!.party).toBe('GATEWAY');
    expect(gateway!.seq).toBeGreaterThanOrEqual(heads.get('GATEWAY')!.seq);
  });

  it('are exchanged at a node only with the gateway service credential for checkpoints', async () => {
    await using hub = await startTestHub();
    const node = hub.nodes.get('XK')!;
    const post = (headers: Record<string, string>) =>
      graphql(node.url, 'mutation { createAuditCheckpoint { seq } }', {}, { headers, purpose: null, caseReference: null });
    const feedCredential = await mintGatewayServiceCredential(hub.keys.gateway, 'XK', 'events:read');
    expect(codes(await post({ authorization: `Bearer ${feedCredential}` }))).toEqual(['FORBIDDEN']);
    const auditor = await hub.token('xk-auditor');
    const officerCall = {
      authorization: `Bearer ${await mintGatewayCredential(hub.keys.gateway, 'XK', auditor)}`,
      [officerTokenHeader]: auditor,
      ...purposeHeaders(audit),
    };
    expect(codes(await post(officerCall))).toEqual(['FORBIDDEN']);
    const checkpointCredential = await mintGatewayServiceCredential(hub.keys.gateway, 'XK', 'audit:checkpoints');
    const allowed = await post({ authorization: `Bearer ${checkpointCredential}` });
    expect(allowed.errors).toBeUndefined();
    expect(await adminQuery(node.database.name, 'select 1 from audit.checkpoint')).toHaveLength(1);
    // So are what the node holds of the others' logs and the walk of its own against them (the chain check).
    const reads = [
      'query { auditPeerEvidence(party: "GATEWAY") { checkpoints { seq } witnesses { seq } } }',
      'query { verifyAuditChain(checkpoints: [], witnesses: []) { party verified } }',
    ];
    for (const read of reads) {
      const as = (headers: Record<string, string>) => graphql(node.url, read, {}, { headers, purpose: null, caseReference: null });
      expect(codes(await as({ authorization: `Bearer ${feedCredential}` })), read).toEqual(['FORBIDDEN']);
      expect(codes(await as(officerCall)), read).toEqual(['FORBIDDEN']);
      expect((await as({ authorization: `Bearer ${checkpointCredential}` })).errors, read).toBeUndefined();
    }
  });

  it('run each exchange in one gateway when two share the hub database', async () => {
    const first = capturingLogger();
    const second = capturingLogger();
    await using hub = await startTestHub({ gateway: { checkpointIntervalMs: interval, logger: first.logger } });
    await using other = createGateway({
      trustList: hub.trustList,
      databaseUrl: hub.hubDatabase.applicationUrl,
      nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
      signer: hub.keys.gateway,
      auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
      checkpointIntervalMs: interval,
      logger: second.logger,
    });
    await other.start();
    const runs = () => [...first.lines, ...second.lines].filter((line) => line.msg === 'audit checkpoints exchanged');
    let mostPending = 0;
    await waitUntil('eight exchanges', async () => {
      mostPending = Math.max(mostPending, await pendingExchanges(hub));
      return runs().length >= 8;
    });
    const jobs = runs().map((line) => line.job);
    expect(new Set(jobs).size, 'no job ran twice').toBe(jobs.length);
    // One chain of jobs for the hub: never a second exchange waiting beside the next one.
    expect(mostPending).toBe(1);
    expect([...first.lines, ...second.lines].filter((line) => line.level >= 50)).toEqual([]);
  });

  it('leave no connection behind when the gateway stops, and the next exchange waiting in the queue', async () => {
    const hub = await startTestHub({ gateway: { checkpointIntervalMs: interval } });
    try {
      await everyHeadKeptEverywhere(hub);
      await hub.gateway.stop();
      const database = hub.hubDatabase.name;
      await waitUntil('the gateway\u2019s connections to close', async () =>
        (await adminQuery(database, 'select 1 from pg_stat_activity where datname = $1 and usename = $2', [database, 'hub_app'])).length === 0,
      );
      expect(await pendingExchanges(hub)).toBe(1);
    } finally {
      await hub[Symbol.asyncDispose]();
    }
  });

  it('raise a conflict at once when a party signs a different head for a kept entry, visible to auditors only', async () => {
    const { logger, lines } = capturingLogger();
    await using hub = await startTestHub({ gateway: { checkpointIntervalMs: interval, logger } });
    await traffic(hub);
    const heads = await everyHeadKeptEverywhere(hub);
    const { seq, hash: kept } = heads.get('MK')!;

    // MK rewrites its last entry, drops its own checkpoint of it, and signs the rewritten head with its real key.
    const client = new pg.Client({ connectionString: hub.nodes.get('MK')!.database.url });
    await client.connect();
    let rewritten: string;
    try {
      await client.query('begin');
      await client.query("set local session_replication_role = 'replica'");
      const { rows } = await client.query('select * from audit.entry where seq = $1', [seq]);
      const { hash: _old, ...content } = { ...columnsFromRow(rows[0]!), actor_sub: 'nobody' };
      rewritten = hashColumns(content);
      await client.query('update audit.entry set actor_sub = $2, hash = $3 where seq = $1', [seq, 'nobody', rewritten]);
      await client.query('delete from audit.checkpoint where seq >= $1', [seq]);
      const at = new Date();
      const jws = await signCheckpoint({ party: 'MK', seq, headHash: rewritten, count: seq, at: at.toISOString() }, hub.keys.nodes.get('MK')!);
      await client.query('insert into audit.checkpoint (seq, head_hash, entry_count, at, jws) values ($1, $2, $1, $3, $4)', [seq, rewritten, at, jws]);
      await client.query('commit');
    } finally {
      await client.end();
    }

    const query = '{ auditCheckpointConflicts { party seq keptHeadHash receivedHeadHash detectedAt detectedBy } }';
    const conflicts = await waitUntil('the conflict to be found by the gateway and by XK', async () => {
      const result = await hub.query('xk-auditor', query, {}, audit);
      const found = (result.data?.auditCheckpointConflicts ?? []) as { detectedBy: string; detectedAt: string }[];
      return found.length >= 2 ? found : null;
    });
    expect(conflicts.map(({ detectedAt: _at, ...conflict }) => conflict).sort((a, b) => a.detectedBy.localeCompare(b.detectedBy))).toEqual(
      ['GATEWAY', 'XK'].map((detectedBy) => ({ party: 'MK', seq, keptHeadHash: kept, receivedHeadHash: rewritten, detectedBy })),
    );
    // Found again at every exchange, recorded once per party that found it.
    await waitUntil('two more exchanges', async () => lines.filter((line) => line.msg === 'audit checkpoints exchanged').length >= 4);
    const again = await hub.query('xk-auditor', query, {}, audit);
    expect(again.data!.auditCheckpointConflicts).toHaveLength(2);

    // The kept copies stay; the gateway logged the conflict as an error; XK has it in its own log.
    expect(await keptHash(hub, 'GATEWAY', 'MK', seq)).toBe(kept);
    expect(await keptHash(hub, 'XK', 'MK', seq)).toBe(kept);
    expect(lines.some((line) => line.level === 50 && line.conflict?.party === 'MK' && line.conflict.seq === seq)).toBe(true);
    const [entry] = await adminQuery<{ error_code: string; details: { checkpointConflicts: unknown[] } }>(
      databaseOf(hub, 'XK'),
      "select error_code, details from audit.entry where error_code = 'CHECKPOINT_CONFLICT' order by seq limit 1",
    );
    expect(entry!.details.checkpointConflicts).toContainEqual({ party: 'MK', seq, keptHeadHash: kept, receivedHeadHash: rewritten, detectedBy: 'XK' });

    // Auditors only, under AUDIT only: the same rules as auditEntries, over HTTP and graphql-ws.
    expect(codes(await hub.query('xk-border-officer', query, {}, audit))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.query('xk-border-officer', query))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.query('xk-auditor', query))).toEqual(['PURPOSE_NOT_ALLOWED']);
    const officerSocket = await graphqlOverWebSocket(hub.gatewayUrl, query, {}, { token: await hub.token('xk-border-officer'), ...audit });
    expect(officerSocket.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    const auditorSocket = await graphqlOverWebSocket(hub.gatewayUrl, query, {}, { token: await hub.token('xk-auditor'), ...audit });
    expect(auditorSocket.data!.auditCheckpointConflicts).toHaveLength(2);

    // An auditor asking for an exchange now meets the same conflict.
    expect(codes(await hub.query('xk-auditor', 'mutation { exchangeAuditCheckpoints { party } }', {}, audit))).toEqual(['CHECKPOINT_CONFLICT']);
  });

  it('refuse a checkpoint signed with a key the trust list does not name, and keep nothing of it', async () => {
    const { logger, lines } = capturingLogger();
    await using hub = await startTestHub({ gateway: { checkpointIntervalMs: interval, logger } });
    await traffic(hub);
    // Someone without MK's key puts a checkpoint of MK's head in MK's database for the exchange to carry.
    const { seq, hash } = await head(hub, 'MK');
    const stranger = { issuer: 'urn:stranger', kid: 'stranger', alg: 'ES256', key: (await generateKeyPair('ES256')).privateKey };
    const at = new Date();
    const forged = await signCheckpoint({ party: 'MK', seq, headHash: hash, count: seq, at: at.toISOString() }, stranger);
    const client = new pg.Client({ connectionString: hub.nodes.get('MK')!.database.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query("set local session_replication_role = 'replica'");
      // The schedule keeps running: the node may be writing its own checkpoint of this head right now. The lock
      // waits for that to commit and keeps the next out, so that the forged one is what stays.
      await client.query('lock table audit.checkpoint in exclusive mode');
      await client.query('delete from audit.checkpoint where seq = $1', [seq]);
      await client.query('insert into audit.checkpoint (seq, head_hash, entry_count, at, jws) values ($1, $2, $1, $3, $4)', [seq, hash, at, forged]);
      await client.query('commit');
    } finally {
      await client.end();
    }
    const exchanged = () => lines.filter((line) => line.msg === 'audit checkpoints exchanged').length;
    const before = exchanged();
    await waitUntil('three more exchanges', async () => exchanged() >= before + 3);
    for (const holder of ['GATEWAY', 'XK']) {
      const copies = await adminQuery(databaseOf(hub, holder), "select 1 from audit.peer_checkpoint where party = 'MK' and jws = $1", [forged]);
      expect(copies, holder).toEqual([]);
    }
    expect(lines.some((line) => line.level === 50 && line.msg.includes('a checkpoint of MK whose signature does not verify'))).toBe(true);
    // Not a conflict: the stranger's word says nothing of MK's log.
    const conflicts = await hub.query('xk-auditor', '{ auditCheckpointConflicts { party } }', {}, audit);
    expect(conflicts.data!.auditCheckpointConflicts).toEqual([]);
  });
});
