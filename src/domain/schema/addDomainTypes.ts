import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import type { HubBuilder, HubTypes } from './hubSchemaTypes.ts';
import {
  AlertKind,
  AlertStatus,
  BorderCrossingPoint,
  ComponentKind,
  ConsentRequestStatus,
  DocumentKind,
  EuFirearmCategory,
  ExplosiveType,
  FirearmType,
  HandlingCode,
  LocationKind,
  QuantityUnit,
  RiskLevel,
  SourceReliability,
  SubjectRole,
  Tier,
  TraceRequestStatus,
  UnitKind,
  VehicleRole,
} from '../enums.ts';
import type {
  AccessView,
  AlertPersonalDataView,
  AlertSummaryView,
  AlertView,
  AmmunitionView,
  ConsentGrantView,
  ConsentRequestView,
  ComponentView,
  ContactPointView,
  ExplosiveView,
  FirearmView,
  IdentityDocumentView,
  LocationView,
  RiskView,
  SharingPolicyView,
  SharingRuleView,
  SubjectView,
  TraceRequestTransitionView,
  TraceRequestView,
  UnitView,
  VehicleView,
} from '../alertView.ts';

/**
 * Adds the domain vocabulary (scalars, enums, value objects and inputs) to a
 * builder. The node and the gateway expose the same shapes, so they are
 * declared here once; each schema adds its own root types and identifiers.
 */
export function addDomainTypes(builder: HubBuilder) {
  builder.addScalarType('DateTime', DateTimeResolver);
  builder.addScalarType('Date', DateResolver);

  const enums = {
    AlertKind: builder.enumType(AlertKind, { name: 'AlertKind', description: 'What an alert is about.' }),
    AlertStatus: builder.enumType(AlertStatus, { name: 'AlertStatus' }),
    BorderCrossingPoint: builder.enumType(BorderCrossingPoint, {
      name: 'BorderCrossingPoint',
      description: 'Border crossing points of the Kosovo – North Macedonia border.',
    }),
    ComponentKind: builder.enumType(ComponentKind, { name: 'ComponentKind', description: 'Essential components (EU Firearms Directive).' }),
    DocumentKind: builder.enumType(DocumentKind, { name: 'DocumentKind' }),
    EuFirearmCategory: builder.enumType(EuFirearmCategory, { name: 'EuFirearmCategory', description: 'Category under Directive (EU) 2021/555.' }),
    ExplosiveType: builder.enumType(ExplosiveType, { name: 'ExplosiveType' }),
    FirearmType: builder.enumType(FirearmType, { name: 'FirearmType' }),
    LocationKind: builder.enumType(LocationKind, { name: 'LocationKind' }),
    QuantityUnit: builder.enumType(QuantityUnit, { name: 'QuantityUnit' }),
    RiskLevel: builder.enumType(RiskLevel, { name: 'RiskLevel', description: 'CIRAM resulting risk level.' }),
    SubjectRole: builder.enumType(SubjectRole, { name: 'SubjectRole' }),
    TraceRequestStatus: builder.enumType(TraceRequestStatus, {
      name: 'TraceRequestStatus',
      description: 'Lifecycle of a trace request, as in INTERPOL iARMS.',
    }),
    UnitKind: builder.enumType(UnitKind, { name: 'UnitKind' }),
    VehicleRole: builder.enumType(VehicleRole, { name: 'VehicleRole' }),
  };

  const ContactPoint = builder.objectRef<ContactPointView>('ContactPoint').implement({
    description: "The owner's contact point for a record: whom a partner calls after a hit.",
    fields: (t) => ({
      agency: t.exposeString('agency'),
      unitCode: t.exposeString('unitCode'),
      unitName: t.exposeString('unitName'),
      email: t.exposeString('email', { nullable: true }),
      phone: t.exposeString('phone', { nullable: true }),
    }),
  });

  const Unit = builder.objectRef<UnitView>('Unit').implement({
    fields: (t) => ({
      code: t.exposeString('code'),
      name: t.exposeString('name'),
      kind: t.expose('kind', { type: enums.UnitKind }),
      borderCrossing: t.expose('borderCrossing', { type: enums.BorderCrossingPoint, nullable: true }),
      email: t.exposeString('email', { nullable: true }),
      phone: t.exposeString('phone', { nullable: true }),
    }),
  });

  const Location = builder.objectRef<LocationView>('Location').implement({
    fields: (t) => ({
      kind: t.expose('kind', { type: enums.LocationKind }),
      borderCrossing: t.expose('borderCrossing', { type: enums.BorderCrossingPoint, nullable: true }),
      municipality: t.exposeString('municipality', { nullable: true }),
      latitude: t.exposeFloat('latitude', { nullable: true }),
      longitude: t.exposeFloat('longitude', { nullable: true }),
    }),
  });

  const RiskAssessment = builder.objectRef<RiskView>('RiskAssessment').implement({
    description: 'CIRAM-style assessment: threat, vulnerability and impact scored 1–5.',
    fields: (t) => ({
      threat: t.exposeInt('threat'),
      vulnerability: t.exposeInt('vulnerability'),
      impact: t.exposeInt('impact'),
      level: t.expose('level', { type: enums.RiskLevel }),
    }),
  });

  const Firearm = builder.objectRef<FirearmView>('Firearm').implement({
    description: 'A firearm identified as ISACS 05.31 and the INTERPOL Firearms Reference Table do.',
    fields: (t) => ({
      id: t.exposeID('id'),
      make: t.exposeString('make'),
      model: t.exposeString('model'),
      type: t.expose('type', { type: enums.FirearmType }),
      calibre: t.exposeString('calibre'),
      serialNumber: t.exposeString('serialNumber', { nullable: true, description: 'As marked on the firearm.' }),
      serialNormalized: t.exposeString('serialNormalized', {
        nullable: true,
        description: 'Upper case, separators removed, look-alike characters folded; the key used for matching.',
      }),
      countryOfManufacture: t.exposeString('countryOfManufacture', { nullable: true }),
      countryOfLastImport: t.exposeString('countryOfLastImport', { nullable: true }),
      yearOfManufacture: t.exposeInt('yearOfManufacture', { nullable: true }),
      euCategory: t.expose('euCategory', { type: enums.EuFirearmCategory, nullable: true }),
      convertedGasAlarm: t.exposeBoolean('convertedGasAlarm', { description: 'Converted gas or alarm pistol.' }),
      printed3d: t.exposeBoolean('printed3d'),
      reactivated: t.exposeBoolean('reactivated'),
      serialObliterated: t.exposeBoolean('serialObliterated'),
    }),
  });

  const Ammunition = builder.objectRef<AmmunitionView>('Ammunition').implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      calibre: t.exposeString('calibre'),
      quantity: t.exposeInt('quantity'),
    }),
  });

  const Explosive = builder.objectRef<ExplosiveView>('Explosive').implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      type: t.expose('type', { type: enums.ExplosiveType }),
      description: t.exposeString('description', { nullable: true }),
      quantity: t.exposeFloat('quantity'),
      unit: t.expose('unit', { type: enums.QuantityUnit }),
    }),
  });

  const FirearmComponent = builder.objectRef<ComponentView>('FirearmComponent').implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      kind: t.expose('kind', { type: enums.ComponentKind }),
      quantity: t.exposeInt('quantity'),
      serialNumber: t.exposeString('serialNumber', { nullable: true }),
    }),
  });

  const IdentityDocument = builder.objectRef<IdentityDocumentView>('IdentityDocument').implement({
    fields: (t) => ({
      kind: t.expose('kind', { type: enums.DocumentKind }),
      number: t.exposeString('number'),
      issuingCountry: t.exposeString('issuingCountry'),
      expiresOn: t.expose('expiresOn', { type: 'Date', nullable: true }),
    }),
  });

  const Subject = builder.objectRef<SubjectView>('Subject').implement({
    description: 'A person linked to an alert. Personal data: released only at FULL tier.',
    fields: (t) => ({
      id: t.exposeID('id'),
      role: t.expose('role', { type: enums.SubjectRole }),
      familyName: t.exposeString('familyName'),
      givenName: t.exposeString('givenName'),
      dateOfBirth: t.expose('dateOfBirth', { type: 'Date', nullable: true }),
      nationality: t.exposeString('nationality', { nullable: true }),
      documents: t.expose('documents', { type: [IdentityDocument] }),
    }),
  });

  const Vehicle = builder.objectRef<VehicleView>('Vehicle').implement({
    description: 'A vehicle linked to an alert. Plates are personal data: released only at FULL tier.',
    fields: (t) => ({
      id: t.exposeID('id'),
      role: t.expose('role', { type: enums.VehicleRole }),
      plate: t.exposeString('plate', { nullable: true }),
      plateCountry: t.exposeString('plateCountry', { nullable: true }),
      make: t.exposeString('make', { nullable: true }),
      model: t.exposeString('model', { nullable: true }),
      colour: t.exposeString('colour', { nullable: true }),
      vin: t.exposeString('vin', { nullable: true }),
    }),
  });

  const AlertSummary = builder.objectRef<AlertSummaryView>('AlertSummary').implement({
    description: 'Non-personal facts of an alert: what, where, when, how, how risky.',
    fields: (t) => ({
      title: t.exposeString('title'),
      occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
      location: t.expose('location', { type: Location }),
      modusOperandi: t.exposeString('modusOperandi', { nullable: true }),
      risk: t.expose('risk', { type: RiskAssessment }),
      unit: t.expose('unit', { type: Unit, description: 'The owner unit that reported the alert.' }),
      firearms: t.expose('firearms', { type: [Firearm] }),
      ammunition: t.expose('ammunition', { type: [Ammunition] }),
      explosives: t.expose('explosives', { type: [Explosive] }),
      components: t.expose('components', { type: [FirearmComponent] }),
    }),
  });

  const AlertPersonalData = builder.objectRef<AlertPersonalDataView>('AlertPersonalData').implement({
    description: 'Personal data of an alert: people, their documents, vehicles and plates.',
    fields: (t) => ({
      subjects: t.expose('subjects', { type: [Subject] }),
      vehicles: t.expose('vehicles', { type: [Vehicle] }),
    }),
  });

  const TraceRequestTransition = builder.objectRef<TraceRequestTransitionView>('TraceRequestTransition').implement({
    fields: (t) => ({
      fromStatus: t.expose('fromStatus', { type: enums.TraceRequestStatus, nullable: true }),
      toStatus: t.expose('toStatus', { type: enums.TraceRequestStatus }),
      actorAgency: t.exposeString('actorAgency'),
      actorSub: t.exposeString('actorSub'),
      note: t.exposeString('note', { nullable: true }),
      at: t.expose('at', { type: 'DateTime' }),
    }),
  });

  const consentEnums = {
    Tier: builder.enumType(Tier, {
      name: 'Tier',
      description: 'Tiers of the exchange agreement, lowest first: NONE (invisible), HIT, SUMMARY, FULL.',
    }),
    AccessBasis: builder.enumType('AccessBasis', {
      description: "What allows the caller to see a record at its tier: the caller's own agency, the owner's rule for the caller's agency, the agreement's default policy, or a consent grant.",
      values: ['DOMESTIC', 'POLICY', 'DEFAULT_POLICY', 'GRANT'] as const,
    }),
    HandlingCode: builder.enumType(HandlingCode, {
      name: 'HandlingCode',
      description: 'SIENA handling codes: H0 fighting crime only; H1 not for judicial proceedings without permission; H2 no onward dissemination without permission; H3 other restrictions, stated.',
    }),
    SourceReliability: builder.enumType(SourceReliability, {
      name: 'SourceReliability',
      description: '4×4 evaluation of the source: A completely reliable, B mostly reliable, C not usually reliable, X cannot be judged.',
    }),
  };

  const AccessState = builder.objectRef<AccessView>('AccessState').implement({
    description: "How far the owner's consent lets the caller see this record, for the declared purpose, and why.",
    fields: (t) => ({
      tier: t.expose('tier', { type: consentEnums.Tier }),
      basis: t.expose('basis', { type: consentEnums.AccessBasis }),
      grantId: t.exposeID('grantId', { nullable: true, description: 'The consent grant that allows it, when basis is GRANT.' }),
      validUntil: t.expose('validUntil', { type: 'DateTime', nullable: true, description: 'When the basis of this access ends.' }),
      purpose: t.exposeString('purpose'),
      caseReference: t.exposeString('caseReference', { nullable: true }),
      ceiling: t.expose('ceiling', { type: consentEnums.Tier, description: 'The most the agreement allows this caller for this purpose.' }),
      canRequestHigher: t.exposeBoolean('canRequestHigher', { description: 'A consent request could raise the tier.' }),
      handlingCode: t.expose('handlingCode', { type: consentEnums.HandlingCode }),
      handlingConditions: t.exposeString('handlingConditions', { nullable: true }),
      sourceReliability: t.expose('sourceReliability', { type: consentEnums.SourceReliability }),
      informationAccuracy: t.exposeInt('informationAccuracy', { description: '1 known to be true … 4 cannot be judged.' }),
    }),
  });

  const SharingRule = builder.objectRef<SharingRuleView>('SharingRule').implement({
    fields: (t) => ({
      partnerAgency: t.exposeString('partnerAgency'),
      tier: t.expose('tier', { type: consentEnums.Tier }),
      purposes: t.exposeStringList('purposes'),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      setBy: t.exposeString('setBy'),
      setAt: t.expose('setAt', { type: 'DateTime' }),
    }),
  });

  const SharingPolicy = builder.objectRef<SharingPolicyView>('SharingPolicy').implement({
    description: "The owner's sharing policy of a record: only the owner agency sees it.",
    fields: (t) => ({
      handlingCode: t.expose('handlingCode', { type: consentEnums.HandlingCode }),
      handlingConditions: t.exposeString('handlingConditions', { nullable: true }),
      sourceReliability: t.expose('sourceReliability', { type: consentEnums.SourceReliability }),
      informationAccuracy: t.exposeInt('informationAccuracy'),
      rules: t.expose('rules', {
        type: [SharingRule],
        description: 'Rules per partner agency; a partner without one falls under the default policy of the agreement.',
      }),
    }),
  });

  const consentRequestEnums = {
    ConsentRequestStatus: builder.enumType(ConsentRequestStatus, { name: 'ConsentRequestStatus' }),
    ConsentDirection: builder.enumType('ConsentDirection', {
      description: "INCOMING: requests to your agency's records (duty officers). OUTGOING: your agency's requests to partners.",
      values: ['INCOMING', 'OUTGOING'] as const,
    }),
    ConsentDecision: builder.enumType('ConsentDecision', { values: ['GRANT', 'REFUSE'] as const }),
  };

  // ── Fields of the record types, whose identifiers differ between node (local) and gateway (global) ──

  const fields = {
    consentGrant: (t: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, ConsentGrantView>) => ({
      granteeAgency: t.exposeString('granteeAgency'),
      tier: t.expose('tier', { type: consentEnums.Tier }),
      purpose: t.exposeString('purpose'),
      caseReference: t.exposeString('caseReference', { nullable: true }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      grantedBy: t.exposeString('grantedBy'),
      grantedAt: t.expose('grantedAt', { type: 'DateTime' }),
      revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
      revokedBy: t.exposeString('revokedBy', { nullable: true }),
      revocationReason: t.exposeString('revocationReason', { nullable: true }),
    }),
    consentRequest: (t: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, ConsentRequestView>) => ({
      owner: t.exposeString('owner', { description: 'Agency that owns the record and decides.' }),
      alertReference: t.exposeString('alertReference', {
        nullable: true,
        description: 'The record asked about; null once it does not exist for you (the owner lowered it to NONE): you keep your request, not the record.',
      }),
      requestingAgency: t.exposeString('requestingAgency'),
      requestingUnit: t.exposeString('requestingUnit'),
      requestedBy: t.exposeString('requestedBy'),
      tier: t.expose('tier', { type: consentEnums.Tier, description: 'The tier asked for.' }),
      purpose: t.exposeString('purpose'),
      caseReference: t.exposeString('caseReference', { nullable: true }),
      justification: t.exposeString('justification'),
      status: t.expose('status', { type: consentRequestEnums.ConsentRequestStatus }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      dueAt: t.expose('dueAt', { type: 'DateTime', description: 'The owner must answer by then (exchange agreement).' }),
      overdue: t.exposeBoolean('overdue', { description: 'Still pending after its deadline.' }),
      secondsLeft: t.exposeInt('secondsLeft', { nullable: true, description: 'Time left to answer; negative once overdue, null once decided.' }),
      decidedBy: t.exposeString('decidedBy', { nullable: true }),
      decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true }),
      decisionReason: t.exposeString('decisionReason', { nullable: true }),
    }),
    alert: (t: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, AlertView>) => ({
      reference: t.exposeString('reference'),
      kind: t.expose('kind', { type: enums.AlertKind }),
      status: t.expose('status', { type: enums.AlertStatus }),
      contactPoint: t.expose('contactPoint', { type: ContactPoint }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      version: t.exposeInt('version', { description: 'Give it back as expectedVersion when updating.' }),
      access: t.expose('access', { type: AccessState }),
      summary: t.expose('summary', {
        type: AlertSummary,
        nullable: true,
        description: 'Present from the SUMMARY tier up (exchange agreement); null below it, as access.tier says.',
      }),
      personalData: t.expose('personalData', {
        type: AlertPersonalData,
        nullable: true,
        description: 'Present at the FULL tier only (exchange agreement); null below it, as access.tier says.',
      }),
      sharingPolicy: t.expose('sharingPolicy', {
        type: SharingPolicy,
        nullable: true,
        description: "The owner's sharing policy: present for the owner agency's officers only.",
      }),
    }),
    traceRequest: (t: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, TraceRequestView>) => ({
      reference: t.exposeString('reference'),
      requestingAgency: t.exposeString('requestingAgency'),
      addressedTo: t.exposeString('addressedTo'),
      alertReference: t.exposeString('alertReference', {
        nullable: true,
        description: "The requester's record the firearm is on; null where that record does not exist for you (the owner lowered it to NONE).",
      }),
      tier: t.expose('tier', {
        type: consentEnums.Tier,
        description:
          'The tier the requesting agency releases this request at to you: FULL for its own officers; for the addressed agency the ' +
          "exchange agreement's trace-request tier, capped by your purpose and roles. Fields above it are null.",
      }),
      firearm: t.expose('firearm', { type: Firearm, nullable: true, description: 'The firearm to trace (SUMMARY).' }),
      question: t.exposeString('question', { nullable: true, description: 'SUMMARY.' }),
      answer: t.exposeString('answer', { nullable: true, description: 'SUMMARY.' }),
      status: t.expose('status', { type: enums.TraceRequestStatus }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      transitions: t.expose('transitions', { type: [TraceRequestTransition], nullable: true, description: 'Each step with its note (SUMMARY).' }),
    }),
  };

  // ── Inputs ──

  const LocationInput = builder.inputType('LocationInput', {
    fields: (t) => ({
      kind: t.field({ type: enums.LocationKind, required: true }),
      borderCrossing: t.field({ type: enums.BorderCrossingPoint }),
      municipality: t.string(),
      latitude: t.float(),
      longitude: t.float(),
    }),
  });

  const RiskInput = builder.inputType('RiskInput', {
    fields: (t) => ({
      threat: t.int({ required: true, description: '1 (lowest) to 5 (highest)' }),
      vulnerability: t.int({ required: true, description: '1 (lowest) to 5 (highest)' }),
      impact: t.int({ required: true, description: '1 (lowest) to 5 (highest)' }),
    }),
  });

  const FirearmInput = builder.inputType('FirearmInput', {
    fields: (t) => ({
      make: t.string({ required: true }),
      model: t.string({ required: true }),
      type: t.field({ type: enums.FirearmType, required: true }),
      calibre: t.string({ required: true }),
      serialNumber: t.string({ description: 'As marked; normalised by the node for matching.' }),
      countryOfManufacture: t.string(),
      countryOfLastImport: t.string(),
      yearOfManufacture: t.int(),
      euCategory: t.field({ type: enums.EuFirearmCategory }),
      convertedGasAlarm: t.boolean(),
      printed3d: t.boolean(),
      reactivated: t.boolean(),
      serialObliterated: t.boolean(),
    }),
  });

  const AmmunitionInput = builder.inputType('AmmunitionInput', {
    fields: (t) => ({ calibre: t.string({ required: true }), quantity: t.int({ required: true }) }),
  });

  const ExplosiveInput = builder.inputType('ExplosiveInput', {
    fields: (t) => ({
      type: t.field({ type: enums.ExplosiveType, required: true }),
      description: t.string(),
      quantity: t.float({ required: true }),
      unit: t.field({ type: enums.QuantityUnit, required: true }),
    }),
  });

  const ComponentInput = builder.inputType('FirearmComponentInput', {
    fields: (t) => ({
      kind: t.field({ type: enums.ComponentKind, required: true }),
      quantity: t.int({ required: true }),
      serialNumber: t.string(),
    }),
  });

  const IdentityDocumentInput = builder.inputType('IdentityDocumentInput', {
    fields: (t) => ({
      kind: t.field({ type: enums.DocumentKind, required: true }),
      number: t.string({ required: true }),
      issuingCountry: t.string({ required: true }),
      expiresOn: t.field({ type: 'Date' }),
    }),
  });

  const SubjectInput = builder.inputType('SubjectInput', {
    fields: (t) => ({
      role: t.field({ type: enums.SubjectRole, required: true }),
      familyName: t.string({ required: true }),
      givenName: t.string({ required: true }),
      dateOfBirth: t.field({ type: 'Date' }),
      nationality: t.string(),
      documents: t.field({ type: [IdentityDocumentInput] }),
    }),
  });

  const VehicleInput = builder.inputType('VehicleInput', {
    fields: (t) => ({
      role: t.field({ type: enums.VehicleRole, required: true }),
      plate: t.string(),
      plateCountry: t.string(),
      make: t.string(),
      model: t.string(),
      colour: t.string(),
      vin: t.string(),
    }),
  });

  const CreateAlertInput = builder.inputType('CreateAlertInput', {
    fields: (t) => ({
      kind: t.field({ type: enums.AlertKind, required: true }),
      title: t.string({ required: true }),
      occurredAt: t.field({ type: 'DateTime', required: true }),
      location: t.field({ type: LocationInput, required: true }),
      modusOperandi: t.string(),
      risk: t.field({ type: RiskInput, required: true }),
      unitCode: t.string({ description: "Reporting unit; defaults to the officer's own unit." }),
      firearms: t.field({ type: [FirearmInput] }),
      ammunition: t.field({ type: [AmmunitionInput] }),
      explosives: t.field({ type: [ExplosiveInput] }),
      components: t.field({ type: [ComponentInput] }),
      subjects: t.field({ type: [SubjectInput] }),
      vehicles: t.field({ type: [VehicleInput] }),
    }),
  });

  const UpdateAlertInput = builder.inputType('UpdateAlertInput', {
    fields: (t) => ({
      status: t.field({ type: enums.AlertStatus }),
      title: t.string(),
      modusOperandi: t.string(),
      risk: t.field({ type: RiskInput }),
    }),
  });

  const AdvanceTraceRequestInput = builder.inputType('AdvanceTraceRequestInput', {
    fields: (t) => ({
      status: t.field({ type: enums.TraceRequestStatus, required: true }),
      note: t.string(),
      answer: t.string({ description: 'Required when the addressed agency answers.' }),
    }),
  });

  const AlertFilter = builder.inputType('AlertFilter', {
    fields: (t) => ({
      kinds: t.field({ type: [enums.AlertKind] }),
      statuses: t.field({ type: [enums.AlertStatus] }),
      riskLevels: t.field({ type: [enums.RiskLevel] }),
      borderCrossing: t.field({ type: enums.BorderCrossingPoint }),
      occurredAfter: t.field({ type: 'DateTime' }),
      occurredBefore: t.field({ type: 'DateTime' }),
    }),
  });

  const TraceRequestFilter = builder.inputType('TraceRequestFilter', {
    fields: (t) => ({
      statuses: t.field({ type: [enums.TraceRequestStatus] }),
      addressedTo: t.string({ description: 'Agency code the requests are addressed to.' }),
    }),
  });

  const SubmitTraceRequestInput = builder.inputType('SubmitTraceRequestInput', {
    fields: (t) => ({
      firearmId: t.id({ required: true, description: "A firearm on one of your agency's alerts (its `id` in the alert summary)." }),
      addressedTo: t.string({ required: true, description: 'Agency asked to trace the firearm.' }),
      question: t.string({ required: true }),
    }),
  });

  const SharingRuleInput = builder.inputType('SharingRuleInput', {
    fields: (t) => ({
      partnerAgency: t.string({ required: true }),
      tier: t.field({ type: consentEnums.Tier, required: true }),
      purposes: t.stringList({ required: true, description: 'Purposes of the exchange agreement.' }),
      expiresAt: t.field({ type: 'DateTime', required: true }),
    }),
  });

  const SharingPolicyInput = builder.inputType('SharingPolicyInput', {
    description: 'Changes to the sharing policy of a record. Rules replace the rule for their partner agency; other partners keep theirs.',
    fields: (t) => ({
      handlingCode: t.field({ type: consentEnums.HandlingCode }),
      handlingConditions: t.string({ description: 'Required for H3: the restrictions, in words.' }),
      sourceReliability: t.field({ type: consentEnums.SourceReliability }),
      informationAccuracy: t.int({ description: '1 to 4' }),
      rules: t.field({ type: [SharingRuleInput] }),
    }),
  });

  const ConsentRequestInput = builder.inputType('ConsentRequestInput', {
    description: 'A request for a higher tier on one record, for the purpose and case reference declared with the request.',
    fields: (t) => ({
      alertId: t.id({ required: true }),
      tier: t.field({ type: consentEnums.Tier, required: true }),
      justification: t.string({ required: true }),
    }),
  });

  const ConsentDecisionInput = builder.inputType('ConsentDecisionInput', {
    fields: (t) => ({
      decision: t.field({ type: consentRequestEnums.ConsentDecision, required: true }),
      tier: t.field({ type: consentEnums.Tier, description: 'For a grant: the tier given, at most the one requested (default).' }),
      expiresAt: t.field({ type: 'DateTime', description: 'Required for a grant: every grant ends.' }),
      reason: t.string({ required: true }),
    }),
  });

  const ConsentRequestFilter = builder.inputType('ConsentRequestFilter', {
    fields: (t) => ({
      direction: t.field({ type: consentRequestEnums.ConsentDirection, required: true }),
      statuses: t.field({ type: [consentRequestEnums.ConsentRequestStatus] }),
      overdueOnly: t.boolean({ description: 'Only pending requests past their deadline.' }),
    }),
  });

  return {
    enums: { ...enums, ...consentEnums, ...consentRequestEnums },
    fields,
    objects: {
      ContactPoint,
      Unit,
      Location,
      RiskAssessment,
      Firearm,
      Ammunition,
      Explosive,
      FirearmComponent,
      IdentityDocument,
      Subject,
      Vehicle,
      AlertSummary,
      AlertPersonalData,
      TraceRequestTransition,
      AccessState,
      SharingPolicy,
    },
    inputs: {
      SharingPolicyInput,
      ConsentRequestInput,
      ConsentDecisionInput,
      ConsentRequestFilter,
      CreateAlertInput,
      UpdateAlertInput,
      AdvanceTraceRequestInput,
      AlertFilter,
      TraceRequestFilter,
      SubmitTraceRequestInput,
    },
  };
}

export type DomainTypes = ReturnType<typeof addDomainTypes>;
