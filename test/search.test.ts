import { serviceJournal } from '../src/audit/auditCollector.ts';
import { parse, validate } from 'graphql';
import { mulberry32 } from '../src/demo/demoData.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertInput, parseInput } from '../src/domain/alertInput.ts';
import { normalizeSerial } from '../src/domain/normalize.ts';
import { serialSearchKey } from '../src/domain/schema/addSearchTypes.ts';
import { searchOperation } from '../src/gateway/searchOperation.ts';
import type { Officer } from '../src/identity/officer.ts';
import { createAlert } from '../src/node/records/alertRecords.ts';
import { nodeSchema } from '../src/node/schema/index.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { codes, demoUsers, startTestHub, type TestHub } from './helpers.ts';
import { agreement } from '../src/consent/agreement.ts';

let hub: TestHub;

/** The alert most searches look for: the fixture's seizure (serial M70-481516, Krasniqi Besnik, plate 01-234-AB, …). */
let target: { id: string; reference: string };
/** An XK alert about a person whose names carry diacritics. */
let durovic: { id: string; reference: string };
/** XK alerts MK may not see: one with a rule at NONE for MK, one under H2 with no rule for MK. */
let hiddenByRule: { id: string; reference: string };
let hiddenByH2: { id: string; reference: string };
/** Alerts holding the 10,000 seeded firearms. */
const noiseAlertIds = new Set<string>();

const searchQuery = /* GraphQL */ `
  query Search($input: SearchInput!, $first: Int) {
    search(input: $input, first: $first) {
      agency { code name }
      outcome
      hits {
        matchedOn match score
        alert {
          id localId reference kind owner { code } createdAt
          contactPoint { agency unitCode }
          access { tier basis purpose caseReference canRequestHigher }
          summary { title }
          personalData { subjects { familyName givenName } }
        }
      }
    }
  }
`;

const setSharingPolicy = /* GraphQL */ `
  mutation($alertId: ID!, $input: SharingPolicyInput!) {
    setSharingPolicy(alertId: $alertId, input: $input) { id access { handlingCode } sharingPolicy { rules { partnerAgency tier } } }
  }
`;

type Result = { agency: { code: string }; outcome: string; hits: any[] };

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

/** Runs a search and gives the results by agency code. */
async function search(user: Parameters<TestHub['query']>[0], input: Record<string, unknown>, first?: number) {
  const result = await hub.query(user, searchQuery, { input, ...(first ? { first } : {}) });
  expect(result.errors).toBeUndefined();
  const results = result.data!.search as Result[];
  return Object.fromEntries(results.map((entry) => [entry.agency.code, entry])) as Record<string, Result>;
}

async function create(user: 'xk-border-officer' | 'mk-border-officer', overrides: Record<string, unknown>) {
  const result = await hub.query(user, createAlertMutation, { input: alertInput(overrides) });
  expect(result.errors).toBeUndefined();
  return result.data!.createAlert as { id: string; reference: string; localId: string };
}

// The obliterated serial: "M70-481516" with its 5th and last characters ground off.
const targetSerial = 'M70-481516';
const obliterated = 'M70-4?151?';
const seededFirearms = 10_000;

/**
 * Serials that differ from the target in one or two characters (substituted,
 * deleted, inserted) plus random serials of the same make, never one that
 * matches every readable character of the obliterated serial: those would be
 * as good a match as the target itself.
 */
function noiseSerials(count: number): string[] {
  const random = mulberry32(20_261_123);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  // The characters of normalised serials (look-alikes such as O, I, S are folded into digits).
  const alphabet = [...'0123456789ACDEFGHJKMNPRTUVWXY'];
  const key = normalizeSerial(targetSerial);
  const like = new RegExp(`^${serialSearchKey(obliterated).replaceAll('_', '.')}$`);
  const seen = new Set<string>([key]);
  const out: string[] = [];
  const add = (serial: string) => {
    if (out.length >= count || serial.length < 4 || seen.has(serial) || like.test(serial)) return;
    seen.add(serial);
    out.push(serial);
  };
  const substitute = (value: string, at: number) => value.slice(0, at) + pick(alphabet) + value.slice(at + 1);
  // Every single substitution and deletion of the target, then pairs of edits, then random serials of the same make.
  for (let at = 0; at < key.length; at++) {
    for (const ch of alphabet) add(key.slice(0, at) + ch + key.slice(at + 1));
    add(key.slice(0, at) + key.slice(at + 1));
  }
  for (let i = 0; i < 3_000; i++) {
    const a = Math.floor(random() * key.length);
    const b = Math.floor(random() * key.length);
    const kind = Math.floor(random() * 3);
    if (kind === 0) add(substitute(substitute(key, a), b));
    else if (kind === 1) add((key.slice(0, a) + key.slice(a + 1)).slice(0, b) + (key.slice(0, a) + key.slice(a + 1)).slice(b + 1));
    else add(substitute(key.slice(0, a) + pick(alphabet) + key.slice(a), b));
  }
  while (out.length < count) {
    add(`M70${Array.from({ length: 6 }, () => pick(alphabet.slice(0, 10))).join('')}`);
  }
  return out;
}

beforeAll(async () => {
  hub = await startTestHub();
  target = await create('xk-border-officer', {
    title: 'Zastava M70 in the spare wheel',
    components: [{ kind: 'SLIDE', quantity: 1, serialNumber: 'SL-77012-K' }],
  });
  durovic = await create('xk-border-officer', {
    title: 'Rifle parts in a lorry',
    firearms: [],
    vehicles: [],
    subjects: [{ role: 'SUSPECT', familyName: 'Đurović', givenName: 'Željko', dateOfBirth: '1979-08-30', documents: [] }],
  });
  // MK holds records too, none of which matches the searches below: its answers are real NO_HITs.
  await create('mk-border-officer', {
    title: 'Revolver at Blace',
    firearms: [{ make: 'Smith & Wesson', model: '686', type: 'REVOLVER', calibre: '.357 Magnum', serialNumber: 'AKW-9273' }],
    subjects: [{ role: 'DRIVER', familyName: 'Petrovski', givenName: 'Marko', dateOfBirth: '1990-01-01', documents: [{ kind: 'IDENTITY_CARD', number: 'MK-7788990', issuingCountry: 'MK' }] }],
    vehicles: [{ role: 'TRANSPORT', plate: 'SK 9999 ZZ', plateCountry: 'MK', vin: 'JTDBR32E530012345' }],
  });
  // Serials of letters that look like no digit, unlike anything else seeded.
  const hidden = { firearms: [{ make: 'Crvena Zastava', model: 'M57', type: 'PISTOL', calibre: '7.62×25 mm' }], subjects: [], vehicles: [] };
  hiddenByRule = await create('xk-border-officer', {
    ...hidden,
    title: 'Pistol held back from MK by rule',
    firearms: [{ ...hidden.firearms[0], serialNumber: 'KVX-HRTYWN' }],
  });
  hiddenByH2 = await create('xk-border-officer', {
    ...hidden,
    title: 'Pistol under H2',
    firearms: [{ ...hidden.firearms[0], serialNumber: 'PGX-WKRNTA' }],
  });
  const rule = await hub.query('xk-duty-officer', setSharingPolicy, {
    alertId: hiddenByRule.id,
    input: { rules: [{ partnerAgency: 'MK', tier: 'NONE', purposes: ['CRIMINAL_INVESTIGATION', 'BORDER_CHECK'], expiresAt: inDays(30) }] },
  });
  expect(rule.errors).toBeUndefined();
  expect(rule.data!.setSharingPolicy.sharingPolicy.rules).toEqual([{ partnerAgency: 'MK', tier: 'NONE' }]);
  const h2 = await hub.query('xk-duty-officer', setSharingPolicy, { alertId: hiddenByH2.id, input: { handlingCode: 'H2' } });
  expect(h2.errors).toBeUndefined();
  expect(h2.data!.setSharingPolicy.access.handlingCode).toBe('H2');

  // 10,000 firearms on 50 XK alerts: a few alerts through the records layer, the firearms in bulk.
  const prisma = hub.nodes.get('XK')!.prisma;
  const claims = demoUsers['xk-border-officer'];
  const officer: Officer = { sub: claims.sub, agency: claims.agency, unit: claims.unit, roles: ['officer'], issuer: 'test' };
  const alertCount = 50;
  const alertIds: string[] = [];
  for (let index = 0; index < alertCount; index++) {
    const input = parseInput(createAlertInput, {
      ...alertInput({ title: `Weapons cache ${index}`, firearms: [], ammunition: [], subjects: [], vehicles: [] }),
      occurredAt: new Date(Date.UTC(2026, 8, 1 + (index % 28), 12)),
    });
    const row = await createAlert(prisma, officer, input, serviceJournal(officer.agency, 'service:test'), agreement);
    alertIds.push(row.id);
    noiseAlertIds.add(row.id);
  }
  const serials = noiseSerials(seededFirearms);
  const types = ['PISTOL', 'REVOLVER', 'RIFLE', 'ASSAULT_RIFLE'] as const;
  const { count } = await prisma.firearm.createMany({
    data: serials.map((serial, index) => {
      const serialNumber = `${serial.slice(0, 3)}-${serial.slice(3)}`;
      return {
        alertId: alertIds[index % alertCount]!,
        position: Math.floor(index / alertCount),
        make: 'Zastava',
        model: 'M70',
        type: types[index % types.length]!,
        calibre: '7.65×17 mm',
        serialNumber,
        serialNormalized: normalizeSerial(serialNumber),
      };
    }),
  });
  expect(count).toBe(seededFirearms);
});

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('hit/no-hit search: the owner matches', () => {
  it('sends the nodes a document that is valid against the node contract', () => {
    expect(validate(nodeSchema, parse(searchOperation)).map((error) => error.message)).toEqual([]);
  });

  it('finds exact and normalised serials, and answers HIT tier to the partner under the default policy', async () => {
    for (const serialNumber of ['M70-481516', 'm70 481516', 'M7O.48I5I6']) {
      const results = await search('mk-border-officer', { serialNumber });
      expect(Object.keys(results)).toEqual(['MK', 'XK']);
      expect(results.MK!.outcome).toBe('NO_HIT');
      expect(results.MK!.hits).toEqual([]);
      expect(results.XK!.outcome).toBe('HIT');
      const [best, ...others] = results.XK!.hits;
      // At HIT the partner learns how it matched, never a score that would measure the serial it may not read.
      expect(best).toMatchObject({ matchedOn: 'SERIAL_NUMBER', match: 'EXACT', score: null });
      expect(best.alert).toMatchObject({
        id: target.id,
        reference: target.reference,
        owner: { code: 'XK' },
        contactPoint: { agency: 'XK', unitCode: 'XK-BP-HANI' },
        access: { tier: 'HIT', basis: 'DEFAULT_POLICY', purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042', canRequestHigher: true },
        summary: null,
        personalData: null,
      });
      // Near misses of the seeded firearms follow, ranked below the exact match, one hit per alert.
      expect(others.length).toBeGreaterThan(0);
      for (const hit of others) expect(hit).toMatchObject({ match: 'SIMILAR', score: null });
      expect(new Set(results.XK!.hits.map((hit) => hit.alert.id)).size).toBe(results.XK!.hits.length);
    }
  });

  it('matches component serials too', async () => {
    const results = await search('mk-border-officer', { serialNumber: 'sl 77012 k' });
    expect(results.XK!.hits[0]).toMatchObject({ matchedOn: 'COMPONENT_SERIAL_NUMBER', match: 'EXACT', score: null, alert: { id: target.id } });
    const own = await search('xk-border-officer', { serialNumber: 'sl 77012 k' });
    expect(own.XK!.hits[0]).toMatchObject({ matchedOn: 'COMPONENT_SERIAL_NUMBER', match: 'EXACT', score: 1, alert: { id: target.id } });
  });

  it('finds plates, VINs, document numbers and persons, exactly after normalisation', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ plate: '01 234 ab' }, 'PLATE'],
      [{ plate: '01-234-АВ' }, 'PLATE'], // Cyrillic А and В, as on a misread plate
      [{ vin: 'wauzzz8k9ba123456' }, 'VIN'],
      [{ documentNumber: 'p0123-4567' }, 'DOCUMENT_NUMBER'],
      [{ person: { familyName: 'KRASNIQI', givenName: 'besnik', dateOfBirth: '1987-04-12' } }, 'PERSON'],
      [{ person: { familyName: 'Krasniqi', givenName: 'Besnik' } }, 'PERSON'],
    ];
    for (const [input, matchedOn] of cases) {
      const results = await search('mk-border-officer', input);
      expect(results.MK!.outcome, JSON.stringify(input)).toBe('NO_HIT');
      expect(results.XK!.outcome, JSON.stringify(input)).toBe('HIT');
      expect(results.XK!.hits.map((hit) => [hit.alert.reference, hit.matchedOn, hit.match, hit.score])).toEqual([[target.reference, matchedOn, 'EXACT', null]]);
      expect(results.XK!.hits[0].alert.personalData).toBeNull();
    }
  });

  it('folds case and diacritics in names, and a date of birth that differs is no hit', async () => {
    const hit = await search('mk-border-officer', { person: { familyName: 'DJUROVIC', givenName: 'zeljko', dateOfBirth: '1979-08-30' } });
    expect(hit.XK!.hits.map((h) => [h.alert.id, h.matchedOn])).toEqual([[durovic.id, 'PERSON']]);
    // đ is a letter of its own, written dj in ASCII: Durović is another name.
    const stroke = await search('mk-border-officer', { person: { familyName: 'DUROVIC', givenName: 'zeljko', dateOfBirth: '1979-08-30' } });
    expect(stroke.XK!.outcome).toBe('NO_HIT');
    const other = await search('mk-border-officer', { person: { familyName: 'Đurović', givenName: 'Željko', dateOfBirth: '1979-08-31' } });
    expect(other.XK!.outcome).toBe('NO_HIT');
    // Domestic officers get their own record in full.
    const own = await search('xk-border-officer', { person: { familyName: 'đurović', givenName: 'ŽELJKO' } });
    expect(own.XK!.hits[0].alert).toMatchObject({
      id: durovic.id,
      access: { tier: 'FULL', basis: 'DOMESTIC' },
      personalData: { subjects: [{ familyName: 'Đurović', givenName: 'Željko' }] },
    });
  });

  it('finds a person across Latin and Cyrillic spellings, at both agencies, and not a near miss', async () => {
    const subject = (familyName: string, givenName: string) => ({
      firearms: [],
      vehicles: [],
      subjects: [{ role: 'SUSPECT', familyName, givenName, dateOfBirth: '1985-03-14', documents: [] }],
    });
    // XK writes the name in Albanian orthography, MK in Macedonian Cyrillic.
    const latin = await create('xk-border-officer', { title: 'Ammunition in a bus', ...subject('Xhaferi', 'Arben') });
    const cyrillic = await create('mk-border-officer', { title: 'Муниција во автобус', ...subject('Џафери', 'Арбен') });
    const found = (results: Record<string, Result>) =>
      Object.fromEntries(Object.entries(results).map(([agency, result]) => [agency, result.hits.map((hit) => [hit.alert.id, hit.matchedOn])]));

    for (const [user, familyName, givenName] of [
      ['mk-border-officer', 'Џафери', 'Арбен'],
      ['xk-border-officer', 'Xhaferi', 'Arben'],
      ['mk-border-officer', 'Dzaferi', 'Arben'],
      ['xk-border-officer', 'Džaferi', 'Arbën'],
    ] as const) {
      const results = await search(user, { person: { familyName, givenName, dateOfBirth: '1985-03-14' } });
      expect(found(results), `${familyName} ${givenName}`).toEqual({ XK: [[latin.id, 'PERSON']], MK: [[cyrillic.id, 'PERSON']] });
    }
    for (const [familyName, givenName] of [
      ['Хафери', 'Арбен'],
      ['Haferi', 'Arben'],
      ['Xhaferi', 'Arbeni'],
    ]) {
      const results = await search('mk-border-officer', { person: { familyName, givenName } });
      expect(found(results), `${familyName} ${givenName}`).toEqual({ XK: [], MK: [] });
    }
  });

  it(`ranks the right firearm first among ${seededFirearms.toLocaleString('en')} when two characters of its serial are obliterated`, async () => {
    const prisma = hub.nodes.get('XK')!.prisma;
    expect(await prisma.firearm.count()).toBeGreaterThanOrEqual(seededFirearms);
    // The check is meaningful: by trigram similarity alone a near miss would come before the target.
    const byTrigrams = await prisma.$queryRaw<{ serial: string; similarity: number }[]>`
      select serial_normalized as serial, similarity(serial_normalized, ${serialSearchKey(obliterated).replaceAll('_', ' ')}) as similarity
        from node.firearm order by 2 desc, 1 limit 1`;
    expect(byTrigrams[0]!.serial).not.toBe(normalizeSerial(targetSerial));

    for (const user of ['mk-border-officer', 'xk-border-officer'] as const) {
      const started = performance.now();
      const results = await search(user, { serialNumber: obliterated }, 20);
      const elapsed = performance.now() - started;
      const hits = results.XK!.hits;
      const rank = hits.findIndex((hit) => hit.alert.id === target.id) + 1;
      console.info(
        `obliterated serial ${obliterated} searched by ${user}: target rank ${rank} of ${hits.length}, score ${hits[rank - 1]?.score}; ` +
          `next: ${hits.slice(1, 4).map((hit) => hit.score).join(', ')}; ${elapsed.toFixed(0)} ms through the gateway`,
      );
      expect(rank).toBe(1);
      const domestic = user === 'xk-border-officer';
      expect(hits[0]).toMatchObject({ matchedOn: 'SERIAL_NUMBER', match: 'PARTIAL', score: domestic ? 0.99 : null });
      // The rest are near misses from the seeded alerts, every one below a match of all readable characters:
      // ranked by similarity for the owner, who may read the serials; newest first for the partner at HIT.
      expect(hits).toHaveLength(20);
      for (const hit of hits.slice(1)) {
        expect(noiseAlertIds.has(hit.alert.localId)).toBe(true);
        expect(hit.match).toBe('SIMILAR');
        if (domestic) {
          expect(hit.score).toBeLessThan(0.99);
          expect(hit.score).toBeGreaterThanOrEqual(0.3);
        } else {
          expect(hit.score).toBeNull();
        }
      }
      const scores = hits.map((hit) => hit.score);
      if (domestic) expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    // The exact serial scores 1, ahead of the near misses.
    const exact = await search('xk-border-officer', { serialNumber: targetSerial }, 5);
    expect(exact.XK!.hits.map((hit) => hit.score)[0]).toBe(1);
    expect(exact.XK!.hits[0].alert.id).toBe(target.id);
    expect(exact.XK!.hits).toHaveLength(5);
  });

  it('gives a partner below SUMMARY nothing that measures a serial it may not read', async () => {
    // The attack of the probe: extend a fragment one character at a time and keep the one that scores best.
    // Every extension must tell the partner the same about the target: how it matched, and no score, no rank.
    const fragment = normalizeSerial(targetSerial).slice(0, 6);
    const answers = new Set<string>();
    for (const next of '0123456789ACDEFGHJKMNPRTUVWXY') {
      const results = await search('mk-border-officer', { serialNumber: fragment + next }, 100);
      const hits = results.XK!.hits;
      const hit = hits.find((candidate) => candidate.alert.id === target.id);
      answers.add(JSON.stringify(hit ? { match: hit.match, score: hit.score } : null));
      // Nor does the order rank what is hidden: hits of one kind come newest first.
      for (const match of ['EXACT', 'PARTIAL', 'SIMILAR']) {
        const order = hits.filter((candidate) => candidate.match === match).map((candidate) => candidate.alert.createdAt);
        expect(order).toEqual([...order].sort().reverse());
      }
    }
    expect([...answers], [...answers].join(" | ")).toHaveLength(1);
    // With the serial released (a SUMMARY grant), the score is the partner's to see.
    const prisma = hub.nodes.get('XK')!.prisma;
    await prisma.consentGrant.create({
      data: { alertId: (await prisma.alert.findUniqueOrThrow({ where: { reference: target.reference } })).id, granteeAgency: 'MK', tier: 'SUMMARY', purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042', expiresAt: new Date(inDays(1)), grantedBy: 'search.test' },
    });
    try {
      const granted = await search('mk-border-officer', { serialNumber: obliterated });
      expect(granted.XK!.hits[0]).toMatchObject({ match: 'PARTIAL', score: 0.99, alert: { id: target.id, access: { tier: 'SUMMARY' } } });
    } finally {
      await prisma.consentGrant.deleteMany({ where: { grantedBy: 'search.test' } });
    }
  });

  it('chooses similar hits whose score it withholds newest first, never the most similar: the choice measures nothing hidden', async () => {
    // Of two alerts found only by similarity, the older has the serial more like the term.
    const older = await create('xk-border-officer', {
      title: 'Most similar, older',
      firearms: [{ make: 'Zastava', model: 'M57', type: 'PISTOL', calibre: '7.62×25 mm', serialNumber: 'WXY-HJKMNR' }],
      subjects: [],
      vehicles: [],
    });
    const newer = await create('xk-border-officer', {
      title: 'Less similar, newer',
      firearms: [{ make: 'Zastava', model: 'M57', type: 'PISTOL', calibre: '7.62×25 mm', serialNumber: 'WXY-HJAAAA' }],
      subjects: [],
      vehicles: [],
    });
    const term = 'WXY-HJKMNP';
    const owner = await search('xk-border-officer', { serialNumber: term }, 1);
    expect(owner.XK!.hits.map((hit) => [hit.alert.id, hit.match])).toEqual([[older.id, 'SIMILAR']]);
    expect(owner.XK!.hits[0].score).toBeGreaterThan(0.6);
    // At HIT the partner gets the newest, whatever their similarity: the same one for any term that finds both.
    for (const serialNumber of [term, 'WXY-HJAAAB', 'WXY-HJKMNR-7']) {
      const partner = await search('mk-border-officer', { serialNumber }, 1);
      expect(partner.XK!.hits.map((hit) => [hit.alert.id, hit.match, hit.score]), serialNumber).toEqual([[newer.id, 'SIMILAR', null]]);
    }
  });

  it('answers the first hits of the order it gives them in: a smaller `first` is a prefix of a larger one, for owner and partner', async () => {
    const prisma = hub.nodes.get('XK')!.prisma;
    // One of the seeded alerts at SUMMARY for MK: its similar hit has a score, and comes before those that do not.
    const [withRule] = [...noiseAlertIds].slice(7, 8);
    await prisma.sharingRule.create({ data: { alertId: withRule!, partnerAgency: 'MK', tier: 'SUMMARY', purposes: ['CRIMINAL_INVESTIGATION'], expiresAt: new Date(inDays(1)), setBy: 'search.test' } });
    try {
      for (const serialNumber of [obliterated, 'M70-481517', 'M70-48', 'WXY-HJKMNP']) {
        for (const user of ['mk-border-officer', 'xk-border-officer'] as const) {
          const all = (await search(user, { serialNumber }, 100)).XK!.hits.map((hit) => [hit.alert.id, hit.match, hit.score]);
          for (const first of [1, 3, 10]) {
            const some = (await search(user, { serialNumber }, first)).XK!.hits.map((hit) => [hit.alert.id, hit.match, hit.score]);
            expect(some, `${serialNumber}, first ${first}, as ${user}`).toEqual(all.slice(0, first));
          }
        }
      }
    } finally {
      await prisma.sharingRule.deleteMany({ where: { setBy: 'search.test' } });
    }
  });

  it('never produces a hit on a record at NONE for the caller; the owner still finds it', async () => {
    for (const [record, serialNumber] of [
      [hiddenByRule, 'KVX-HRTYWN'],
      [hiddenByH2, 'PGX-WKRNTA'],
      [hiddenByH2, 'PGX-WK?NTA'],
    ] as const) {
      const partner = await search('mk-border-officer', { serialNumber });
      expect(partner.XK!.outcome, serialNumber).toBe('NO_HIT');
      expect(partner.XK!.hits).toEqual([]);
      const own = await search('xk-border-officer', { serialNumber });
      expect(own.XK!.outcome).toBe('HIT');
      expect(own.XK!.hits[0]).toMatchObject({ alert: { id: record.id, access: { tier: 'FULL', basis: 'DOMESTIC' } } });
    }
  });

  it('refuses a search that declares no purpose', async () => {
    const result = await hub.query('mk-border-officer', searchQuery, { input: { serialNumber: targetSerial } }, { purpose: null, caseReference: null });
    expect(codes(result)).toEqual(['PURPOSE_REQUIRED']);
    expect(result.data ?? null).toBeNull();
  });

  it('refuses searches with no criterion, two criteria, bad input or an out-of-range first', async () => {
    const refused = async (input: Record<string, unknown>, first?: number) => {
      const result = await hub.query('mk-border-officer', searchQuery, { input, ...(first !== undefined ? { first } : {}) });
      expect(codes(result), JSON.stringify(input)).toEqual(['VALIDATION_FAILED']);
      return result.errors![0]!;
    };
    expect((await refused({})).message).toMatch(/must give one criterion/);
    const two = await refused({ serialNumber: targetSerial, plate: '01-234-AB' });
    expect(two.message).toMatch(/exactly one criterion per search, not 2 \(serialNumber, plate\)/);
    expect(two.extensions!.issues).toEqual([{ path: 'input', message: expect.stringContaining('exactly one criterion') }]);
    await refused({ serialNumber: "M70'; drop table node.firearm; --" });
    await refused({ serialNumber: '??1?' }); // too little left readable
    await refused({ serialNumber: 'x'.repeat(65) });
    await refused({ vin: 'WAUZZZ8K9BA12345' }); // 16 characters
    await refused({ person: { familyName: '---', givenName: 'Besnik' } });
    await refused({ plate: '01-234-AB' }, 0);
    await refused({ plate: '01-234-AB' }, 101);
  });

  it('keeps auditors away from search', async () => {
    const result = await hub.query('xk-auditor', searchQuery, { input: { plate: '01-234-AB' } });
    expect(codes(result)).toEqual(['FORBIDDEN']);
  });
});

// Last: this stops MK's node for the rest of the file.
describe('search while an agency node is down', () => {
  it("answers UNAVAILABLE for that agency, with an error naming it, and the other agency's answer", async () => {
    await hub.stopNode('MK');
    const result = await hub.query('xk-border-officer', searchQuery, { input: { serialNumber: 'm70 481516' }, first: 3 });
    expect(result.status).toBe(200);
    const [mk, xk] = result.data!.search as Result[];
    expect(mk).toMatchObject({ agency: { code: 'MK' }, outcome: 'UNAVAILABLE', hits: [] });
    expect(xk).toMatchObject({ agency: { code: 'XK' }, outcome: 'HIT' });
    expect(xk!.hits[0].alert).toMatchObject({ id: target.id, access: { tier: 'FULL' } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ path: ['search'], extensions: { code: 'AGENCY_UNAVAILABLE', agency: 'MK' } });
  });
});
