-- Decisions are an append-only audit log: the database rejects any UPDATE or DELETE.
-- Hand-written (Prisma's schema language has no triggers). Note: a later migration that makes
-- SQLite redefine the "decisions" table drops these triggers; recreate them in that migration.

CREATE TRIGGER "decisions_no_update" BEFORE UPDATE ON "decisions"
BEGIN
    SELECT RAISE(ABORT, 'decisions are append-only');
END;

CREATE TRIGGER "decisions_no_delete" BEFORE DELETE ON "decisions"
BEGIN
    SELECT RAISE(ABORT, 'decisions are append-only');
END;
