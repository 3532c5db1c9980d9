import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/database/startEmbeddedPostgres.ts';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import type { Gateway } from '../src/gateway/createGateway.ts';
import { createFeedLeases } from '../src/realtime/feedLeases.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, anotherGateway, createTestDatabase, startTestHub, testPurpose, waitUntil, type TestHub } from './helpers.ts';
import { templateDatabases } from './globalSetup.ts';
import { subscribe, type Subscriber } from './hitSubscriber.ts';

// One follower of each node's feed across the gateway processes of a hub
// database (hub.feed_lease, src/realtime/feedLeases.ts). What the node serves
// is read from its own log: each read of its feed that returned events has an
// entry naming the range (after, last], so an event served to two followers
// lies in two entries' ranges. The test hub's own gateway follows no feed.

const createWatch = /* GraphQL */ `mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
const leaseTtlMs = 2_000;

/** A pino logger whose JSON lines the test reads: what the operator sees. */
function capturingLogger() {
  const lines: { level: number; msg: string; agency?: string; holder?: string; previousHolder?: string }[] = [];
  const sink = new Writable({
    write: (chunk, _encoding, done) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info', base: undefined }, sink), lines };
}

/**
 * A TCP relay to PostgreSQL that can split the network: from then on nothing
 * passes either way and nothing is closed or reset, as when a cable is cut.
 */
async function startSplittableRelay(target: URL) {
  let split = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    if (split) return;
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      from.on('data', (chunk) => void (split || to.write(chunk)));
      from.on('error', () => to.destroy());
      from.on('close', () => split || to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: url.href,
    split: () => void (split = true),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a feed lease holder cut off from the hub database', () => {
  it('stops following once its lease has run out unrenewed, and another process takes the lease', async () => {
    await using database = await createTestDatabase('leases', templateDatabases.hub);
    const relay = await startSplittableRelay(new URL(database.applicationUrl));
    const logger = pino({ level: 'silent' });
    const holder = createFeedLeases({ databaseUrl: relay.url, sources: ['XK'], logger, ttlMs: 1_000 });
    const stopped = new AbortController();
    const term = await holder.hold('XK', stopped.signal);
    const standby = createFeedLeases({ databaseUrl: database.applicationUrl, sources: ['XK'], logger, ttlMs: 1_000 });
    try {
      expect(term?.aborted).toBe(false);
      relay.split();
      // Without the fence the cut-off holder would go on reading the node's feed for as long as the split lasts.
      await waitUntil('the cut-off holder steps back', async () => term!.aborted);
      const taken = await standby.hold('XK', stopped.signal);
      expect(taken?.aborted).toBe(false);
      expect(await adminQuery(database.name, `select holder::text from hub.feed_lease where source = 'XK'`)).toEqual([{ holder: standby.holder }]);
    } finally {
      stopped.abort();
      await relay.stop();
      await Promise.all([holder.stop(), standby.stop()]);
    }
  });
});

describe('one follower per node feed across gateway processes', () => {
  let hub: TestHub;
  const running = new Set<Gateway>();
  const children = new Set<ChildProcess>();
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ nodeTimeoutMs: 10_000, gateway: { followFeeds: false } });
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const gateway of running) await gateway.stop();
    await hub?.[Symbol.asyncDispose]();
  });

  const startGateway = async (logger = pino({ level: 'silent' })) => {
    const gateway = anotherGateway(hub, { graphiql: false, feedWaitMs: 1_000, subscriptionPollMs: 500, feedLeaseTtlMs: leaseTtlMs, logger });
    running.add(gateway);
    return { gateway, url: await gateway.start() };
  };
  /** `hub gateway` in a process of its own, as production runs it, printing its log (JSON lines) for the test. */
  const startGatewayProcess = async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'gateway'], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: hub.hubDatabase.applicationUrl,
        TRUST_LIST: join(hub.keysDir, 'trust-list.json'),
        GATEWAY_SIGNING_KEY: join(hub.keysDir, 'gateway.private.jwk.json'),
        AUDIT_DIGEST_KEY: join(hub.keysDir, 'audit-digest-gateway.secret.jwk.json'),
        AGENCY_NODES: [...hub.nodes].map(([agency, node]) => `${agency}=${node.url.href}`).join(','),
        FEED_LEASE_TTL: `${leaseTtlMs}ms`,
        GRAPHIQL: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    const url = new URL(`http://127.0.0.1:${port}/graphql`);
    await waitUntil('hub gateway ready', async () => {
      if (child.exitCode !== null) throw new Error(`hub gateway exited with ${child.exitCode}:\n${output}`);
      return fetch(new URL('/readyz', url)).then((response) => response.ok, () => false);
    }, 60_000);
    const log = () => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string; agency?: string; holder?: string });
    return { child, url, log };
  };
  const connect = async (url: URL, user: DemoUserName) => {
    const subscriber = subscribe(url, { authorization: `Bearer ${await hub.token(user)}`, ...testPurpose });
    subscribers.push(subscriber);
    await subscriber.connected;
    return subscriber;
  };
  const watchPlate = async (plate: string) => {
    const result = await hub.query('mk-border-officer', createWatch, { input: { plate, plateCountry: 'XK', expiresAt: inDays(30) } });
    expect(result.errors).toBeUndefined();
  };
  const seize = async (plate: string, title: string) => {
    const input = alertInput({ title, firearms: [], subjects: [], vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }] });
    const result = await hub.query('xk-border-officer', createAlertMutation, { input });
    expect(result.errors).toBeUndefined();
    return result.data!.createAlert.id as string;
  };
  const xk = () => hub.nodes.get('XK')!.database.name;
  const xkHolder = async () => (await adminQuery<{ holder: string }>(hub.hubDatabase.name, `select holder::text from hub.feed_lease where source = 'XK'`))[0]?.holder;
  /** How many of the XK node's feed reads served the events of these hits: 1 each when one process follows. */
  const timesServed = async (hits: readonly { alert: { localId: string } }[]) => {
    const localIds = hits.map((hit) => hit.alert.localId);
    const events = await adminQuery<{ seq: number }>(xk(), `select seq::int from node.event where alert_id::text = any($1) order by seq`, [localIds]);
    const reads = await adminQuery<{ after: number; last: number }>(
      xk(),
      `select (details->'feed'->>'after')::int as after, (details->'feed'->>'last')::int as last from audit.entry where details ? 'feed'`,
    );
    expect(events).toHaveLength(localIds.length);
    return events.map(({ seq }) => reads.filter((read) => read.after < seq && seq <= read.last).length);
  };

  it('with two gateway processes, the node serves each event once', async () => {
    const plate = 'LS-100-RS';
    await watchPlate(plate);
    const a = await startGateway();
    const b = await startGateway();
    const onA = await connect(a.url, 'mk-border-officer');
    const onB = await connect(b.url, 'mk-border-officer');
    const seized: string[] = [];
    for (let index = 0; index < 6; index++) seized.push(await seize(plate, `Leased ${index}`));
    for (const subscriber of [onA, onB]) expect((await subscriber.waitFor(seized.length)).map((hit) => hit.alert.id)).toEqual(seized);
    expect(await timesServed(onA.events)).toEqual(seized.map(() => 1));
    for (const { gateway } of [a, b]) {
      running.delete(gateway);
      await gateway.stop();
    }
    // A stopped process gives its lease back rather than leaving it to expire.
    expect(await xkHolder()).toBeUndefined();
  });

  it('when the following process is killed, another takes over from the hub feed’s position: every event arrives once and in order, served once', async () => {
    const plate = 'LS-200-RS';
    await watchPlate(plate);
    const killed = await startGatewayProcess();
    // The process holds XK's lease before the other starts: it is the one killed.
    const holder = await waitUntil('the gateway process follows XK', async () =>
      killed.log().find((line) => line.agency === 'XK' && line.msg === 'following the event feed')?.holder,
    );
    expect(await xkHolder()).toBe(holder);
    const { logger, lines } = capturingLogger();
    const standby = await startGateway(logger);
    await waitUntil('the other stands by', async () => lines.some((line) => line.agency === 'XK' && line.msg.includes('standing by')));
    const subscriber = await connect(standby.url, 'mk-border-officer');
    const seized: string[] = [];
    for (let index = 0; index < 3; index++) seized.push(await seize(plate, `Before ${index}`));
    await subscriber.waitFor(seized.length);

    // Killed outright: no stop, no lease given back.
    killed.child.kill('SIGKILL');
    await once(killed.child, 'exit');
    for (let index = 0; index < 3; index++) seized.push(await seize(plate, `While nobody follows ${index}`));
    const takeover = await waitUntil('the standby takes XK over', async () =>
      lines.find((line) => line.agency === 'XK' && line.msg.startsWith('took over the event feed')),
    );
    expect(takeover.previousHolder).toBe(holder);
    expect(await xkHolder()).toBe(takeover.holder);
    seized.push(await seize(plate, 'After the takeover'));
    // The last one arrived: everything before it was pushed, so a duplicate would be among these.
    await subscriber.waitFor(seized.length);
    expect(subscriber.events.map((hit) => hit.alert.id)).toEqual(seized);
    expect(await timesServed(subscriber.events)).toEqual(seized.map(() => 1));
  });
});
