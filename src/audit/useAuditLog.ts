import type { IncomingMessage } from 'node:http';
import { getOperationAST, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';
import { auditUnavailable, unrecorded } from './auditErrors.ts';
import { bearerToken, officerTokenHeader } from '../identity/headers.ts';
import { caseReferenceHeader, purposeHeader } from '../consent/declaredPurpose.ts';
import { decodeJwt } from 'jose';
import type { Logger } from '../server/logger.ts';
import { AuditCollector, documentHash } from './auditCollector.ts';
import type { AuditWriter } from './createAuditWriter.ts';
import type { Officer } from '../identity/officer.ts';
import type { AuditEntryInput, AuditKind, AuditOutcome } from './auditEntry.ts';
import { auditVariables } from './auditVariables.ts';
import type { DigestKey } from './termDigests.ts';
import type { AuditHead } from './appendAuditEntry.ts';
import { auditHeadExtension, type CommittedHead } from './auditWitness.ts';

/** Options for {@link useAuditLog}. */
export interface AuditLogOptions {
  /** Whose log: the node's agency code, or GATEWAY. */
  party: string;
  /** The party's one writer of its log (group commit): every entry of a read or a refusal goes through it. */
  writer: AuditWriter;
  /** Kind of the entry an operation that ran leaves: DISCLOSURE at a node, CONSULTATION at the gateway. */
  kind: Extract<AuditKind, 'DISCLOSURE' | 'CONSULTATION'>;
  /** The party's key for the digests of search terms and personal identifiers, which the log keeps instead of them. */
  digestKey: DigestKey;
  logger: Logger;
  /**
   * Answer with the head of the log after the operation's entry, in
   * `extensions.auditHead` ({ party, seq, hash }), for the caller to witness.
   * A node's callers are the gateway (its context exists only for a verified
   * gateway credential); the gateway's are officers, who are no party. Default false.
   */
  reportHead?: boolean;
  /** Told of the change entries committed here (the writer tells it of its own), so that the party's next calls carry its head (the gateway's). Default: nobody. */
  committedHead?: CommittedHead;
}

interface AuditedContext {
  audit?: AuditCollector;
  request?: Request;
}

/** The outcome and first error code an entry records for a result. */
export function outcomeOf(result: ExecutionResult | undefined, fallback: AuditOutcome = 'OK'): { outcome: AuditOutcome; errorCode: string | null } {
  const errors = result?.errors ?? [];
  if (errors.length === 0) return { outcome: fallback, errorCode: null };
  const codes = errors.map((error) => String((error as GraphQLError).extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  const denied = codes.some((code) => code.startsWith('TOKEN_') || ['FORBIDDEN', 'PURPOSE_REQUIRED', 'PURPOSE_UNKNOWN', 'CASE_REFERENCE_REQUIRED', 'GATEWAY_CREDENTIAL_INVALID', 'TIER_NOT_ALLOWED', 'PURPOSE_NOT_ALLOWED', 'RATE_LIMITED'].includes(code));
  // An agency that did not answer, or whose log could not record its part: the rest of the answer stands.
  const missingAgency = (error: GraphQLError) =>
    error.extensions?.agency !== undefined && ([ErrorCode.AGENCY_UNAVAILABLE, ErrorCode.AUDIT_UNAVAILABLE] as string[]).includes(String(error.extensions?.code));
  const partial = result?.data != null && errors.every((error) => missingAgency(error as GraphQLError));
  return { outcome: partial ? 'PARTIAL' : denied ? 'DENIED' : 'ERROR', errorCode: codes[0] ?? null };
}

/**
 * Writes the audit entry of every GraphQL operation a party serves, and
 * withholds the result when it cannot: auditing is fail-closed. Mutations
 * write their entry inside their own transaction (see AuditCollector.written);
 * everything else gets its entry here, after execution and before the
 * response leaves, with the records the resolvers noted as released.
 * Requests refused before execution (bad token, no purpose, invalid
 * document) get a DENIAL entry with what the request claimed.
 */
export function useAuditLog({ party, writer, kind, digestKey, logger, reportHead = false, committedHead }: AuditLogOptions): Plugin {
  // Entries of reads and refusals are group-committed; a change's entry is written in the change's own transaction.
  const refusals: RefusalLog = { party, writer, logger };
  const withHead = (result: ExecutionResult, head: AuditHead): ExecutionResult => ({
    ...result,
    extensions: { ...result.extensions, [auditHeadExtension]: { party, seq: head.seq, hash: head.hash } },
  });

  return {
    // A subscription's entry is written by its resolver (before anything is delivered), with what is known here.
    onSubscribe({ args }) {
      describeOperation(args, digestKey);
    },
    onExecute({ args }) {
      const audit = describeOperation(args, digestKey);
      if (!audit) return;
      return {
        async onExecuteDone({ result, setResult }) {
          if (!('data' in result || 'errors' in result)) return;
          if (!audit.written) {
            const { outcome, errorCode } = outcomeOf(result as ExecutionResult);
            try {
              const { seq, hash } = await writer.append(audit.entry(kind, outcome, errorCode));
              audit.written = true;
              audit.ownEntry = { seq, hash };
            } catch (error) {
              logger.error({ err: error, operationId: audit.operationId }, 'audit entry could not be written; result withheld');
              // An operation that failed on its own (its database gone, say) is answered with that failure, without
              // data; one that ran, or was refused, is told that it was the log.
              // (An unexpected error has no code yet here: it is masked later, to INTERNAL_SERVER_ERROR.)
              setResult({
                errors: failedOnItsOwn(result as ExecutionResult) ? [...(result as ExecutionResult).errors!] : [unrecorded(audit)],
              });
              return;
            }
          }
          // A change's entry committed with the change, outside the writer.
          if (audit.ownEntry) committedHead?.observe(audit.ownEntry);
          if (reportHead && audit.ownEntry) setResult(withHead(result as ExecutionResult, audit.ownEntry));
        },
      };
    },
    async onResultProcess({ request, result, setResult, serverContext }) {
      const audit = collectors.get(request);
      if (audit?.written) return;
      const single = (Array.isArray(result) ? result[0] : result) as ExecutionResult | undefined;
      if (!single || Symbol.asyncIterator in (single as object)) return;
      const { outcome, errorCode } = outcomeOf(single, 'DENIED');
      const written = audit
        ? await logUnwritten(refusals, audit, single)
        : await logRefusal(refusals, claimsOf(request, (serverContext as { req?: IncomingMessage }).req), outcome === 'OK' ? 'DENIED' : outcome, errorCode, actors.get(request));
      // As after execution: an operation that failed on its own (its database gone before it ran) keeps its own failure.
      if (!written) setResult({ errors: audit ? (failedOnItsOwn(single) ? [...single.errors!] : [unrecorded(audit)]) : [auditUnavailable()] });
      else if (reportHead && audit?.ownEntry) setResult(withHead(single, audit.ownEntry));
    },
  };
}

/**
 * Puts on the operation's collector what its entry says of the operation:
 * its name, the hash of its document, and of its variables only what the
 * schema lets the log keep in clear, the rest as keyed digests.
 */
function describeOperation(args: ExecutionArgs, digestKey: DigestKey): AuditCollector | undefined {
  const audit = (args.contextValue as AuditedContext).audit;
  if (!audit) return undefined;
  const operation = getOperationAST(args.document, args.operationName);
  const { variables, digests } = auditVariables(args.schema, args.document, args.operationName, args.variableValues, digestKey);
  audit.operation = {
    operation: operation ? `${operation.operation} ${operation.name?.value ?? 'anonymous'}` : null,
    documentHash: args.document.loc ? documentHash(args.document.loc.source.body) : null,
    variables,
    digests,
  };
  return audit;
}

/** Where {@link logRefusal} writes: the party's log, through its group-committing writer. */
export interface RefusalLog {
  party: string;
  writer: AuditWriter;
  logger: Logger;
}

/** What a request refused before its context claimed, unverified: all that is known of it besides its officer, if verified. */
export interface RefusedClaims {
  /** The officer token it carried, if any: its subject is recorded, marked as a claim, unless the token verified. */
  token: string | undefined;
  purpose: unknown;
  caseReference: unknown;
  clientAddress: string | null;
}

async function appendOrLog({ writer, logger }: RefusalLog, input: AuditEntryInput): Promise<AuditHead | null> {
  try {
    const { seq, hash } = await writer.append(input);
    return { seq, hash };
  } catch (error) {
    logger.error({ err: error }, 'audit entry of a refused request could not be written');
    return null;
  }
}

/**
 * Writes the DENIAL entry of an operation that had a context but ended
 * without its entry (stopped before execution, e.g. by useStorableText): over HTTP
 * from onResultProcess, over graphql-ws once the operation's result is known.
 * Resolves false when the log could not take it.
 */
export async function logUnwritten(log: RefusalLog, audit: AuditCollector, result: ExecutionResult): Promise<boolean> {
  if (audit.written) return true;
  const { outcome, errorCode } = outcomeOf(result, 'DENIED');
  audit.ownEntry = await appendOrLog(log, audit.entry('DENIAL', outcome === 'OK' ? 'DENIED' : outcome, errorCode));
  audit.written = audit.ownEntry !== null;
  return audit.written;
}

/**
 * Writes the DENIAL entry of a request refused before it had a context (bad
 * token, no purpose, a document refused): over HTTP from onResultProcess,
 * over graphql-ws when connection_init or an operation is refused. Once the
 * officer's token verified (`officer`), the entry names the officer, unit,
 * agency and roles like any other; before, only who the token claims to be,
 * marked as a claim. Resolves false when the log could not take it.
 */
export async function logRefusal(log: RefusalLog, claims: RefusedClaims, outcome: AuditOutcome, errorCode: string | null, officer: Officer | null = null): Promise<boolean> {
  const refused = new AuditCollector(log.party, officer, claimedPurpose(claims.purpose, claims.caseReference), claims.clientAddress);
  const details = officer ? null : { claimedSubject: claimedSubject(claims.token) };
  return (await appendOrLog(log, refused.entry('DENIAL', outcome, errorCode, details))) !== null;
}

/** The collector of each HTTP request, so that requests refused before execution are logged too. */
const collectors = new WeakMap<Request, AuditCollector>();

export function registerCollector(request: Request | undefined, collector: AuditCollector) {
  if (request) collectors.set(request, collector);
}

/** The officer of each HTTP request whose token verified: a refusal after that names the officer. */
const actors = new WeakMap<Request, Officer>();

/** Notes that the officer behind `request` is verified (before the rest of the request is checked). */
export function registerActor(request: Request | undefined, officer: Officer) {
  if (request) actors.set(request, officer);
}

/** The claims of an HTTP request. At a node the officer token travels in its own header; the bearer is the gateway's credential. */
function claimsOf(request: Request, req: IncomingMessage | undefined): RefusedClaims {
  return {
    token: request.headers.get(officerTokenHeader) ?? bearerToken(request.headers.get('authorization')),
    purpose: request.headers.get(purposeHeader),
    caseReference: request.headers.get(caseReferenceHeader),
    clientAddress: req?.socket.remoteAddress ?? null,
  };
}

/** A claimed value as the log's column can hold it: a string, without NUL, cut to the column's width. */
function claimed(value: unknown, width: number): string | null {
  return typeof value === 'string' && value !== '' ? value.replaceAll('\u0000', '').slice(0, width) : null;
}

/** The purpose a refused request declared, unchecked. */
function claimedPurpose(code: unknown, caseReference: unknown) {
  const purpose = claimed(code, 40);
  return purpose ? { code: purpose, caseReference: claimed(caseReference, 100) } : null;
}

/** Who the request claims to be, unverified: recorded for refused requests, marked as a claim. */
function claimedSubject(token: string | undefined): string | null {
  if (!token) return null;
  try {
    const { sub, iss } = decodeJwt(token);
    return typeof sub === 'string' ? `${sub.slice(0, 150)} (claimed, ${String(iss ?? 'no issuer').slice(0, 40)})` : null;
  } catch {
    return null;
  }
}

/** Whether an operation failed on its own, unexpectedly (no code yet, or INTERNAL_SERVER_ERROR), rather than being refused or run. */
function failedOnItsOwn(result: ExecutionResult): boolean {
  return result.errors?.some((error) => [undefined, ErrorCode.INTERNAL_SERVER_ERROR].includes(error.extensions?.code as never)) ?? false;
}
