// What the gateway asks a node for an alert: what the client selected of it,
// and what the gateway needs itself, nothing more. Data minimisation: what
// leaves the owner's node, and what its disclosure log describes, is what
// the officer asked for.
//
// The mapping is small and fixed, which is why it is written here rather than
// delegated (@graphql-tools/delegate builds a subschema request for a schema
// stitched from its subschemas; the gateway's schema is its own, with merged
// connections, global ids and owners it computes): the gateway's Alert has
// four fields of its own (id, localId, owner, __typename), every other field is
// the node's, of the shared domain types, which take no arguments and hold no
// abstract types (test/alertSelection.test.ts checks both on the schemas).
// Below Alert a selection is therefore fully described by field names:
// aliases, fragments and directives are resolved away here, by
// @graphql-tools/utils's collectSubFields, which follows graphql-js's own
// CollectFields (fragment type conditions against the runtime type Alert,
// @skip and @include with the operation's variables).
import { collectSubFields } from '@graphql-tools/utils';
import {
  getNamedType,
  isLeafType,
  isObjectType,
  Kind,
  parse,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** A selection by field names only: each field selected, and what is selected of it (empty for a leaf). */
export type SelectionTree = Map<string, SelectionTree>;

/** What of a resolver's info the translation reads. */
export type SelectionSource = Pick<GraphQLResolveInfo, 'schema' | 'fragments' | 'variableValues' | 'fieldNodes' | 'returnType'>;

/** What every alert the gateway receives must carry: its type and identity, and the release its consultation entry names. */
const auditNeeds = '__typename id owner reference access { tier basis grantId }';

/** The gateway's own fields of Alert, and the node fields each is computed from. */
const computedFields: Readonly<Record<string, readonly string[]>> = {
  __typename: ['__typename'],
  id: ['id', 'owner'],
  localId: ['id'],
  owner: ['owner'],
};

function objectType(source: SelectionSource, name: string): GraphQLObjectType {
  const type = source.schema.getType(name);
  if (!isObjectType(type)) throw new Error(`the schema has no object type ${name}`);
  return type;
}

/** The fields selected on `type` through `fieldNodes`, grouped by field name (aliases of one field together). */
function fieldsByName(source: SelectionSource, type: GraphQLObjectType, fieldNodes: readonly FieldNode[]): Map<string, FieldNode[]> {
  const { fields, patches } = collectSubFields(source.schema, source.fragments, source.variableValues, type, [...fieldNodes]);
  const byName = new Map<string, FieldNode[]>();
  for (const group of [fields, ...patches.map((patch) => patch.fields)]) {
    for (const nodes of group.values()) {
      const name = nodes[0]!.name.value;
      byName.set(name, [...(byName.get(name) ?? []), ...nodes]);
    }
  }
  return byName;
}

/** What the client selected on objects of `type`, as a tree of field names. */
function selectionOn(source: SelectionSource, type: GraphQLObjectType, fieldNodes: readonly FieldNode[], into: SelectionTree = new Map()): SelectionTree {
  for (const [name, nodes] of fieldsByName(source, type, fieldNodes)) {
    const below = into.get(name) ?? new Map<string, SelectionTree>();
    into.set(name, below);
    if (name === '__typename') continue;
    const fieldType = getNamedType(type.getFields()[name]!.type);
    if (isObjectType(fieldType)) {
      selectionOn(source, fieldType, nodes, below);
      // Every field the client asked of it was skipped: it still gets the object (or null), so the node is asked for that.
      if (below.size === 0) below.set('__typename', new Map());
    } else if (!isLeafType(fieldType)) throw new Error(`${type.name}.${name} is abstract: a selection of it is not a tree of names`);
  }
  return into;
}

/** Adds `addition` to `tree`. */
export function mergeSelection(tree: SelectionTree, addition: SelectionTree): SelectionTree {
  for (const [name, below] of addition) {
    const known = tree.get(name);
    if (known) mergeSelection(known, below);
    else tree.set(name, mergeSelection(new Map(), below));
  }
  return tree;
}

function treeOf(selectionSet: SelectionSetNode | undefined): SelectionTree {
  const tree: SelectionTree = new Map();
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD) throw new Error('a selection of field names has no fragments');
    mergeSelection(tree, new Map([[selection.name.value, treeOf(selection.selectionSet)]]));
  }
  return tree;
}

/** A selection written as GraphQL field names (`kind summary { title }`) as a tree. */
export function parseSelection(selection: string): SelectionTree {
  return treeOf((parse(`{ ${selection} }`).definitions[0] as OperationDefinitionNode).selectionSet);
}

/** The tree as a GraphQL selection, fields in name order, so that one selection is always one document. */
export function printSelection(tree: SelectionTree): string {
  return [...tree.keys()]
    .sort()
    .map((name) => {
      const below = tree.get(name)!;
      return below.size ? `${name} { ${printSelection(below)} }` : name;
    })
    .join(' ');
}

/** The node's fields for what the client selected of the gateway's Alert. */
function toNodeAlert(clientSelection: SelectionTree): SelectionTree {
  const node: SelectionTree = new Map();
  for (const [name, below] of clientSelection) {
    const computedFrom = computedFields[name];
    if (computedFrom) for (const field of computedFrom) mergeSelection(node, new Map([[field, new Map()]]));
    else mergeSelection(node, new Map([[name, below]]));
  }
  return node;
}

/** Options for {@link alertSelection}. */
export interface AlertSelectionOptions {
  /** Field names from the resolver's field down to the alerts (`['edges', 'node']` for a connection). Default: none, the field returns alerts. */
  path?: readonly string[];
  /** Node fields the resolver itself needs beyond identity and audit (`createdAt` to merge pages). Default: none. */
  needs?: string;
}

/**
 * The node's selection of an alert (the body of the node operation's
 * AlertFields) for the alerts a resolver returns: what the client selected of
 * them, through any fragments, aliases and directives, and what the gateway
 * needs itself.
 */
export function alertSelection(source: SelectionSource, { path = [], needs = '' }: AlertSelectionOptions = {}): string {
  let nodes: readonly FieldNode[] = source.fieldNodes;
  let type = getNamedType(source.returnType);
  for (const name of path) {
    if (!isObjectType(type)) throw new Error(`${type.name} has no field ${name} to follow`);
    nodes = fieldsByName(source, type, nodes).get(name) ?? [];
    type = getNamedType(type.getFields()[name]!.type);
  }
  // Node and union positions (node, nodes) are read as what the node returns: an Alert.
  const client = nodes.length ? selectionOn(source, objectType(source, 'Alert'), nodes) : new Map();
  return printSelection(mergeSelection(toNodeAlert(client), parseSelection(`${auditNeeds} ${needs}`)));
}

/** The node's selection of an alert no client reads, only the gateway: identity, audit and `needs`. */
export function neededAlertSelection(needs = ''): string {
  return printSelection(parseSelection(`${auditNeeds} ${needs}`));
}
