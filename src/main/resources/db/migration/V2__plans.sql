-- Resource plans: limits injected into containers that do not ask for any, and ceilings for those that do.
create table plan (
    name           varchar(40) primary key,
    memory_bytes   bigint      not null,
    nano_cpus      bigint      not null,
    pids_limit     integer     not null,
    max_containers integer     not null
);

insert into plan (name, memory_bytes, nano_cpus, pids_limit, max_containers) values
    ('small',     536870912,  500000000,  256,  10),
    ('standard', 1073741824, 1000000000,  512,  25),
    ('large',    4294967296, 2000000000, 2048, 100);

alter table tenant add column plan varchar(40) not null default 'standard' references plan (name);
