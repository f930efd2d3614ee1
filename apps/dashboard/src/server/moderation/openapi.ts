/**
 * The platform API's OpenAPI 3.1 document, generated at run time from the zod schemas the
 * handlers parse requests with and type responses by (`platform-schemas.ts`), with the limits
 * this server enforces (`GANMOD_MAX_UPLOAD_BYTES` included), so the published contract cannot
 * drift from the code. Served at `/api/v1/openapi.json`.
 */
import type { InputLimits } from '@ganmod/moderation/contract';
import { z } from 'zod';
import {
  decisionSchema,
  deciderSchema,
  errorSchema,
  reasonSchema,
  externalIdParamSchema,
  submissionListQuerySchema,
  submissionPageSchema,
  submissionSchema,
  submittedItemSchema,
} from './platform-schemas';
import { submissionFormSchema } from '../../../server/platform/submission-form';

type JsonObject = Record<string, unknown>;

/** The named response shapes, each under `components.schemas`, referring to each other by `$ref`. */
const COMPONENTS = [
  errorSchema,
  submittedItemSchema,
  deciderSchema,
  decisionSchema,
  reasonSchema,
  submissionSchema,
  submissionPageSchema,
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const idOf = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('a component schema needs .meta({ id })');
  return id;
};

/** `components.schemas`: every schema with an id reachable from COMPONENTS, with `$ref`s between them. */
function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const schema of COMPONENTS) registry.add(schema, { id: idOf(schema) });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // Every schema with an id is a component, so nothing is left to share under `__shared`.
    if (id === '__shared') throw new Error('a schema with an id is missing from COMPONENTS');
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonObject;
    out[id] = rest;
  }
  return out;
}

/** A request schema inline (no ids inside), as JSON Schema 2020-12 of what a client sends. */
function inputSchema(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
  }) as JsonObject;
  return rest;
}

/** Query or path parameters from a zod object's fields. */
function parameters(schema: z.ZodObject, where: 'query' | 'path'): JsonObject[] {
  const object = inputSchema(schema) as {
    properties: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(object.properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const RATE_HEADERS = {
  'RateLimit-Limit': {
    description: "The key's requests per minute.",
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window (as this server instance knows it).',
    schema: { type: 'integer' },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the next one-minute window opens.',
    schema: { type: 'integer' },
  },
};

function json(description: string, schemaId: string, headers: JsonObject = RATE_HEADERS) {
  return { description, headers, content: { 'application/json': { schema: ref(schemaId) } } };
}

const error = (description: string, headers?: JsonObject) => json(description, 'Error', headers);

/** The answers every authenticated operation may give besides its own. */
const COMMON_ERRORS = {
  '401': error('Missing, unknown or revoked API key.', {}),
  '429': error("Over the key's requests per minute.", {
    ...RATE_HEADERS,
    'Retry-After': {
      description: 'Seconds until the next window opens.',
      schema: { type: 'integer' },
    },
  }),
};

/**
 * The OpenAPI 3.1 document of `/api/v1` under `limits` (the server's own).
 * Its one server is `/`: the origin the document was fetched from (never a host taken from the
 * request's headers).
 */
export function platformOpenApi(limits: Readonly<InputLimits>): JsonObject {
  const submissionId = idOf(submissionSchema);
  return {
    openapi: '3.1.0',
    info: {
      title: 'ganmod platform API',
      version: '1',
      description:
        'Submit posts for moderation and read their verdicts. Every operation takes an API key (`Authorization: Bearer gm_…`) and counts against its requests per minute; every answer to a request with a valid key carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. Every error is JSON: `{"error":"…"}`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths: {
      '/api/v1/submissions': {
        post: {
          operationId: 'submit',
          summary: 'Submit a post (image, caption, your id) for moderation',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: inputSchema(submissionFormSchema(limits)),
                encoding: {
                  image: { contentType: 'image/png, image/jpeg, image/gif, image/webp' },
                },
              },
            },
          },
          responses: {
            '201': json(
              'Stored PENDING; a worker scores it within seconds.',
              idOf(submittedItemSchema),
            ),
            '200': json(
              'This key already submitted this externalId with the same image and caption: that item.',
              idOf(submittedItemSchema),
            ),
            '400': error('A bad field; the message names it.', RATE_HEADERS),
            '409': error(
              'This key already submitted this externalId with a different image or caption.',
            ),
            '413': error('A field over its byte limit (named).'),
            '415': error('Not a PNG, JPEG, GIF or WebP image (checked by content).'),
            ...COMMON_ERRORS,
          },
        },
        get: {
          operationId: 'listSubmissions',
          summary: "The key's items in (updatedAt, id) order, a page at a time",
          parameters: parameters(submissionListQuerySchema, 'query'),
          responses: {
            '200': json('A page.', idOf(submissionPageSchema)),
            '400': error('A bad `updated_since`, `cursor` or `limit`, or one given twice.'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/api/v1/submissions/{externalId}': {
        get: {
          operationId: 'readSubmission',
          summary: "The key's item with this externalId: status, verdict, reasons, history",
          parameters: parameters(externalIdParamSchema, 'path'),
          responses: {
            '200': json('The item.', submissionId),
            '404': error('This key has no item with that externalId.'),
            ...COMMON_ERRORS,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key created by an admin (shown once; starts with `gm_`).',
        },
      },
      schemas: componentSchemas(),
    },
  };
}
