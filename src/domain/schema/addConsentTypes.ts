import type { HubBuilder, HubTypes } from './hubSchemaTypes.ts';
import { ConsentRequestStatus, HandlingCode, SourceReliability, Tier } from '../enums.ts';
import type { AccessView, ConsentGrantView, ConsentRequestView, SharingPolicyView, SharingRuleView } from '../alertView.ts';

/**
 * The consent vocabulary: tiers and handling codes, a record's access state
 * and its owner's sharing policy, consent requests and grants, and the inputs
 * that set policies and ask for and decide on consent.
 */
export function addConsentTypes(builder: HubBuilder) {
  const enums = {
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
    ConsentRequestStatus: builder.enumType(ConsentRequestStatus, { name: 'ConsentRequestStatus' }),
    ConsentDirection: builder.enumType('ConsentDirection', {
      description: "INCOMING: requests to your agency's records (duty officers). OUTGOING: your agency's requests to partners.",
      values: ['INCOMING', 'OUTGOING'] as const,
    }),
    ConsentDecision: builder.enumType('ConsentDecision', { values: ['GRANT', 'REFUSE'] as const }),
  };

  const AccessState = builder.objectRef<AccessView>('AccessState').implement({
    description: "How far the owner's consent lets the caller see this record, for the declared purpose, and why.",
    fields: (t) => ({
      tier: t.expose('tier', { type: enums.Tier }),
      basis: t.expose('basis', { type: enums.AccessBasis }),
      grantId: t.exposeID('grantId', { nullable: true, description: 'The consent grant that allows it, when basis is GRANT.' }),
      validUntil: t.expose('validUntil', { type: 'DateTime', nullable: true, description: 'When the basis of this access ends.' }),
      purpose: t.exposeString('purpose'),
      caseReference: t.exposeString('caseReference', { nullable: true }),
      ceiling: t.expose('ceiling', { type: enums.Tier, description: 'The most the agreement allows this caller for this purpose.' }),
      canRequestHigher: t.exposeBoolean('canRequestHigher', { description: 'A consent request could raise the tier.' }),
      handlingCode: t.expose('handlingCode', { type: enums.HandlingCode }),
      handlingConditions: t.exposeString('handlingConditions', { nullable: true }),
      sourceReliability: t.expose('sourceReliability', { type: enums.SourceReliability }),
      informationAccuracy: t.exposeInt('informationAccuracy', { description: '1 known to be true … 4 cannot be judged.' }),
    }),
  });

  const SharingRule = builder.objectRef<SharingRuleView>('SharingRule').implement({
    fields: (t) => ({
      partnerAgency: t.exposeString('partnerAgency'),
      tier: t.expose('tier', { type: enums.Tier }),
      purposes: t.exposeStringList('purposes'),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      setBy: t.exposeString('setBy'),
      setAt: t.expose('setAt', { type: 'DateTime' }),
    }),
  });

  const SharingPolicy = builder.objectRef<SharingPolicyView>('SharingPolicy').implement({
    description: "The owner's sharing policy of a record: only the owner agency sees it.",
    fields: (t) => ({
      handlingCode: t.expose('handlingCode', { type: enums.HandlingCode }),
      handlingConditions: t.exposeString('handlingConditions', { nullable: true }),
      sourceReliability: t.expose('sourceReliability', { type: enums.SourceReliability }),
      informationAccuracy: t.exposeInt('informationAccuracy'),
      rules: t.expose('rules', {
        type: [SharingRule],
        description: 'Rules per partner agency; a partner without one falls under the default policy of the agreement.',
      }),
    }),
  });

  // Consent requests and grants have identifiers of their node (local) or of the gateway (global):
  // each schema adds them to these fields.
  const fields = {
    consentGrant: (t: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, ConsentGrantView>) => ({
      granteeAgency: t.exposeString('granteeAgency'),
      tier: t.expose('tier', { type: enums.Tier }),
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
      tier: t.expose('tier', { type: enums.Tier, description: 'The tier asked for.' }),
      purpose: t.exposeString('purpose'),
      caseReference: t.exposeString('caseReference', { nullable: true }),
      justification: t.exposeString('justification'),
      status: t.expose('status', { type: enums.ConsentRequestStatus }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      dueAt: t.expose('dueAt', { type: 'DateTime', description: 'The owner must answer by then (exchange agreement).' }),
      overdue: t.exposeBoolean('overdue', { description: 'Still pending after its deadline.' }),
      secondsLeft: t.exposeInt('secondsLeft', { nullable: true, description: 'Time left to answer; negative once overdue, null once decided.' }),
      decidedBy: t.exposeString('decidedBy', { nullable: true }),
      decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true }),
      decisionReason: t.exposeString('decisionReason', { nullable: true }),
    }),
  };

  const SharingRuleInput = builder.inputType('SharingRuleInput', {
    fields: (t) => ({
      partnerAgency: t.string({ required: true }),
      tier: t.field({ type: enums.Tier, required: true }),
      purposes: t.stringList({ required: true, description: 'Purposes of the exchange agreement.' }),
      expiresAt: t.field({ type: 'DateTime', required: true }),
    }),
  });

  const SharingPolicyInput = builder.inputType('SharingPolicyInput', {
    description: 'Changes to the sharing policy of a record. Rules replace the rule for their partner agency; other partners keep theirs.',
    fields: (t) => ({
      handlingCode: t.field({ type: enums.HandlingCode }),
      handlingConditions: t.string({ description: 'Required for H3: the restrictions, in words.' }),
      sourceReliability: t.field({ type: enums.SourceReliability }),
      informationAccuracy: t.int({ description: '1 to 4' }),
      rules: t.field({ type: [SharingRuleInput] }),
    }),
  });

  const ConsentRequestInput = builder.inputType('ConsentRequestInput', {
    description: 'A request for a higher tier on one record, for the purpose and case reference declared with the request.',
    fields: (t) => ({
      alertId: t.id({ required: true }),
      tier: t.field({ type: enums.Tier, required: true }),
      justification: t.string({ required: true }),
    }),
  });

  const ConsentDecisionInput = builder.inputType('ConsentDecisionInput', {
    fields: (t) => ({
      decision: t.field({ type: enums.ConsentDecision, required: true }),
      tier: t.field({ type: enums.Tier, description: 'For a grant: the tier given, at most the one requested (default).' }),
      expiresAt: t.field({ type: 'DateTime', description: 'Required for a grant: every grant ends.' }),
      reason: t.string({ required: true }),
    }),
  });

  const ConsentRequestFilter = builder.inputType('ConsentRequestFilter', {
    fields: (t) => ({
      direction: t.field({ type: enums.ConsentDirection, required: true }),
      statuses: t.field({ type: [enums.ConsentRequestStatus] }),
      overdueOnly: t.boolean({ description: 'Only pending requests past their deadline.' }),
    }),
  });

  return {
    enums,
    fields,
    objects: { AccessState, SharingPolicy },
    inputs: { SharingPolicyInput, ConsentRequestInput, ConsentDecisionInput, ConsentRequestFilter },
  };
}

export type ConsentTypes = ReturnType<typeof addConsentTypes>;
