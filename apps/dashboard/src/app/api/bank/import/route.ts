import { BANK_CSV_MAX_BYTES, BankInputError, importBankCsv } from '@ganmod/db/client';
import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { refuseForeignOrigin } from '~/server/http/origin-check';
import { bankLabelParam, readBankUpload } from '~/server/moderation/bank-uploads';

export const dynamic = 'force-dynamic';

/** Types a browser may give a .csv file. */
const CSV_TYPES = ['text/csv', 'text/plain', 'application/vnd.ms-excel'];

/**
 * Imports a ThreatExchange PDQ CSV list (admins): all of it or, with a bad line, nothing.
 * Query: `source` (recorded on the entries, e.g. the file name), `label` (give every hash this
 * label; the third column is then ignored).
 */
export async function POST(req: Request) {
  const refusal = refuseForeignOrigin(req);
  if (refusal) return refusal;
  const auth = await authorizeRequest(req, access.admin);
  if (auth.error) return auth.error;
  const params = new URL(req.url).searchParams;
  const labelParam = bankLabelParam(params);
  if (labelParam.error) return labelParam.error;
  const { label } = labelParam;
  const upload = await readBankUpload(req, 'The hash list', CSV_TYPES, BANK_CSV_MAX_BYTES);
  if (upload.error) return upload.error;
  const source = (params.get('source') ?? 'upload').trim().slice(0, 200) || 'upload';
  try {
    const result = await importBankCsv(
      getDb(),
      new TextDecoder('utf-8', { fatal: true }).decode(upload.bytes),
      { source, ...(label ? { label } : {}) },
      { userId: auth.user.id },
    );
    return Response.json(result);
  } catch (err) {
    if (err instanceof BankInputError) {
      return Response.json(
        { error: err.message, problems: err.problems.slice(0, 20) },
        { status: 400 },
      );
    }
    if (err instanceof TypeError) {
      return Response.json({ error: 'The hash list is not UTF-8 text.' }, { status: 400 });
    }
    throw err;
  }
}
