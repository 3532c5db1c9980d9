import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers } from '../src/demo/demoUsers.ts';
import { createGateway } from '../src/gateway/createGateway.ts';
import type { OfficerClaims } from '../src/identity/mintOfficerToken.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { templateDatabases } from './globalSetup.ts';
import { adminQuery, createTestDatabase, graphql, purposeHeaders, startTestHub, testPurpose, waitUntil, type TestHub } from './helpers.ts';
import { cursorPositions, subscribe, type Subscriber } from './hitSubscriber.ts';

// The subscriptions of one gateway process share one reader of the hub feed
// (hubFeed.ts): over real sockets, many subscribers of several units, a
// subscriber too slow for its buffer, resuming, and consent decided per
// officer when each hit is delivered.

const createWatch = /* GraphQL */ `mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
const setPolicy = /* GraphQL */ `mutation Policy($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
const xkSeq = (hit: { cursor: string }) => cursorPositions(hit.cursor).XK!;

let counter = 0;
const uniquePlate = () => `HS-${String(++counter).padStart(3, '0')}-${process.pid % 100}`;

describe('hits from one feed reader per gateway process', () => {
  let hub: TestHub;
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    // A buffer of one hit per subscription: any burst overflows it, and the subscription reads the durable feed.
    // Bursts of writes on a shared machine: the nodes get time to answer.
    hub = await startTestHub({ nodeTimeoutMs: 10_000, gateway: { feedWaitMs: 1_000, subscriptionPollMs: 500, subscriptionBufferSize: 1, maxConnectionsPerOfficer: 100 } });
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
    await hub?.[Symbol.asyncDispose]();
  });

  const officer = (unit: string, index: number): OfficerClaims => ({ sub: `mk.test.${unit}.${index}`, agency: 'MK', unit, roles: ['officer'] });
  const connect = async (claims: OfficerClaims | 'mk-border-officer', variables: Record<string, unknown> = {}, url = hub.gatewayUrl) => {
    const subscriber = subscribe(url, { authorization: `Bearer ${await hub.token(claims)}`, ...testPurpose }, undefined, variables);
    subscriber.sub = typeof claims === 'string' ? demoUsers[claims].sub : claims.sub;
    subscribers.push(subscriber);
    await subscriber.connected;
    return subscriber;
  };
  const subscribedSoFar = async (database = hub.hubDatabase.name) =>
    (await adminQuery(database, `select count(*)::int as n from audit.entry where operation = 'subscription Hits' and details ? 'from'`))[0]!.n as number;
  /** Subscribed once its consultation entry is written: its start in the feed is fixed. */
  const placed = (count: number, database = hub.hubDatabase.name) => waitUntil('subscriptions in place', async () => (await subscribedSoFar(database)) >= count);
  const watch = async (claims: OfficerClaims | 'mk-border-officer', plate: string) => {
    const result = await graphql(hub.gatewayUrl, createWatch, { input: { plate, plateCountry: 'XK', expiresAt: inDays(30) } }, { token: await hub.token(claims) });
    expect(result.errors).toBeUndefined();
  };
  /** The demo MK officer, watching `plate` and subscribed, in place. */
  const watchingSubscriber = async (plate: string) => {
    await watch('mk-border-officer', plate);
    const before = await subscribedSoFar();
    const subscriber = await connect('mk-border-officer');
    await placed(before + 1);
    return subscriber;
  };
  /** Exactly these alerts' hits, each once, in the XK feed's order. */
  const expectOnceInOrder = (hits: any[], alertIds: readonly string[]) => {
    expect(new Set(hits.map((hit) => hit.alert.id))).toEqual(new Set(alertIds));
    const seqs = hits.map(xkSeq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  };
  const seize = async (plate: string, title = 'Pistols in the spare wheel') => {
    const input = alertInput({ title, firearms: [], subjects: [], vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }] });
    const result = await hub.query('xk-border-officer', createAlertMutation, { input });
    expect(result.errors).toBeUndefined();
    return result.data!.createAlert as { id: string; localId: string };
  };

  it('gives each of many subscribers of several units every hit of its unit once, in feed order, and none of another unit', async () => {
    const units = ['MK-BP-JAZHINCE', 'MK-BP-BELANOVCE', 'MK-CUSTOMS', 'MK-FORENSIC'];
    const plates = units.map(() => uniquePlate());
    for (const [index, unit] of units.entries()) await watch(officer(unit, 0), plates[index]!);
    const before = await subscribedSoFar();
    // Three officers per unit, and one more unit that watches nothing of these.
    const byUnit = await Promise.all(units.map((unit) => Promise.all([0, 1, 2].map((index) => connect(officer(unit, index))))));
    const bystander = await connect(officer('MK-FFP', 0));
    await placed(before + units.length * 3 + 1);

    // Interleaved and partly at once: bursts overflow the one-hit buffers.
    const seized: { id: string; unit: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = await Promise.all(units.map((_unit, index) => seize(plates[index]!, `Round ${round} unit ${index}`)));
      seized.push(...batch.map((alert, index) => ({ id: alert.id, unit: index })));
    }
    for (const [index, subscribersOfUnit] of byUnit.entries()) {
      const expected = seized.filter((alert) => alert.unit === index).map((alert) => alert.id);
      for (const subscriber of subscribersOfUnit) {
        expectOnceInOrder(await subscriber.waitFor(expected.length), expected);
        expect(subscriber.errors).toEqual([]);
      }
    }
    // A last hit for the first unit: every stream is still live, and nothing came twice meanwhile.
    const last = await seize(plates[0]!, 'Last one');
    for (const subscriber of byUnit[0]!) expect((await subscriber.waitFor(4)).map((hit) => hit.alert.id).at(-1)).toBe(last.id);
    for (const subscribersOfUnit of byUnit.slice(1)) for (const subscriber of subscribersOfUnit) expect(subscriber.events).toHaveLength(3);
    expect(bystander.events).toEqual([]);
  });

  it('gives a subscriber behind its buffer every hit of a burst through the durable feed, in order', async () => {
    const plate = uniquePlate();
    const subscriber = await watchingSubscriber(plate);
    const burst = await Promise.all(Array.from({ length: 8 }, (_unused, index) => seize(plate, `Burst ${index}`)));
    expectOnceInOrder(await subscriber.waitFor(burst.length), burst.map((alert) => alert.id));
  });

  it('resumes from a cursor over graphql-ws and over server-sent events with exactly the hits after it', async () => {
    const plate = uniquePlate();
    const first = await watchingSubscriber(plate);
    await seize(plate, 'Seen');
    const [seen] = await first.waitFor(1);
    await first.dispose();
    const missed = [await seize(plate, 'Missed 1'), await seize(plate, 'Missed 2')];

    const resumed = await connect('mk-border-officer', { after: seen.cursor });
    expect((await resumed.waitFor(2)).map((hit) => hit.alert.id)).toEqual(missed.map((alert) => alert.id));

    const controller = new AbortController();
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${await hub.token('mk-border-officer')}`, ...purposeHeaders() },
      body: JSON.stringify({ query: 'subscription Resume($after: String) { hits(after: $after) { cursor alert { id } } }', variables: { after: seen.cursor } }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/event: next/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const pushed = [...text.matchAll(/event: next\ndata: (.*)/g)].map((match) => JSON.parse(match[1]!).data.hits.alert.id);
    expect(pushed).toEqual(missed.map((alert) => alert.id));
  });

  it('decides each officer’s delivery with the consent in force when it is delivered, and logs it at the owner for each', async () => {
    const plate = uniquePlate();
    const control = uniquePlate();
    const unit = demoUsers['mk-border-officer'].unit;
    const colleague = officer(unit, 9);
    await watch('mk-border-officer', plate);
    await watch('mk-border-officer', control);
    const before = await subscribedSoFar();
    const [one, two] = [await connect('mk-border-officer'), await connect(colleague)];
    await placed(before + 2);
    await seize(control, 'Marker');
    const [marker] = await one.waitFor(1);
    await two.waitFor(1);
    await Promise.all([one.dispose(), two.dispose()]);

    // A hit while both are away; then XK withdraws the record from MK before either resumes.
    const hidden = await seize(plate, 'Withdrawn before delivery');
    const policy = await hub.query('xk-border-officer', setPolicy, {
      id: hidden.id,
      input: { rules: [{ partnerAgency: 'MK', tier: 'NONE', purposes: [testPurpose.purpose], expiresAt: inDays(30) }] },
    });
    expect(policy.errors).toBeUndefined();
    const shown = await seize(control, 'Still shared');
    const resumed = [await connect('mk-border-officer', { after: marker.cursor }), await connect(colleague, { after: marker.cursor })];
    for (const subscriber of resumed) {
      const [next] = await subscriber.waitFor(1);
      // The withdrawn record is passed over: the next hit is the one still shared.
      expect(next.alert.id).toBe(shown.id);
    }
    const xk = hub.nodes.get('XK')!.database.name;
    const [event] = await adminQuery(xk, `select seq from node.event where alert_id = $1`, [hidden.localId]);
    for (const sub of [demoUsers['mk-border-officer'].sub, colleague.sub]) {
      const withheld = await waitUntil('withheld delivery logged', async () => {
        const rows = await adminQuery(xk, `select details from audit.entry where actor_sub = $1 and (details->'withheld'->>'seq')::int = $2`, [sub, Number(event!.seq)]);
        return rows[0];
      });
      expect(withheld.details.withheld).toMatchObject({ reason: 'CONSENT_NONE', recipient: { sub, unit } });
    }
  });

  it('leaves no connection to the hub database once stopped, subscriptions, feed reader and feed followers included', async () => {
    // A gateway of its own on a hub database of its own: every connection to it is this gateway's.
    await using database = await createTestDatabase('stop', templateDatabases.hub);
    const connections = async () =>
      (await adminQuery('postgres', `select count(*)::int as n from pg_stat_activity where datname = $1`, [database.name]))[0]!.n as number;
    const gateway = createGateway({
      trustList: hub.trustList,
      databaseUrl: database.applicationUrl,
      nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
      signer: hub.keys.gateway,
      auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
      graphiql: false,
      feedWaitMs: 500,
      subscriptionPollMs: 500,
    });
    const url = await gateway.start();
    const subscriber = await connect('mk-border-officer', {}, url);
    await placed(1, database.name);
    expect(await connections()).toBeGreaterThan(0);
    await gateway.stop();
    expect(await subscriber.closed).toMatchObject({ code: expect.any(Number) });
    await waitUntil('connections closed', async () => (await connections()) === 0);
  });
});
