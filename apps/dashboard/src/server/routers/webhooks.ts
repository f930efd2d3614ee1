import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { loadEnvironment } from '@ganmod/config';
import {
  WebhookDeliveryStatus,
  clearWebhookEndpoint,
  listWebhookDeliveries,
  replayWebhookDelivery,
  rotateWebhookSecret,
  setWebhookEndpoint,
  webhookUrlProblem,
} from '@ganmod/db/client';
import { access } from '~/lib/roles';
import { protectedProcedure, router } from '../trpc';

const adminProcedure = protectedProcedure(access.admin);
const keyInput = z.object({ apiKeyId: z.string().min(1).max(100) });

/**
 * Admin: each API key's webhook endpoint (callback URL, signing secret and its rotation) and the
 * deliveries the worker makes to them. Secrets are shown to admins only, on request.
 */
export const webhooksRouter = router({
  /** Every endpoint, by key, without its secrets. */
  endpoints: adminProcedure.query(async ({ ctx }) => {
    const endpoints = await ctx.db.webhookEndpoint.findMany({
      select: {
        apiKeyId: true,
        url: true,
        enabled: true,
        disabledReason: true,
        disabledAt: true,
        consecutiveFailures: true,
        previousSecretExpiresAt: true,
        updatedAt: true,
      },
    });
    const now = new Date();
    return endpoints.map((e) => ({
      ...e,
      rotating: e.previousSecretExpiresAt !== null && e.previousSecretExpiresAt > now,
    }));
  }),

  setUrl: adminProcedure
    .input(keyInput.extend({ url: z.string().trim().min(1, 'Enter the callback URL').max(2000) }))
    .mutation(async ({ ctx, input }) => {
      const problem = webhookUrlProblem(input.url, loadEnvironment().webhookAllowHttpLocalhost);
      if (problem) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: problem.charAt(0).toUpperCase() + problem.slice(1) + '.',
        });
      }
      const key = await ctx.db.apiKey.findUnique({ where: { id: input.apiKeyId } });
      if (!key || key.revokedAt)
        throw new TRPCError({ code: 'NOT_FOUND', message: 'No active key with that id.' });
      const endpoint = await setWebhookEndpoint(ctx.db, input.apiKeyId, input.url);
      return { url: endpoint.url, enabled: endpoint.enabled };
    }),

  clear: adminProcedure.input(keyInput).mutation(async ({ ctx, input }) => {
    if (!(await clearWebhookEndpoint(ctx.db, input.apiKeyId)))
      throw new TRPCError({ code: 'NOT_FOUND', message: 'That key has no callback URL.' });
    return { ok: true as const };
  }),

  /** The current signing secret (admins only; the platform needs it to verify). */
  revealSecret: adminProcedure.input(keyInput).mutation(async ({ ctx, input }) => {
    const endpoint = await ctx.db.webhookEndpoint.findUnique({
      where: { apiKeyId: input.apiKeyId },
      select: { secret: true },
    });
    if (!endpoint)
      throw new TRPCError({ code: 'NOT_FOUND', message: 'That key has no callback URL.' });
    return { secret: endpoint.secret };
  }),

  /** A new secret; the old one keeps signing alongside for 24 h. */
  rotateSecret: adminProcedure.input(keyInput).mutation(async ({ ctx, input }) => {
    const endpoint = await rotateWebhookSecret(ctx.db, input.apiKeyId);
    if (!endpoint)
      throw new TRPCError({ code: 'NOT_FOUND', message: 'That key has no callback URL.' });
    return { secret: endpoint.secret, previousSecretExpiresAt: endpoint.previousSecretExpiresAt };
  }),

  deliveries: adminProcedure
    .input(
      z
        .object({
          status: z
            .enum(Object.values(WebhookDeliveryStatus) as [WebhookDeliveryStatus])
            .optional(),
          limit: z.number().int().min(1).max(500).default(100),
        })
        .default({ limit: 100 }),
    )
    .query(({ ctx, input }) => listWebhookDeliveries(ctx.db, input)),

  /** Sends a delivery again now, with the same `webhook-id`. */
  replay: adminProcedure
    .input(z.object({ deliveryId: z.string().min(1).max(100) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await replayWebhookDelivery(ctx.db, input.deliveryId)))
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'No delivery with that id, or a worker is sending it right now: try again.',
        });
      return { ok: true as const };
    }),
});
