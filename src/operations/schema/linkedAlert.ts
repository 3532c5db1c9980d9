import { journaled } from '../../audit/auditCollector.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import type { AlertView } from '../../domain/alertView.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { OperationAlertLink } from '../../generated/hub/client.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { alertSelection, neededAlertSelection } from '../../gateway/alertSelection.ts';
import { hubOwner, ownedId, parseGlobalId, toGlobalId } from '../../gateway/globalId.ts';
import { fetchOwned } from '../../gateway/ownerRequests.ts';
import { Agency } from '../../gateway/schema/agency.ts';
import { Alert } from '../../gateway/schema/alert.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { linkOperationAlert } from '../alertLinkRecords.ts';
import { readLinkedAlerts } from '../linkedAlertViews.ts';
import { operationArgument, workingIn } from './operationAccess.ts';

export const LinkedAlert = builder.objectRef<OperationAlertLink>('LinkedAlert').implement({
  description:
    "An alert linked to the operation that you may see. `alert` is what its owner's consent gives you now " +
    '(null only if that changed during this request, or its agency did not answer).',
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
        const { visible } = await readLinkedAlerts({ context, info }, link.operationId, alertSelection(info));
        return visible.get(ownedId(link.alertAgency, link.alertId)) ?? null;
      },
    }),
  }),
});

builder.mutationFields((t) => ({
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
}));
