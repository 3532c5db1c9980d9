import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import { createGateway, tooManyConnectionsCloseCode, type Gateway, type GatewayConfig } from '../src/gateway/createGateway.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, purposeHeaders, startTestHub, testPurpose, type TestHub } from './helpers.ts';
import { subscribe, type Subscriber } from './hitSubscriber.ts';

// Gateways as separate processes would run them: each its own createGateway
// on the same hub database, none sharing memory with another. The test hub's
// own gateway follows no feed here, so what these gateways deliver comes
// from their own following.

const createWatch = /* GraphQL */ `mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

describe('hits across gateway processes', () => {
  let hub: TestHub;
  const running = new Set<Gateway>();
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ nodeTimeoutMs: 10_000, gateway: { followFeeds: false } });
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
    for (const gateway of running) await gateway.stop();
    await hub?.[Symbol.asyncDispose]();
  });

  const startGateway = async (options: Partial<GatewayConfig> = {}) => {
    const gateway = createGateway({
      ...options,
      trustList: hub.trustList,
      databaseUrl: hub.hubDatabase.applicationUrl,
      nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
      signer: hub.keys.gateway,
      auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
      graphiql: false,
      feedWaitMs: 1_000,
      subscriptionPollMs: 500,
    });
    running.add(gateway);
    return { gateway, url: await gateway.start() };
  };
  const stopGateway = async (gateway: Gateway) => {
    running.delete(gateway);
    await gateway.stop();
  };
  const connect = async (url: URL, user: DemoUserName, variables: Record<string, unknown> = {}) => {
    const subscriber = subscribe(url, { authorization: `Bearer ${await hub.token(user)}`, ...testPurpose }, undefined, variables);
    subscribers.push(subscriber);
    return subscriber;
  };
  const watchPlate = async (user: DemoUserName, plate: string) => {
    const result = await hub.query(user, createWatch, { input: { plate, plateCountry: 'XK', expiresAt: inDays(30) } });
    expect(result.errors).toBeUndefined();
  };
  const seize = async (plate: string, title = 'Rifle parts under the floor of a van') => {
    const input = alertInput({ title, firearms: [], subjects: [], vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }] });
    const result = await hub.query('xk-border-officer', createAlertMutation, { input });
    expect(result.errors).toBeUndefined();
    return result.data!.createAlert.id as string;
  };
  const xkPosition = async () =>
    Number((await adminQuery(hub.hubDatabase.name, `select seq from hub.feed_position where source = 'XK'`))[0]?.seq ?? 0);

  it('loses no hit when the gateway is stopped during a burst and started again', async () => {
    const plate = 'GW-100-RS';
    await watchPlate('mk-border-officer', plate);
    const first = await startGateway();
    const before = await connect(first.url, 'mk-border-officer');
    const burst = [await seize(plate, 'Burst 0'), await seize(plate, 'Burst 1')];
    const seen = await before.waitFor(1);
    await stopGateway(first.gateway);
    const stoppedAt = await xkPosition();
    for (let index = 2; index < 6; index++) burst.push(await seize(plate, `Burst ${index}`));
    // Nobody followed XK's feed meanwhile: the hub database still says where the stopped gateway stood.
    expect(await xkPosition()).toBe(stoppedAt);

    const second = await startGateway();
    const last = before.events.at(-1);
    const after = await connect(second.url, 'mk-border-officer', { after: last.cursor });
    const rest = await after.waitFor(burst.length - before.events.length);
    expect([...before.events, ...rest].map((hit) => hit.alert.id)).toEqual(burst);
    expect(seen[0].alert.id).toBe(burst[0]);
    expect(await xkPosition()).toBeGreaterThan(stoppedAt);
  });

  it('two gateways on one hub database each deliver to their own subscribers every hit meant for them, and only those', async () => {
    const a = await startGateway();
    const b = await startGateway();
    await watchPlate('mk-border-officer', 'GW-200-RS');
    await watchPlate('mk-duty-officer', 'GW-300-RS');
    const borderOnA = await connect(a.url, 'mk-border-officer');
    const borderOnB = await connect(b.url, 'mk-border-officer');
    const dutyOnB = await connect(b.url, 'mk-duty-officer');

    const border1 = await seize('GW-200-RS');
    const duty = await seize('GW-300-RS');
    const border2 = await seize('GW-200-RS');

    for (const subscriber of [borderOnA, borderOnB]) {
      expect((await subscriber.waitFor(2)).map((hit) => hit.alert.id)).toEqual([border1, border2]);
    }
    expect((await dutyOnB.waitFor(1)).map((hit) => hit.alert.id)).toEqual([duty]);
    // One of them followed XK's feed (its lease); the hub database took each event once.
    const taken = await adminQuery(hub.hubDatabase.name, `select source, seq, count(*)::int as n from hub.feed_event group by 1, 2 having count(*) > 1`);
    expect(taken).toEqual([]);
    expect(borderOnA.events.every((hit) => hit.owner.code === 'XK')).toBe(true);
    expect(demoUsers['mk-duty-officer'].unit).not.toBe(demoUsers['mk-border-officer'].unit);
  });

  it('limits the connections one officer holds across gateway processes, sockets and server-sent events alike, and logs each refusal', async () => {
    // An officer of their own: the places are counted in the hub database, over every gateway on it.
    const claims = { sub: 'mk.caps.officer', agency: 'MK', unit: demoUsers['mk-border-officer'].unit, roles: ['officer'] } as const;
    const a = await startGateway({ maxConnectionsPerOfficer: 2 });
    const b = await startGateway({ maxConnectionsPerOfficer: 2 });
    const open = async (url: URL) => {
      const subscriber = subscribe(url, { authorization: `Bearer ${await hub.token({ ...claims, roles: [...claims.roles] })}`, ...testPurpose });
      subscribers.push(subscriber);
      return subscriber;
    };
    const sse = async (url: URL) => {
      const controller = new AbortController();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${await hub.token({ ...claims, roles: [...claims.roles] })}`, ...purposeHeaders() },
        body: JSON.stringify({ query: 'subscription Capped { hits { cursor } }' }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      return { controller, reader };
    };
    const onA = await open(a.url);
    await onA.connected;
    const onB = await open(b.url);
    await onB.connected;
    // A third, on either process, by either transport, is refused.
    const third = await open(a.url);
    expect(await third.closed).toMatchObject({ code: tooManyConnectionsCloseCode });
    const stream = await sse(b.url);
    let text = '';
    while (!text.includes('event: complete')) {
      const { value, done } = await stream.reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const refusal = JSON.parse(/event: next\ndata: (.*)/.exec(text)![1]!);
    expect(refusal.errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toEqual(['TOO_MANY_CONNECTIONS']);
    // Another officer is not held back by it.
    const other = await connect(a.url, 'mk-duty-officer');
    await other.connected;
    // A socket that closes gives its place back (once the server has seen it close), to either process.
    await onA.dispose();
    let again = await open(b.url);
    for (let attempt = 0; attempt < 50 && (await Promise.race([again.connected.then(() => true), again.closed.then(() => false)])) === false; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await open(b.url);
    }
    await again.connected;
    // Each refusal has its DENIAL entry; wait for them rather than assume when they land.
    const refused = () =>
      adminQuery(hub.hubDatabase.name, `select details from audit.entry where kind = 'DENIAL' and error_code = 'TOO_MANY_CONNECTIONS' and (details->>'claimedSubject' like $1 or actor_sub = $2)`, [
        `${claims.sub} %`,
        claims.sub,
      ]);
    let refusals = await refused();
    for (const deadline = Date.now() + 30_000; refusals.length < 2 && Date.now() < deadline; refusals = await refused()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    await Promise.all([a, b].map(({ gateway }) => stopGateway(gateway)));
    // A stopped gateway gives back every place it held.
    expect(await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from hub.live_connection where officer like $1`, [`% ${claims.sub}`])).toEqual([{ n: 0 }]);
  });
});
