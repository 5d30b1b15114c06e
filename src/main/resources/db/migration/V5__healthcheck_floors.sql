-- How often a container's healthcheck may run, per plan: every run is an exec the whole engine pays for.
-- Interval, timeout and start interval below the floor are refused; so are more retries than the bound.
alter table plan add column healthcheck_min_interval_ms bigint  not null default 1000;
alter table plan add column healthcheck_max_retries     integer not null default 100;
