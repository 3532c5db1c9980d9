import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/verifyAuditChain.ts';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import { createAlertMutation, alertInput } from './fixtures.ts';
import { adminQuery, startTestHub, testPurpose, type TestHub } from './helpers.ts';
import { subscribe, type Subscriber } from './hitSubscriber.ts';

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
    hub = await startTestHub({ gateway: { feedWaitMs: 1_000, subscriptionPollMs: 500 } });
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
    await hub?.[Symbol.asyncDispose]();
  });

  const connect = async (user: DemoUserName, variables: Record<string, unknown> = {}, url = hub.gatewayUrl) => {
    const subscriber = subscribe(url, { authorization: `Bearer ${await hub.token(user)}`, ...testPurpose }, undefined, variables);
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
});
