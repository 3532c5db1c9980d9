import { Prisma, type PrismaClient } from '../../generated/node/client.ts';
import type { AlertView } from '../../domain/alertView.ts';
import { searchMatches, type SearchCriterion, type SearchField, type SearchMatch } from '../../domain/schema/addSearchTypes.ts';
import { tierOfAlertField } from '../../consent/agreement.ts';
import { tierRank } from '../../consent/tier.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import type { Officer } from '../../identity/officer.ts';
import { releaseAlert, type AlertRow } from './alertRecords.ts';
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
  const match: SearchMatch = score >= 1 ? 'EXACT' : score >= wildcardScore ? 'PARTIAL' : 'SIMILAR';
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

/** Score of a serial whose readable characters all match a serial searched with unreadable ones. */
export const wildcardScore = 0.99;
/** Similar serials (pg_trgm) score at most this: always below a match of every readable character. */
export const similarScoreCap = 0.98;
/** pg_trgm similarity below which a serial is not similar at all. */
export const similarityThreshold = 0.3;
/** Serial candidates examined per round: the best-scored first, until enough are visible to the caller. */
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
  const rows = await loadAlertRows(prisma, access.caller, access.owner, keys.map((key) => key.id));
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
 * The statement that finds serial candidates, best first: exact, every
 * readable character (LIKE `key`), similar (`%` to `similar`), over firearms
 * and components, one row per alert. Exported so that the benchmark explains
 * the very statement the node runs.
 */
export const serialCandidates = (key: string, similar: string, limit: number, offset: number) => Prisma.sql`
      with matched as (
        select f.alert_id, 'SERIAL_NUMBER' as matched_on, 0 as preference,
               case when f.serial_normalized = ${key} then 1.0::float8
                    when f.serial_normalized like ${key} then ${wildcardScore}::float8
                    else least(similarity(f.serial_normalized, ${similar})::float8, ${similarScoreCap}::float8) end as score
          from node.firearm f
         where f.serial_normalized = ${key} or f.serial_normalized like ${key} or f.serial_normalized % ${similar}
        union all
        select c.alert_id, 'COMPONENT_SERIAL_NUMBER' as matched_on, 1 as preference,
               case when c.serial_normalized = ${key} then 1.0::float8
                    when c.serial_normalized like ${key} then ${wildcardScore}::float8
                    else least(similarity(c.serial_normalized, ${similar})::float8, ${similarScoreCap}::float8) end as score
          from node.firearm_component c
         where c.serial_normalized = ${key} or c.serial_normalized like ${key} or c.serial_normalized % ${similar}
      ), best as (
        select distinct on (alert_id) alert_id, matched_on, score
          from matched
         order by alert_id, score desc, preference
      )
      select b.alert_id::text as "alertId", b.matched_on as "matchedOn", b.score as "score"
        from best b join node.alert a on a.id = b.alert_id
       order by b.score desc, a.created_at desc, a.id desc
       limit ${limit} offset ${offset}`;

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
  // Unreadable characters separate the readable parts for trigram similarity.
  const similar = key.replaceAll('_', ' ').trim();
  const visible = visibleTo(access.caller, access.owner, access.purpose, access.now);

  // Which candidates, best first, the owner releases to the caller; the rest do not exist for the caller.
  const chosen = await prisma.$transaction(
    async (tx) => {
      // The % operator (which the trigram index answers) compares with this threshold; local to the transaction.
      await tx.$executeRaw`select set_config('pg_trgm.similarity_threshold', ${String(similarityThreshold)}, true)`;
      const found: SerialCandidate[] = [];
      for (let offset = 0; found.length < first && offset < maxCandidates; offset += candidateBatch) {
        const candidates = await tx.$queryRaw<SerialCandidate[]>(serialCandidates(key, similar, candidateBatch, offset));
        if (candidates.length === 0) break;
        const visibleIds = new Set(
          (await tx.alert.findMany({ where: { AND: [{ id: { in: candidates.map((c) => c.alertId) } }, visible] }, select: { id: true } })).map(
            (row) => row.id,
          ),
        );
        found.push(...candidates.filter((candidate) => visibleIds.has(candidate.alertId)).slice(0, first - found.length));
        if (candidates.length < candidateBatch) break;
      }
      return found;
    },
    { timeout: 10_000 },
  );
  if (chosen.length === 0) return [];

  // The hits themselves, released by the same decision as every other read (decideAccess).
  const rows = await loadAlertRows(prisma, access.caller, access.owner, chosen.map((c) => c.alertId));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const hits = chosen.flatMap((candidate) => {
    const row = byId.get(candidate.alertId);
    const alert = row ? release(row, access) : null;
    return alert ? [hitOf(alert, candidate.matchedOn, Number(candidate.score))] : [];
  });
  return hits.sort(byBestMatch);
}

/** Scores travel with four decimals: similarity is a float4 in PostgreSQL. */
export const roundScore = (score: number) => Math.round(Number(score) * 10_000) / 10_000;
