import http from 'node:http';
import https from 'node:https';
import { context, propagation } from '@opentelemetry/api';
import { getOperationAST, GraphQLError, parse } from 'graphql';
import { caseReferenceHeader, purposeHeader, type DeclaredPurpose } from '../consent/declaredPurpose.ts';
import { ErrorCode, hubError } from '../errors.ts';
import {
  createGatewayCredentials,
  type GatewaySigner,
  type ServiceScope,
  type VerifiedMembership,
} from '../identity/gatewayCredential.ts';
import { officerTokenHeader } from '../identity/headers.ts';
import { inSpan } from '../telemetry/tracer.ts';
import type { AuditWitness } from '../audit/auditEntry.ts';
import { auditHeadHeader, formatAuditHeadHeader, reportedAuditHead, type CommittedHead } from '../audit/auditWitness.ts';
import { idempotencyKeyHeader, operationIdHeader } from '../audit/operationId.ts';

/** Options for {@link createNodeClient}. */
export interface NodeClientOptions {
  /** GraphQL endpoint of each agency's node. */
  nodes: ReadonlyMap<string, URL>;
  /** Key the gateway signs its node credentials with. */
  signer: GatewaySigner;
  /** How long to wait for a node before calling it unavailable. Default 5,000 ms. */
  timeoutMs?: number;
  /** The gateway's last committed audit entry, sent with every call for the node to witness. Default: none sent. */
  committedHead?: CommittedHead;
}

/**
 * A node did not answer (down, timed out, or answered with something that is
 * not GraphQL). A GraphQL error with its own code, so that where it fails a
 * whole field it reaches the client unmasked, naming the agency.
 */
export class AgencyUnavailableError extends GraphQLError {
  constructor(
    readonly agency: string,
    reason: string,
    /** AGENCY_UNAVAILABLE, or AUDIT_UNAVAILABLE when it is the node's log that failed. */
    readonly code: ErrorCode = ErrorCode.AGENCY_UNAVAILABLE,
    message = `Agency ${agency} is unavailable: ${reason}.`,
  ) {
    super(message, { extensions: { code, agency } });
  }

  toGraphQLError(path?: readonly (string | number)[]): GraphQLError {
    return new GraphQLError(this.message, {
      ...(path ? { path } : {}),
      extensions: { code: this.code, agency: this.agency },
    });
  }
}

/**
 * A node's own log could not record the operation, so the node released
 * nothing and changed nothing. For the client the agency's part is missing as
 * when it is down, but the client and the auditor are told it was the log.
 */
export class AgencyAuditUnavailableError extends AgencyUnavailableError {
  constructor(agency: string) {
    super(agency, 'its audit log cannot record the operation', ErrorCode.AUDIT_UNAVAILABLE,
      `The audit log of agency ${agency} cannot record this operation, so ${agency} released nothing and changed nothing. Try again later.`);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

export interface NodeClient {
  agencies: readonly string[];
  has(agency: string): boolean;
  /**
   * Runs a node-contract operation on one agency's node on behalf of an officer.
   * Errors the node reports deliberately come back with their code and the
   * agency named; a node that cannot be reached raises AgencyUnavailableError.
   */
  request<T>(agency: string, document: string, variables: Record<string, unknown>, caller: NodeCaller): Promise<T>;
  /**
   * Runs a node-contract operation on the gateway's own account (its service
   * credential, no officer) for one scope: following the node's event feed (the default), or exchanging audit checkpoints.
   */
  serviceRequest<T>(agency: string, document: string, variables: Record<string, unknown>, options?: ServiceRequestOptions): Promise<T>;
}

/** Options of a service request. */
export interface ServiceRequestOptions {
  /** Default: the client's timeout. A long poll needs its wait on top. */
  timeoutMs?: number;
  /** Aborts the call (the gateway is stopping). */
  signal?: AbortSignal;
  /** What the service credential allows. Default the event feed (events:read). */
  scope?: ServiceScope;
  /** Told of the head of the node's log its answer reports. */
  audit?: WitnessSink;
  /** The id of the gateway's operation the call serves (x-hub-operation-id). Default: none sent. */
  operationId?: string | null;
}

/** Where the head a node answers with goes: the collector of the gateway's entry for the operation. */
export interface WitnessSink {
  witness(head: AuditWitness): void;
}

/** On whose behalf, and for what, the gateway calls a node. */
export interface NodeCaller {
  officerToken: string;
  purpose: DeclaredPurpose;
  /** The officer's membership of the operation the purpose JOINT_OPERATION names, checked by the gateway; null otherwise. */
  membership: VerifiedMembership | null;
  /** Told of the head of the node's log its answer reports (the gateway context's collector). */
  audit?: WitnessSink;
  /** The id of the gateway's operation the call serves: the node writes it into its entries (x-hub-operation-id). */
  operationId?: string | null;
  /**
   * The key of the change a mutation makes (Idempotency-Key), which the node
   * honours: the call, sent again, is answered without being applied twice.
   * Only a query, or a mutation with a key, is ever sent again.
   */
  idempotencyKey?: string;
}

// Connections to the nodes stay open between calls (idle ones do not hold the
// process, and each closes before the node's keep-alive hint runs out).
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/**
 * POSTs `body` and resolves with the whole answer, or rejects when the
 * connection fails or `signal` aborts first. Node's own HTTP client rather
 * than fetch: fetch's streams cost about a millisecond of CPU on every node
 * call (bench/parts/gateway.ts), and a node call is one JSON document each way.
 *
 * A kept-alive connection the node closes as idle can be picked for a call in
 * the moment before the close reaches the gateway: the call then fails at once
 * with ECONNRESET or EPIPE before any answer. Usually the node never saw it,
 * but not always (it may have read the call, and committed it, as the
 * connection broke), so such a call is sent again, once, on another connection
 * (as Node's documentation of `request.reusedSocket` advises, and undici does)
 * only when repeating it is safe: a query, or a change with an idempotency key
 * the node honours. Any other failure is the caller's to see.
 */
async function post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal, repeatable: boolean): Promise<{ status: number; body: string }> {
  try {
    return await postOnce(url, headers, body, signal);
  } catch (error) {
    if (!(error instanceof StaleConnectionError) || signal.aborted || !repeatable) throw error;
    return postOnce(url, headers, body, signal);
  }
}

/** Operation types of the documents sent so far (the gateway's own constants: a handful). */
const operationTypes = new Map<string, string | undefined>();

/** Whether the document only reads: a query (or the one operation of it is). */
function isQuery(document: string): boolean {
  if (!operationTypes.has(document)) operationTypes.set(document, getOperationAST(parse(document))?.operation);
  return operationTypes.get(document) === 'query';
}

/** A call that failed on a reused connection before anything of it was answered. */
class StaleConnectionError extends Error {}
const staleConnectionCodes = new Set(['ECONNRESET', 'EPIPE']);

function postOnce(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    let answered = false;
    const request = (secure ? https : http).request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: agents[secure ? 'https:' : 'http:'], signal },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
        // Cut off mid-answer (the node went away, or the signal aborted).
        response.on('close', () => response.complete || reject(new Error('the answer was cut off')));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && !answered && error.code !== undefined && staleConnectionCodes.has(error.code);
      reject(stale ? new StaleConnectionError(error.message, { cause: error }) : error);
    });
    request.end(body);
  });
}

export function createNodeClient({ nodes, signer, timeoutMs = 5_000, committedHead }: NodeClientOptions): NodeClient {
  const credentials = createGatewayCredentials(signer);
  const send = <T>(
    agency: string,
    document: string,
    variables: Record<string, unknown>,
    credentials: () => Promise<Record<string, string>>,
    { timeoutMs: wait = timeoutMs, signal, audit, operationId }: ServiceRequestOptions = {},
    idempotencyKey?: string,
  ) =>
    inSpan('node.request', { 'hub.agency': agency }, async (): Promise<T> => {
      const url = nodes.get(agency);
      if (!url) throw hubError(ErrorCode.AGENCY_UNKNOWN, `Agency ${agency} is not part of the exchange.`, { agency });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(await credentials()),
      };
      const head = committedHead?.latest();
      if (head) headers[auditHeadHeader] = formatAuditHeadHeader(head);
      if (operationId) headers[operationIdHeader] = operationId;
      if (idempotencyKey) headers[idempotencyKeyHeader] = idempotencyKey;
      // W3C trace context, so the node's spans join the gateway's trace.
      propagation.inject(context.active(), headers);
      const deadline = signal ? AbortSignal.any([AbortSignal.timeout(wait), signal]) : AbortSignal.timeout(wait);
      let response: { status: number; body: string };
      try {
        response = await post(url, headers, JSON.stringify({ query: document, variables }), deadline, idempotencyKey !== undefined || isQuery(document));
      } catch {
        const reason = deadline.aborted && (deadline.reason as Error | undefined)?.name === 'TimeoutError' ? `no answer within ${wait} ms` : 'connection failed';
        throw new AgencyUnavailableError(agency, reason);
      }
      let body: GraphQLResponse<T>;
      try {
        body = JSON.parse(response.body) as GraphQLResponse<T>;
      } catch {
        throw new AgencyUnavailableError(agency, `answered HTTP ${response.status} without a GraphQL body`);
      }
      // Before the errors: a refusal has its entry too, and the gateway's entry witnesses it.
      const reported = reportedAuditHead(body?.extensions, agency);
      if (reported) audit?.witness(reported);
      const first = body.errors?.[0];
      if (first) {
        const code = typeof first.extensions?.code === 'string' ? first.extensions.code : ErrorCode.INTERNAL_SERVER_ERROR;
        // The node's own failure (its log, its database), not the caller's: for the caller that agency's part is missing.
        if (code === ErrorCode.AUDIT_UNAVAILABLE) throw new AgencyAuditUnavailableError(agency);
        if (code === ErrorCode.INTERNAL_SERVER_ERROR) throw new AgencyUnavailableError(agency, 'failed');
        const { http: _http, ...extensions } = first.extensions ?? {};
        throw hubError(code as ErrorCode, first.message, { ...extensions, agency });
      }
      if (!body.data) throw new AgencyUnavailableError(agency, 'answered without data');
      return body.data;
    });

  return {
    agencies: [...nodes.keys()].sort(),
    has: (agency) => nodes.has(agency),
    request: <T>(agency: string, document: string, variables: Record<string, unknown>, { officerToken, purpose, membership, audit, operationId, idempotencyKey }: NodeCaller) =>
      send<T>(agency, document, variables, async () => ({
        authorization: `Bearer ${await credentials.forOfficer(agency, officerToken, membership)}`,
        [officerTokenHeader]: officerToken,
        [purposeHeader]: purpose.code,
        ...(purpose.caseReference ? { [caseReferenceHeader]: purpose.caseReference } : {}),
      }), { ...(audit ? { audit } : {}), ...(operationId ? { operationId } : {}) }, idempotencyKey),
    serviceRequest: <T>(agency: string, document: string, variables: Record<string, unknown>, options: ServiceRequestOptions = {}) =>
      send<T>(agency, document, variables, async () => ({ authorization: `Bearer ${await credentials.forService(agency, options.scope)}` }), options),
  };
}
