// The translation of a client's selection of the gateway's Alert into the
// node's AlertFields (src/gateway/alertSelection.ts), on the real schemas of
// both sides: a table of the cases the GraphQL spec makes tricky, and a
// property over generated documents that the node is asked exactly for what
// the client selected (mapped to the node's fields) and what the gateway needs.
import fc from 'fast-check';
import {
  getNamedType,
  getVariableValues,
  isAbstractType,
  isObjectType,
  Kind,
  parse,
  validate,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { alertSelection, mergeSelection, parseSelection, printSelection, type AlertSelectionOptions, type SelectionTree } from '../src/gateway/alertSelection.ts';
import { alertOperation } from '../src/gateway/nodeOperations.ts';
import { searchDocument } from '../src/gateway/searchOperation.ts';
import { gatewaySchema } from '../src/gateway/schema/index.ts';
import { nodeSchema } from '../src/node/schema/index.ts';

const always = '__typename access { basis grantId tier } id owner reference';

/** What the resolver of the document's first root field (or the one named `field`) sees, as graphql-js executes it. */
function sourceOf(document: string, variables: Record<string, unknown> = {}, field?: string) {
  const ast = parse(document);
  expect(validate(gatewaySchema, ast).map((error) => error.message)).toEqual([]);
  const operation = ast.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    ast.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const coerced = getVariableValues(gatewaySchema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) throw coerced.errors[0];
  const root = operation.operation === 'mutation' ? gatewaySchema.getMutationType()! : operation.operation === 'subscription' ? gatewaySchema.getSubscriptionType()! : gatewaySchema.getQueryType()!;
  const fieldNode = operation.selectionSet.selections.find(
    (selection): selection is FieldNode => selection.kind === Kind.FIELD && (field === undefined || (selection.alias ?? selection.name).value === field),
  )!;
  return {
    schema: gatewaySchema,
    fragments,
    variableValues: coerced.coerced,
    fieldNodes: [fieldNode],
    returnType: root.getFields()[fieldNode.name.value]!.type,
  };
}

const selectionFor = (document: string, variables: Record<string, unknown> = {}, options: AlertSelectionOptions = {}) =>
  alertSelection(sourceOf(document, variables), options);

/** A selection written by hand, in the translator's canonical order. */
const canonical = (selection: string) => printSelection(parseSelection(selection));

describe('the node is asked for what the client selected of an alert', () => {
  it('a client asking only the reference gets identity and audit fields, and nothing personal', () => {
    expect(selectionFor('query($id: ID!) { alert(id: $id) { reference } }', { id: 'x' })).toBe(always);
  });

  it.each([
    ['the gateway computes the global id from the local id and owner', '{ alert(id: "x") { id } }', ''],
    ['localId is the node id', '{ alert(id: "x") { localId } }', ''],
    ['owner is an agency the gateway knows: the node only names it', '{ alert(id: "x") { owner { code name units { code } } } }', ''],
    ['__typename is answered by the gateway', '{ alert(id: "x") { __typename } }', ''],
    ['access always carries what the consultation entry names', '{ alert(id: "x") { access { validUntil } } }', 'access { validUntil }'],
    ['__typename inside an object is kept, as the only field asked of it', '{ alert(id: "x") { summary { __typename } } }', 'summary { __typename }'],
    ['two aliases of one field are one field, with both selections', '{ alert(id: "x") { a: summary { title } b: summary { risk { level } } } }', 'summary { risk { level } title }'],
    ['named fragments, nested', '{ alert(id: "x") { ...A } } fragment A on Alert { kind ...B } fragment B on Alert { contactPoint { phone } }', 'kind contactPoint { phone }'],
    ['inline fragments without a type condition', '{ alert(id: "x") { ... { status } } }', 'status'],
    ['an object whose every field is skipped is still asked for', '{ alert(id: "x") { summary { title @skip(if: true) } } }', 'summary { __typename }'],
  ])('%s', (_name, document, expected) => {
    expect(selectionFor(document)).toBe(canonical(`${always} ${expected}`));
  });

  it('fragments on the Node interface, on Alert and on another type, in node and nodes', () => {
    const document = /* GraphQL */ `
      query($id: ID!, $ids: [ID!]!) {
        node(id: $id) { id ... on Alert { kind } ... on TraceRequest { question firearm { make } } ...N }
        nodes(ids: $ids) { __typename ... on Alert { personalData { vehicles { plate } } } }
      }
      fragment N on Node { ... on Alert { summary { title } } }
    `;
    const variables = { id: 'x', ids: ['x'] };
    expect(alertSelection(sourceOf(document, variables, 'node'))).toBe(canonical(`${always} kind summary { title }`));
    expect(alertSelection(sourceOf(document, variables, 'nodes'))).toBe(canonical(`${always} personalData { vehicles { plate } }`));
  });

  it('@include and @skip, with variables and literals, on fields and fragments', () => {
    const document = /* GraphQL */ `
      query($persons: Boolean!, $summary: Boolean = true) {
        alert(id: "x") {
          personalData @include(if: $persons) { subjects { familyName } }
          summary @skip(if: false) { title @include(if: $summary) occurredAt }
          ... on Alert @skip(if: $persons) { sharingPolicy { handlingCode } }
          ...V @include(if: $persons)
          status @skip(if: true)
        }
      }
      fragment V on Alert { version }
    `;
    expect(selectionFor(document, { persons: false })).toBe(canonical(`${always} summary { title occurredAt } sharingPolicy { handlingCode }`));
    expect(selectionFor(document, { persons: true, summary: false })).toBe(canonical(`${always} personalData { subjects { familyName } } summary { occurredAt } version`));
  });

  it('follows a merged connection down to its alerts, whatever aliases the client gave edges and node, and adds what merging needs', () => {
    const document = /* GraphQL */ `
      query($first: Int!) {
        alerts(first: $first, filter: { kinds: [SEIZURE] }) {
          totalCount unavailableAgencies pageInfo { endCursor }
          edges { cursor n: node { reference } }
          more: edges { node { kind } }
        }
      }
    `;
    expect(selectionFor(document, { first: 2 }, { path: ['edges', 'node'], needs: 'createdAt' })).toBe(canonical(`${always} createdAt kind`));
    // A page read for its count alone still takes what identity, audit and the merge need.
    expect(selectionFor('{ alerts(first: 3) { totalCount } }', {}, { path: ['edges', 'node'], needs: 'createdAt' })).toBe(canonical(`${always} createdAt`));
  });

  it('follows search results down to the hits’ alerts', () => {
    const document = '{ search(input: { plate: "SK-123-AB" }) { outcome hits { score alert { summary { risk { level } } } } agency { code } } }';
    const selection = selectionFor(document, {}, { path: ['hits', 'alert'] });
    expect(selection).toBe(canonical(`${always} summary { risk { level } }`));
    expect(validate(nodeSchema, parse(searchDocument(selection))).map((error) => error.message)).toEqual([]);
  });
});

// ─── The property ───────────────────────────────────────────────────────────

/** Every object type reachable from the gateway's Alert through fields the node answers (owner stops at the gateway). */
function reachable(type: GraphQLObjectType, seen = new Set<GraphQLNamedType>()): Set<GraphQLNamedType> {
  seen.add(type);
  for (const field of Object.values(type.getFields())) {
    if (type.name === 'Alert' && field.name === 'owner') continue;
    const named = getNamedType(field.type);
    if (!seen.has(named) && (isObjectType(named) || isAbstractType(named))) {
      if (isObjectType(named)) reachable(named, seen);
      else seen.add(named);
    }
  }
  return seen;
}

const gatewayAlert = gatewaySchema.getType('Alert') as GraphQLObjectType;
const nodeAlert = nodeSchema.getType('Alert') as GraphQLObjectType;

it('below Alert, the node answers the same fields without arguments and no abstract types: a selection is a tree of names', () => {
  for (const type of reachable(gatewayAlert)) {
    expect(isObjectType(type), `${type.name} is abstract`).toBe(true);
    for (const field of Object.values((type as GraphQLObjectType).getFields())) {
      if (type === gatewayAlert && ['id', 'localId', 'owner'].includes(field.name)) continue;
      expect(field.args, `${type.name}.${field.name} takes arguments`).toEqual([]);
      const nodeType = nodeSchema.getType(type.name);
      expect(isObjectType(nodeType) && nodeType.getFields()[field.name], `the node has no ${type.name}.${field.name}`).toBeTruthy();
    }
  }
  expect(Object.keys(nodeAlert.getFields())).toEqual(expect.arrayContaining(['id', 'owner']));
});

/** The node fields each of the gateway's own Alert fields is computed from: the spec the translator implements. */
const fromGateway: Record<string, string> = { id: 'id owner', localId: 'id', owner: 'owner', __typename: '__typename' };

interface Generated {
  text: string;
  /** What the selection effectively asks of the type (directives applied, aliases and fragments resolved). */
  tree: SelectionTree;
}

/**
 * A random selection on `type`: some of its fields, each maybe aliased,
 * repeated, in an inline or named fragment (on the type or, for Alert, on
 * Node), or under @include/@skip that keep it or drop it.
 */
const aliases = { count: 0 };

function generate(g: fc.GeneratorValue, type: GraphQLObjectType, fragments: string[], depth = 0): Generated {
  const tree: SelectionTree = new Map();
  const parts: string[] = [];
  const fields = [...Object.values(type.getFields()).map((field) => field.name), '__typename'];
  const picked = g(() => fc.subarray(fields, { minLength: 1, maxLength: Math.min(fields.length, depth === 0 ? 6 : 3) }));
  for (const name of picked) {
    const repeats = g(() => fc.integer({ min: 1, max: 2 }));
    for (let copy = 0; copy < repeats; copy += 1) {
      const named = name === '__typename' ? null : getNamedType(type.getFields()[name]!.type);
      const below = named && isObjectType(named) ? (depth < 2 ? generate(g, named, fragments, depth + 1) : { text: '__typename', tree: new Map([['__typename', new Map()]]) }) : null;
      const alias = g(() => fc.boolean()) ? `a${(aliases.count += 1)}: ` : '';
      const field = `${alias}${name}`;
      const selectionSet = below ? ` { ${below.text} }` : '';
      const wrap = g(() => fc.constantFrom('plain', 'inline', 'inlineBare', 'fragment', 'include', 'skip', 'dropInclude', 'dropSkip', 'dropFragment', 'node'));
      let text: string;
      let kept = true;
      switch (wrap) {
        case 'inline': text = `... on ${type.name} { ${field}${selectionSet} }`; break;
        case 'inlineBare': text = `... { ${field}${selectionSet} }`; break;
        case 'fragment': {
          const fragment = `F${fragments.length}`;
          fragments.push(`fragment ${fragment} on ${type.name} { ${field}${selectionSet} }`);
          text = `...${fragment}`;
          break;
        }
        case 'include': text = `${field} @include(if: $yes)${selectionSet}`; break;
        case 'skip': text = `${field} @skip(if: $no)${selectionSet}`; break;
        case 'dropInclude': text = `${field} @include(if: $no)${selectionSet}`; kept = false; break;
        case 'dropSkip': text = `${field} @skip(if: $yes)${selectionSet}`; kept = false; break;
        case 'dropFragment': text = `... on ${type.name} @include(if: false) { ${field}${selectionSet} }`; kept = false; break;
        // On the Node interface: only Alert's id is on Node; anything else goes through an inline fragment on Alert inside it.
        case 'node': {
          const fragment = `N${fragments.length}`;
          const inner = type.name === 'Alert' && name !== 'id' ? `... on Alert { ${field}${selectionSet} }` : type.name === 'Alert' ? `${field}` : null;
          if (inner === null) { text = `${field}${selectionSet}`; break; }
          fragments.push(`fragment ${fragment} on Node { ${inner} }`);
          text = `...${fragment}`;
          break;
        }
        default: text = `${field}${selectionSet}`;
      }
      parts.push(text);
      if (kept) mergeSelection(tree, new Map([[name, below?.tree ?? new Map()]]));
    }
  }
  return { text: parts.join(' '), tree };
}

/** An object whose fields were all skipped is still answered, as an object or null: the node is asked its __typename. */
function askEmptyObjects(tree: SelectionTree, type: GraphQLObjectType): SelectionTree {
  for (const [name, below] of tree) {
    const named = name === '__typename' ? null : getNamedType(type.getFields()[name]!.type);
    if (!named || !isObjectType(named)) continue;
    if (below.size === 0) below.set('__typename', new Map());
    else askEmptyObjects(below, named);
  }
  return tree;
}

/** The node fields for what the client effectively selected, by the table above, and what the gateway always needs. */
function expectedNodeSelection(client: SelectionTree, needs = ''): string {
  const expected = parseSelection(`${always} ${needs}`);
  for (const [name, below] of client) {
    mergeSelection(expected, fromGateway[name] ? parseSelection(fromGateway[name]!) : new Map([[name, below]]));
  }
  return printSelection(expected);
}

describe('over generated documents', () => {
  it('alert(id), node(id) and alerts ask the node for exactly the client’s fields mapped to the node’s, plus identity, audit and merge needs, in a valid document', () => {
    fc.assert(
      fc.property(fc.gen(), fc.constantFrom('alert', 'node', 'alerts'), (g, root) => {
        const fragments: string[] = [];
        const { text, tree } = generate(g, gatewayAlert, fragments);
        const body =
          root === 'alert' ? `alert(id: $id) { ${text} }` : root === 'node' ? `node(id: $id) { ... on Alert { ${text} } }` : `alerts(first: 3) { edges { node { ${text} } } }`;
        const used = `${body} ${fragments.join(' ')}`;
        const declared = Object.entries({ id: 'ID!', yes: 'Boolean!', no: 'Boolean!' }).filter(([name]) => used.includes(`$${name}`));
        const variables = declared.length ? `(${declared.map(([name, type]) => `$${name}: ${type}`).join(', ')})` : '';
        const document = `query Q${variables} { ${body} } ${fragments.join(" ")}`;
        const options = root === 'alerts' ? { path: ['edges', 'node'], needs: 'createdAt' } : {};
        const selection = selectionFor(document, { id: 'x', yes: true, no: false }, options);
        expect(selection).toBe(expectedNodeSelection(askEmptyObjects(tree, gatewayAlert), options.needs));
        const nodeDocument = alertOperation(root === 'alerts' ? 'alerts' : 'alert', selection);
        expect(validate(nodeSchema, parse(nodeDocument)).map((error) => error.message)).toEqual([]);
      }),
      { seed: 20261201, numRuns: 150, endOnFailure: true },
    );
  });
});
