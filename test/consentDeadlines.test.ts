import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement as committedAgreement, type ExchangeAgreement } from '../src/consent/agreement.ts';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import { createHubPrismaClient } from '../src/database/createHubPrismaClient.ts';
import { createGateway, type Gateway } from '../src/gateway/createGateway.ts';
import { parseGlobalId } from '../src/gateway/globalId.ts';
import { createNodeClient } from '../src/gateway/nodeClient.ts';
import { runConsentDeadlines } from '../src/realtime/consentDeadlineSchedule.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, purposeHeaders, startTestHub, testPurpose, waitUntil, type TestHub } from './helpers.ts';
import { consentEventsSubscription, subscribe, subscribeOverSse, type SseSubscriber, type Subscriber } from './hitSubscriber.ts';

// Deadlines that act (issue 19): the consent deadline job of the hub
// database, with two gateway processes on it, marks a request left
// unanswered past its deadline and a grant about to expire, and each is
// announced once (consentEvents), with the job's run in both logs.

const requestConsent = /* GraphQL */ `mutation Request($input: ConsentRequestInput!) { requestConsent(input: $input) { id } }`;
const decide = /* GraphQL */ `
  mutation Decide($id: ID!, $input: ConsentDecisionInput!) { decideConsentRequest(id: $id, input: $input) { id grant { id } } }
`;
const hours = (count: number) => new Date(Date.now() + count * 3600 * 1000).toISOString();
// A hub whose agreement gives two days' notice of a grant's end, not the committed 24 hours: the job announces by the agreement in force.
const agreement: ExchangeAgreement = { ...committedAgreement, consentRequests: { ...committedAgreement.consentRequests, grantExpiryNoticeHours: 48 } };

describe('consent deadlines, with two gateway processes', () => {
  let hub: TestHub;
  let second: Gateway;
  let secondUrl: URL;
  const sockets: Subscriber[] = [];
  const streams: SseSubscriber[] = [];

  beforeAll(async () => {
    const realtime = { feedWaitMs: 1_000, subscriptionPollMs: 500, consentDeadlineIntervalMs: 300 };
    hub = await startTestHub({ agreement, nodeTimeoutMs: 10_000, gateway: realtime });
    // A second process on the same hub database: its own job runner, feed followers and subscriptions.
    second = createGateway({
      ...realtime,
      agreement,
      trustList: hub.trustList,
      databaseUrl: hub.hubDatabase.applicationUrl,
      nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
      signer: hub.keys.gateway,
      auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
      graphiql: false,
    });
    secondUrl = await second.start();
  });
  afterAll(async () => {
    for (const stream of streams) stream.dispose();
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await second?.stop();
    await hub?.[Symbol.asyncDispose]();
  });

  const subscriptionsOf = async (user: DemoUserName) =>
    (
      await adminQuery(hub.hubDatabase.name, `select count(*)::int as n from audit.entry where actor_sub = $1 and details->>'subscription' = 'consentEvents' and details ? 'from'`, [
        demoUsers[user].sub,
      ])
    )[0]!.n as number;
  const xk = () => hub.nodes.get('XK')!.database.name;
  const ask = async (title: string) => {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title }) });
    const result = await hub.query('mk-border-officer', requestConsent, { input: { alertId: created.data!.createAlert.id, tier: 'FULL', justification: 'Rifle deliveries case.' } });
    expect(result.errors).toBeUndefined();
    return result.data!.requestConsent.id as string;
  };
  const localId = (globalId: string) => parseGlobalId(globalId, ['ConsentRequest', 'ConsentGrant']).localId;
  const jobRuns = async () =>
    Number((await adminQuery(hub.hubDatabase.name, `select id from graphile_worker.jobs where task_identifier = 'consent_deadlines'`))[0]?.id ?? 0);

  it('announces an overdue request to both parties and an expiring grant to the requester once, whichever process runs the job, with its run in both logs', async () => {
    // The owner's duty officer on the second process (graphql-ws), the requesting unit on the first (server-sent events).
    const owner = subscribe(secondUrl, { authorization: `Bearer ${await hub.token('xk-duty-officer')}`, ...testPurpose }, consentEventsSubscription);
    sockets.push(owner);
    const requester = subscribeOverSse(hub.gatewayUrl, { authorization: `Bearer ${await hub.token('mk-border-officer')}`, ...purposeHeaders() }, consentEventsSubscription);
    streams.push(requester);
    await waitUntil('both subscriptions in place', async () => (await subscriptionsOf('xk-duty-officer')) >= 1 && (await subscriptionsOf('mk-border-officer')) >= 1);

    // A request left unanswered: its deadline moved into the past (48 hours are too long to wait).
    const unanswered = await ask('Deadlines: nobody answers');
    expect((await owner.waitFor(1))[0]).toMatchObject({ kind: 'CONSENT_REQUESTED', request: { id: unanswered } });
    await adminQuery(xk(), `update node.consent_request set due_at = now() - interval '1 minute' where id = $1`, [localId(unanswered)]);
    const [, overdueAtOwner] = await owner.waitFor(2);
    const [overdueAtRequester] = await requester.waitFor(1);
    for (const event of [overdueAtOwner, overdueAtRequester]) {
      expect(event).toMatchObject({ kind: 'CONSENT_OVERDUE', request: { id: unanswered, status: 'PENDING', overdue: true } });
    }

    // A grant ending within the notice (48 h), though not within the committed agreement's 24 h.
    const answered = await ask('Deadlines: granted for thirty hours');
    const granted = await hub.query('xk-duty-officer', decide, { id: answered, input: { decision: 'GRANT', tier: 'FULL', expiresAt: hours(30), reason: 'For the operation tonight and tomorrow.' } });
    expect(granted.errors).toBeUndefined();
    const [, decided, expiring] = await requester.waitFor(3);
    expect(decided).toMatchObject({ kind: 'CONSENT_DECIDED', request: { id: answered } });
    expect(expiring).toMatchObject({ kind: 'CONSENT_GRANT_EXPIRING', request: { id: answered, grant: { id: granted.data!.decideConsentRequest.grant.id } } });

    // The job keeps running, on either process; and two runs at the very same moment, as two processes would.
    const runs = await jobRuns();
    await waitUntil('three more runs of the job', async () => (await jobRuns()) >= runs + 3);
    const nodes = createNodeClient({ nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])), signer: hub.keys.gateway });
    const prisma = createHubPrismaClient({ databaseUrl: hub.hubDatabase.applicationUrl });
    try {
      const both = await Promise.all([runConsentDeadlines(prisma, nodes, 'test:a'), runConsentDeadlines(prisma, nodes, 'test:b')]);
      expect(both.flat()).toEqual(expect.arrayContaining([{ agency: 'XK', overdue: 0, expiring: 0 }]));
      expect(both.flat().every((node) => 'overdue' in node && node.overdue + node.expiring === 0)).toBe(true);
    } finally {
      await prisma.$disconnect();
    }

    // A marker behind everything: nothing was announced twice before it.
    const marker = await ask('Deadlines: marker');
    expect((await owner.waitFor(4))[3]).toMatchObject({ kind: 'CONSENT_REQUESTED', request: { id: marker } });
    expect(owner.events.map((event) => event.kind)).toEqual(['CONSENT_REQUESTED', 'CONSENT_OVERDUE', 'CONSENT_REQUESTED', 'CONSENT_REQUESTED']);
    // The requester's stream has had every event of XK's feed offered to it by now: the gateway took them all, and the owner's stream got the last.
    await waitUntil('the hub’s feed at the end of XK’s', async () => {
      const [position] = await adminQuery(hub.hubDatabase.name, `select seq::int from hub.feed_position where source = 'XK'`);
      const [head] = await adminQuery(xk(), `select last::int from node.event_counter`);
      return position!.seq >= head!.last;
    });
    expect(requester.events.map((event) => event.kind)).toEqual(['CONSENT_OVERDUE', 'CONSENT_DECIDED', 'CONSENT_GRANT_EXPIRING']);
    expect(requester.errors).toEqual([]);

    // In the owner's outbox once each, and the marks set.
    const events = await adminQuery(xk(), `select kind, recipient_agency, recipient_unit from node.event where kind in ('CONSENT_OVERDUE', 'CONSENT_GRANT_EXPIRING') order by seq`);
    expect(events).toEqual([
      { kind: 'CONSENT_OVERDUE', recipient_agency: 'XK', recipient_unit: null },
      { kind: 'CONSENT_OVERDUE', recipient_agency: 'MK', recipient_unit: demoUsers['mk-border-officer'].unit },
      { kind: 'CONSENT_GRANT_EXPIRING', recipient_agency: 'MK', recipient_unit: demoUsers['mk-border-officer'].unit },
    ]);

    // The job's runs that marked something, in the node's log and the gateway's, naming the same job.
    const marked = await adminQuery(xk(), `select details->'consentDeadlines' as run from audit.entry where details ? 'consentDeadlines' order by seq`);
    expect(marked.flatMap((entry) => entry.run.overdueRequests)).toEqual([localId(unanswered)]);
    expect(marked.flatMap((entry) => entry.run.expiringGrants)).toEqual([localId(granted.data!.decideConsentRequest.grant.id)]);
    const logged = await adminQuery(hub.hubDatabase.name, `select details->'consentDeadlines' as run from audit.entry where details ? 'consentDeadlines' order by seq`);
    expect(logged.map((entry) => entry.run.job)).toEqual(marked.map((entry) => entry.run.job));
    for (const entry of logged) expect(entry.run.job).toMatch(/^consent_deadlines:/);
  });
});
