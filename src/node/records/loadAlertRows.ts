import { Prisma, type PrismaClient } from '../../generated/node/client.ts';
import type { ExchangeAgreement } from '../../consent/agreement.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { tierRank, tiers, type Tier } from '../../consent/tier.ts';
import type { Officer } from '../../identity/officer.ts';
import type { AlertRow } from './alertRelease.ts';
import { rankReleasing, releasedTierRank } from './releasedTierSql.ts';

type Database = PrismaClient | Prisma.TransactionClient;

// JSON carries instants as ISO strings and decimals as numbers; the row types hold Date and Decimal.
type Wire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] extends Prisma.Decimal ? number : T[K] };

/** One alert as the statement returns it: the alert's columns typed by Prisma, each relation as JSON. */
type LoadedRow = Omit<AlertRow, 'releasedTier' | 'unit' | 'firearms' | 'ammunition' | 'explosives' | 'components' | 'subjects' | 'vehicles' | 'sharingRules' | 'consentGrants'> & {
  unit: Wire<AlertRow['unit']>;
  firearms: Wire<AlertRow['firearms'][number]>[];
  ammunition: Wire<AlertRow['ammunition'][number]>[];
  explosives: Wire<AlertRow['explosives'][number]>[];
  components: Wire<AlertRow['components'][number]>[];
  subjects: (Omit<AlertRow['subjects'][number], 'subject'> & {
    subject: Wire<Omit<AlertRow['subjects'][number]['subject'], 'documents'>> & { documents: Wire<AlertRow['subjects'][number]['subject']['documents'][number]>[] };
  })[];
  vehicles: (Omit<AlertRow['vehicles'][number], 'vehicle'> & { vehicle: Wire<AlertRow['vehicles'][number]['vehicle']> })[];
  sharingRules: Wire<AlertRow['sharingRules'][number]>[];
  consentGrants: Wire<AlertRow['consentGrants'][number]>[];
  releasedRank: number;
  pageSize: number;
  totalCount: number | null;
};

const instant = (value: string) => new Date(value);
const maybeInstant = (value: string | null) => (value === null ? null : new Date(value));

/** Who reads, for what, when: what the statement reads of each alert depends on it. */
export interface RowAccess {
  caller: Pick<Officer, 'agency' | 'roles'>;
  owner: string;
  purpose: DeclaredPurpose;
  now: Date;
  /** The agreement the node enforces. */
  agreement: ExchangeAgreement;
}

/**
 * The alerts with these ids, in the order of the ids (an id with no alert is
 * left out), each with what the caller's view of it is built from, in one
 * statement instead of one per relation: what
 * `findMany({ include: alertInclude(caller, owner) })` returns (rules and
 * grants only as far as they concern the caller), except the parts of the
 * view above the tier the owner's consent gives the caller now
 * (releasedTierSql.ts): the items (summary) and the subjects and vehicles
 * (personal data) of an alert released below their tier are not read, and
 * come as empty lists. Each row carries that tier; releaseAlert decides again
 * on the row and releases nothing if the two differ.
 */
export async function loadAlertRows(db: Database, access: RowAccess, ids: readonly string[]): Promise<AlertRow[]> {
  if (ids.length === 0) return [];
  const wanted = Prisma.sql`
    select wanted.id, wanted.position, ${releasedTierRank(access.caller, access.owner, access.purpose, access.now, access.agreement)} as rank
      from unnest(${ids}::uuid[]) with ordinality as wanted(id, position)
      join node.alert a on a.id = wanted.id`;
  const { rows } = await readAlerts(db, access, wanted, ids.length);
  return rows;
}

/** Which alerts of the caller's list a page holds, besides their tier. */
export interface AlertListQuery {
  /** Conditions on the alert `a` (a filter's criteria, the cursor), in SQL. */
  where: readonly Prisma.Sql[];
  /** The least tier an alert must be released at to be listed: HIT, or the tier of the parts a filter reads. */
  least: Exclude<Tier, 'NONE'>;
}

/** The alerts released to the caller at `least` or above that meet the conditions, as one SQL condition on `a`. */
function listed(access: RowAccess, { where, least }: AlertListQuery): Prisma.Sql {
  const rank = releasedTierRank(access.caller, access.owner, access.purpose, access.now, access.agreement);
  return Prisma.join([Prisma.sql`${rank} >= ${tierRank(least)}`, ...where], ' and ');
}

/** Which page of the caller's list: after which key (createdAt, id), how many, and whether to count the whole list. */
export interface AlertPageRequest {
  first: number;
  after?: { at: Date; id: string } | undefined;
  /** Count every alert the list holds under the query's conditions, whatever the cursor. */
  count: boolean;
}

/**
 * A page of the caller's list, newest reported first (keyset order on
 * createdAt, id), read as loadAlertRows reads its ids, in the same
 * statement: which alerts the caller may see is the tier the statement
 * decides for each (releasedTierSql.ts), so the page's keys, its rows and,
 * when asked, the list's count are one round trip. `first + 1` keys are
 * chosen to tell whether a next page exists; the extra one is not read.
 */
export async function loadAlertPage(
  db: Database,
  access: RowAccess,
  query: AlertListQuery,
  { first, after, count }: AlertPageRequest,
): Promise<{ rows: AlertRow[]; hasNextPage: boolean; totalCount: number | null }> {
  const cursor = after ? [Prisma.sql`(a.created_at < ${after.at}::timestamptz or (a.created_at = ${after.at}::timestamptz and a.id < ${after.id}::uuid))`] : [];
  const page = Prisma.sql`
    select a.id, row_number() over (order by a.created_at desc, a.id desc) as position,
           ${releasedTierRank(access.caller, access.owner, access.purpose, access.now, access.agreement)} as rank
      from node.alert a
     where ${listed(access, { ...query, where: [...query.where, ...cursor] })}
     order by a.created_at desc, a.id desc
     limit ${first + 1}`;
  const total = count ? listCount(access, query) : Prisma.sql`null::int`;
  const { rows, hasNextPage, totalCount } = await readAlerts(db, access, page, first, total);
  // A page past the list's end has no row to carry the count.
  return { rows, hasNextPage, totalCount: count && rows.length === 0 ? await countListedAlerts(db, access, query) : totalCount };
}

/** The count of the caller's list under the query's conditions, as an SQL expression. */
const listCount = (access: RowAccess, query: AlertListQuery) => Prisma.sql`(select count(*) from node.alert a where ${listed(access, query)})::int`;

/** How many alerts the caller's list holds under the query's conditions (its cursor aside). */
export async function countListedAlerts(db: Database, access: RowAccess, query: AlertListQuery): Promise<number> {
  const [{ count }] = await db.$queryRaw<[{ count: number }]>`select ${listCount(access, query)} as count`;
  return count;
}

/**
 * Reads the alerts a statement `page` (id, position, rank) names, in its
 * order, up to position `limit`, each with its relations up to its rank;
 * whether `page` named more; and the value of `total` (a count).
 */
async function readAlerts(
  db: Database,
  { caller, owner, agreement }: RowAccess,
  page: Prisma.Sql,
  limit: number,
  total: Prisma.Sql = Prisma.sql`null::int`,
): Promise<{ rows: AlertRow[]; hasNextPage: boolean; totalCount: number | null }> {
  const domestic = caller.agency === owner;
  const summary = rankReleasing('summary', agreement);
  const personal = rankReleasing('personalData', agreement);
  // As alertInclude: the owner's officers see every rule and no grant (grants are given to partners).
  const grantee = domestic ? '' : caller.agency;
  const rows = await db.$queryRaw<LoadedRow[]>`
    with page as materialized (${page})
    select a.id::text as id, a.reference, a.kind::text as kind, a.status::text as status, a.title,
           a.occurred_at as "occurredAt", a.location_kind::text as "locationKind", a.border_crossing::text as "borderCrossing",
           a.municipality, a.latitude, a.longitude, a.modus_operandi as "modusOperandi",
           a.risk_threat as "riskThreat", a.risk_vulnerability as "riskVulnerability", a.risk_impact as "riskImpact",
           a.risk_level::text as "riskLevel", a.unit_code as "unitCode", a.created_by as "createdBy",
           a.created_at as "createdAt", a.updated_at as "updatedAt", a.version,
           a.handling_code::text as "handlingCode", a.handling_conditions as "handlingConditions",
           a.source_reliability::text as "sourceReliability", a.information_accuracy as "informationAccuracy",
           json_build_object('code', u.code, 'agencyCode', u.agency_code, 'name', u.name, 'kind', u.kind,
                             'borderCrossing', u.border_crossing, 'contactEmail', u.contact_email,
                             'contactPhone', u.contact_phone, 'createdAt', u.created_at) as unit,
           page.rank as "releasedRank",
           case when page.rank >= ${summary} then (select coalesce(json_agg(f order by f.position), '[]')
              from (select id, alert_id as "alertId", position, make, model, type, calibre, serial_number as "serialNumber",
                           serial_normalized as "serialNormalized", country_of_manufacture as "countryOfManufacture",
                           country_of_last_import as "countryOfLastImport", year_of_manufacture as "yearOfManufacture",
                           eu_category as "euCategory", converted_gas_alarm as "convertedGasAlarm", printed_3d as "printed3d",
                           reactivated, serial_obliterated as "serialObliterated", created_at as "createdAt"
                      from node.firearm where alert_id = a.id) as f) else '[]' end as firearms,
           case when page.rank >= ${summary} then (select coalesce(json_agg(m order by m.position), '[]')
              from (select id, alert_id as "alertId", position, calibre, quantity, created_at as "createdAt"
                      from node.ammunition where alert_id = a.id) as m) else '[]' end as ammunition,
           case when page.rank >= ${summary} then (select coalesce(json_agg(e order by e.position), '[]')
              from (select id, alert_id as "alertId", position, type, description, quantity, unit, created_at as "createdAt"
                      from node.explosive where alert_id = a.id) as e) else '[]' end as explosives,
           case when page.rank >= ${summary} then (select coalesce(json_agg(c order by c.position), '[]')
              from (select id, alert_id as "alertId", position, kind, quantity, serial_number as "serialNumber",
                           serial_normalized as "serialNormalized", created_at as "createdAt"
                      from node.firearm_component where alert_id = a.id) as c) else '[]' end as components,
           case when page.rank >= ${personal} then (select coalesce(json_agg(json_build_object(
                     'alertId', s.alert_id, 'subjectId', s.subject_id, 'role', s.role,
                     'subject', json_build_object(
                       'id', p.id, 'familyName', p.family_name, 'givenName', p.given_name,
                       'familyNameKey', p.family_name_key, 'givenNameKey', p.given_name_key,
                       'dateOfBirth', p.date_of_birth, 'nationality', p.nationality, 'createdAt', p.created_at,
                       'documents', (select coalesce(json_agg(d order by d.id), '[]')
                                       from (select id, subject_id as "subjectId", kind, number, number_normalized as "numberNormalized",
                                                    issuing_country as "issuingCountry", expires_on as "expiresOn"
                                               from node.identity_document where subject_id = p.id) as d)))
                     order by s.subject_id), '[]')
              from node.alert_subject s join node.subject p on p.id = s.subject_id
             where s.alert_id = a.id) else '[]' end as subjects,
           case when page.rank >= ${personal} then (select coalesce(json_agg(json_build_object(
                     'alertId', v.alert_id, 'vehicleId', v.vehicle_id, 'role', v.role,
                     'vehicle', json_build_object(
                       'id', w.id, 'plate', w.plate, 'plateNormalized', w.plate_normalized, 'plateCountry', w.plate_country,
                       'make', w.make, 'model', w.model, 'colour', w.colour, 'vin', w.vin, 'createdAt', w.created_at))
                     order by v.vehicle_id), '[]')
              from node.alert_vehicle v join node.vehicle w on w.id = v.vehicle_id
             where v.alert_id = a.id) else '[]' end as vehicles,
           (select coalesce(json_agg(r order by r."partnerAgency"), '[]')
              from (select alert_id as "alertId", partner_agency as "partnerAgency", tier, purposes,
                           expires_at as "expiresAt", set_by as "setBy", set_at as "setAt"
                      from node.sharing_rule where alert_id = a.id and (${domestic} or partner_agency = ${caller.agency})) as r) as "sharingRules",
           (select coalesce(json_agg(g order by g."grantedAt", g.id), '[]')
              from (select id, alert_id as "alertId", request_id as "requestId", grantee_agency as "granteeAgency", tier, purpose,
                           case_reference as "caseReference", expires_at as "expiresAt", granted_by as "grantedBy",
                           granted_at as "grantedAt", revoked_at as "revokedAt", revoked_by as "revokedBy",
                           revocation_reason as "revocationReason", expiry_announced_at as "expiryAnnouncedAt"
                      from node.consent_grant where alert_id = a.id and grantee_agency = ${grantee}) as g) as "consentGrants",
           (select count(*) from page)::int as "pageSize", ${total} as "totalCount"
      from page
      join node.alert a on a.id = page.id
      join node.unit u on u.code = a.unit_code
     where page.position <= ${limit}
     order by page.position`;
  return { rows: rows.map(toAlertRow), hasNextPage: (rows[0]?.pageSize ?? 0) > limit, totalCount: rows[0]?.totalCount ?? null };
}

/** The statement's JSON relations as the row types hold them: instants as Date, decimals as Decimal. */
function toAlertRow({ releasedRank, pageSize: _pageSize, totalCount: _totalCount, ...row }: LoadedRow): AlertRow {
  return {
    ...row,
    releasedTier: tiers[releasedRank]!,
    unit: { ...row.unit, createdAt: instant(row.unit.createdAt) },
    firearms: row.firearms.map((firearm) => ({ ...firearm, createdAt: instant(firearm.createdAt) })),
    ammunition: row.ammunition.map((lot) => ({ ...lot, createdAt: instant(lot.createdAt) })),
    explosives: row.explosives.map((explosive) => ({
      ...explosive,
      quantity: new Prisma.Decimal(explosive.quantity),
      createdAt: instant(explosive.createdAt),
    })),
    components: row.components.map((component) => ({ ...component, createdAt: instant(component.createdAt) })),
    subjects: row.subjects.map(({ subject, ...link }) => ({
      ...link,
      subject: {
        ...subject,
        dateOfBirth: maybeInstant(subject.dateOfBirth),
        createdAt: instant(subject.createdAt),
        documents: subject.documents.map((document) => ({ ...document, expiresOn: maybeInstant(document.expiresOn) })),
      },
    })),
    vehicles: row.vehicles.map(({ vehicle, ...link }) => ({ ...link, vehicle: { ...vehicle, createdAt: instant(vehicle.createdAt) } })),
    sharingRules: row.sharingRules.map((rule) => ({ ...rule, expiresAt: instant(rule.expiresAt), setAt: instant(rule.setAt) })),
    consentGrants: row.consentGrants.map((grant) => ({
      ...grant,
      expiresAt: instant(grant.expiresAt),
      grantedAt: instant(grant.grantedAt),
      revokedAt: maybeInstant(grant.revokedAt),
      expiryAnnouncedAt: maybeInstant(grant.expiryAnnouncedAt),
    })),
  };
}
