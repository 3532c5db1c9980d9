import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSerial } from '../src/domain/normalize.ts';
import { serialSearchKey } from '../src/domain/schema/addSearchTypes.ts';
import { Prisma, type PrismaClient } from '../src/generated/node/client.ts';
import { serialCandidates, similarScoreCap, similarSerialCandidates, similarityTerm, similarityThreshold, wildcardScore } from '../src/node/records/searchRecords.ts';
import { startTestHub, type TestHub } from './helpers.ts';

// node.serial_candidates (migration 0009) answers in steps, exact first and
// trigram scans only as far as needed; these tests hold it to the ranking the
// search had before, written here as the one straightforward statement it
// was, over serials made to crowd it: model prefixes shared by hundreds,
// near misses of one another, short and repetitive serials, components.

let hub: TestHub;
let prisma: PrismaClient;
/** XK alerts by id, with how MK may see them. */
const alerts = new Map<string, { createdAt: Date; forMk: 'NONE' | 'SUMMARY' | 'DEFAULT' }>();
let stored: string[] = [];

/**
 * The ranking as one statement: every serial of a firearm or component that
 * is equal, LIKE or `%` (at the similarity threshold) to the term, one row per
 * alert with its best score (firearm before component at equal score), best
 * first, then newest, then id.
 */
async function referenceSerialRanking(key: string, limit: number) {
  const similar = similarityTerm(key);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`select set_config('pg_trgm.similarity_threshold', ${String(similarityThreshold)}, true)`;
    return tx.$queryRaw<{ alertId: string; matchedOn: string; score: number }[]>`
      with matched as (
        select f.alert_id, 'SERIAL_NUMBER' as matched_on, 0 as preference,
               case when f.serial_normalized = ${key} then 1.0::float8
                    when f.serial_normalized like ${key} then ${wildcardScore}::float8
                    else least(similarity(f.serial_normalized, ${similar})::float8, ${similarScoreCap}::float8) end as score
          from node.firearm f
         where f.serial_normalized = ${key} or f.serial_normalized like ${key} or f.serial_normalized % ${similar}
        union all
        select c.alert_id, 'COMPONENT_SERIAL_NUMBER', 1,
               case when c.serial_normalized = ${key} then 1.0::float8
                    when c.serial_normalized like ${key} then ${wildcardScore}::float8
                    else least(similarity(c.serial_normalized, ${similar})::float8, ${similarScoreCap}::float8) end
          from node.firearm_component c
         where c.serial_normalized = ${key} or c.serial_normalized like ${key} or c.serial_normalized % ${similar}
      ), best as (
        select distinct on (alert_id) alert_id, matched_on, score from matched order by alert_id, score desc, preference
      )
      select b.alert_id::text as "alertId", b.matched_on as "matchedOn", b.score
        from best b join node.alert a on a.id = b.alert_id
       order by b.score desc, a.created_at desc, a.id desc
       limit ${limit}`;
  });
}

const candidatesOf = (key: string, wanted: number) =>
  prisma.$queryRaw<{ alertId: string; matchedOn: string; score: number }[]>(serialCandidates(key, similarityTerm(key), wanted));

type Candidate = Awaited<ReturnType<typeof referenceSerialRanking>>[number];
const matchKind = (candidate: Candidate) => (candidate.score >= 1 ? 0 : candidate.score >= wildcardScore ? 1 : 2);
const newestFirst = (a: Candidate, b: Candidate) =>
  alerts.get(b.alertId)!.createdAt.getTime() - alerts.get(a.alertId)!.createdAt.getTime() || (a.alertId < b.alertId ? 1 : -1);

/**
 * The hits a search answers with, as its order defines them, over the whole
 * ranking: the candidates released to the caller (MK: all but those at NONE),
 * exact, then partial, then similar; among similar ones those whose score the
 * caller may read (MK: the alerts at SUMMARY) by score, then the others newest
 * first; exact and partial newest first. The first `first` of them.
 */
function expectedHits(ranking: Candidate[], partner: boolean, first: number): Candidate[] {
  const released = ranking.filter((candidate) => !partner || alerts.get(candidate.alertId)!.forMk !== 'NONE');
  const scored = (candidate: Candidate) => !partner || alerts.get(candidate.alertId)!.forMk === 'SUMMARY';
  const byScore = (a: Candidate, b: Candidate) =>
    matchKind(a) === 2 && (scored(a) || scored(b)) ? (scored(b) ? b.score : -1) - (scored(a) ? a.score : -1) : 0;
  return [...released].sort((a, b) => matchKind(a) - matchKind(b) || byScore(a, b) || newestFirst(a, b)).slice(0, first);
}

// ─── Serials that crowd the ranking ─────────────────────────────────────────

/** Characters of normalised serials: look-alikes (O, I, S, …) are folded into digits. */
const alphabet = [...'0123456789ACDEFGHJKMNPRTUVWXY'];
const char = fc.constantFrom(...alphabet);
const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const chars = (min: number, max: number) => fc.array(char, { minLength: min, maxLength: max }).map((c) => c.join(''));
/** A model's prefix and digits, as Zastava stamps them: hundreds share the prefix's trigrams. */
const crowded = fc.tuple(fc.constantFrom('M70', 'M70A', 'M57', '99'), digits(5, 7)).map(([prefix, rest]) => `${prefix}${rest}`);
const serial = fc.oneof(
  { weight: 5, arbitrary: crowded },
  { weight: 3, arbitrary: chars(7, 10) },
  { weight: 1, arbitrary: chars(4, 5) },
  { weight: 1, arbitrary: fc.tuple(char, fc.integer({ min: 4, max: 9 })).map(([c, n]) => c.repeat(n)) },
);
/** One substitution, deletion or insertion. */
const edit = (value: string) =>
  fc.tuple(fc.nat({ max: value.length - 1 }), char, fc.constantFrom('substitute', 'delete', 'insert')).map(([at, c, kind]) =>
    kind === 'substitute' ? value.slice(0, at) + c + value.slice(at + 1) : kind === 'delete' ? value.slice(0, at) + value.slice(at + 1) : value.slice(0, at) + c + value.slice(at),
  );

const seed = 20_261_201;
const alertCount = 240;

beforeAll(async () => {
  hub = await startTestHub();
  prisma = hub.nodes.get('XK')!.prisma;
  const base = Date.UTC(2026, 10, 1);
  const data = Array.from({ length: alertCount }, (_, index) => ({
    id: crypto.randomUUID(),
    reference: `XK-CAND-${String(index).padStart(4, '0')}`,
    kind: 'SEIZURE' as const,
    title: `Candidate ${index}`,
    occurredAt: new Date(base),
    locationKind: 'BORDER_CROSSING_POINT' as const,
    riskThreat: 3,
    riskVulnerability: 3,
    riskImpact: 3,
    riskLevel: 'MEDIUM' as const,
    unitCode: 'XK-BP-HANI',
    createdBy: 'serialCandidates.test',
    // Alerts of one hour share their creation time: the id breaks the tie.
    createdAt: new Date(base + Math.floor(index / 3) * 3_600_000),
  }));
  await prisma.alert.createMany({ data });
  const expires = new Date(Date.now() + 30 * 24 * 3600 * 1000);
  for (const [index, alert] of data.entries()) {
    const forMk = index % 7 === 3 ? 'NONE' : index % 7 === 5 ? 'SUMMARY' : 'DEFAULT';
    alerts.set(alert.id, { createdAt: alert.createdAt, forMk });
    if (forMk !== 'DEFAULT') {
      await prisma.sharingRule.create({
        data: { alertId: alert.id, partnerAgency: 'MK', tier: forMk, purposes: ['CRIMINAL_INVESTIGATION', 'BORDER_CHECK'], expiresAt: expires, setBy: 'serialCandidates.test' },
      });
    }
  }
  const ids = data.map((alert) => alert.id);
  // Serials and near misses of them, so that some share most of their trigrams.
  const originals = fc.sample(serial, { seed, numRuns: 1_500 });
  const variants = fc.sample(fc.constantFrom(...originals).chain((value) => edit(value)), { seed: seed + 1, numRuns: 1_000 });
  stored = [...originals, ...variants].filter((value) => value.length >= 4);
  const firearms = stored.slice(0, stored.length - 300);
  const components = stored.slice(stored.length - 300);
  await prisma.firearm.createMany({
    data: firearms.map((value, index) => ({
      alertId: ids[index % alertCount]!,
      position: Math.floor(index / alertCount),
      make: 'Zastava',
      model: 'M70',
      type: 'PISTOL' as const,
      calibre: '7.65 mm',
      serialNumber: value,
      serialNormalized: normalizeSerial(value),
    })),
  });
  await prisma.firearmComponent.createMany({
    data: components.map((value, index) => ({
      alertId: ids[(index * 7) % alertCount]!,
      position: Math.floor((index * 7) / alertCount),
      kind: 'SLIDE' as const,
      quantity: 1,
      serialNumber: value,
      serialNormalized: normalizeSerial(value),
    })),
  });
  await prisma.$executeRawUnsafe('analyze node.firearm, node.firearm_component, node.alert');
}, 120_000);

afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

/** Terms an officer would type for the stored serials: as stamped, one character off, or with characters unreadable. */
const terms = fc
  .nat()
  .chain((pick) => {
    const value = stored[pick % stored.length]!;
    // One or two unreadable characters, never more than the readable ones.
    const worn = fc.uniqueArray(fc.nat({ max: value.length - 1 }), { minLength: 1, maxLength: value.length >= 8 ? 2 : 1 }).map((at) =>
      [...value].map((c, index) => (at.includes(index) ? '?' : c)).join(''),
    );
    return fc.oneof(fc.constant(value), edit(value), worn);
  })
  .filter((value) => normalizeSerial(value.replaceAll('?', '')).length >= 4);

describe('serial candidates: exact first, trigram scans only as far as needed', () => {
  it('give exactly the ranking of the one-statement reference, for exact, near and worn serials and any number wanted', async () => {
    await fc.assert(
      fc.asyncProperty(terms, fc.constantFrom(1, 2, 10, 20, 100), async (value, wanted) => {
        const key = serialSearchKey(value);
        const [actual, expected] = await Promise.all([candidatesOf(key, wanted), referenceSerialRanking(key, wanted)]);
        expect(actual, `${value} (${key}), first ${wanted}`).toEqual(expected);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('stop at the exact match when it fills what is wanted, without a trigram scan, and rank near misses after it otherwise', async () => {
    const value = stored.find((candidate) => /^M70A/.test(candidate))!;
    const key = normalizeSerial(value);
    // Scans of the trigram indexes by the call, from PostgreSQL's own counters, read before and after it in
    // one transaction: since PostgreSQL 15 the "xact" counters also hold the connection's earlier
    // transactions until the backend flushes them (at most once a second, when idle), so only the
    // difference is the call's. With sequential scans off, as the planner chooses on a million serials
    // rather than on these few.
    const trigramScans = async (wanted: number) =>
      prisma.$transaction(async (tx) => {
        const scansSoFar = async () => {
          const [counted] = await tx.$queryRaw<{ scans: number }[]>`
            select sum(pg_stat_get_xact_numscans(c.oid))::int as scans from pg_class c
             where c.relname in ('firearm_serial_trigram_idx', 'firearm_component_serial_trigram_idx')`;
          return counted!.scans;
        };
        await tx.$executeRaw`set local enable_seqscan = off`;
        const before = await scansSoFar();
        const candidates = await tx.$queryRaw<{ score: number }[]>(serialCandidates(key, similarityTerm(key), wanted));
        return { candidates, scans: (await scansSoFar()) - before };
      });
    const one = await trigramScans(1);
    expect(one.candidates).toEqual([expect.objectContaining({ score: 1 })]);
    expect(one.scans).toBe(0);
    const ten = await trigramScans(10);
    expect(ten.candidates[0]).toEqual(one.candidates[0]);
    expect(ten.candidates.slice(1).every((candidate) => candidate.score <= similarScoreCap)).toBe(true);
    expect(ten.scans).toBeGreaterThan(0);
    expect(ten.candidates).toEqual(await referenceSerialRanking(key, 10));
  });

  it('list the alerts found only by similarity newest first, as the ranking scores them (migration 0015)', async () => {
    await fc.assert(
      fc.asyncProperty(terms, fc.constantFrom(1, 10, 100, 5_000), async (value, wanted) => {
        const key = serialSearchKey(value);
        const similarOnly = (await referenceSerialRanking(key, 5_000)).filter((candidate) => matchKind(candidate) === 2);
        const actual = await prisma.$queryRaw<Candidate[]>(similarSerialCandidates(key, similarityTerm(key), wanted));
        expect(actual, `${value} (${key}), ${wanted}`).toEqual([...similarOnly].sort(newestFirst).slice(0, wanted));
      }),
      { seed: seed + 3, numRuns: 100 },
    );
  });

  it("leaves the session's trigram threshold as it was, and answers the same whatever it is", async () => {
    const key = normalizeSerial(stored.find((candidate) => /^M57/.test(candidate))!);
    const expected = await referenceSerialRanking(key, 20);
    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`select set_config('pg_trgm.similarity_threshold', '0.7', true)`;
      const actual = await tx.$queryRaw(serialCandidates(key, similarityTerm(key), 20));
      expect(actual).toEqual(expected);
      const setting = await tx.$queryRaw<{ threshold: string }[]>`select current_setting('pg_trgm.similarity_threshold') as threshold`;
      expect(setting).toEqual([{ threshold: '0.7' }]);
    });
  });
});

const searchQuery = /* GraphQL */ `
  query Search($input: SearchInput!, $first: Int) {
    search(input: $input, first: $first) { agency { code } outcome hits { matchedOn match score alert { localId access { tier } } } }
  }
`;

/** The node's latest disclosure entry for a search, as its log holds it. */
async function lastSearchEntry() {
  const [entry] = await prisma.$queryRaw<{ kind: string; records: { id: string; tier: string }[]; digests: { path: string; kind: string }[] | null; outcome: string }[]>(
    Prisma.sql`select kind, records, digests, outcome from audit.entry where operation = 'query Search' order by seq desc limit 1`,
  );
  return entry!;
}

describe('serial search through the hub: consent and audit as before', () => {
  it('releases the first hits the owner allows, in the order of the search, and logs exactly those with the term digested', async () => {
    const samples = fc.sample(fc.tuple(terms, fc.constantFrom(1, 5, 20)), { seed: seed + 2, numRuns: 12 });
    for (const [value, first] of samples) {
      const key = serialSearchKey(value);
      const ranking = await referenceSerialRanking(key, 5_000);
      for (const user of ['mk-border-officer', 'xk-border-officer'] as const) {
        const result = await hub.query(user, searchQuery, { input: { serialNumber: value }, first });
        expect(result.errors).toBeUndefined();
        const xk = (result.data!.search as any[]).find((answer) => answer.agency.code === 'XK');
        const partner = user === 'mk-border-officer';
        const expected = expectedHits(ranking, partner, first);
        const hits = xk.hits as { matchedOn: string; match: string; score: number | null; alert: { localId: string; access: { tier: string } } }[];
        expect(hits.map((hit) => hit.alert.localId), `${value} as ${user}`).toEqual(expected.map((candidate) => candidate.alertId));
        expect(xk.outcome).toBe(expected.length ? 'HIT' : 'NO_HIT');
        for (const hit of hits) {
          const candidate = expected.find((c) => c.alertId === hit.alert.localId)!;
          const tier = partner ? (alerts.get(candidate.alertId)!.forMk === 'SUMMARY' ? 'SUMMARY' : 'HIT') : 'FULL';
          expect(hit).toMatchObject({ matchedOn: candidate.matchedOn, alert: { access: { tier } } });
          expect(hit.match).toBe(candidate.score >= 1 ? 'EXACT' : candidate.score >= wildcardScore ? 'PARTIAL' : 'SIMILAR');
          expect(hit.score).toBe(tier === 'HIT' ? null : Math.round(candidate.score * 10_000) / 10_000);
        }
        const entry = await lastSearchEntry();
        expect(entry).toMatchObject({ kind: 'DISCLOSURE', outcome: 'OK' });
        expect(entry.records.map((record) => [record.id, record.tier]).sort()).toEqual(hits.map((hit) => [hit.alert.localId, hit.alert.access.tier]).sort());
        expect(entry.digests).toEqual([{ kind: 'SERIAL', path: 'input.serialNumber', digest: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      }
    }
  }, 120_000);
});
