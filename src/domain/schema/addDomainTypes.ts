import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import type { HubBuilder, HubTypes } from './hubSchemaTypes.ts';
import type { AlertView, TraceRequestView } from '../alertView.ts';
import { addAlertInputs } from './addAlertInputs.ts';
import { addAlertTypes } from './addAlertTypes.ts';
import { addConsentTypes } from './addConsentTypes.ts';

/**
 * Adds the domain vocabulary (scalars, enums, value objects and inputs) to a
 * builder. The node and the gateway expose the same shapes, so they are
 * declared here once; each schema adds its own root types and identifiers.
 */
export function addDomainTypes(builder: HubBuilder) {
  builder.addScalarType('DateTime', DateTimeResolver);
  builder.addScalarType('Date', DateResolver);

  const alerts = addAlertTypes(builder);
  const consent = addConsentTypes(builder);
  const enums = alerts.enums;
  const { ContactPoint, AlertSummary, AlertPersonalData, Firearm, TraceRequestTransition } = alerts.objects;
  const { AccessState, SharingPolicy } = consent.objects;

  // ── Fields of the record types, whose identifiers differ between node (local) and gateway (global) ──

  const fields = {
    ...consent.fields,
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
        type: consent.enums.Tier,
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

  return {
    enums: { ...alerts.enums, ...consent.enums },
    fields,
    objects: { ...alerts.objects, ...consent.objects },
    inputs: { ...consent.inputs, ...addAlertInputs(builder, alerts.enums) },
  };
}

export type DomainTypes = ReturnType<typeof addDomainTypes>;
