// The post-sign-in redirect target: same-origin paths only (issue 12, finding 6).
import { describe, expect, it } from 'vitest';
import { safeNextPath } from '~/lib/safe-next-path';

describe('safeNextPath', () => {
  it.each([
    '/\\evil.example',
    '/\\evil.example/',
    '/%5Cevil.example/',
    '/%5cevil.example/',
    '/%255Cevil.example/',
    '//evil.example',
    '///evil.example',
    '/%2F%2Fevil.example',
    '/%2Fevil.example',
    '/%252F%252Fevil.example',
    '\t//evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/%09/evil.example',
    '/%0A/evil.example',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'https://evil.example',
    'https:evil.example',
    'evil.example',
    '/a/..//evil.example',
    '/%E0%A4%A',
    '',
    null,
    undefined,
    `/${'a'.repeat(3000)}`,
  ])('rejects %j', (raw) => {
    expect(safeNextPath(raw)).toBe('/');
  });

  it.each([
    ['/', '/'],
    ['/queue', '/queue'],
    ['/runs/abc?tab=charts#loss', '/runs/abc?tab=charts#loss'],
    ['/log?q=a%20b', '/log?q=a%20b'],
    ['/runs/new', '/runs/new'],
  ])('keeps the same-origin path %j', (raw, expected) => {
    expect(safeNextPath(raw)).toBe(expected);
  });

  it('whatever it returns stays on the origin it is resolved against', () => {
    for (const raw of ['/\\evil.example', '/%5Cevil.example/', '//evil.example', '/queue']) {
      expect(new URL(safeNextPath(raw), 'https://dash.example').origin).toBe(
        'https://dash.example',
      );
    }
  });
});
