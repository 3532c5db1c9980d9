// The hit/no-hit search the gateway sends to every agency node, written
// against the node contract (contracts/node.graphql); test/search.test.ts
// validates it against the node schema. The alert carries the same fields as
// the other node operations select (AlertFields of nodeOperations.ts).
import type { AlertView } from '../domain/alertView.ts';
import type { SearchField, SearchMatch } from '../domain/schema/addSearchTypes.ts';
import { alertFields } from './nodeOperations.ts';

export const searchOperation = /* GraphQL */ `
  query Search($input: SearchInput!, $first: Int) {
    search(input: $input, first: $first) { matchedOn match score alert { ...AlertFields } }
  }
  ${alertFields}
`;

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
