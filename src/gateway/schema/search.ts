import { responsePathAsArray } from 'graphql';
import { agencyInfo } from '../../domain/agencies.ts';
import { parseInput } from '../../domain/alertInput.ts';
import { addSearchTypes, defaultSearchHits, searchFirst, searchInput, searchScoreDescription } from '../../domain/schema/addSearchTypes.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { forwardArguments } from '../forwardArguments.ts';
import { AgencyUnavailableError } from '../nodeClient.ts';
import { alertSelection } from '../alertSelection.ts';
import { searchDocument, type NodeSearchHit, type NodeSearchResult } from '../searchOperation.ts';
import { Agency } from './agency.ts';
import { Alert } from './alert.ts';
import { builder } from './builder.ts';

export const search = addSearchTypes(builder);

const SearchOutcome = builder.enumType('SearchOutcome', {
  description: "One agency's answer to a search.",
  values: {
    HIT: { description: 'The agency holds records that match and that it releases to you: see hits.' },
    NO_HIT: { description: 'The agency holds no record that matches and that it releases to you.' },
    UNAVAILABLE: { description: "The agency's node did not answer; search again later (an AGENCY_UNAVAILABLE error names it)." },
  } as const,
});
type SearchOutcome = 'HIT' | 'NO_HIT' | 'UNAVAILABLE';

interface AgencySearchResult {
  agency: string;
  outcome: SearchOutcome;
  hits: NodeSearchHit[];
}

const SearchHit = builder.objectRef<NodeSearchHit>('SearchHit').implement({
  description: 'An alert that matched, released by its owner at the tier it allows you for the declared purpose.',
  fields: (t) => ({
    alert: t.expose('alert', { type: Alert }),
    matchedOn: t.expose('matchedOn', { type: search.enums.SearchField }),
    match: t.expose('match', { type: search.enums.SearchMatch }),
    score: t.exposeFloat('score', { nullable: true, description: searchScoreDescription }),
  }),
});

const AgencySearchResult = builder.objectRef<AgencySearchResult>('AgencySearchResult').implement({
  description: "One agency's answer to a search, matched by the agency itself on its own records.",
  fields: (t) => ({
    agency: t.field({ type: Agency, resolve: (result) => agencyInfo(result.agency) }),
    outcome: t.expose('outcome', { type: SearchOutcome }),
    hits: t.expose('hits', { type: [SearchHit], description: 'Best match first, one per alert; empty unless outcome is HIT.' }),
  }),
});

builder.queryField('search', (t) =>
  t.field({
    type: [AgencySearchResult],
    description:
      'Hit/no-hit search of every agency (Prüm principle: each owner matches the criterion against its own records and ' +
      'answers with the matching alerts it releases to you). One result per agency, by agency code.',
    authScopes: { operational: operationalRoles },
    args: {
      input: t.arg({ type: search.inputs.SearchInput, required: true }),
      first: t.arg.int({ description: `At most this many hits per agency (1 to 100; default ${defaultSearchHits}).` }),
    },
    resolve: async (_root, args, context, info) => {
      // Refused here once, rather than by every node.
      parseInput(searchInput, args.input);
      if (args.first != null) parseInput(searchFirst, args.first, 'first');
      const { input, first } = forwardArguments(info, args, ['input', 'first']);
      const variables = first == null ? { input } : { input, first };
      const document = searchDocument(alertSelection(info, { path: ['hits', 'alert'] }));

      const agencies = [...context.nodes.agencies].sort();
      const settled = await Promise.allSettled(
        agencies.map((agency) => context.nodes.request<NodeSearchResult>(agency, document, variables, context)),
      );
      const path = responsePathAsArray(info.path);
      return settled.map((result, index): AgencySearchResult => {
        const agency = agencies[index]!;
        if (result.status === 'rejected') {
          if (!(result.reason instanceof AgencyUnavailableError)) throw result.reason;
          context.agencyErrors.push(result.reason.toGraphQLError(path));
          return { agency, outcome: 'UNAVAILABLE', hits: [] };
        }
        const hits = result.value.search;
        return { agency, outcome: hits.length > 0 ? 'HIT' : 'NO_HIT', hits };
      });
    },
  }),
);
