import type { Role } from './roles.ts';

/** The verified identity of the person behind a request. */
export interface Officer {
  /** Subject from the agency's identity provider. */
  sub: string;
  /** Agency code, as vouched for by the trust list (never taken from the token alone). */
  agency: string;
  /** Unit code from the token. */
  unit: string;
  roles: readonly Role[];
  /** Display name, when the identity provider gives one. */
  name?: string;
  /** The issuer that vouched for the token. */
  issuer: string;
}

export function hasAnyRole(officer: Officer, wanted: readonly Role[]): boolean {
  return officer.roles.some((role) => wanted.includes(role));
}
