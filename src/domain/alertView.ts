import type {
  AlertKind,
  AlertStatus,
  BorderCrossingPoint,
  ComponentKind,
  DocumentKind,
  EuFirearmCategory,
  ExplosiveType,
  FirearmType,
  LocationKind,
  QuantityUnit,
  RiskLevel,
  SubjectRole,
  TraceRequestStatus,
  UnitKind,
  VehicleRole,
} from './enums.ts';

// What a node releases about its records: the shapes of the node contract.
// The node builds them from its rows; the gateway receives them as JSON and
// adds global IDs. Timestamps are Date on the node and ISO strings in transit.
type Instant = Date | string;

export interface ContactPointView {
  agency: string;
  unitCode: string;
  unitName: string;
  email: string | null;
  phone: string | null;
}

export interface UnitView {
  code: string;
  name: string;
  kind: UnitKind;
  borderCrossing: BorderCrossingPoint | null;
  email: string | null;
  phone: string | null;
}

export interface LocationView {
  kind: LocationKind;
  borderCrossing: BorderCrossingPoint | null;
  municipality: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface RiskView {
  threat: number;
  vulnerability: number;
  impact: number;
  level: RiskLevel;
}

export interface FirearmView {
  id: string;
  make: string;
  model: string;
  type: FirearmType;
  calibre: string;
  serialNumber: string | null;
  serialNormalized: string | null;
  countryOfManufacture: string | null;
  countryOfLastImport: string | null;
  yearOfManufacture: number | null;
  euCategory: EuFirearmCategory | null;
  convertedGasAlarm: boolean;
  printed3d: boolean;
  reactivated: boolean;
  serialObliterated: boolean;
}

export interface AmmunitionView {
  id: string;
  calibre: string;
  quantity: number;
}

export interface ExplosiveView {
  id: string;
  type: ExplosiveType;
  description: string | null;
  quantity: number;
  unit: QuantityUnit;
}

export interface ComponentView {
  id: string;
  kind: ComponentKind;
  quantity: number;
  serialNumber: string | null;
}

export interface IdentityDocumentView {
  kind: DocumentKind;
  number: string;
  issuingCountry: string;
  expiresOn: Instant | null;
}

export interface SubjectView {
  id: string;
  role: SubjectRole;
  familyName: string;
  givenName: string;
  dateOfBirth: Instant | null;
  nationality: string | null;
  documents: IdentityDocumentView[];
}

export interface VehicleView {
  id: string;
  role: VehicleRole;
  plate: string | null;
  plateCountry: string | null;
  make: string | null;
  model: string | null;
  colour: string | null;
  vin: string | null;
}

/** Non-personal facts of an alert (the SUMMARY tier of the exchange agreement). */
export interface AlertSummaryView {
  title: string;
  occurredAt: Instant;
  location: LocationView;
  modusOperandi: string | null;
  risk: RiskView;
  unit: UnitView;
  firearms: FirearmView[];
  ammunition: AmmunitionView[];
  explosives: ExplosiveView[];
  components: ComponentView[];
}

/** Personal data of an alert (the FULL tier of the exchange agreement). */
export interface AlertPersonalDataView {
  subjects: SubjectView[];
  vehicles: VehicleView[];
}

/** How and how far an alert is released to the caller (part of the HIT tier). */
export interface AccessView {
  tier: 'HIT' | 'SUMMARY' | 'FULL';
  basis: 'DOMESTIC' | 'POLICY' | 'DEFAULT_POLICY' | 'GRANT';
  grantId: string | null;
  validUntil: Instant | null;
  purpose: string;
  caseReference: string | null;
  canRequestHigher: boolean;
  ceiling: 'NONE' | 'HIT' | 'SUMMARY' | 'FULL';
  handlingCode: 'H0' | 'H1' | 'H2' | 'H3';
  handlingConditions: string | null;
  sourceReliability: 'A' | 'B' | 'C' | 'X';
  informationAccuracy: number;
}

export interface SharingRuleView {
  partnerAgency: string;
  tier: 'NONE' | 'HIT' | 'SUMMARY' | 'FULL';
  purposes: string[];
  expiresAt: Instant;
  setBy: string;
  setAt: Instant;
}

/** The owner's own view of how an alert is shared; never released to partners. */
export interface SharingPolicyView {
  handlingCode: 'H0' | 'H1' | 'H2' | 'H3';
  handlingConditions: string | null;
  sourceReliability: 'A' | 'B' | 'C' | 'X';
  informationAccuracy: number;
  rules: SharingRuleView[];
}

/**
 * An alert as released by its owner's node. The reference, kind and contact
 * point are what a partner learns on a hit; the tiered parts are present or
 * absent as a whole, never silently thinned.
 */
export interface AlertView {
  id: string;
  reference: string;
  owner: string;
  kind: AlertKind;
  status: AlertStatus;
  contactPoint: ContactPointView;
  createdAt: Instant;
  updatedAt: Instant;
  version: number;
  access: AccessView;
  summary: AlertSummaryView | null;
  personalData: AlertPersonalDataView | null;
  sharingPolicy: SharingPolicyView | null;
}

export interface TraceRequestTransitionView {
  fromStatus: TraceRequestStatus | null;
  toStatus: TraceRequestStatus;
  actorAgency: string;
  actorSub: string;
  note: string | null;
  at: Instant;
}

export interface TraceRequestView {
  id: string;
  reference: string;
  /** Agency that seized the firearm and asks (the owner of the record). */
  requestingAgency: string;
  addressedTo: string;
  /** The requester's record the firearm is on; null, with its reference, where that record does not exist for the caller. */
  alertId: string | null;
  alertReference: string | null;
  /** The tier the requesting agency releases the request at to the caller (see the agreement's traceRequests). */
  tier: 'HIT' | 'SUMMARY' | 'FULL';
  /** The parts below are null when the caller's tier does not release them. */
  firearm: FirearmView | null;
  question: string | null;
  answer: string | null;
  status: TraceRequestStatus;
  createdAt: Instant;
  updatedAt: Instant;
  transitions: TraceRequestTransitionView[] | null;
}

export interface ConsentGrantView {
  id: string;
  owner: string;
  /** Null where the record does not exist for the caller (a requester's request after the owner lowered the record to NONE). */
  alertId: string | null;
  granteeAgency: string;
  tier: 'NONE' | 'HIT' | 'SUMMARY' | 'FULL';
  purpose: string;
  caseReference: string | null;
  expiresAt: Instant;
  grantedBy: string;
  grantedAt: Instant;
  revokedAt: Instant | null;
  revokedBy: string | null;
  revocationReason: string | null;
}

export interface ConsentRequestView {
  id: string;
  owner: string;
  /** The record asked about; null, with its reference, once it does not exist for the caller (the owner lowered it to NONE). */
  alertId: string | null;
  alertReference: string | null;
  requestingAgency: string;
  requestingUnit: string;
  requestedBy: string;
  tier: 'NONE' | 'HIT' | 'SUMMARY' | 'FULL';
  purpose: string;
  caseReference: string | null;
  justification: string;
  status: 'PENDING' | 'GRANTED' | 'REFUSED' | 'WITHDRAWN';
  createdAt: Instant;
  /** The owner must answer by then. */
  dueAt: Instant;
  /** Still pending past its deadline. */
  overdue: boolean;
  /** Seconds left to answer (negative once overdue); null once decided. */
  secondsLeft: number | null;
  decidedBy: string | null;
  decidedAt: Instant | null;
  decisionReason: string | null;
  grant: ConsentGrantView | null;
}
