-- Which kind of backend a deleted tenant may have left something on: 'proxmox' when its plan named a
-- VM of its own or it still has one (a tenant moved back to a shared plan keeps its VM's row),
-- 'shared' otherwise. A replica claims only the teardowns it has a backend teardown for, so a replica
-- without the Proxmox backend configured (during a rollout that adds it) never marks a VM tenant's
-- teardown finished with its VM still there. Rows written before this column are the shared kind.
alter table teardown add column backend varchar(16) not null default 'shared';
alter table teardown add constraint teardown_backend_known check (backend in ('shared', 'proxmox'));
