/**
 * Demo and benchmark data for the Kosovo (XK) and North Macedonia (MK) nodes.
 *
 * Everything here is fictional: persons, documents, plates, VINs and serial
 * numbers are invented. Alerts are raw inputs, exactly as an officer's client
 * would send them; the seed runs each one through `createAlertInput` and the
 * API's write path, so the demo can never hold a record the API would refuse.
 *
 * A few identifiers deliberately appear on both sides of the border, written
 * differently, so that hit/no-hit searches have something to find:
 * - the Zastava M70 pistol serial "M70-418273" (XK seizure) / "m70 418273" (MK theft report);
 * - the plate "01-482-KP" (XK seizure) / "01 482 KP" (MK lookout) and its VIN;
 * - the plate "SK 4821 AC" (XK lookout) / "SK-4821-AC" (MK seizure) and its VIN;
 * - the person Besart Rexhepi, born 1989-06-21, with the same Kosovo identity card.
 */
import type { z } from 'zod';
import type { createAlertInput } from '../domain/alertInput.ts';
import { days } from '../domain/durations.ts';
import {
  AlertKind,
  BorderCrossingPoint,
  type ComponentKind,
  type DocumentKind,
  type EuFirearmCategory,
  type ExplosiveType,
  type FirearmType,
  type QuantityUnit,
  type SubjectRole,
  type TraceRequestStatus,
  UnitKind,
  type VehicleRole,
} from '../domain/enums.ts';

export type DemoAgency = 'XK' | 'MK';

export function isDemoAgency(code: string): code is DemoAgency {
  return code === 'XK' || code === 'MK';
}

/** An operational unit of a demo agency, with its 24/7 contact point. */
export interface UnitSeed {
  code: string;
  name: string;
  kind: UnitKind;
  borderCrossing?: BorderCrossingPoint | null;
  contactEmail: string;
  contactPhone: string;
}

/** The raw (pre-validation) shape `createAlertInput` accepts. */
export type RawAlertInput = z.input<typeof createAlertInput>;

export interface DemoAlert {
  /** Reporting unit; must be a unit of the agency. */
  unitCode: string;
  /** Subject (`sub`) of the reporting officer. */
  createdBy: string;
  /** Raw input, validated by `parseInput(createAlertInput, input)` when seeded. */
  input: RawAlertInput;
}

export interface DemoTraceStep {
  status: TraceRequestStatus;
  note?: string;
  answer?: string;
  /** Agency whose officer makes the move: the addressed agency works the request, the requester closes it. */
  actorAgency: string;
}

export interface DemoTraceRequest {
  /** `serialNumber` of a firearm on one of the agency's demo alerts, exactly as written there. */
  firearmSerial: string;
  addressedTo: DemoAgency;
  question: string;
  advanceTo?: DemoTraceStep[];
}

// ─── Units ─────────────────────────────────────────────────────────────────

export const demoUnits: Record<string, UnitSeed[]> = {
  XK: [
    {
      code: 'XK-BP-HANI',
      name: 'Border Police – BCP Hani i Elezit',
      kind: UnitKind.BORDER_POLICE_BCP,
      borderCrossing: BorderCrossingPoint.HANI_I_ELEZIT_BLACE,
      contactEmail: 'bcp.hani@kosovopolice.example',
      contactPhone: '+383 290 000 110',
    },
    {
      code: 'XK-BP-GLLOBOCICE',
      name: 'Border Police – BCP Glloboçicë',
      kind: UnitKind.BORDER_POLICE_BCP,
      borderCrossing: BorderCrossingPoint.GLLOBOCICE_JAZHINCE,
      contactEmail: 'bcp.gllobocice@kosovopolice.example',
      contactPhone: '+383 29 000 120',
    },
    {
      code: 'XK-BP-STANCIQ',
      name: 'Border Police – BCP Stançiq',
      kind: UnitKind.BORDER_POLICE_BCP,
      borderCrossing: BorderCrossingPoint.STANCIQ_BELANOVCE,
      contactEmail: 'bcp.stanciq@kosovopolice.example',
      contactPhone: '+383 280 000 130',
    },
    {
      code: 'XK-BP-GREEN',
      name: 'Border Police – Regional Directorate South, green border unit',
      kind: UnitKind.BORDER_POLICE_GREEN_BORDER,
      borderCrossing: null,
      contactEmail: 'greenborder.south@kosovopolice.example',
      contactPhone: '+383 290 000 140',
    },
    {
      code: 'XK-CRIM-FIREARMS',
      name: 'Directorate for Investigation of Organised Crime – Firearms and Explosives Unit',
      kind: UnitKind.CRIMINAL_POLICE,
      borderCrossing: null,
      contactEmail: 'firearms.dhko@kosovopolice.example',
      contactPhone: '+383 38 000 210',
    },
    {
      code: 'XK-CUSTOMS',
      name: 'Kosovo Customs – Enforcement Directorate, Hani i Elezit terminal',
      kind: UnitKind.CUSTOMS,
      borderCrossing: null,
      contactEmail: 'enforcement@dogana-rks.example',
      contactPhone: '+383 38 000 220',
    },
    {
      code: 'XK-FORENSIC',
      name: 'Kosovo Agency of Forensics – Ballistics Laboratory',
      kind: UnitKind.FORENSIC_AGENCY,
      borderCrossing: null,
      contactEmail: 'ballistics@akf-rks.example',
      contactPhone: '+383 38 000 230',
    },
    {
      code: 'XK-FFP',
      name: 'Kosovo Police – Firearms Focal Point',
      kind: UnitKind.FIREARMS_FOCAL_POINT,
      borderCrossing: null,
      contactEmail: 'ffp@kosovopolice.example',
      contactPhone: '+383 38 000 240',
    },
    {
      code: 'XK-LIAISON',
      name: 'International Police Cooperation Division – Liaison Office',
      kind: UnitKind.LIAISON_OFFICE,
      borderCrossing: null,
      contactEmail: 'liaison@kosovopolice.example',
      contactPhone: '+383 38 000 250',
    },
    {
      code: 'XK-DUTY',
      name: 'International Police Cooperation Division – 24/7 Duty Desk',
      kind: UnitKind.DUTY_DESK,
      borderCrossing: null,
      contactEmail: 'duty.ipc@kosovopolice.example',
      contactPhone: '+383 38 000 200',
    },
    {
      code: 'XK-DPO',
      name: 'Kosovo Police – Data Protection Office',
      kind: UnitKind.DATA_PROTECTION_OFFICE,
      borderCrossing: null,
      contactEmail: 'dpo@kosovopolice.example',
      contactPhone: '+383 38 000 260',
    },
  ],
  MK: [
    {
      code: 'MK-BP-BLACE',
      name: 'Border Police Station Blace (Regional Centre for Border Affairs North)',
      kind: UnitKind.BORDER_POLICE_BCP,
      borderCrossing: BorderCrossingPoint.HANI_I_ELEZIT_BLACE,
      contactEmail: 'pgp.blace@mvr.example',
      contactPhone: '+389 2 000 1110',
    },
    {
      code: 'MK-BP-JAZHINCE',
      name: 'Border Police Station Jažince (Regional Centre for Border Affairs North)',
      kind: UnitKind.BORDER_POLICE_BCP,
      borderCrossing: BorderCrossingPoint.GLLOBOCICE_JAZHINCE,
      contactEmail: 'pgp.jazince@mvr.example',
      contactPhone: '+389 44 000 120',
    },
    {
      code: 'MK-BP-BELANOVCE',
      name: 'Border Police Station Belanovce (Regional Centre for Border Affairs North)',
      kind: UnitKind.BORDER_POLICE_BCP,
      borderCrossing: BorderCrossingPoint.STANCIQ_BELANOVCE,
      contactEmail: 'pgp.belanovce@mvr.example',
      contactPhone: '+389 31 000 130',
    },
    {
      code: 'MK-BP-GREEN',
      name: 'Regional Centre for Border Affairs North – green border surveillance unit',
      kind: UnitKind.BORDER_POLICE_GREEN_BORDER,
      borderCrossing: null,
      contactEmail: 'rcgr.sever@mvr.example',
      contactPhone: '+389 31 000 140',
    },
    {
      code: 'MK-CRIM-FIREARMS',
      name: 'Department for Suppression of Organised and Serious Crime – Weapons and Explosives Unit',
      kind: UnitKind.CRIMINAL_POLICE,
      borderCrossing: null,
      contactEmail: 'oruzje.ososk@mvr.example',
      contactPhone: '+389 2 000 2210',
    },
    {
      code: 'MK-CUSTOMS',
      name: 'Customs Administration – Customs Office Blace, enforcement section',
      kind: UnitKind.CUSTOMS,
      borderCrossing: null,
      contactEmail: 'blace.enforcement@customs-mk.example',
      contactPhone: '+389 2 000 2220',
    },
    {
      code: 'MK-FORENSIC',
      name: 'Forensic Department (Ministry of Interior) – Ballistics Section',
      kind: UnitKind.FORENSIC_AGENCY,
      borderCrossing: null,
      contactEmail: 'balistika@mvr.example',
      contactPhone: '+389 2 000 2230',
    },
    {
      code: 'MK-FFP',
      name: 'Ministry of Interior – National Firearms Focal Point',
      kind: UnitKind.FIREARMS_FOCAL_POINT,
      borderCrossing: null,
      contactEmail: 'ffp@mvr.example',
      contactPhone: '+389 2 000 2240',
    },
    {
      code: 'MK-LIAISON',
      name: 'International Police Cooperation Sector – Liaison Office',
      kind: UnitKind.LIAISON_OFFICE,
      borderCrossing: null,
      contactEmail: 'liaison.mps@mvr.example',
      contactPhone: '+389 2 000 2250',
    },
    {
      code: 'MK-DUTY',
      name: 'International Police Cooperation Sector – 24/7 Duty Desk',
      kind: UnitKind.DUTY_DESK,
      borderCrossing: null,
      contactEmail: 'duty.mps@mvr.example',
      contactPhone: '+389 2 000 2200',
    },
    {
      code: 'MK-DPO',
      name: 'Ministry of Interior – Data Protection Officer',
      kind: UnitKind.DATA_PROTECTION_OFFICE,
      borderCrossing: null,
      contactEmail: 'dpo@mvr.example',
      contactPhone: '+389 2 000 2260',
    },
  ],
};

// ─── Helpers ───────────────────────────────────────────────────────────────

/** `count` days before `now`, at the given UTC time of day. */
function daysAgo(now: Date, count: number, hour: number, minute = 0): Date {
  const at = new Date(now.getTime() - days(count));
  at.setUTCHours(hour, minute, 0, 0);
  // Never later than now, whatever the time of day the seed runs at.
  return at.getTime() < now.getTime() ? at : new Date(now.getTime() - 60_000);
}

/** A calendar date (date of birth, document expiry), at UTC midnight. */
function day(iso: string): Date {
  return new Date(`${iso}T00:00:00.000Z`);
}

/** Document expiry `years` years after `now`, at UTC midnight. */
function expiresIn(now: Date, years: number, month: number, dayOfMonth: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear() + years, month - 1, dayOfMonth));
}

// Reporting officers (fictional). The demo users' subs are reused where they fit.
const xkOfficers = {
  hani: 'xk.bp.arben.berisha',
  gllobocice: 'xk.bp.fitore.morina',
  stanciq: 'xk.bp.leotrim.zeqiri',
  green: 'xk.bp.blerim.ahmeti',
  crim: 'xk.crim.besnik.shala',
  customs: 'xk.customs.arta.hasani',
  forensic: 'xk.akf.mimoza.kelmendi',
  ffp: 'xk.ffp.driton.musliu',
  duty: 'xk.duty.shpresa.hoxha',
};

const mkOfficers = {
  blace: 'mk.bp.goran.stojanovski',
  jazhince: 'mk.bp.bujar.iseni',
  belanovce: 'mk.bp.marija.ristovska',
  green: 'mk.bp.dejan.angelovski',
  crim: 'mk.crim.aleksandar.jovanovski',
  customs: 'mk.customs.vesna.dimitrievska',
  forensic: 'mk.forensic.igor.georgievski',
  ffp: 'mk.ffp.ardian.xhaferi',
  duty: 'mk.duty.elena.petrovska',
};

// ─── Hand-written demo alerts ──────────────────────────────────────────────

function xkAlerts(now: Date): DemoAlert[] {
  return [
    {
      unitCode: 'XK-BP-HANI',
      createdBy: xkOfficers.hani,
      input: {
        kind: 'SEIZURE',
        title: 'Four Zastava M70 pistols concealed in the fuel tank of a VW Golf, exit lane Hani i Elezit',
        occurredAt: daysAgo(now, 21, 6, 40),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
        modusOperandi:
          'Second chamber welded inside the fuel tank, accessible through the fuel sender opening. Pistols wrapped in cling film and grease. Vehicle crossed towards North Macedonia three times in the previous month.',
        risk: { threat: 4, vulnerability: 3, impact: 4 },
        firearms: [
          { make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm Browning', serialNumber: 'M70-418273', countryOfManufacture: 'RS', yearOfManufacture: 1987, euCategory: 'B' },
          { make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm Browning', serialNumber: 'M70-418291', countryOfManufacture: 'RS', yearOfManufacture: 1987, euCategory: 'B' },
          { make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm Browning', serialNumber: 'M70-420015', countryOfManufacture: 'RS', yearOfManufacture: 1988, euCategory: 'B' },
          { make: 'Zastava', model: 'M70A', type: 'PISTOL', calibre: '9×19 mm', serialNumber: 'M70A-103377', countryOfManufacture: 'RS', yearOfManufacture: 1991, euCategory: 'B' },
        ],
        ammunition: [
          { calibre: '7.65×17 mm Browning', quantity: 200 },
          { calibre: '9×19 mm', quantity: 50 },
        ],
        subjects: [
          {
            role: 'DRIVER',
            familyName: 'Rexhepi',
            givenName: 'Besart',
            dateOfBirth: day('1989-06-21'),
            nationality: 'XK',
            documents: [
              { kind: 'IDENTITY_CARD', number: '1234987650', issuingCountry: 'XK', expiresOn: expiresIn(now, 3, 5, 14) },
              { kind: 'DRIVING_LICENCE', number: 'DL 0473821', issuingCountry: 'XK', expiresOn: expiresIn(now, 6, 2, 1) },
            ],
          },
        ],
        vehicles: [
          { role: 'CONCEALMENT', plate: '01-482-KP', plateCountry: 'XK', make: 'Volkswagen', model: 'Golf VI', colour: 'silver', vin: 'WVWZZZ1KZ9W386214' },
        ],
      },
    },
    {
      unitCode: 'XK-BP-GLLOBOCICE',
      createdBy: xkOfficers.gllobocice,
      input: {
        kind: 'SEIZURE',
        title: 'Two Zastava M70AB2 rifles, disassembled, in the spare wheel of an Audi A4 entering at Glloboçicë',
        occurredAt: daysAgo(now, 47, 22, 15),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'GLLOBOCICE_JAZHINCE' },
        modusOperandi:
          'Receivers, barrels and bolts packed inside the spare tyre, re-inflated and balanced with lead weights. Driver declared a family visit in Prizren.',
        risk: { threat: 5, vulnerability: 3, impact: 4 },
        firearms: [
          { make: 'Zastava', model: 'M70AB2', type: 'ASSAULT_RIFLE', calibre: '7.62×39 mm', serialNumber: '771903', countryOfManufacture: 'RS', yearOfManufacture: 1984, euCategory: 'A' },
          { make: 'Zastava', model: 'M70AB2', type: 'ASSAULT_RIFLE', calibre: '7.62×39 mm', serialNumber: '771988', countryOfManufacture: 'RS', yearOfManufacture: 1984, euCategory: 'A' },
        ],
        ammunition: [{ calibre: '7.62×39 mm', quantity: 360 }],
        components: [{ kind: 'BOLT', quantity: 1, serialNumber: '77-2041' }],
        subjects: [
          {
            role: 'DRIVER',
            familyName: 'Memeti',
            givenName: 'Agron',
            dateOfBirth: day('1979-11-02'),
            nationality: 'MK',
            documents: [{ kind: 'PASSPORT', number: 'M2384716', issuingCountry: 'MK', expiresOn: expiresIn(now, 4, 9, 30) }],
          },
        ],
        vehicles: [
          { role: 'CONCEALMENT', plate: 'TE 3307 AB', plateCountry: 'MK', make: 'Audi', model: 'A4 Avant', colour: 'dark grey', vin: 'WAUZZZ8K3BA112873' },
        ],
      },
    },
    {
      unitCode: 'XK-CUSTOMS',
      createdBy: xkOfficers.customs,
      input: {
        kind: 'SEIZURE',
        title: 'Converted Ekol and Zoraki gas-alarm pistols in coach luggage at Stançiq',
        occurredAt: daysAgo(now, 12, 4, 5),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'STANCIQ_BELANOVCE' },
        modusOperandi:
          'Five blank-firing pistols bored out to fire live ammunition, hidden in a suitcase lining on an international coach from Kumanovo. Owner of the suitcase identified from the luggage tag.',
        risk: { threat: 3, vulnerability: 4, impact: 3 },
        firearms: [
          { make: 'Ekol', model: 'Firat Compact', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '21C04512', countryOfManufacture: 'TR', yearOfManufacture: 2021, euCategory: 'B', convertedGasAlarm: true },
          { make: 'Ekol', model: 'Firat Compact', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '21C04519', countryOfManufacture: 'TR', yearOfManufacture: 2021, euCategory: 'B', convertedGasAlarm: true },
          { make: 'Ekol', model: 'Jackal Dual Compact', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '20J11873', countryOfManufacture: 'TR', yearOfManufacture: 2020, euCategory: 'B', convertedGasAlarm: true },
          { make: 'Zoraki', model: '917', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: 'Z917-0045821', countryOfManufacture: 'TR', euCategory: 'B', convertedGasAlarm: true },
          { make: 'Zoraki', model: '917', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: 'Z917-0045836', countryOfManufacture: 'TR', euCategory: 'B', convertedGasAlarm: true },
        ],
        ammunition: [{ calibre: '9×17 mm (.380 ACP)', quantity: 150 }],
        subjects: [
          {
            role: 'PASSENGER',
            familyName: 'Sadiku',
            givenName: 'Ilir',
            dateOfBirth: day('1996-01-17'),
            nationality: 'XK',
            documents: [{ kind: 'PASSPORT', number: 'P01927364', issuingCountry: 'XK', expiresOn: expiresIn(now, 7, 1, 22) }],
          },
        ],
        vehicles: [{ role: 'TRANSPORT', plate: '05-611-FA', plateCountry: 'XK', make: 'Setra', model: 'S 515 HD', colour: 'white', vin: 'WKK63211313100284' }],
      },
    },
    {
      unitCode: 'XK-CRIM-FIREARMS',
      createdBy: xkOfficers.crim,
      input: {
        kind: 'LOOKOUT_PERSON',
        title: 'Suspected courier for AK-pattern rifles between Ferizaj and Tetovo',
        occurredAt: daysAgo(now, 30, 11, 0),
        location: { kind: 'MUNICIPALITY', municipality: 'Ferizaj' },
        modusOperandi:
          'Crosses at Glloboçicë or Hani i Elezit on weekdays between 05:00 and 07:00, usually alone, in rented cars. Associate of the driver in the Glloboçicë rifle seizure. Discreet check requested; inform the duty desk of any crossing.',
        risk: { threat: 4, vulnerability: 3, impact: 3 },
        subjects: [
          {
            role: 'SUSPECT',
            familyName: 'Kastrati',
            givenName: 'Valmir',
            dateOfBirth: day('1992-04-09'),
            nationality: 'XK',
            documents: [
              { kind: 'PASSPORT', number: 'P02214587', issuingCountry: 'XK', expiresOn: expiresIn(now, 5, 8, 3) },
              { kind: 'IDENTITY_CARD', number: '1219384756', issuingCountry: 'XK' },
            ],
          },
          {
            role: 'SUSPECT',
            familyName: 'Rexhepi',
            givenName: 'Besart',
            dateOfBirth: day('1989-06-21'),
            nationality: 'XK',
            documents: [{ kind: 'IDENTITY_CARD', number: '1234987650', issuingCountry: 'XK', expiresOn: expiresIn(now, 3, 5, 14) }],
          },
        ],
      },
    },
    {
      unitCode: 'XK-DUTY',
      createdBy: xkOfficers.duty,
      input: {
        kind: 'LOOKOUT_VEHICLE',
        title: 'Black Audi A6 with North Macedonian plates suspected of moving ammunition',
        occurredAt: daysAgo(now, 9, 14, 30),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
        modusOperandi:
          'Informant reports ammunition carried in the spare wheel well under a false floor. The car enters Kosovo empty and returns loaded the same day. Full search at the secondary line if encountered.',
        risk: { threat: 3, vulnerability: 3, impact: 3 },
        vehicles: [
          { role: 'SUSPECT_VEHICLE', plate: 'SK 4821 AC', plateCountry: 'MK', make: 'Audi', model: 'A6', colour: 'black', vin: 'WAUZZZ4G6CN071453' },
        ],
      },
    },
    {
      unitCode: 'XK-BP-GREEN',
      createdBy: xkOfficers.green,
      input: {
        kind: 'LOOKOUT_ROUTE',
        title: 'Footpath Debelldeh – Tanushevci used at night to carry rifles across the green border',
        occurredAt: daysAgo(now, 63, 2, 20),
        location: { kind: 'GREEN_BORDER', latitude: 42.2031, longitude: 21.4458, municipality: 'Viti' },
        modusOperandi:
          'Thermal camera recorded three persons on foot with long packages moving south at 02:20. Tracks lead to a forest road passable by 4×4 vehicles on the Kosovo side. Joint patrol proposed.',
        risk: { threat: 4, vulnerability: 4, impact: 3 },
      },
    },
    {
      unitCode: 'XK-CRIM-FIREARMS',
      createdBy: xkOfficers.crim,
      input: {
        kind: 'STOLEN_FIREARM',
        title: 'Glock 17 stolen from a licensed holder in a house burglary in Prizren',
        occurredAt: daysAgo(now, 88, 19, 45),
        location: { kind: 'MUNICIPALITY', municipality: 'Prizren' },
        modusOperandi: 'Safe forced open with an angle grinder while the family was away; jewellery and the pistol taken.',
        risk: { threat: 3, vulnerability: 2, impact: 3 },
        firearms: [
          { make: 'Glock', model: '17 Gen4', type: 'PISTOL', calibre: '9×19 mm', serialNumber: 'BKRS417', countryOfManufacture: 'AT', countryOfLastImport: 'AT', yearOfManufacture: 2018, euCategory: 'B' },
        ],
        ammunition: [{ calibre: '9×19 mm', quantity: 34 }],
        subjects: [
          {
            role: 'VICTIM',
            familyName: 'Bytyqi',
            givenName: 'Arianit',
            dateOfBirth: day('1974-08-30'),
            nationality: 'XK',
            documents: [{ kind: 'FIREARM_LICENCE', number: 'AL-PZ-2019-01734', issuingCountry: 'XK', expiresOn: expiresIn(now, 1, 11, 30) }],
          },
        ],
      },
    },
    {
      unitCode: 'XK-FFP',
      createdBy: xkOfficers.ffp,
      input: {
        kind: 'LOST_FIREARM',
        title: 'Private security company reports a lost CZ P-07 service pistol',
        occurredAt: daysAgo(now, 104, 8, 0),
        location: { kind: 'MUNICIPALITY', municipality: 'Gjilan' },
        modusOperandi: 'Discovered missing at the monthly armoury inventory; last issued for a cash-in-transit shift.',
        risk: { threat: 1, vulnerability: 2, impact: 3 },
        firearms: [
          { make: 'Česká zbrojovka', model: 'P-07', type: 'PISTOL', calibre: '9×19 mm', serialNumber: 'G042873', countryOfManufacture: 'CZ', countryOfLastImport: 'CZ', yearOfManufacture: 2016, euCategory: 'B' },
        ],
      },
    },
    {
      unitCode: 'XK-FFP',
      createdBy: xkOfficers.ffp,
      input: {
        kind: 'TRACE_REQUEST',
        title: 'Trace of a Zastava CZ 99 with an obliterated serial, restored by the Kosovo Agency of Forensics',
        occurredAt: daysAgo(now, 38, 10, 30),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
        modusOperandi:
          'Pistol found under the rear seat of a coach during an exit check. Serial ground off the frame and slide; chemical etching recovered the frame serial. Import history in North Macedonia requested.',
        risk: { threat: 3, vulnerability: 3, impact: 3 },
        firearms: [
          { make: 'Zastava', model: 'CZ 99', type: 'PISTOL', calibre: '9×19 mm', serialNumber: '99-203118', countryOfManufacture: 'RS', yearOfManufacture: 1999, euCategory: 'B', serialObliterated: true },
        ],
      },
    },
    {
      unitCode: 'XK-FORENSIC',
      createdBy: xkOfficers.forensic,
      input: {
        kind: 'BALLISTIC_LINK',
        title: 'Cartridge cases from the Kaçanik shooting match cases from a shooting in Kumanovo',
        occurredAt: daysAgo(now, 26, 9, 0),
        location: { kind: 'MUNICIPALITY', municipality: 'Kaçanik' },
        modusOperandi:
          'IBIS comparison: firing-pin and breech-face marks on 14 fired 7.62×39 mm cases link the Kaçanik incident to cases recovered by the North Macedonian police in Kumanovo. Suspected weapon: Zastava M70-series rifle, not yet recovered.',
        risk: { threat: 4, vulnerability: 3, impact: 4 },
        firearms: [{ make: 'Zastava', model: 'M70 series (suspected)', type: 'ASSAULT_RIFLE', calibre: '7.62×39 mm', countryOfManufacture: 'RS', euCategory: 'A' }],
        ammunition: [{ calibre: '7.62×39 mm (fired cases)', quantity: 14 }],
      },
    },
    {
      unitCode: 'XK-BP-STANCIQ',
      createdBy: xkOfficers.stanciq,
      input: {
        kind: 'EXPLOSIVES',
        title: 'TNT blocks, detonators and detonating cord in a lorry of building materials at Stançiq',
        occurredAt: daysAgo(now, 55, 16, 10),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'STANCIQ_BELANOVCE' },
        modusOperandi:
          'Explosives packed between pallets of ceramic tiles; detected by the explosives detection dog. Consignment declared as tiles from Kumanovo to Gjilan.',
        risk: { threat: 5, vulnerability: 3, impact: 5 },
        explosives: [
          { type: 'MILITARY_HIGH_EXPLOSIVE', description: 'TNT, 200 g blocks, Yugoslav military marking', quantity: 2.4, unit: 'KILOGRAM' },
          { type: 'DETONATOR', description: 'Electric detonators No. 8', quantity: 12, unit: 'PIECE' },
          { type: 'DETONATING_CORD', description: 'PETN detonating cord, 10 g/m', quantity: 15, unit: 'METRE' },
        ],
        subjects: [
          {
            role: 'DRIVER',
            familyName: 'Bytyqi',
            givenName: 'Florent',
            dateOfBirth: day('1985-02-11'),
            nationality: 'XK',
            documents: [{ kind: 'DRIVING_LICENCE', number: 'DL 1188204', issuingCountry: 'XK', expiresOn: expiresIn(now, 2, 7, 19) }],
          },
        ],
        vehicles: [{ role: 'TRANSPORT', plate: '06-219-GC', plateCountry: 'XK', make: 'MAN', model: 'TGX 18.440', colour: 'white', vin: 'WMA06XZZ7FM701234' }],
      },
    },
    {
      unitCode: 'XK-BP-GREEN',
      createdBy: xkOfficers.green,
      input: {
        kind: 'EXPLOSIVES',
        title: 'Cache of six M75 hand grenades found near the border line above Glloboçicë',
        occurredAt: daysAgo(now, 77, 13, 25),
        location: { kind: 'GREEN_BORDER', latitude: 42.124, longitude: 21.041 },
        modusOperandi:
          'Plastic crate buried under stones 300 m from the border line, next to a shepherd path. Grenades in good condition, fuses separate. Cache possibly a transit point.',
        risk: { threat: 4, vulnerability: 2, impact: 4 },
        explosives: [
          { type: 'HAND_GRENADE', description: 'M75 fragmentation hand grenades, Yugoslav production', quantity: 6, unit: 'PIECE' },
          { type: 'DETONATOR', description: 'UTIU M206 fuses', quantity: 6, unit: 'PIECE' },
        ],
      },
    },
    {
      unitCode: 'XK-CRIM-FIREARMS',
      createdBy: xkOfficers.crim,
      input: {
        kind: 'IMPROVISED_DEVICE',
        title: 'Pipe bomb with a mobile-phone initiator found under a parked car in Kaçanik',
        occurredAt: daysAgo(now, 5, 7, 50),
        location: { kind: 'MUNICIPALITY', municipality: 'Kaçanik' },
        modusOperandi:
          'Steel pipe device magnetically attached under the driver seat position; rendered safe by the EOD team. Victim runs a transport company operating on the Skopje route.',
        risk: { threat: 5, vulnerability: 4, impact: 4 },
        explosives: [
          { type: 'IMPROVISED_DEVICE', description: 'Steel pipe, end caps, mobile phone initiator', quantity: 1, unit: 'PIECE' },
          { type: 'COMMERCIAL_EXPLOSIVE', description: 'Ammonium nitrate based quarry explosive', quantity: 350, unit: 'GRAM' },
        ],
        subjects: [
          {
            role: 'VICTIM',
            familyName: 'Morina',
            givenName: 'Gentian',
            dateOfBirth: day('1981-12-05'),
            nationality: 'XK',
            documents: [{ kind: 'IDENTITY_CARD', number: '1187342951', issuingCountry: 'XK' }],
          },
        ],
      },
    },
    {
      unitCode: 'XK-BP-HANI',
      createdBy: xkOfficers.hani,
      input: {
        kind: 'SEIZURE',
        title: '3D-printed FGC-9 style frame and barrel in a parcel on the Hani i Elezit – Skopje train',
        occurredAt: daysAgo(now, 16, 9, 15),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE_RAIL' },
        modusOperandi:
          'Unaccompanied parcel labelled as printer spare parts. Printed polymer lower receiver, rifled barrel blank and bolt. No markings. Printing files suspected to be shared on messaging channels.',
        risk: { threat: 3, vulnerability: 4, impact: 4 },
        firearms: [{ make: 'Home-made', model: 'FGC-9 style carbine', type: 'OTHER', calibre: '9×19 mm', euCategory: 'A', printed3d: true }],
        components: [
          { kind: 'FRAME', quantity: 1 },
          { kind: 'BARREL', quantity: 1 },
          { kind: 'BOLT', quantity: 1 },
        ],
      },
    },
  ];
}

function mkAlerts(now: Date): DemoAlert[] {
  return [
    {
      unitCode: 'MK-BP-BLACE',
      createdBy: mkOfficers.blace,
      input: {
        kind: 'SEIZURE',
        title: '1,200 rounds of 9×19 mm ammunition under a false floor of an Audi A6 at Blace',
        occurredAt: daysAgo(now, 6, 17, 35),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
        modusOperandi:
          'Boxes of ammunition in the spare wheel well under a welded false floor. Vehicle entering North Macedonia from Kosovo; driver claimed the car was lent by a cousin.',
        risk: { threat: 3, vulnerability: 3, impact: 4 },
        ammunition: [
          { calibre: '9×19 mm', quantity: 1200 },
          { calibre: '7.62×39 mm', quantity: 120 },
        ],
        subjects: [
          {
            role: 'DRIVER',
            familyName: 'Ademi',
            givenName: 'Fatmir',
            dateOfBirth: day('1990-09-12'),
            nationality: 'MK',
            documents: [{ kind: 'IDENTITY_CARD', number: 'A0634218', issuingCountry: 'MK', expiresOn: expiresIn(now, 4, 3, 8) }],
          },
        ],
        vehicles: [
          { role: 'CONCEALMENT', plate: 'SK-4821-AC', plateCountry: 'MK', make: 'Audi', model: 'A6', colour: 'black', vin: 'WAUZZZ4G6CN071453' },
        ],
      },
    },
    {
      unitCode: 'MK-BP-JAZHINCE',
      createdBy: mkOfficers.jazhince,
      input: {
        kind: 'SEIZURE',
        title: 'Zastava M70AB2 rifle and magazines in the door panels of an Opel Astra at Jažince',
        occurredAt: daysAgo(now, 41, 5, 55),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'GLLOBOCICE_JAZHINCE' },
        modusOperandi: 'Rifle field-stripped, parts spread across both rear door panels; magazines taped under the dashboard.',
        risk: { threat: 4, vulnerability: 3, impact: 4 },
        firearms: [
          { make: 'Zastava', model: 'M70AB2', type: 'ASSAULT_RIFLE', calibre: '7.62×39 mm', serialNumber: '684120', countryOfManufacture: 'RS', yearOfManufacture: 1982, euCategory: 'A' },
        ],
        ammunition: [{ calibre: '7.62×39 mm', quantity: 90 }],
        subjects: [
          {
            role: 'DRIVER',
            familyName: 'Iseni',
            givenName: 'Arben',
            dateOfBirth: day('1983-03-27'),
            nationality: 'MK',
            documents: [{ kind: 'PASSPORT', number: 'M1937205', issuingCountry: 'MK', expiresOn: expiresIn(now, 2, 10, 12) }],
          },
        ],
        vehicles: [
          { role: 'CONCEALMENT', plate: 'TE 5521 AF', plateCountry: 'MK', make: 'Opel', model: 'Astra J', colour: 'blue', vin: 'W0LPD6EC1BG012345' },
        ],
      },
    },
    {
      unitCode: 'MK-CUSTOMS',
      createdBy: mkOfficers.customs,
      input: {
        kind: 'SEIZURE',
        title: 'Six converted Zoraki pistols in a courier van at Belanovce',
        occurredAt: daysAgo(now, 33, 12, 40),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'STANCIQ_BELANOVCE' },
        modusOperandi: 'Parcels declared as car parts; X-ray showed pistol shapes. Barrels drilled and replaced to fire live 9 mm short ammunition.',
        risk: { threat: 3, vulnerability: 3, impact: 3 },
        firearms: [
          { make: 'Zoraki', model: '914', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '914-22-001873', countryOfManufacture: 'TR', euCategory: 'B', convertedGasAlarm: true },
          { make: 'Zoraki', model: '914', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '914-22-001877', countryOfManufacture: 'TR', euCategory: 'B', convertedGasAlarm: true },
          { make: 'Zoraki', model: '914', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '914-22-001902', countryOfManufacture: 'TR', euCategory: 'B', convertedGasAlarm: true },
          { make: 'Zoraki', model: '2914', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '2914-21-004417', countryOfManufacture: 'TR', euCategory: 'B', convertedGasAlarm: true },
          { make: 'Ekol', model: 'Firat Magnum', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '22F00731', countryOfManufacture: 'TR', euCategory: 'B', convertedGasAlarm: true },
          { make: 'Ekol', model: 'Firat Magnum', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', serialNumber: '22F00738', countryOfManufacture: 'TR', euCategory: 'B', convertedGasAlarm: true },
        ],
        vehicles: [
          { role: 'TRANSPORT', plate: 'KU 2290 AE', plateCountry: 'MK', make: 'Mercedes-Benz', model: 'Sprinter', colour: 'white', vin: 'WDB9066331S512874' },
        ],
      },
    },
    {
      unitCode: 'MK-CRIM-FIREARMS',
      createdBy: mkOfficers.crim,
      input: {
        kind: 'LOOKOUT_PERSON',
        title: 'Two persons suspected of organising rifle deliveries from Kosovo to Tetovo',
        occurredAt: daysAgo(now, 19, 15, 0),
        location: { kind: 'MUNICIPALITY', municipality: 'Tetovo' },
        modusOperandi:
          'Intercepted communications mention deliveries through Jažince and Blace. Report any crossing to the duty desk immediately; do not alert the subjects.',
        risk: { threat: 4, vulnerability: 3, impact: 4 },
        subjects: [
          {
            role: 'SUSPECT',
            familyName: 'Rexhepi',
            givenName: 'Besart',
            dateOfBirth: day('1989-06-21'),
            nationality: 'XK',
            documents: [{ kind: 'IDENTITY_CARD', number: '1234 987 650', issuingCountry: 'XK' }],
          },
          {
            role: 'SUSPECT',
            familyName: 'Nikolovski',
            givenName: 'Dragan',
            dateOfBirth: day('1977-10-19'),
            nationality: 'MK',
            documents: [{ kind: 'PASSPORT', number: 'M0821946', issuingCountry: 'MK', expiresOn: expiresIn(now, 1, 6, 4) }],
          },
        ],
      },
    },
    {
      unitCode: 'MK-BP-BLACE',
      createdBy: mkOfficers.blace,
      input: {
        kind: 'LOOKOUT_VEHICLE',
        title: 'Kosovo-registered VW Golf with a suspected modified fuel tank',
        occurredAt: daysAgo(now, 52, 8, 20),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
        modusOperandi:
          'Fuel gauge reading inconsistent with refuelling receipts at two entries; fuel tank appears refitted. Thorough check with endoscope recommended.',
        risk: { threat: 3, vulnerability: 3, impact: 2 },
        vehicles: [
          { role: 'SUSPECT_VEHICLE', plate: '01 482 KP', plateCountry: 'XK', make: 'Volkswagen', model: 'Golf', colour: 'silver', vin: 'WVWZZZ1KZ9W386214' },
        ],
      },
    },
    {
      unitCode: 'MK-BP-GREEN',
      createdBy: mkOfficers.green,
      input: {
        kind: 'LOOKOUT_ROUTE',
        title: 'Pack-horse route from Tanushevci towards Debelde used to move long weapons',
        occurredAt: daysAgo(now, 70, 1, 40),
        location: { kind: 'GREEN_BORDER', latitude: 42.2189, longitude: 21.4367, municipality: 'Kumanovo' },
        modusOperandi: 'Horse tracks and discarded rifle packaging on a forest path crossing the border line; used at night in dry weather.',
        risk: { threat: 4, vulnerability: 4, impact: 3 },
      },
    },
    {
      unitCode: 'MK-CRIM-FIREARMS',
      createdBy: mkOfficers.crim,
      input: {
        kind: 'STOLEN_FIREARM',
        title: 'Zastava M70 pistol stolen from a licensed holder in Kumanovo',
        occurredAt: daysAgo(now, 97, 21, 10),
        location: { kind: 'MUNICIPALITY', municipality: 'Kumanovo' },
        modusOperandi: 'Pistol taken from a parked car; window broken. Holder reported the theft the next morning.',
        risk: { threat: 2, vulnerability: 3, impact: 3 },
        firearms: [
          { make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm Browning', serialNumber: 'm70 418273', countryOfManufacture: 'RS', yearOfManufacture: 1987, euCategory: 'B' },
        ],
        subjects: [
          {
            role: 'OWNER',
            familyName: 'Trajkovski',
            givenName: 'Zoran',
            dateOfBirth: day('1968-05-03'),
            nationality: 'MK',
            documents: [{ kind: 'FIREARM_LICENCE', number: 'OD-KU-0021873', issuingCountry: 'MK', expiresOn: expiresIn(now, 3, 12, 31) }],
          },
        ],
      },
    },
    {
      unitCode: 'MK-FFP',
      createdBy: mkOfficers.ffp,
      input: {
        kind: 'LOST_FIREARM',
        title: 'Hunting shotgun reported lost by a licensed hunter near Skopje',
        occurredAt: daysAgo(now, 115, 18, 0),
        location: { kind: 'MUNICIPALITY', municipality: 'Skopje' },
        modusOperandi: 'Left in a hunting hut on Skopska Crna Gora; not found on return.',
        risk: { threat: 1, vulnerability: 2, impact: 2 },
        firearms: [
          { make: 'Baikal', model: 'IZH-27', type: 'SHOTGUN', calibre: '12/70', serialNumber: '9412873', countryOfManufacture: 'RU', yearOfManufacture: 1994, euCategory: 'C' },
        ],
      },
    },
    {
      unitCode: 'MK-FFP',
      createdBy: mkOfficers.ffp,
      input: {
        kind: 'TRACE_REQUEST',
        title: 'Glock 19 seized in Kumanovo carries a Kosovo import marking',
        occurredAt: daysAgo(now, 28, 10, 0),
        location: { kind: 'MUNICIPALITY', municipality: 'Kumanovo' },
        modusOperandi: 'Seized in a search of a garage; import marking indicates a Kosovo dealer. Sale history requested from the Kosovo Firearms Focal Point.',
        risk: { threat: 3, vulnerability: 2, impact: 3 },
        firearms: [
          { make: 'Glock', model: '19 Gen5', type: 'PISTOL', calibre: '9×19 mm', serialNumber: 'BHVU219', countryOfManufacture: 'AT', countryOfLastImport: 'XK', yearOfManufacture: 2020, euCategory: 'B' },
        ],
      },
    },
    {
      unitCode: 'MK-FORENSIC',
      createdBy: mkOfficers.forensic,
      input: {
        kind: 'BALLISTIC_LINK',
        title: '7.62×39 mm cases from the Kumanovo shooting linked to the Kaçanik incident in Kosovo',
        occurredAt: daysAgo(now, 24, 13, 30),
        location: { kind: 'MUNICIPALITY', municipality: 'Kumanovo' },
        modusOperandi: 'Breech-face marks on 9 fired cases correlate with the cases exchanged by the Kosovo Agency of Forensics. Weapon not recovered.',
        risk: { threat: 4, vulnerability: 3, impact: 4 },
        ammunition: [{ calibre: '7.62×39 mm (fired cases)', quantity: 9 }],
      },
    },
    {
      unitCode: 'MK-CRIM-FIREARMS',
      createdBy: mkOfficers.crim,
      input: {
        kind: 'EXPLOSIVES',
        title: 'Plastic explosive and detonators in a car abandoned near Blace',
        occurredAt: daysAgo(now, 59, 6, 15),
        location: { kind: 'MUNICIPALITY', municipality: 'Čučer-Sandevo' },
        modusOperandi: 'Car with false plates left on a field road 2 km from the border crossing; explosives in a sports bag in the boot.',
        risk: { threat: 5, vulnerability: 3, impact: 5 },
        explosives: [
          { type: 'PLASTIC_EXPLOSIVE', description: 'PEP-500 plastic explosive', quantity: 1.2, unit: 'KILOGRAM' },
          { type: 'DETONATOR', description: 'Electric detonators', quantity: 8, unit: 'PIECE' },
        ],
        vehicles: [{ role: 'STOLEN', plate: 'SK 7713 BD', plateCountry: 'MK', make: 'Škoda', model: 'Octavia', colour: 'white', vin: 'TMBJJ7NE5H0123456' }],
      },
    },
    {
      unitCode: 'MK-BP-GREEN',
      createdBy: mkOfficers.green,
      input: {
        kind: 'EXPLOSIVES',
        title: 'M75 hand grenades and TNT in a cache on the slopes above Jažince',
        occurredAt: daysAgo(now, 84, 11, 45),
        location: { kind: 'GREEN_BORDER', latitude: 42.1105, longitude: 21.012 },
        modusOperandi: 'Cache found by a patrol in an abandoned sheepfold close to the border line.',
        risk: { threat: 4, vulnerability: 2, impact: 4 },
        explosives: [
          { type: 'HAND_GRENADE', description: 'M75 fragmentation hand grenades', quantity: 4, unit: 'PIECE' },
          { type: 'MILITARY_HIGH_EXPLOSIVE', description: 'TNT, 400 g blocks', quantity: 1.6, unit: 'KILOGRAM' },
          { type: 'BLACK_POWDER', description: 'Loose black powder in a tin', quantity: 500, unit: 'GRAM' },
        ],
      },
    },
    {
      unitCode: 'MK-CRIM-FIREARMS',
      createdBy: mkOfficers.crim,
      input: {
        kind: 'IMPROVISED_DEVICE',
        title: 'Improvised device built around a hand grenade found at a café in Gostivar',
        occurredAt: daysAgo(now, 11, 23, 30),
        location: { kind: 'MUNICIPALITY', municipality: 'Gostivar' },
        modusOperandi: 'Grenade with a kitchen-timer initiation circuit placed at the back door; rendered safe by the EOD team.',
        risk: { threat: 5, vulnerability: 4, impact: 4 },
        explosives: [
          { type: 'IMPROVISED_DEVICE', description: 'Hand grenade with timer circuit', quantity: 1, unit: 'PIECE' },
          { type: 'HAND_GRENADE', description: 'M75 fragmentation hand grenade', quantity: 1, unit: 'PIECE' },
        ],
        subjects: [
          {
            role: 'VICTIM',
            familyName: 'Xhaferi',
            givenName: 'Liridon',
            dateOfBirth: day('1986-07-14'),
            nationality: 'MK',
            documents: [{ kind: 'IDENTITY_CARD', number: 'A1120457', issuingCountry: 'MK' }],
          },
        ],
      },
    },
    {
      unitCode: 'MK-BP-BLACE',
      createdBy: mkOfficers.blace,
      input: {
        kind: 'SEIZURE',
        title: 'CZ 99 with an obliterated serial, a Smith & Wesson pistol and a reactivated M56 in a car battery and boot at Blace',
        occurredAt: daysAgo(now, 2, 10, 5),
        location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
        modusOperandi:
          'Two pistols inside a hollowed-out car battery; submachine gun, once deactivated, with the barrel plug drilled out, under the boot lining. Vehicle entering from Kosovo.',
        risk: { threat: 4, vulnerability: 4, impact: 4 },
        firearms: [
          { make: 'Zastava', model: 'CZ 99', type: 'PISTOL', calibre: '9×19 mm', countryOfManufacture: 'RS', euCategory: 'B', serialObliterated: true },
          { make: 'Smith & Wesson', model: 'M&P9 Shield', type: 'PISTOL', calibre: '9×19 mm', serialNumber: 'JFK4821', countryOfManufacture: 'US', yearOfManufacture: 2017, euCategory: 'B' },
          { make: 'Zastava', model: 'M56', type: 'SUBMACHINE_GUN', calibre: '7.62×25 mm Tokarev', serialNumber: '56-11873', countryOfManufacture: 'RS', yearOfManufacture: 1962, euCategory: 'A', reactivated: true },
        ],
        ammunition: [
          { calibre: '9×19 mm', quantity: 80 },
          { calibre: '7.62×25 mm Tokarev', quantity: 64 },
        ],
        subjects: [
          {
            role: 'DRIVER',
            familyName: 'Shabani',
            givenName: 'Egzon',
            dateOfBirth: day('1998-12-01'),
            nationality: 'XK',
            documents: [{ kind: 'PASSPORT', number: 'P03318842', issuingCountry: 'XK', expiresOn: expiresIn(now, 8, 4, 25) }],
          },
          {
            role: 'PASSENGER',
            familyName: 'Petrovski',
            givenName: 'Stefan',
            dateOfBirth: day('1995-03-09'),
            nationality: 'MK',
            documents: [{ kind: 'IDENTITY_CARD', number: 'A0987312', issuingCountry: 'MK' }],
          },
        ],
        vehicles: [
          { role: 'CONCEALMENT', plate: '02-317-MB', plateCountry: 'XK', make: 'BMW', model: '320d', colour: 'white', vin: 'WBA8E11050K123789' },
        ],
      },
    },
  ];
}

/**
 * The hand-written demo alerts of an agency, with every `occurredAt` in the
 * 120 days before `now`.
 */
export function demoAlerts(agency: DemoAgency, now: Date): DemoAlert[] {
  return agency === 'XK' ? xkAlerts(now) : mkAlerts(now);
}

/** A few trace requests on the agency's demo firearms, some already worked by the partner. */
export function demoTraceRequests(agency: DemoAgency): DemoTraceRequest[] {
  if (agency === 'XK') {
    return [
      {
        firearmSerial: 'M70-418273',
        addressedTo: 'MK',
        question:
          'Zastava M70 pistol seized at Hani i Elezit in a fuel tank concealment. Please confirm whether it is registered or reported stolen in North Macedonia and give its last known holder.',
        advanceTo: [
          { status: 'ACKNOWLEDGED', note: 'Received by the MK Firearms Focal Point.', actorAgency: 'MK' },
          {
            status: 'ANSWERED',
            answer:
              'The pistol is registered to a licensed holder in Kumanovo and was reported stolen from his car; see our STOLEN_FIREARM alert on the same serial. The holder is not a suspect.',
            actorAgency: 'MK',
          },
        ],
      },
      {
        firearmSerial: '99-203118',
        addressedTo: 'MK',
        question: 'Restored frame serial of a Zastava CZ 99. Please give the import and sale history of this pistol in North Macedonia.',
      },
    ];
  }
  return [
    {
      firearmSerial: 'BHVU219',
      addressedTo: 'XK',
      question: 'Glock 19 Gen5 with a Kosovo import marking seized in Kumanovo. Please give the importing dealer and the first buyer.',
      advanceTo: [
        { status: 'ACKNOWLEDGED', actorAgency: 'XK' },
        { status: 'IN_PROGRESS', note: 'Dealer records requested from the licensing authority.', actorAgency: 'XK' },
      ],
    },
  ];
}

// ─── Synthetic volume ──────────────────────────────────────────────────────

/** mulberry32: a tiny deterministic PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FirearmModel {
  make: string;
  model: string;
  type: FirearmType;
  calibre: string;
  country: string;
  category: EuFirearmCategory;
  converted?: boolean;
  printed?: boolean;
}

const firearmCatalogue: readonly FirearmModel[] = [
  { make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65 mm Browning', country: 'RS', category: 'B' },
  { make: 'Zastava', model: 'M57', type: 'PISTOL', calibre: '7.62×25 mm Tokarev', country: 'RS', category: 'B' },
  { make: 'Zastava', model: 'CZ 99', type: 'PISTOL', calibre: '9×19 mm', country: 'RS', category: 'B' },
  { make: 'Zastava', model: 'M70AB2', type: 'ASSAULT_RIFLE', calibre: '7.62×39 mm', country: 'RS', category: 'A' },
  { make: 'Zastava', model: 'M92', type: 'ASSAULT_RIFLE', calibre: '7.62×39 mm', country: 'RS', category: 'A' },
  { make: 'Zastava', model: 'M84', type: 'MACHINE_GUN', calibre: '7.62×54 mmR', country: 'RS', category: 'A' },
  { make: 'Zastava', model: 'M76', type: 'SNIPER_RIFLE', calibre: '7.92×57 mm', country: 'RS', category: 'A' },
  { make: 'Glock', model: '17 Gen4', type: 'PISTOL', calibre: '9×19 mm', country: 'AT', category: 'B' },
  { make: 'Glock', model: '19 Gen5', type: 'PISTOL', calibre: '9×19 mm', country: 'AT', category: 'B' },
  { make: 'Česká zbrojovka', model: 'CZ 75 B', type: 'PISTOL', calibre: '9×19 mm', country: 'CZ', category: 'B' },
  { make: 'Česká zbrojovka', model: 'Scorpion EVO 3', type: 'SUBMACHINE_GUN', calibre: '9×19 mm', country: 'CZ', category: 'A' },
  { make: 'Smith & Wesson', model: 'M&P9 Shield', type: 'PISTOL', calibre: '9×19 mm', country: 'US', category: 'B' },
  { make: 'Smith & Wesson', model: 'Model 686', type: 'REVOLVER', calibre: '.357 Magnum', country: 'US', category: 'B' },
  { make: 'Ekol', model: 'Firat Compact', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', country: 'TR', category: 'B', converted: true },
  { make: 'Zoraki', model: '917', type: 'PISTOL', calibre: '9 mm P.A.K. (converted)', country: 'TR', category: 'B', converted: true },
  { make: 'Baikal', model: 'IZH-27', type: 'SHOTGUN', calibre: '12/70', country: 'RU', category: 'C' },
  { make: 'Beretta', model: 'A300 Outlander', type: 'SHOTGUN', calibre: '12/76', country: 'IT', category: 'C' },
  { make: 'Home-made', model: 'FGC-9 style carbine', type: 'OTHER', calibre: '9×19 mm', country: 'XK', category: 'A', printed: true },
];

const ammunitionCalibres = ['9×19 mm', '7.62×39 mm', '7.65×17 mm Browning', '7.62×25 mm Tokarev', '5.56×45 mm', '12/70 shotshells'] as const;

interface ExplosiveModel {
  type: ExplosiveType;
  description: string;
  unit: QuantityUnit;
  min: number;
  max: number;
}

const explosiveCatalogue: readonly ExplosiveModel[] = [
  { type: 'MILITARY_HIGH_EXPLOSIVE', description: 'TNT blocks, 200 g', unit: 'KILOGRAM', min: 0.2, max: 10 },
  { type: 'PLASTIC_EXPLOSIVE', description: 'PEP-500 plastic explosive', unit: 'KILOGRAM', min: 0.1, max: 5 },
  { type: 'COMMERCIAL_EXPLOSIVE', description: 'Ammonium nitrate quarry explosive', unit: 'KILOGRAM', min: 0.5, max: 25 },
  { type: 'BLACK_POWDER', description: 'Loose black powder', unit: 'GRAM', min: 100, max: 2000 },
  { type: 'DETONATOR', description: 'Electric detonators No. 8', unit: 'PIECE', min: 1, max: 50 },
  { type: 'DETONATING_CORD', description: 'PETN detonating cord', unit: 'METRE', min: 1, max: 100 },
  { type: 'HAND_GRENADE', description: 'M75 fragmentation hand grenades', unit: 'PIECE', min: 1, max: 20 },
];

interface SyntheticAgencyProfile {
  bcpUnits: Record<BorderCrossingPoint, string>;
  greenUnit: string;
  inlandUnits: readonly string[];
  customsUnit: string;
  officers: readonly string[];
  municipalities: readonly string[];
  familyNames: readonly string[];
  givenNames: readonly string[];
}

const syntheticProfiles: Record<DemoAgency, SyntheticAgencyProfile> = {
  XK: {
    bcpUnits: {
      HANI_I_ELEZIT_BLACE: 'XK-BP-HANI',
      HANI_I_ELEZIT_BLACE_RAIL: 'XK-BP-HANI',
      GLLOBOCICE_JAZHINCE: 'XK-BP-GLLOBOCICE',
      STANCIQ_BELANOVCE: 'XK-BP-STANCIQ',
    },
    greenUnit: 'XK-BP-GREEN',
    inlandUnits: ['XK-CRIM-FIREARMS', 'XK-FFP', 'XK-FORENSIC', 'XK-DUTY'],
    customsUnit: 'XK-CUSTOMS',
    officers: Object.values(xkOfficers),
    municipalities: ['Prishtinë', 'Ferizaj', 'Kaçanik', 'Hani i Elezit', 'Viti', 'Gjilan', 'Kamenicë', 'Dragash', 'Prizren', 'Shtime'],
    familyNames: ['Berisha', 'Krasniqi', 'Gashi', 'Hoxha', 'Shala', 'Morina', 'Bytyqi', 'Kastrati', 'Rexhepi', 'Sadiku', 'Ahmeti', 'Zeqiri', 'Hajdari', 'Mustafa'],
    givenNames: ['Arben', 'Besnik', 'Driton', 'Fatos', 'Gëzim', 'Ilir', 'Labinot', 'Mentor', 'Valon', 'Visar', 'Blerta', 'Donika', 'Vlora', 'Erblina'],
  },
  MK: {
    bcpUnits: {
      HANI_I_ELEZIT_BLACE: 'MK-BP-BLACE',
      HANI_I_ELEZIT_BLACE_RAIL: 'MK-BP-BLACE',
      GLLOBOCICE_JAZHINCE: 'MK-BP-JAZHINCE',
      STANCIQ_BELANOVCE: 'MK-BP-BELANOVCE',
    },
    greenUnit: 'MK-BP-GREEN',
    inlandUnits: ['MK-CRIM-FIREARMS', 'MK-FFP', 'MK-FORENSIC', 'MK-DUTY'],
    customsUnit: 'MK-CUSTOMS',
    officers: Object.values(mkOfficers),
    municipalities: ['Skopje', 'Kumanovo', 'Tetovo', 'Gostivar', 'Čučer-Sandevo', 'Lipkovo', 'Jegunovce', 'Gjorče Petrov', 'Saraj', 'Staro Nagoričane'],
    familyNames: ['Stojanovski', 'Petrovski', 'Nikolovski', 'Trajkovski', 'Dimitrovski', 'Ristovski', 'Jovanovski', 'Angelovski', 'Georgievski', 'Xhaferi', 'Ademi', 'Memeti', 'Iseni', 'Bajrami'],
    givenNames: ['Aleksandar', 'Dragan', 'Goran', 'Igor', 'Marko', 'Nikola', 'Stefan', 'Zoran', 'Ardian', 'Bujar', 'Ana', 'Marija', 'Elena', 'Arta'],
  },
};

const kosovoPlateLetters = 'ABCDEFGHJKLMNPRSTUVXZ';
const macedonianPlateRegions = ['SK', 'KU', 'TE', 'GV', 'KP', 'VE', 'BT'] as const;
const serialAlphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const vinAlphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const worldManufacturerIds = ['WVW', 'WAU', 'WDB', 'WBA', 'VF3', 'TMB', 'W0L', 'ZFA', 'VSS', 'WF0'] as const;
const vehicleModels = [
  ['Volkswagen', 'Golf'],
  ['Volkswagen', 'Passat'],
  ['Audi', 'A4'],
  ['Audi', 'A6'],
  ['Mercedes-Benz', 'C 220'],
  ['Mercedes-Benz', 'Sprinter'],
  ['BMW', '320d'],
  ['Škoda', 'Octavia'],
  ['Opel', 'Astra'],
  ['Renault', 'Clio'],
] as const;
const colours = ['black', 'white', 'silver', 'dark grey', 'blue', 'red'] as const;
const concealments = [
  'fuel tank',
  'spare wheel',
  'door panels',
  'false floor of the boot',
  'dashboard cavity',
  'car battery casing',
  'coach luggage',
  'parcel declared as car parts',
] as const;

function hashAgency(agency: string): number {
  let hash = 2166136261;
  for (const ch of agency) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  return hash >>> 0;
}

/**
 * `count` generated alerts for volume tests and benchmarks: deterministic for
 * a given (agency, count, seed, now), varied across kinds, locations, items,
 * subjects and vehicles. Every input passes `createAlertInput`.
 */
export function syntheticAlerts(agency: DemoAgency, count: number, seed: number, now: Date): DemoAlert[] {
  const random = mulberry32((seed ^ hashAgency(agency)) >>> 0);
  const profile = syntheticProfiles[agency];
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const chance = (p: number) => random() < p;
  const chars = (alphabet: string, length: number) => {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(random() * alphabet.length)];
    return out;
  };
  const digits = (length: number) => chars('0123456789', length);

  const alertKinds = Object.values(AlertKind);
  const crossings = Object.values(BorderCrossingPoint);

  const plate = (country: 'XK' | 'MK') =>
    country === 'XK'
      ? `0${int(1, 7)}-${digits(3)}-${chars(kosovoPlateLetters, 2)}`
      : `${pick(macedonianPlateRegions)} ${digits(4)} ${chars(kosovoPlateLetters, 2)}`;

  const serial = () => {
    const length = int(8, 10);
    // Some serials carry a separator, as stamped on Yugoslav and Turkish pistols.
    const raw = chars(serialAlphabet, length);
    return chance(0.3) ? `${raw.slice(0, 3)}-${raw.slice(3)}` : raw;
  };

  const firearm = () => {
    const model = pick(firearmCatalogue);
    const obliterated = !model.printed && chance(0.08);
    return {
      make: model.make,
      model: model.model,
      type: model.type,
      calibre: model.calibre,
      serialNumber: model.printed || obliterated ? null : serial(),
      countryOfManufacture: model.country,
      yearOfManufacture: model.printed ? null : int(1960, now.getUTCFullYear() - 1),
      euCategory: model.category,
      convertedGasAlarm: model.converted ?? false,
      printed3d: model.printed ?? false,
      reactivated: !model.converted && !model.printed && chance(0.04),
      serialObliterated: obliterated,
    };
  };

  const explosive = () => {
    const model = pick(explosiveCatalogue);
    const quantity =
      model.unit === 'KILOGRAM'
        ? Math.round((model.min + random() * (model.max - model.min)) * 1000) / 1000
        : int(model.min, model.max);
    return { type: model.type, description: model.description, quantity, unit: model.unit };
  };

  const subject = (role: SubjectRole) => {
    const nationality = chance(0.6) ? agency : chance(0.7) ? (agency === 'XK' ? 'MK' : 'XK') : pick(['AL', 'RS', 'DE', 'CH'] as const);
    const documentKind: DocumentKind = pick(['PASSPORT', 'IDENTITY_CARD', 'DRIVING_LICENCE'] as const);
    const number =
      documentKind === 'PASSPORT'
        ? `${nationality === 'MK' ? 'M' : 'P'}${digits(7)}`
        : documentKind === 'IDENTITY_CARD'
          ? nationality === 'XK'
            ? digits(10)
            : `A${digits(7)}`
          : `DL ${digits(7)}`;
    return {
      role,
      familyName: pick(profile.familyNames),
      givenName: pick(profile.givenNames),
      dateOfBirth: new Date(Date.UTC(int(1960, 2004), int(0, 11), int(1, 28))),
      nationality,
      documents: [
        {
          kind: documentKind,
          number,
          issuingCountry: nationality,
          expiresOn: new Date(Date.UTC(now.getUTCFullYear() + int(0, 9), int(0, 11), int(1, 28))),
        },
      ],
    };
  };

  const vehicle = (role: VehicleRole) => {
    const plateCountry = chance(0.6) ? agency : agency === 'XK' ? 'MK' : 'XK';
    const [make, model] = pick(vehicleModels);
    return {
      role,
      plate: plate(plateCountry),
      plateCountry,
      make,
      model,
      colour: pick(colours),
      vin: chance(0.8) ? `${pick(worldManufacturerIds)}${chars(vinAlphabet, 14)}` : null,
    };
  };

  const alerts: DemoAlert[] = [];
  for (let index = 0; index < count; index += 1) {
    const kind = pick(alertKinds);
    // Up to 120 days back, and at least a minute before `now`.
    const occurredAt = new Date(now.getTime() - 60_000 - Math.floor(random() * 120 * days(1)));

    // Routes are reported on the green border; everything else anywhere.
    const where = kind === 'LOOKOUT_ROUTE' ? 0.6 : random();
    let unitCode: string;
    let location: RawAlertInput['location'];
    let place: string;
    if (where < 0.55) {
      const crossing = pick(crossings);
      unitCode = chance(0.2) ? profile.customsUnit : profile.bcpUnits[crossing];
      location = { kind: 'BORDER_CROSSING_POINT', borderCrossing: crossing };
      place = `BCP ${crossing.replaceAll('_', ' ').toLowerCase()}`;
    } else if (where < 0.75) {
      const latitude = Math.round((42.1 + random() * 0.2) * 1e6) / 1e6;
      const longitude = Math.round((20.95 + random() * 0.7) * 1e6) / 1e6;
      unitCode = profile.greenUnit;
      location = { kind: 'GREEN_BORDER', latitude, longitude };
      place = `green border ${latitude.toFixed(3)} N ${longitude.toFixed(3)} E`;
    } else {
      const municipality = pick(profile.municipalities);
      unitCode = pick(profile.inlandUnits);
      location = { kind: 'MUNICIPALITY', municipality };
      place = municipality;
    }

    const firearms: ReturnType<typeof firearm>[] = [];
    const ammunition: { calibre: string; quantity: number }[] = [];
    const explosives: ReturnType<typeof explosive>[] = [];
    const components: { kind: ComponentKind; quantity: number; serialNumber?: string | null }[] = [];
    const subjects: ReturnType<typeof subject>[] = [];
    const vehicles: ReturnType<typeof vehicle>[] = [];
    let title: string;

    switch (kind) {
      case 'SEIZURE': {
        for (let i = int(1, 4); i > 0; i -= 1) firearms.push(firearm());
        if (chance(0.6)) ammunition.push({ calibre: pick(ammunitionCalibres), quantity: int(10, 2000) });
        if (chance(0.15)) components.push({ kind: pick(['FRAME', 'BARREL', 'SLIDE', 'BOLT', 'SILENCER'] as const), quantity: int(1, 5), serialNumber: chance(0.5) ? serial() : null });
        if (chance(0.7)) subjects.push(subject('DRIVER'));
        if (chance(0.3)) subjects.push(subject('PASSENGER'));
        if (chance(0.7)) vehicles.push(vehicle('CONCEALMENT'));
        title = `${firearms.length} firearm(s) seized, concealed in ${pick(concealments)} – ${place}`;
        break;
      }
      case 'LOOKOUT_PERSON':
        for (let i = int(1, 2); i > 0; i -= 1) subjects.push(subject('SUSPECT'));
        title = `Lookout: suspected firearms courier – ${place}`;
        break;
      case 'LOOKOUT_VEHICLE':
        vehicles.push(vehicle('SUSPECT_VEHICLE'));
        title = `Lookout: vehicle suspected of a ${pick(concealments)} concealment – ${place}`;
        break;
      case 'LOOKOUT_ROUTE':
        title = `Lookout: smuggling route reported – ${place}`;
        break;
      case 'STOLEN_FIREARM':
        firearms.push(firearm());
        if (chance(0.5)) subjects.push(subject('OWNER'));
        if (chance(0.2)) vehicles.push(vehicle('STOLEN'));
        title = `Firearm stolen from a licensed holder – ${place}`;
        break;
      case 'LOST_FIREARM':
        firearms.push(firearm());
        if (chance(0.5)) subjects.push(subject('OWNER'));
        title = `Firearm reported lost – ${place}`;
        break;
      case 'TRACE_REQUEST':
        firearms.push(firearm());
        title = `Origin of a seized firearm to be traced – ${place}`;
        break;
      case 'BALLISTIC_LINK':
        ammunition.push({ calibre: pick(ammunitionCalibres).replace(' shotshells', '') + ' (fired cases)', quantity: int(1, 30) });
        if (chance(0.4)) firearms.push(firearm());
        title = `Ballistic link between two shooting incidents – ${place}`;
        break;
      case 'EXPLOSIVES':
        for (let i = int(1, 3); i > 0; i -= 1) explosives.push(explosive());
        if (chance(0.4)) subjects.push(subject('SUSPECT'));
        if (chance(0.3)) vehicles.push(vehicle('TRANSPORT'));
        title = `Explosives found – ${place}`;
        break;
      case 'IMPROVISED_DEVICE':
        explosives.push({ type: 'IMPROVISED_DEVICE', description: 'Improvised explosive device', quantity: 1, unit: 'PIECE' });
        if (chance(0.5)) explosives.push(explosive());
        if (chance(0.4)) subjects.push(subject('VICTIM'));
        title = `Improvised explosive device rendered safe – ${place}`;
        break;
      default:
        title = `Report – ${place}`;
    }

    alerts.push({
      unitCode,
      createdBy: pick(profile.officers),
      input: {
        kind,
        title: `[synthetic #${index + 1}] ${title}`.slice(0, 200),
        occurredAt,
        location,
        modusOperandi: chance(0.6) ? `Generated record ${index + 1} for volume testing; concealment: ${pick(concealments)}.` : null,
        risk: { threat: int(1, 5), vulnerability: int(1, 5), impact: int(1, 5) },
        firearms,
        ammunition,
        explosives,
        components,
        subjects,
        vehicles,
      },
    });
  }
  return alerts;
}
