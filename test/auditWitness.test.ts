import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../src/audit/canonicalJson.ts';
import { gatewayParty, type AuditWitness } from '../src/audit/auditEntry.ts';
import { columnsFromRow, entryHash, fromColumns } from '../src/audit/entryColumns.ts';
import { auditHeadExtension, auditHeadHeader } from '../src/audit/auditWitness.ts';
import { runAuditCommand } from '../src/audit/runAuditCommand.ts';
import { appendAuditEntry } from '../src/audit/appendAuditEntry.ts';
import { writeRunningHub } from '../src/hub/runningHub.ts';
import { mintGatewayCredential } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, graphql, graphqlOverWebSocket, purposeHeaders, startTestHub, type TestHub } from './helpers.ts';

// Each party's log witnesses the others' as it grows: a node's answer carries
// the head of its log after the request's entry, the gateway's consultation
// entry records it, and the gateway's next call carries its own head back. So
// a tail deleted after the last checkpoint is caught by the peers' logs.

const alertsQuery = '{ alerts(first: 5) { totalCount } }';

async function audit(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write: (chunk, _encoding, done) => ((out += chunk), done()) });
  const code = await runAuditCommand(argv, { stdout: sink, stderr: sink, env: {} });
  return { code, out };
}

/** Officers use the hub: changes at XK, reads of both agencies, each through the gateway. */
async function traffic(hub: TestHub) {
  for (let index = 0; index < 3; index++) {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    const read = await hub.query('mk-border-officer', alertsQuery);
    expect(read.errors, JSON.stringify(read.errors)).toBeUndefined();
    // Heads go between parties: an officer is told none.
    expect(read.extensions?.[auditHeadExtension]).toBeUndefined();
  }
}

interface WitnessRow {
  seq: string;
  party: string;
  kind: string;
  outcome: string;
  witnesses: AuditWitness[] | null;
}

const entriesOf = (database: string) =>
  adminQuery<WitnessRow>(database, 'select seq, party, kind, outcome, witnesses from audit.entry order by seq');

/** The highest entry of `party` that the log in `database` witnessed. */
async function highestWitnessed(database: string, party: string): Promise<number> {
  const rows = await adminQuery<{ seq: string | null }>(
    database,
    `select max((w->>'seq')::bigint) as seq from audit.entry e, jsonb_array_elements(e.witnesses) w where w->>'party' = $1`,
    [party],
  );
  return Number(rows[0]?.seq ?? 0);
}

/** Deletes entries from `fromSeq` on, as a superuser with the append-only triggers off: what no checkpoint covers yet. */
async function deleteTail(url: string, fromSeq: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query("set local session_replication_role = 'replica'");
    await client.query('delete from audit.entry where seq >= $1', [fromSeq]);
    await client.query('commit');
  } finally {
    await client.end();
  }
}

/** The verify command for one party of the hub, with the other parties' databases as peers. */
function verifyArgs(hub: TestHub, party: string): string[] {
  const urls = new Map<string, string>([[gatewayParty, hub.hubDatabase.url], ...[...hub.nodes].map(([agency, node]) => [agency, node.database.url] as const)]);
  const peers = [...urls].filter(([other]) => other !== party).flatMap(([, url]) => ['--peer-database-url', url]);
  return ['verify', '--database-url', urls.get(party)!, '--party', party, ...peers];
}

/**
 * A hub after {@link traffic}, without feed followers, so that nothing but the test's own requests
 * writes to the logs; with a generous node timeout, so that on a loaded machine a slow answer does
 * not turn into AGENCY_UNAVAILABLE.
 */
async function hubWithTraffic(): Promise<TestHub> {
  const hub = await startTestHub({ nodeTimeoutMs: 30_000, gateway: { followFeeds: false } });
  await traffic(hub);
  return hub;
}

describe('witnesses of the other parties\u2019 heads', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await hubWithTraffic()));
  afterAll(() => hub?.[Symbol.asyncDispose]());

  it('the gateway\u2019s entry records the head each node answered with, and each node the gateway\u2019s head sent with the call', async () => {
    const gatewayEntries = await entriesOf(hub.hubDatabase.name);
    const nodeEntries = new Map<string, Map<number, WitnessRow & { hash: string }>>();
    for (const [agency, node] of hub.nodes) {
      const rows = await adminQuery<WitnessRow & { hash: string }>(node.database.name, 'select seq, party, kind, hash, witnesses from audit.entry order by seq');
      nodeEntries.set(agency, new Map(rows.map((row) => [Number(row.seq), row])));
    }
    const gatewayHashes = new Map((await adminQuery<{ seq: string; hash: string }>(hub.hubDatabase.name, 'select seq, hash from audit.entry')).map((row) => [Number(row.seq), row.hash]));

    // Every consultation of the traffic called at least one node, and names the entry that node wrote for it
    // (the entry of a change written before the node is asked, outcome PENDING, has nothing to witness yet).
    const consultations = gatewayEntries.filter((row) => row.kind === 'CONSULTATION' && row.outcome !== 'PENDING');
    expect(consultations).toHaveLength(6);
    for (const consultation of consultations) {
      expect(consultation.witnesses?.length, `entry ${consultation.seq}`).toBeGreaterThan(0);
      for (const witness of consultation.witnesses!) {
        expect(nodeEntries.get(witness.party)?.get(witness.seq)?.hash, `${witness.party} ${witness.seq}`).toBe(witness.hash);
      }
    }
    // The mutation's consultation witnesses XK's CHANGE entry, written in the change's own transaction.
    const changeWitness = consultations[0]!.witnesses!.find((witness) => witness.party === 'XK')!;
    expect(nodeEntries.get('XK')!.get(changeWitness.seq)!.kind).toBe('CHANGE');

    // After the gateway's first entry, every node entry witnesses a committed entry of the gateway's log.
    for (const [agency, entries] of nodeEntries) {
      const witnessed = [...entries.values()].filter((row) => row.witnesses !== null);
      expect(witnessed.length, agency).toBeGreaterThan(0);
      for (const row of witnessed) {
        expect(row.witnesses!.map((witness) => witness.party)).toEqual([gatewayParty]);
        const [witness] = row.witnesses!;
        expect(gatewayHashes.get(witness!.seq), `${agency} entry ${row.seq}`).toBe(witness!.hash);
      }
    }
    // Sequential traffic: each node's last entry witnesses the gateway's entry of the operation before it.
    expect(await highestWitnessed(hub.nodes.get('MK')!.database.name, gatewayParty)).toBe(gatewayEntries.length - 1);
  });

  it('hashes an entry\u2019s witnesses with it, and entries without any as before', async () => {
    const rows = await adminQuery(hub.hubDatabase.name, 'select * from audit.entry order by seq');
    const entries = rows.map((row) => fromColumns(columnsFromRow(row)));
    const witnessed = entries.find((entry) => entry.witnesses !== null)!;
    const { hash, prevHash, ...content } = witnessed;
    expect(entryHash(prevHash, content)).toBe(hash);
    expect(entryHash(prevHash, { ...content, witnesses: [{ ...content.witnesses![0]!, seq: content.witnesses![0]!.seq + 1 }] })).not.toBe(hash);
  });

  it('hashes an entry without witnesses in the format of the entries written before the column existed', async () => {
    // An entry of no operation of the hub, witnessing nothing (a service's change, as the demo data's).
    const { seq } = await hub.nodes.get('XK')!.prisma.$transaction((tx) =>
      appendAuditEntry(tx, 'XK', {
        kind: 'CHANGE', actor: { sub: 'service:test', agency: 'XK', unit: null, roles: [] }, purpose: null, caseReference: null, operation: 'service',
        documentHash: null, variables: { note: 'no witness, no operation id' }, records: [], outcome: 'OK', errorCode: null, clientAddress: null, traceId: null, details: null,
      }),
    );
    const [row] = await adminQuery(hub.nodes.get('XK')!.database.name, 'select * from audit.entry where seq = $1', [seq]);
    // The clear variables are covered through their digest (see auditDigests.test.ts); no witnesses or operation_id member at all.
    const { hash, witnesses, operation_id, variables: _variables, ...before } = columnsFromRow(row!);
    expect(witnesses).toBeNull();
    expect(operation_id).toBeNull();
    expect(before.variables_digest).not.toBeNull();
    expect(Object.keys(before)).toHaveLength(21);
    expect(createHash('sha256').update(`${before.prev_hash}\n${canonicalJson(before)}`).digest('hex')).toBe(hash);
  });

  it('shows the witnesses on the public AuditEntry', async () => {
    const token = await hub.token({ sub: 'board.member', agency: 'MK', unit: 'MK-DPO', roles: ['oversight'] });
    const query = 'query($party: String!) { auditEntries(party: $party, first: 50) { edges { node { seq kind witnesses { party seq hash } } } } }';
    const gateway = await graphql(hub.gatewayUrl, query, { party: gatewayParty }, { token, purpose: 'AUDIT', caseReference: null });
    expect(gateway.errors).toBeUndefined();
    const stored = new Map((await entriesOf(hub.hubDatabase.name)).map((row) => [Number(row.seq), row.witnesses ?? []]));
    const nodes = gateway.data!.auditEntries.edges.map((edge: { node: { seq: number; witnesses: AuditWitness[] } }) => edge.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) expect(node.witnesses, `entry ${node.seq}`).toEqual(stored.get(node.seq));
    // Through the node contract too: XK's own log, read by the gateway from the node.
    const xk = await graphql(hub.gatewayUrl, query, { party: 'XK' }, { token, purpose: 'AUDIT', caseReference: null });
    expect(xk.errors).toBeUndefined();
    expect(xk.data!.auditEntries.edges.some((edge: { node: { witnesses: AuditWitness[] } }) => edge.node.witnesses.some((witness) => witness.party === gatewayParty))).toBe(true);
  });

  it('verifies an intact set: every party\u2019s chain holds every head the others witnessed', async () => {
    for (const party of [gatewayParty, 'XK', 'MK']) {
      const result = await audit(verifyArgs(hub, party));
      expect(result.code, result.out).toBe(0);
      expect(result.out).toMatch(/^OK: \d+ entries/);
      const [, witnessed] = /^(\d+) heads witnessed by the peers match$/m.exec(result.out) ?? [];
      expect(Number(witnessed), result.out).toBeGreaterThan(0);
    }
  });

  it('records the gateway\u2019s head only from a verified gateway credential, and only when it is well formed', async () => {
    const xk = hub.nodes.get('XK')!;
    const officerToken = await hub.token('xk-border-officer');
    const forged = `1:${'ab'.repeat(32)}`;
    const lastEntry = async () => (await adminQuery<WitnessRow>(xk.database.name, 'select seq, party, kind, witnesses from audit.entry order by seq desc limit 1'))[0]!;
    const call = async (headers: Record<string, string>) => {
      const response = await fetch(xk.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [officerTokenHeader]: officerToken, ...purposeHeaders(), ...headers },
        body: JSON.stringify({ query: alertsQuery }),
      });
      return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[]; extensions?: Record<string, unknown> };
    };

    // An officer calling the node straight, with a head of their own making: refused, and the head is not recorded.
    const direct = await call({ authorization: `Bearer ${officerToken}`, [auditHeadHeader]: forged });
    expect(direct.errors?.map((error) => error.extensions?.code)).toEqual(['GATEWAY_CREDENTIAL_INVALID']);
    expect(direct.extensions?.auditHead, 'nor told the node\u2019s head').toBeUndefined();
    const refused = await lastEntry();
    expect(refused.kind).toBe('DENIAL');
    expect(refused.witnesses).toBeNull();

    const credential = () => mintGatewayCredential(hub.keys.gateway, 'XK', officerToken, null);
    // The gateway's credential with a malformed head: served, head not recorded.
    for (const malformed of ['0:' + 'ab'.repeat(32), `7:${'AB'.repeat(32)}`, `7:${'ab'.repeat(31)}`, `-7:${'ab'.repeat(32)}`, '7', `9007199254740993:${'ab'.repeat(32)}`]) {
      const served = await call({ authorization: `Bearer ${await credential()}`, [auditHeadHeader]: malformed });
      expect(served.errors, malformed).toBeUndefined();
      const entry = await lastEntry();
      expect(entry.witnesses, malformed).toBeNull();
      expect(served.extensions?.auditHead).toEqual({ party: 'XK', seq: Number(entry.seq), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    // The gateway's credential with a well-formed head: recorded as sent, and the answer names the entry.
    const accepted = await call({ authorization: `Bearer ${await credential()}`, [auditHeadHeader]: forged });
    expect(accepted.errors).toBeUndefined();
    const entry = await lastEntry();
    expect(entry.witnesses).toEqual([{ party: gatewayParty, seq: 1, hash: 'ab'.repeat(32) }]);
    const [stored] = await adminQuery<{ hash: string }>(xk.database.name, 'select hash from audit.entry where seq = $1', [entry.seq]);
    expect(accepted.extensions?.auditHead).toEqual({ party: 'XK', seq: Number(entry.seq), hash: stored!.hash });
  });

  it('over graphql-ws too: the consultation entry records the heads of the nodes it called', async () => {
    const result = await graphqlOverWebSocket(hub.gatewayUrl, alertsQuery, {}, { token: await hub.token('mk-border-officer') });
    expect(result.errors).toBeUndefined();
    const [last] = await adminQuery<WitnessRow>(hub.hubDatabase.name, 'select seq, party, kind, witnesses from audit.entry order by seq desc limit 1');
    expect(last!.kind).toBe('CONSULTATION');
    expect(last!.witnesses?.map((witness) => witness.party)).toEqual(['MK', 'XK']);
    for (const witness of last!.witnesses!) {
      const [entry] = await adminQuery<{ hash: string; operation: string }>(hub.nodes.get(witness.party)!.database.name, 'select hash, operation from audit.entry where seq = $1', [witness.seq]);
      expect(entry, `${witness.party} ${witness.seq}`).toMatchObject({ hash: witness.hash, operation: expect.stringMatching(/^query /) });
    }
  });
});

describe('a deleted tail is caught by the peers\u2019 witnesses, with no checkpoint since', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await hubWithTraffic()));
  afterAll(() => hub?.[Symbol.asyncDispose]());

  it('a node\u2019s tail: verify fails at the first missing entry, naming the peer that witnessed it', async () => {
    const xk = hub.nodes.get('XK')!.database;
    const checkpoints = await adminQuery<{ seq: string }>(xk.name, 'select seq from audit.checkpoint where seq > 0');
    expect(checkpoints, 'no checkpoint covers the traffic').toEqual([]);
    const witnessed = await highestWitnessed(hub.hubDatabase.name, 'XK');
    expect(witnessed).toBeGreaterThan(2);
    const before = await audit(verifyArgs(hub, 'XK'));
    expect(before.code, before.out).toBe(0);

    await deleteTail(xk.url, witnessed - 1);
    const alone = await audit(['verify', '--database-url', xk.url]);
    expect(alone.code, 'the shortened chain is consistent on its own').toBe(0);
    const caught = await audit(verifyArgs(hub, 'XK'));
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(
      new RegExp(`^FAILED at entry ${witnessed - 1}: entry ${witnessed - 1} is missing: GATEWAY witnessed entry ${witnessed - 1} of XK's log \\(hash [0-9a-f]{12}…\\) in its entry \\d+, the log ends at entry ${witnessed - 2}\\n$`),
    );
  });

  it('the gateway\u2019s tail: the nodes\u2019 witnesses catch it, through `hub audit verify --all` of a running hub', async () => {
    const witnessedBy = await Promise.all(['XK', 'MK'].map((agency) => highestWitnessed(hub.nodes.get(agency)!.database.name, gatewayParty)));
    const witnessed = Math.max(...witnessedBy);
    expect(witnessed).toBeGreaterThan(2);
    await deleteTail(hub.hubDatabase.url, witnessed - 1);

    // What `npm start` leaves for the tools beside it, pointing at this hub's databases.
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-witness-'));
    try {
      const trustList = join(dataDir, 'trust-list.json');
      await writeFile(trustList, JSON.stringify(hub.keys.trustList));
      await writeRunningHub(dataDir, {
        pid: process.pid,
        gatewayUrl: hub.gatewayUrl.href,
        trustList,
        parties: { [gatewayParty]: hub.hubDatabase.url, ...Object.fromEntries([...hub.nodes].map(([agency, node]) => [agency, node.database.url])) },
      });
      const all = await audit(['verify', '--all', '--data-dir', dataDir]);
      expect(all.code).toBe(1);
      expect(all.out).toMatch(
        new RegExp(`^GATEWAY: FAILED at entry ${witnessed - 1}: entry ${witnessed - 1} is missing: (XK|MK) witnessed entry (${witnessed - 1}|${witnessed}) of GATEWAY's log \\(hash [0-9a-f]{12}…\\) in its entry \\d+, the log ends at entry ${witnessed - 2}$`, 'm'),
      );
      // The nodes' own logs are intact (the XK tail of the first test aside, which --party XK reports on its own).
      expect(all.out).toMatch(/^MK: OK: \d+ entries/m);
      const one = await audit(['verify', '--party', 'MK', '--data-dir', dataDir]);
      expect(one.code, one.out).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a deleted tail written over by later traffic: the first entry that differs from its witness', async () => {
    const mk = hub.nodes.get('MK')!.database;
    // The gateway's tail went in the test before: a read has the gateway witness MK's head again.
    expect((await hub.query('mk-border-officer', alertsQuery)).errors).toBeUndefined();
    const witnessed = await highestWitnessed(hub.hubDatabase.name, 'MK');
    expect(witnessed).toBeGreaterThan(1);
    await deleteTail(mk.url, witnessed);
    // The node goes on: its next entries take the deleted numbers, with other content.
    const read = await hub.query('mk-border-officer', alertsQuery);
    expect(read.errors).toBeUndefined();
    const caught = await audit(verifyArgs(hub, 'MK'));
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(
      new RegExp(`^FAILED at entry ${witnessed}: entry ${witnessed} does not match the head GATEWAY witnessed in its entry \\d+ \\([0-9a-f]{12}…\\): history was rewritten in entries \\d+ to ${witnessed} \\(the witnessed head of entry \\d+ matches\\)\\n$`),
    );
  });
});
