import { errors as joseErrors } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import type { TrustList } from '../src/identity/trustList.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, purposeHeaders, startTestHub, waitUntil, type TestHub } from './helpers.ts';
import { asOfficer, deciders, memberInput, operationDocuments } from './operationFixtures.ts';
import { subscribe, subscribeOverSse, type SseSubscriber, type Subscriber } from './hitSubscriber.ts';

// operationUpdates on the mechanism every subscription uses (issue 17 items
// 3 to 5): each push asks the owners of linked alerts again, nothing kept from
// one push to the next; each push has its entry; over server-sent events as
// over a socket the subscription ends at the token's expiry and at a key the
// identity provider withdrew.

const code = 'XK-MK-JO-2026-31';
const inOperation = { purpose: 'JOINT_OPERATION', caseReference: code };
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
const follow = /* GraphQL */ `
  subscription Follow($id: ID!, $after: String) {
    operationUpdates(operationId: $id, after: $after) {
      cursor seq kind
      linkedAlert { alertId alert { id access { tier } summary { title } } }
      operation { linkedAlerts { alertId alert { id access { tier } summary { title } } } }
    }
  }
`;
const codesOf = (errors: readonly { extensions?: Record<string, any> }[]) => errors.map((error) => error.extensions?.code);

describe('operationUpdates: every push is a request', () => {
  let hub: TestHub;
  let operationId: string;
  /** MK's identity provider has withdrawn its key (the hub sees it at the next use). */
  let mkKeyWithdrawn = false;
  const sockets: Subscriber[] = [];
  const streams: SseSubscriber[] = [];

  /** The development trust list, with MK's key set answering as one that no longer holds the key once withdrawn. */
  const withdrawable = (trustList: TrustList): TrustList => {
    const issuers = new Map(
      [...trustList.issuers].map(([name, issuer]) => [
        name,
        issuer.agency !== 'MK'
          ? issuer
          : {
              ...issuer,
              keys: (async (...args: Parameters<typeof issuer.keys>) => {
                if (mkKeyWithdrawn) throw new joseErrors.JWKSNoMatchingKey();
                return issuer.keys(...args);
              }) as typeof issuer.keys,
            },
      ]),
    );
    return { ...trustList, issuers };
  };

  const ok = async (user: DemoUserName, query: string, variables: Record<string, unknown>, purpose: { purpose: string; caseReference: string | null } = inOperation) => {
    const result = await hub.query(user, query, variables, purpose);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data!;
  };
  /** XK's consent decider, a member of the operation, releases XK's linked alerts to it. */
  const release = async (tier: string) => {
    const result = await asOfficer(hub, deciders.XK, operationDocuments.release, { id: operationId, input: { tier, expiresAt: inDays(30) } }, inOperation);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  };
  const link = (alertId: string) => ok('xk-liaison', `mutation($id: ID!, $alertId: ID!) { linkAlertToOperation(operationId: $id, alertId: $alertId) { alertId } }`, { id: operationId, alertId });
  const xkAlert = async (title: string) =>
    (await ok('xk-border-officer', createAlertMutation, { input: alertInput({ title }) }, { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' })).createAlert as {
      id: string;
      localId: string;
    };
  const overSocket = async (user: DemoUserName, variables: Record<string, unknown>, expiresIn = '1h') => {
    const socket = subscribe(hub.gatewayUrl, { authorization: `Bearer ${await hub.token(user, expiresIn)}`, ...inOperation }, follow, variables);
    sockets.push(socket);
    return socket;
  };
  const overSse = async (user: DemoUserName, variables: Record<string, unknown>, expiresIn = '1h') => {
    const stream = subscribeOverSse(hub.gatewayUrl, { authorization: `Bearer ${await hub.token(user, expiresIn)}`, ...purposeHeaders(inOperation) }, follow, variables);
    streams.push(stream);
    return stream;
  };
  const pushEntries = (sub: string) =>
    adminQuery<{ records: { agency: string; id: string; tier?: string }[]; purpose: string; case_reference: string }>(
      hub.hubDatabase.name,
      `select records, purpose, case_reference from audit.entry
        where actor_sub = $1 and kind = 'CONSULTATION' and details->>'subscription' = 'operationUpdates' and details ? 'delivery' order by seq`,
      [sub],
    );

  beforeAll(async () => {
    hub = await startTestHub({ nodeTimeoutMs: 10_000, trustList: withdrawable, gateway: { feedWaitMs: 1_000, subscriptionPollMs: 500, maxConnectionsPerOfficer: 100 } });
    const created = await ok(
      'xk-liaison',
      `mutation($input: CreateJointOperationInput!) { createJointOperation(input: $input) { id } }`,
      {
        input: {
          code,
          codeName: 'BORA',
          objective: 'Follow one operation live.',
          legalBasis: 'Agreement on police cooperation, Art. 12.',
          leadAgency: 'XK',
          participatingAgencies: ['XK', 'MK'],
          area: { borderCrossings: ['HANI_I_ELEZIT_BLACE'], greenBorderSectors: [], municipalities: ['Hani i Elezit'] },
          plannedStart: '2026-11-20T06:00:00.000Z',
          plannedEnd: '2027-12-20T18:00:00.000Z',
          partnerLiaisons: [{ officerSub: demoUsers['mk-liaison'].sub, agency: 'MK', unitCode: demoUsers['mk-liaison'].unit }],
        },
      },
      { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' },
    );
    operationId = created.createJointOperation.id;
    const mkMember = demoUsers['mk-border-officer'];
    await ok('mk-liaison', `mutation($id: ID!, $input: OperationMemberInput!) { addOperationMember(operationId: $id, input: $input) { id } }`, {
      id: operationId,
      input: { officerSub: mkMember.sub, agency: 'MK', unitCode: mkMember.unit, role: 'MEMBER' },
    });
    // XK's officer who decides its consent, to release XK's linked alerts to the operation.
    await ok('xk-liaison', operationDocuments.addMember, { id: operationId, input: memberInput(deciders.XK, 'MEMBER') });
  });
  afterAll(async () => {
    for (const stream of streams) stream.dispose();
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await hub?.[Symbol.asyncDispose]();
  });

  it('asks the owners for linked alerts at every push, so that a lowered release shows at once and a later link shows at all, and logs every push at both ends', async () => {
    // An XK alert MK may not see (a rule at NONE for every purpose), then released to the operation at SUMMARY.
    const withheld = await xkAlert('Released to the operation only');
    await ok(
      'xk-border-officer',
      `mutation($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`,
      { id: withheld.id, input: { rules: [{ partnerAgency: 'MK', tier: 'NONE', purposes: ['JOINT_OPERATION', 'CRIMINAL_INVESTIGATION'], expiresAt: inDays(30) }] } },
      { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' },
    );
    await link(withheld.id);
    await release('SUMMARY');
    const member = await overSocket('mk-border-officer', { id: operationId });
    // Four members, the link, the release: from the first update kept.
    const replayed = await member.waitFor(6);
    expect(replayed.map((update) => update.kind)).toEqual(['MEMBER_ADDED', 'MEMBER_ADDED', 'MEMBER_ADDED', 'MEMBER_ADDED', 'ALERT_LINKED', 'RELEASE_SET']);
    for (const update of replayed) expect(update.operation.linkedAlerts.map((linked: any) => linked.alert?.access.tier)).toEqual(['SUMMARY']);
    expect(replayed[4].linkedAlert.alert).toMatchObject({ access: { tier: 'SUMMARY' }, summary: { title: 'Released to the operation only' } });

    // XK withdraws the release: the very next push asks XK again, and the alert no longer exists for MK.
    await release('NONE');
    const lowered = (await member.waitFor(7))[6];
    expect(lowered.kind).toBe('RELEASE_SET');
    expect(lowered.operation.linkedAlerts).toEqual([]);
    // An alert linked later, which MK sees at XK's default policy: shown too, as its owner releases it now.
    const shared = await xkAlert('Shared by default');
    await link(shared.id);
    const [linkedLater] = (await member.waitFor(8)).slice(7);
    expect(linkedLater.kind).toBe('ALERT_LINKED');
    expect(linkedLater.linkedAlert.alert).toMatchObject({ id: shared.id, access: { tier: 'HIT' }, summary: null });
    expect(linkedLater.operation.linkedAlerts.map((linked: any) => linked.alert?.access.tier ?? null)).toEqual(['HIT']);

    // Every push has its entry at the gateway, naming the operation and what the push released, under the member's purpose and case.
    const sub = demoUsers['mk-border-officer'].sub;
    const entries = await waitUntil('an entry for every push', async () => {
      const rows = await pushEntries(sub);
      return rows.length >= 8 && rows;
    });
    expect(entries).toHaveLength(8);
    for (const entry of entries) {
      expect(entry).toMatchObject({ purpose: 'JOINT_OPERATION', case_reference: code });
      expect(entry.records).toContainEqual(expect.objectContaining({ agency: 'HUB', reference: code }));
    }
    expect(entries[5]!.records).toContainEqual(expect.objectContaining({ agency: 'XK', id: withheld.localId, tier: 'SUMMARY' }));
    expect(entries[6]!.records.filter((record) => record.agency === 'XK')).toEqual([]);
    expect(entries[7]!.records).toContainEqual(expect.objectContaining({ agency: 'XK', id: shared.localId, tier: 'HIT' }));
    // And XK was asked at every push, each time logging what it released (or withheld) under the member's purpose and case.
    const asked = await adminQuery(
      hub.nodes.get('XK')!.database.name,
      `select count(*)::int as n from audit.entry where actor_sub = $1 and operation = 'query Alert' and purpose = 'JOINT_OPERATION' and case_reference = $2`,
      [sub, code],
    );
    expect(asked[0]!.n).toBeGreaterThanOrEqual(8);
  });

  it('ends over server-sent events at the token’s expiry, as a socket does, with the cursor to resume from', async () => {
    const stream = await overSse('mk-border-officer', { id: operationId }, '3s');
    const socket = await overSocket('mk-border-officer', { id: operationId }, '3s');
    await stream.waitFor(1);
    await stream.completed;
    expect(codesOf(stream.errors)).toEqual(['TOKEN_EXPIRED']);
    expect(stream.errors[0]!.extensions!.cursor).toBe(stream.events.at(-1).cursor);
    expect((await socket.closed).code).toBe(4403);
  });

  it('ends at a key its identity provider withdrew, over server-sent events and over a socket', async () => {
    const stream = await overSse('mk-border-officer', { id: operationId });
    const socket = await overSocket('mk-border-officer', { id: operationId });
    await Promise.all([stream.waitFor(1), socket.waitFor(1)]);
    mkKeyWithdrawn = true;
    try {
      await stream.completed;
      await socket.ended;
    } finally {
      mkKeyWithdrawn = false;
    }
    // A push resolved as the key went may carry the nodes' refusals of its linked alerts; the next is refused whole, and ends it.
    for (const [errors, events] of [
      [stream.errors, stream.events],
      [socket.graphqlErrors(), socket.events],
    ] as const) {
      expect(new Set(codesOf(errors))).toEqual(new Set(['TOKEN_KEY_UNKNOWN']));
      expect(errors.at(-1)!.extensions!.cursor).toBe(events.at(-1).cursor);
    }
  });

  it('ends a removed member’s subscription at the next push, with the cursor to resume from', async () => {
    const socket = await overSocket('mk-border-officer', { id: operationId });
    const seen = await socket.waitFor(8);
    const { jointOperation } = await ok('mk-liaison', `query($id: ID!) { jointOperation(id: $id) { members { id officerSub } } }`, { id: operationId });
    const memberId = jointOperation.members.find((each: { officerSub: string }) => each.officerSub === demoUsers['mk-border-officer'].sub).id;
    await ok('mk-liaison', `mutation($id: ID!, $memberId: ID!) { removeOperationMember(operationId: $id, memberId: $memberId) { removedAt } }`, { id: operationId, memberId });
    await socket.ended;
    expect(codesOf(socket.graphqlErrors())).toEqual(['PURPOSE_NOT_ALLOWED']);
    expect(socket.graphqlErrors()[0]!.extensions!.cursor).toBe(seen.at(-1).cursor);
    expect(socket.events).toHaveLength(seen.length);
  });
});
