import { GraphQLError } from 'graphql';

/**
 * Every error a client can cause carries one of these codes in
 * `extensions.code`. They are part of the public contract: clients branch on
 * them, so a code is never renamed, only added.
 */
export const ErrorCode = {
  /** No bearer token on a request that needs one. */
  TOKEN_MISSING: 'TOKEN_MISSING',
  /** The token's `exp` is in the past. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The token's issuer is not on the trust list. */
  TOKEN_ISSUER_UNTRUSTED: 'TOKEN_ISSUER_UNTRUSTED',
  /** The token is not meant for this service (`aud`). */
  TOKEN_AUDIENCE_INVALID: 'TOKEN_AUDIENCE_INVALID',
  /** The token's algorithm is not one the trust list pins (`none`, HS256, …). */
  TOKEN_ALGORITHM_REJECTED: 'TOKEN_ALGORITHM_REJECTED',
  /** The token's `kid` is not in its issuer's key set. */
  TOKEN_KEY_UNKNOWN: 'TOKEN_KEY_UNKNOWN',
  /** The token is longer than the hub accepts (maxTokenBytes): refused before it is decoded. */
  TOKEN_TOO_LARGE: 'TOKEN_TOO_LARGE',
  /** Malformed, bad signature, missing claims. */
  TOKEN_INVALID: 'TOKEN_INVALID',
  /** A node was called without the gateway's own credential. */
  GATEWAY_CREDENTIAL_INVALID: 'GATEWAY_CREDENTIAL_INVALID',
  /** The caller is authenticated but its roles do not allow the operation. */
  FORBIDDEN: 'FORBIDDEN',
  /** The request declares no purpose: no purpose, no data. */
  PURPOSE_REQUIRED: 'PURPOSE_REQUIRED',
  /** The declared purpose is not one of the exchange agreement. */
  PURPOSE_UNKNOWN: 'PURPOSE_UNKNOWN',
  /**
   * The declared purpose does not cover the operation: AUDIT reads audit logs
   * and never operational data, and audit logs are read only under AUDIT.
   */
  PURPOSE_NOT_ALLOWED: 'PURPOSE_NOT_ALLOWED',
  /** The declared purpose needs a case reference and none was given. */
  CASE_REFERENCE_REQUIRED: 'CASE_REFERENCE_REQUIRED',
  /** The tier asked for is above what the agreement allows for the purpose or the caller's roles. */
  TIER_NOT_ALLOWED: 'TIER_NOT_ALLOWED',
  /** Input failed validation; `extensions.issues` lists each problem with its path. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** The document does not validate against the schema (unknown field, bad enum literal, …). */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** The document could not be parsed. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The document exceeds a depth, cost, alias, directive or token limit. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** A variable does not match its declared type (unknown enum value, wrong scalar, …). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The HTTP request itself is malformed (e.g. its `variables` parameter is not JSON). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The request body is larger than the configured limit. */
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  /** Trusted documents only: the request sent a document of its own, or named one that is not agreed (contracts/trusted-documents.json). */
  DOCUMENT_NOT_TRUSTED: 'DOCUMENT_NOT_TRUSTED',
  /** The request did not arrive in full within the server's time limit (HTTP 408). */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The request body is not JSON (HTTP 415). */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The record does not exist, or the caller may not know that it exists. */
  NOT_FOUND: 'NOT_FOUND',
  /** The record changed since the caller read it (optimistic concurrency). */
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  /** The requested state change is not allowed from the record's current state. */
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  /** The global ID names an agency that is not part of the exchange. */
  AGENCY_UNKNOWN: 'AGENCY_UNKNOWN',
  /** An agency node did not answer; the rest of the response is still valid. */
  AGENCY_UNAVAILABLE: 'AGENCY_UNAVAILABLE',
  /** A WebSocket already runs as many operations as one connection may. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** An officer already holds as many connections (WebSockets, server-sent-event subscriptions) as one officer may (a socket is closed with 4429). */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /**
   * A subscription cursor older than what the feed keeps (the agreement's retention): the events after it are
   * partly gone. Subscribe again without a cursor and read what was missed with the queries of the records.
   */
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  /** The audit log cannot take the entry: fail-closed, nothing is released or changed. */
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  /**
   * A change was made at the nodes that own it, but the gateway's log could not
   * record its outcome: the answer is withheld; the change exists (do not send
   * it again). `extensions.agencies`, `extensions.operationId`.
   */
  AUDIT_INCOMPLETE: 'AUDIT_INCOMPLETE',
  /** A party's checkpoint contradicts a copy already kept: its log was rewritten. */
  CHECKPOINT_CONFLICT: 'CHECKPOINT_CONFLICT',
  /** Too many operations or searches from the officer or the unit; `extensions.retryAfterSeconds` says when to try again (HTTP 429). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Statistics asked for by a dimension the exchange agreement does not share with partners; `extensions.dimensions` names them. */
  DIMENSION_NOT_SHARED: 'DIMENSION_NOT_SHARED',
  /** Anything unexpected; details are logged, never sent. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status that goes with a code when the whole request fails on it. */
const httpStatus: Partial<Record<ErrorCode, number>> = {
  TOKEN_MISSING: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_ISSUER_UNTRUSTED: 401,
  TOKEN_AUDIENCE_INVALID: 401,
  TOKEN_ALGORITHM_REJECTED: 401,
  TOKEN_KEY_UNKNOWN: 401,
  TOKEN_INVALID: 401,
  TOKEN_TOO_LARGE: 401,
  GATEWAY_CREDENTIAL_INVALID: 401,
  BAD_REQUEST: 400,
  REQUEST_TOO_LARGE: 413,
  AUDIT_UNAVAILABLE: 503,
};

/** A deliberate, client-facing error: passes error masking with its code. */
export function hubError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  const status = httpStatus[code];
  return new GraphQLError(message, {
    extensions: {
      code,
      ...extensions,
      ...(status ? { http: { status, ...(status === 401 ? { headers: { 'www-authenticate': 'Bearer' } } : {}) } } : {}),
    },
  });
}
