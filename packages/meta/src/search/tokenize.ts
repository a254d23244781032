const STOP_WORDS = new Set(
  'a an and are as at be by can do does for from get has have how i if in into is it its me my of on or our please should so that the their them then there these this to use used using via want was we what when where which who will with would you your'.split(
    ' ',
  ),
);

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * Splits text into search terms: identifiers on `_`, `-`, `.`, `/` and camelCase; lower case; English stop words
 * dropped and words reduced to a stem; CJK runs (which have no spaces) as overlapping character bigrams.
 */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  const spaced = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  for (const run of spaced.split(/[^\p{L}\p{N}]+/u)) {
    if (!run) continue;
    if (CJK.test(run)) terms.push(...cjkTerms(run));
    else if (!STOP_WORDS.has(run)) terms.push(stem(run));
  }
  return terms;
}

/** Latin letters inside a CJK run stay words; the CJK characters become bigrams (and a lone one a unigram). */
function cjkTerms(run: string): string[] {
  const terms: string[] = [];
  for (const part of run.split(/([\u3400-\u9fff\uf900-\ufaff]+)/)) {
    if (!part) continue;
    if (!CJK.test(part)) {
      if (!STOP_WORDS.has(part)) terms.push(stem(part));
      continue;
    }
    if (part.length === 1) terms.push(part);
    for (let i = 0; i + 1 < part.length; i++) terms.push(part.slice(i, i + 2));
  }
  return terms;
}

/** A light English stemmer: enough to join "files"/"file", "searching"/"search", "created"/"create". */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  const rules: [RegExp, string][] = [
    [/ies$/, 'y'],
    [/(ss|us|is)$/, '$1'],
    [/([^s])s$/, '$1'],
    [/ied$/, 'y'],
    [/(.{3,})ing$/, '$1'],
    [/(.{3,})ed$/, '$1'],
    [/(.{3,})ly$/, '$1'],
    [/(.{3,})ment$/, '$1'],
    [/(.{3,})ation$/, '$1'],
    [/(.{3,})er$/, '$1'],
  ];
  for (const [pattern, replacement] of rules) {
    if (pattern.test(word)) return undouble(word.replace(pattern, replacement));
  }
  return word.replace(/e$/, '');
}

function undouble(word: string): string {
  return word.replace(/([^aeiouls])\1$/, '$1').replace(/e$/, '');
}
