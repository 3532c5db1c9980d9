import { appendAuditEntry } from '../../audit/appendAuditEntry.ts';
import { gatewayParty } from '../../audit/auditEntry.ts';
import type { OperationUpdate as OperationUpdateRow } from '../../generated/hub/client.ts';
import { OperationUpdateKind as OperationUpdateKinds } from '../../generated/hub/enums.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { splitOwnedId } from '../../gateway/globalId.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { visibleLinkedAlerts } from '../linkedAlertViews.ts';
import { operationRecord } from '../operationRecords.ts';
import { parseUpdateCursor, streamOperationUpdates, updateCursor } from '../operationUpdateStream.ts';
import { JointOperation, OperationTransition } from './jointOperation.ts';
import { LinkedAlert } from './linkedAlert.ts';
import { operationArgument, workingIn } from './operationAccess.ts';
import { OperationMember } from './operationMember.ts';
import { OperationRelease } from './operationRelease.ts';
import { TimelineEntry } from './timelineEntry.ts';

const OperationUpdateKind = builder.enumType(OperationUpdateKinds, { name: 'OperationUpdateKind' });

const OperationUpdate = builder.objectRef<OperationUpdateRow>('OperationUpdate').implement({
  description: 'One change to an operation, in the order of the operation feed. Resume after `cursor` to miss nothing and repeat nothing.',
  fields: (t) => ({
    cursor: t.string({ resolve: updateCursor }),
    seq: t.exposeInt('seq'),
    kind: t.expose('kind', { type: OperationUpdateKind }),
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
      description: 'The link, for an alert you may see; null for any other, as linkedAlerts leaves it out.',
      resolve: async (update, _args, context, info) => {
        if (update.kind !== 'ALERT_LINKED') return null;
        const { visible } = await visibleLinkedAlerts({ context, info }, update.operationId);
        if (!visible.has(update.subjectId)) return null;
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

builder.subscriptionFields((t) => ({
  operationUpdates: t.field({
    type: OperationUpdate,
    description:
      "The operation's changes (timeline entries, links, membership, status, releases), each once and in order, after `after` " +
      '(the cursor of the last one you have; none: from the start). Members only, under JOINT_OPERATION with its code.',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_root, args, context) => {
      const operationId = operationArgument(args.operationId, 'operationId');
      const after = parseUpdateCursor(args.after);
      const membership = await workingIn(context, operationId);
      // The subscription's consultation entry, before anything is delivered: no entry, no updates.
      context.audit.note(operationRecord({ id: operationId, code: membership.operation }));
      await context.prisma.$transaction((tx) => appendAuditEntry(tx, gatewayParty, context.audit.entry('CONSULTATION', 'OK', null, { subscription: 'operationUpdates', after })));
      context.audit.written = true;
      return streamOperationUpdates({ prisma: context.prisma, signal: context.operationUpdates, officer: context.officer, operationId, after });
    },
    resolve: (update) => update,
  }),
}));
