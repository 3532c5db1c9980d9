/**
 * Normalisation of identifiers before they are stored or matched. Officers
 * read serials off worn metal and plates off moving cars, in Latin or
 * Cyrillic script: the same identifier must normalise to the same key.
 */

// Maps, not plain objects: the keys are characters of client input.

/** Cyrillic letters that look like Latin ones, as found on MK and RS documents and plates. */
const cyrillicLookAlikes = new Map(Object.entries({
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y',
  І: 'I', Ј: 'J', Ѕ: 'S',
}));

/** Characters that are misread for digits on stamped serial numbers. */
const serialLookAlikes = new Map(Object.entries({ O: '0', Q: '0', I: '1', L: '1', Z: '2', S: '5', B: '8' }));

function latinUpper(value: string): string {
  return Array.from(value.normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase(), (ch) => cyrillicLookAlikes.get(ch) ?? ch).join('');
}

/** Removes separators and folds case, script and look-alike characters. */
export function normalizeSerial(serial: string): string {
  return Array.from(latinUpper(serial).replace(/[^A-Z0-9]/g, ''), (ch) => serialLookAlikes.get(ch) ?? ch).join('');
}

/** Plates and document numbers keep their letters: only case, script and separators are folded. */
export function normalizeIdentifier(value: string): string {
  return latinUpper(value).replace(/[^A-Z0-9]/g, '');
}

/** Names folded for matching: diacritics and case removed, letters only ("Đurović" → "DUROVIC"). */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[Đđ]/g, 'D')
    .toUpperCase()
    .replace(/[^\p{L}]/gu, '');
}
