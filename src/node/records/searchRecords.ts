import { Prisma, type PrismaClient } from '../../generated/node/client.ts';
import type { AlertView } from '../../domain/alertView.ts';
import { searchMatches, type SearchCriterion, type SearchField, type SearchMatch } from '../../domain/schema/addSearchTypes.ts';
import { tierOfAlertField } from '../../consent/agreement.ts';
import { tierRank } from '../../consent/tier.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import type { Officer } from '../../identity/officer.ts';
import { releaseAlert, type AlertRow } from './alertRelease.ts';
import { loadAlertRows } from './loadAlertRows.ts';
import { visibleTo } from './visibility.ts';

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
 * A hit as the caller may know it: the score only when the alert is released
 * at the tier of the matched value (then the score tells nothing the caller
 * cannot read), otherwise only how it matched.
 */
export function hitOf(alert: AlertView, matchedOn: SearchField, score: number): SearchHitRecord {
  const match = matchOfScore(score);
  const valueTier = tierOfAlertField(matchedValueIn[matchedOn]) ?? 'FULL';
  const released = tierRank(alert.access.tier) >= tierRank(valueTier);
  return { alert, matchedOn, match, score: released ? roundScore(score) : null };
}

/**
 * Best match first: by how it matched, then by score where the caller may
 * know it; hits whose score is withheld come after those of their kind,
 * newest first, so that the order does not rank hidden values either.
 */
function byBestMatch(a: SearchHitRecord, b: SearchHitRecord): number {
  const byMatch = searchMatches.indexOf(a.match) - searchMatches.indexOf(b.match);
  if (byMatch !== 0) return byMatch;
  if (a.score !== null || b.score !== null) return (b.score ?? -1) - (a.score ?? -1);
  return new Date(b.alert.createdAt).getTime() - new Date(a.alert.createdAt).getTime() || (a.alert.id < b.alert.id ? 1 : -1);
}

export interface SearchAccess {
  caller: Officer;
  owner: string;
  purpose: DeclaredPurpose;
  now: Date;
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
    where: { AND: [exactMatch(criterion), visibleTo(access.caller, access.owner, access.purpose, access.now)] },
    select: { id: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: first,
  });
  const rows = await loadAlertRows(prisma, access, keys.map((key) => key.id));
  const matchedOn: SearchField = criterion.on;
  return rows.flatMap((row) => {
    const alert = release(row, access);
    return alert ? [hitOf(alert, matchedOn, 1)] : [];
  });
}

const release = (row: AlertRow, { caller, owner, purpose, now }: SearchAccess) => releaseAlert(row, owner, caller, purpose, now);

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
 * Serials of firearms and of their components: exact after normalisation
 * (score 1), every readable character matching when some could not be read
 * (LIKE, 0.99), otherwise similar (pg_trgm similarity, at most 0.98), all
 * three answered by the serial indexes (b-tree and trigram GIN).
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

  // Candidates best first, released by the same decision as every other read
  // (decideAccess); a candidate the owner does not release to the caller does
  // not exist for the caller and takes no hit's place. Most searches end with
  // the first `first` candidates; more are asked for only when some were not
  // released, up to maxCandidates.
  const hits: SearchHitRecord[] = [];
  for (let examined = 0, wanted = first; ; examined = wanted, wanted = Math.min(maxCandidates, wanted + candidateBatch)) {
    const candidates = await prisma.$queryRaw<SerialCandidate[]>(serialCandidates(key, similar, wanted));
    const batch = candidates.slice(examined);
    const rows = await loadAlertRows(prisma, access, batch.map((c) => c.alertId));
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const candidate of batch) {
      const row = byId.get(candidate.alertId);
      const alert = row ? release(row, access) : null;
      if (alert && hits.length < first) hits.push(hitOf(alert, candidate.matchedOn, Number(candidate.score)));
    }
    if (hits.length >= first || candidates.length < wanted || wanted >= maxCandidates) break;
  }
  return hits.sort(byBestMatch);
}

/** Scores travel with four decimals: similarity is a float4 in PostgreSQL. */
export const roundScore = (score: number) => Math.round(Number(score) * 10_000) / 10_000;
