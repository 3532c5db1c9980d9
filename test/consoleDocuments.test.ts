import { buildSchema, getNamedType, isObjectType, Kind, parse, print, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documents, purposes } from '../src/console/consoleDocuments.js';
import { pictureQuery } from '../src/picture/pictureData.js';
import { loadTrustedDocuments } from '../src/gateway/trustedDocuments.ts';

// The console's operations are agreed documents (contracts/trusted-documents.graphql),
// so a hub that runs trusted documents only has a console; and they are fixed, as
// production answers no introspection: each must select what the API offers.

const contract = buildSchema(readFileSync(new URL('../contracts/gateway.graphql', import.meta.url), 'utf8'));
const trusted = new Map([...loadTrustedDocuments()].map(([, document]) => [(parse(document).definitions[0] as { name?: { value: string } }).name?.value, document]));

describe("the console's operations", () => {
  it('are each the agreed trusted document of the same name, and every agreed console document is used', () => {
    for (const [name, document] of Object.entries(documents)) {
      expect(print(parse(document)), name).toBe(trusted.get(name));
    }
    expect([...trusted.keys()].filter((name) => name?.startsWith('Console')).sort()).toEqual(Object.keys(documents).sort());
  });

  it('select every field of an audit entry and of what it names, so that the entry opened and the export are whole', () => {
    const missing: string[] = [];
    const check = (type: GraphQLObjectType, selection: SelectionSetNode | undefined, path: string) => {
      const selected = new Map((selection?.selections ?? []).flatMap((node) => (node.kind === Kind.FIELD ? [[node.name.value, node]] : [])));
      for (const field of Object.values(type.getFields())) {
        const node = selected.get(field.name);
        if (!node) missing.push(`${path}.${field.name}`);
        const named = getNamedType(field.type);
        if (node && isObjectType(named)) check(named, node.selectionSet, `${path}.${field.name}`);
      }
    };
    const entries = parse(documents.ConsoleAuditEntries!);
    const node = JSON.parse(JSON.stringify(entries)) as any;
    const edges = node.definitions[0].selectionSet.selections[0].selectionSet.selections.find((s: any) => s.name.value === 'edges');
    check(contract.getType('AuditEntry') as GraphQLObjectType, edges.selectionSet.selections[0].selectionSet, 'AuditEntry');
    expect(missing).toEqual([]);
  });

  it("include the joint picture's one operation, agreed under its name, so that a hub of trusted documents only has a picture", () => {
    expect(print(parse(pictureQuery))).toBe(trusted.get('PictureJointPicture'));
    expect([...trusted.keys()].filter((name) => name?.startsWith('Picture'))).toEqual(['PictureJointPicture']);
  });

  it('offer the purposes of the API', () => {
    const values = (contract.getType('Purpose') as unknown as { getValues(): { name: string }[] }).getValues().map((value) => value.name);
    expect([...purposes].sort()).toEqual(values.sort());
  });
});
