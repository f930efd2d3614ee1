import 'server-only';

// The client lives beside the server in front of Next, which uses it too (server/db.ts).
export { getDb } from '../../server/db';
