-- Which backend serves a plan's tenants: the shared engine, or a Proxmox VM of the tenant's own with
-- this size (cores, memory in MiB, and an optional disk size in GiB the template's disk grows to).
alter table plan add column backend       varchar(16) not null default 'shared';
alter table plan add column vm_cores      integer;
alter table plan add column vm_memory_mib integer;
alter table plan add column vm_disk_gib   integer;

alter table plan add constraint plan_backend_known check (backend in ('shared', 'proxmox'));
alter table plan add constraint plan_vm_sized check (
    backend = 'shared' or (vm_cores > 0 and vm_memory_mib >= 256 and (vm_disk_gib is null or vm_disk_gib > 0)));

-- A VM holds one tenant's containers only: the container limits are the VM's size, not a share of a host.
insert into plan (name, memory_bytes, nano_cpus, pids_limit, max_containers, backend, vm_cores, vm_memory_mib, vm_disk_gib)
values ('vm', 2147483648, 2000000000, 2048, 50, 'proxmox', 2, 4096, 20);
