/**
 * Splits a command line into words the way a POSIX shell would for a simple command: whitespace separates words,
 * single quotes keep everything, double quotes keep everything but `\"` and `\\`, a backslash escapes the next
 * character. No globbing, variables or operators: those need `sh -c` spelled out in the config.
 */
export function shellSplit(line: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return { error: `unterminated ${quote === "'" ? 'single' : 'double'} quote` };
  if (inWord) words.push(word);
  return { words };
}
