-- Decisions keep their actor's name and role as they were when the decision was made, so the log
-- does not change when a user is renamed (or their role changes). Null for the automatic policy.
-- Hand-edited: backfill and trigger. The migration runs as one transaction.

-- AlterTable
ALTER TABLE "decisions" ADD COLUMN     "actorName" TEXT,
ADD COLUMN     "actorRole" "Role";

-- Backfill existing decisions with their actor's current name and role (the best record there
-- is). Decisions are append-only: the UPDATE/DELETE trigger is disabled for the backfill only;
-- the table lock taken here keeps every other writer out until it is enabled again.
ALTER TABLE "decisions" DISABLE TRIGGER "decisions_no_update_or_delete";

UPDATE "decisions" AS d SET "actorName" = u."name", "actorRole" = u."role"
FROM "users" AS u
WHERE d."actorId" = u."id";

ALTER TABLE "decisions" ENABLE TRIGGER "decisions_no_update_or_delete";

-- A decision by a user must record the snapshot; a policy decision has none.
CREATE FUNCTION "decisions_actor_snapshot"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW."actorId" IS NOT NULL AND (NEW."actorName" IS NULL OR NEW."actorRole" IS NULL))
        OR (NEW."actorId" IS NULL AND (NEW."actorName" IS NOT NULL OR NEW."actorRole" IS NOT NULL)) THEN
        RAISE EXCEPTION 'a decision records its actor''s name and role (actorName, actorRole) exactly when it has an actor'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "decisions_actor_snapshot" BEFORE INSERT ON "decisions"
    FOR EACH ROW EXECUTE FUNCTION "decisions_actor_snapshot"();
