-- Custom domains an operator registered for a tenant: a domain belongs to one tenant at most.
create table tenant_domain (
    domain     varchar(253) primary key,
    tenant_id  uuid         not null references tenant (id) on delete cascade,
    created_at timestamptz  not null
);

create index tenant_domain_tenant on tenant_domain (tenant_id);

-- One row per host:port entry of a labelled container: the source of truth that Redis publishes.
-- target_url is where Traefik reaches the container while it runs (null when it has no address).
create table route (
    container_id   varchar(64)  not null,
    position       smallint     not null,
    tenant_id      uuid         not null references tenant (id) on delete cascade,
    engine_id      varchar(64)  not null,
    container_name varchar(255) not null,
    host           varchar(253) not null,
    port           integer      not null,
    state          varchar(16)  not null check (state in ('running', 'stopped')),
    target_url     varchar(300),
    started_at     timestamptz,
    updated_at     timestamptz  not null,
    primary key (container_id, position)
);

create index route_tenant on route (tenant_id);
create index route_host on route (host);
