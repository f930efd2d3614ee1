import { unknownPath } from '~/server/moderation/platform-api';

// Every path under /api/v1 that no other route serves: a JSON 404 for platforms, not Next's
// HTML page. No key is needed to learn that a path does not exist.
export const dynamic = 'force-dynamic';

export const GET = unknownPath;
export const POST = unknownPath;
export const PUT = unknownPath;
export const PATCH = unknownPath;
export const DELETE = unknownPath;
