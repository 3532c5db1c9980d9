import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement as committedAgreement, type ExchangeAgreement } from '../src/consent/agreement.ts';
import { demoUsers } from '../src/demo/demoUsers.ts';
import { mintGatewayServiceCredential } from '../src/identity/gatewayCredential.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, graphql, startTestHub, testPurpose, waitUntil, type TestHub } from './helpers.ts';
import { subscribe, type Subscriber } from './hitSubscriber.ts';

// Issue 19: feeds that do not grow forever. A job of the hub database prunes
// the events older than the agreement's retention, at each node (up to what
// the gateway has taken) and in the hub's feed, and the hits of ended watch
// entries; a cursor from before what is kept answers CURSOR_EXPIRED, saying
// how to resync; subscribing without a cursor does not read the feed at all.

const createWatch = /* GraphQL */ `mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
const removeWatch = /* GraphQL */ `mutation Remove($id: ID!) { removeWatchEntry(id: $id) { status } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
// A hub whose agreement keeps events a week, not the committed 30 days: the jobs keep what the agreement in force says.
const agreement: ExchangeAgreement = { ...committedAgreement, events: { ...committedAgreement.events, retentionDays: 7 } };
const beyondRetention = `${agreement.events.retentionDays + 1} days`;
const hitsQuery = 'subscription Hits($after: String) { hits(after: $after) { cursor alert { id } } }';

let counter = 0;
const uniquePlate = () => `FR-${String(++counter).padStart(3, '0')}-${process.pid % 100}`;

describe('event feeds kept for the agreement’s retention', () => {
  let hub: TestHub;
  const sockets: Subscriber[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ agreement, nodeTimeoutMs: 10_000, gateway: { feedWaitMs: 1_000, subscriptionPollMs: 500, feedRetentionIntervalMs: 300, maxConnectionsPerOfficer: 100 } });
  });
  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await hub?.[Symbol.asyncDispose]();
  });

  const xk = () => hub.nodes.get('XK')!.database.name;
  const overSocket = async (user: 'mk-border-officer' | 'mk-duty-officer', variables: Record<string, unknown> = {}) => {
    const socket = subscribe(hub.gatewayUrl, { authorization: `Bearer ${await hub.token(user)}`, ...testPurpose }, hitsQuery, variables);
    sockets.push(socket);
    return socket;
  };
  const subscriptionsOf = async (user: 'mk-border-officer' | 'mk-duty-officer') =>
    (await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where actor_sub = $1 and details->>'subscription' = 'hits' and details ? 'from'`, [demoUsers[user].sub]))[0]!
      .n as number;
  const watch = async (user: 'mk-border-officer' | 'mk-duty-officer', plate: string) => {
    const result = await hub.query(user, createWatch, { input: { plate, plateCountry: 'XK', expiresAt: inDays(30) } });
    expect(result.errors).toBeUndefined();
    return result.data!.createWatchEntry.id as string;
  };
  const seize = async (plate: string) => {
    const result = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ firearms: [], subjects: [], vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }] }) });
    expect(result.errors).toBeUndefined();
    return result.data!.createAlert as { id: string; localId: string };
  };
  /** As if the retention had passed for these alerts' events: at the node and in the hub's feed. */
  const age = async (alertIds: readonly string[]) => {
    await adminQuery(xk(), `update node.event set at = now() - interval '${beyondRetention}' where alert_id = any($1::uuid[])`, [alertIds]);
    await adminQuery(hub.hubDatabase.name, `update hub.feed_event set at = now() - interval '${beyondRetention}' where record_id = any($1)`, [alertIds]);
  };
  const kept = async (alertIds: readonly string[]) => ({
    node: (await adminQuery(xk(), `select count(*)::int as n from node.event where alert_id = any($1::uuid[])`, [alertIds]))[0]!.n as number,
    hub: (await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from hub.feed_event where record_id = any($1)`, [alertIds]))[0]!.n as number,
  });

  it('prunes what the retention no longer keeps, at the node and in the hub’s feed, logged at both, and answers CURSOR_EXPIRED to a cursor from before', async () => {
    const plate = uniquePlate();
    await watch('mk-border-officer', plate);
    const live = await overSocket('mk-border-officer');
    await waitUntil('the subscription in place', async () => (await subscriptionsOf('mk-border-officer')) >= 1);
    const old = [await seize(plate), await seize(plate)];
    const [first, second] = await live.waitFor(2);
    // Another unit's event, pruned too: it does not expire this unit's cursors.
    const otherPlate = uniquePlate();
    await watch('mk-duty-officer', otherPlate);
    const other = await seize(otherPlate);
    await waitUntil('the other unit’s event in the hub’s feed', async () => (await kept([other.localId])).hub === 1);

    await age([...old, other].map((alert) => alert.localId));
    await waitUntil('the old events pruned everywhere', async () => {
      const { node, hub: inHub } = await kept([...old, other].map((alert) => alert.localId));
      return node === 0 && inHub === 0;
    });

    // From before a pruned event of the unit: refused, with how to resync. After it: accepted, and resumes exactly.
    const expired = await overSocket('mk-border-officer', { after: first.cursor });
    await expired.ended;
    expect(expired.graphqlErrors().map((error) => error.extensions?.code)).toEqual(['CURSOR_EXPIRED']);
    expect(expired.graphqlErrors()[0]!.message).toMatch(/Subscribe again without a cursor/);
    const next = await seize(plate);
    const resumed = await overSocket('mk-border-officer', { after: second.cursor });
    expect((await resumed.waitFor(1)).map((hit) => hit.alert.id)).toEqual([next.id]);
    const fresh = await overSocket('mk-border-officer');
    await waitUntil('both in place', async () => (await subscriptionsOf('mk-border-officer')) >= 3);
    const later = await seize(plate);
    expect((await fresh.waitFor(1)).map((hit) => hit.alert.id)).toEqual([later.id]);

    // Each pruning that removed something is a change in the pruning party's own log.
    const [gatewayEntry] = await adminQuery(hub.hubDatabase.name, `select details from audit.entry where kind = 'CHANGE' and details ? 'feedPruned' order by seq limit 1`);
    expect(gatewayEntry!.details.feedPruned.events).toBeGreaterThanOrEqual(3);
    const [nodeEntry] = await adminQuery(xk(), `select details from audit.entry where kind = 'CHANGE' and details ? 'feedPruned' order by seq limit 1`);
    expect(nodeEntry!.details.feedPruned.events).toBeGreaterThanOrEqual(3);
    // The node's feed itself: reading from before what it keeps is refused, not answered with a gap.
    const service = await mintGatewayServiceCredential(hub.keys.gateway, 'XK');
    const feed = await graphql(hub.nodes.get('XK')!.url, '{ eventFeed(after: 0) { head } }', {}, { token: service, purpose: null, caseReference: null });
    expect(feed.errors?.map((error) => error.extensions?.code)).toEqual(['CURSOR_EXPIRED']);
  });

  it('forgets the hits of removed and expired watch entries on the same schedule, and keeps those of active ones', async () => {
    const [removedPlate, expiredPlate, activePlate] = [uniquePlate(), uniquePlate(), uniquePlate()];
    const removed = await watch('mk-border-officer', removedPlate);
    await watch('mk-border-officer', expiredPlate);
    await watch('mk-border-officer', activePlate);
    const alerts = [await seize(removedPlate), await seize(expiredPlate), await seize(activePlate)];
    const hitsOf = async (plate: string) =>
      (await adminQuery(xk(), `select count(*)::int as n from node.watch_hit h join node.watch_entry w on w.id = h.watch_entry_id where w.label like $1`, [`${plate}%`]))[0]!.n as number;
    for (const plate of [removedPlate, expiredPlate, activePlate]) expect(await hitsOf(plate)).toBe(1);
    expect((await hub.query('mk-border-officer', removeWatch, { id: removed })).errors).toBeUndefined();
    await adminQuery(xk(), `update node.watch_entry set expires_at = now() - interval '1 minute' where label like $1`, [`${expiredPlate}%`]);
    await waitUntil('the ended entries’ hits forgotten', async () => (await hitsOf(removedPlate)) === 0 && (await hitsOf(expiredPlate)) === 0);
    expect(await hitsOf(activePlate)).toBe(1);
    // Their events are the feed's: kept for the retention like any.
    expect((await kept(alerts.map((alert) => alert.localId))).node).toBe(3);
  });

  it('subscribes without a cursor without reading the feed at all', async () => {
    const before = await subscriptionsOf('mk-duty-officer');
    await adminQuery(hub.hubDatabase.name, 'revoke select on hub.feed_event from hub_app');
    try {
      const socket = await overSocket('mk-duty-officer');
      await waitUntil('the subscription in place', async () => (await subscriptionsOf('mk-duty-officer')) > before);
      expect(socket.graphqlErrors()).toEqual([]);
    } finally {
      await adminQuery(hub.hubDatabase.name, 'grant select on hub.feed_event to hub_app');
    }
  });
});
