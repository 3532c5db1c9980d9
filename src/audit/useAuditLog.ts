import { getOperationAST, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { AuditDatabase } from './auditDatabase.ts';
import { ErrorCode, hubError } from '../errors.ts';
import { bearerToken, officerTokenHeader } from '../identity/headers.ts';
import { caseReferenceHeader, purposeHeader } from '../consent/declaredPurpose.ts';
import { decodeJwt } from 'jose';
import type { Logger } from '../server/logger.ts';
import { AuditCollector, documentHash } from './auditCollector.ts';
import { createAuditWriter } from './createAuditWriter.ts';
import type { AuditEntryInput, AuditKind, AuditOutcome } from './auditEntry.ts';

/** Options for {@link useAuditLog}. */
export interface AuditLogOptions {
  /** Whose log: the node's agency code, or GATEWAY. */
  party: string;
  /** The party's database, where its log lives. */
  prisma: AuditDatabase;
  /** Kind of the entry an operation that ran leaves: DISCLOSURE at a node, CONSULTATION at the gateway. */
  kind: Extract<AuditKind, 'DISCLOSURE' | 'CONSULTATION'>;
  logger: Logger;
}

interface AuditedContext {
  audit?: AuditCollector;
  request?: Request;
}

function outcomeOf(result: ExecutionResult | undefined, fallback: AuditOutcome = 'OK'): { outcome: AuditOutcome; errorCode: string | null } {
  const errors = result?.errors ?? [];
  if (errors.length === 0) return { outcome: fallback, errorCode: null };
  const codes = errors.map((error) => String((error as GraphQLError).extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  const denied = codes.some((code) => code.startsWith('TOKEN_') || ['FORBIDDEN', 'PURPOSE_REQUIRED', 'PURPOSE_UNKNOWN', 'CASE_REFERENCE_REQUIRED', 'GATEWAY_CREDENTIAL_INVALID', 'TIER_NOT_ALLOWED', 'PURPOSE_NOT_ALLOWED', 'RATE_LIMITED'].includes(code));
  const partial = result?.data != null && codes.every((code) => code === ErrorCode.AGENCY_UNAVAILABLE);
  return { outcome: partial ? 'PARTIAL' : denied ? 'DENIED' : 'ERROR', errorCode: codes[0] ?? null };
}

/** The error a client gets when the log cannot take the entry: no entry, no data. */
export const auditUnavailable = () =>
  hubError(ErrorCode.AUDIT_UNAVAILABLE, 'The audit log cannot record this operation, so nothing is released. Try again later.');

/**
 * Writes the audit entry of every GraphQL operation a party serves, and
 * withholds the result when it cannot: auditing is fail-closed. Mutations
 * write their entry inside their own transaction (see AuditCollector.written);
 * everything else gets its entry here, after execution and before the
 * response leaves, with the records the resolvers noted as released.
 * Requests refused before execution (bad token, no purpose, invalid
 * document) get a DENIAL entry with what the request claimed.
 */
export function useAuditLog({ party, prisma, kind, logger }: AuditLogOptions): Plugin {
  // Entries of reads and refusals are group-committed; a change's entry is written in the change's own transaction.
  const writer = createAuditWriter({ prisma, party });
  const append = async (input: AuditEntryInput) => {
    await writer.append(input);
  };

  return {
    onExecute({ args }) {
      const context = args.contextValue as AuditedContext;
      const audit = context.audit;
      if (!audit) return;
      const operation = getOperationAST(args.document, args.operationName);
      audit.operation = {
        operation: operation ? `${operation.operation} ${operation.name?.value ?? 'anonymous'}` : null,
        documentHash: args.document.loc ? documentHash(args.document.loc.source.body) : null,
        variables: args.variableValues ?? null,
      };
      return {
        async onExecuteDone({ result, setResult }) {
          if (audit.written || !('data' in result || 'errors' in result)) return;
          const { outcome, errorCode } = outcomeOf(result as ExecutionResult);
          try {
            await append(audit.entry(kind, outcome, errorCode));
            audit.written = true;
          } catch (error) {
            logger.error({ err: error }, 'audit entry could not be written; result withheld');
            setResult({ errors: [auditUnavailable()] });
          }
        },
      };
    },
    async onResultProcess({ request, result, setResult }) {
      const audit = collectors.get(request);
      if (audit?.written) return;
      const single = (Array.isArray(result) ? result[0] : result) as ExecutionResult | undefined;
      if (!single || Symbol.asyncIterator in (single as object)) return;
      const { outcome, errorCode } = outcomeOf(single, 'DENIED');
      try {
        // Without a collector the request was refused before its context: only its claims are known.
        const refused = audit ?? new AuditCollector(party, null, claimedPurpose(request), null);
        await append(refused.entry('DENIAL', outcome === 'OK' ? 'DENIED' : outcome, errorCode, audit ? null : { claimedSubject: claimedSubject(request) }));
      } catch (error) {
        logger.error({ err: error }, 'audit entry of a refused request could not be written');
        setResult({ errors: [auditUnavailable()] });
      }
    },
  };
}

/** The collector of each HTTP request, so that requests refused before execution are logged too. */
const collectors = new WeakMap<Request, AuditCollector>();

export function registerCollector(request: Request | undefined, collector: AuditCollector) {
  if (request) collectors.set(request, collector);
}

/** The purpose a refused request declared, unchecked. */
function claimedPurpose(request: Request) {
  const code = request.headers.get(purposeHeader);
  return code ? { code, caseReference: request.headers.get(caseReferenceHeader) } : null;
}

/** Who the request claims to be, unverified: recorded for refused requests, marked as a claim. */
function claimedSubject(request: Request): string | null {
  // At a node the officer token travels in its own header; the bearer is the gateway's credential.
  const token = request.headers.get(officerTokenHeader) ?? bearerToken(request.headers.get('authorization'));
  if (!token) return null;
  try {
    const { sub, iss } = decodeJwt(token);
    return typeof sub === 'string' ? `${sub.slice(0, 150)} (claimed, ${String(iss ?? 'no issuer').slice(0, 40)})` : null;
  } catch {
    return null;
  }
}

