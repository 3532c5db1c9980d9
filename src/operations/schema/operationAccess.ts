import { journaled, type ChangeJournal } from '../../audit/auditCollector.ts';
import { jointOperationPurpose } from '../../consent/agreement.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import type { JointOperation } from '../../generated/hub/client.ts';
import type { GatewayContext } from '../../gateway/context.ts';
import { parseHubId } from '../../gateway/globalId.ts';
import { findMembership, type OperationMembership } from '../membership.ts';

/**
 * The membership the request was verified for, when it is of this very
 * operation: the record beyond its name is read, and the operation changed,
 * only under the purpose JOINT_OPERATION with the operation's code as case
 * reference (so every read and change is logged with it). A member working
 * under another purpose is told what to declare; anyone else learns nothing.
 */
export async function workingIn(context: GatewayContext, operationId: string): Promise<OperationMembership> {
  const verified = context.membership;
  if (verified?.operationId === operationId) return verified;
  const member = await findMembership(context.prisma, context.officer, { id: operationId });
  if (member) {
    throw hubError(
      ErrorCode.PURPOSE_NOT_ALLOWED,
      `Work in joint operation ${member.operation} under the purpose ${jointOperationPurpose} with case reference ${member.operation}.`,
    );
  }
  throw hubError(ErrorCode.NOT_FOUND, 'No joint operation with this id.');
}

/** A field of the record beyond the operation's name: only while working in it. */
export const inOperation =
  <T>(read: (operation: JointOperation, context: GatewayContext) => Promise<T>) =>
  async (operation: JointOperation, _args: object, context: GatewayContext) => {
    await workingIn(context, operation.id);
    return read(operation, context);
  };

/** The hub's id of the operation an argument names (VALIDATION_FAILED when it names none). */
export const operationArgument = (argument: unknown, name = 'id') => parseHubId(String(argument), 'JointOperation', name);

/** Runs a change to an operation as its member working in it, with the change's audit entry in its transaction. */
export async function changeIn<T>(context: GatewayContext, operationId: string, change: (journal: ChangeJournal) => Promise<T>): Promise<T> {
  await workingIn(context, operationId);
  return journaled(context.audit, change);
}
