import type { OperationUpdate as OperationUpdateRow } from '../../generated/hub/client.ts';
import { OperationUpdateKind as OperationUpdateKinds } from '../../generated/hub/enums.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { splitOwnedId } from '../../gateway/globalId.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { visibleLinkedAlerts } from '../linkedAlertViews.ts';
import { operationRecord } from '../operationRecords.ts';
import { operationUpdatesFeed } from '../operationUpdateStream.ts';
import { subscribeToFeed, type FeedPush } from '../../realtime/feedStream.ts';
import { JointOperation, OperationTransition } from './jointOperation.ts';
import { LinkedAlert } from './linkedAlert.ts';
import { operationArgument, workingIn } from './operationAccess.ts';
import { OperationMember } from './operationMember.ts';
import { OperationRelease } from './operationRelease.ts';
import { TimelineEntry } from './timelineEntry.ts';

const OperationUpdateKind = builder.enumType(OperationUpdateKinds, { name: 'OperationUpdateKind' });

const OperationUpdate = builder.objectRef<OperationUpdateRow & { cursor: string }>('OperationUpdate').implement({
  description: 'One change to an operation, in the order of the operation feed. Resume after `cursor` to miss nothing and repeat nothing.',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
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
      '(the cursor of the last one you have; none: from the first the feeds keep). Members only, under JOINT_OPERATION with its ' +
      'code, checked again at every push; what a push shows of linked alerts is asked of their owners for that push, and each ' +
      'push is logged. An error that ends the subscription carries the cursor to resume from in extensions.cursor.',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_root, args, context) => {
      const operationId = operationArgument(args.operationId, 'operationId');
      const membership = await workingIn(context, operationId);
      return subscribeToFeed(context, operationUpdatesFeed({ id: operationId }, [operationRecord({ id: operationId, code: membership.operation })]), args.after);
    },
    resolve: (push) => {
      const { payload, cursor } = push as unknown as FeedPush<OperationUpdateRow>;
      return { ...payload, cursor };
    },
  }),
}));
