import { platformRoute, unknownPath } from '../../../../../server/platform/platform-route';

// Every path under /api/v1 that no other route serves: a JSON 404 for platforms, not Next's
// HTML page. No key is needed to learn that a path does not exist; a request with a key is
// counted against its limit and answered with its RateLimit-* headers, like every other.
export const dynamic = 'force-dynamic';

export const GET = platformRoute(unknownPath, unknownPath);
export const POST = GET;
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
