import { connectDb, describeDbError, resolveDatabaseUrl, type Db } from '@ganmod/db';
import { CliError, ExitCode } from './exit-codes.js';

/** Connects to `DATABASE_URL` (SQLite default) or ends the command with one clear line. */
export async function openDatabase(): Promise<Db> {
  try {
    return await connectDb(resolveDatabaseUrl(process.env));
  } catch (err) {
    throw new CliError(describeDbError(err), ExitCode.Database);
  }
}
