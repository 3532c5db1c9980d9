import { SignJWT } from 'jose';
import type { Role } from './roles.ts';
import type { SigningKey } from './developmentKeys.ts';

/** Claims of a development officer token. */
export interface OfficerClaims {
  sub: string;
  agency: string;
  unit: string;
  roles: readonly Role[];
  name?: string;
}

/** Options for {@link mintOfficerToken}. */
export interface MintOptions {
  audience: string;
  /** Lifetime, as jose reads it ("8h", "15m"). Default "8h": one shift. */
  expiresIn?: string;
}

/** Signs an officer token the way an agency identity provider would (development and tests). */
export function mintOfficerToken(key: SigningKey, claims: OfficerClaims, { audience, expiresIn = '8h' }: MintOptions): Promise<string> {
  return new SignJWT({ agency: claims.agency, unit: claims.unit, roles: [...claims.roles], ...(claims.name ? { name: claims.name } : {}) })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(key.issuer)
    .setSubject(claims.sub)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.key);
}
