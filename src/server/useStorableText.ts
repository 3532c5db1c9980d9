import { Kind, visit, type DocumentNode, type ExecutionArgs, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { validationFailed } from '../domain/alertInput.ts';

interface Issue {
  path: string;
  message: string;
}

/** NUL, or a UTF-16 surrogate without its other half. */
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL could not keep this text as sent, or null when it can. */
function problemOf(value: string): string | null {
  const found = unstorable.exec(value)?.[0];
  if (found === undefined) return null;
  if (found === '\u0000') return 'must not contain the NUL character (U+0000)';
  const code = `U+${found.charCodeAt(0).toString(16).toUpperCase()}`;
  return `must not contain ${code}, a lone surrogate: half of a character, which would be stored as U+FFFD`;
}

function check(value: string, path: string, issues: Issue[]): void {
  const message = problemOf(value);
  if (message) issues.push({ path, message });
}

function inValue(value: unknown, path: string, issues: Issue[]): void {
  if (typeof value === 'string') {
    check(value, path, issues);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => inValue(item, `${path}.${index}`, issues));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) inValue(item, `${path}.${key}`, issues);
  }
}

/**
 * Where each variable is used as an argument (or a field of one), so that an
 * issue names the field as parseInput does (`input.justification`), not the
 * variable; a variable used nowhere is named as such (`$name`).
 */
function inDocument(document: DocumentNode, issues: Issue[]): Map<string, string> {
  const uses = new Map<string, string>();
  const walk = (node: ValueNode, path: string) => {
    if (node.kind === Kind.STRING) {
      check(node.value, path, issues);
    } else if (node.kind === Kind.VARIABLE) {
      if (!uses.has(node.name.value)) uses.set(node.name.value, path);
    } else if (node.kind === Kind.LIST) {
      node.values.forEach((item, index) => walk(item, `${path}.${index}`));
    } else if (node.kind === Kind.OBJECT) {
      for (const field of node.fields) walk(field.value, `${path}.${field.name.value}`);
    }
  };
  visit(document, {
    Argument: (node) => walk(node.value, node.name.value),
    VariableDefinition: (node) => {
      if (node.defaultValue) walk(node.defaultValue, `$${node.variable.name.value}`);
      return false;
    },
  });
  return uses;
}

/** What a document says, once per document: Yoga's parser cache hands the same one to every request that sends it. */
const documents = new WeakMap<DocumentNode, { issues: Issue[]; uses: Map<string, string> }>();

function textIssues(args: ExecutionArgs): Issue[] {
  let known = documents.get(args.document);
  if (!known) {
    const found: Issue[] = [];
    known = { uses: inDocument(args.document, found), issues: found };
    documents.set(args.document, known);
  }
  const issues = [...known.issues];
  const { uses } = known;
  for (const [name, value] of Object.entries(args.variableValues ?? {})) inValue(value, uses.get(name) ?? `$${name}`, issues);
  return issues;
}

/**
 * Refuses, in any string of an operation, document or variables, before
 * anything runs, what PostgreSQL cannot store as sent: NUL (text and jsonb
 * refuse U+0000: an internal error in the database, or in the audit entry of
 * the operation) and a lone surrogate (stored as U+FFFD: the record would
 * silently say something other than what was sent). Every other character
 * rule is the field's own (domain/textInput.ts).
 */
export function useStorableText(): Plugin {
  const check = ({ args, setResultAndStopExecution }: { args: ExecutionArgs; setResultAndStopExecution: (result: never) => void }) => {
    const issues = textIssues(args);
    if (issues.length) setResultAndStopExecution({ errors: [validationFailed(issues)] } as never);
  };
  return { onExecute: check, onSubscribe: check };
}
