-- roster schema, version 1 (SQLite dialect)
create table users (
    id integer primary key,
    account_id text not null unique,
    account_type text not null,
    username text,
    username_lower text unique,
    user_key text not null unique,
    display_name text not null,
    email text not null,
    email_lower text unique,
    active integer not null,
    password_hash text,
    position text not null default '',
    department text not null default '',
    location text not null default '',
    phone text not null default '',
    im text not null default '',
    website text not null default '',
    created_ms integer not null,
    updated_ms integer not null,
    last_login_ms integer,
    last_failed_login_ms integer
);

create table groups (
    id integer primary key,
    uuid text not null unique,
    name text not null,
    name_lower text not null unique,
    created_ms integer not null
);

create table memberships (
    group_id integer not null references groups(id) on delete cascade,
    user_id integer not null references users(id) on delete cascade,
    primary key (group_id, user_id)
) without rowid;

create index memberships_by_user on memberships(user_id, group_id);

create table tokens (
    id integer primary key,
    user_id integer not null references users(id) on delete cascade,
    hash blob not null unique,
    label text not null,
    created_ms integer not null
);

create index tokens_by_user on tokens(user_id);
