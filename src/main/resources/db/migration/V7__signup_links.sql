-- One-time links of the signup form (issue 14). Only the SHA-256 of a link's token is kept; the
-- email is kept to become the tenant's contact address when the link is followed.
create table signup_link (
    token_hash  bytea primary key,
    email       text        not null,
    name        text        not null,
    created_at  timestamptz not null,
    expires_at  timestamptz not null,
    used_at     timestamptz
);

create index signup_link_expires_at on signup_link (expires_at);
