/**
 * Hand-written spam/ad signals for captions: links, phone numbers, contact-me and promo phrases,
 * crypto/giveaway bait. Each found signal carries the matched text as evidence.
 */

/** Kinds of signal, each with its own weight in the spam score. */
export type SpamSignalKind =
  | 'url'
  | 'url-shortener'
  | 'phone'
  | 'email'
  | 'contact-me'
  | 'promo'
  | 'crypto-giveaway'
  | 'shouting';

/** One piece of evidence. */
export interface SpamSignal {
  kind: SpamSignalKind;
  /** The matched caption text. */
  text: string;
  start: number;
}

/**
 * Probability-like weight of one signal of each kind, combined by noisy-OR: a lone link is weak
 * evidence (people share links), a link plus "DM me" plus "free" is strong.
 */
export const SPAM_SIGNAL_WEIGHTS: Readonly<Record<SpamSignalKind, number>> = {
  url: 0.3,
  'url-shortener': 0.45,
  phone: 0.35,
  email: 0.2,
  'contact-me': 0.35,
  promo: 0.25,
  'crypto-giveaway': 0.5,
  shouting: 0.15,
};

const SHORTENERS =
  /\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|buff\.ly|cutt\.ly|rb\.gy|t\.me|wa\.me)\/\S+/gi;
const URL =
  /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b[a-z0-9-]{2,}\.(?:com|net|org|io|co|xyz|shop|store|biz|info|ru|top|site|online|me|link|click)\b(?:\/[^\s<>"]*)?/gi;
const EMAIL = /\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b/gi;
// International or North-American style numbers with at least 9 digits; dates and prices have fewer.
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b/g;
const CONTACT =
  /\b(?:dm\s*me|dm\s*for|inbox\s*me|message\s*me|text\s*me|pm\s*me|hit\s*me\s*up|whats\s*app|whatsapp|telegram|link\s*in\s*(?:my\s*)?bio|check\s*(?:my\s*)?bio|contact\s*(?:us|me))\b/gi;
const PROMO =
  /\b(?:free|click\s*here|limited\s*(?:time|offer)|act\s*now|buy\s*now|order\s*now|discount|promo\s*code|coupon|(?:\d{2,3}\s*%|percent)\s*off|cheap|best\s*price|make\s*money|earn\s*\$?\d+|work\s*from\s*home|winner|you\s*(?:have\s*)?won|claim\s*(?:your|now)|prize|guaranteed|follow\s*back|followers|subscribe|sign\s*up\s*now)\b/gi;
const CRYPTO =
  /\b(?:crypto|bitcoin|btc|eth(?:ereum)?|usdt|nft|airdrop|giveaway|give\s*away|double\s*your|investment\s*(?:plan|opportunity)|forex|binary\s*options|wallet\s*address|send\s*\d+(?:\.\d+)?\s*(?:btc|eth))\b/gi;

function collect(text: string, re: RegExp, kind: SpamSignalKind, out: SpamSignal[]): void {
  for (const m of text.matchAll(re)) out.push({ kind, text: m[0], start: m.index });
}

/** Every spam signal in `text`, in order of position. */
export function extractSpamSignals(text: string): SpamSignal[] {
  const out: SpamSignal[] = [];
  collect(text, SHORTENERS, 'url-shortener', out);
  const shortenerStarts = new Set(out.map((s) => s.start));
  const emails: SpamSignal[] = [];
  collect(text, EMAIL, 'email', emails);
  out.push(...emails);
  const inEmail = (start: number): boolean =>
    emails.some((e) => start >= e.start && start < e.start + e.text.length);
  for (const m of text.matchAll(URL)) {
    if (!shortenerStarts.has(m.index) && !inEmail(m.index))
      out.push({ kind: 'url', text: m[0], start: m.index });
  }
  for (const m of text.matchAll(PHONE)) {
    if ((m[0].match(/\d/g) ?? []).length >= 9)
      out.push({ kind: 'phone', text: m[0].trim(), start: m.index });
  }
  collect(text, CONTACT, 'contact-me', out);
  collect(text, PROMO, 'promo', out);
  collect(text, CRYPTO, 'crypto-giveaway', out);
  const letters = text.replace(/[^A-Za-z]/g, '');
  if (letters.length >= 20 && letters.replace(/[^A-Z]/g, '').length / letters.length > 0.7) {
    out.push({ kind: 'shouting', text: text.slice(0, 40), start: 0 });
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * Noisy-OR of the signal weights. Repeats of a kind count with diminishing weight (each repeat
 * adds half of the previous one), capped at three per kind so a list of links cannot saturate alone.
 */
export function spamSignalScore(signals: readonly SpamSignal[]): number {
  const perKind = new Map<SpamSignalKind, number>();
  let notSpam = 1;
  for (const s of signals) {
    const seen = perKind.get(s.kind) ?? 0;
    if (seen >= 3) continue;
    perKind.set(s.kind, seen + 1);
    notSpam *= 1 - SPAM_SIGNAL_WEIGHTS[s.kind] * 0.5 ** seen;
  }
  return 1 - notSpam;
}
