import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isScalarType,
  Kind,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { auditedInput, type AuditedInput } from '../domain/schema/auditedInputs.ts';
import type { JsonValue, TermDigest } from './auditEntry.ts';
import { termDigest, type DigestKey, type TermKind } from './termDigests.ts';

/** What an entry keeps of an operation's inputs. */
export interface AuditedVariables {
  /** The variables the schema lets the log keep in clear; null when there are none. */
  variables: JsonValue;
  /** Keyed digests of the search terms and personal identifiers, in the variables or written in the document. */
  digests: TermDigest[];
}

// Kept in clear without a listing: never personal data in these schemas (see auditedInputs.ts).
const clearScalars = new Set(['Int', 'Float', 'Boolean', 'ID', 'DateTime']);

/** The policy of a leaf at a position; an unlisted text is a TEXT digest, never clear. */
function leafPolicy(position: string | undefined, typeName: string): AuditedInput {
  if (clearScalars.has(typeName)) return 'CLEAR';
  if (position === undefined) return 'TEXT';
  const dot = position.lastIndexOf('#');
  return auditedInput(position.slice(0, dot), position.slice(dot + 1)) ?? 'TEXT';
}

/**
 * Splits an operation's inputs into what its audit entry may keep in clear
 * and the keyed digests of the rest, by the schema: each value is looked up
 * by the input field or argument it is given to (see auditedInputs.ts).
 * Variables are walked along their declared types; a value that does not fit
 * its type (the operation will be refused for it), an unknown field or a
 * variable the operation does not declare is left out altogether. String
 * literals written in the document are digested too (the document itself is
 * logged only as its hash).
 */
export function auditVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Record<string, unknown> | null | undefined,
  key: DigestKey,
): AuditedVariables {
  const digests: TermDigest[] = [];
  const digest = (path: string, kind: TermKind, value: unknown) => {
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    if (text !== null && text.trim() !== '') digests.push({ path, kind, digest: termDigest(key, kind, text) });
  };
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return { variables: null, digests };

  const walked = walkDocument(schema, document, operation, operationName ?? '');
  for (const literal of walked.literals) digest(literal.path, literal.kind, literal.value);
  const usages = walked.usages;
  const clear: Record<string, JsonValue> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (!variableValues || !Object.hasOwn(variableValues, name)) continue;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    if (!type) continue;
    // A scalar variable takes the strictest policy of the positions it is given to.
    const kept = walk(type, variableValues[name], name, strictest(usages.get(name) ?? [], type), digest);
    if (kept !== undefined) clear[name] = kept;
  }
  return { variables: Object.keys(clear).length ? clear : null, digests };
}

/** What an operation's document says for its entry, whatever the variables: where each variable goes, and its string literals. */
interface DocumentWalk {
  usages: Map<string, string[]>;
  /** The literals at positions that are not clear, to be digested. */
  literals: { path: string; kind: TermKind; value: string }[];
}

/** Per schema and document (Yoga's parser cache hands every request of a document the same one), per operation name. */
const walks = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, DocumentWalk>>>();

function walkDocument(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, operationName: string): DocumentWalk {
  let bySchema = walks.get(schema);
  if (!bySchema) walks.set(schema, (bySchema = new WeakMap()));
  let byName = bySchema.get(document);
  if (!byName) bySchema.set(document, (byName = new Map()));
  const known = byName.get(operationName);
  if (known) return known;
  const literals: DocumentWalk['literals'] = [];
  // Where each variable is used, and the string literals at positions that are not clear. Only needed
  // for variables of a scalar type (an input object's fields say where they go) and for literals,
  // which a document without a quote has none of: most operations skip the walk of their document.
  const usages = new Map<string, string[]>();
  const needsPositions =
    document.loc?.source.body.includes('"') !== false ||
    (operation.variableDefinitions ?? []).some((definition) => !isInputObjectType(getNamedType(typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined)));
  const typeInfo = new TypeInfo(schema);
  const positions: string[] = [];
  if (needsPositions) visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument: {
        enter(node) {
          const directive = typeInfo.getDirective();
          const owner = directive ? `@${directive.name}` : `${typeInfo.getParentType()?.name ?? '?'}.${typeInfo.getFieldDef()?.name ?? '?'}`;
          positions.push(`${owner}#${node.name.value}`);
        },
        leave: () => void positions.pop(),
      },
      ObjectField: {
        enter(node) {
          const parent = typeInfo.getParentInputType();
          positions.push(`${parent ? getNamedType(parent).name : '?'}#${node.name.value}`);
        },
        leave: () => void positions.pop(),
      },
      Variable(node) {
        const position = positions.at(-1);
        if (position) usages.set(node.name.value, [...(usages.get(node.name.value) ?? []), position]);
      },
      StringValue(node) {
        const position = positions.at(-1);
        const type = typeInfo.getInputType();
        const policy = leafPolicy(position, type ? getNamedType(type).name : 'String');
        if (policy !== 'CLEAR' && policy !== 'DROP') literals.push({ path: `(document) ${position?.replace('#', '.') ?? ''}`, kind: policy, value: node.value });
      },
    }),
  );

  const walked: DocumentWalk = { usages, literals };
  byName.set(operationName, walked);
  return walked;
}

const strictness: AuditedInput[] = ['CLEAR', 'DROP'];

/** Of the positions a variable is used at, the one that keeps least in clear. */
function strictest(positions: readonly string[], type: GraphQLInputType): string | undefined {
  const named = getNamedType(type).name;
  return [...positions].sort((a, b) => rank(leafPolicy(b, named)) - rank(leafPolicy(a, named)))[0];
}
const rank = (policy: AuditedInput) => (strictness.includes(policy) ? strictness.indexOf(policy) : strictness.length);

type Digest = (path: string, kind: TermKind, value: unknown) => void;

/** The part of `value` kept in clear (undefined: nothing), digesting what is not. */
function walk(type: GraphQLInputType, value: unknown, path: string, position: string | undefined, digest: Digest): JsonValue | undefined {
  if (value === null) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    const kept = items.map((item, index) => walk(nullable.ofType, item, `${path}.${index}`, position, digest));
    return kept.every((item) => item === undefined) ? undefined : kept.map((item) => item ?? null);
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object' || Array.isArray(value)) return undefined;
    const fields = nullable.getFields();
    const kept: Record<string, JsonValue> = {};
    for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
      const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
      if (!field) continue;
      const inner = walk(field.type, member, `${path}.${name}`, `${nullable.name}#${name}`, digest);
      if (inner !== undefined) kept[name] = inner;
    }
    return kept;
  }
  if (isEnumType(nullable)) return typeof value === 'string' ? value : undefined;
  if (!isScalarType(nullable)) return undefined;
  const policy = leafPolicy(position, nullable.name);
  if (policy === 'CLEAR') return typeof value === 'object' ? undefined : (value as JsonValue);
  if (policy !== 'DROP') digest(path, policy, value);
  return undefined;
}
