import { ErrorCode, hubError } from '../../errors.ts';
import { hasAnyRole, type Officer } from '../../identity/officer.ts';

/**
 * Pothos scope-auth settings shared by the node and the gateway: a field
 * names the roles it needs (`authScopes: { role: [...] }`), and a refusal is
 * a FORBIDDEN error a person can read.
 */
export const roleAuthScopes = {
  authScopes: (context: { officer: Officer }) => ({ role: (wanted: readonly string[]) => hasAnyRole(context.officer, wanted as Officer['roles']) }),
  unauthorizedError: () => hubError(ErrorCode.FORBIDDEN, 'Your roles do not allow this operation.'),
};
