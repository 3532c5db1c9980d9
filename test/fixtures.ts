/** A valid createAlert input, in wire format, with overrides merged on top. */
export function alertInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'SEIZURE',
    title: 'Pistols concealed in the spare wheel of a passenger car',
    occurredAt: '2026-10-02T06:40:00.000Z',
    location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
    modusOperandi: 'Two pistols wrapped in cling film inside the spare wheel; driver declared nothing.',
    risk: { threat: 4, vulnerability: 3, impact: 4 },
    firearms: [
      {
        make: 'Zastava',
        model: 'M70',
        type: 'PISTOL',
        calibre: '7.65×17 mm',
        serialNumber: 'M70-481516',
        countryOfManufacture: 'RS',
        euCategory: 'B',
      },
    ],
    ammunition: [{ calibre: '7.65×17 mm', quantity: 48 }],
    subjects: [
      {
        role: 'DRIVER',
        familyName: 'Krasniqi',
        givenName: 'Besnik',
        dateOfBirth: '1987-04-12',
        nationality: 'XK',
        documents: [{ kind: 'PASSPORT', number: 'P01234567', issuingCountry: 'XK' }],
      },
    ],
    vehicles: [{ role: 'CONCEALMENT', plate: '01-234-AB', plateCountry: 'XK', make: 'Audi', model: 'A4', vin: 'WAUZZZ8K9BA123456' }],
    ...overrides,
  };
}

export const alertFields = /* GraphQL */ `
  id localId reference kind status version createdAt
  owner { code name }
  contactPoint { agency unitCode unitName }
  access { tier basis grantId validUntil purpose caseReference ceiling canRequestHigher handlingCode }
  summary {
    title occurredAt
    location { kind borderCrossing municipality latitude longitude }
    risk { threat vulnerability impact level }
    firearms { id make model serialNumber serialNormalized euCategory }
    ammunition { calibre quantity }
    explosives { type quantity unit }
    components { kind quantity }
  }
  personalData {
    subjects { familyName givenName dateOfBirth documents { kind number } }
    vehicles { plate vin }
  }
`;

export const createAlertMutation = /* GraphQL */ `
  mutation Create($input: CreateAlertInput!) { createAlert(input: $input) { ${alertFields} } }
`;

/**
 * A stored XK seizure's row, for tests that write many records straight into a
 * node's database (createMany) rather than through createAlert.
 */
export function alertRow(row: { id: string; reference: string; createdAt: Date; unitCode?: string; createdBy?: string }) {
  return {
    kind: 'SEIZURE' as const,
    title: `Seizure ${row.reference}`,
    occurredAt: row.createdAt,
    locationKind: 'BORDER_CROSSING_POINT' as const,
    riskThreat: 3,
    riskVulnerability: 3,
    riskImpact: 3,
    riskLevel: 'MEDIUM' as const,
    unitCode: 'XK-BP-HANI',
    createdBy: 'test',
    ...row,
  };
}
