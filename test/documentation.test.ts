import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { buildSchema, parse, validate, type GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { fencedBlocks, graphqlExamples, markdownFiles, prose, readMarkdown, repositoryRoot, type ContractName } from './markdownExamples.ts';

// What the README and docs/ show is what a partner copies: every GraphQL
// document in them must be one the committed contract accepts, and every link
// must lead somewhere.

/**
 * A committed contract as a schema. The SDL names its scalars but not what
 * they accept; the code serves graphql-scalars' Date and DateTime, so their
 * literals are checked as the gateway checks them ("…" is no DateTime).
 */
function contractSchema(contract: ContractName): GraphQLSchema {
  const schema = buildSchema(readFileSync(join(repositoryRoot, 'contracts', `${contract}.graphql`), 'utf8'));
  for (const [name, resolver] of Object.entries({ Date: DateResolver, DateTime: DateTimeResolver })) {
    const scalar = schema.getType(name) as GraphQLScalarType;
    scalar.parseLiteral = resolver.parseLiteral;
    scalar.parseValue = resolver.parseValue;
  }
  return schema;
}

const schemas: Record<ContractName, GraphQLSchema> = { gateway: contractSchema('gateway'), node: contractSchema('node') };

function problems(contract: ContractName, document: string): string[] {
  try {
    return validate(schemas[contract], parse(document)).map((error) => error.message);
  } catch (error) {
    return [(error as Error).message];
  }
}

describe('GraphQL in the README and docs/', () => {
  it('finds the documents: blocks, inline documents and the queries of shell commands', () => {
    const found = markdownFiles().flatMap(graphqlExamples);
    const readme = graphqlExamples('README.md');
    expect(readme.length).toBeGreaterThanOrEqual(4);
    expect(readme.some((example) => example.document.includes('createWatchEntry'))).toBe(true);
    expect(found.some((example) => example.document.startsWith('subscription'))).toBe(true);
  });

  it('refuses what a reader would be refused: an undeclared variable, a field that does not exist, a date that is none', () => {
    expect(problems('gateway', 'subscription { hits(after: $cursor) { cursor } }')).toEqual(['Variable "$cursor" is not defined.']);
    expect(problems('gateway', '{ alerts { totalCount sharingRules } }')).toHaveLength(1);
    expect(problems('gateway', 'mutation { revokeConsentGrant(id: "1", reason: "r") { revokedAt } createWatchEntry(input: { plate: "A", plateCountry: "XK", expiresAt: "…" }) { id } }')).toHaveLength(1);
  });

  it('says what each fenced block is: graphql (checked here), sh (run by test/walkThrough.test.ts), json or text', () => {
    const unknown = markdownFiles().flatMap((file) =>
      fencedBlocks(file)
        .filter((block) => !['graphql', 'sh', 'json', 'text'].includes(block.language))
        .map((block) => `${block.file}:${block.line} (${block.language || 'no language'})`),
    );
    expect(
      unknown,
      'fence each block with its language: ```graphql (```graphql node for the node contract), ```sh (then add a step for it in test/walkThrough.test.ts), ```json or ```text',
    ).toEqual([]);
  });

  for (const file of markdownFiles()) {
    for (const { where, contract, document } of graphqlExamples(file)) {
      it(`${where} is valid against contracts/${contract}.graphql: ${document.replace(/\s+/g, ' ').slice(0, 60)}`, () => {
        expect(
          problems(contract, document),
          `${where}: fix the example so contracts/${contract}.graphql accepts it (a reader copying it would be refused with these); if the contract changed on purpose, run npm run contracts:write`,
        ).toEqual([]);
      });
    }
  }
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe('links in the README and docs/', () => {
  for (const file of markdownFiles()) {
    it(`every link of ${file} leads to a file and heading that exist`, () => {
      const broken: string[] = [];
      for (const [, target] of prose(readMarkdown(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // another site: not this repository's to check
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const linked = path ? normalize(join(dirname(file), path)) : file;
        if (!existsSync(join(repositoryRoot, linked))) {
          broken.push(`${target}: no file ${linked}`);
          continue;
        }
        if (anchor === undefined) continue;
        const headings = [...prose(readMarkdown(linked)).matchAll(/^#+ (.+)$/gm)].map((match) => anchorOf(match[1]!));
        if (!headings.includes(anchor)) broken.push(`${target}: no heading #${anchor} in ${linked}`);
      }
      expect(broken, `${file}: fix these links (a file path relative to ${file}, a heading as GitHub makes its anchor)`).toEqual([]);
    });
  }
});
