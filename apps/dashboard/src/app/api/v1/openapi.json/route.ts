import { platformOpenApi } from '~/server/moderation/openapi';
import { methodNotAllowed } from '../../../../../server/platform/platform-route';
import { configuredInputLimits } from '../../../../../server/platform/submission-form';

export const dynamic = 'force-dynamic';

/**
 * `GET /api/v1/openapi.json`: the platform API's OpenAPI 3.1 document, generated from the
 * handlers' zod schemas with this server's limits. Public, like the README that documents the same
 * API: it holds no secrets and no data, and a platform's tooling reads it before it has a key. It
 * is not counted against any key's rate limit.
 */
export function GET() {
  return Response.json(platformOpenApi(configuredInputLimits()), {
    headers: { 'Cache-Control': 'public, max-age=300' },
  });
}

const ALLOWED = ['GET'] as const;
export const POST = () => methodNotAllowed(ALLOWED);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
