create table tenant (
    id         uuid primary key,
    name       varchar(40)  not null unique,
    email      varchar(254) not null,
    created_at timestamptz  not null
);

-- A key is "bk" + public id + secret; only a SHA-256 of the secret is kept.
create table api_key (
    id           varchar(16)  primary key,
    tenant_id    uuid         not null references tenant (id) on delete cascade,
    secret_hash  bytea        not null,
    description  varchar(200) not null,
    created_at   timestamptz  not null,
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz
);

create index api_key_tenant on api_key (tenant_id);
