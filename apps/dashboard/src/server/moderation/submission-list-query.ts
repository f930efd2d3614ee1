import {
  SubmissionCursorError,
  decodeSubmissionCursor,
  type ListSubmissionsOptions,
} from '@ganmod/db/client';
import { firstIssue } from '../../../server/platform/submission-form';
import { DEFAULT_SUBMISSION_PAGE, submissionListQuerySchema } from './platform-schemas';

export { DEFAULT_SUBMISSION_PAGE };

/**
 * The list endpoint's query (`updated_since`, `cursor`, `limit`), parsed with
 * `submissionListQuerySchema`, as {@link ListSubmissionsOptions}, or the message of the 400
 * naming the parameter that is wrong. Other parameters are ignored.
 */
export function parseSubmissionListQuery(
  params: URLSearchParams,
): { ok: true; options: ListSubmissionsOptions } | { ok: false; error: string } {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(submissionListQuerySchema.shape)) {
    const values = params.getAll(name);
    if (values.length > 1)
      return { ok: false, error: `Query parameter \`${name}\` is given more than once.` };
    if (values[0] !== undefined) raw[name] = values[0];
  }
  const parsed = submissionListQuerySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
  const { updated_since: since, cursor, limit } = parsed.data;
  const options: ListSubmissionsOptions = { limit: limit ?? DEFAULT_SUBMISSION_PAGE };
  if (since !== undefined) options.updatedSince = new Date(since);
  if (cursor !== undefined) {
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
  return { ok: true, options };
}
