import { journaled } from '../../audit/auditCollector.ts';
import { jointOperationPurpose } from '../../consent/agreement.ts';
import { operationReleaseInput } from '../../consent/consentInput.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import { parseInput } from '../../domain/alertInput.ts';
import type { AlertView, ConsentGrantView } from '../../domain/alertView.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type {
  JointOperation as JointOperationRow,
  OperationAlertLink,
  OperationMember as OperationMemberRow,
  OperationRelease as OperationReleaseRow,
  OperationTransition as OperationTransitionRow,
  OperationUpdate as OperationUpdateRow,
  TimelineEntry as TimelineEntryRow,
} from '../../generated/hub/client.ts';
import { OperationRole, OperationStatus, OperationUpdateKind, TimelineEntryKind } from '../../generated/hub/enums.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { alertSelection, neededAlertSelection } from '../../gateway/alertSelection.ts';
import type { GatewayContext } from '../../gateway/context.ts';
import { hubOwner, ownedId, parseGlobalId, parseHubId, splitOwnedId, toGlobalId } from '../../gateway/globalId.ts';
import { linkOperationAlert, setOperationRelease } from '../alertLinkRecords.ts';
import { findMembership, type OperationMembership } from '../membership.ts';
import { addOperationMember, removeOperationMember } from '../memberRecords.ts';
import {
  createJointOperationInput,
  jointOperationFilter,
  operationMemberInput,
  operationStatusChangeInput,
  timelineEntryInput,
} from '../operationInput.ts';
import { operationOutcome, outcomeAlertFields, type OperationOutcome as OutcomeView } from '../operationOutcome.ts';
import { changeOperationStatus, createJointOperation, listJointOperations, operationRecord } from '../operationRecords.ts';
import { addTimelineEntry } from '../timelineRecords.ts';
import { operationUpdatesFeed } from '../operationUpdateStream.ts';
import { subscribeToFeed, type FeedPush } from '../../realtime/feedStream.ts';
import { fetchOwned, requestNode } from '../../gateway/ownerRequests.ts';
import { Agency } from '../../gateway/schema/agency.ts';
import { Alert } from '../../gateway/schema/alert.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { domain } from '../../gateway/schema/domain.ts';

const enums = {
  OperationStatus: builder.enumType(OperationStatus, { name: 'OperationStatus', description: 'PLANNED → ACTIVE → CLOSED, or CANCELLED from PLANNED or ACTIVE.' }),
  OperationRole: builder.enumType(OperationRole, { name: 'OperationRole', description: "A member's role in one operation." }),
  TimelineEntryKind: builder.enumType(TimelineEntryKind, { name: 'TimelineEntryKind' }),
  OperationUpdateKind: builder.enumType(OperationUpdateKind, { name: 'OperationUpdateKind' }),
  OperationStatusChange: builder.enumType('OperationStatusChange', { values: ['ACTIVE', 'CLOSED', 'CANCELLED'] as const }),
};

/**
 * The membership the request was verified for, when it is of this very
 * operation: the record beyond its name is read, and the operation changed,
 * only under the purpose JOINT_OPERATION with the operation's code as case
 * reference (so every read and change is logged with it). A member working
 * under another purpose is told what to declare; anyone else learns nothing.
 */
async function workingIn(context: GatewayContext, operationId: string): Promise<OperationMembership> {
  const verified = context.operationMembership;
  if (verified?.operationId === operationId) return verified;
  const member = await findMembership(context.prisma, context.officer, { id: operationId });
  if (member) {
    throw hubError(
      ErrorCode.PURPOSE_NOT_ALLOWED,
      `Work in joint operation ${member.code} under the purpose ${jointOperationPurpose} with case reference ${member.code}.`,
    );
  }
  throw hubError(ErrorCode.NOT_FOUND, 'No joint operation with this id.');
}

/**
 * The linked alerts as the reader gets them from their owners now, with the
 * selection asked (the client's, or what the outcome counts), read once per
 * request, operation and selection: per entry of the log, so that each push
 * of a subscription (which has its own) asks the owners again.
 */
const linkedAlertsOf = new WeakMap<GatewayContext['audit'], Map<string, Promise<Map<string, AlertView | null>>>>();
function linkedAlertViews(context: GatewayContext, operationId: string, links: readonly OperationAlertLink[], selection: string) {
  const perOperation = linkedAlertsOf.get(context.audit) ?? new Map<string, Promise<Map<string, AlertView | null>>>();
  linkedAlertsOf.set(context.audit, perOperation);
  const key = `${operationId} ${selection}`;
  let pending = perOperation.get(key);
  if (!pending) {
    pending = Promise.all(
      links.map(
        async (link) =>
          [ownedId(link.alertAgency, link.alertId), await fetchOwned<AlertView>(context, link.alertAgency, link.alertId, 'alert', selection)] as const,
      ),
    ).then((entries) => new Map(entries));
    perOperation.set(key, pending);
  }
  return pending;
}

const Period = builder.objectRef<{ start: Date | null; end: Date | null }>('OperationPeriod').implement({
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', nullable: true }),
    end: t.expose('end', { type: 'DateTime', nullable: true }),
  }),
});

const Area = builder.objectRef<Pick<JointOperationRow, 'borderCrossings' | 'greenBorderSectors' | 'municipalities'>>('OperationArea').implement({
  description: 'Where the operation works: border crossing points, green-border sectors and municipalities.',
  fields: (t) => ({
    borderCrossings: t.field({ type: [domain.enums.BorderCrossingPoint], resolve: (area) => area.borderCrossings as never }),
    greenBorderSectors: t.exposeStringList('greenBorderSectors'),
    municipalities: t.exposeStringList('municipalities'),
  }),
});

const OperationMember = builder.objectRef<OperationMemberRow>('OperationMember').implement({
  description: 'An officer of a participating agency in the operation, for a period.',
  fields: (t) => ({
    id: t.id({ resolve: (member) => toGlobalId('OperationMember', hubOwner, member.id) }),
    operationId: t.id({ description: 'The operation it belongs to.', resolve: (row) => toGlobalId('JointOperation', hubOwner, row.operationId) }),
    officerSub: t.exposeString('officerSub'),
    agency: t.field({ type: Agency, resolve: (member) => agencyInfo(member.agency) }),
    unitCode: t.exposeString('unitCode'),
    role: t.expose('role', { type: enums.OperationRole }),
    validFrom: t.expose('validFrom', { type: 'DateTime' }),
    validUntil: t.expose('validUntil', { type: 'DateTime', nullable: true }),
    addedBy: t.exposeString('addedBy'),
    addedAt: t.expose('addedAt', { type: 'DateTime' }),
    removedAt: t.expose('removedAt', { type: 'DateTime', nullable: true }),
    removedBy: t.exposeString('removedBy', { nullable: true }),
  }),
});

const OperationTransition = builder.objectRef<OperationTransitionRow>('OperationTransition').implement({
  description: 'A status change: who made it and when.',
  fields: (t) => ({
    fromStatus: t.expose('fromStatus', { type: enums.OperationStatus, nullable: true }),
    toStatus: t.expose('toStatus', { type: enums.OperationStatus }),
    actorSub: t.exposeString('actorSub'),
    actorAgency: t.exposeString('actorAgency'),
    actorUnit: t.exposeString('actorUnit'),
    at: t.expose('at', { type: 'DateTime' }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

const LinkedAlert = builder.objectRef<OperationAlertLink>('LinkedAlert').implement({
  description: "An alert linked to the operation. `alert` is what its owner's consent gives you now (null: nothing).",
  fields: (t) => ({
    operationId: t.id({ description: 'The operation it belongs to.', resolve: (row) => toGlobalId('JointOperation', hubOwner, row.operationId) }),
    alertId: t.id({ resolve: (link) => toGlobalId('Alert', link.alertAgency, link.alertId) }),
    owner: t.field({ type: Agency, resolve: (link) => agencyInfo(link.alertAgency) }),
    linkedBy: t.exposeString('linkedBy'),
    linkedByAgency: t.exposeString('linkedByAgency'),
    linkedAt: t.expose('linkedAt', { type: 'DateTime' }),
    alert: t.field({
      type: Alert,
      nullable: true,
      resolve: async (link, _args, context, info) => {
        const links = await context.prisma.operationAlertLink.findMany({ where: { operationId: link.operationId } });
        const views = await linkedAlertViews(context, link.operationId, links, alertSelection(info));
        return views.get(ownedId(link.alertAgency, link.alertId)) ?? null;
      },
    }),
  }),
});

const TimelineEntry = builder.objectRef<TimelineEntryRow>('TimelineEntry').implement({
  description: 'A dated entry of the operation record. Never changed: a correction is a new entry naming the one it corrects.',
  fields: (t) => ({
    id: t.id({ resolve: (entry) => toGlobalId('TimelineEntry', hubOwner, entry.id) }),
    operationId: t.id({ description: 'The operation it belongs to.', resolve: (row) => toGlobalId('JointOperation', hubOwner, row.operationId) }),
    kind: t.expose('kind', { type: enums.TimelineEntryKind }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    text: t.exposeString('text'),
    personsArrested: t.exposeInt('personsArrested', { nullable: true }),
    alertIds: t.idList({ resolve: (entry) => entry.alertIds.map((id) => { const { agency, localId } = splitOwnedId(id); return toGlobalId('Alert', agency, localId); }) }),
    correctsId: t.id({ nullable: true, resolve: (entry) => entry.correctsId && toGlobalId('TimelineEntry', hubOwner, entry.correctsId) }),
    authorSub: t.exposeString('authorSub'),
    authorAgency: t.exposeString('authorAgency'),
    authorUnit: t.exposeString('authorUnit'),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
  }),
});

const OperationRelease = builder.objectRef<OperationReleaseRow>('OperationRelease').implement({
  description: "An owner agency's release of its linked alerts to the operation's other agencies (consent grants at its node).",
  fields: (t) => ({
    operationId: t.id({ description: 'The operation it belongs to.', resolve: (row) => toGlobalId('JointOperation', hubOwner, row.operationId) }),
    owner: t.field({ type: Agency, resolve: (release) => agencyInfo(release.ownerAgency) }),
    tier: t.field({ type: domain.enums.Tier, resolve: (release) => release.tier as never }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    setBy: t.exposeString('setBy'),
    setAt: t.expose('setAt', { type: 'DateTime' }),
  }),
});

const FirearmCategoryTotal = builder.objectRef<OutcomeView['firearmsByCategory'][number]>('FirearmCategoryTotal').implement({
  fields: (t) => ({
    category: t.expose('category', { type: domain.enums.EuFirearmCategory, nullable: true, description: 'EU category; null when not categorised.' }),
    count: t.exposeInt('count'),
  }),
});

const OperationOutcome = builder.objectRef<OutcomeView>('OperationOutcome').implement({
  description:
    'Totals derived from the linked SEIZURE alerts at what you may see of them, and the arrests of the timeline. Never typed in.',
  fields: (t) => ({
    seizuresCounted: t.exposeInt('seizuresCounted'),
    seizuresWithheld: t.exposeInt('seizuresWithheld', { description: 'Linked seizures you see only at HIT: not in the totals.' }),
    alertsNotVisible: t.exposeInt('alertsNotVisible', { description: 'Linked alerts you may not see at all.' }),
    firearms: t.exposeInt('firearms'),
    firearmsByCategory: t.expose('firearmsByCategory', { type: [FirearmCategoryTotal] }),
    roundsOfAmmunition: t.exposeInt('roundsOfAmmunition'),
    explosivesKilograms: t.exposeFloat('explosivesKilograms'),
    explosiveItemsWithoutMass: t.exposeInt('explosiveItemsWithoutMass'),
    personsArrested: t.exposeInt('personsArrested'),
  }),
});

/** A field of the record beyond the operation's name: only while working in it. */
const inOperation =
  <T>(read: (operation: JointOperationRow, context: GatewayContext) => Promise<T>) =>
  async (operation: JointOperationRow, _args: object, context: GatewayContext) => {
    await workingIn(context, operation.id);
    return read(operation, context);
  };

export const JointOperation = builder.node(builder.objectRef<JointOperationRow>('JointOperation'), {
  description:
    "A joint operation of two or more agencies, held by the hub. Its code is the case reference of everything done for it. Members see its name " +
    'and status in jointOperations; its record (members, linked alerts, timeline, outcome) under the purpose JOINT_OPERATION with its code.',
  id: { resolve: (operation) => ownedId(hubOwner, operation.id) },
  loadOne: async (id, context) => {
    const { localId } = splitOwnedId(id);
    const membership = await findMembership(context.prisma, context.officer, { id: localId });
    const operation = membership ? await context.prisma.jointOperation.findUnique({ where: { id: localId } }) : null;
    if (operation) context.audit.note(operationRecord(operation));
    return operation;
  },
  fields: (t) => ({
    code: t.exposeString('code', { description: 'The case reference members declare with the purpose JOINT_OPERATION.' }),
    codeName: t.exposeString('codeName'),
    objective: t.exposeString('objective'),
    legalBasis: t.exposeString('legalBasis'),
    leadAgency: t.field({ type: Agency, resolve: (operation) => agencyInfo(operation.leadAgency) }),
    participatingAgencies: t.field({ type: [Agency], resolve: (operation) => operation.participatingAgencies.map(agencyInfo) }),
    area: t.field({ type: Area, resolve: (operation) => operation }),
    plannedPeriod: t.field({ type: Period, resolve: (operation) => ({ start: operation.plannedStart, end: operation.plannedEnd }) }),
    actualPeriod: t.field({ type: Period, resolve: (operation) => ({ start: operation.actualStart, end: operation.actualEnd }) }),
    status: t.expose('status', { type: enums.OperationStatus }),
    createdBy: t.exposeString('createdBy'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    myRole: t.field({
      type: enums.OperationRole,
      nullable: true,
      description: 'Your role in the operation now.',
      resolve: async (operation, _args, context) => (await findMembership(context.prisma, context.officer, { id: operation.id }))?.role ?? null,
    }),
    transitions: t.field({
      type: [OperationTransition],
      resolve: inOperation((operation, context) => context.prisma.operationTransition.findMany({ where: { operationId: operation.id }, orderBy: { at: 'asc' } })),
    }),
    members: t.field({
      type: [OperationMember],
      description: 'Every member, past (removed) ones included, in the order they were added.',
      resolve: inOperation((operation, context) => context.prisma.operationMember.findMany({ where: { operationId: operation.id }, orderBy: { addedAt: 'asc' } })),
    }),
    linkedAlerts: t.field({
      type: [LinkedAlert],
      resolve: inOperation((operation, context) => context.prisma.operationAlertLink.findMany({ where: { operationId: operation.id }, orderBy: { linkedAt: 'asc' } })),
    }),
    releases: t.field({
      type: [OperationRelease],
      resolve: inOperation((operation, context) => context.prisma.operationRelease.findMany({ where: { operationId: operation.id }, orderBy: { ownerAgency: 'asc' } })),
    }),
    timeline: t.field({
      type: [TimelineEntry],
      description: 'In the order entries were recorded.',
      resolve: inOperation((operation, context) =>
        context.prisma.timelineEntry.findMany({ where: { operationId: operation.id }, orderBy: [{ recordedAt: 'asc' }, { id: 'asc' }] }),
      ),
    }),
    outcome: t.field({
      type: OperationOutcome,
      resolve: inOperation(async (operation, context) => {
        const [links, timeline] = await Promise.all([
          context.prisma.operationAlertLink.findMany({ where: { operationId: operation.id } }),
          context.prisma.timelineEntry.findMany({ where: { operationId: operation.id } }),
        ]);
        const views = await linkedAlertViews(context, operation.id, links, neededAlertSelection(outcomeAlertFields));
        return operationOutcome([...views.values()], timeline);
      }),
    }),
  }),
});

const OperationUpdate = builder.objectRef<OperationUpdateRow & { cursor: string }>('OperationUpdate').implement({
  description: 'One change to an operation, in the order of the operation feed. Resume after `cursor` to miss nothing and repeat nothing.',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    seq: t.exposeInt('seq'),
    kind: t.expose('kind', { type: enums.OperationUpdateKind }),
    at: t.expose('at', { type: 'DateTime' }),
    operation: t.field({ type: JointOperation, resolve: (update, _args, context) => context.prisma.jointOperation.findUniqueOrThrow({ where: { id: update.operationId } }) }),
    member: t.field({
      type: OperationMember,
      nullable: true,
      resolve: (update, _args, context) =>
        update.kind === 'MEMBER_ADDED' || update.kind === 'MEMBER_REMOVED' ? context.prisma.operationMember.findUnique({ where: { id: update.subjectId } }) : null,
    }),
    timelineEntry: t.field({
      type: TimelineEntry,
      nullable: true,
      resolve: (update, _args, context) => (update.kind === 'TIMELINE_ENTRY_ADDED' ? context.prisma.timelineEntry.findUnique({ where: { id: update.subjectId } }) : null),
    }),
    transition: t.field({
      type: OperationTransition,
      nullable: true,
      resolve: (update, _args, context) => (update.kind === 'STATUS_CHANGED' ? context.prisma.operationTransition.findUnique({ where: { id: update.subjectId } }) : null),
    }),
    linkedAlert: t.field({
      type: LinkedAlert,
      nullable: true,
      resolve: (update, _args, context) => {
        if (update.kind !== 'ALERT_LINKED') return null;
        const { agency, localId } = splitOwnedId(update.subjectId);
        return context.prisma.operationAlertLink.findUnique({
          where: { operationId_alertAgency_alertId: { operationId: update.operationId, alertAgency: agency, alertId: localId } },
        });
      },
    }),
    release: t.field({
      type: OperationRelease,
      nullable: true,
      resolve: (update, _args, context) =>
        update.kind === 'RELEASE_SET'
          ? context.prisma.operationRelease.findUnique({ where: { operationId_ownerAgency: { operationId: update.operationId, ownerAgency: update.subjectId } } })
          : null,
    }),
  }),
});

const AreaInput = builder.inputType('OperationAreaInput', {
  fields: (t) => ({
    borderCrossings: t.field({ type: [domain.enums.BorderCrossingPoint] }),
    greenBorderSectors: t.stringList(),
    municipalities: t.stringList(),
  }),
});

const PartnerLiaisonInput = builder.inputType('PartnerLiaisonInput', {
  fields: (t) => ({
    officerSub: t.string({ required: true }),
    agency: t.string({ required: true }),
    unitCode: t.string({ required: true }),
  }),
});

const CreateJointOperationInput = builder.inputType('CreateJointOperationInput', {
  fields: (t) => ({
    code: t.string({ required: true, description: 'The case reference of the operation, e.g. XK-MK-JO-2026-01; unique.' }),
    codeName: t.string({ required: true }),
    objective: t.string({ required: true }),
    legalBasis: t.string({ required: true }),
    leadAgency: t.string({ required: true }),
    participatingAgencies: t.stringList({ required: true }),
    area: t.field({ type: AreaInput, required: true }),
    plannedStart: t.field({ type: 'DateTime', required: true }),
    plannedEnd: t.field({ type: 'DateTime', required: true }),
    partnerLiaisons: t.field({
      type: [PartnerLiaisonInput],
      required: true,
      description: 'The liaison each other participating agency named for the operation: one per agency.',
    }),
  }),
});

const OperationStatusChangeInput = builder.inputType('OperationStatusChangeInput', {
  fields: (t) => ({
    status: t.field({ type: enums.OperationStatusChange, required: true }),
    reason: t.string(),
  }),
});

const OperationMemberInput = builder.inputType('OperationMemberInput', {
  fields: (t) => ({
    officerSub: t.string({ required: true, description: "The officer's subject at their agency's identity provider." }),
    agency: t.string({ required: true }),
    unitCode: t.string({ required: true }),
    role: t.field({ type: enums.OperationRole, required: true }),
    validFrom: t.field({ type: 'DateTime', description: 'Default: now.' }),
    validUntil: t.field({ type: 'DateTime' }),
  }),
});

const TimelineEntryInput = builder.inputType('TimelineEntryInput', {
  fields: (t) => ({
    kind: t.field({ type: enums.TimelineEntryKind, required: true }),
    occurredAt: t.field({ type: 'DateTime', required: true }),
    text: t.string({ required: true }),
    personsArrested: t.int({ description: 'ARREST entries only, and required there.' }),
    alertIds: t.idList({ description: 'Alerts linked to the operation that the entry concerns.' }),
    correctsId: t.id({ description: 'The entry this one corrects.' }),
  }),
});

const OperationReleaseInput = builder.inputType('OperationReleaseInput', {
  fields: (t) => ({
    tier: t.field({ type: domain.enums.Tier, required: true, description: 'NONE withdraws the release.' }),
    expiresAt: t.field({ type: 'DateTime', required: true }),
  }),
});

const JointOperationFilter = builder.inputType('JointOperationFilter', {
  fields: (t) => ({
    statuses: t.field({ type: [enums.OperationStatus] }),
    agency: t.string({ description: 'A participating agency.' }),
    from: t.field({ type: 'DateTime', description: 'Operations whose planned or actual period reaches this time or later.' }),
    to: t.field({ type: 'DateTime', description: 'Operations whose planned or actual period starts by this time.' }),
    borderCrossing: t.field({ type: domain.enums.BorderCrossingPoint }),
    greenBorderSector: t.string(),
    municipality: t.string(),
  }),
});

const operationArgument = (argument: unknown, name = 'id') => parseHubId(String(argument), 'JointOperation', name);
const memberArgument = (argument: unknown) => parseHubId(String(argument), 'OperationMember', 'memberId');

/** Runs a change to an operation as its member working in it, with the change's audit entry in its transaction. */
async function changeIn<T>(context: GatewayContext, operationId: string, change: (journal: Parameters<Parameters<typeof journaled>[1]>[0]) => Promise<T>) {
  await workingIn(context, operationId);
  return journaled(context.audit, change);
}

builder.queryFields((t) => ({
  jointOperations: t.connection(
    {
      type: JointOperation,
      description: 'The joint operations you are a member of now, newest planned first.',
      authScopes: { operational: operationalRoles },
      args: { filter: t.arg({ type: JointOperationFilter }) },
      resolve: async (_root, args, context) => {
        const page = forwardPage(args);
        const result = await listJointOperations(context.prisma, context.officer, parseInput(jointOperationFilter, args.filter, 'filter'), page);
        context.audit.note(...result.rows.map(operationRecord));
        return connectionOf(result.rows, result.cursors, result.hasNextPage, result.totalCount, page.after);
      },
    },
    ...countedConnection('JointOperation'),
  ),
  jointOperation: t.field({
    type: JointOperation,
    nullable: true,
    description: 'One joint operation you are a member of; null for any other.',
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      const id = operationArgument(args.id);
      if (!(await findMembership(context.prisma, context.officer, { id }))) return null;
      const operation = await context.prisma.jointOperation.findUnique({ where: { id } });
      if (operation) context.audit.note(operationRecord(operation));
      return operation;
    },
  }),
}));

builder.mutationFields((t) => ({
  createJointOperation: t.field({
    type: JointOperation,
    description: 'Plans a joint operation of your agency and others. Liaison officers only; you become its first member, as LIAISON.',
    authScopes: { operational: ['liaison'] },
    args: { input: t.arg({ type: CreateJointOperationInput, required: true }) },
    resolve: (_root, args, context) => {
      const input = parseInput(createJointOperationInput, args.input);
      return journaled(context.audit, (journal) => createJointOperation(context.prisma, context.officer, input, context.nodes.agencies, journal));
    },
  }),
  changeJointOperationStatus: t.field({
    type: JointOperation,
    description: "Activates, closes or cancels the operation. The operation's liaisons only.",
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: OperationStatusChangeInput, required: true }) },
    resolve: (_root, args, context) => {
      const id = operationArgument(args.id);
      const input = parseInput(operationStatusChangeInput, args.input);
      return changeIn(context, id, (journal) => changeOperationStatus(context.prisma, context.officer, id, input, journal));
    },
  }),
  addOperationMember: t.field({
    type: OperationMember,
    description: 'Adds an officer of your own agency to the operation. Its liaisons only.',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), input: t.arg({ type: OperationMemberInput, required: true }) },
    resolve: (_root, args, context) => {
      const id = operationArgument(args.operationId, 'operationId');
      const input = parseInput(operationMemberInput, args.input);
      return changeIn(context, id, (journal) => addOperationMember(context.prisma, context.officer, id, input, journal));
    },
  }),
  removeOperationMember: t.field({
    type: OperationMember,
    description: 'Removes a member of your own agency; their access ends at once. Its liaisons only.',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), memberId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => {
      const id = operationArgument(args.operationId, 'operationId');
      const memberId = memberArgument(args.memberId);
      return changeIn(context, id, (journal) => removeOperationMember(context.prisma, context.officer, id, memberId, journal));
    },
  }),
  linkAlertToOperation: t.field({
    type: LinkedAlert,
    description: 'Links an alert you can see to the operation. Any member. The link never widens what anyone sees of the alert.',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), alertId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      const id = operationArgument(args.operationId, 'operationId');
      const { agency, localId } = parseGlobalId(String(args.alertId), 'Alert', 'alertId');
      await workingIn(context, id);
      // Only whether the officer may see it: nothing of it is returned.
      const view = await fetchOwned<AlertView>(context, agency, localId, 'alert', neededAlertSelection());
      if (!view) throw hubError(ErrorCode.NOT_FOUND, 'No alert with this id.');
      return journaled(context.audit, (journal) => linkOperationAlert(context.prisma, context.officer, id, { agency, id: localId }, journal));
    },
  }),
  addTimelineEntry: t.field({
    type: TimelineEntry,
    description: 'Adds a dated entry to the operation record. Any member. Entries are never edited: correct one with a new entry (correctsId).',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), input: t.arg({ type: TimelineEntryInput, required: true }) },
    resolve: (_root, args, context) => {
      const id = operationArgument(args.operationId, 'operationId');
      const { correctsId, ...rest } = parseInput(timelineEntryInput, { ...args.input, alertIds: args.input.alertIds?.map(String) ?? [] });
      const input = { ...rest, correctsId: correctsId ? parseHubId(correctsId, 'TimelineEntry', 'input.correctsId') : null };
      return changeIn(context, id, (journal) => addTimelineEntry(context.prisma, context.officer, id, input, journal));
    },
  }),
  setOperationRelease: t.field({
    type: OperationRelease,
    description:
      "Releases your agency's alerts linked to the operation, as they are linked now, to the operation's other agencies at one tier " +
      '(consent grants of your node under JOINT_OPERATION with the operation code). Lowering it takes effect on the next request. ' +
      "A liaison of the owner agency only; set it again after linking more of your agency's alerts.",
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), input: t.arg({ type: OperationReleaseInput, required: true }) },
    resolve: (_root, args, context) => {
      const id = operationArgument(args.operationId, 'operationId');
      const input = parseInput(operationReleaseInput, args.input);
      return changeIn(context, id, (journal) =>
        setOperationRelease(context.prisma, context.officer, id, input, journal, (release) =>
          requestNode<ConsentGrantView[]>(context, context.officer.agency, 'setJointOperationRelease', {
            input: { alertIds: release.alertIds, granteeAgencies: release.granteeAgencies, tier: input.tier, expiresAt: input.expiresAt.toISOString() },
          }),
        ),
      );
    },
  }),
}));

builder.subscriptionFields((t) => ({
  operationUpdates: t.field({
    type: OperationUpdate,
    description:
      "The operation's changes (timeline entries, links, membership, status, releases), each once and in order, after `after` " +
      '(the cursor of the last one you have; none: from the first the feeds keep). Members only, under JOINT_OPERATION with its ' +
      'code, checked again at every push; what a push shows of linked alerts is asked of their owners for that push, and each ' +
      'push is logged. An error that ends the subscription carries the cursor to resume from in extensions.cursor.',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_root, args, context) => {
      const operationId = operationArgument(args.operationId, 'operationId');
      const membership = await workingIn(context, operationId);
      return subscribeToFeed(context, operationUpdatesFeed({ id: operationId }, [operationRecord({ id: operationId, code: membership.code })]), args.after);
    },
    resolve: (push) => {
      const { payload, cursor } = push as unknown as FeedPush<OperationUpdateRow>;
      return { ...payload, cursor };
    },
  }),
}));
