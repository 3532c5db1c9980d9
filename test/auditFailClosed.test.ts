import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, startTestHub, verifyChainOf, type TestHub } from './helpers.ts';
import { startNodeProxy, type NodeProxy } from './nodeProxy.ts';

// A change the hub cannot record changes nothing, at any party: the gateway's
// entry of a change is written before any node is asked to make it, a node's
// entry is written in the change's own transaction, and a change sent again
// (a connection that failed under it) is never made twice.

const updateAlert = `mutation Update($id: ID!, $version: Int!, $title: String!) {
  updateAlert(id: $id, expectedVersion: $version, input: { title: $title }) { id version }
}`;
const requestConsent = `mutation Ask($alertId: ID!, $justification: String!) {
  requestConsent(input: { alertId: $alertId, tier: FULL, justification: $justification }) { id }
}`;
const createWatchEntry = `mutation Watch($plate: String!) {
  createWatchEntry(input: { plate: $plate, plateCountry: "XK", expiresAt: "${new Date(Date.now() + 20 * 864e5).toISOString()}" }) { id }
}`;

type Party = 'GATEWAY' | 'XK' | 'MK';

/** The database of a party of the hub. */
const databaseOf = (hub: TestHub, party: Party) => (party === 'GATEWAY' ? hub.hubDatabase : hub.nodes.get(party)!.database).name;

/** The log of `party` refuses new entries, as when its disk is full, while `work` runs. */
async function logRefuses<T>(hub: TestHub, party: Party, work: () => Promise<T>): Promise<T> {
  await adminQuery(databaseOf(hub, party), 'revoke insert on audit.entry from hub_app');
  try {
    return await work();
  } finally {
    await adminQuery(databaseOf(hub, party), 'grant insert on audit.entry to hub_app');
  }
}

const count = async (hub: TestHub, party: Party, sql: string, params: unknown[] = []) =>
  Number((await adminQuery<{ n: string }>(databaseOf(hub, party), `select count(*) as n from ${sql}`, params))[0]!.n);

describe('a change the hub cannot record changes nothing', () => {
  let hub: TestHub;
  let xkAlert: { id: string; localId: string };
  let plates = 0;
  const plate = () => `FC-${String(++plates).padStart(3, '0')}-KS`;

  beforeAll(async () => {
    hub = await startTestHub({ nodeTimeoutMs: 20_000, gateway: { followFeeds: false } });
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'Before the faults' }) });
    xkAlert = { id: created.data!.createAlert.id, localId: created.data!.createAlert.localId };
  });
  afterAll(async () => {
    await hub?.[Symbol.asyncDispose]();
  });

  /** Each change, marked with `tag`, and whether it was made: each is undone by nothing but the log. */
  const changes = (tag: string) => {
    const watched = plate();
    return [
      {
        what: 'createAlert',
        run: () => hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: `Created ${tag}` }) }),
        made: async () => (await count(hub, 'XK', 'node.alert where title = $1', [`Created ${tag}`])) > 0,
      },
      {
        what: 'updateAlert',
        run: async () => {
          const [row] = await adminQuery<{ version: number }>(databaseOf(hub, 'XK'), 'select version from node.alert where id = $1', [xkAlert.localId]);
          return hub.query('xk-border-officer', updateAlert, { id: xkAlert.id, version: row!.version, title: `Updated ${tag}` });
        },
        made: async () => (await count(hub, 'XK', 'node.alert where title = $1', [`Updated ${tag}`])) > 0,
      },
      {
        what: 'requestConsent',
        run: () => hub.query('mk-border-officer', requestConsent, { alertId: tagged[tag]!, justification: `Asked ${tag}.` }),
        made: async () => (await count(hub, 'XK', 'node.consent_request where justification = $1', [`Asked ${tag}.`])) > 0,
      },
      {
        what: 'createWatchEntry',
        run: () => hub.query('mk-border-officer', createWatchEntry, { plate: watched }),
        made: async () => (await count(hub, 'XK', 'node.watch_entry where label like $1 and removed_at is null', [`${watched} %`])) + (await count(hub, 'MK', 'node.watch_entry where label like $1 and removed_at is null', [`${watched} %`])) > 0,
      },
    ];
  };
  /** An alert of XK for each round's consent request (one may be pending per alert). */
  const tagged: Record<string, string> = {};

  it.each([
    ['GATEWAY', ['createAlert', 'updateAlert', 'requestConsent', 'createWatchEntry']],
    ['XK', ['createAlert', 'updateAlert', 'requestConsent', 'createWatchEntry']],
    // MK's log takes part in the watch entry only (every node stores it); the rest is XK's alone.
    ['MK', ['createWatchEntry']],
  ] as const)('with the log of %s refusing, a change that needs it is answered AUDIT_UNAVAILABLE and is made nowhere', async (party, refused) => {
    const tag = `while ${party} refuses`;
    tagged[tag] = (await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: `For consent ${tag}` }) })).data!.createAlert.id;
    const round = changes(tag);
    const answers = await logRefuses(hub, party, async () => {
      const results: Record<string, unknown[]> = {};
      for (const change of round) results[change.what] = codes(await change.run());
      return results;
    });
    for (const change of round) {
      const wasRefused = (refused as readonly string[]).includes(change.what);
      expect(answers[change.what], change.what).toEqual(wasRefused ? ['AUDIT_UNAVAILABLE'] : []);
      expect(await change.made(), `${change.what} made`).toBe(!wasRefused);
    }
    for (const each of ['GATEWAY', 'XK', 'MK'] as const) {
      expect(await verifyChainOf(each === 'GATEWAY' ? hub.hubDatabase.url : hub.nodes.get(each)!.database.url), each).toMatchObject({ ok: true });
    }
  });

  it('writes the gateway’s entry of a change before the node makes it; if its outcome cannot follow, the client is told the change was made', async () => {
    const hubDb = databaseOf(hub, 'GATEWAY');
    // The gateway's log takes the entry written before the node is asked (outcome PENDING) and refuses the next one.
    await adminQuery(hubDb, `create function audit.refuse_outcome() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`);
    await adminQuery(hubDb, `create trigger refuse_outcome before insert on audit.entry for each row when (new.outcome <> 'PENDING') execute function audit.refuse_outcome()`);
    let result;
    try {
      result = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'Made, outcome unrecorded' }) });
    } finally {
      await adminQuery(hubDb, 'drop trigger refuse_outcome on audit.entry; drop function audit.refuse_outcome()');
    }
    expect(codes(result)).toEqual(['AUDIT_INCOMPLETE']);
    expect(result.data ?? null).toBeNull();
    const { operationId, agencies } = result.errors![0]!.extensions as { operationId: string; agencies: string[] };
    expect(agencies).toEqual(['XK']);
    // The change exists, once, and every party that took part has its entry of it, joined by the operation's id.
    expect(await count(hub, 'XK', `node.alert where title = 'Made, outcome unrecorded'`)).toBe(1);
    const [pending] = await adminQuery(hubDb, 'select kind, outcome, operation, actor_sub, details from audit.entry where operation_id = $1', [operationId]);
    expect(pending).toMatchObject({ kind: 'CONSULTATION', outcome: 'PENDING', operation: 'mutation Create', actor_sub: 'xk.bp.arben.berisha', details: { forwarding: 'createAlert' } });
    const [change] = await adminQuery(databaseOf(hub, 'XK'), `select kind, records from audit.entry where operation_id = $1`, [operationId]);
    expect(change).toMatchObject({ kind: 'CHANGE', records: [expect.objectContaining({ type: 'ALERT', tier: 'FULL', basis: 'DOMESTIC' })] });
  });
});

describe('a change sent again is made once', () => {
  let hub: TestHub;
  let proxy: NodeProxy;
  let cut = '';

  beforeAll(async () => {
    hub = await startTestHub({
      nodeTimeoutMs: 20_000,
      gateway: { followFeeds: false },
      // XK behind a proxy that cuts the connection of one call once XK has answered it.
      routeNode: async (agency, url) => {
        if (agency !== 'XK') return url;
        proxy = await startNodeProxy(url, (body) => (cut && body.includes(cut) ? ((cut = ''), { cutAfterAnswer: true }) : undefined));
        return proxy.url;
      },
    });
  });
  afterAll(async () => {
    await hub?.[Symbol.asyncDispose]();
    await proxy?.[Symbol.asyncDispose]();
  });

  it('sends a change again on a new connection under the same key, and the node answers it without making it twice', async () => {
    // A read first, so that the change goes over a connection the gateway keeps alive.
    expect((await hub.query('xk-border-officer', '{ alerts(agencies: ["XK"], first: 1) { totalCount } }')).errors).toBeUndefined();
    cut = 'Sent twice, made once';
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'Sent twice, made once' }) });
    expect(created.errors).toBeUndefined();
    const sent = proxy.calls.filter((call) => call.body.includes('Sent twice, made once'));
    expect(sent).toHaveLength(2);
    expect(sent[1]!.headers['idempotency-key']).toBe(sent[0]!.headers['idempotency-key']);
    expect(sent[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}\/1$/);
    expect(await count(hub, 'XK', `node.alert where title = 'Sent twice, made once'`)).toBe(1);
    const id = created.data!.createAlert.localId;
    const entries = await adminQuery<{ kind: string; details: Record<string, unknown> | null }>(
      databaseOf(hub, 'XK'),
      `select kind, details from audit.entry where records @> $1::jsonb order by seq`,
      [JSON.stringify([{ id }])],
    );
    // One change, and the answer given again, a disclosure that says so.
    expect(entries.map((entry) => entry.kind)).toEqual(['CHANGE', 'DISCLOSURE']);
    expect(entries[1]!.details).toMatchObject({ repeated: { idempotencyKey: sent[0]!.headers['idempotency-key'] } });
  });
});
