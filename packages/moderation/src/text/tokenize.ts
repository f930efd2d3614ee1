/** Word tokens for the text classifiers: lowercase, letters/digits, URLs/money/numbers collapsed. */

const STOP = new Set(
  'a an and are as at be but by for from has have he her his i in is it its of on or our she so that the their them they this to was we were will with you your'.split(
    ' ',
  ),
);

/** Tokens of `text`, with placeholder tokens for URLs, e-mail addresses, money and long numbers. */
export function tokenize(text: string): string[] {
  const normalized = text
    .toLowerCase()
    .replace(/\b(?:https?:\/\/|www\.)\S+/g, ' __url__ ')
    .replace(/\b[\w.+-]+@[\w-]+\.[\w.]+\b/g, ' __email__ ')
    .replace(/[$£€]\s?\d[\d,.]*/g, ' __money__ ')
    .replace(/\b\d{5,}\b/g, ' __longnum__ ');
  const out: string[] = [];
  for (const raw of normalized.split(/[^a-z0-9_']+/)) {
    const t = raw.replace(/^'+|'+$/g, '');
    // "__proto__" cannot survive a JSON/zod round trip as a record key: not a word anyway.
    if (t.length < 2 || t.length > 30 || STOP.has(t) || t === '__proto__') continue;
    out.push(t);
  }
  return out;
}
