import {
  getNullableType,
  isInputObjectType,
  isListType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLResolveInfo,
} from 'graphql';

/** Serialises one parsed input value back to its wire form, following its GraphQL type. */
function toWire(value: unknown, type: GraphQLInputType): unknown {
  if (value === null || value === undefined) return value ?? null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    return (Array.isArray(value) ? value : [value]).map((item) => toWire(item, nullable.ofType));
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([name]) => name in fields)
        .map(([name, field]) => [name, toWire(field, fields[name]!.type)]),
    );
  }
  if (isScalarType(nullable)) {
    const serialized = nullable.serialize(value);
    return serialized instanceof Date ? serialized.toISOString() : serialized;
  }
  return value; // enums travel as their names
}

/**
 * Turns a field's parsed arguments back into wire values for a node call,
 * using the scalars' own serialisation (a `Date` becomes "2026-11-23", a
 * `DateTime` an ISO instant), since the node parses them again.
 */
export function forwardArguments<Args extends object>(
  info: GraphQLResolveInfo,
  args: Args,
  names: readonly (keyof Args & string)[],
): Record<string, unknown> {
  const field = info.parentType.getFields()[info.fieldName];
  const forwarded: Record<string, unknown> = {};
  for (const name of names) {
    const definition = field?.args.find((arg) => arg.name === name);
    if (!definition) throw new Error(`field ${info.fieldName} has no argument ${name}`);
    forwarded[name] = toWire((args as Record<string, unknown>)[name], definition.type);
  }
  return forwarded;
}
