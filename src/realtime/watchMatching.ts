import { Prisma } from '../generated/node/client.ts';
import type { ExchangeAgreement } from '../consent/agreement.ts';
import { decideAccess } from '../consent/decideAccess.ts';
import type { Role } from '../identity/roles.ts';
import { consentFacts, consentRelations } from '../node/records/alertRelease.ts';
import { roundScore, wildcardScore } from '../node/records/searchRecords.ts';
import type { UnitOfWork } from '../node/records/unitOfWork.ts';

/**
 * pg_trgm similarity from which a watched serial hits a record whose serial is
 * marked obliterated. Higher than the search's threshold (0.3): a search ranks
 * candidates for an officer who reads them, a hit is pushed to one unasked. A
 * readable serial never hits by similarity at all, since neighbouring serials
 * of one production run are all similar and all different firearms.
 */
export const watchSimilarityThreshold = 0.5;

/** At most this many records hit one new watch entry retroactively (a vague entry must not flood its unit). */
const maxRetroHits = 200;

/** What consent is decided on for a watcher's agency, as alertInclude loads it, without the record's content. */
function consentSelect(watcherAgency: string, owner: string) {
  return { id: true, createdAt: true, handlingCode: true, ...consentRelations(watcherAgency, owner) } satisfies Prisma.AlertSelect;
}
type ConsentRow = Prisma.AlertGetPayload<{ select: ReturnType<typeof consentSelect> }>;

interface Candidate {
  watchEntryId: string;
  alertId: string;
  matchedOn: string;
  score: number;
}

/**
 * Every identifier of the records in scope, as stored (normalised), with what
 * it is; and the active watch entries in scope that each one meets. One
 * statement serves both directions: a changed record against every entry, a
 * new entry against every record.
 */
function candidatesSql(scope: { alertId: string } | { watchEntryId: string }, now: Date) {
  const alertFilter = (column: string) => ('alertId' in scope ? Prisma.sql`and ${Prisma.raw(column)} = ${scope.alertId}::uuid` : Prisma.empty);
  const watchFilter = 'watchEntryId' in scope ? Prisma.sql`and w.id = ${scope.watchEntryId}::uuid` : Prisma.empty;
  return Prisma.sql`
    with identifiers as (
      select f.alert_id, 'SERIAL_NUMBER' as matched_on, f.serial_normalized as key, f.serial_obliterated as worn,
             null::varchar as country, null::varchar as family, null::varchar as given, null::date as born, 0 as preference
        from node.firearm f where f.serial_normalized is not null ${alertFilter('f.alert_id')}
      union all
      select c.alert_id, 'COMPONENT_SERIAL_NUMBER', c.serial_normalized, false, null, null, null, null, 1
        from node.firearm_component c where c.serial_normalized is not null ${alertFilter('c.alert_id')}
      union all
      select av.alert_id, 'PLATE', v.plate_normalized, false, v.plate_country, null, null, null, 0
        from node.alert_vehicle av join node.vehicle v on v.id = av.vehicle_id
       where v.plate_normalized is not null ${alertFilter('av.alert_id')}
      union all
      select av.alert_id, 'VIN', v.vin, false, null, null, null, null, 0
        from node.alert_vehicle av join node.vehicle v on v.id = av.vehicle_id
       where v.vin is not null ${alertFilter('av.alert_id')}
      union all
      select s.alert_id, 'DOCUMENT_NUMBER', d.number_normalized, false, null, null, null, null, 0
        from node.alert_subject s join node.identity_document d on d.subject_id = s.subject_id
       where true ${alertFilter('s.alert_id')}
      union all
      select s.alert_id, 'PERSON', null, false, null, p.family_name_key, p.given_name_key, p.date_of_birth, 0
        from node.alert_subject s join node.subject p on p.id = s.subject_id
       where p.date_of_birth is not null ${alertFilter('s.alert_id')}
    ), matched as (
      select w.id as watch_entry_id, i.alert_id, i.matched_on, i.preference,
             case when i.matched_on not in ('SERIAL_NUMBER', 'COMPONENT_SERIAL_NUMBER') or i.key = w.identifier_key then 1.0::float8
                  when i.key like w.identifier_key then ${wildcardScore}::float8
                  else similarity(i.key, replace(w.identifier_key, '_', ' '))::float8 end as score
        from identifiers i
        join node.watch_entry w on
             (w.kind = 'FIREARM_SERIAL' and i.matched_on in ('SERIAL_NUMBER', 'COMPONENT_SERIAL_NUMBER')
               and (i.key = w.identifier_key or i.key like w.identifier_key
                    or (i.worn and similarity(i.key, replace(w.identifier_key, '_', ' ')) >= ${watchSimilarityThreshold})))
          or (w.kind = 'VEHICLE_PLATE' and i.matched_on = 'PLATE' and i.key = w.identifier_key
               and (w.plate_country is null or i.country is null or i.country = w.plate_country))
          or (w.kind = 'VIN' and i.matched_on = 'VIN' and i.key = w.identifier_key)
          or (w.kind = 'DOCUMENT' and i.matched_on = 'DOCUMENT_NUMBER' and i.key = w.identifier_key)
          or (w.kind = 'PERSON' and i.matched_on = 'PERSON' and i.family = w.family_name_key
               and i.given = w.given_name_key and i.born = w.date_of_birth)
       where w.removed_at is null and w.expires_at > ${now} ${watchFilter}
    )
    select distinct on (watch_entry_id, alert_id)
           watch_entry_id::text as "watchEntryId", alert_id::text as "alertId", matched_on as "matchedOn", score
      from matched
     order by watch_entry_id, alert_id, score desc, preference
     limit ${maxRetroHits}`;
}

/**
 * Matches at the data holder, in the change's own transaction: the changed
 * record against the stored watch entries, or a new watch entry against the
 * stored records (retro hits). A pair hits once. The owner's consent is
 * decided for the watcher (agency, roles, the entry's purpose and case) as
 * for a search: a record the watcher may not see at all (tier NONE) produces
 * no hit and no event, so a hit never tells more than the agreement allows.
 * What the hit carries is decided again when it is delivered.
 */
export async function matchWatchEntries(
  unit: UnitOfWork,
  owner: string,
  scope: { alertId: string } | { watchEntryId: string },
  agreement: ExchangeAgreement,
  now = new Date(),
): Promise<number> {
  const { tx } = unit;
  const candidates = await tx.$queryRaw<Candidate[]>(candidatesSql(scope, now));
  if (candidates.length === 0) return 0;
  const entries = await tx.watchEntry.findMany({ where: { id: { in: [...new Set(candidates.map((c) => c.watchEntryId))] } } });
  const entryById = new Map(entries.map((entry) => [entry.id, entry]));
  // What consent needs of each record, once per watching agency, in one statement per agency (not the whole record per pair).
  const facts = new Map<string, ConsentRow>();
  for (const agency of new Set(entries.map((entry) => entry.ownerAgency))) {
    const ids = [...new Set(candidates.filter((c) => entryById.get(c.watchEntryId)!.ownerAgency === agency).map((c) => c.alertId))];
    const rows = await tx.alert.findMany({ where: { id: { in: ids } }, select: consentSelect(agency, owner) });
    for (const row of rows) facts.set(`${agency} ${row.id}`, row);
  }
  const retro = 'watchEntryId' in scope;
  const hits = candidates.flatMap((candidate) => {
    const entry = entryById.get(candidate.watchEntryId)!;
    const row = facts.get(`${entry.ownerAgency} ${candidate.alertId}`);
    if (!row) return [];
    const watcher = { agency: entry.ownerAgency, roles: entry.registeredRoles as Role[] };
    const decision = decideAccess(watcher, { code: entry.purpose, caseReference: entry.caseReference }, consentFacts(row, owner, entry.ownerAgency), now, agreement);
    if (decision.tier === 'NONE') return [];
    return [{ entry, data: { watchEntryId: entry.id, alertId: row.id, matchedOn: candidate.matchedOn, score: roundScore(candidate.score), retro, at: now } }];
  });
  if (hits.length === 0) return 0;
  // A pair hits once: only the pairs this statement stored produce an event.
  const stored = await tx.watchHit.createManyAndReturn({ data: hits.map((hit) => hit.data), skipDuplicates: true, select: { watchEntryId: true, alertId: true } });
  const fresh = new Set(stored.map((row) => `${row.watchEntryId} ${row.alertId}`));
  for (const { entry, data } of hits) {
    if (!fresh.has(`${data.watchEntryId} ${data.alertId}`)) continue;
    unit.emit({
      kind: 'HIT',
      recipientAgency: entry.ownerAgency,
      recipientUnit: entry.ownerUnit,
      watchEntryId: entry.id,
      alertId: data.alertId,
      details: { matchedOn: data.matchedOn, score: data.score, retro },
    });
  }
  return fresh.size;
}
