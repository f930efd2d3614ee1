import 'server-only';
import type { Db } from '@ganmod/db/client';
import {
  FLAG_THRESHOLD,
  REVIEWABLE_STATUSES,
  isModeratorAction,
  type ModeratorAction,
} from '@ganmod/moderation/contract';

/**
 * Queue health and moderator/detector agreement:
 * - depth by status and the age of the oldest waiting item;
 * - moderator decisions per hour over the last 24 hours;
 * - per detector, how often "score >= 0.5" matched the moderator's approve/remove call.
 */
export async function moderationStats(db: Db, now = new Date()) {
  const dayAgo = new Date(now.getTime() - 24 * 3_600_000);
  const [pending, inReview, escalated, oldest, recent, judged] = await Promise.all([
    db.contentItem.count({ where: { status: 'PENDING' } }),
    db.contentItem.count({ where: { status: 'IN_REVIEW' } }),
    db.contentItem.count({ where: { status: 'ESCALATED' } }),
    db.contentItem.findFirst({
      where: { status: { in: [...REVIEWABLE_STATUSES] } },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    }),
    db.decision.findMany({
      where: { actorId: { not: null }, createdAt: { gte: dayAgo } },
      select: { createdAt: true, action: true, actorId: true, actor: { select: { name: true } } },
    }),
    db.decision.findMany({
      where: { action: { in: ['APPROVE', 'REMOVE'] satisfies ModeratorAction[] } },
      orderBy: { createdAt: 'desc' },
      take: 5000,
      select: {
        itemId: true,
        action: true,
        item: { select: { scores: { select: { detector: true, score: true } } } },
      },
    }),
  ]);

  const hours = Array.from({ length: 24 }, (_, i) => {
    const start = new Date(now.getTime() - (23 - i) * 3_600_000);
    start.setUTCMinutes(0, 0, 0);
    return { hour: start.toISOString(), APPROVE: 0, REMOVE: 0, ESCALATE: 0 };
  });
  const firstHour = new Date(hours[0]!.hour).getTime();
  for (const d of recent) {
    const bucket = hours[Math.floor((d.createdAt.getTime() - firstHour) / 3_600_000)];
    if (bucket && isModeratorAction(d.action)) bucket[d.action]++;
  }
  // Per account, not per name: two moderators may share a name, and a renamed one is still one.
  const byModerator = new Map<string, { id: string; name: string; count: number }>();
  for (const d of recent) {
    const key = d.actorId ?? '?';
    const entry = byModerator.get(key) ?? { id: key, name: d.actor?.name ?? '?', count: 0 };
    entry.count++;
    byModerator.set(key, entry);
  }

  // Latest human verdict per item only: an item re-decided after escalation counts once.
  const seen = new Set<string>();
  const agreement = new Map<
    string,
    { agree: number; total: number; falsePositive: number; missed: number }
  >();
  for (const d of judged) {
    if (seen.has(d.itemId)) continue;
    seen.add(d.itemId);
    const removed = d.action === 'REMOVE';
    for (const s of d.item.scores) {
      const a = agreement.get(s.detector) ?? { agree: 0, total: 0, falsePositive: 0, missed: 0 };
      const flagged = s.score >= FLAG_THRESHOLD;
      a.total++;
      if (flagged === removed) a.agree++;
      else if (flagged) a.falsePositive++;
      else a.missed++;
      agreement.set(s.detector, a);
    }
  }

  return {
    depth: { pending, inReview, escalated, total: pending + inReview + escalated },
    oldestWaitingSince: oldest?.createdAt ?? null,
    decisionsPerHour: hours,
    decisionsLast24h: recent.length,
    byModerator: [...byModerator.values()].sort((a, b) => b.count - a.count),
    agreement: [...agreement]
      .map(([detector, a]) => ({ detector, ...a, rate: a.total ? a.agree / a.total : null }))
      .sort((a, b) => a.detector.localeCompare(b.detector)),
  };
}
