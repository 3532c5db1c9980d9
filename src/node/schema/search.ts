import { parseInput } from '../../domain/alertInput.ts';
import { addSearchTypes, defaultSearchHits, searchFirst, searchInput, searchScoreDescription } from '../../domain/schema/addSearchTypes.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { searchAlerts, type SearchHitRecord } from '../records/searchRecords.ts';
import { Alert, noteReleased } from './alert.ts';
import { builder } from './builder.ts';

export const search = addSearchTypes(builder);

const SearchHit = builder.objectRef<SearchHitRecord>('SearchHit').implement({
  description: 'An alert of this agency that matched, released at the tier the owner allows the caller for the declared purpose.',
  fields: (t) => ({
    alert: t.expose('alert', { type: Alert }),
    matchedOn: t.expose('matchedOn', { type: search.enums.SearchField }),
    match: t.expose('match', { type: search.enums.SearchMatch }),
    score: t.exposeFloat('score', { nullable: true, description: searchScoreDescription }),
  }),
});

builder.queryField('search', (t) =>
  t.field({
    type: [SearchHit],
    description:
      "Hit/no-hit search of this agency's records (the owner matches): the alerts matching the criterion that the owner " +
      'releases to the caller, best match first, one hit per alert. A record at tier NONE for the caller never produces a hit.',
    authScopes: { operational: operationalRoles },
    args: {
      input: t.arg({ type: search.inputs.SearchInput, required: true }),
      first: t.arg.int({ defaultValue: defaultSearchHits, description: `At most this many hits (1 to 100).` }),
    },
    resolve: async (_root, args, context) => {
      const criterion = parseInput(searchInput, args.input);
      const first = parseInput(searchFirst, args.first ?? defaultSearchHits, 'first');
      const access = { caller: context.officer, owner: context.agency, purpose: context.purpose, now: new Date(), agreement: context.agreement };
      const hits = await searchAlerts(context.prisma, access, criterion, first);
      noteReleased(context, hits.map((hit) => hit.alert));
      return hits;
    },
  }),
);
