/** Header carrying the officer's own JWT on gateway → node calls. */
export const officerTokenHeader = 'x-officer-token';

/** Extracts the token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
