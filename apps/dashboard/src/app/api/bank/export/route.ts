import { exportBankCsv } from '@ganmod/db/client';
import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { getDb } from '~/server/db';
import { bankLabelParam } from '~/server/moderation/bank-uploads';

export const dynamic = 'force-dynamic';

/**
 * The bank's PDQ entries as a ThreatExchange CSV (`hash,quality,label`), for moderators. Query:
 * `label` (only that label), `includeDisabled=1`.
 */
export async function GET(req: Request) {
  const auth = await authorizeRequest(req, access.moderation);
  if (auth.error) return auth.error;
  const params = new URL(req.url).searchParams;
  const labelParam = bankLabelParam(params);
  if (labelParam.error) return labelParam.error;
  const { label } = labelParam;
  const { csv, count } = await exportBankCsv(getDb(), {
    label,
    includeDisabled: params.get('includeDisabled') === '1',
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="ganmod-bank-${label?.toLowerCase() ?? 'all'}-${day}.csv"`,
      'Cache-Control': 'no-store',
      'X-Bank-Entries': String(count),
    },
  });
}
