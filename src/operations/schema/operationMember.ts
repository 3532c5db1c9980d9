import { agencyInfo } from '../../domain/agencies.ts';
import { parseInput } from '../../domain/alertInput.ts';
import type { OperationMember as OperationMemberRow } from '../../generated/hub/client.ts';
import { OperationRole as OperationRoles } from '../../generated/hub/enums.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { hubOwner, parseHubId, toGlobalId } from '../../gateway/globalId.ts';
import { Agency } from '../../gateway/schema/agency.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { addOperationMember, removeOperationMember } from '../memberRecords.ts';
import { operationMemberInput } from '../operationInput.ts';
import { changeIn, operationArgument } from './operationAccess.ts';

export const OperationRole = builder.enumType(OperationRoles, { name: 'OperationRole', description: "A member's role in one operation." });

export const OperationMember = builder.objectRef<OperationMemberRow>('OperationMember').implement({
  description: 'An officer of a participating agency in the operation, for a period.',
  fields: (t) => ({
    id: t.id({ resolve: (member) => toGlobalId('OperationMember', hubOwner, member.id) }),
    operationId: t.id({ description: 'The operation it belongs to.', resolve: (row) => toGlobalId('JointOperation', hubOwner, row.operationId) }),
    officerSub: t.exposeString('officerSub'),
    agency: t.field({ type: Agency, resolve: (member) => agencyInfo(member.agency) }),
    unitCode: t.exposeString('unitCode'),
    role: t.expose('role', { type: OperationRole }),
    validFrom: t.expose('validFrom', { type: 'DateTime' }),
    validUntil: t.expose('validUntil', { type: 'DateTime', nullable: true }),
    addedBy: t.exposeString('addedBy'),
    addedAt: t.expose('addedAt', { type: 'DateTime' }),
    removedAt: t.expose('removedAt', { type: 'DateTime', nullable: true }),
    removedBy: t.exposeString('removedBy', { nullable: true }),
  }),
});

const OperationMemberInput = builder.inputType('OperationMemberInput', {
  fields: (t) => ({
    officerSub: t.string({ required: true, description: "The officer's subject at their agency's identity provider." }),
    agency: t.string({ required: true }),
    unitCode: t.string({ required: true }),
    role: t.field({ type: OperationRole, required: true }),
    validFrom: t.field({ type: 'DateTime', description: 'Default: now.' }),
    validUntil: t.field({ type: 'DateTime' }),
  }),
});

const memberArgument = (argument: unknown) => parseHubId(String(argument), 'OperationMember', 'memberId');

builder.mutationFields((t) => ({
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
    description:
      'Removes a member of your own agency; their access ends at once. Its liaisons only; also once the operation is closed or cancelled, ' +
      'to end a member’s access to its record.',
    authScopes: { operational: operationalRoles },
    args: { operationId: t.arg.id({ required: true }), memberId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => {
      const id = operationArgument(args.operationId, 'operationId');
      const memberId = memberArgument(args.memberId);
      return changeIn(context, id, (journal) => removeOperationMember(context.prisma, context.officer, id, memberId, journal));
    },
  }),
}));
