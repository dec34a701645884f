-- roster schema, version 3 (SQLite dialect): ids are never handed out again.
-- Without AUTOINCREMENT SQLite gives a new row the largest id + 1, so
-- deleting the newest user or group freed its id for the next one, and an
-- id held by a caller between a read and a write (a stale id) could hit the
-- new row. SQLite cannot add AUTOINCREMENT in place: users, groups and
-- tokens are rebuilt with it, keeping every row and id (sqlite_sequence
-- starts at the largest id kept). Runs with foreign keys off (schema.rs),
-- so dropping the old tables does not cascade to memberships and tokens;
-- the references, made by name, then point at the new tables, and
-- schema.rs runs `pragma foreign_key_check` before committing.
create table users_new (
    id integer primary key autoincrement,
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
insert into users_new (id, account_id, account_type, username, username_lower, user_key, display_name, email,
    email_lower, active, password_hash, position, department, location, phone, im, website, created_ms, updated_ms,
    last_login_ms, last_failed_login_ms)
select id, account_id, account_type, username, username_lower, user_key, display_name, email,
    email_lower, active, password_hash, position, department, location, phone, im, website, created_ms, updated_ms,
    last_login_ms, last_failed_login_ms
from users order by id;
drop table users;
alter table users_new rename to users;

create table groups_new (
    id integer primary key autoincrement,
    uuid text not null unique,
    name text not null,
    name_lower text not null unique,
    created_ms integer not null
);
insert into groups_new (id, uuid, name, name_lower, created_ms)
select id, uuid, name, name_lower, created_ms from groups order by id;
drop table groups;
alter table groups_new rename to groups;

create table tokens_new (
    id integer primary key autoincrement,
    user_id integer not null references users(id) on delete cascade,
    hash blob not null unique,
    label text not null,
    created_ms integer not null
);
insert into tokens_new (id, user_id, hash, label, created_ms)
select id, user_id, hash, label, created_ms from tokens order by id;
drop table tokens;
alter table tokens_new rename to tokens;
create index tokens_by_user on tokens(user_id);
