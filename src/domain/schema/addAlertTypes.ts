import type { HubBuilder } from './hubSchemaTypes.ts';
import {
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
} from '../enums.ts';
import type {
  AlertPersonalDataView,
  AlertSummaryView,
  AmmunitionView,
  ComponentView,
  ContactPointView,
  ExplosiveView,
  FirearmView,
  IdentityDocumentView,
  LocationView,
  RiskView,
  SubjectView,
  TraceRequestTransitionView,
  UnitView,
  VehicleView,
} from '../alertView.ts';

/**
 * The vocabulary of the records themselves: the enums of alerts and trace
 * requests, and the value objects an alert is made of, from its contact point
 * to its summary (SUMMARY tier) and personal data (FULL tier).
 */
export function addAlertTypes(builder: HubBuilder) {
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

  return {
    enums,
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
    },
  };
}

export type AlertTypes = ReturnType<typeof addAlertTypes>;
