import { operationReleaseInput } from '../../consent/consentInput.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import { parseInput } from '../../domain/alertInput.ts';
import type { ConsentGrantView } from '../../domain/alertView.ts';
import type { OperationRelease as OperationReleaseRow } from '../../generated/hub/client.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { hubOwner, toGlobalId } from '../../gateway/globalId.ts';
import { requestNode } from '../../gateway/ownerRequests.ts';
import { Agency } from '../../gateway/schema/agency.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { domain } from '../../gateway/schema/domain.ts';
import { setOperationRelease } from '../alertLinkRecords.ts';
import { changeIn, operationArgument } from './operationAccess.ts';

export const OperationRelease = builder.objectRef<OperationReleaseRow>('OperationRelease').implement({
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

const OperationReleaseInput = builder.inputType('OperationReleaseInput', {
  fields: (t) => ({
    tier: t.field({ type: domain.enums.Tier, required: true, description: 'NONE withdraws the release.' }),
    expiresAt: t.field({ type: 'DateTime', required: true }),
  }),
});

builder.mutationFields((t) => ({
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
