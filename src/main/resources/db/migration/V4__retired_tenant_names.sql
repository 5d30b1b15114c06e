-- Names of deleted tenants. Their objects on the engine still carry the name (the berth.tenant label
-- and the engine-side name prefix), so a new tenant of that name would own them: a name is never
-- given out again.
create table retired_tenant_name (
    name       varchar(40) primary key,
    retired_at timestamptz not null
);
