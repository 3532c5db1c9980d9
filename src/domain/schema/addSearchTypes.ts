import { z } from 'zod';
import { normalizeIdentifier, normalizeName, normalizeSerial } from '../normalize.ts';
import { lineText } from '../textInput.ts';
import type { HubBuilder } from './hubSchemaTypes.ts';

/** What a hit matched on. */
export const searchFields = ['SERIAL_NUMBER', 'COMPONENT_SERIAL_NUMBER', 'PLATE', 'VIN', 'DOCUMENT_NUMBER', 'PERSON'] as const;
export type SearchField = (typeof searchFields)[number];

/**
 * How a hit matched. Below the tier that releases the matched value, this is
 * all a caller learns of the match: a similarity score would measure the
 * hidden value, and a caller could rebuild it one character at a time.
 */
export const searchMatches = ['EXACT', 'PARTIAL', 'SIMILAR'] as const;
export type SearchMatch = (typeof searchMatches)[number];

/** Hits a search returns at most, and by default. */
export const maxSearchHits = 100;
export const defaultSearchHits = 20;

/**
 * One search criterion, normalised exactly as the node normalises what it
 * stores, so that matching compares like with like. A serial `key` holds `_`
 * (SQL LIKE: exactly one character) for each unreadable character.
 */
export type SearchCriterion =
  | { on: 'SERIAL'; key: string }
  | { on: 'PLATE'; key: string }
  | { on: 'VIN'; key: string }
  | { on: 'DOCUMENT_NUMBER'; key: string }
  | { on: 'PERSON'; familyNameKey: string; givenNameKey: string; dateOfBirth: Date | null };

/** `?` or `*` in a searched serial: one character that cannot be read (obliterated, corroded, ground off). */
const unreadable = /[?*]/g;
const wildcardCount = (value: string) => value.match(unreadable)?.length ?? 0;
const readableCount = (value: string) => normalizeSerial(value.replace(unreadable, '')).length;

/** The serial as normalised for storage, with `_` where a character could not be read. */
export function serialSearchKey(value: string): string {
  return value.split(/[?*]/).map(normalizeSerial).join('_');
}

const minReadableSerialCharacters = 4;

const serialQuery = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[\p{L}\p{N}?*][\p{L}\p{N}?* ./-]*$/u,
    'may contain only letters, digits, spaces, dots, dashes, slashes, and ? or * for one unreadable character each',
  )
  .refine((value) => readableCount(value) >= minReadableSerialCharacters, `must contain at least ${minReadableSerialCharacters} readable letters or digits`)
  .refine((value) => wildcardCount(value) <= readableCount(value), 'must have at least as many readable characters as unreadable ones (? or *)');

const plateQuery = z
  .string()
  .trim()
  .max(15, 'must be at most 15 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} -]*$/u, 'may contain only letters, digits, spaces and dashes')
  .refine((value) => normalizeIdentifier(value).length >= 3, 'must contain at least three letters or digits');

const vinQuery = z
  .string()
  .trim()
  .max(30, 'must be at most 30 characters')
  .transform(normalizeIdentifier)
  .pipe(z.string().regex(/^[A-HJ-NPR-Z0-9]{17}$/, 'must be 17 characters, letters and digits without I, O and Q (ISO 3779)'));

const documentNumberQuery = z
  .string()
  .trim()
  .max(40, 'must be at most 40 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} -]*$/u, 'may contain only letters, digits, spaces and dashes')
  .refine((value) => normalizeIdentifier(value).length >= 4, 'must contain at least four letters or digits');

const nameQuery = lineText(100)
  .refine((value) => normalizeName(value).length >= 1, 'must contain at least one letter');

const criteria = ['serialNumber', 'plate', 'vin', 'documentNumber', 'person'] as const;

/** The search input of node and gateway: exactly one criterion, each bounded and normalised. */
export const searchInput = z
  .object({
    serialNumber: serialQuery.nullish(),
    plate: plateQuery.nullish(),
    vin: vinQuery.nullish(),
    documentNumber: documentNumberQuery.nullish(),
    person: z
      .object({
        familyName: nameQuery,
        givenName: nameQuery,
        dateOfBirth: z.date().nullish(),
      })
      .nullish(),
  })
  .superRefine((value, ctx) => {
    const given = criteria.filter((name) => value[name] != null);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          given.length === 0
            ? `must give one criterion: one of ${criteria.join(', ')}`
            : `must give exactly one criterion per search, not ${given.length} (${given.join(', ')}); search once per criterion`,
      });
    }
  })
  .transform((value): SearchCriterion => {
    if (value.serialNumber != null) {
      return { on: 'SERIAL', key: serialSearchKey(value.serialNumber) };
    }
    if (value.plate != null) return { on: 'PLATE', key: normalizeIdentifier(value.plate) };
    if (value.vin != null) return { on: 'VIN', key: value.vin };
    if (value.documentNumber != null) return { on: 'DOCUMENT_NUMBER', key: normalizeIdentifier(value.documentNumber) };
    const person = value.person!;
    return {
      on: 'PERSON',
      familyNameKey: normalizeName(person.familyName),
      givenNameKey: normalizeName(person.givenName),
      dateOfBirth: person.dateOfBirth ?? null,
    };
  });

/** The description of a hit's score, in the node's schema and the gateway's. */
export const searchScoreDescription =
  '1.0 = exact after normalisation; lower for approximate serial matches. Null unless the owner releases the matched value ' +
  'itself to you (the serial at SUMMARY, personal identifiers at FULL): below that tier, `match` says how it matched.';

/** How many hits a caller may ask for. */
export const searchFirst = z
  .number()
  .int('must be a whole number')
  .min(1, `must be between 1 and ${maxSearchHits}`)
  .max(maxSearchHits, `must be between 1 and ${maxSearchHits}`);

/**
 * Adds the search vocabulary (its input and what a hit matched on) to a
 * builder; node and gateway take the same input. Each schema declares its own
 * SearchHit, since a hit carries that schema's Alert.
 */
export function addSearchTypes(builder: HubBuilder) {
  const SearchField = builder.enumType('SearchField', {
    description: 'What a search hit matched on.',
    values: {
      SERIAL_NUMBER: { description: 'The serial number of a firearm.' },
      COMPONENT_SERIAL_NUMBER: { description: 'The serial number of an essential component (slide, barrel, frame, …).' },
      PLATE: { description: 'A registration plate.' },
      VIN: { description: 'A vehicle identification number.' },
      DOCUMENT_NUMBER: { description: 'The number of an identity document.' },
      PERSON: { description: 'Family name and given name (and date of birth when searched with one).' },
    } as const,
  });

  const SearchMatch = builder.enumType('SearchMatch', {
    description: 'How a hit matched the searched value, as far as the caller may know it.',
    values: {
      EXACT: { description: 'Equal after normalisation.' },
      PARTIAL: { description: 'Every readable character of a serial searched with unreadable ones (? or *) matches.' },
      SIMILAR: { description: 'A similar serial (trigram similarity over the threshold).' },
    } as const,
  });

  const PersonSearchInput = builder.inputType('PersonSearchInput', {
    description: 'A person, matched on names folded for case and diacritics, across Albanian, Macedonian and Serbian spellings in Latin or Cyrillic ("Xhaferi" = "Џафери" = "Dzaferi", "Đurović" = "Djurovic"), and on the date of birth when given.',
    fields: (t) => ({
      familyName: t.string({ required: true }),
      givenName: t.string({ required: true }),
      dateOfBirth: t.field({ type: 'Date' }),
    }),
  });

  const SearchInput = builder.inputType('SearchInput', {
    description:
      'Exactly one criterion. The owner of each record matches it against its own records (hit/no-hit): identifiers are ' +
      'normalised as they are when stored (case, script, separators, look-alike characters of stamped serials).',
    fields: (t) => ({
      serialNumber: t.string({
        description:
          'A firearm or component serial. Write ? or * for each character that cannot be read (obliterated serials): ' +
          '"M70-4?151?". Hits say how they matched (EXACT, PARTIAL, SIMILAR); the score only where the serial itself is released to you.',
      }),
      plate: t.string({ description: 'A registration plate; exact after normalisation.' }),
      vin: t.string({ description: 'A vehicle identification number (ISO 3779); exact.' }),
      documentNumber: t.string({ description: 'The number of an identity document; exact after normalisation.' }),
      person: t.field({ type: PersonSearchInput }),
    }),
  });

  return { enums: { SearchField, SearchMatch }, inputs: { SearchInput, PersonSearchInput } };
}

export type SearchTypes = ReturnType<typeof addSearchTypes>;
