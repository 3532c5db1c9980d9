import { isOperationalPurpose, type ExchangeAgreement } from '../../consent/agreement.ts';
import type { DeclaredPurpose } from '../../consent/declaredPurpose.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { hasAnyRole, type Officer } from '../../identity/officer.ts';
import type { Role } from '../../identity/roles.ts';

interface ScopedContext {
  officer: Officer;
  purpose: DeclaredPurpose;
  agreement: ExchangeAgreement;
}

/** Which kind of work a scope is, under the agreement in force: operational data, or the supervision of the exchange. */
const purposeFits = {
  operational: ({ purpose, agreement }: ScopedContext) => isOperationalPurpose(purpose.code, agreement),
  audit: ({ purpose, agreement }: ScopedContext) => !isOperationalPurpose(purpose.code, agreement),
} as const;

type ScopeName = keyof typeof purposeFits;

/** The failed scope of a Pothos refusal, when it is one of ours. */
function failedScope(failure: unknown): { scope: ScopeName; roles: readonly Role[] } | null {
  const candidate = failure as { kind?: string; scope?: string; parameter?: unknown; failures?: unknown[] };
  if (candidate.kind === 'AuthScope' && (candidate.scope === 'operational' || candidate.scope === 'audit')) {
    return { scope: candidate.scope, roles: candidate.parameter as readonly Role[] };
  }
  for (const inner of candidate.failures ?? []) {
    const found = failedScope(inner);
    if (found) return found;
  }
  return null;
}

/**
 * Pothos scope-auth settings shared by the node and the gateway. A field
 * names the kind of work it is and the roles it needs:
 * `authScopes: { operational: [...] }` for operational data, which no
 * supervision purpose (AUDIT) ever reaches, not even for the owner's own
 * officers; `authScopes: { audit: [...] }` for the audit logs, which are read
 * under AUDIT only. The role and the declared purpose must both fit; a
 * refusal says which did not (FORBIDDEN or PURPOSE_NOT_ALLOWED).
 */
export const roleAuthScopes = {
  // A subscription is refused when it is subscribed, exactly as the same field over HTTP, not at its first push.
  authorizeOnSubscribe: true,
  authScopes: (context: ScopedContext) => ({
    operational: (wanted: readonly Role[]) => hasAnyRole(context.officer, wanted) && purposeFits.operational(context),
    audit: (wanted: readonly Role[]) => hasAnyRole(context.officer, wanted) && purposeFits.audit(context),
  }),
  unauthorizedError: (_parent: unknown, context: ScopedContext, _info: unknown, result: { failure: unknown }) => {
    const failed = failedScope(result.failure);
    if (failed && hasAnyRole(context.officer, failed.roles)) {
      return failed.scope === 'audit'
        ? hubError(ErrorCode.PURPOSE_NOT_ALLOWED, `Audit logs are read under the purpose AUDIT, not ${context.purpose.code}.`)
        : hubError(
            ErrorCode.PURPOSE_NOT_ALLOWED,
            `The purpose ${context.purpose.code} is for supervising the exchange and releases no operational data; declare the operational purpose of your work.`,
          );
    }
    return hubError(ErrorCode.FORBIDDEN, 'Your roles do not allow this operation.');
  },
};
