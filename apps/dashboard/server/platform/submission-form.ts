/**
 * The multipart body of `POST /api/v1/submissions` as a zod schema under the configured limits:
 * the handler parses with it and the OpenAPI document (`openapi.ts`) is generated from it.
 */
import { loadEnvironment } from '@ganmod/config';
import { captionLength, platformInputLimits, type InputLimits } from '@ganmod/moderation/contract';
import { z } from 'zod';

/** The moderation contract's limits; GANMOD_MAX_UPLOAD_BYTES may override the image's. */
export function configuredInputLimits(): Readonly<InputLimits> {
  return platformInputLimits(loadEnvironment().maxUploadBytes);
}

/**
 * The multipart body of `POST /api/v1/submissions` under `limits`. The handler reads each field
 * with its own byte limit first (`multipart.ts`), then parses the decoded fields with this; the
 * image's type is then checked by its content (415), not by what the client declares.
 */
export function submissionFormSchema(limits: Readonly<InputLimits>) {
  // Built once per set of limits: zod compiles an object's parser on its first use.
  const key = JSON.stringify(limits);
  let schema = formSchemas.get(key);
  if (!schema) {
    schema = buildFormSchema(limits);
    formSchemas.set(key, schema);
  }
  return schema;
}

const formSchemas = new Map<string, ReturnType<typeof buildFormSchema>>();

function buildFormSchema(limits: Readonly<InputLimits>) {
  return z.object({
    externalId: z
      .string({
        error: `Field \`externalId\` is required (1 to ${limits.maxExternalIdLength} characters).`,
      })
      .trim()
      .min(1, `Field \`externalId\` is required (1 to ${limits.maxExternalIdLength} characters).`)
      .max(
        limits.maxExternalIdLength,
        `Field \`externalId\` is required (1 to ${limits.maxExternalIdLength} characters).`,
      )
      .meta({ description: 'Your id for the post, unique per API key.' }),
    caption: z
      .string()
      .trim()
      .refine((c) => captionLength(c) <= limits.maxCaptionLength, {
        error: (issue) =>
          `Field \`caption\` has ${captionLength(String(issue.input).trim())} characters; the limit is ${limits.maxCaptionLength}.`,
      })
      .transform((c) => c || null)
      .optional()
      .meta({
        description: `At most ${limits.maxCaptionLength} characters (code points, after trimming).`,
        maxLength: limits.maxCaptionLength,
      }),
    image: z
      .file({ error: 'Field `image` must be a file.' })
      .max(
        limits.maxImageBytes,
        `Field \`image\` is too large: images are limited to ${limits.maxImageBytes} bytes.`,
      )
      .meta({
        description: 'PNG, JPEG, GIF or WebP, checked by its content (magic bytes).',
        contentMediaType: 'image/*',
      }),
  });
}

/** The first issue's message: the schemas above word every message for the platform. */
export function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'Invalid request.';
}
