import {
  MAX_SUBMISSION_PAGE,
  SubmissionCursorError,
  decodeSubmissionCursor,
  type ListSubmissionsOptions,
} from '@ganmod/db/client';
import { z } from 'zod';

/** Page size when `limit` is not given. */
export const DEFAULT_SUBMISSION_PAGE = 50;

const PARAMETERS = ['updated_since', 'cursor', 'limit'] as const;

const updatedSince = z.iso.datetime({ offset: true });
const limit = z
  .string()
  .regex(/^\d{1,3}$/)
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_SUBMISSION_PAGE));

/**
 * The list endpoint's query (`updated_since`, `cursor`, `limit`) as {@link ListSubmissionsOptions},
 * or the message of the 400 naming the parameter that is wrong. Other parameters are ignored.
 */
export function parseSubmissionListQuery(
  params: URLSearchParams,
): { ok: true; options: ListSubmissionsOptions } | { ok: false; error: string } {
  for (const name of PARAMETERS) {
    if (params.getAll(name).length > 1)
      return { ok: false, error: `Query parameter \`${name}\` is given more than once.` };
  }
  const options: ListSubmissionsOptions = { limit: DEFAULT_SUBMISSION_PAGE };

  const since = params.get('updated_since');
  if (since !== null) {
    if (!updatedSince.safeParse(since).success) {
      return {
        ok: false,
        error:
          'Query parameter `updated_since` must be an ISO 8601 date-time with a time zone, e.g. 2026-12-06T09:30:00Z.',
      };
    }
    options.updatedSince = new Date(since);
  }

  const cursor = params.get('cursor');
  if (cursor !== null) {
    try {
      options.after = decodeSubmissionCursor(cursor);
    } catch (err) {
      if (!(err instanceof SubmissionCursorError)) throw err;
      return {
        ok: false,
        error: `Query parameter \`cursor\` is malformed: ${err.message}. Pass a \`nextCursor\` from a previous page unchanged.`,
      };
    }
  }

  const size = params.get('limit');
  if (size !== null) {
    const parsed = limit.safeParse(size);
    if (!parsed.success) {
      return {
        ok: false,
        error: `Query parameter \`limit\` must be an integer from 1 to ${MAX_SUBMISSION_PAGE}.`,
      };
    }
    options.limit = parsed.data;
  }
  return { ok: true, options };
}
