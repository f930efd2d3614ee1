import 'server-only';
import { TRPCError } from '@trpc/server';

/** A problem with one input field that only the server can judge (it needs the database). */
export class FieldError extends Error {
  override name = 'FieldError';
  constructor(
    /** The input field at fault, as the form names it (`newPassword`, `password`...). */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A BAD_REQUEST that forms show next to one field, for rules that cannot live in the input
 * schema (they need the caller's email, the target account, the stored password): the tRPC error
 * formatter lists it in `fieldErrors` like a zod issue.
 */
export function fieldError(path: string, message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message, cause: new FieldError(path, message) });
}
