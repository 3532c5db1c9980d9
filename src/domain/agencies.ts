/** An agency of the exchange, as the directory describes it. */
export interface AgencyInfo {
  code: string;
  name: string;
  country: string;
  /** 24/7 international cooperation desk. */
  contactEmail: string;
  contactPhone: string;
}

/**
 * Agencies of the region the hub knows by default. Joining the exchange is a
 * matter of configuration (a node URL and a trust-list entry); this table only
 * gives readable names to the codes.
 */
export const knownAgencies: Record<string, AgencyInfo> = {
  XK: {
    code: 'XK',
    name: 'Kosovo Police',
    country: 'Kosovo',
    contactEmail: 'intl-cooperation@kosovopolice.example',
    contactPhone: '+383 38 000 000',
  },
  MK: {
    code: 'MK',
    name: 'Ministry of Interior – Police of North Macedonia',
    country: 'North Macedonia',
    contactEmail: 'intl-cooperation@mvr.example',
    contactPhone: '+389 2 000 0000',
  },
  AL: {
    code: 'AL',
    name: 'Albanian State Police',
    country: 'Albania',
    contactEmail: 'intl-cooperation@asp.example',
    contactPhone: '+355 4 000 0000',
  },
  ME: {
    code: 'ME',
    name: 'Police Directorate of Montenegro',
    country: 'Montenegro',
    contactEmail: 'intl-cooperation@upravapolicije.example',
    contactPhone: '+382 20 000 000',
  },
  RS: {
    code: 'RS',
    name: 'Ministry of Interior – Police of Serbia',
    country: 'Serbia',
    contactEmail: 'intl-cooperation@mup.example',
    contactPhone: '+381 11 000 0000',
  },
};

export function agencyInfo(code: string): AgencyInfo {
  return (
    (Object.hasOwn(knownAgencies, code) ? knownAgencies[code] : undefined) ?? {
      code,
      name: `Agency ${code}`,
      country: code,
      contactEmail: `intl-cooperation@${code.toLowerCase()}.example`,
      contactPhone: '',
    }
  );
}
