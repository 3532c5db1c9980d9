import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, startTestHub, testPurpose, type TestHub } from './helpers.ts';

let hub: TestHub;
let alertId: string;

const alertQuery = /* GraphQL */ `
  query($id: ID!) {
    alert(id: $id) {
      reference
      access { tier basis grantId validUntil canRequestHigher ceiling handlingCode }
      summary { title }
      personalData { subjects { familyName } vehicles { plate } }
      sharingPolicy { handlingCode }
    }
  }
`;
const requestConsent = /* GraphQL */ `
  mutation($input: ConsentRequestInput!) {
    requestConsent(input: $input) { id status tier purpose caseReference dueAt overdue secondsLeft owner requestingAgency alertReference }
  }
`;
const decide = /* GraphQL */ `
  mutation($id: ID!, $input: ConsentDecisionInput!) {
    decideConsentRequest(id: $id, input: $input) { id status decisionReason grant { id tier expiresAt revokedAt } }
  }
`;
const revoke = /* GraphQL */ `mutation($id: ID!, $reason: String!) { revokeConsentGrant(id: $id, reason: $reason) { id revokedAt revocationReason } }`;
const incoming = /* GraphQL */ `
  query($filter: ConsentRequestFilter!) { consentRequests(filter: $filter) { totalCount edges { node { id status overdue alertReference requestingAgency } } } }
`;

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

beforeAll(async () => {
  hub = await startTestHub();
  const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  alertId = created.data!.createAlert.id;
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('consent round trip through the gateway', () => {
  it('hit → request → grant → FULL visible → revoke → back to HIT', async () => {
    // The hit: MK sees the XK alert at the default tier of the agreement.
    const hit = await hub.query('mk-border-officer', alertQuery, { id: alertId });
    expect(hit.data!.alert).toMatchObject({
      access: { tier: 'HIT', basis: 'DEFAULT_POLICY', canRequestHigher: true, ceiling: 'FULL', handlingCode: 'H0' },
      summary: null,
      personalData: null,
      sharingPolicy: null,
    });

    const requested = await hub.query('mk-border-officer', requestConsent, {
      input: { alertId, tier: 'FULL', justification: 'The driver is a suspect in our investigation of rifle deliveries to Tetovo.' },
    });
    expect(requested.errors).toBeUndefined();
    const request = requested.data!.requestConsent;
    expect(request).toMatchObject({
      status: 'PENDING',
      tier: 'FULL',
      purpose: testPurpose.purpose,
      caseReference: testPurpose.caseReference,
      owner: 'XK',
      requestingAgency: 'MK',
      overdue: false,
    });
    expect(request.secondsLeft).toBeGreaterThan(47 * 3600);

    // The owner's duty officers see it; the requester follows it.
    const inbox = await hub.query('xk-duty-officer', incoming, { filter: { direction: 'INCOMING', statuses: ['PENDING'] } });
    expect(inbox.data!.consentRequests.edges.map((edge: any) => edge.node.id)).toEqual([request.id]);
    const outbox = await hub.query('mk-border-officer', incoming, { filter: { direction: 'OUTGOING' } });
    expect(outbox.data!.consentRequests.edges.map((edge: any) => edge.node.id)).toEqual([request.id]);

    const granted = await hub.query('xk-duty-officer', decide, {
      id: request.id,
      input: { decision: 'GRANT', tier: 'FULL', expiresAt: inDays(30), reason: 'Joint investigation XK-MK-2026-0042.' },
    });
    expect(granted.errors).toBeUndefined();
    const grant = granted.data!.decideConsentRequest.grant;
    expect(grant).toMatchObject({ tier: 'FULL', revokedAt: null });

    const full = await hub.query('mk-border-officer', alertQuery, { id: alertId });
    expect(full.data!.alert.access).toMatchObject({ tier: 'FULL', basis: 'GRANT', grantId: grant.id, canRequestHigher: false });
    // The owner's disclosure log names the grant that allowed the release.
    const [disclosure] = await adminQuery<{ kind: string; records: { id: string; tier: string; basis: string; grantId?: string }[] }>(
      hub.nodes.get('XK')!.database.name,
      'select kind, records from audit.entry order by seq desc limit 1',
    );
    expect(disclosure).toMatchObject({ kind: 'DISCLOSURE', records: [expect.objectContaining({ tier: 'FULL', basis: 'GRANT', grantId: expect.any(String) })] });
    // The requester's list of its requests names, in the owner's log, the alert with the grant the request opened, as the decision's consent event does.
    expect((await hub.query('mk-border-officer', incoming, { filter: { direction: 'OUTGOING' } })).errors).toBeUndefined();
    const [listed] = await adminQuery<{ kind: string; records: { id: string; grantId?: string }[] }>(
      hub.nodes.get('XK')!.database.name,
      'select kind, records from audit.entry order by seq desc limit 1',
    );
    expect(listed!.records).toEqual([expect.objectContaining({ id: disclosure!.records[0]!.id, grantId: disclosure!.records[0]!.grantId })]);
    expect(full.data!.alert.personalData.subjects[0].familyName).toBe('Krasniqi');
    expect(full.data!.alert.sharingPolicy).toBeNull();

    // The grant is for this purpose and case only.
    const otherCase = await hub.query('mk-border-officer', alertQuery, { id: alertId }, { caseReference: 'MK-OTHER-CASE' });
    expect(otherCase.data!.alert.access.tier).toBe('HIT');

    const revoked = await hub.query('xk-duty-officer', revoke, { id: grant.id, reason: 'Case closed on the XK side.' });
    expect(revoked.data!.revokeConsentGrant.revokedAt).not.toBeNull();
    const back = await hub.query('mk-border-officer', alertQuery, { id: alertId });
    expect(back.data!.alert).toMatchObject({ access: { tier: 'HIT', basis: 'DEFAULT_POLICY' }, summary: null, personalData: null });
  });
});

describe('bad consent input is refused and changes nothing', () => {
  async function consentRows() {
    const prisma = hub.nodes.get('XK')!.prisma;
    const [requests, grants] = await Promise.all([prisma.consentRequest.findMany(), prisma.consentGrant.findMany()]);
    return { requests, grants };
  }

  it('refuses an unknown purpose, or none, before touching any node', async () => {
    const before = await consentRows();
    const input = { alertId, tier: 'SUMMARY', justification: 'Checking a vehicle at Blace.' };
    const unknown = await hub.query('mk-border-officer', requestConsent, { input }, { purpose: 'CURIOSITY' });
    expect(codes(unknown)).toEqual(['PURPOSE_UNKNOWN']);
    const none = await hub.query('mk-border-officer', requestConsent, { input }, { purpose: null });
    expect(codes(none)).toEqual(['PURPOSE_REQUIRED']);
    const noCase = await hub.query('mk-border-officer', requestConsent, { input }, { caseReference: null });
    expect(codes(noCase)).toEqual(['CASE_REFERENCE_REQUIRED']);
    expect(await consentRows()).toEqual(before);
  });

  it('refuses a tier above what the agreement allows for the purpose', async () => {
    const before = await consentRows();
    const result = await hub.query(
      'mk-border-officer',
      requestConsent,
      { input: { alertId, tier: 'FULL', justification: 'Checking a vehicle at the crossing.' } },
      { purpose: 'BORDER_CHECK', caseReference: null },
    );
    expect(codes(result)).toEqual(['TIER_NOT_ALLOWED']);
    expect(await consentRows()).toEqual(before);
  });

  it('refuses a grant without a future expiry, and decisions by anyone but the owner duty officers', async () => {
    const requested = await hub.query('mk-liaison', requestConsent, {
      input: { alertId, tier: 'SUMMARY', justification: 'Planning a joint check of the route at Jažince.' },
    });
    const id = requested.data!.requestConsent.id;
    const before = await consentRows();
    const pastExpiry = await hub.query('xk-duty-officer', decide, {
      id,
      input: { decision: 'GRANT', expiresAt: inDays(-1), reason: 'ok' + '.'.repeat(3) },
    });
    expect(codes(pastExpiry)).toEqual(['VALIDATION_FAILED']);
    const noExpiry = await hub.query('xk-duty-officer', decide, { id, input: { decision: 'GRANT', reason: 'Fine by us.' } });
    expect(codes(noExpiry)).toEqual(['VALIDATION_FAILED']);
    const byOfficer = await hub.query('xk-border-officer', decide, { id, input: { decision: 'REFUSE', reason: 'No.' } });
    expect(codes(byOfficer)).toEqual(['FORBIDDEN']);
    const byRequester = await hub.query('mk-duty-officer', decide, {
      id,
      input: { decision: 'GRANT', expiresAt: inDays(5), reason: 'We grant ourselves.' },
    });
    expect(codes(byRequester)).toEqual(['FORBIDDEN']);
    const aboveRequest = await hub.query('xk-duty-officer', decide, {
      id,
      input: { decision: 'GRANT', tier: 'FULL', expiresAt: inDays(5), reason: 'More than asked.' },
    });
    expect(codes(aboveRequest)).toEqual(['TIER_NOT_ALLOWED']);
    expect(await consentRows()).toEqual(before);

    const refused = await hub.query('xk-duty-officer', decide, { id, input: { decision: 'REFUSE', reason: 'Source protection.' } });
    expect(refused.data!.decideConsentRequest).toMatchObject({ status: 'REFUSED', decisionReason: 'Source protection.', grant: null });
    const twice = await hub.query('xk-duty-officer', decide, { id, input: { decision: 'REFUSE', reason: 'Again.' } });
    expect(codes(twice)).toEqual(['INVALID_TRANSITION']);
  });

  it('flags requests past the deadline of the agreement to the owner', async () => {
    const requested = await hub.query('mk-liaison', requestConsent, {
      input: { alertId, tier: 'SUMMARY', justification: 'Route analysis for the joint operation.' },
    }, { purpose: 'RISK_ANALYSIS', caseReference: null });
    expect(requested.errors).toBeUndefined();
    const id = requested.data!.requestConsent.id;
    // Two days later, unanswered.
    const prisma = hub.nodes.get('XK')!.prisma;
    const localId = (await prisma.consentRequest.findFirstOrThrow({ where: { purpose: 'RISK_ANALYSIS' } })).id;
    await prisma.consentRequest.update({ where: { id: localId }, data: { dueAt: new Date(Date.now() - 60_000) } });
    const overdue = await hub.query('xk-duty-officer', incoming, { filter: { direction: 'INCOMING', overdueOnly: true } });
    expect(overdue.data!.consentRequests.edges.map((edge: any) => edge.node)).toEqual([
      expect.objectContaining({ id, overdue: true, status: 'PENDING' }),
    ]);
    const notForOfficers = await hub.query('xk-border-officer', incoming, { filter: { direction: 'INCOMING' } });
    expect(codes(notForOfficers)).toEqual(['FORBIDDEN']);
  });

  it('takes one of several identical requests sent at once, and refuses the others clearly', async () => {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'raced' }) });
    const raced = created.data!.createAlert.id;
    const input = { alertId: raced, tier: 'FULL', justification: 'Same request, sent from two terminals.' };
    const results = await Promise.all(Array.from({ length: 6 }, () => hub.query('mk-border-officer', requestConsent, { input })));
    const accepted = results.filter((result) => result.errors === undefined);
    expect(accepted).toHaveLength(1);
    for (const refused of results.filter((result) => result.errors !== undefined)) {
      expect(codes(refused)).toEqual(['VALIDATION_FAILED']);
      expect(refused.errors![0]!.message).toMatch(/already pending/);
    }
    const prisma = hub.nodes.get('XK')!.prisma;
    const alert = await prisma.alert.findFirstOrThrow({ where: { title: 'raced' } });
    expect(await prisma.consentRequest.count({ where: { alertId: alert.id, status: 'PENDING' } })).toBe(1);
  });

  it('takes a request of another case while one is pending, and refuses only the same case again', async () => {
    // A grant is for one purpose and case: a request of case B is not answered by case A's.
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'two cases' }) });
    const id = created.data!.createAlert.id;
    const ask = (caseReference: string | null, purpose = 'CRIMINAL_INVESTIGATION') =>
      hub.query('mk-border-officer', requestConsent, { input: { alertId: id, tier: 'SUMMARY', justification: `Needed for case ${caseReference}.` } }, { purpose, caseReference });
    const first = await ask('MK-2026-0101');
    expect(first.errors).toBeUndefined();
    const otherCase = await ask('MK-2026-0202');
    expect(otherCase.errors).toBeUndefined();
    expect(otherCase.data!.requestConsent).toMatchObject({ status: 'PENDING', caseReference: 'MK-2026-0202' });
    // Without a case reference (a purpose that needs none) is a request of its own too.
    const noCase = await ask(null, 'RISK_ANALYSIS');
    expect(noCase.errors).toBeUndefined();
    const sameCase = await ask('MK-2026-0101');
    expect(codes(sameCase)).toEqual(['VALIDATION_FAILED']);
    expect(sameCase.errors![0]!.message).toMatch(/already pending/);
    const noCaseAgain = await ask(null, 'RISK_ANALYSIS');
    expect(codes(noCaseAgain)).toEqual(['VALIDATION_FAILED']);
    const prisma = hub.nodes.get('XK')!.prisma;
    const alert = await prisma.alert.findFirstOrThrow({ where: { title: 'two cases' } });
    const pending = await prisma.consentRequest.findMany({ where: { alertId: alert.id, status: 'PENDING' }, orderBy: { createdAt: 'asc' } });
    expect(pending.map((request) => [request.purpose, request.caseReference])).toEqual([
      ['CRIMINAL_INVESTIGATION', 'MK-2026-0101'],
      ['CRIMINAL_INVESTIGATION', 'MK-2026-0202'],
      ['RISK_ANALYSIS', null],
    ]);
  });

  it("keeps a requester's own request after the owner hid the record, without naming the record", async () => {
    const created = await hub.query('xk-border-officer', createAlertMutation, { input: alertInput({ title: 'asked, then hidden' }) });
    const hidden = created.data!.createAlert;
    const asked = await hub.query('mk-border-officer', requestConsent, { input: { alertId: hidden.id, tier: 'FULL', justification: 'The passenger is known to our unit.' } });
    const request = asked.data!.requestConsent;
    const granted = await hub.query('xk-duty-officer', decide, { id: request.id, input: { decision: 'GRANT', tier: 'SUMMARY', expiresAt: inDays(5), reason: 'Summary only.' } });
    expect(granted.errors).toBeUndefined();
    const outgoing = `{ consentRequests(first: 50, filter: { direction: OUTGOING }) { edges { node { id alertId alertReference status tier justification decisionReason grant { alertId tier } } } } }`;
    const mine = async () => (await hub.query('mk-border-officer', outgoing)).data!.consentRequests.edges.map((edge: any) => edge.node).find((node: any) => node.id === request.id);
    expect(await mine()).toMatchObject({ alertId: hidden.id, alertReference: hidden.reference, grant: { alertId: hidden.id } });

    // XK withdraws the record from MK altogether: a rule at NONE (it outranks the grant only by revoking it, so revoke it too).
    const rule = await hub.query('xk-duty-officer', `mutation($id: ID!, $input: SharingPolicyInput!) { setSharingPolicy(alertId: $id, input: $input) { id } }`, {
      id: hidden.id,
      input: { rules: [{ partnerAgency: 'MK', tier: 'NONE', purposes: [], expiresAt: inDays(30) }] },
    });
    expect(rule.errors).toBeUndefined();
    const grantId = granted.data!.decideConsentRequest.grant.id;
    expect((await hub.query('xk-duty-officer', revoke, { id: grantId, reason: 'Source protection.' })).errors).toBeUndefined();
    expect((await hub.query('mk-border-officer', alertQuery, { id: hidden.id })).data!.alert).toBeNull();

    // The request stays MK's to follow: what it asked, why, and the answer; not which record it was about.
    const logged = await adminQuery<{ seq: number }>(hub.hubDatabase.name, 'select max(seq)::int as seq from audit.entry');
    const after = await hub.query('mk-border-officer', outgoing);
    const node = after.data!.consentRequests.edges.map((edge: any) => edge.node).find((candidate: any) => candidate.id === request.id);
    expect(node).toEqual({
      id: request.id,
      alertId: null,
      alertReference: null,
      status: 'GRANTED',
      tier: 'FULL',
      justification: 'The passenger is known to our unit.',
      decisionReason: 'Summary only.',
      grant: { alertId: null, tier: 'SUMMARY' },
    });
    expect(JSON.stringify(after)).not.toContain(hidden.reference);
    // Nor does the consultation entry name it as released.
    const [entry] = await adminQuery<{ records: { id: string }[] }>(hub.hubDatabase.name, 'select records from audit.entry where seq > $1 and kind = $2 order by seq limit 1', [logged[0]!.seq, 'CONSULTATION']);
    expect(entry!.records.map((record) => record.id)).not.toContain(hidden.localId);
    // The owner's duty officers see it whole.
    const incomingAll = `{ consentRequests(first: 50, filter: { direction: INCOMING }) { edges { node { id alertId alertReference } } } }`;
    const owner = (await hub.query('xk-duty-officer', incomingAll)).data!.consentRequests.edges.map((edge: any) => edge.node).find((candidate: any) => candidate.id === request.id);
    expect(owner).toEqual({ id: request.id, alertId: hidden.id, alertReference: hidden.reference });
  });

  it('lists consent requests oldest deadline first, across pages', async () => {
    const prisma = hub.nodes.get('XK')!.prisma;
    // Give every request a deadline of its own, in an order unlike the order they were made in.
    const rows = await prisma.consentRequest.findMany({ orderBy: { createdAt: 'asc' } });
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const [index, row] of rows.entries()) {
      await prisma.consentRequest.update({ where: { id: row.id }, data: { dueAt: new Date(Date.now() + ((index * 7) % rows.length) * 3600_000) } });
    }
    const page = `query($after: String) { consentRequests(first: 2, after: $after, filter: { direction: INCOMING }) { edges { node { id dueAt } } pageInfo { hasNextPage endCursor } } }`;
    const seen: { id: string; dueAt: string }[] = [];
    let after: string | null = null;
    do {
      const result: any = await hub.query('xk-duty-officer', page, { after });
      expect(result.errors).toBeUndefined();
      seen.push(...result.data.consentRequests.edges.map((edge: any) => edge.node));
      after = result.data.consentRequests.pageInfo.hasNextPage ? result.data.consentRequests.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(rows.length);
    const deadlines = seen.map((request) => Date.parse(request.dueAt));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
  });
});
