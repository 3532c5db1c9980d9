// The hit/no-hit search the gateway sends to every agency node, written
// against the node contract (contracts/node.graphql); test/search.test.ts
// validates it against the node schema. Its alerts carry the AlertFields the
// client's selection asks for (alertSelection.ts), as every node operation's.
import type { AlertView } from '../domain/alertView.ts';
import type { SearchField, SearchMatch } from '../domain/schema/addSearchTypes.ts';
import { alertFieldsFragment, fullAlertSelection } from './nodeOperations.ts';

/** The search, asking of each alert hit `selection` only. */
export const searchDocument = (selection: string) => /* GraphQL */ `
  query Search($input: SearchInput!, $first: Int) {
    search(input: $input, first: $first) { matchedOn match score alert { ...AlertFields } }
  }
  ${alertFieldsFragment(selection)}
`;

/** The search with every field of its alerts: the node baseline of bench/. */
export const searchOperation = searchDocument(fullAlertSelection);

/** One hit as a node answers it. */
export interface NodeSearchHit {
  alert: AlertView;
  matchedOn: SearchField;
  match: SearchMatch;
  score: number | null;
}

export interface NodeSearchResult {
  search: NodeSearchHit[];
}
