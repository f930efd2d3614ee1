-- Decisions are an append-only audit log: the database rejects any UPDATE, DELETE or TRUNCATE.
-- Hand-written (Prisma's schema language has no triggers).

CREATE FUNCTION "decisions_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decisions are append-only' USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "decisions_no_update_or_delete" BEFORE UPDATE OR DELETE ON "decisions"
    FOR EACH ROW EXECUTE FUNCTION "decisions_append_only"();

CREATE TRIGGER "decisions_no_truncate" BEFORE TRUNCATE ON "decisions"
    FOR EACH STATEMENT EXECUTE FUNCTION "decisions_append_only"();
