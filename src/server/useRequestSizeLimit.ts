import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';

/** Options for {@link useRequestSizeLimit}. */
export interface RequestSizeLimitOptions {
  /** Largest request body accepted, in bytes. Default 256 KiB. */
  maxBytes?: number;
}

function tooLarge(maxBytes: number): Response {
  return Response.json(
    {
      errors: [
        {
          message: `The request body is larger than ${Math.round(maxBytes / 1024)} KiB.`,
          extensions: { code: ErrorCode.REQUEST_TOO_LARGE },
        },
      ],
    },
    // The rest of the body is never read, so the connection cannot be reused.
    { status: 413, headers: { connection: 'close' } },
  );
}

/**
 * Refuses request bodies above a limit before they are parsed. A declared
 * Content-Length is checked at once; a chunked body is read only up to the
 * limit, so a client cannot make the server buffer a gigabyte.
 */
export function useRequestSizeLimit({ maxBytes = 256 * 1024 }: RequestSizeLimitOptions = {}): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, endResponse }) {
      if (request.method !== 'POST') return;
      const declared = Number(request.headers.get('content-length'));
      if (declared > maxBytes) return endResponse(tooLarge(maxBytes));
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser(async (incoming) => {
        const reader = incoming.body!.getReader();
        const chunks: Uint8Array[] = [];
        let size = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBytes) {
            await reader.cancel();
            return tooLarge(maxBytes);
          }
          chunks.push(value);
        }
        const body = Buffer.concat(chunks);
        return parse(new Request(incoming.url, { method: incoming.method, headers: incoming.headers, body }));
      });
    },
  };
}
