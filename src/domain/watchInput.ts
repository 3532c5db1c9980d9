import { z } from 'zod';
import type { ExchangeAgreement } from '../consent/agreement.ts';
import { days } from './durations.ts';
import type { WatchKind } from './enums.ts';
import { normalizeIdentifier, normalizeName } from './normalize.ts';
import { documentNumberQuery, exactlyOne, nameQuery, plateQuery, serialQuery, serialSearchKey, vinQuery } from './schema/addSearchTypes.ts';

/**
 * What a watch entry watches, normalised exactly as the nodes normalise what
 * they store (the serial with `_` for each unreadable character, as the
 * search does), with the words the officer wrote as its label.
 */
export type WatchCriterion =
  | { kind: 'FIREARM_SERIAL'; key: string; make: string | null }
  | { kind: 'VEHICLE_PLATE'; key: string; plateCountry: string }
  | { kind: 'VIN'; key: string }
  | { kind: 'DOCUMENT'; key: string }
  | { kind: 'PERSON'; familyNameKey: string; givenNameKey: string; dateOfBirth: Date };

export interface WatchEntryInput {
  criterion: WatchCriterion & { kind: WatchKind };
  label: string;
  expiresAt: Date;
}

const identifiers = ['serialNumber', 'plate', 'vin', 'documentNumber', 'person'] as const;
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as XK or MK');

/**
 * The watch entry input of gateway and nodes: exactly one identifier, bounded
 * and normalised like a search criterion, and an expiry within the agreement
 * in force (the party's configured one). `now` is the moment the entry is
 * registered.
 */
export function watchEntryInput(agreement: ExchangeAgreement, now = new Date()) {
  const maxDays = agreement.watchEntries.maxDays;
  return z
    .object({
      serialNumber: serialQuery.nullish(),
      make: z.string().trim().min(1).max(100).nullish(),
      plate: plateQuery.nullish(),
      plateCountry: countryCode.nullish(),
      vin: vinQuery.nullish(),
      documentNumber: documentNumberQuery.nullish(),
      person: z.object({ familyName: nameQuery, givenName: nameQuery, dateOfBirth: z.date() }).nullish(),
      expiresAt: z
        .date()
        .refine((value) => value > now, 'must be in the future')
        .refine((value) => value.getTime() <= now.getTime() + days(maxDays), `must be at most ${maxDays} days ahead (exchange agreement)`),
    })
    .superRefine((value, ctx) => {
      exactlyOne(ctx, value, identifiers, 'identifier', 'watch entry');
      if (value.plate != null && value.plateCountry == null) {
        ctx.addIssue({ code: 'custom', path: ['plateCountry'], message: 'is required with a plate' });
      }
      if (value.plateCountry != null && value.plate == null) {
        ctx.addIssue({ code: 'custom', path: ['plateCountry'], message: 'goes with a plate' });
      }
      if (value.make != null && value.serialNumber == null) {
        ctx.addIssue({ code: 'custom', path: ['make'], message: 'goes with a serial number' });
      }
    })
    .transform((value): WatchEntryInput => {
      const expiresAt = value.expiresAt;
      if (value.serialNumber != null) {
        const make = value.make ?? null;
        return { criterion: { kind: 'FIREARM_SERIAL', key: serialSearchKey(value.serialNumber), make }, label: [make, value.serialNumber].filter(Boolean).join(' '), expiresAt };
      }
      if (value.plate != null) {
        return { criterion: { kind: 'VEHICLE_PLATE', key: normalizeIdentifier(value.plate), plateCountry: value.plateCountry! }, label: `${value.plate} (${value.plateCountry})`, expiresAt };
      }
      if (value.vin != null) return { criterion: { kind: 'VIN', key: value.vin }, label: value.vin, expiresAt };
      if (value.documentNumber != null) {
        return { criterion: { kind: 'DOCUMENT', key: normalizeIdentifier(value.documentNumber) }, label: value.documentNumber, expiresAt };
      }
      const person = value.person!;
      return {
        criterion: {
          kind: 'PERSON',
          familyNameKey: normalizeName(person.familyName),
          givenNameKey: normalizeName(person.givenName),
          dateOfBirth: person.dateOfBirth,
        },
        label: `${person.familyName}, ${person.givenName} (${person.dateOfBirth.toISOString().slice(0, 10)})`,
        expiresAt,
      };
    });
}
