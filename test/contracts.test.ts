import { readFile } from 'node:fs/promises';
import { parse, validate } from 'graphql';
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

  for (const [name, document] of Object.entries(nodeOperations)) {
    it(`the gateway's "${name}" operation is valid against the node contract`, () => {
      expect(validate(nodeSchema, parse(document)).map((error) => error.message)).toEqual([]);
    });
  }
});
