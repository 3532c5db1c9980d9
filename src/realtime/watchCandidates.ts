import { Prisma, type WatchEntry as WatchEntryRow } from '../generated/node/client.ts';
import { similarScoreCap, wildcardScore } from '../node/records/searchRecords.ts';

/**
 * pg_trgm similarity from which a watched serial hits a record whose serial is
 * marked obliterated. Higher than the search's threshold (0.3): a search ranks
 * candidates for an officer who reads them, a hit is pushed to one unasked. A
 * readable serial never hits by similarity at all, since neighbouring serials
 * of one production run are all similar and all different firearms.
 */
export const watchSimilarityThreshold = 0.5;

/** One watch entry that one record meets, on its best identifier (before consent). */
export interface Candidate {
  watchEntryId: string;
  alertId: string;
  matchedOn: string;
  score: number;
}

/** A candidate of a changed record, with what consent is decided on for its watcher. */
export interface WatcherCandidate extends Candidate {
  ownerAgency: string;
  ownerUnit: string;
  registeredRoles: string[];
  purpose: string;
  caseReference: string | null;
}

/** The serial score (migration 0014): one definition for the search and for watch matching. */
const serialScore = (serial: Prisma.Sql, key: Prisma.Sql) =>
  Prisma.sql`node.serial_score(${serial}, ${key}, ${wildcardScore}::float8, ${similarScoreCap}::float8)`;

const serialFields = Prisma.sql`('SERIAL_NUMBER', 'COMPONENT_SERIAL_NUMBER')`;

/**
 * The active watch entries one record meets, each once with its best
 * identifier (exact first, then firearm before component), and the entry's
 * watcher. Every identifier of the record is looked up on its own index:
 * equality on (kind, identifier_key) for serials, plates, VINs and documents,
 * the person's name keys and date of birth, the anchors of wildcard serials
 * (then LIKE; only watched serials have one), and, for a serial marked
 * obliterated, the trigram index of the watched keys. No watch entry is read
 * that none of these finds.
 */
export function entriesMeetingRecord(alertId: string, now: Date): Prisma.Sql {
  const active = Prisma.sql`w.removed_at is null and w.expires_at > ${now}`;
  const watcher = Prisma.sql`w.owner_agency, w.owner_unit, w.registered_roles, w.purpose, w.case_reference`;
  return Prisma.sql`
    with identifiers as materialized (
      select f.alert_id, 'SERIAL_NUMBER' as matched_on, 'FIREARM_SERIAL'::node.watch_kind as watch_kind, f.serial_normalized::text as key,
             f.serial_obliterated as worn, null::text as country, null::text as family, null::text as given, null::date as born, 0 as preference
        from node.firearm f where f.alert_id = ${alertId}::uuid and f.serial_normalized is not null
      union all
      select c.alert_id, 'COMPONENT_SERIAL_NUMBER', 'FIREARM_SERIAL', c.serial_normalized, false, null, null, null, null, 1
        from node.firearm_component c where c.alert_id = ${alertId}::uuid and c.serial_normalized is not null
      union all
      select av.alert_id, 'PLATE', 'VEHICLE_PLATE', v.plate_normalized, false, v.plate_country, null, null, null, 0
        from node.alert_vehicle av join node.vehicle v on v.id = av.vehicle_id
       where av.alert_id = ${alertId}::uuid and v.plate_normalized is not null
      union all
      select av.alert_id, 'VIN', 'VIN', v.vin, false, null, null, null, null, 0
        from node.alert_vehicle av join node.vehicle v on v.id = av.vehicle_id
       where av.alert_id = ${alertId}::uuid and v.vin is not null
      union all
      select s.alert_id, 'DOCUMENT_NUMBER', 'DOCUMENT', d.number_normalized, false, null, null, null, null, 0
        from node.alert_subject s join node.identity_document d on d.subject_id = s.subject_id
       where s.alert_id = ${alertId}::uuid
      union all
      select s.alert_id, 'PERSON', 'PERSON', null, false, null, p.family_name_key, p.given_name_key, p.date_of_birth, 0
        from node.alert_subject s join node.subject p on p.id = s.subject_id
       where s.alert_id = ${alertId}::uuid and p.date_of_birth is not null
    ), met as (
      select w.id as watch_entry_id, i.alert_id, i.matched_on, i.preference, 1.0::float8 as score, ${watcher}
        from identifiers i
        join node.watch_entry w on w.kind = i.watch_kind and w.identifier_key = i.key
       where (w.plate_country is null or i.country is null or i.country = w.plate_country) and ${active}
      union all
      select w.id, i.alert_id, i.matched_on, i.preference, ${serialScore(Prisma.sql`i.key`, Prisma.sql`w.identifier_key`)}, ${watcher}
        from identifiers i
        join node.watch_entry w on w.serial_anchor = any(node.serial_anchors(i.key)) and i.key like w.identifier_key
       where i.matched_on in ${serialFields} and ${active}
      union all
      select w.id, i.alert_id, i.matched_on, i.preference, ${serialScore(Prisma.sql`i.key`, Prisma.sql`w.identifier_key`)}, ${watcher}
        from identifiers i
       cross join lateral node.watched_serials_similar_to(i.key, ${watchSimilarityThreshold}::float8) s
        join node.watch_entry w on w.id = s.watch_entry_id
       where i.worn and w.kind = 'FIREARM_SERIAL' and ${active}
      union all
      select w.id, i.alert_id, i.matched_on, i.preference, 1.0::float8, ${watcher}
        from identifiers i
        join node.watch_entry w on w.family_name_key = i.family and w.given_name_key = i.given and w.date_of_birth = i.born
       where i.matched_on = 'PERSON' and w.kind = 'PERSON' and ${active}
    )
    select distinct on (watch_entry_id, alert_id)
           watch_entry_id::text as "watchEntryId", alert_id::text as "alertId", matched_on as "matchedOn", score,
           owner_agency as "ownerAgency", owner_unit as "ownerUnit", registered_roles as "registeredRoles", purpose, case_reference as "caseReference"
      from met order by watch_entry_id, alert_id, score desc, preference`;
}

/** A serial's matches among the serials of firearms or of components, by the table's own indexes. */
function serialsMeeting(table: 'firearm' | 'firearm_component', matchedOn: string, preference: number, key: string): Prisma.Sql {
  const rows = Prisma.raw(`node.${table}`);
  const scored = Prisma.sql`select t.alert_id, ${matchedOn}::text as matched_on, ${preference}::int as preference, ${serialScore(Prisma.sql`t.serial_normalized`, Prisma.sql`${key}`)} as score from ${rows} t`;
  // Without an unreadable character the LIKE would be the equality again.
  return key.includes('_')
    ? Prisma.sql`${scored} where t.serial_normalized = ${key} union all ${scored} where t.serial_normalized like ${key}`
    : Prisma.sql`${scored} where t.serial_normalized = ${key}`;
}

/** Every (record, identifier) a watch entry meets, through the records' indexes. */
function identifiersMeeting(entry: WatchEntryRow): Prisma.Sql {
  const key = entry.identifierKey ?? '';
  switch (entry.kind) {
    case 'FIREARM_SERIAL':
      return Prisma.sql`
        ${serialsMeeting('firearm', 'SERIAL_NUMBER', 0, key)}
        union all
        select s.alert_id, 'SERIAL_NUMBER', 0, ${serialScore(Prisma.sql`s.serial`, Prisma.sql`${key}`)}
          from node.worn_serials_similar_to(${key}, ${watchSimilarityThreshold}::float8) s
        union all
        ${serialsMeeting('firearm_component', 'COMPONENT_SERIAL_NUMBER', 1, key)}`;
    case 'VEHICLE_PLATE':
      return Prisma.sql`
        select av.alert_id, 'PLATE' as matched_on, 0 as preference, 1.0::float8 as score
          from node.vehicle v join node.alert_vehicle av on av.vehicle_id = v.id
         where v.plate_normalized = ${key} and (${entry.plateCountry}::text is null or v.plate_country is null or v.plate_country = ${entry.plateCountry})`;
    case 'VIN':
      return Prisma.sql`
        select av.alert_id, 'VIN' as matched_on, 0 as preference, 1.0::float8 as score
          from node.vehicle v join node.alert_vehicle av on av.vehicle_id = v.id where v.vin = ${key}`;
    case 'DOCUMENT':
      return Prisma.sql`
        select s.alert_id, 'DOCUMENT_NUMBER' as matched_on, 0 as preference, 1.0::float8 as score
          from node.identity_document d join node.alert_subject s on s.subject_id = d.subject_id where d.number_normalized = ${key}`;
    case 'PERSON':
      return Prisma.sql`
        select s.alert_id, 'PERSON' as matched_on, 0 as preference, 1.0::float8 as score
          from node.subject p join node.alert_subject s on s.subject_id = p.id
         where p.family_name_key = ${entry.familyNameKey} and p.given_name_key = ${entry.givenNameKey}
           and p.date_of_birth = ${entry.dateOfBirth?.toISOString().slice(0, 10) ?? null}::date`;
  }
}

/**
 * The records a watch entry meets, each once with its best identifier,
 * newest record first: the order in which retro hits are kept when there are
 * more than the cap (never by score, which may rank a value the watcher is
 * not released).
 */
export function recordsMeetingEntry(entry: WatchEntryRow): Prisma.Sql {
  return Prisma.sql`
    select b.alert_id::text as "alertId", ${entry.id}::text as "watchEntryId", b.matched_on as "matchedOn", b.score
      from (select distinct on (m.alert_id) m.alert_id, m.matched_on, m.score
              from (${identifiersMeeting(entry)}) m
             order by m.alert_id, m.score desc, m.preference) b
      join node.alert a on a.id = b.alert_id
     order by a.created_at desc, a.id desc`;
}
