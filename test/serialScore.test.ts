import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../src/database/createPrismaClient.ts';
import { matchOfScore, similarityTerm, similarScoreCap, wildcardScore } from '../src/node/records/searchRecords.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

// A serial's score is written once, in SQL (node.serial_score, migration
// 0014), for the search (node.serial_candidates) and for watch matching; the
// application reads it back into EXACT, PARTIAL or SIMILAR with its own two
// constants. This pins the two sides together: for generated serials and keys,
// the match read from the SQL score is the one the definition gives, worked
// out here without the database, and the score is where the constants say.

let database: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  database = await createTestDatabase('serial_score');
  prisma = createPrismaClient({ databaseUrl: database.applicationUrl });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.[Symbol.asyncDispose]();
});

const char = fc.constantFrom(...'0123456789ACKM');
const serial = fc.array(char, { minLength: 4, maxLength: 12 }).map((c) => c.join(''));
/** A key for a serial: itself, one character off, some characters unreadable, or another serial. */
const keyFor = (value: string) =>
  fc.oneof(
    fc.constant(value),
    fc.tuple(fc.nat({ max: value.length - 1 }), char).map(([at, c]) => value.slice(0, at) + c + value.slice(at + 1)),
    fc.uniqueArray(fc.nat({ max: value.length - 1 }), { minLength: 1, maxLength: Math.floor(value.length / 2) }).map((at) => [...value].map((c, i) => (at.includes(i) ? '_' : c)).join('')),
    serial,
  );
/** What the definition says, without the database: the serial itself, every readable character, or neither. */
const expectedMatch = (value: string, key: string) =>
  value === key ? 'EXACT' : value.length === key.length && [...key].every((c, i) => c === '_' || c === value[i]) ? 'PARTIAL' : 'SIMILAR';

describe('the serial score, one definition in SQL read back by the application', () => {
  it('scores 1 the serial itself, the wildcard score every readable character, and similarity capped below both otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(serial.chain((value) => fc.tuple(fc.constant(value), keyFor(value))), async ([value, key]) => {
        const [row] = await prisma.$queryRaw<{ score: number; similarity: number }[]>`
          select node.serial_score(${value}, ${key}, ${wildcardScore}::float8, ${similarScoreCap}::float8) as score,
                 similarity(${value}, ${similarityTerm(key)})::float8 as similarity`;
        const { score, similarity } = row!;
        const match = expectedMatch(value, key);
        expect(matchOfScore(score), `${value} against ${key}: ${score}`).toBe(match);
        if (match === 'EXACT') expect(score).toBe(1);
        if (match === 'PARTIAL') expect(score).toBe(wildcardScore);
        // The trigram similarity to the term the search sends (spaces for `_`, trimmed): the same as to the key.
        if (match === 'SIMILAR') expect(score).toBeCloseTo(Math.min(similarity, similarScoreCap), 6);
      }),
      { seed: 20_261_215, numRuns: 400 },
    );
  });

  it('never scores a different serial as the serial itself, even when it has all its trigrams (watch matching did, uncapped)', async () => {
    for (const [value, key] of [['AAAAA', 'AAAA'], ['1111111', '111111'], ['AAAA', 'AAAAA']] as const) {
      const [row] = await prisma.$queryRaw<{ score: number; similarity: number }[]>`
        select node.serial_score(${value}, ${key}, ${wildcardScore}::float8, ${similarScoreCap}::float8) as score, similarity(${value}, ${key})::float8 as similarity`;
      expect(row!.similarity, `${value} ~ ${key}`).toBe(1);
      expect(row!.score, `${value} against ${key}`).toBe(similarScoreCap);
      expect(matchOfScore(row!.score)).toBe('SIMILAR');
    }
  });
});
