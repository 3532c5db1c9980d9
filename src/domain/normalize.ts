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

/**
 * The matching key of a person's name, equal for the Albanian, Macedonian and
 * Serbian spellings of one name in Latin or Cyrillic script (Xhaferi, Џафери,
 * Džaferi, Dzaferi all give "ǄAFERI"). Officers of each agency write a name
 * the way their own documents and keyboards do: the key keeps only what all
 * of those spellings agree on.
 *
 * 1. Each letter is written in ASCII (`nameLetters`): Cyrillic by the official
 *    Macedonian romanisation, Serbian's extra letters by Serbian's own ASCII
 *    habit; Latin diacritics are folded as ASCII channels fold them (š → s,
 *    ž → z, č ć ç → c, ë → e), except where the mark makes another consonant
 *    whose ASCII spelling is a digraph (đ → dj, ǵ → gj, ḱ → kj).
 * 2. The letters, without spaces, dashes or anything else, are read as sounds (`nameSounds`): the
 *    digraphs of Albanian and of the romanisations become one token, so every
 *    spelling of a sound gives the same token. Unrelated letters are kept,
 *    vowels included: the key folds spellings, not names.
 * 3. Digraphs can overlap across tokens ("llj", "thh"): the key is read again
 *    until it is stable, so a key is its own key.
 *
 * Deliberate folds, because some common spelling cannot tell them apart:
 * - ć, č, c, Albanian ç and q, Cyrillic ц ч ћ ќ are one token C: ASCII
 *   writes ć and č as c ("Jovanovic", "Agim Ceku"), Macedonian writes Serbian
 *   ћ as ќ ("Вучиќ") and Albanian writes both as q ("Vuçiq", "Shaqiri" / "Шаќири").
 * - đ, Albanian gj, Macedonian ѓ/ǵ are one token Đ, by the same
 *   correspondences ("Gjuriq" / "Ѓуриќ" / "Đurić"). It stays apart from d: the
 *   Serbian ASCII spelling of đ is dj, and Dokić and Đokić are different names.
 * - dž, Albanian xh and x, Macedonian џ and ѕ are one token Ǆ: ASCII writes
 *   dž and ѕ alike as dz ("Dzeko"). Đ and Ǆ stay apart.
 * - Albanian ll and rr are l and r: Macedonian and Serbian write both l and ll
 *   as л ("Nikolla" / "Никола", "Millosheviq" / "Милошевиќ"). Slavic lj (љ)
 *   stays apart from l: Ljubić and Lubić are different names, and Albanian
 *   "Lleshi" is "Леши" in Macedonian, not "Љеши".
 * - Albanian dh and th are d and t ("Dhimitri" / "Димитри", "Thaçi" / "Тачи"),
 *   ë is e and y is i ("Ymeri" / "Имери"), as Macedonian and Serbian write them.
 *
 * What does not meet: stripping the stroke of đ ("Durovic" is not Đurović,
 * "Djurovic" is), letters outside these orthographies (ß, Russian я), and
 * spellings that add or drop letters (Gashi and Gashti, Stojanovski and
 * Stojanov stay apart).
 */
export function normalizeName(name: string): string {
  let key = readName(name);
  // A reading that changes a key merges two of its tokens, or turns "L Ǉ" into "L J", which the next reading
  // merges: at most twice as many readings as the key has characters reach the fixed point.
  for (let reading = 0, bound = 2 * key.length; reading <= bound; reading++) {
    const again = readName(key);
    if (again === key) break;
    key = again;
  }
  return key;
}

/**
 * Letters written in ASCII for the sound reading. Any letter not listed is its
 * base letter with its marks removed (š → s, ž → z, č → c, ë → e, ѐ → е).
 */
const nameLetters: Record<string, string> = {
  // Macedonian Cyrillic, by the official romanisation of North Macedonia (ASCII, as in its passports).
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', ѓ: 'gj', е: 'e', ж: 'zh', з: 'z', ѕ: 'dz', и: 'i', ј: 'j', к: 'k', л: 'l', љ: 'lj',
  м: 'm', н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't', ќ: 'kj', у: 'u', ф: 'f', х: 'h', ц: 'c', ч: 'ch', џ: 'dzh',
  ш: 'sh',
  // The Serbian Cyrillic letters Macedonian lacks, as Serbian writes them in ASCII (Ђорђевић → Djordjevic).
  ђ: 'dj', ћ: 'c',
  // Latin letters whose mark or stroke makes another consonant: Serbo-Croatian đ (and the look-alike eth
  // of Latin-1 systems), Macedonian scholarly ǵ and ḱ, and the one-character digraphs of Serbo-Croatian.
  đ: 'dj', ð: 'dj', ǵ: 'gj', ḱ: 'kj', ǆ: 'dz', ǉ: 'lj', ǌ: 'nj',
};

/** Sounds written with more than one letter, or with a letter that other orthographies spell otherwise. Longest first. */
const nameSounds: [spelling: string, token: string][] = [
  // dž: Macedonian romanisation dzh (џ), Albanian xh, ASCII dz for dž and for Macedonian ѕ, Albanian x (ѕ).
  ['dzh', 'Ǆ'], ['xh', 'Ǆ'], ['dz', 'Ǆ'],
  // ž, š, č: Albanian and Macedonian romanisation zh, sh, ch; their diacritic forms were folded to z, s, c.
  ['zh', 'Z'], ['sh', 'S'], ['ch', 'C'],
  // đ: Albanian and Macedonian romanisation gj (ѓ), Serbian ASCII dj (ђ).
  ['gj', 'Đ'], ['dj', 'Đ'],
  // ć: Macedonian romanisation kj (ќ); Albanian writes it q.
  ['kj', 'C'],
  // lj, nj: Serbian, Macedonian romanisation and Albanian (nj) alike.
  ['lj', 'Ǉ'], ['nj', 'Ǌ'],
  // Albanian dh, th (д, т in Macedonian and Serbian), ll, rr (л, р).
  ['dh', 'D'], ['th', 'T'], ['ll', 'L'], ['rr', 'R'],
  // Albanian single letters: x (ѕ), q (ќ, ć), y (и).
  ['x', 'Ǆ'], ['q', 'C'], ['y', 'I'],
];

/** One reading: letters to ASCII, everything else dropped, then read as sounds. */
function readName(name: string): string {
  // Separators are dropped before reading, so that "Abdul Rahman", "Abdul-Rahman" and "Abdulrahman" meet.
  return readSounds(Array.from(name.normalize('NFC').toLowerCase(), nameLetter).join('').replace(/[^\p{L}]/gu, ''));
}

function nameLetter(letter: string): string {
  const listed = nameLetters[letter];
  if (listed !== undefined) return listed;
  const base = letter.normalize('NFD').replace(/\p{M}/gu, '');
  // A letter that decomposes into several (Hangul) is kept whole: a key is never longer than its name.
  if (Array.from(base).length !== 1) return letter;
  return nameLetters[base] ?? base;
}

function readSounds(word: string): string {
  let key = '';
  for (let at = 0; at < word.length; ) {
    const sound = nameSounds.find(([spelling]) => word.startsWith(spelling, at));
    if (sound) {
      key += sound[1];
      at += sound[0].length;
      continue;
    }
    const letter = String.fromCodePoint(word.codePointAt(at)!);
    const upper = letter.toUpperCase();
    // Upper case that adds a letter (ß → SS) would make the key longer than its name: keep the letter.
    key += Array.from(upper).length === 1 ? upper : letter;
    at += letter.length;
  }
  return key;
}
