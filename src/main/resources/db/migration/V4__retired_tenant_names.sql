-- Every tenant name ever given out. A deleted tenant's objects on the engine still carry its name (the
-- berth.tenant label and the engine-side name prefix), so a new tenant of that name would own them:
-- deleting a tenant retires its name instead of freeing it. Claiming a name here is what makes it
-- unique, the tenant's own and the retired ones alike, in one index.
create table tenant_name (
    name       varchar(40) primary key,
    retired_at timestamptz
);

insert into tenant_name (name) select name from tenant;
