import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, hubError } from '../errors.ts';

/** Parameters that GraphQL over HTTP carries as JSON inside a query string or a form body. */
const jsonParameters = ['variables', 'extensions'] as const;

function checkJsonParameters(parameters: URLSearchParams): void {
  for (const name of jsonParameters) {
    const value = parameters.get(name);
    if (!value) continue;
    try {
      JSON.parse(value);
    } catch {
      throw hubError(ErrorCode.BAD_REQUEST, `The "${name}" parameter is not valid JSON.`);
    }
  }
}

/**
 * A body Yoga could not parse as JSON, refused in the hub's words: Yoga's own
 * error carries the parser's exception (`originalError`, its name and
 * message), which is nobody's business in production and no help to a person.
 */
function invalidJsonBody(error: unknown): unknown {
  const yogaRefusal = error instanceof GraphQLError && error.extensions.originalError !== undefined;
  return yogaRefusal ? hubError(ErrorCode.BAD_REQUEST, 'The request body is not valid JSON.') : error;
}

/**
 * Answers malformed JSON with 400 BAD_REQUEST: in the `variables` or
 * `extensions` parameter of a GET request (or of a form-encoded POST), where
 * Yoga's own parser lets JSON.parse throw, which would surface as a 500; and
 * in a JSON body, cut short or not JSON at all, without the parser's exception.
 */
export function useJsonParameterCheck(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (incoming) => {
        if (incoming.method === 'GET') checkJsonParameters(new URL(incoming.url).searchParams);
        else if (incoming.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')) {
          const body = await incoming.text();
          checkJsonParameters(new URLSearchParams(body));
          return parse(new Request(incoming.url, { method: incoming.method, headers: incoming.headers, body }));
        }
        try {
          return await parse(incoming);
        } catch (error) {
          throw invalidJsonBody(error);
        }
      });
    },
  };
}
