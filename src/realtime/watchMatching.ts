import type { Prisma, WatchEntry as WatchEntryRow } from '../generated/node/client.ts';
import type { ExchangeAgreement } from '../consent/agreement.ts';
import { decideAccess } from '../consent/decideAccess.ts';
import { maxRetroHits } from '../domain/watchView.ts';
import type { Role } from '../identity/roles.ts';
import { consentFacts, consentRelations } from '../node/records/alertRelease.ts';
import { roundScore } from '../node/records/searchRecords.ts';
import type { UnitOfWork } from '../node/records/unitOfWork.ts';
import { entriesMeetingRecord, recordsMeetingEntry, type Candidate, type WatcherCandidate } from './watchCandidates.ts';

/** Records whose consent facts are read at once while retro hits are decided. */
const retroBatch = 500;

/** What consent is decided on for a watcher's agency, as alertInclude loads it, without the record's content. */
function consentSelect(watcherAgency: string, owner: string) {
  return { id: true, createdAt: true, handlingCode: true, ...consentRelations(watcherAgency, owner) } satisfies Prisma.AlertSelect;
}
type ConsentRow = Prisma.AlertGetPayload<{ select: ReturnType<typeof consentSelect> }>;

/** Who watches, and under which purpose: what the owner's consent is decided for. */
type Watcher = Pick<WatcherCandidate, 'ownerAgency' | 'ownerUnit' | 'registeredRoles' | 'purpose' | 'caseReference'>;

/** The candidates the owner releases something of (a tier above NONE) to their watcher, in the order given. */
async function visibleToWatchers<C extends Candidate>(
  tx: Prisma.TransactionClient,
  owner: string,
  candidates: readonly C[],
  watcherOf: (candidate: C) => Watcher,
  now: Date,
  agreement: ExchangeAgreement,
) {
  const facts = new Map<string, ConsentRow>();
  // What consent needs of each record, once per watching agency, in one statement per agency (not the whole record per pair).
  for (const agency of new Set(candidates.map((candidate) => watcherOf(candidate).ownerAgency))) {
    const ids = [...new Set(candidates.filter((candidate) => watcherOf(candidate).ownerAgency === agency).map((candidate) => candidate.alertId))];
    const rows = await tx.alert.findMany({ where: { id: { in: ids } }, select: consentSelect(agency, owner) });
    for (const row of rows) facts.set(`${agency} ${row.id}`, row);
  }
  return candidates.filter((candidate) => {
    const watcher = watcherOf(candidate);
    const row = facts.get(`${watcher.ownerAgency} ${candidate.alertId}`);
    if (!row) return false;
    const caller = { agency: watcher.ownerAgency, roles: watcher.registeredRoles as Role[] };
    const purpose = { code: watcher.purpose, caseReference: watcher.caseReference };
    return decideAccess(caller, purpose, consentFacts(row, owner, watcher.ownerAgency), now, agreement).tier !== 'NONE';
  });
}

/** Stores the hits (a pair hits once) and emits an event for each pair stored now; returns how many. */
async function recordHits(unit: UnitOfWork, hits: readonly (Candidate & { watcher: Watcher })[], retro: boolean, now: Date): Promise<number> {
  if (hits.length === 0) return 0;
  const stored = await unit.tx.watchHit.createManyAndReturn({
    data: hits.map((hit) => ({ watchEntryId: hit.watchEntryId, alertId: hit.alertId, matchedOn: hit.matchedOn, score: roundScore(hit.score), retro, at: now })),
    skipDuplicates: true,
    select: { watchEntryId: true, alertId: true },
  });
  const fresh = new Set(stored.map((row) => `${row.watchEntryId} ${row.alertId}`));
  for (const hit of hits) {
    if (!fresh.has(`${hit.watchEntryId} ${hit.alertId}`)) continue;
    unit.emit({
      kind: 'HIT',
      recipientAgency: hit.watcher.ownerAgency,
      recipientUnit: hit.watcher.ownerUnit,
      // Delivered only to officers working under the purpose and case the entry was registered for.
      purpose: hit.watcher.purpose,
      caseReference: hit.watcher.caseReference,
      watchEntryId: hit.watchEntryId,
      alertId: hit.alertId,
      details: { matchedOn: hit.matchedOn, score: roundScore(hit.score), retro },
    });
  }
  return fresh.size;
}

/**
 * Matches a record that was created or changed (or whose consent changed: a
 * policy, a grant, a release) against every active watch entry it meets, in
 * the change's own transaction. The owner's consent is decided for each
 * watcher (agency, roles, the entry's purpose and case) as for a search: a
 * record the watcher may not see at all (tier NONE) produces no hit and no
 * event, so a hit never tells more than the agreement allows. A pair hits
 * once; what the hit carries is decided again when it is delivered. Returns
 * the number of new hits.
 */
export async function matchRecord(unit: UnitOfWork, owner: string, alertId: string, agreement: ExchangeAgreement, now = new Date()): Promise<number> {
  const candidates = await unit.tx.$queryRaw<WatcherCandidate[]>(entriesMeetingRecord(alertId, now));
  if (candidates.length === 0) return 0;
  const visible = await visibleToWatchers(unit.tx, owner, candidates, (candidate) => candidate, now, agreement);
  return recordHits(unit, visible.map((candidate) => ({ ...candidate, watcher: candidate })), false, now);
}

/** What a new watch entry found among the records already held. */
export interface RetroMatch {
  hits: number;
  /** True when more records were released to the watcher than {@link maxRetroHits}: the newest were kept. */
  capped: boolean;
}

/**
 * Matches a new watch entry against the records already held (retro hits),
 * in its registration's transaction, with the same consent as
 * {@link matchRecord}: the newest records the owner releases to the watcher,
 * at most {@link maxRetroHits}.
 */
export async function matchNewEntry(unit: UnitOfWork, owner: string, entry: WatchEntryRow, agreement: ExchangeAgreement, now = new Date()): Promise<RetroMatch> {
  if (entry.removedAt !== null || entry.expiresAt <= now) return { hits: 0, capped: false };
  const candidates = await unit.tx.$queryRaw<Candidate[]>(recordsMeetingEntry(entry));
  const watcher: Watcher = entry;
  // One more than the cap is looked for, to know whether the cap cut anything off.
  const visible: Candidate[] = [];
  for (let start = 0; start < candidates.length && visible.length <= maxRetroHits; start += retroBatch) {
    visible.push(...(await visibleToWatchers(unit.tx, owner, candidates.slice(start, start + retroBatch), () => watcher, now, agreement)));
  }
  const kept = visible.slice(0, maxRetroHits);
  const capped = visible.length > maxRetroHits;
  return { hits: await recordHits(unit, kept.map((candidate) => ({ ...candidate, watcher })), true, now), capped };
}
