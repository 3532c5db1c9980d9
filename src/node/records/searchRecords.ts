import { Prisma, type PrismaClient } from '../../generated/node/client.ts';
import type { AlertView } from '../../domain/alertView.ts';
import { searchMatches, type SearchCriterion, type SearchField, type SearchMatch } from '../../domain/schema/addSearchTypes.ts';
import { tierOfAlertField, type ExchangeAgreement } from '../../consent/agreement.ts';
import { tierRank, type Tier } from '../../consent/tier.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import type { Officer } from '../../identity/officer.ts';
import { releaseAlert, type AlertRow } from './alertRelease.ts';
import { loadAlertRows } from './loadAlertRows.ts';
import { alertsVisibleTo, releasedAtLeast } from './visibility.ts';

/** One alert that matched, released at the tier the owner allows the caller. */
export interface SearchHitRecord {
  alert: AlertView;
  matchedOn: SearchField;
  match: SearchMatch;
  /** 1 = exact after normalisation; less for approximate serial matches. Null when the matched value is not released to the caller. */
  score: number | null;
}

/** The released Alert field that holds each matched value: serials are in the summary, personal identifiers in the personal data. */
const matchedValueIn: Record<SearchField, string> = {
  SERIAL_NUMBER: 'summary',
  COMPONENT_SERIAL_NUMBER: 'summary',
  PLATE: 'personalData',
  VIN: 'personalData',
  DOCUMENT_NUMBER: 'personalData',
  PERSON: 'personalData',
};

/**
 * The tier at which the owner releases a matched value, and with it how
 * similar it is to the one searched: that of the field that holds it (FULL
 * for a field the agreement names at no tier; NONE names none).
 */
function valueTierOf(matchedOn: SearchField, agreement: ExchangeAgreement): Exclude<Tier, 'NONE'> {
  const tier = tierOfAlertField(matchedValueIn[matchedOn], agreement);
  return tier === undefined || tier === 'NONE' ? 'FULL' : tier;
}

/**
 * A hit as the caller may know it: the score only when the alert is released
 * at the tier of the matched value (then the score tells nothing the caller
 * cannot read), otherwise only how it matched.
 */
export function hitOf(alert: AlertView, matchedOn: SearchField, score: number, agreement: ExchangeAgreement): SearchHitRecord {
  const match = matchOfScore(score);
  const released = tierRank(alert.access.tier) >= tierRank(valueTierOf(matchedOn, agreement));
  return { alert, matchedOn, match, score: released ? roundScore(score) : null };
}

/**
 * Best match first: by how it matched; among similar hits, those whose score
 * the caller may know by score, then those whose score is withheld newest
 * first, so that the order does not rank hidden values; exact and partial
 * hits, whose score is their kind's, newest first. The hits a search answers
 * with are the first of this order over every hit it has (see searchSerial).
 */
function byBestMatch(a: SearchHitRecord, b: SearchHitRecord): number {
  const byMatch = searchMatches.indexOf(a.match) - searchMatches.indexOf(b.match);
  if (byMatch !== 0) return byMatch;
  if (a.match === 'SIMILAR' && (a.score !== null || b.score !== null)) {
    const byScore = (b.score ?? -1) - (a.score ?? -1);
    if (byScore !== 0) return byScore;
  }
  return new Date(b.alert.createdAt).getTime() - new Date(a.alert.createdAt).getTime() || (a.alert.id < b.alert.id ? 1 : -1);
}

export interface SearchAccess {
  caller: Officer;
  owner: string;
  purpose: DeclaredPurpose;
  now: Date;
  /** The agreement the node enforces. */
  agreement: ExchangeAgreement;
}

/** How a serial matched, read from its score (node.serial_score, migration 0014): 1 itself, {@link wildcardScore} every readable character. */
export const matchOfScore = (score: number): SearchMatch => (score >= 1 ? 'EXACT' : score >= wildcardScore ? 'PARTIAL' : 'SIMILAR');

/** Score of a serial whose readable characters all match a serial searched with unreadable ones. */
export const wildcardScore = 0.99;
/** Similar serials (pg_trgm) score at most this: always below a match of every readable character. */
export const similarScoreCap = 0.98;
/** pg_trgm similarity below which a serial is not similar at all. */
export const similarityThreshold = 0.3;
/** Further serial candidates examined per round when some of the first were not released to the caller. */
const candidateBatch = 200;
/** At most this many candidate alerts are examined for one serial search (bounds the work of a vague search). */
const maxCandidates = 5_000;

/**
 * Hit/no-hit search over the node's own records (the owner matches, as in
 * Prüm): the alerts that match the criterion and that the owner releases to
 * the caller for the declared purpose, best match first (then newest first),
 * one hit per alert with its best match, at most `first`. A record the caller
 * may not see (tier NONE) never produces a hit and never takes the place of
 * one; the owner's own officers search all their records.
 */
export async function searchAlerts(prisma: PrismaClient, access: SearchAccess, criterion: SearchCriterion, first: number): Promise<SearchHitRecord[]> {
  if (criterion.on === 'SERIAL') return searchSerial(prisma, access, criterion, first);
  const keys = await prisma.alert.findMany({
    where: { AND: [exactMatch(criterion), alertsVisibleTo(access.caller, access.owner, access.purpose, access.now, access.agreement)] },
    select: { id: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: first,
  });
  const rows = await loadAlertRows(prisma, access, keys.map((key) => key.id));
  const matchedOn: SearchField = criterion.on;
  return rows.flatMap((row) => {
    const alert = release(row, access);
    return alert ? [hitOf(alert, matchedOn, 1, access.agreement)] : [];
  });
}

const release = (row: AlertRow, { caller, owner, purpose, now, agreement }: SearchAccess) => releaseAlert(row, owner, caller, purpose, now, agreement);

/** Criteria matched exactly on their normalised, indexed keys. */
function exactMatch(criterion: Exclude<SearchCriterion, { on: 'SERIAL' }>): Prisma.AlertWhereInput {
  switch (criterion.on) {
    case 'PLATE':
      return { vehicles: { some: { vehicle: { plateNormalized: criterion.key } } } };
    case 'VIN':
      return { vehicles: { some: { vehicle: { vin: criterion.key } } } };
    case 'DOCUMENT_NUMBER':
      return { subjects: { some: { subject: { documents: { some: { numberNormalized: criterion.key } } } } } };
    case 'PERSON':
      return {
        subjects: {
          some: {
            subject: {
              familyNameKey: criterion.familyNameKey,
              givenNameKey: criterion.givenNameKey,
              ...(criterion.dateOfBirth ? { dateOfBirth: criterion.dateOfBirth } : {}),
            },
          },
        },
      };
  }
}

interface SerialCandidate {
  alertId: string;
  matchedOn: 'SERIAL_NUMBER' | 'COMPONENT_SERIAL_NUMBER';
  score: number;
}

/**
 * The first `wanted` serial candidates of the ranking, best first: exact,
 * every readable character (LIKE `key`), similar (pg_trgm to `similar`), over
 * firearms and components, one row per alert. One call of the node's
 * `serial_candidates` function (migration 0009), which sets its own trigram
 * threshold and scans by trigrams only as far as the answer needs. Exported
 * so that the benchmark times and explains the very call the node makes.
 */
export const serialCandidates = (key: string, similar: string, wanted: number) => Prisma.sql`
      select alert_id::text as "alertId", matched_on as "matchedOn", score
        from node.serial_candidates(${key}, ${similar}, ${similarityThreshold}::float8, ${wildcardScore}::float8, ${similarScoreCap}::float8, ${wanted}::int)`;

/** The term as pg_trgm compares it: unreadable characters separate the readable parts. */
export const similarityTerm = (key: string) => key.replaceAll('_', ' ').trim();

/**
 * The alerts found only by similarity (none of their serials equal or LIKE
 * the key), newest first, at most `wanted`: one call of the node's
 * `similar_serial_candidates` function (migration 0015), scored as
 * serialCandidates scores them.
 */
export const similarSerialCandidates = (key: string, similar: string, wanted: number) => Prisma.sql`
      select alert_id::text as "alertId", matched_on as "matchedOn", score
        from node.similar_serial_candidates(${key}, ${similar}, ${similarityThreshold}::float8, ${similarScoreCap}::float8, ${wanted}::int)`;

/**
 * Serials of firearms and of their components: exact after normalisation
 * (score 1), every readable character matching when some could not be read
 * (LIKE, 0.99), otherwise similar (pg_trgm similarity, at most 0.98), all
 * three answered by the serial indexes (b-tree and trigram GIN); the first
 * `first` of byBestMatch's order over every hit the caller may have.
 */
async function searchSerial(
  prisma: PrismaClient,
  access: SearchAccess,
  criterion: Extract<SearchCriterion, { on: 'SERIAL' }>,
  first: number,
): Promise<SearchHitRecord[]> {
  // With no unreadable character the LIKE pattern is the key itself, an equality.
  const key = criterion.key;
  const similar = similarityTerm(key);
  const ranked = await firstRankedHits(prisma, access, key, similar, first);
  // Exact and partial hits score alike within their kind: the ranking took them newest first, as the order
  // wants, and so it took similar hits whose score the caller may know. Similar hits whose score is withheld
  // it took by that score, which would let the choice measure what the owner withholds: those are chosen
  // again, newest first, unless the ranking held no more than the caller got.
  const withheld = ranked.hits.some((hit) => hit.match === 'SIMILAR' && hit.score === null);
  if (ranked.exhausted || !withheld) return ranked.hits.sort(byBestMatch);
  const others = ranked.hits.filter((hit) => hit.match !== 'SIMILAR');
  return [...others, ...(await similarHits(prisma, access, key, similar, first - others.length))].sort(byBestMatch);
}

/**
 * The first `first` hits of the ranking (best score first, then newest),
 * released by the same decision as every other read (decideAccess); a
 * candidate the owner does not release to the caller does not exist for the
 * caller and takes no hit's place. Most searches end with the first `first`
 * candidates; more are asked for only when some were not released, up to
 * maxCandidates. `exhausted`: the ranking had no more candidates.
 */
async function firstRankedHits(prisma: PrismaClient, access: SearchAccess, key: string, similar: string, first: number) {
  const hits: SearchHitRecord[] = [];
  for (let examined = 0, wanted = first; ; examined = wanted, wanted = Math.min(maxCandidates, wanted + candidateBatch)) {
    const candidates = await prisma.$queryRaw<SerialCandidate[]>(serialCandidates(key, similar, wanted));
    hits.push(...(await releasedHits(prisma, access, candidates.slice(examined))).slice(0, first - hits.length));
    if (candidates.length < wanted) return { hits, exhausted: true };
    if (hits.length >= first || wanted >= maxCandidates) return { hits, exhausted: false };
  }
}

/**
 * The similar hits of byBestMatch's order: among the newest maxCandidates
 * alerts found only by similarity, those the caller may read the serial of
 * (the owner's database filter of consent at the serial's tier) by score, then
 * the others it may see newest first; at most `wanted`, released by
 * decideAccess like every hit.
 */
async function similarHits(prisma: PrismaClient, access: SearchAccess, key: string, similar: string, wanted: number): Promise<SearchHitRecord[]> {
  const candidates = await prisma.$queryRaw<SerialCandidate[]>(similarSerialCandidates(key, similar, maxCandidates));
  const { caller, owner, purpose, now, agreement } = access;
  const among = async (consent: Prisma.AlertWhereInput) => {
    const rows = await prisma.alert.findMany({ where: { AND: [{ id: { in: candidates.map((c) => c.alertId) } }, consent] }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  };
  const [scored, visible] = await Promise.all([
    among(releasedAtLeast(caller, owner, purpose, now, valueTierOf('SERIAL_NUMBER', agreement), agreement)),
    among(alertsVisibleTo(caller, owner, purpose, now, agreement)),
  ]);
  const chosen = [
    // Stable: at equal score the newest first, as the candidates come.
    ...candidates.filter((candidate) => scored.has(candidate.alertId)).sort((a, b) => Number(b.score) - Number(a.score)),
    ...candidates.filter((candidate) => visible.has(candidate.alertId) && !scored.has(candidate.alertId)),
  ].slice(0, wanted);
  return releasedHits(prisma, access, chosen);
}

/** The candidates the owner releases to the caller, as hits, in the candidates' order. */
async function releasedHits(prisma: PrismaClient, access: SearchAccess, candidates: SerialCandidate[]): Promise<SearchHitRecord[]> {
  const rows = await loadAlertRows(prisma, access, candidates.map((candidate) => candidate.alertId));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return candidates.flatMap((candidate) => {
    const row = byId.get(candidate.alertId);
    const alert = row ? release(row, access) : null;
    return alert ? [hitOf(alert, candidate.matchedOn, Number(candidate.score), access.agreement)] : [];
  });
}

/** Scores travel with four decimals: similarity is a float4 in PostgreSQL. */
export const roundScore = (score: number) => Math.round(Number(score) * 10_000) / 10_000;
