-- Berth's own certificate authority, when the operator gives none: one row at most (the first replica
-- to start inserts it, the others read it). The private key is AES-256-GCM encrypted under a key from
-- berth.pki.key-encryption-secret; it is never stored in clear.
create table certificate_authority (
    id            smallint    primary key check (id = 1),
    certificate   text        not null,
    encrypted_key bytea       not null,
    created_at    timestamptz not null
);

-- Client certificates issued to tenants. Only what identifies and revokes them is kept, never a key.
create table client_certificate (
    id           varchar(16)  primary key,
    tenant_id    uuid         not null references tenant (id) on delete cascade,
    serial       varchar(40)  not null unique,
    description  varchar(200) not null,
    created_at   timestamptz  not null,
    not_after    timestamptz  not null,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

create index client_certificate_tenant on client_certificate (tenant_id);
