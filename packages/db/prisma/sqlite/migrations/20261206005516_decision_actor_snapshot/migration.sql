-- Decisions keep their actor's name and role as they were when the decision was made, so the log
-- does not change when a user is renamed (or their role changes). Null for the automatic policy.
-- Hand-edited: backfill and triggers.

-- AlterTable
ALTER TABLE "decisions" ADD COLUMN "actorName" TEXT;
ALTER TABLE "decisions" ADD COLUMN "actorRole" TEXT;

-- Backfill existing decisions with their actor's current name and role (the best record there
-- is). Decisions are append-only: the UPDATE trigger is dropped for the backfill and recreated
-- exactly as decisions_append_only defined it.
DROP TRIGGER "decisions_no_update";

UPDATE "decisions" SET
    "actorName" = (SELECT "name" FROM "users" WHERE "users"."id" = "decisions"."actorId"),
    "actorRole" = (SELECT "role" FROM "users" WHERE "users"."id" = "decisions"."actorId")
WHERE "actorId" IS NOT NULL;

CREATE TRIGGER "decisions_no_update" BEFORE UPDATE ON "decisions"
BEGIN
    SELECT RAISE(ABORT, 'decisions are append-only');
END;

-- A decision by a user must record the snapshot; a policy decision has none. (Like the triggers
-- above, drop with any later migration that redefines the table: recreate it there.)
CREATE TRIGGER "decisions_actor_snapshot" BEFORE INSERT ON "decisions"
WHEN (NEW."actorId" IS NOT NULL AND (NEW."actorName" IS NULL OR NEW."actorRole" IS NULL))
    OR (NEW."actorId" IS NULL AND (NEW."actorName" IS NOT NULL OR NEW."actorRole" IS NOT NULL))
BEGIN
    SELECT RAISE(ABORT, 'a decision records its actor''s name and role (actorName, actorRole) exactly when it has an actor');
END;
