import { parseInput } from '../../domain/alertInput.ts';
import type { TimelineEntry as TimelineEntryRow } from '../../generated/hub/client.ts';
import { TimelineEntryKind as TimelineEntryKinds } from '../../generated/hub/enums.ts';
import { operationalRoles } from '../../identity/roles.ts';
import type { AlertView } from '../../domain/alertView.ts';
import { neededAlertSelection } from '../../gateway/alertSelection.ts';
import { hubOwner, parseGlobalId, parseHubId, splitOwnedId, toGlobalId } from '../../gateway/globalId.ts';
import { fetchOwned } from '../../gateway/ownerRequests.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { visibleLinkedAlerts } from '../linkedAlertViews.ts';
import { timelineEntryInput } from '../operationInput.ts';
import { addTimelineEntry, notLinked } from '../timelineRecords.ts';
import { changeIn, operationArgument, workingIn } from './operationAccess.ts';

const TimelineEntryKind = builder.enumType(TimelineEntryKinds, { name: 'TimelineEntryKind' });

export const TimelineEntry = builder.objectRef<TimelineEntryRow>('TimelineEntry').implement({
  description: 'A dated entry of the operation record. Never changed: a correction is a new entry naming the one it corrects.',
  fields: (t) => ({
    id: t.id({ resolve: (entry) => toGlobalId('TimelineEntry', hubOwner, entry.id) }),
    operationId: t.id({ description: 'The operation it belongs to.', resolve: (row) => toGlobalId('JointOperation', hubOwner, row.operationId) }),
    kind: t.expose('kind', { type: TimelineEntryKind }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    text: t.exposeString('text'),
    personsArrested: t.exposeInt('personsArrested', { nullable: true }),
    alertIds: t.idList({
      description: 'The linked alerts the entry concerns that you may see now; one withheld from you (NONE) is not named.',
      resolve: async (entry, _args, context, info) => {
        const { visible } = await visibleLinkedAlerts({ context, info }, entry.operationId);
        return entry.alertIds.filter((id) => visible.has(id)).map((id) => { const { agency, localId } = splitOwnedId(id); return toGlobalId('Alert', agency, localId); });
      },
    }),
    correctsId: t.id({ nullable: true, resolve: (entry) => entry.correctsId && toGlobalId('TimelineEntry', hubOwner, entry.correctsId) }),
    authorSub: t.exposeString('authorSub'),
    authorAgency: t.exposeString('authorAgency'),
    authorUnit: t.exposeString('authorUnit'),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
  }),
});

const TimelineEntryInput = builder.inputType('TimelineEntryInput', {
  fields: (t) => ({
    kind: t.field({ type: TimelineEntryKind, required: true }),
    occurredAt: t.field({ type: 'DateTime', required: true }),
    text: t.string({ required: true }),
    personsArrested: t.int({ description: 'ARREST entries only, and required there.' }),
    alertIds: t.idList({ description: 'Alerts linked to the operation that the entry concerns.' }),
    correctsId: t.id({ description: 'The entry this one corrects.' }),
  }),
});

builder.mutationFields((t) => ({
  addTimelineEntry: t.field({
    type: TimelineEntry,
    description: 'Adds a dated entry to the operation record. Any member. Entries are never edited: correct one with a new entry (correctsId).',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), input: t.arg({ type: TimelineEntryInput, required: true }) },
    resolve: async (_root, args, context) => {
      const id = operationArgument(args.operationId, 'operationId');
      const { correctsId, ...rest } = parseInput(timelineEntryInput, { ...args.input, alertIds: args.input.alertIds?.map(String) ?? [] });
      const input = { ...rest, correctsId: correctsId ? parseHubId(correctsId, 'TimelineEntry', 'input.correctsId') : null };
      await workingIn(context, id);
      // An entry names only alerts its author may see: one withheld (NONE) is refused as an unlinked one is.
      const alerts = input.alertIds.map((alertId, index) => parseGlobalId(alertId, 'Alert', `input.alertIds.${index}`));
      const views = await Promise.all(alerts.map(({ agency, localId }) => fetchOwned<AlertView>(context, agency, localId, 'alert', neededAlertSelection())));
      const withheld = views.findIndex((view) => !view);
      if (withheld >= 0) throw notLinked(withheld);
      return changeIn(context, id, (journal) => addTimelineEntry(context.prisma, context.officer, id, input, journal));
    },
  }),
}));
