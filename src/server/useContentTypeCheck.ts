import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';

/** Request bodies the hub reads: JSON, as GraphQL over HTTP defines it. */
const accepted = ['application/json', 'application/graphql-response+json'];

/**
 * Refuses a request body that is not JSON with 415 and a coded JSON error,
 * before it is parsed. Forms and `text/plain` are what a foreign page can
 * send cross-site without a CORS preflight; `multipart` would open file
 * uploads; `application/graphql` is a second syntax for nothing the hub needs.
 */
export function useContentTypeCheck(): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'POST') return;
      const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (accepted.includes(type)) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [
              {
                message: `Send the GraphQL request as JSON (Content-Type: application/json), not ${type ? `"${type.slice(0, 80)}"` : 'without a content type'}.`,
                extensions: { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE },
              },
            ],
          }),
          { status: 415, headers: { 'content-type': 'application/json; charset=utf-8', accept: accepted.join(', ') } },
        ),
      );
    },
  };
}
