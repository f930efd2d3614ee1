/**
 * Abusive-language matching with `obscenity`: its English dataset with the recommended transformers
 * catches leetspeak (`b1tch`), repeated letters (`fuuuck`) and confusable characters while leaving
 * words like "Scunthorpe" and "assassin" alone.
 */
import {
  RegExpMatcher,
  TextCensor,
  englishDataset,
  englishRecommendedTransformers,
} from 'obscenity';

/** One matched abusive term. */
export interface AbuseMatch {
  /** The dataset's canonical word (e.g. `bitch` for `b1tch`). */
  term: string;
  /** Offsets into the caption, end exclusive (UTF-16 units, like `String.slice`). */
  start: number;
  end: number;
  /** The caption text that matched, censored for display. */
  censored: string;
  kind: 'slur' | 'profanity' | 'threat';
}

/** Result of scanning one text. */
export interface AbuseScan {
  matches: AbuseMatch[];
  /** The whole caption with every match censored. */
  censoredText: string;
}

/**
 * Canonical obscenity terms that attack people for who they are. Weighted above plain swearing:
 * "fuck" in a caption is often banter, a slur almost never is.
 */
const SLURS = new Set([
  'nigger',
  'fag',
  'faggot',
  'retard',
  'tranny',
  'chink',
  'kike',
  'spic',
  'dyke',
  'coon',
]);

/** Incitement phrases obscenity does not cover (it targets words, not threats). */
const THREATS: readonly [RegExp, string][] = [
  [/\bkill\s+your\s*self\b/gi, 'kill yourself'],
  [/\bkys\b/gi, 'kys'],
  [/\bi(?:'ll| will| am going to| gonna)\s+(?:kill|murder|hurt)\s+you\b/gi, 'I will kill you'],
  [/\bgo\s+die\b/gi, 'go die'],
];

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const censor = new TextCensor();

/** Finds abusive terms and threats in `text`, with positions and a censored copy. */
export function scanAbuse(text: string): AbuseScan {
  const found = matcher.getAllMatches(text, true);
  const matches: AbuseMatch[] = found.map((m) => {
    const term =
      englishDataset.getPayloadWithPhraseMetadata(m).phraseMetadata?.originalWord ?? 'unknown';
    const end = m.endIndex + 1;
    return {
      term,
      start: m.startIndex,
      end,
      censored: censor.applyTo(text.slice(m.startIndex, end), [
        { ...m, startIndex: 0, endIndex: end - m.startIndex - 1 },
      ]),
      kind: SLURS.has(term) ? 'slur' : 'profanity',
    };
  });
  for (const [re, term] of THREATS) {
    for (const m of text.matchAll(re)) {
      const start = m.index;
      matches.push({
        term,
        start,
        end: start + m[0].length,
        censored: m[0],
        kind: 'threat',
      });
    }
  }
  matches.sort((a, b) => a.start - b.start);
  return { matches, censoredText: censor.applyTo(text, found) };
}
