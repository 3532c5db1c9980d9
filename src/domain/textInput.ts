import { z } from 'zod';

/**
 * What text an officer may type, per kind of field. Records are read by
 * partner officers and by auditors; characters that change how text is shown
 * without being seen are a known way to make a record or a log entry say
 * something other than what it stores (Trojan Source, CVE-2021-42574).
 *
 * - Everywhere: no C0 controls (except tab and line breaks in free text),
 *   no DEL, no C1 controls (U+0080–U+009F), no bidirectional formatting
 *   characters (embeddings, overrides, isolates, marks), no invisible
 *   characters (zero-width space, word joiner, byte-order mark), no line or
 *   paragraph separators. The hub's languages (Albanian, Macedonian,
 *   Serbian, English) are written left to right and need none of them.
 * - Single-line text (titles, names, makes, models, places, units): also no
 *   tab or line break, and no zero-width joiner or non-joiner.
 * - Free text (modus operandi, questions, answers, justifications,
 *   reasons): tab and line breaks, and the zero-width joiner and non-joiner
 *   (U+200C, U+200D), which some scripts and emoji sequences need to be
 *   spelt right, say in a quoted message; they cannot reorder or hide text.
 */
const kinds: [RegExp, string][] = [
  [/[\u0000-\u001F\u007F]/u, 'a control character'],
  [/[\u0080-\u009F]/u, 'a C1 control character'],
  [/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u, 'a bidirectional formatting character'],
  [/[\u200B-\u200D\u2060\uFEFF]/u, 'an invisible character'],
  [/[\u2028\u2029]/u, 'a line or paragraph separator'],
];

/** Characters free text may hold that single-line text may not. */
const freeTextOnly = /[\t\n\r\u200C\u200D]/u;

const codePoint = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a text is refused, naming its first refused character, or null when it is fine. */
export function refusedCharacter(value: string, multiline: boolean): string | null {
  for (const character of value) {
    if (multiline && freeTextOnly.test(character)) continue;
    const kind = kinds.find(([pattern]) => pattern.test(character));
    if (kind) return `must not contain ${codePoint(character)}, ${kind[1]}: control, bidirectional and invisible characters are refused${multiline ? '' : ' (so are line breaks here)'}`;
  }
  return null;
}

function checked(max: number, multiline: boolean) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = refusedCharacter(value, multiline);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** A title, name, make, model, place or unit: one line of visible text. */
export const lineText = (max: number) => checked(max, false);

/** Free text: several lines, for what officers write in sentences. */
export const freeText = (max: number) => checked(max, true);

/** The reason given for a decision (a consent decision, a revocation, a status change): what the other side and the auditors read. */
export const reasonText = freeText(2000).pipe(z.string().min(3, 'must give a reason'));
