import { randomUUID } from 'node:crypto';
import type { Prisma } from '../generated/node/client.ts';
import { agreement } from '../consent/agreement.ts';
import { days } from '../domain/durations.ts';
import { mulberry32 } from './demoData.ts';
import { watchEntryInput } from '../domain/watchInput.ts';
import { criterionColumns } from '../node/records/watchEntryRecords.ts';

// A national watch list at scale, for the benchmark and the plan tests: entry
// `index` watches an identifier of its own, of the kinds a border police
// watches, in these shares (out of 20): plates 8, serials 4, serials with
// unreadable characters 1, persons 3, documents 2, VINs 2. The identifiers are
// written as an officer types them and normalised by the real input, so that a
// record carrying `syntheticWatchedIdentifier(index)` meets entry `index`.

const pad = (value: number, length: number) => String(value).padStart(length, '0');
const syllables = ['BA', 'DE', 'KO', 'LI', 'MA', 'NU', 'RA', 'TE', 'VO', 'GE'];
/** A name-like word for a number: one syllable per digit. */
const nameOf = (value: number) => [...pad(value, 5)].map((digit) => syllables[Number(digit)]).join('');
const birthOf = (index: number) => new Date(Date.UTC(1960, 0, 1) + (index % 15_000) * 86_400_000);
/** Models' serial prefixes, as stamped: many serials share one, as a production run's do. */
const serialPrefixes = ['M70', 'M57', 'CZ75', 'TT', 'AK', 'PPK', 'G17', 'M92', 'P99', 'HK'];
/** Entry `index`'s serial: a model's prefix and seven digits of its own. */
const serialOf = (index: number) => {
  const random = mulberry32(index + 1);
  return `${serialPrefixes[index % serialPrefixes.length]}-${Array.from({ length: 7 }, () => Math.floor(random() * 10)).join('')}`;
};

/** What synthetic entry `index` watches, as createWatchEntry takes it (without its expiry). */
export function syntheticWatchInput(index: number): Record<string, unknown> {
  const slot = index % 20;
  if (slot < 8) return { plate: `WL-${pad(index, 6)}`, plateCountry: slot % 2 ? 'XK' : 'MK' };
  if (slot < 12) return { serialNumber: serialOf(index), make: 'Zastava' };
  // Two characters worn off the middle.
  if (slot < 13) return { serialNumber: `${serialOf(index).slice(0, -5)}??${serialOf(index).slice(-3)}` };
  if (slot < 16) return { person: { familyName: nameOf(index), givenName: 'Arben', dateOfBirth: birthOf(index) } };
  if (slot < 18) return { documentNumber: `WD${pad(index, 7)}` };
  return { vin: `WL${pad(index, 15)}` };
}

/**
 * The identifier of a createAlert input (a firearm, a vehicle or a subject)
 * that meets synthetic entry `index`.
 */
export function syntheticWatchedIdentifier(index: number): Record<string, unknown> {
  const watched = syntheticWatchInput(index);
  const firearm = (serialNumber: string) => ({ firearms: [{ make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65×17 mm', serialNumber }] });
  if ('plate' in watched) return { vehicles: [{ role: 'TRANSPORT', plate: watched.plate, plateCountry: watched.plateCountry }] };
  if ('serialNumber' in watched) return firearm(serialOf(index));
  if ('vin' in watched) return { vehicles: [{ role: 'TRANSPORT', vin: watched.vin }] };
  const person = (watched.person ?? { familyName: 'Berisha', givenName: 'Arben', dateOfBirth: birthOf(index) }) as { familyName: string; givenName: string; dateOfBirth: Date };
  const documents = 'documentNumber' in watched ? [{ kind: 'PASSPORT', number: watched.documentNumber, issuingCountry: 'XK' }] : [];
  return {
    subjects: [{ role: 'SUSPECT', familyName: person.familyName, givenName: person.givenName, dateOfBirth: person.dateOfBirth.toISOString().slice(0, 10), nationality: 'MK', documents }],
  };
}

/** Options of {@link syntheticWatchEntries}. */
export interface SyntheticWatchListOptions {
  /** Entries, numbered from 0. */
  count: number;
  /** Units of the watching agency they are spread over, round robin (`<agency>-WATCH-<n>`). */
  units: number;
  /** The watching agency. */
  agency: string;
  /** When they were registered. */
  now: Date;
  /** Until when they watch; default 30 days after `now`. */
  expiresAt?: Date;
}

/** Rows of the watch_entry table for a synthetic watch list, for createMany. */
export function syntheticWatchEntries({ count, units, agency, now, expiresAt = new Date(now.getTime() + days(30)) }: SyntheticWatchListOptions) {
  // Demo and bench data: the committed agreement's limits, as the demo seed's.
  const parse = watchEntryInput(agreement, now);
  return Array.from({ length: count }, (_, index): Prisma.WatchEntryCreateManyInput => {
    const input = parse.parse({ ...syntheticWatchInput(index), expiresAt });
    return {
      id: randomUUID(),
      ownerAgency: agency,
      ownerUnit: `${agency}-WATCH-${index % units}`,
      registeredBy: `${agency.toLowerCase()}.watch.${index % units}`,
      registeredRoles: ['officer'],
      purpose: 'CRIMINAL_INVESTIGATION',
      caseReference: `${agency}-WATCH-${index % units}`,
      label: input.label,
      ...criterionColumns(input.criterion),
      createdAt: now,
      expiresAt,
    };
  });
}
