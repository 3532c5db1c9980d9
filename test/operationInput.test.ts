import { describe, expect, it } from 'vitest';
import { parseInput } from '../src/domain/alertInput.ts';
import {
  createJointOperationInput,
  jointOperationFilter,
  operationMemberInput,
  operationStatusChangeInput,
  timelineEntryInput,
} from '../src/operations/operationInput.ts';

// Joint-operation text is read by both agencies' officers and by auditors, as
// alerts are: it follows the same rules (src/domain/textInput.ts), not a
// weaker copy of them.

const operation = {
  code: 'XK-MK-JO-2026-31',
  codeName: 'SHPATA',
  objective: 'Stop the trafficking of pistols through Hani i Elezit / Blace.\nSecond paragraph: ammunition.',
  legalBasis: 'Marrëveshja për bashkëpunim policor, neni 12.',
  leadAgency: 'XK',
  participatingAgencies: ['XK', 'MK'],
  area: { borderCrossings: ['HANI_I_ELEZIT_BLACE'], greenBorderSectors: ['Сектор Блаце'], municipalities: ['Čučer-Sandevo'] },
  plannedStart: new Date('2026-12-01T06:00:00Z'),
  plannedEnd: new Date('2026-12-20T18:00:00Z'),
  partnerLiaisons: [{ officerSub: 'mk.liaison.nikola.trajkovski', agency: 'MK', unitCode: 'MK-LIAISON' }],
};
const member = { officerSub: 'xk.bp.arben.berisha', agency: 'XK', unitCode: 'XK-BP-HANI', role: 'MEMBER' };
const entry = { kind: 'NOTE', occurredAt: new Date('2026-12-02T07:00:00Z'), text: 'Checkpoint set up.\nQuiet morning.' };

/** Every text field an officer types into a joint operation: the schema, a valid input, and where the field is in it. */
const fields = [
  { schema: createJointOperationInput, input: operation, path: ['codeName'], multiline: false },
  { schema: createJointOperationInput, input: operation, path: ['objective'], multiline: true },
  { schema: createJointOperationInput, input: operation, path: ['legalBasis'], multiline: true },
  { schema: createJointOperationInput, input: operation, path: ['area', 'greenBorderSectors', 0], multiline: false },
  { schema: createJointOperationInput, input: operation, path: ['area', 'municipalities', 0], multiline: false },
  { schema: createJointOperationInput, input: operation, path: ['partnerLiaisons', 0, 'officerSub'], multiline: false },
  { schema: createJointOperationInput, input: operation, path: ['partnerLiaisons', 0, 'unitCode'], multiline: false },
  { schema: operationMemberInput, input: member, path: ['officerSub'], multiline: false },
  { schema: operationMemberInput, input: member, path: ['unitCode'], multiline: false },
  { schema: timelineEntryInput, input: entry, path: ['text'], multiline: true },
  { schema: operationStatusChangeInput, input: { status: 'CLOSED', reason: 'Objectives met.' }, path: ['reason'], multiline: true },
  { schema: jointOperationFilter, input: { greenBorderSector: 'Sector Kaçanik' }, path: ['greenBorderSector'], multiline: false },
  { schema: jointOperationFilter, input: { municipality: 'Hani i Elezit' }, path: ['municipality'], multiline: false },
] as const;

/** The input with the value at `path` replaced by `change` of it. */
function withField(input: unknown, path: readonly (string | number)[], change: (value: string) => string): unknown {
  const copy = structuredClone(input) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  at[last] = change(String(at[last]));
  return copy;
}

function refusal(schema: (typeof fields)[number]['schema'], input: unknown) {
  try {
    parseInput(schema, input);
  } catch (error) {
    return error as { message: string; extensions: { code: string; issues: { path: string }[] } };
  }
  return null;
}

const disguising = [
  ['a right-to-left override', '\u202e'],
  ['a left-to-right embedding', '\u202a'],
  ['a first-strong isolate', '\u2068'],
  ['a right-to-left mark', '\u200f'],
  ['an Arabic letter mark', '\u061c'],
  ['a zero-width space', '\u200b'],
  ['a word joiner', '\u2060'],
  ['a byte-order mark', '\ufeff'],
  ['a C1 control (CSI)', '\u009b'],
  ['a line separator', '\u2028'],
  ['an escape', '\u001b'],
] as const;

describe('joint-operation text follows the text rules of every record', () => {
  it('accepts the valid inputs as they are, in Albanian, Macedonian and Serbian spellings', () => {
    for (const { schema, input } of fields) expect(refusal(schema, input)).toBeNull();
  });

  for (const [what, character] of disguising) {
    it(`refuses ${what} in every text field, naming the field and the character`, () => {
      const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      for (const { schema, input, path } of fields) {
        const error = refusal(schema, withField(input, path, (value) => `${value.slice(0, 3)}${character}${value.slice(3)}`));
        expect(error, `${path.join('.')} took ${what}`).not.toBeNull();
        expect(error!.extensions.code).toBe('VALIDATION_FAILED');
        expect(error!.extensions.issues.map((issue) => issue.path)).toEqual([['input', ...path].join('.')]);
        expect(error!.message).toContain(code);
      }
    });
  }

  it('keeps line breaks and the zero-width joiner to free text; a single-line field refuses them', () => {
    for (const { schema, input, path, multiline } of fields) {
      for (const inserted of ['\n', '\t', '\u200d']) {
        const error = refusal(schema, withField(input, path, (value) => `${value.slice(0, 3)}${inserted}${value.slice(3)}`));
        expect(error === null, `${path.join('.')} with ${JSON.stringify(inserted)}`).toBe(multiline);
      }
    }
  });
});
