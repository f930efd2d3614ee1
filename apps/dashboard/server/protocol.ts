/**
 * What the dashboard's own HTTP server (server.ts) promises the app running inside it. Shared by
 * both sides so the header name is written once.
 */

/**
 * The client's address as the server determined it (the socket's peer, or the forwarded chain
 * when the peer is a trusted proxy). The server always overwrites a client-sent value.
 */
export const CLIENT_IP_HEADER = 'x-ganmod-client-ip';

/**
 * Set in the process environment by server.ts before Next starts, so the app knows that
 * CLIENT_IP_HEADER is trustworthy (under `next dev` there is no such server and no such header).
 */
export const GUARDED_SERVER_ENV = 'GANMOD_GUARDED_SERVER';

/** Request bodies larger than this are refused before anything parses them (except /api/v1). */
export const MAX_BODY_BYTES = 64 * 1024;
