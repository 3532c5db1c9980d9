import { costLimitRule, type CostLimitOptions } from '@escape.tech/graphql-armor-cost-limit';
import { getOperationAST, getVariableValues, Kind, validate, visit, type DocumentNode, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The arguments graphql-armor multiplies a selection's cost by. */
const quantifiers = new Set(['first', 'last']);

/** Per document (Yoga's parser cache hands the same one to every request that sends it): whether a quantifier is a variable. */
const quantifiedByVariable = new WeakMap<DocumentNode, boolean>();

function hasVariableQuantifier(document: DocumentNode): boolean {
  let known = quantifiedByVariable.get(document);
  if (known === undefined) {
    known = false;
    visit(document, {
      Argument(node) {
        if (quantifiers.has(node.name.value) && node.value.kind === Kind.VARIABLE) known = true;
      },
    });
    quantifiedByVariable.set(document, known);
  }
  return known;
}

/**
 * graphql-armor's cost limit, for documents that give `first` or `last` as a
 * variable. Armor prices a document when it is validated, before variables
 * exist, and counts a variable page size as 1: `alerts(first: $n)` would cost
 * a hundredth of `alerts(first: 100)` and fetch as much. Here the same rule,
 * with the same options, prices the document with the values the operation
 * runs with (sent, or the variable's default) written in as literals, once
 * its variables are known: the cost of a document no longer depends on how
 * it spells its page size. A document without such a variable is armor's
 * alone, priced once and cached with its validation.
 */
export function useVariableCostLimit(options: Omit<CostLimitOptions, 'propagateOnRejection'>): Plugin {
  const check = ({ args, setResultAndStopExecution }: { args: ExecutionArgs; setResultAndStopExecution: (result: never) => void }) => {
    if (!hasVariableQuantifier(args.document)) return;
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return;
    const coerced = getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {});
    // Variables that do not coerce are refused by execution itself, with its own message.
    if (coerced.errors) return;
    const values = coerced.coerced;
    const priced = visit(args.document, {
      Argument(node) {
        if (!quantifiers.has(node.name.value) || node.value.kind !== Kind.VARIABLE) return undefined;
        const value = values[node.value.name.value];
        return Number.isSafeInteger(value) ? { ...node, value: { kind: Kind.INT, value: String(value) } } : undefined;
      },
    });
    let refusal: GraphQLError | undefined;
    validate(args.schema, priced, [
      costLimitRule({
        ...options,
        propagateOnRejection: false,
        onReject: [...(options.onReject ?? []), (_context, error) => (refusal = error)],
      }),
    ]);
    if (refusal) setResultAndStopExecution({ errors: [refusal] } as never);
  };
  return { onExecute: check, onSubscribe: check };
}
