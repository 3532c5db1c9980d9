import type { HubBuilder } from './hubSchemaTypes.ts';
import type { AlertTypes } from './addAlertTypes.ts';

/**
 * What officers write about records: a new alert and its parts, a change to
 * one, a trace request and its steps, and the filters of the lists.
 */
export function addAlertInputs(builder: HubBuilder, enums: AlertTypes['enums']) {
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

  return {
    CreateAlertInput,
    UpdateAlertInput,
    AdvanceTraceRequestInput,
    AlertFilter,
    TraceRequestFilter,
    SubmitTraceRequestInput,
  };
}
