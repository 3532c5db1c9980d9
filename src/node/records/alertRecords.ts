import { randomUUID } from 'node:crypto';
import { Prisma, type Firearm as FirearmRow, type PrismaClient } from '../../generated/node/client.ts';
import type { AccessView, AlertView } from '../../domain/alertView.ts';
import type { CreateAlertInput, UpdateAlertInput } from '../../domain/alertInput.ts';
import type { AlertKind, AlertStatus, BorderCrossingPoint, RiskLevel } from '../../domain/enums.ts';
import { normalizeIdentifier, normalizeName, normalizeSerial } from '../../domain/normalize.ts';
import { riskLevel } from '../../domain/risk.ts';
import { alertFieldsAt, tierOfAlertField } from '../../consent/agreement.ts';
import { decideAccess, type AccessDecision, type AlertConsentFacts } from '../../consent/decideAccess.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import type { Tier } from '../../consent/tier.ts';
import { releasedAtLeast, visibleTo } from './visibility.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { Officer } from '../../identity/officer.ts';
import type { ChangeJournal } from '../../audit/auditCollector.ts';
import { isUuid } from '../../domain/ids.ts';
import { decodeCursor, encodeCursor } from '../../domain/cursor.ts';
import { loadAlertRows } from './loadAlertRows.ts';
import { nextReference } from './references.ts';
import { inUnitOfWork } from './unitOfWork.ts';
import { matchWatchEntries } from './watchMatching.ts';

/** Everything an alert view is built from; rules and grants only as far as they concern the caller. */
/**
 * What consent is decided on for a caller's agency, of an alert's sharing
 * rules and grants: the owner's own officers see all rules, a partner only
 * the rule and the grants for its agency.
 */
export function consentRelations(callerAgency: string, owner: string) {
  const domestic = callerAgency === owner;
  return {
    sharingRules: { where: domestic ? {} : { partnerAgency: callerAgency }, orderBy: { partnerAgency: 'asc' } },
    consentGrants: { where: { granteeAgency: domestic ? '' : callerAgency } },
  } satisfies Prisma.AlertInclude;
}

export function alertInclude(caller: Pick<Officer, 'agency'>, owner: string) {
  return {
    unit: true,
    firearms: { orderBy: { position: 'asc' } },
    ammunition: { orderBy: { position: 'asc' } },
    explosives: { orderBy: { position: 'asc' } },
    components: { orderBy: { position: 'asc' } },
    subjects: { include: { subject: { include: { documents: true } } } },
    vehicles: { include: { vehicle: true } },
    ...consentRelations(caller.agency, owner),
  } satisfies Prisma.AlertInclude;
}

const anyInclude = {
  unit: true,
  firearms: { orderBy: { position: 'asc' as const } },
  ammunition: { orderBy: { position: 'asc' as const } },
  explosives: { orderBy: { position: 'asc' as const } },
  components: { orderBy: { position: 'asc' as const } },
  subjects: { include: { subject: { include: { documents: true } } } },
  vehicles: { include: { vehicle: true } },
  sharingRules: true,
  consentGrants: true,
} satisfies Prisma.AlertInclude;

export type AlertRow = Prisma.AlertGetPayload<{ include: typeof anyInclude }>;

/** A stored firearm as released: everything but the bookkeeping columns. */
export function firearmView({ alertId: _alertId, createdAt: _createdAt, position: _position, ...firearm }: FirearmRow) {
  return firearm;
}

const num = (value: Prisma.Decimal | null) => (value === null ? null : value.toNumber());

/** What the owner has said about this alert, as far as it concerns the caller's agency. */
export function consentFacts(row: Pick<AlertRow, 'createdAt' | 'handlingCode' | 'sharingRules' | 'consentGrants'>, owner: string, callerAgency: string): AlertConsentFacts {
  const rule = row.sharingRules.find((candidate) => candidate.partnerAgency === callerAgency);
  return {
    owner,
    createdAt: row.createdAt,
    handlingCode: row.handlingCode,
    rule: rule ? { tier: rule.tier, purposes: rule.purposes, expiresAt: rule.expiresAt } : null,
    grants: row.consentGrants.filter((grant) => grant.granteeAgency === callerAgency),
  };
}

/**
 * What may leave the node of this alert for this caller and purpose, now:
 * null when the owner's consent gives the caller nothing (the record then
 * does not exist for the caller), otherwise the view with exactly the parts
 * of the tier granted, as the exchange agreement assigns fields to tiers.
 */
export function releaseAlert(row: AlertRow, owner: string, caller: Officer, purpose: DeclaredPurpose, now = new Date()): AlertView | null {
  const decision = decideAccess(caller, purpose, consentFacts(row, owner, caller.agency), now);
  if (decision.tier === 'NONE') return null;
  return projectToTier(fullAlertView(row, owner, decision, purpose), decision.tier, decision.basis === 'DOMESTIC');
}

/**
 * Keeps the fields the agreement releases at the tier. Owner-only fields, and
 * any field the agreement does not name, never leave for a partner.
 */
function projectToTier(view: AlertView, tier: Tier, domestic: boolean): AlertView {
  const released = new Set(alertFieldsAt(tier));
  const projected: Record<string, unknown> = { ...view };
  for (const field of Object.keys(projected)) {
    const named = tierOfAlertField(field) !== undefined;
    if (named ? !released.has(field) : !domestic) projected[field] = null;
  }
  return projected as unknown as AlertView;
}

function fullAlertView(row: AlertRow, owner: string, decision: AccessDecision, purpose: DeclaredPurpose): AlertView {
  return {
    id: row.id,
    reference: row.reference,
    owner,
    kind: row.kind,
    status: row.status,
    contactPoint: {
      agency: owner,
      unitCode: row.unit.code,
      unitName: row.unit.name,
      email: row.unit.contactEmail,
      phone: row.unit.contactPhone,
    },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
    access: {
      tier: decision.tier as AccessView['tier'],
      basis: decision.basis as AccessView['basis'],
      grantId: decision.grantId,
      validUntil: decision.validUntil,
      purpose: purpose.code,
      caseReference: purpose.caseReference,
      canRequestHigher: decision.canRequestHigher,
      ceiling: decision.ceiling,
      handlingCode: row.handlingCode,
      handlingConditions: row.handlingConditions,
      sourceReliability: row.sourceReliability,
      informationAccuracy: row.informationAccuracy,
    },
    summary: {
      title: row.title,
      occurredAt: row.occurredAt,
      location: {
        kind: row.locationKind,
        borderCrossing: row.borderCrossing,
        municipality: row.municipality,
        latitude: num(row.latitude),
        longitude: num(row.longitude),
      },
      modusOperandi: row.modusOperandi,
      risk: { threat: row.riskThreat, vulnerability: row.riskVulnerability, impact: row.riskImpact, level: row.riskLevel },
      unit: {
        code: row.unit.code,
        name: row.unit.name,
        kind: row.unit.kind,
        borderCrossing: row.unit.borderCrossing,
        email: row.unit.contactEmail,
        phone: row.unit.contactPhone,
      },
      firearms: row.firearms.map(firearmView),
      ammunition: row.ammunition.map(({ id, calibre, quantity }) => ({ id, calibre, quantity })),
      explosives: row.explosives.map(({ id, type, description, quantity, unit }) => ({
        id,
        type,
        description,
        quantity: quantity.toNumber(),
        unit,
      })),
      components: row.components.map(({ id, kind, quantity, serialNumber }) => ({ id, kind, quantity, serialNumber })),
    },
    personalData: {
      subjects: row.subjects.map(({ role, subject }) => ({
        id: subject.id,
        role,
        familyName: subject.familyName,
        givenName: subject.givenName,
        dateOfBirth: subject.dateOfBirth,
        nationality: subject.nationality,
        documents: subject.documents.map(({ kind, number, issuingCountry, expiresOn }) => ({ kind, number, issuingCountry, expiresOn })),
      })),
      vehicles: row.vehicles.map(({ role, vehicle }) => ({
        id: vehicle.id,
        role,
        plate: vehicle.plate,
        plateCountry: vehicle.plateCountry,
        make: vehicle.make,
        model: vehicle.model,
        colour: vehicle.colour,
        vin: vehicle.vin,
      })),
    },
    sharingPolicy: {
      handlingCode: row.handlingCode,
      handlingConditions: row.handlingConditions,
      sourceReliability: row.sourceReliability,
      informationAccuracy: row.informationAccuracy,
      rules: row.sharingRules.map(({ partnerAgency, tier, purposes, expiresAt, setBy, setAt }) => ({
        partnerAgency,
        tier,
        purposes,
        expiresAt,
        setBy,
        setAt,
      })),
    },
  };
}

export interface AlertFilter {
  kinds?: AlertKind[] | null;
  statuses?: AlertStatus[] | null;
  riskLevels?: RiskLevel[] | null;
  borderCrossing?: BorderCrossingPoint | null;
  occurredAfter?: Date | null;
  occurredBefore?: Date | null;
}

export interface Page {
  first: number;
  after?: string | null;
}

export interface AlertPage {
  rows: AlertRow[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

/**
 * Each filter criterion, the released Alert field it reads (its tier is the
 * agreement's for that field) and its condition. A criterion may only match
 * on what the caller is given: a record released at HIT matches no criterion
 * on its summary, or the filter would tell what the summary withholds.
 */
const filterCriteria: {
  [K in keyof AlertFilter]-?: { reads: string; where: (value: NonNullable<AlertFilter[K]>) => Prisma.AlertWhereInput };
} = {
  kinds: { reads: 'kind', where: (kinds) => ({ kind: { in: kinds } }) },
  statuses: { reads: 'status', where: (statuses) => ({ status: { in: statuses } }) },
  riskLevels: { reads: 'summary', where: (levels) => ({ riskLevel: { in: levels } }) },
  borderCrossing: { reads: 'summary', where: (crossing) => ({ borderCrossing: crossing }) },
  occurredAfter: { reads: 'summary', where: (after) => ({ occurredAt: { gte: after } }) },
  occurredBefore: { reads: 'summary', where: (before) => ({ occurredAt: { lt: before } }) },
};

function filterWhere(filter: AlertFilter | null | undefined, access: ListAccess): Prisma.AlertWhereInput[] {
  if (!filter) return [];
  const conditions: Prisma.AlertWhereInput[] = [];
  const gated = new Set<Exclude<Tier, 'NONE'>>();
  for (const name of Object.keys(filterCriteria) as (keyof AlertFilter)[]) {
    const value = filter[name];
    if (value == null || (Array.isArray(value) && value.length === 0)) continue;
    const criterion = filterCriteria[name] as { reads: string; where: (value: unknown) => Prisma.AlertWhereInput };
    conditions.push(criterion.where(value));
    const tier = tierOfAlertField(criterion.reads);
    if (!tier || tier === 'NONE') throw new Error(`filter ${name} reads ${criterion.reads}, which the agreement releases at no tier`);
    gated.add(tier);
  }
  for (const tier of gated) {
    if (tier !== 'HIT') conditions.push(releasedAtLeast(access.caller, access.owner, access.purpose, access.now, tier));
  }
  return conditions;
}

interface ListAccess {
  caller: Officer;
  owner: string;
  purpose: DeclaredPurpose;
  now: Date;
}

/**
 * Newest reported first, keyset-paginated on (createdAt, id): pages stay
 * stable while alerts arrive, and the key is known at every tier, so the
 * gateway can merge agencies' pages without seeing a field it may not see.
 * Filters and the count obey the same consent as the rows (filterWhere).
 */
export async function listAlerts(
  prisma: PrismaClient,
  access: ListAccess,
  filter: AlertFilter | null | undefined,
  page: Page,
): Promise<AlertPage> {
  const base: Prisma.AlertWhereInput = {
    AND: [visibleTo(access.caller, access.owner, access.purpose, access.now), ...filterWhere(filter, access)],
  };
  const after = page.after ? decodeCursor(page.after) : undefined;
  const where: Prisma.AlertWhereInput = after
    ? {
        AND: [
          base,
          { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] },
        ],
      }
    : base;
  // The page's keys and the count under the consent filter, then the page's rows in one statement.
  const [keys, totalCount] = await Promise.all([
    prisma.alert.findMany({ where, select: { id: true }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.first + 1 }),
    prisma.alert.count({ where: base }),
  ]);
  const hasNextPage = keys.length > page.first;
  const pageRows = await loadAlertRows(prisma, access.caller, access.owner, keys.slice(0, page.first).map((key) => key.id));
  return {
    rows: pageRows,
    cursors: pageRows.map((row) => encodeCursor({ at: row.createdAt, id: row.id })),
    hasNextPage,
    totalCount,
  };
}

/** One alert with everything its view is built from; null when there is none (release decides what the caller sees). */
export async function findAlert(prisma: PrismaClient, caller: Officer, owner: string, id: string): Promise<AlertRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await loadAlertRows(prisma, caller, owner, [id]);
  return row ?? null;
}

/** Ensures the unit belongs to the node's agency; officers may only report for their own agency's units. */
async function reportingUnit(tx: Prisma.TransactionClient, officer: Officer, unitCode: string | null | undefined) {
  const code = unitCode ?? officer.unit;
  const unit = await tx.unit.findUnique({ where: { code } });
  if (!unit || unit.agencyCode !== officer.agency) {
    throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: input.unitCode "${code}" is not a unit of agency ${officer.agency}.`, {
      issues: [{ path: 'input.unitCode', message: `is not a unit of agency ${officer.agency}` }],
    });
  }
  return unit;
}

/**
 * Creates an alert with all its items, subjects and vehicles in one
 * transaction, matched against the stored watch entries in the same one.
 */
export async function createAlert(prisma: PrismaClient, officer: Officer, input: CreateAlertInput, journal: ChangeJournal): Promise<AlertRow> {
  return inUnitOfWork(prisma, journal, async (work) => {
    const { tx } = work;
    const unit = await reportingUnit(tx, officer, input.unitCode);
    // The reference counter's row lock is held until commit and every writer queues on it: it is taken
    // last, as the event counter is, so that writers queue for the commit only, not for each other's
    // whole transaction. Until then the row holds a placeholder, unique as the column requires.
    const id = randomUUID();
    const { location, risk } = input;
    const created = await tx.alert.create({
      data: {
        id,
        reference: `pending-${id.replaceAll('-', '')}`,
        kind: input.kind,
        title: input.title,
        occurredAt: input.occurredAt,
        locationKind: location.kind,
        borderCrossing: location.borderCrossing ?? null,
        municipality: location.municipality ?? null,
        latitude: location.latitude ?? null,
        longitude: location.longitude ?? null,
        modusOperandi: input.modusOperandi ?? null,
        riskThreat: risk.threat,
        riskVulnerability: risk.vulnerability,
        riskImpact: risk.impact,
        riskLevel: riskLevel(risk.threat, risk.vulnerability, risk.impact),
        unitCode: unit.code,
        createdBy: officer.sub,
        firearms: {
          create: input.firearms.map((firearm, position) => ({
            ...firearm,
            position,
            serialNumber: firearm.serialNumber ?? null,
            serialNormalized: firearm.serialNumber ? normalizeSerial(firearm.serialNumber) : null,
            countryOfManufacture: firearm.countryOfManufacture ?? null,
            countryOfLastImport: firearm.countryOfLastImport ?? null,
            yearOfManufacture: firearm.yearOfManufacture ?? null,
            euCategory: firearm.euCategory ?? null,
          })),
        },
        ammunition: { create: input.ammunition.map((lot, position) => ({ ...lot, position })) },
        explosives: {
          create: input.explosives.map((explosive, position) => ({
            ...explosive,
            position,
            description: explosive.description ?? null,
          })),
        },
        components: {
          create: input.components.map((component, position) => ({
            position,
            kind: component.kind,
            quantity: component.quantity,
            serialNumber: component.serialNumber ?? null,
            serialNormalized: component.serialNumber ? normalizeSerial(component.serialNumber) : null,
          })),
        },
        subjects: {
          create: input.subjects.map((subject) => ({
            role: subject.role,
            subject: {
              create: {
                familyName: subject.familyName,
                givenName: subject.givenName,
                familyNameKey: normalizeName(subject.familyName),
                givenNameKey: normalizeName(subject.givenName),
                dateOfBirth: subject.dateOfBirth ?? null,
                nationality: subject.nationality ?? null,
                documents: {
                  create: subject.documents.map((document) => ({
                    kind: document.kind,
                    number: document.number,
                    numberNormalized: normalizeIdentifier(document.number),
                    issuingCountry: document.issuingCountry,
                    expiresOn: document.expiresOn ?? null,
                  })),
                },
              },
            },
          })),
        },
        vehicles: {
          create: input.vehicles.map((vehicle) => ({
            role: vehicle.role,
            vehicle: {
              create: {
                plate: vehicle.plate ?? null,
                plateNormalized: vehicle.plate ? normalizeIdentifier(vehicle.plate) : null,
                plateCountry: vehicle.plateCountry ?? null,
                make: vehicle.make ?? null,
                model: vehicle.model ?? null,
                colour: vehicle.colour ?? null,
                vin: vehicle.vin ?? null,
              },
            },
          })),
        },
      },
      include: alertInclude(officer, officer.agency),
    });
    await matchWatchEntries(work, officer.agency, { alertId: id });
    const reference = await nextReference(tx, `${officer.agency}-ALR`, input.occurredAt.getUTCFullYear());
    await tx.alert.update({ where: { id }, data: { reference, updatedAt: created.updatedAt }, select: { id: true } });
    const alert = { ...created, reference };
    await work.journal([{ agency: officer.agency, id, reference }], { change: 'alert created' });
    return alert;
  });
}

/**
 * Updates an alert if it is still at the version the officer read; the
 * version check and the write are one statement, so two liaisons editing the
 * same alert cannot overwrite each other silently.
 */
export async function updateAlert(
  prisma: PrismaClient,
  officer: Officer,
  id: string,
  expectedVersion: number,
  input: UpdateAlertInput,
  journal: ChangeJournal,
): Promise<AlertRow> {
  return inUnitOfWork(prisma, journal, async (unit) => {
    const { tx } = unit;
    const current = isUuid(id) ? await tx.alert.findUnique({ where: { id } }) : null;
    if (!current) throw hubError(ErrorCode.NOT_FOUND, 'No alert with this id.');
    const risk = input.risk;
    const { count } = await tx.alert.updateMany({
      where: { id, version: expectedVersion },
      data: {
        ...(input.status ? { status: input.status } : {}),
        ...(input.title ? { title: input.title } : {}),
        ...(input.modusOperandi ? { modusOperandi: input.modusOperandi } : {}),
        ...(risk
          ? {
              riskThreat: risk.threat,
              riskVulnerability: risk.vulnerability,
              riskImpact: risk.impact,
              riskLevel: riskLevel(risk.threat, risk.vulnerability, risk.impact),
            }
          : {}),
        version: { increment: 1 },
      },
    });
    if (count === 0) {
      throw hubError(
        ErrorCode.VERSION_CONFLICT,
        `Alert ${current.reference} was changed by someone else (now at version ${current.version}, you edited version ${expectedVersion}); reload it and apply your change again.`,
        { currentVersion: current.version },
      );
    }
    await matchWatchEntries(unit, officer.agency, { alertId: id });
    await unit.journal([{ agency: officer.agency, id, reference: current.reference }], { change: 'alert updated', fields: Object.keys(input) });
    return tx.alert.findUniqueOrThrow({ where: { id }, include: alertInclude(officer, officer.agency) });
  });
}
