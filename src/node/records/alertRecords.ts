import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../../generated/node/client.ts';
import type { CreateAlertInput, UpdateAlertInput } from '../../domain/alertInput.ts';
import type { AlertKind, AlertStatus, BorderCrossingPoint, RiskLevel } from '../../domain/enums.ts';
import { normalizeIdentifier, normalizeName, normalizeSerial } from '../../domain/normalize.ts';
import { riskLevel } from '../../domain/risk.ts';
import { tierOfAlertField, type ExchangeAgreement } from '../../consent/agreement.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { tierRank, type Tier } from '../../consent/tier.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { Officer } from '../../identity/officer.ts';
import type { ChangeJournal } from '../../audit/auditCollector.ts';
import { domesticRecordRef } from '../../audit/recordRefs.ts';
import { isUuid } from '../../domain/ids.ts';
import { decodeCursor, encodeCursor } from '../../domain/cursor.ts';
import { alertInclude, type AlertRow } from './alertRelease.ts';
import { loadAlertPage, loadAlertRows, type AlertListQuery } from './loadAlertRows.ts';
import { nextReference } from './references.ts';
import { inUnitOfWork } from './unitOfWork.ts';
import { matchRecord } from '../../realtime/watchMatching.ts';

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
  /** Count every alert the caller may see under the filter. Default true; false leaves `totalCount` null. */
  count?: boolean;
}

export interface AlertPage {
  rows: AlertRow[];
  cursors: string[];
  hasNextPage: boolean;
  /** null when the page was asked for without its count. */
  totalCount: number | null;
}

/**
 * Each filter criterion, the released Alert field it reads (its tier is the
 * agreement's for that field) and its condition on the alert `a`. A criterion
 * may only match on what the caller is given: a record released at HIT
 * matches no criterion on its summary, or the filter would tell what the
 * summary withholds.
 */
const filterCriteria: {
  [K in keyof AlertFilter]-?: { reads: string; where: (value: NonNullable<AlertFilter[K]>) => Prisma.Sql };
} = {
  kinds: { reads: 'kind', where: (kinds) => Prisma.sql`a.kind = any(${kinds}::node.alert_kind[])` },
  statuses: { reads: 'status', where: (statuses) => Prisma.sql`a.status = any(${statuses}::node.alert_status[])` },
  riskLevels: { reads: 'summary', where: (levels) => Prisma.sql`a.risk_level = any(${levels}::node.risk_level[])` },
  borderCrossing: { reads: 'summary', where: (crossing) => Prisma.sql`a.border_crossing = ${crossing}::node.border_crossing_point` },
  occurredAfter: { reads: 'summary', where: (after) => Prisma.sql`a.occurred_at >= ${after}::timestamptz` },
  occurredBefore: { reads: 'summary', where: (before) => Prisma.sql`a.occurred_at < ${before}::timestamptz` },
};

/** The filter as conditions on the alert, and the least tier the alerts it matches must be released at (the highest its criteria read). */
function filterQuery(filter: AlertFilter | null | undefined, agreement: ExchangeAgreement): AlertListQuery {
  const where: Prisma.Sql[] = [];
  let least: Exclude<Tier, 'NONE'> = 'HIT';
  for (const name of Object.keys(filterCriteria) as (keyof AlertFilter)[]) {
    const value = filter?.[name];
    if (value == null || (Array.isArray(value) && value.length === 0)) continue;
    const criterion = filterCriteria[name] as { reads: string; where: (value: unknown) => Prisma.Sql };
    where.push(criterion.where(value));
    const tier = tierOfAlertField(criterion.reads, agreement);
    if (!tier || tier === 'NONE') throw new Error(`filter ${name} reads ${criterion.reads}, which the agreement releases at no tier`);
    if (tierRank(tier) > tierRank(least)) least = tier;
  }
  return { where, least };
}

interface ListAccess {
  caller: Officer;
  owner: string;
  purpose: DeclaredPurpose;
  now: Date;
  /** The agreement the node enforces. */
  agreement: ExchangeAgreement;
}

/**
 * Newest reported first, keyset-paginated on (createdAt, id): pages stay
 * stable while alerts arrive, and the key is known at every tier, so the
 * gateway can merge agencies' pages without seeing a field it may not see.
 * Filters and the count obey the same consent as the rows: each alert's tier
 * is decided in the statement (loadAlertRows.ts).
 */
export async function listAlerts(
  prisma: PrismaClient,
  access: ListAccess,
  filter: AlertFilter | null | undefined,
  page: Page,
): Promise<AlertPage> {
  const query = filterQuery(filter, access.agreement);
  // The page's keys and rows and, when asked for, the count under the same conditions: one statement.
  const { rows, hasNextPage, totalCount } = await loadAlertPage(prisma, access, query, {
    first: page.first,
    after: page.after ? decodeCursor(page.after) : undefined,
    count: page.count !== false,
  });
  return {
    rows,
    cursors: rows.map((row) => encodeCursor({ at: row.createdAt, id: row.id })),
    hasNextPage,
    totalCount,
  };
}

/** One alert with what the caller's view of it is built from; null when there is none (release decides what the caller sees). */
export async function findAlert(prisma: PrismaClient, access: ListAccess, id: string): Promise<AlertRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await loadAlertRows(prisma, access, [id]);
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
export async function createAlert(prisma: PrismaClient, officer: Officer, input: CreateAlertInput, journal: ChangeJournal, agreement: ExchangeAgreement): Promise<AlertRow> {
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
    await matchRecord(work, officer.agency, id, agreement);
    const reference = await nextReference(tx, `${officer.agency}-ALR`, input.occurredAt.getUTCFullYear());
    await tx.alert.update({ where: { id }, data: { reference, updatedAt: created.updatedAt }, select: { id: true } });
    const alert = { ...created, reference };
    await work.journal([domesticRecordRef(officer.agency, id, 'ALERT', reference)], { change: 'alert created' });
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
  agreement: ExchangeAgreement,
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
    await matchRecord(unit, officer.agency, id, agreement);
    await unit.journal([domesticRecordRef(officer.agency, id, 'ALERT', current.reference)], { change: 'alert updated', fields: Object.keys(input) });
    return tx.alert.findUniqueOrThrow({ where: { id }, include: alertInclude(officer, officer.agency) });
  });
}
