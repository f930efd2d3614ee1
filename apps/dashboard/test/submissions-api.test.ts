// The platform-facing submission API and the file routes, against the production build.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey, seed } from '@ganmod/db';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { samplePng } from './support/png';
import { awayFromWindowEdge } from './support/rate-window';
import { signIn, type SignedIn } from './support/session';
import { submit } from './support/submit';
import { createTempDb, type TempDb } from './support/temp-db';

const MAX_BYTES = 100_000;

describe('POST /api/v1/submissions and file routes (production build, real SQLite)', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;
  let key: string;
  let moderator: SignedIn;
  let engineer: SignedIn;

  async function createKey(rateLimitPerMinute: number, revoked = false): Promise<string> {
    const admin = await t.db.user.findFirstOrThrow({ where: { role: 'ADMIN' } });
    const k = generateApiKey();
    await t.db.apiKey.create({
      data: {
        name: `key ${rateLimitPerMinute}`,
        prefix: k.prefix,
        hash: k.hash,
        rateLimitPerMinute,
        createdById: admin.id,
        revokedAt: revoked ? new Date() : null,
      },
    });
    return k.secret;
  }

  beforeAll(async () => {
    t = await createTempDb('submissions');
    const { demoUsers } = await seed(t.db, { adminPassword: 'test-password-1', demo: true });
    const passwordOf = (email: string) => demoUsers.find((u) => u.email === email)?.password ?? '';
    key = await createKey(1000);
    dashboard = await startDashboard({
      DATABASE_URL: t.url,
      GANMOD_DATA_DIR: t.dir,
      GANMOD_MAX_UPLOAD_BYTES: String(MAX_BYTES),
    });
    // Demo accounts get their own random passwords, printed once by the seed.
    moderator = await signIn(
      dashboard.url,
      'moderator@ganmod.local',
      passwordOf('moderator@ganmod.local'),
    );
    engineer = await signIn(
      dashboard.url,
      'engineer@ganmod.local',
      passwordOf('engineer@ganmod.local'),
    );
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  it('stores a new item (201), keyed by the sha256 of the image, and returns it', async () => {
    const png = samplePng(1);
    const res = await submit(dashboard.url, key, {
      externalId: 'post-1',
      caption: 'hello',
      image: png,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; status: string; sha256: string; mime: string };
    const sha = createHash('sha256').update(png).digest('hex');
    expect(body).toMatchObject({ status: 'PENDING', sha256: sha, mime: 'image/png' });
    expect(readFileSync(join(t.dir, 'uploads', `${sha}.png`)).equals(png)).toBe(true);
    const row = await t.db.contentItem.findFirstOrThrow({ where: { externalId: 'post-1' } });
    expect(row.caption).toBe('hello');
  });

  it('is idempotent on externalId per key: a repeat with the same content returns the item (200), other content is a 409', async () => {
    const first = await t.db.contentItem.findFirstOrThrow({ where: { externalId: 'post-1' } });
    const res = await submit(dashboard.url, key, {
      externalId: 'post-1',
      caption: 'hello',
      image: samplePng(1),
    });
    expect(res.status).toBe(200);
    expect((await res.json()) as { id: string; externalId: string }).toMatchObject({
      id: first.id,
      externalId: 'post-1',
    });
    const changed = await submit(dashboard.url, key, {
      externalId: 'post-1',
      caption: 'changed',
      image: samplePng(2),
    });
    expect(changed.status).toBe(409);
    expect(await changed.json()).toEqual({
      error:
        "externalId 'post-1' was already submitted by this key with a different image and caption",
    });
    expect(await t.db.contentItem.count({ where: { externalId: 'post-1' } })).toBe(1);
  });

  it('keeps externalId per API key: another key with the same id gets its own item, never the first', async () => {
    const other = await createKey(1000);
    const sha = (png: Uint8Array) => createHash('sha256').update(png).digest('hex');
    type Item = { id: string; externalId: string; sha256: string; status: string };
    const imageA = samplePng(40);
    const imageB = samplePng(41);

    const a = await submit(dashboard.url, key, { externalId: 'p-7', caption: 'A', image: imageA });
    expect(a.status).toBe(201);
    const itemA = (await a.json()) as Item;
    // Key B, same externalId, other bytes: its own new item, not A's (status, reasons, sha256).
    const b = await submit(dashboard.url, other, {
      externalId: 'p-7',
      caption: 'B',
      image: imageB,
    });
    expect(b.status).toBe(201);
    const itemB = (await b.json()) as Item;
    expect(itemB.id).not.toBe(itemA.id);
    expect(itemB.sha256).toBe(sha(imageB));
    expect(readFileSync(join(t.dir, 'uploads', `${sha(imageB)}.png`)).equals(imageB)).toBe(true);
    // B asking again gets its own item back.
    const bAgain = await submit(dashboard.url, other, {
      externalId: 'p-7',
      caption: 'B',
      image: imageB,
    });
    expect(bAgain.status).toBe(200);
    expect((await bAgain.json()) as Item).toMatchObject({ id: itemB.id, sha256: sha(imageB) });
    // A's repeat with the same bytes: A's item; with other bytes (B's!): a conflict, not B's item.
    const aAgain = await submit(dashboard.url, key, {
      externalId: 'p-7',
      caption: 'A',
      image: imageA,
    });
    expect(aAgain.status).toBe(200);
    expect((await aAgain.json()) as Item).toMatchObject({ id: itemA.id, sha256: sha(imageA) });
    const aOther = await submit(dashboard.url, key, {
      externalId: 'p-7',
      caption: 'A',
      image: imageB,
    });
    expect(aOther.status).toBe(409);
    expect(await aOther.json()).toEqual({
      error: "externalId 'p-7' was already submitted by this key with a different image",
    });
    const aCaption = await submit(dashboard.url, key, {
      externalId: 'p-7',
      caption: 'B',
      image: imageA,
    });
    expect(aCaption.status).toBe(409);
    expect(((await aCaption.json()) as { error: string }).error).toMatch(/a different caption$/);

    const rows = await t.db.contentItem.findMany({
      where: { externalId: 'p-7' },
      select: { id: true, sha256: true, caption: true },
      orderBy: { createdAt: 'asc' },
    });
    expect(rows.map((r) => [r.id, r.sha256, r.caption])).toEqual([
      [itemA.id, sha(imageA), 'A'],
      [itemB.id, sha(imageB), 'B'],
    ]);
  });

  it('creates exactly one item under concurrent identical POSTs', async () => {
    const png = samplePng(3);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        submit(dashboard.url, key, { externalId: 'race', image: png }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(
      await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id)),
    );
    expect(ids.size).toBe(1);
    expect(await t.db.contentItem.count({ where: { externalId: 'race' } })).toBe(1);
  });

  it('refuses missing, unknown and revoked keys with 401', async () => {
    const revoked = await createKey(10, true);
    for (const k of ['', 'gm_nope', revoked]) {
      const res = await submit(dashboard.url, k, { externalId: 'x', image: samplePng(4) });
      expect(res.status).toBe(401);
    }
  });

  it('checks the type by content (415), not by the declared name or type', async () => {
    const fake = Buffer.from('<?php echo "not an image"; ?>');
    const res = await submit(dashboard.url, key, {
      externalId: 'fake',
      image: fake,
      filename: 'cat.png',
      type: 'image/png',
    });
    expect(res.status).toBe(415);
    expect(await t.db.contentItem.count({ where: { externalId: 'fake' } })).toBe(0);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100)]);
    expect(
      (
        await submit(dashboard.url, key, {
          externalId: 'jpeg',
          image: jpeg,
          filename: 'x.bin',
          type: 'application/octet-stream',
        })
      ).status,
    ).toBe(201);
  });

  it('refuses images over the size limit with 413', async () => {
    const big = Buffer.concat([samplePng(5), Buffer.alloc(MAX_BYTES + 10)]);
    const res = await submit(dashboard.url, key, { externalId: 'big', image: big });
    expect(res.status).toBe(413);
    const huge = Buffer.concat([samplePng(5), Buffer.alloc(MAX_BYTES * 5)]);
    expect((await submit(dashboard.url, key, { externalId: 'huge', image: huge })).status).toBe(
      413,
    );
  });

  it('rejects bad fields with 400', async () => {
    const form = new FormData();
    form.set('caption', 'no id, no image');
    const res = await fetch(`${dashboard.url}/api/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(res.status).toBe(400);
  });

  it('rate-limits per key with 429 and Retry-After', async () => {
    const slow = await createKey(3);
    await awayFromWindowEdge();
    const codes: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await submit(dashboard.url, slow, {
        externalId: `rl-${i}`,
        image: samplePng(10 + i),
      });
      codes.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(codes).toEqual([201, 201, 201, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another key is not affected.
    expect(
      (await submit(dashboard.url, key, { externalId: 'other-key', image: samplePng(20) })).status,
    ).toBe(201);
  });

  it('serves item images to moderators only', async () => {
    const item = await t.db.contentItem.findFirstOrThrow({ where: { externalId: 'post-1' } });
    const res = await moderator.fetch(`/api/items/${item.id}/image`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(samplePng(1))).toBe(true);
    expect((await engineer.fetch(`/api/items/${item.id}/image`)).status).toBe(403);
    expect((await fetch(`${dashboard.url}/api/items/${item.id}/image`)).status).toBe(401);
  });

  it('streams sample grids to engineers and never serves paths outside the artifact store', async () => {
    const run = await t.db.trainingRun.create({ data: { name: 'r', config: {}, totalSteps: 10 } });
    mkdirSync(join(t.dir, 'artifacts', run.id, 'samples'), { recursive: true });
    const png = samplePng(30);
    writeFileSync(join(t.dir, 'artifacts', run.id, 'samples', 'step-1.png'), png);
    const grid = await t.db.artifact.create({
      data: {
        runId: run.id,
        step: 1,
        kind: 'SAMPLE_GRID',
        path: `${run.id}/samples/step-1.png`,
        bytes: png.length,
      },
    });
    const escape = await t.db.artifact.create({
      data: { runId: run.id, step: 2, kind: 'SAMPLE_GRID', path: '../ganmod.db', bytes: 1 },
    });
    const absolute = await t.db.artifact.create({
      data: {
        runId: run.id,
        step: 3,
        kind: 'SAMPLE_GRID',
        path: join(t.dir, 'ganmod.db'),
        bytes: 1,
      },
    });
    expect(existsSync(join(t.dir, 'ganmod.db'))).toBe(true);

    const ok = await engineer.fetch(`/api/artifacts/${grid.id}`);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(png)).toBe(true);
    expect((await engineer.fetch(`/api/artifacts/${escape.id}`)).status).toBe(404);
    expect((await engineer.fetch(`/api/artifacts/${absolute.id}`)).status).toBe(404);
    expect((await moderator.fetch(`/api/artifacts/${grid.id}`)).status).toBe(403);
    expect((await fetch(`${dashboard.url}/api/artifacts/${grid.id}`)).status).toBe(401);
  });

  it('streams a checkpoint directory as a tar of its regular files, never following symlinks', async () => {
    const run = await t.db.trainingRun.create({
      data: { name: 'ckpt', config: {}, totalSteps: 4 },
    });
    const rel = `runs/${run.id}/checkpoints/step-000000004`;
    const dir = join(t.dir, 'artifacts', rel);
    mkdirSync(join(dir, 'extra'), { recursive: true });
    const files: Record<string, Buffer> = {
      'manifest.json': Buffer.from('{"step":4}'),
      'generator.bin': Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256)),
      'extra/notes.txt': Buffer.from('nested'),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    // A link planted in the checkpoint must not leak the database file into the download.
    symlinkSync(join(t.dir, 'ganmod.db'), join(dir, 'leak.db'));
    const checkpoint = await t.db.artifact.create({
      data: { runId: run.id, step: 4, kind: 'CHECKPOINT', path: rel, bytes: 0 },
    });

    const res = await engineer.fetch(`/api/artifacts/${checkpoint.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    const folder = `${run.id}-checkpoint-step-4`;
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${folder}.tar"`);
    const entries = new Map<string, Buffer>();
    const tar = extract();
    const reading = (async () => {
      for await (const entry of tar) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        entries.set(entry.header.name, Buffer.concat(chunks));
      }
    })();
    tar.end(Buffer.from(await res.arrayBuffer()));
    await reading;
    expect([...entries.keys()].sort()).toEqual(
      ['extra/notes.txt', 'generator.bin', 'manifest.json'].map((f) => `${folder}/${f}`),
    );
    for (const [name, bytes] of Object.entries(files))
      expect(entries.get(`${folder}/${name}`)?.equals(bytes), name).toBe(true);
    expect((await moderator.fetch(`/api/artifacts/${checkpoint.id}`)).status).toBe(403);
    expect((await fetch(`${dashboard.url}/api/artifacts/${checkpoint.id}`)).status).toBe(401);
  });
});
