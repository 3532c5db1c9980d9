import { Prisma, type Firearm as FirearmRow } from '../../generated/node/client.ts';
import type { AccessView, AlertView } from '../../domain/alertView.ts';
import { alertFieldsAt, tierOfAlertField, type ExchangeAgreement } from '../../consent/agreement.ts';
import { decideAccess, type AccessDecision, type AlertConsentFacts } from '../../consent/decideAccess.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import type { Tier } from '../../consent/tier.ts';
import type { Officer } from '../../identity/officer.ts';

// How a stored alert becomes what may leave the node for one caller: the rows
// it is read with, the consent facts decided on, and the view cut to the tier.
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

/**
 * An alert with what its views are built from. `releasedTier`: the tier the
 * statement that read it decided (loadAlertRows), which read nothing above it;
 * absent on rows read in full (a write's own, domestic, answer).
 */
export type AlertRow = Prisma.AlertGetPayload<{ include: typeof anyInclude }> & { releasedTier?: Tier };

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
 * What may leave the node of this alert for this caller and purpose, now,
 * under the node's agreement: null when the owner's consent gives the caller
 * nothing (the record then does not exist for the caller), otherwise the view
 * with exactly the parts of the tier granted, as the agreement assigns fields
 * to tiers.
 */
export function releaseAlert(
  row: AlertRow,
  owner: string,
  caller: Officer,
  purpose: DeclaredPurpose,
  now: Date,
  agreement: ExchangeAgreement,
): AlertView | null {
  const decision = decideAccess(caller, purpose, consentFacts(row, owner, caller.agency), now, agreement);
  if (row.releasedTier !== undefined && row.releasedTier !== decision.tier) {
    // The statement read the row for another tier than the one decided: a view built from it could
    // lack what the tier releases, or hold what it does not. Fail, releasing nothing (masked, logged).
    throw new Error(`alert ${row.id}: read for tier ${row.releasedTier}, decided ${decision.tier}`);
  }
  if (decision.tier === 'NONE') return null;
  return projectToTier(fullAlertView(row, owner, decision, purpose), decision.tier, decision.basis === 'DOMESTIC', agreement);
}

/**
 * Keeps the fields the agreement releases at the tier. Owner-only fields, and
 * any field the agreement does not name, never leave for a partner.
 */
function projectToTier(view: AlertView, tier: Tier, domestic: boolean, agreement: ExchangeAgreement): AlertView {
  const projected: Record<string, unknown> = { ...view };
  for (const field of Object.keys(projected)) {
    if (!keptAt(tier, domestic, field, agreement)) projected[field] = null;
  }
  return projected as unknown as AlertView;
}

// Whether a view field is kept at a tier, decided once per agreement, tier, caller kind and field,
// not again for every row of every page.
const keptByAgreement = new WeakMap<ExchangeAgreement, Map<string, boolean>>();
function keptAt(tier: Tier, domestic: boolean, field: string, agreement: ExchangeAgreement): boolean {
  let kept = keptByAgreement.get(agreement);
  if (!kept) keptByAgreement.set(agreement, (kept = new Map()));
  const key = `${tier} ${domestic} ${field}`;
  let keep = kept.get(key);
  if (keep === undefined) {
    const named = tierOfAlertField(field, agreement) !== undefined;
    keep = named ? alertFieldsAt(tier, agreement).includes(field) : domestic;
    kept.set(key, keep);
  }
  return keep;
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
