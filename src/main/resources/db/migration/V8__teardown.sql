-- Deleting a tenant removes what it left on its backend (issue 12) in the background: one row per
-- deleted tenant, inserted in the statement that deletes the tenant and retires its name. The name
-- stays retired until the teardown has finished; the row is then kept, finished, as a record.
-- A worker on any replica claims a due row by a lease (leased_by, leased_until) in one conditional
-- update, so no lock is held while it talks to an engine; a replica that dies mid-attempt loses its
-- lease and another one takes over.
create table teardown (
    tenant_id       uuid         primary key,
    name            varchar(40)  not null,
    requested_at    timestamptz  not null,
    -- when the next attempt may start (the first waits until no replica serves the tenant from cache)
    due_at          timestamptz  not null,
    attempts        integer      not null default 0,
    last_attempt_at timestamptz,
    last_error      text,
    leased_by       uuid,
    leased_until    timestamptz,
    finished_at     timestamptz
);

-- A name is torn down once at a time (a name freed and given out again may be torn down again later).
create unique index teardown_unfinished_name on teardown (name) where finished_at is null;
create index teardown_due on teardown (due_at) where finished_at is null;
