import 'server-only';
import { parseBankLabel, type HashBankLabel } from '@ganmod/db/client';
import { answerAfterDiscarding } from '../../../server/platform/discard-body';
import { readCappedBytes } from '../http/read-body';

/**
 * Reads an upload to the hash bank after checking, before any byte is read, its declared type
 * (one of `types`) and size (at most `limit`; a larger body is refused as it arrives too).
 * Returns the bytes, or the answer naming what was wrong (4xx, the body discarded).
 */
export async function readBankUpload(
  req: Request,
  what: string,
  types: readonly string[],
  limit: number,
): Promise<{ bytes: Uint8Array; error?: never } | { error: Response }> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!types.includes(type)) {
    return {
      error: await answerAfterDiscarding(
        req,
        Response.json(
          { error: `${what} must be sent as ${types.join(' or ')}, not "${type || 'no type'}".` },
          { status: 415 },
        ),
      ),
    };
  }
  const tooLarge = () =>
    Response.json(
      {
        error: `${what} is too large: the limit is ${limit} bytes (${Math.round(limit / 1024)} KB).`,
      },
      { status: 413 },
    );
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) return { error: await answerAfterDiscarding(req, tooLarge()) };
  const bytes = await readCappedBytes(req, limit);
  if (bytes === null) return { error: tooLarge() };
  if (bytes.byteLength === 0) {
    return { error: Response.json({ error: `${what} is empty.` }, { status: 400 }) };
  }
  return { bytes };
}

/**
 * The `label` query parameter of the bank routes: none (every label), a known label, or a 400
 * naming the unknown one.
 */
export function bankLabelParam(
  params: URLSearchParams,
): { label: HashBankLabel | undefined; error?: undefined } | { error: Response } {
  const given = params.get('label');
  if (!given) return { label: undefined };
  const label = parseBankLabel(given);
  if (label) return { label };
  return {
    error: Response.json({ error: `Unknown bank label "${given.slice(0, 40)}".` }, { status: 400 }),
  };
}
