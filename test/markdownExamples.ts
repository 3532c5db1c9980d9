import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// What the README and docs/*.md show a reader, taken apart the way a reader
// copies it: fenced blocks by their language, GraphQL documents written inline,
// and the GraphQL carried in the JSON bodies of the shell commands.

/** The repository's root folder, where every command of the docs runs. */
export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/** README.md and every page of docs/, as paths from the repository root. */
export const markdownFiles = (): string[] => [
  'README.md',
  ...readdirSync(new URL('../docs/', import.meta.url))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

export const readMarkdown = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

/** A fenced block: its language and the words after it (```graphql node), and its text, unindented. */
export interface FencedBlock {
  file: string;
  line: number;
  language: string;
  info: string[];
  text: string;
}

// A fence may be indented (a block inside a list item); its lines lose that indentation.
const fence = /^( *)```([^\n`]*)\n([\s\S]*?)^\1```[ \t]*$/gm;

export function fencedBlocks(file: string, markdown = readMarkdown(file)): FencedBlock[] {
  return [...markdown.matchAll(fence)].map((match) => {
    const [language = '', ...info] = match[2]!.trim().split(/\s+/);
    const indent = match[1]!.length;
    const text = match[3]!
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n')
      .replace(/\n$/, '');
    return { file, line: markdown.slice(0, match.index).split('\n').length, language, info, text };
  });
}

/** The text outside fenced blocks. */
export const prose = (markdown: string) => markdown.replace(fence, '');

/** Which committed contract a GraphQL example is written against. */
export type ContractName = 'gateway' | 'node';

export interface GraphQLExample {
  where: string;
  contract: ContractName;
  document: string;
}

/**
 * Inline code that begins as a GraphQL document does (`{ field …`, or `query`,
 * `mutation`, `subscription`, `fragment` before a selection) is one, and is
 * checked like a block; a field written on its own (`access { tier }`) or a
 * keyword alone is a mention, not a document.
 */
const inlineDocument = /^(\{\s*[A-Za-z_]|(query|mutation|subscription|fragment)\b[^{]*\{)/;

/** The GraphQL in a shell command's JSON body: -d '{"query":"…"}'. */
const queryInJson = /"query"\s*:\s*("(?:[^"\\]|\\.)*")/g;

/**
 * Every GraphQL document a file shows: ```graphql blocks (```graphql node:
 * against the node contract), inline documents, and the queries inside the
 * JSON bodies (in single quotes) of ```sh blocks.
 */
export function graphqlExamples(file: string): GraphQLExample[] {
  const markdown = readMarkdown(file);
  const examples: GraphQLExample[] = [];
  for (const block of fencedBlocks(file, markdown)) {
    const where = `${file}:${block.line}`;
    if (block.language === 'graphql') examples.push({ where, contract: block.info.includes('node') ? 'node' : 'gateway', document: block.text });
    if (block.language === 'sh') {
      for (const match of block.text.matchAll(queryInJson)) {
        examples.push({ where, contract: 'gateway', document: JSON.parse(match[1]!) as string });
      }
    }
  }
  for (const match of prose(markdown).matchAll(/`([^`]+)`/g)) {
    const code = match[1]!.replace(/\s*\n\s*/g, ' ');
    const line = markdown.slice(0, markdown.indexOf(match[0])).split('\n').length;
    if (inlineDocument.test(code)) examples.push({ where: `${file}:${line}`, contract: 'gateway', document: code });
  }
  return examples;
}
