import { readFile } from 'node:fs/promises';
import { isNonNullType, parse, validate, type GraphQLObjectType } from 'graphql';
import { agreement, tierOfAlertField } from '../src/consent/agreement.ts';
import { gatewaySchema } from '../src/gateway/schema/index.ts';
import { describe, expect, it } from 'vitest';
import { contractsDir, printContract, schemaContracts } from '../src/contracts.ts';
import { nodeOperations } from '../src/gateway/nodeOperations.ts';
import { nodeSchema } from '../src/node/schema/index.ts';

describe('committed contracts', () => {
  for (const { file, schema, title } of schemaContracts) {
    it(`contracts/${file} is the schema the code serves (run "npm run contracts:write" after a deliberate change)`, async () => {
      const committed = await readFile(`${contractsDir}${file}`, 'utf8');
      expect(printContract(schema, title)).toBe(committed);
    });
  }

  for (const [name, schema] of [
    ['node', nodeSchema],
    ['gateway', gatewaySchema],
  ] as const) {
    it(`the ${name} Alert type releases fields exactly as the exchange agreement assigns them to tiers`, () => {
      const alert = schema.getType('Alert') as GraphQLObjectType;
      for (const [field, definition] of Object.entries(alert.getFields())) {
        const tier = tierOfAlertField(field, agreement);
        const ownerOnly = agreement.ownerOnlyAlertFields.includes(field);
        expect(tier !== undefined || ownerOnly, `Alert.${field} is in no tier of the agreement`).toBe(true);
        // A field above HIT may be withheld, so the schema must let it be null.
        if (ownerOnly || (tier && tier !== 'HIT')) expect(isNonNullType(definition.type), `Alert.${field} must be nullable`).toBe(false);
      }
      const listed = Object.values(agreement.tiers).flatMap((entry) => entry.alertFields);
      const both = listed.filter((field) => !['localId', 'owner', 'id'].includes(field));
      for (const field of both) expect(alert.getFields()[field], `agreement field ${field} missing from ${name} Alert`).toBeDefined();
    });
  }

  for (const [name, document] of Object.entries(nodeOperations)) {
    it(`the gateway's "${name}" operation is valid against the node contract`, () => {
      expect(validate(nodeSchema, parse(document)).map((error) => error.message)).toEqual([]);
    });
  }
});
