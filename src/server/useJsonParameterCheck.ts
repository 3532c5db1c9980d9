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
 * Answers malformed JSON in the `variables` or `extensions` parameter of a
 * GET request (or of a form-encoded POST) with 400 BAD_REQUEST. Yoga's own
 * parser lets JSON.parse throw there, which would surface as a 500.
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
        return parse(incoming);
      });
    },
  };
}
