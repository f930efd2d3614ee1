import 'server-only';

// Accounts are created, and passwords set, by one implementation shared with the seed and the
// CLI (`@ganmod/db`): better-auth's credential account holding the scrypt hash, the project's
// password policy, and session revocation on reset.
export { createPasswordUser, setPassword } from '@ganmod/db/client';
