// The submission API's input limits are the moderation contract's, and a refusal names the field
// at fault, against the production build (its own server) and real SQLite.
import { randomBytes } from 'node:crypto';
import { generateApiKey, seed } from '@ganmod/db';
import { DEFAULT_INPUT_LIMITS } from '@ganmod/moderation/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { makePng, samplePng } from './support/png';
import { submit } from './support/submit';
import { createTempDb, type TempDb } from './support/temp-db';

const MAX_CAPTION = DEFAULT_INPUT_LIMITS.maxCaptionLength;

describe('submission limits (production build, real SQLite)', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;
  let key: string;

  beforeAll(async () => {
    t = await createTempDb('limits');
    await seed(t.db, { adminPassword: 'caption-limits-password', demo: false });
    const admin = await t.db.user.findFirstOrThrow({ where: { role: 'ADMIN' } });
    const k = generateApiKey();
    await t.db.apiKey.create({
      data: {
        name: 'limits',
        prefix: k.prefix,
        hash: k.hash,
        rateLimitPerMinute: 1000,
        createdById: admin.id,
      },
    });
    key = k.secret;
    // No GANMOD_MAX_UPLOAD_BYTES: the contract's own image limit (10 MiB) applies.
    dashboard = await startDashboard({ DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  const error = async (res: Response) => ((await res.json()) as { error: string }).error;

  it('refuses a caption over the pipeline limit with 400 naming `caption` and the limit, storing nothing', async () => {
    const res = await submit(dashboard.url, key, {
      externalId: 'caption-3000',
      caption: 'a'.repeat(3000),
      image: samplePng(1),
    });
    expect(res.status).toBe(400);
    const message = await error(res);
    expect(message).toContain('`caption`');
    expect(message).toContain(String(MAX_CAPTION));
    expect(await t.db.contentItem.count({ where: { externalId: 'caption-3000' } })).toBe(0);
  });

  it('accepts a caption at the limit, counted in characters (emoji count once)', async () => {
    const res = await submit(dashboard.url, key, {
      externalId: 'caption-at-limit',
      caption: '😀'.repeat(MAX_CAPTION),
      image: samplePng(2),
    });
    expect(res.status).toBe(201);
  });

  it('blames a 30 MB caption sent with a 15 KB image on the caption (413), not on the image', async () => {
    const image = makePng(72, () => [...randomBytes(3)] as [number, number, number]);
    expect(image.length).toBeGreaterThan(15_000);
    expect(image.length).toBeLessThan(20_000);
    const started = Date.now();
    const res = await submit(dashboard.url, key, {
      externalId: 'caption-30mb',
      caption: 'b'.repeat(30 * 1024 * 1024),
      image,
    });
    expect(res.status).toBe(413);
    const message = await error(res);
    expect(message).toContain('`caption`');
    expect(message).toContain(String(MAX_CAPTION));
    expect(message).not.toMatch(/image/i);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await t.db.contentItem.count({ where: { externalId: 'caption-30mb' } })).toBe(0);
  });

  it('still blames an oversized image on the image, with its byte limit', async () => {
    const big = Buffer.concat([samplePng(3), Buffer.alloc(DEFAULT_INPUT_LIMITS.maxImageBytes)]);
    const res = await submit(dashboard.url, key, { externalId: 'image-big', image: big });
    expect(res.status).toBe(413);
    const message = await error(res);
    expect(message).toContain('`image`');
    expect(message).toContain(String(DEFAULT_INPUT_LIMITS.maxImageBytes));
  });

  it('takes an externalId up to the contract limit and names the field beyond it', async () => {
    const longest = 'i'.repeat(DEFAULT_INPUT_LIMITS.maxExternalIdLength);
    expect(
      (await submit(dashboard.url, key, { externalId: longest, image: samplePng(4) })).status,
    ).toBe(201);
    const res = await submit(dashboard.url, key, {
      externalId: `${longest}i`,
      image: samplePng(5),
    });
    expect(res.status).toBe(400);
    expect(await error(res)).toContain(
      `\`externalId\` is required (1 to ${DEFAULT_INPUT_LIMITS.maxExternalIdLength} characters)`,
    );
  });
});
