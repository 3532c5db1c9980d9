import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { writeRunningHub } from '../src/hub/runningHub.ts';
import { parse, validate } from 'graphql';
import pg from 'pg';
import { gatewaySchema } from '../src/gateway/schema/index.ts';
import { hitsDocument, runSubscribeCommand } from '../src/realtime/runSubscribeCommand.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/verifyAuditChain.ts';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import { createAlertMutation, alertInput } from './fixtures.ts';
import { adminQuery, graphql, purposeHeaders, startTestHub, testPurpose, webSocketUrl, type TestHub } from './helpers.ts';
import { mintGatewayCredential, mintGatewayServiceCredential } from '../src/identity/gatewayCredential.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { cursorPositions, subscribe, type Subscriber } from './hitSubscriber.ts';

const createWatch = /* GraphQL */ `
  mutation Watch($input: WatchEntryInput!) {
    createWatchEntry(input: $input) { id kind label unitCode purpose caseReference status expiresAt owner { code } }
  }
`;
const removeWatch = /* GraphQL */ `mutation Remove($id: ID!) { removeWatchEntry(id: $id) { id status removedAt } }`;
const setPolicy = /* GraphQL */ `
  mutation Policy($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }
`;

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
let counter = 0;
/** A plate no other test uses. */
const uniquePlate = () => `WT-${String(++counter).padStart(3, '0')}-${process.pid % 100}`;

describe('real-time hits', () => {
  let hub: TestHub;
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    // Each test keeps its subscribers open until the end: room for all of them.
    hub = await startTestHub({ gateway: { feedWaitMs: 1_000, subscriptionPollMs: 500, maxConnectionsPerOfficer: 100 } });
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
    await hub?.[Symbol.asyncDispose]();
  });

  const connect = async (user: DemoUserName, variables: Record<string, unknown> = {}, url = hub.gatewayUrl, expiresIn = '1h') => {
    const subscriber = subscribe(url, { authorization: `Bearer ${await hub.token(user, expiresIn)}`, ...testPurpose }, undefined, variables);
    subscriber.sub = demoUsers[user].sub;
    subscribers.push(subscriber);
    return subscriber;
  };

  const watch = async (user: DemoUserName, input: Record<string, unknown>) => {
    const result = await hub.query(user, createWatch, { input: { expiresAt: inDays(30), ...input } });
    expect(result.errors).toBeUndefined();
    return result.data!.createWatchEntry;
  };

  /** An XK seizure of a car with this plate (and the fixture's other identifiers unless overridden). */
  const seize = async (overrides: Record<string, unknown> = {}, user: DemoUserName = 'xk-border-officer') => {
    const result = await hub.query(user, createAlertMutation, { input: alertInput(overrides) });
    expect(result.errors).toBeUndefined();
    return result.data!.createAlert;
  };
  const car = (plate: string) => ({ vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK', make: 'Audi', model: 'A4' }] });
  const noIdentifiers = { firearms: [], subjects: [], vehicles: [] };

  it('delivers an XK seizure to the MK unit watching its plate, at the tier XK gives MK, and nothing for a record at NONE', async () => {
    const hidden = uniquePlate();
    const shown = uniquePlate();
    // A record XK withholds from MK (rule at NONE), seized before MK watches its plate.
    const secret = await seize({ ...noIdentifiers, ...car(hidden) });
    const policy = await hub.query('xk-border-officer', setPolicy, {
      id: secret.id,
      input: { rules: [{ partnerAgency: 'MK', tier: 'NONE', purposes: [testPurpose.purpose], expiresAt: inDays(30) }] },
    });
    expect(policy.errors).toBeUndefined();

    const subscriber = await connect('mk-border-officer');
    await watch('mk-border-officer', { plate: hidden, plateCountry: 'XK' });
    const entry = await watch('mk-border-officer', { plate: shown.toLowerCase().replaceAll('-', ' '), plateCountry: 'XK' });
    expect(entry).toMatchObject({ kind: 'VEHICLE_PLATE', unitCode: demoUsers['mk-border-officer'].unit, status: 'ACTIVE', owner: { code: 'MK' } });

    const seizure = await seize({ ...noIdentifiers, ...car(shown) });
    const [hit] = await subscriber.waitFor(1);
    // The first hit is the visible one: the NONE record, matched earlier, produced nothing.
    expect(hit).toMatchObject({
      watchEntryId: entry.id,
      matchedOn: 'PLATE',
      // The plate is personal data (FULL): at HIT, MK learns that it matched exactly, not a score.
      match: 'EXACT',
      score: null,
      retro: false,
      owner: { code: 'XK' },
      alert: {
        id: seizure.id,
        reference: seizure.reference,
        access: { tier: 'HIT', basis: 'DEFAULT_POLICY', purpose: testPurpose.purpose, caseReference: testPurpose.caseReference },
        summary: null,
        personalData: null,
      },
    });
    const stored = await adminQuery(hub.nodes.get('XK')!.database.name, `select count(*)::int as n from node.event where alert_id = $1`, [secret.localId]);
    expect(stored[0]!.n).toBe(0);
  });

  it('reports a hit on a record that existed before the watch entry as retro', async () => {
    const plate = uniquePlate();
    const existing = await seize({ ...noIdentifiers, ...car(plate) });
    const subscriber = await connect('mk-border-officer');
    const entry = await watch('mk-border-officer', { plate, plateCountry: 'XK' });
    const [hit] = await subscriber.waitFor(1);
    expect(hit).toMatchObject({ watchEntryId: entry.id, retro: true, alert: { id: existing.id, reference: existing.reference } });
  });

  it('meets a person across Latin and Cyrillic spellings, and a date of birth that differs does not', async () => {
    const subscriber = await connect('mk-border-officer');
    const entry = await watch('mk-border-officer', { person: { familyName: 'Џафери', givenName: 'Арбен', dateOfBirth: '1990-03-04' } });
    const person = (dateOfBirth: string) => ({
      ...noIdentifiers,
      subjects: [{ role: 'SUSPECT', familyName: 'Xhaferi', givenName: 'Arben', dateOfBirth, nationality: 'XK', documents: [] }],
    });
    await seize(person('1990-03-05'));
    const match = await seize(person('1990-03-04'));
    const [hit] = await subscriber.waitFor(1);
    // The first hit is the right date of birth: the other, recorded earlier, did not hit.
    expect(hit).toMatchObject({ watchEntryId: entry.id, matchedOn: 'PERSON', match: 'EXACT', alert: { id: match.id } });
  });

  it('hits a serial with one obliterated character, and not its neighbour in the production run', async () => {
    const subscriber = await connect('mk-border-officer');
    const entry = await watch('mk-border-officer', { serialNumber: 'CZ-75-B 902144', make: 'CZ' });
    const pistol = (serialNumber: string, serialObliterated: boolean) => ({
      ...noIdentifiers,
      firearms: [{ make: 'CZ', model: '75 B', type: 'PISTOL', calibre: '9×19 mm', serialNumber, serialObliterated }],
    });
    // Intact, one digit off: another pistol of the same run.
    await seize(pistol('CZ75B902145', false));
    // One character ground off and recorded as unreadable.
    const worn = await seize(pistol('CZ75B90 144', true));
    const [hit] = await subscriber.waitFor(1);
    expect(hit).toMatchObject({ watchEntryId: entry.id, matchedOn: 'SERIAL_NUMBER', match: 'SIMILAR', alert: { id: worn.id } });
  });

  it('resumes from a cursor with exactly the hits missed, in order, without duplicates', async () => {
    const plate = uniquePlate();
    await watch('mk-border-officer', { plate, plateCountry: 'XK' });
    const first = await connect('mk-border-officer');
    const before = await seize({ ...noIdentifiers, ...car(plate) });
    const [seen] = await first.waitFor(1);
    expect(seen.alert.id).toBe(before.id);
    await first.dispose();

    const missed = [];
    for (let index = 0; index < 3; index++) missed.push(await seize({ ...noIdentifiers, ...car(plate), title: `Missed ${index}` }));
    const resumed = await connect('mk-border-officer', { after: seen.cursor });
    const replayed = await resumed.waitFor(3);
    expect(replayed.map((hit) => hit.alert.id)).toEqual(missed.map((alert) => alert.id));
    // And then the stream goes on: the next hit is the next one, no repeat of the three.
    const next = await seize({ ...noIdentifiers, ...car(plate) });
    const four = await resumed.waitFor(4);
    expect(four.map((hit) => hit.alert.id)).toEqual([...missed, next].map((alert) => alert.id));
  });

  it('delivers with the consent in force at delivery: a grant raises the next delivery, its revocation lowers it', async () => {
    const plate = uniquePlate();
    await watch('mk-border-officer', { plate, plateCountry: 'XK' });
    const live = await connect('mk-border-officer');
    await seize({ ...noIdentifiers, ...car(plate), title: 'Earlier seizure' });
    const later = await seize({ ...noIdentifiers, ...car(plate) });
    const [earlier, atHit] = await live.waitFor(2);
    expect(atHit.alert).toMatchObject({ id: later.id, access: { tier: 'HIT' }, personalData: null });

    const asked = await hub.query('mk-border-officer', `mutation($input: ConsentRequestInput!) { requestConsent(input: $input) { id } }`, {
      input: { alertId: later.id, tier: 'FULL', justification: 'The car is part of our investigation.' },
    });
    expect(asked.errors).toBeUndefined();
    const decided = await hub.query('xk-duty-officer', `mutation($id: ID!, $input: ConsentDecisionInput!) { decideConsentRequest(id: $id, input: $input) { grant { id } } }`, {
      id: asked.data!.requestConsent.id,
      input: { decision: 'GRANT', tier: 'FULL', expiresAt: inDays(10), reason: 'Joint case.' },
    });
    expect(decided.errors).toBeUndefined();
    const grantId = decided.data!.decideConsentRequest.grant.id;

    // The same hit, delivered again from the earlier cursor, now carries what the grant releases.
    const granted = await connect('mk-border-officer', { after: earlier.cursor });
    const [full] = await granted.waitFor(1);
    expect(full.alert).toMatchObject({ id: later.id, access: { tier: 'FULL', basis: 'GRANT', grantId }, personalData: { vehicles: [{ plate }] } });

    const revoked = await hub.query('xk-duty-officer', `mutation($id: ID!) { revokeConsentGrant(id: $id, reason: "Case closed.") { revokedAt } }`, { id: grantId });
    expect(revoked.errors).toBeUndefined();
    const after = await connect('mk-border-officer', { after: earlier.cursor });
    const [back] = await after.waitFor(1);
    expect(back.alert).toMatchObject({ id: later.id, access: { tier: 'HIT', basis: 'DEFAULT_POLICY' }, personalData: null });
  });

  it('stops matching and delivering a removed watch entry at once, at every node', async () => {
    const removedPlate = uniquePlate();
    const controlPlate = uniquePlate();
    const subscriber = await connect('mk-border-officer');
    const entry = await watch('mk-border-officer', { plate: removedPlate, plateCountry: 'XK' });
    await watch('mk-border-officer', { plate: controlPlate, plateCountry: 'XK' });
    const before = await seize({ ...noIdentifiers, ...car(removedPlate) });
    await subscriber.waitFor(1);
    // Only the unit's own officers remove it; to others it does not exist.
    const foreign = await hub.query('xk-border-officer', removeWatch, { id: entry.id });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const removed = await hub.query('mk-border-officer', removeWatch, { id: entry.id });
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeWatchEntry.status).toBe('REMOVED');

    await seize({ ...noIdentifiers, ...car(removedPlate) });
    const control = await seize({ ...noIdentifiers, ...car(controlPlate) });
    const [first, second] = await subscriber.waitFor(2);
    expect([first.alert.id, second.alert.id]).toEqual([before.id, control.id]);
    for (const node of hub.nodes.values()) {
      const rows = await adminQuery(node.database.name, `select removed_at from node.watch_entry where label like $1`, [`${removedPlate}%`]);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.removed_at).not.toBeNull();
    }
    // A replay from before the removal delivers nothing of it either: the owner's node withholds it.
    const replay = await connect('mk-border-officer', { after: first.cursor });
    const [replayed] = await replay.waitFor(1);
    expect(replayed.alert.id).toBe(control.id);
  });

  it('delivers hits over server-sent events too, for clients that cannot hold a socket', async () => {
    const plate = uniquePlate();
    await watch('mk-border-officer', { plate, plateCountry: 'XK' });
    const controller = new AbortController();
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${await hub.token('mk-border-officer')}`,
        ...purposeHeaders(),
      },
      body: JSON.stringify({ query: 'subscription OverSse { hits { cursor alert { id access { tier } } } }' }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    // The consultation entry is written before the stream starts: then the seizure happens.
    const seizure = seize({ ...noIdentifiers, ...car(plate) });
    let text = '';
    while (!text.includes('"hits"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const data = JSON.parse(/data: (.*)/.exec(text.slice(text.indexOf('event: next')))![1]!);
    expect(data.data.hits.alert).toEqual({ id: (await seizure).id, access: { tier: 'HIT' } });
  });

  /** Runs `hub subscribe` with these options until it prints a hit on a seizure it watches; its exit code and first line. */
  const firstHitOfSubscribeCommand = async (options: string[], env: NodeJS.ProcessEnv = process.env) => {
    const plate = uniquePlate();
    await watch('mk-border-officer', { plate, plateCountry: 'XK' });
    const lines: string[] = [];
    const out = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const controller = new AbortController();
    const args = [...options, '--token', await hub.token('mk-border-officer'), '--purpose', testPurpose.purpose, '--case-reference', testPurpose.caseReference];
    // The subscription is in place once its consultation entry is written.
    const subscribed = async () =>
      (await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where operation = 'subscription Hits'`))[0]!.n;
    const before = await subscribed();
    const exited = runSubscribeCommand(args, { out, env, signal: controller.signal });
    const until = async (done: () => Promise<boolean> | boolean) => {
      for (const deadline = Date.now() + 30_000; !(await done()) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    await until(async () => (await subscribed()) > before);
    const seizure = await seize({ ...noIdentifiers, ...car(plate) });
    await until(() => lines.length > 0);
    controller.abort();
    return { seizure, exit: await exited, line: lines[0] };
  };

  it('prints hits as JSON lines from `hub subscribe`, the walk-through of the README', async () => {
    expect(validate(gatewaySchema, parse(hitsDocument().document))).toEqual([]);
    const { seizure, exit, line } = await firstHitOfSubscribeCommand(['--url', webSocketUrl(hub.gatewayUrl)]);
    expect(exit).toBe(0);
    expect(JSON.parse(line!)).toMatchObject({ alert: { reference: seizure.reference, owner: { code: 'XK' }, access: { tier: 'HIT' } }, match: 'EXACT' });
  });

  it('`hub subscribe` without --url dials the hub npm start runs in DATA_DIR, whatever its port', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-subscribe-'));
    try {
      // As npm start leaves it (this process stands in for the hub's): this hub listens on a free port, not 4000.
      await writeRunningHub(dataDir, { pid: process.pid, gatewayUrl: hub.gatewayUrl.href, trustList: '', parties: {} });
      const { seizure, exit, line } = await firstHitOfSubscribeCommand([], { DATA_DIR: dataDir });
      expect(exit).toBe(0);
      expect(JSON.parse(line!)).toMatchObject({ alert: { reference: seizure.reference }, match: 'EXACT' });
      // No hub there: said, not a connection refused on some port.
      const err: string[] = [];
      const none = await runSubscribeCommand(['--token', 't', '--purpose', 'BORDER_CHECK'], {
        err: new Writable({ write: (chunk, _encoding, done) => (err.push(String(chunk)), done()) }),
        env: { DATA_DIR: join(dataDir, 'elsewhere') },
      });
      expect([none, err.join('')]).toEqual([2, `no running hub found in ${join(dataDir, 'elsewhere')}: start one with npm start (same DATA_DIR), or give --url\n`]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("keeps the feed and the officers' fields apart: the service credential opens only the feed, an officer never the feed", async () => {
    const node = hub.nodes.get('XK')!;
    const service = await mintGatewayServiceCredential(hub.keys.gateway, 'XK');
    const feed = await graphql(node.url, '{ eventFeed(after: 0, first: 1) { head events { seq recipientAgency alertId } } }', {}, { token: service, purpose: null, caseReference: null });
    expect(feed.errors).toBeUndefined();
    expect(feed.data!.eventFeed).toMatchObject({ head: expect.any(Number), events: expect.any(Array) });
    const alerts = await graphql(node.url, '{ alerts(first: 1) { totalCount } }', {}, { token: service });
    expect(alerts.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Another node's service credential is not this node's.
    const forMk = await mintGatewayServiceCredential(hub.keys.gateway, 'MK');
    const wrongNode = await graphql(node.url, '{ eventFeed(after: 0) { head } }', {}, { token: forMk, purpose: null, caseReference: null });
    expect(wrongNode.errors?.[0]?.extensions?.code).toBe('GATEWAY_CREDENTIAL_INVALID');
    // An officer, even through the gateway's officer-bound credential, does not read the feed.
    const officerToken = await hub.token('mk-border-officer');
    const asOfficer = await graphql(node.url, '{ eventFeed(after: 0) { head } }', {}, {
      token: await mintGatewayCredential(hub.keys.gateway, 'XK', officerToken),
      headers: { [officerTokenHeader]: officerToken },
    });
    expect(asOfficer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('closes the socket when the token expires', async () => {
    const subscriber = await connect('mk-border-officer', {}, hub.gatewayUrl, '2s');
    const closed = await subscriber.closed;
    expect(closed).toEqual({ code: 4403, reason: 'Token expired' });
  });

  it('refuses an unauthenticated subscription with the protocol close code, and logs the refusal', async () => {
    const anonymous = subscribe(hub.gatewayUrl, { ...testPurpose });
    subscribers.push(anonymous);
    expect((await anonymous.closed).code).toBe(4403);
    expect(anonymous.events).toEqual([]);
    const forged = subscribe(hub.gatewayUrl, { authorization: 'Bearer not-a-token', ...testPurpose });
    subscribers.push(forged);
    expect((await forged.closed).code).toBe(4403);
    const denials = await adminQuery(
      hub.hubDatabase.name,
      `select error_code, outcome, purpose from audit.entry where kind = 'DENIAL' and error_code in ('TOKEN_MISSING', 'TOKEN_INVALID') order by seq`,
    );
    expect(denials).toEqual([
      { error_code: 'TOKEN_MISSING', outcome: 'DENIED', purpose: testPurpose.purpose },
      { error_code: 'TOKEN_INVALID', outcome: 'DENIED', purpose: testPurpose.purpose },
    ]);
  });

  it('limits the operations one socket runs at once', async () => {
    const token = await hub.token('mk-border-officer');
    const { createClient } = await import('graphql-ws');
    const WebSocket = (await import('ws')).default;
    const client = createClient({ url: webSocketUrl(hub.gatewayUrl), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}`, ...testPurpose } });
    const outcomes: Promise<unknown>[] = [];
    for (let index = 0; index < 11; index++) {
      outcomes.push(
        new Promise((resolve) => {
          client.subscribe({ query: 'subscription { hits { cursor } }' }, { next: () => {}, error: resolve, complete: () => resolve(null) });
        }),
      );
    }
    const refused = (await Promise.race(outcomes)) as { message: string; extensions?: { code?: string } }[];
    expect(refused[0]!.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    await client.dispose();
  });

  it('logs subscribing as a consultation, every delivery as a disclosure at the owner naming its recipient, and every log verifies', async () => {
    const consultations = await adminQuery(
      hub.hubDatabase.name,
      `select actor_sub, purpose, details from audit.entry where kind = 'CONSULTATION' and operation = 'subscription Hits'`,
    );
    expect(consultations.length).toBeGreaterThan(5);
    expect(consultations[0]).toMatchObject({ actor_sub: demoUsers['mk-border-officer'].sub, purpose: testPurpose.purpose });

    const xk = hub.nodes.get('XK')!.database.name;
    const delivered = subscribers.flatMap((subscriber) => subscriber.events.map((hit) => ({ hit, sub: subscriber.sub })));
    expect(delivered.length).toBeGreaterThan(10);
    for (const { hit, sub } of delivered) {
      const seq = cursorPositions(hit.cursor).XK;
      // The same event delivered twice (a replay) has two entries, each with its own tier.
      const entries = await adminQuery(
        xk,
        `select actor_sub, actor_unit, records, details from audit.entry
          where kind = 'DISCLOSURE' and actor_sub = $1 and (details->'delivery'->>'seq')::int = $2`,
        [sub, seq],
      );
      const entry = entries.find((candidate) => candidate.records[0]?.tier === hit.alert.access.tier);
      expect(entry, `disclosure of event ${seq} to ${sub} at ${hit.alert.access.tier}`).toBeDefined();
      expect(entry!.details.delivery).toMatchObject({ recipient: { agency: 'MK', unit: demoUsers['mk-border-officer'].unit }, purpose: testPurpose.purpose });
      expect(entry!.records).toEqual([expect.objectContaining({ agency: 'XK', id: hit.alert.localId, basis: hit.alert.access.basis })]);
      // And the gateway's consultation entry of the push names the record the client received, at its tier.
      const pushed = await adminQuery(
        hub.hubDatabase.name,
        `select records from audit.entry where kind = 'CONSULTATION' and actor_sub = $1 and details->'delivery'->>'source' = 'XK'
            and (details->'delivery'->>'seq')::int = $2`,
        [sub, seq],
      );
      expect(pushed.map((row) => row.records), `push of event ${seq} to ${sub}`).toContainEqual([
        expect.objectContaining({ agency: 'XK', id: hit.alert.localId, tier: hit.alert.access.tier }),
      ]);
    }
    for (const database of [xk, hub.nodes.get('MK')!.database.name, hub.hubDatabase.name]) {
      const client = new pg.Client({ connectionString: new URL(`/${database}`, hub.nodes.get('XK')!.database.url).href });
      await client.connect();
      try {
        expect(await verifyAuditChain(client)).toMatchObject({ ok: true });
      } finally {
        await client.end();
      }
    }
  });
});
