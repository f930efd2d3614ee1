// The platform API's OpenAPI document against the production build on real SQLite: it is a valid
// OpenAPI 3.1 document (a real validator), requests built from its schemas at their limits are
// accepted by the handlers and one past them is refused, real answers of every kind validate
// against its response schemas (ajv, JSON Schema 2020-12), and every answer to a request with a
// key carries the documented RateLimit-* headers: errors and unknown paths too.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { generateApiKey, scoreContentItem, type PolicyVerdict } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { samplePng } from './support/png';
import { awayFromWindowEdge } from './support/rate-window';
import { createTempDb, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

type Json = Record<string, unknown>;
interface Schema {
  type?: string;
  format?: string;
  maxLength?: number;
  minLength?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  pattern?: string;
}
interface Operation {
  requestBody?: { content: Record<string, { schema: Schema }> };
  parameters?: { name: string; in: string; schema: Schema }[];
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }
  >;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

describe('the OpenAPI document of /api/v1 (production build, real SQLite)', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;
  let doc: Document;
  let key = '';
  let keyId = '';
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);

  async function createKey(rateLimitPerMinute: number) {
    const admin = await t.db.user.findFirstOrThrow({ where: { role: 'ADMIN' } });
    const k = generateApiKey();
    const row = await t.db.apiKey.create({
      data: {
        name: `k${rateLimitPerMinute}`,
        prefix: k.prefix,
        hash: k.hash,
        rateLimitPerMinute,
        createdById: admin.id,
      },
    });
    return { secret: k.secret, id: row.id };
  }

  beforeAll(async () => {
    t = await createTempDb('openapi');
    await createRoleUsers(t.db);
    ({ secret: key, id: keyId } = await createKey(1000));
    dashboard = await startDashboard({ DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir });
    const res = await fetch(`${dashboard.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
    ajv.addSchema(doc, 'openapi.json');
  });
  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  const operation = (path: string, method: string) => {
    const op = doc.paths[path]?.[method];
    if (!op) throw new Error(`the document has no ${method} ${path}`);
    return op;
  };

  /** Checks a real answer against the document: its status is listed, its body and headers match. */
  async function expectDocumented(res: Response, path: string, method: string): Promise<Json> {
    const response = operation(path, method).responses[String(res.status)];
    expect(
      response,
      `${method} ${path} answered ${res.status}, which is not documented`,
    ).toBeDefined();
    const schema = response!.content?.['application/json']?.schema;
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Json;
    const validate = ajv.compile({
      $ref: `openapi.json#/paths/${pointer(path)}/${method}/responses/${res.status}/content/application~1json/schema`,
    });
    expect(schema).toBeDefined();
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    for (const name of Object.keys(response!.headers ?? {}))
      expect(res.headers.get(name), `header ${name} on ${res.status}`).toMatch(/^\d+$/);
    return body;
  }
  const pointer = (path: string) => path.replaceAll('~', '~0').replaceAll('/', '~1');

  /** A multipart body built from the request schema: each field at its length limit (+ `over`). */
  function formFromSchema(externalId: string, over: 'caption' | null = null) {
    const schema = operation('/api/v1/submissions', 'post').requestBody!.content[
      'multipart/form-data'
    ]!.schema;
    const form = new FormData();
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (property.format === 'binary') {
        form.set(
          name,
          new Blob([new Uint8Array(samplePng(externalId.length))], { type: 'image/png' }),
          'x.png',
        );
      } else if (name === 'externalId') {
        // The longest id the schema allows, starting with this test's own.
        form.set(name, externalId.padEnd(property.maxLength!, '-'));
      } else {
        // The longest text the schema allows, in code points outside the BMP (4 bytes, 2 UTF-16
        // units each): JSON Schema counts characters, and so must the handler. One past it in
        // plain ASCII, so the byte limit is not what refuses it.
        form.set(
          name,
          over === name ? 'a'.repeat(property.maxLength! + 1) : '😀'.repeat(property.maxLength!),
        );
      }
    }
    return form;
  }
  const post = (form: FormData, k: string | null = key) =>
    fetch(`${dashboard.url}/api/v1/submissions`, {
      method: 'POST',
      headers: k ? { authorization: `Bearer ${k}` } : {},
      body: form,
    });
  const get = (path: string, k: string | null = key) =>
    fetch(`${dashboard.url}${path}`, { headers: k ? { authorization: `Bearer ${k}` } : {} });

  it('is a valid OpenAPI 3.1 document, served without a key, and names every route', async () => {
    const result = await new Validator().validate(
      doc as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/submissions',
      '/api/v1/submissions/{externalId}',
    ]);
    expect(Object.keys(doc.components.schemas).sort()).toEqual(
      [
        'Decider',
        'Decision',
        'Error',
        'Reason',
        'Submission',
        'SubmissionPage',
        'SubmittedItem',
      ].sort(),
    );
  });

  it('accepts a submission built from the schema at its limits, and answers as documented', async () => {
    const created = await post(formFromSchema('at-limits'));
    expect(created.status).toBe(201);
    const item = await expectDocumented(created, '/api/v1/submissions', 'post');
    expect((item.externalId as string).length).toBe(256);
    // The same again: 200 with the same item, as documented.
    const again = await post(formFromSchema('at-limits'));
    expect(again.status).toBe(200);
    expect((await expectDocumented(again, '/api/v1/submissions', 'post')).id).toBe(item.id);
    // One character over the documented caption length is refused, naming the field.
    const over = await post(formFromSchema('over-limit', 'caption'));
    expect(over.status).toBe(400);
    expect((await expectDocumented(over, '/api/v1/submissions', 'post')).error).toMatch(
      /`caption`.*2200/,
    );
  });

  it('answers every documented error with a body and headers that match the document', async () => {
    const form = formFromSchema('conflict');
    expect((await post(form)).status).toBe(201);
    form.set('caption', 'something else');
    expect((await expectDocumented(await post(form), '/api/v1/submissions', 'post')).error).toMatch(
      /different caption/,
    );
    const notImage = formFromSchema('not-image');
    notImage.set('image', new Blob([new TextEncoder().encode('just text')]), 'x.png');
    const refused = await post(notImage);
    expect(refused.status).toBe(415);
    await expectDocumented(refused, '/api/v1/submissions', 'post');
    const noKey = await post(formFromSchema('no-key'), null);
    expect(noKey.status).toBe(401);
    await expectDocumented(noKey, '/api/v1/submissions', 'post');
    expect(noKey.headers.get('ratelimit-limit')).toBeNull();
  });

  it('reads back one item and pages the list with parameters built from the schema', async () => {
    const verdict: PolicyVerdict = {
      action: 'REVIEW',
      policyVersion: 'policy-x',
      reasons: [
        {
          detector: 'caption-spam',
          category: 'spam',
          score: 0.8,
          label: 'spam',
          action: 'REVIEW',
          reason: 'r',
        },
      ],
      scores: [],
      reasonCode: 'policy.review',
      note: 'n',
    };
    const item = await t.db.contentItem.findFirstOrThrow({ where: { submittedByKeyId: keyId } });
    expect(await scoreContentItem(t.db, item, verdict)).toBe(true);
    const one = await get(`/api/v1/submissions/${encodeURIComponent(item.externalId)}`);
    expect(one.status).toBe(200);
    const body = await expectDocumented(one, '/api/v1/submissions/{externalId}', 'get');
    expect(body).toMatchObject({ status: 'IN_REVIEW', policy: { version: 'policy-x' } });
    const missing = await get('/api/v1/submissions/never-posted');
    expect(missing.status).toBe(404);
    await expectDocumented(missing, '/api/v1/submissions/{externalId}', 'get');

    const params = operation('/api/v1/submissions', 'get').parameters!;
    const limit = params.find((p) => p.name === 'limit')!;
    expect(limit.schema.pattern).toBeDefined();
    const page = await get(`/api/v1/submissions?limit=1&updated_since=2000-01-01T00:00:00Z`);
    expect(page.status).toBe(200);
    const first = await expectDocumented(page, '/api/v1/submissions', 'get');
    expect(first.hasMore).toBe(true);
    const next = await get(`/api/v1/submissions?limit=1&cursor=${first.nextCursor as string}`);
    expect(next.status).toBe(200);
    await expectDocumented(next, '/api/v1/submissions', 'get');
    const bad = await get('/api/v1/submissions?limit=0');
    expect(bad.status).toBe(400);
    expect((await expectDocumented(bad, '/api/v1/submissions', 'get')).error).toMatch(/`limit`/);
  });

  it('sends RateLimit-* on every answer to a keyed request, Retry-After on 429, unknown paths and 405s included', async () => {
    const limited = await createKey(4);
    await awayFromWindowEdge();
    const answers = [
      await get('/api/v1/submissions/none', limited.secret), // 404
      await get('/api/v1/nope', limited.secret), // the catch-all's 404
      await fetch(`${dashboard.url}/api/v1/submissions`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${limited.secret}` },
      }), // 405
      await get('/api/v1/submissions', limited.secret), // 200
      await get('/api/v1/submissions', limited.secret), // 429
    ];
    expect(answers.map((r) => r.status)).toEqual([404, 404, 405, 200, 429]);
    expect(answers.map((r) => r.headers.get('ratelimit-limit'))).toEqual(['4', '4', '4', '4', '4']);
    expect(answers.map((r) => r.headers.get('ratelimit-remaining'))).toEqual([
      '3',
      '2',
      '1',
      '0',
      '0',
    ]);
    for (const r of answers) {
      const reset = Number(r.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
    }
    const over = answers[4]!;
    expect(over.headers.get('retry-after')).toBe(over.headers.get('ratelimit-reset'));
    await expectDocumented(over, '/api/v1/submissions', 'get');
    // Without a key, an unknown path is still a JSON 404, uncounted and without the headers.
    const anonymous = await get('/api/v1/nope', null);
    expect(anonymous.status).toBe(404);
    expect(anonymous.headers.get('ratelimit-limit')).toBeNull();
  });
});
