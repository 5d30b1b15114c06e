-- Every tenant name given out since this migration (and those of the tenants it finds). A deleted
-- tenant's objects on the engine still carry its name (the berth.tenant label and the engine-side
-- name prefix), so a new tenant of that name would own them: deleting a tenant retires its name
-- instead of freeing it. Claiming a name here is what makes it unique, live and retired names alike,
-- in one index. Names of tenants deleted before this migration are not known here: see
-- docs/isolation.md, "Tenant deletion".
create table tenant_name (
    name       varchar(40) primary key,
    retired_at timestamptz
);

insert into tenant_name (name) select name from tenant;

-- A tenant's name is always claimed (an operator freeing a retired name cannot free a live one).
alter table tenant add constraint tenant_name_claimed foreign key (name) references tenant_name (name);
