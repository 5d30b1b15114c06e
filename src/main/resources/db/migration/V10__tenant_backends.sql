-- One row per tenant that has (or had) a backend of its own: the lifecycle of its Proxmox VM.
-- The VMID, node and running task are saved before a step waits, so any replica can resume after a
-- crash. A replica acts on the row only while it holds the claim: owner and lease, with an epoch that
-- each claim moves on, so a replica whose lease ran out cannot overwrite its successor's work.
-- No foreign key to tenant: when a tenant is deleted its VM must still be found and destroyed.
create table tenant_backend (
    tenant_id    uuid        primary key,
    tenant_name  varchar(63) not null,
    state        varchar(16) not null,
    vmid         integer,
    node         varchar(64),
    upid         varchar(200),
    address      varchar(64),
    owner        varchar(100),
    lease_until  timestamptz,
    epoch        bigint      not null default 0,
    last_error   text,
    state_since  timestamptz not null default now(),
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    last_used_at timestamptz not null default now(),
    constraint tenant_backend_state check (state in
        ('absent', 'cloning', 'starting', 'booting', 'ready', 'stopping', 'stopped', 'destroying', 'gone', 'failed'))
);

-- Two live rows never share a VM or an address (VMIDs and addresses of gone VMs are given out again).
create unique index tenant_backend_vmid on tenant_backend (vmid) where state <> 'gone' and vmid is not null;
create unique index tenant_backend_address on tenant_backend (address) where state <> 'gone' and address is not null;
