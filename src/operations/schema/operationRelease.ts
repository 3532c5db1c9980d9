import { operationReleaseInput } from '../../consent/consentInput.ts';
import { agencyInfo } from '../../domain/agencies.ts';
import { parseInput } from '../../domain/alertInput.ts';
import type { OperationRelease as OperationReleaseRow } from '../../generated/hub/client.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { hubOwner, toGlobalId } from '../../gateway/globalId.ts';
import { Agency } from '../../gateway/schema/agency.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { domain } from '../../gateway/schema/domain.ts';
import { releaseToOperation } from '../releaseToOperation.ts';
import { operationArgument, workingIn } from './operationAccess.ts';

export const OperationRelease = builder.objectRef<OperationReleaseRow>('OperationRelease').implement({
  description:
    "An owner agency's release of its linked alerts to the operation's other agencies (consent grants at its node), as the owner's node " +
    'confirmed it.',
  fields: (t) => ({
    operationId: t.id({ description: 'The operation it belongs to.', resolve: (row) => toGlobalId('JointOperation', hubOwner, row.operationId) }),
    owner: t.field({ type: Agency, resolve: (release) => agencyInfo(release.ownerAgency) }),
    tier: t.field({ type: domain.enums.Tier, resolve: (release) => release.tier as never }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    setBy: t.exposeString('setBy'),
    setAt: t.expose('setAt', { type: 'DateTime' }),
    revision: t.exposeInt('revision', { description: "The owner node's number of this release: each decision of the owner for the operation has the next." }),
    endedAt: t.expose('endedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the operation was closed or cancelled: the release reaches no one since, whatever its tier and expiry.',
    }),
  }),
});

const OperationReleaseInput = builder.inputType('OperationReleaseInput', {
  fields: (t) => ({
    tier: t.field({ type: domain.enums.Tier, required: true, description: 'NONE withdraws the release.' }),
    expiresAt: t.field({ type: 'DateTime', required: true, description: "In the future, and at most the agreement's consentRequests.maxGrantDays (180) from now." }),
  }),
});

builder.mutationFields((t) => ({
  setOperationRelease: t.field({
    type: OperationRelease,
    description:
      "Releases your agency's alerts linked to the operation, as they are linked now, to the operation's other agencies at one tier " +
      '(consent grants of your node under JOINT_OPERATION with the operation code). Lowering it takes effect on the next request. ' +
      "A member whose roles decide consent for your agency (the agreement's decidesConsent: duty officers); set it again after linking more " +
      "of your agency's alerts. Once the operation is closed or cancelled, only NONE. Safe to repeat: your node applies a decision once.",
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), input: t.arg({ type: OperationReleaseInput, required: true }) },
    resolve: async (_root, args, context) => {
      const id = operationArgument(args.operationId, 'operationId');
      const input = parseInput(operationReleaseInput(context.agreement), args.input);
      return releaseToOperation(context, await workingIn(context, id), input);
    },
  }),
}));
