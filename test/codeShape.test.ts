import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fencedBlocks, repositoryRoot } from './markdownExamples.ts';

// The shape of src/ that keeps it readable: no module that, through others,
// imports itself (a reader cannot start anywhere, and the order of module
// initialisation decides what is undefined), and no file too long to hold in mind.

const sourceRoot = join(repositoryRoot, 'src');

/** The code of src/, as paths from the repository root; the generated Prisma clients are not ours to shape. */
function sourceFiles(dir = sourceRoot): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join(sourceRoot, 'generated') ? [] : sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative(repositoryRoot, path)] : [];
  });
}

/** Every module of src/ a file imports (type-only and dynamic imports included: each is a dependency a reader follows). */
function importsOf(file: string, known: Set<string>): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(repositoryRoot, file), 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(repositoryRoot, resolve(repositoryRoot, dirname(file), specifier)))
    .filter((path) => known.has(path));
}

/** The circles of a graph of imports: strongly connected components of more than one module, or a module importing itself (Tarjan). */
function circlesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file)!) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) circles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}

function importCircles(files: string[]): string[][] {
  const known = new Set(files);
  return circlesOf(new Map(files.map((file) => [file, importsOf(file, known)])));
}

/** The most lines a file of src/ may have: enough for one type or capability, few enough to read whole. */
const maxLines = 400;

/** Files allowed over the limit, and why. A file that no longer needs its place here must leave the list. */
const longFiles: Record<string, string> = {
  'src/demo/demoData.ts': 'data: the demo agencies, units and alerts, one literal',
};

const lineCount = (file: string) => readFileSync(join(repositoryRoot, file), 'utf8').trimEnd().split('\n').length;

describe('the shape of src/', () => {
  const files = sourceFiles();

  it('finds the code: every place of the layout, TypeScript and the console\u2019s browser modules', () => {
    for (const place of ['node', 'gateway', 'realtime', 'operations', 'console', 'picture', 'statistics', 'consent', 'audit', 'identity', 'domain', 'database', 'server', 'telemetry', 'demo', 'hub']) {
      expect(files.some((file) => file.startsWith(`src/${place}/`)), place).toBe(true);
    }
    expect(files).toContain('src/console/console.js');
    expect(files.some((file) => file.startsWith('src/generated/'))).toBe(false);
  });

  it('has no import circle', () => {
    expect(
      importCircles(files).map((circle) => circle.join(' ↔ ')),
      'these modules import each other (directly or through the others listed): move what both need into a module that imports neither, or pass it in',
    ).toEqual([]);
  });

  it('sees a circle where there is one: modules importing each other through others, and one importing itself', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
      ['f', ['d']],
    ]);
    expect(circlesOf(graph)).toEqual([['a', 'b', 'c'], ['e']]);
    // And reads the imports of a real file, type-only ones included.
    expect(importsOf('src/gateway/schema/domain.ts', new Set(files))).toEqual(expect.arrayContaining(['src/domain/schema/addDomainTypes.ts']));
  });

  it(`has no file over ${maxLines} lines but the listed exceptions, and no exception that has become needless`, () => {
    const tooLong = files.filter((file) => lineCount(file) > maxLines && !(file in longFiles)).map((file) => `${file}: ${lineCount(file)} lines`);
    expect(
      tooLong,
      `split these along real seams (a type, a capability, a step of its own, each file named after what it exports); only data and generated code may stay long, listed in longFiles of test/codeShape.test.ts with why`,
    ).toEqual([]);
    const needless = Object.keys(longFiles).filter((file) => !files.includes(file) || lineCount(file) <= maxLines);
    expect(needless, `these are gone or now ${maxLines} lines or fewer: remove them from longFiles in test/codeShape.test.ts`).toEqual([]);
  });
});

/** The entries of src/ that docs/development.md's layout names: its lines indented once under `src/`. */
function layoutEntries(): string[] {
  const block = fencedBlocks('docs/development.md').find((candidate) => candidate.language === 'text' && candidate.text.startsWith('src/\n'));
  if (!block) throw new Error('docs/development.md has no layout block (a ```text block starting with src/)');
  const entries: string[] = [];
  for (const line of block.text.split('\n').slice(1)) {
    if (!line.startsWith('  ')) break; // the end of src/: contracts/, prisma/ and the rest of the repository follow
    const entry = /^ {2}(\S+)/.exec(line)?.[1];
    if (entry) entries.push(entry);
  }
  return entries;
}

describe('the layout in docs/development.md', () => {
  it('names every folder and file at the top of src/, and nothing that is not there', () => {
    const present = readdirSync(sourceRoot, { withFileTypes: true }).map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name));
    const named = layoutEntries();
    expect(
      present.filter((entry) => !named.includes(entry)),
      'add a line to the layout in docs/development.md for each: the place, and in a few words what it holds',
    ).toEqual([]);
    expect(
      named.filter((entry) => !present.includes(entry)),
      'the layout in docs/development.md names these, which src/ no longer has: remove or rename their lines',
    ).toEqual([]);
  });
});
