import type { HitView, WatchEntryView } from '../watchView.ts';
import { WatchKind } from '../enums.ts';
import type { HubBuilder, HubTypes } from './hubSchemaTypes.ts';
import { searchScoreDescription, type SearchTypes } from './addSearchTypes.ts';

/**
 * The watch vocabulary node and gateway share: what can be watched, the input
 * (the same on both, the gateway forwards it), and the fields of a watch
 * entry and of a hit, whose identifiers differ (local at a node, global at
 * the gateway) and are added by each schema.
 */
export function addWatchTypes(builder: HubBuilder, { SearchField, SearchMatch }: SearchTypes['enums']) {
  const WatchKindEnum = builder.enumType(WatchKind, { name: 'WatchKind', description: 'What a watch entry watches for.' });
  const WatchStatus = builder.enumType('WatchStatus', {
    values: {
      ACTIVE: { description: 'Matching new and changed records.' },
      EXPIRED: { description: 'Past its expiry: matches nothing, delivers nothing.' },
      REMOVED: { description: 'Removed by its unit: matches nothing, delivers nothing.' },
    } as const,
  });

  const WatchPersonInput = builder.inputType('WatchPersonInput', {
    description: 'A person, matched on names folded for case, script and diacritics, and on the date of birth.',
    fields: (t) => ({
      familyName: t.string({ required: true }),
      givenName: t.string({ required: true }),
      dateOfBirth: t.field({ type: 'Date', required: true }),
    }),
  });

  const WatchEntryInput = builder.inputType('WatchEntryInput', {
    description:
      'Exactly one identifier to watch, with its expiry (at most the days the exchange agreement allows). The purpose and case ' +
      'reference are those declared with the request; hits are delivered at the tier the owner of each record gives that purpose.',
    fields: (t) => ({
      serialNumber: t.string({
        description: 'A firearm or component serial; ? or * for a character that cannot be read. Records whose serial is marked obliterated also hit when similar enough.',
      }),
      make: t.string({
        description:
          'The make, where known (with serialNumber only): kept with the entry for your unit to read, never matched on. The serial alone ' +
          'decides, as in a search of the serial: makes are written many ways across agencies, and a watch list must not miss a hit over one.',
      }),
      plate: t.string({ description: 'A registration plate; exact after normalisation.' }),
      plateCountry: t.string({ description: 'Country of registration of the plate (ISO 3166-1 alpha-2); required with plate.' }),
      vin: t.string({ description: 'A vehicle identification number (ISO 3779).' }),
      documentNumber: t.string({ description: 'The number of a travel or identity document; exact after normalisation.' }),
      person: t.field({ type: WatchPersonInput }),
      expiresAt: t.field({ type: 'DateTime', required: true }),
    }),
  });

  const fields = {
    watchEntry: (t: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, WatchEntryView>) => ({
      kind: t.expose('kind', { type: WatchKindEnum }),
      label: t.exposeString('label', { description: 'The identifier as registered.' }),
      make: t.exposeString('make', { nullable: true, description: 'The make registered with a serial: for reading, not matched on.' }),
      plateCountry: t.exposeString('plateCountry', { nullable: true }),
      unitCode: t.exposeString('unitCode', { description: 'The unit that watches: the recipient of the hits.' }),
      registeredBy: t.exposeString('registeredBy'),
      purpose: t.exposeString('purpose'),
      caseReference: t.exposeString('caseReference', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      removedAt: t.expose('removedAt', { type: 'DateTime', nullable: true }),
      status: t.expose('status', { type: WatchStatus }),
    }),
    hit: (t: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, HitView>) => ({
      at: t.expose('at', { type: 'DateTime', description: 'When the record met the watch entry.' }),
      matchedOn: t.expose('matchedOn', { type: SearchField }),
      match: t.expose('match', { type: SearchMatch }),
      score: t.exposeFloat('score', { nullable: true, description: searchScoreDescription }),
      retro: t.exposeBoolean('retro', { description: 'The record existed before the watch entry was registered.' }),
    }),
  };

  return { enums: { WatchKind: WatchKindEnum, WatchStatus }, inputs: { WatchEntryInput, WatchPersonInput }, fields };
}
