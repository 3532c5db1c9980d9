import { journaled } from '../../audit/auditCollector.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import { parseInput } from '../../domain/alertInput.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';
import type { JointOperation as JointOperationRow, OperationTransition as OperationTransitionRow } from '../../generated/hub/client.ts';
import { OperationStatus as OperationStatuses } from '../../generated/hub/enums.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { alertSelection, neededAlertSelection } from '../../gateway/alertSelection.ts';
import { hubOwner, ownedId } from '../../gateway/globalId.ts';
import { Agency } from '../../gateway/schema/agency.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { domain } from '../../gateway/schema/domain.ts';
import { readLinkedAlerts, unavailableAgenciesOf } from '../linkedAlertViews.ts';
import { finalStatuses, findMembership } from '../membership.ts';
import { announceClosure } from '../releaseToOperation.ts';
import { createJointOperationInput, jointOperationFilter, operationStatusChangeInput } from '../operationInput.ts';
import { operationOutcome, outcomeAlertFields } from '../operationOutcome.ts';
import { changeOperationStatus, createJointOperation, listJointOperations, operationRecord } from '../operationRecords.ts';
import { LinkedAlert } from './linkedAlert.ts';
import { changeIn, inOperation, operationArgument, workingIn } from './operationAccess.ts';
import { OperationMember, OperationRole } from './operationMember.ts';
import { OperationOutcome } from './operationOutcome.ts';
import { OperationRelease } from './operationRelease.ts';
import { TimelineEntry } from './timelineEntry.ts';

const OperationStatus = builder.enumType(OperationStatuses, { name: 'OperationStatus', description: 'PLANNED → ACTIVE → CLOSED, or CANCELLED from PLANNED or ACTIVE.' });
const OperationStatusChange = builder.enumType('OperationStatusChange', { values: ['ACTIVE', 'CLOSED', 'CANCELLED'] as const });

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

export const OperationTransition = builder.objectRef<OperationTransitionRow>('OperationTransition').implement({
  description: 'A status change: who made it and when.',
  fields: (t) => ({
    fromStatus: t.expose('fromStatus', { type: OperationStatus, nullable: true }),
    toStatus: t.expose('toStatus', { type: OperationStatus }),
    actorSub: t.exposeString('actorSub'),
    actorAgency: t.exposeString('actorAgency'),
    actorUnit: t.exposeString('actorUnit'),
    at: t.expose('at', { type: 'DateTime' }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

export const JointOperation = builder.node(builder.objectRef<JointOperationRow>('JointOperation'), {
  description:
    "A joint operation of two or more agencies, held by the hub. Its code is the case reference of everything done for it. Members see its name " +
    'and status in jointOperations; its record (members, linked alerts, timeline, outcome) under the purpose JOINT_OPERATION with its code.',
  id: { resolve: (operation) => ownedId(hubOwner, operation.id) },
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
    status: t.expose('status', { type: OperationStatus }),
    createdBy: t.exposeString('createdBy'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    myRole: t.field({
      type: OperationRole,
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
      description:
        'The linked alerts you may see now, in the order they were linked. One its owner releases nothing of to you (NONE) is not listed, ' +
        'as it is in no other list; those of an agency whose node does not answer are left out (see unavailableAgencies).',
      resolve: async (operation, _args, context, info) => {
        await workingIn(context, operation.id);
        const [links, { visible }] = await Promise.all([
          context.prisma.operationAlertLink.findMany({ where: { operationId: operation.id }, orderBy: { linkedAt: 'asc' } }),
          // The same read serves each link's `alert`: the selection is what the client asked of it.
          readLinkedAlerts({ context, info }, operation.id, alertSelection(info, { path: ['alert'] })),
        ]);
        return links.filter((link) => visible.has(ownedId(link.alertAgency, link.alertId)));
      },
    }),
    unavailableAgencies: t.stringList({
      description:
        "Agencies whose node did not answer this request when asked for the operation's linked alerts: their alerts are left out of " +
        "linkedAlerts, the timeline's alertIds and the outcome. Empty when every owner answered.",
      resolve: async (operation, _args, context, info) => {
        await workingIn(context, operation.id);
        return unavailableAgenciesOf({ context, info }, operation.id);
      },
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
      resolve: async (operation, _args, context, info) => {
        await workingIn(context, operation.id);
        const [timeline, { visible, unavailableAgencies }] = await Promise.all([
          context.prisma.timelineEntry.findMany({ where: { operationId: operation.id } }),
          readLinkedAlerts({ context, info }, operation.id, neededAlertSelection(outcomeAlertFields)),
        ]);
        return operationOutcome(visible.values(), timeline, unavailableAgencies);
      },
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
    status: t.field({ type: OperationStatusChange, required: true }),
    reason: t.string(),
  }),
});

const JointOperationFilter = builder.inputType('JointOperationFilter', {
  fields: (t) => ({
    statuses: t.field({ type: [OperationStatus] }),
    agency: t.string({ description: 'A participating agency.' }),
    from: t.field({ type: 'DateTime', description: 'Operations whose planned or actual period reaches this time or later.' }),
    to: t.field({ type: 'DateTime', description: 'Operations whose planned or actual period starts by this time.' }),
    borderCrossing: t.field({ type: domain.enums.BorderCrossingPoint }),
    greenBorderSector: t.string(),
    municipality: t.string(),
  }),
});

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
    description:
      "Activates, closes or cancels the operation. The operation's liaisons only. Closing or cancelling ends every release of it; members " +
      'keep reading its record, and see the partners’ linked alerts only as the partners’ own sharing policies give them.',
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: OperationStatusChangeInput, required: true }) },
    resolve: async (_root, args, context) => {
      const id = operationArgument(args.id);
      const input = parseInput(operationStatusChangeInput, args.input);
      const membership = await workingIn(context, id);
      const changed = await changeIn(context, id, (journal) => changeOperationStatus(context.prisma, context.officer, id, input, journal));
      if (finalStatuses.includes(changed.status)) await announceClosure(context, membership, changed.participatingAgencies);
      return changed;
    },
  }),
}));
