import { ErrorCode, hubError } from '../errors.ts';
import { purposeOf, type ExchangeAgreement } from './agreement.ts';

/** Headers that carry the purpose over HTTP (gateway and gateway → node). */
export const purposeHeader = 'x-hub-purpose';
export const caseReferenceHeader = 'x-hub-case-reference';

/** What the officer declared this request is for. */
export interface DeclaredPurpose {
  code: string;
  caseReference: string | null;
}

/**
 * Checks a declared purpose against the exchange agreement in force: no
 * purpose, no data; and a purpose that needs a case reference gets one.
 */
export function parseDeclaredPurpose(code: unknown, caseReference: unknown, agreement: ExchangeAgreement): DeclaredPurpose {
  const known = Object.keys(agreement.purposes);
  if (typeof code !== 'string' || code.trim() === '') {
    throw hubError(
      ErrorCode.PURPOSE_REQUIRED,
      `Declare the purpose of the request (header "${purposeHeader}", or "purpose" in connection_init): one of ${known.join(', ')}.`,
    );
  }
  const purpose = purposeOf(code.trim(), agreement);
  if (!purpose) {
    throw hubError(ErrorCode.PURPOSE_UNKNOWN, `"${code}" is not a purpose of the exchange agreement; use one of ${known.join(', ')}.`, {
      purposes: known,
    });
  }
  const reference = typeof caseReference === 'string' && caseReference.trim() !== '' ? caseReference.trim() : null;
  if (reference !== null && (reference.length > 100 || !/^[\p{L}\p{N}][\p{L}\p{N} ./_-]*$/u.test(reference))) {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: the case reference may hold only letters, digits, spaces, dots, slashes, dashes and underscores (100 at most).', {
      issues: [{ path: caseReferenceHeader, message: 'is not a valid case reference' }],
    });
  }
  if (purpose.caseReferenceRequired && reference === null) {
    throw hubError(ErrorCode.CASE_REFERENCE_REQUIRED, `The purpose ${code} needs a case reference (header "${caseReferenceHeader}", or "caseReference" in connection_init).`);
  }
  return { code: code.trim(), caseReference: reference };
}
