//! The one integration test binary: a real roster server on 127.0.0.1:0
//! over a fresh SQLite file per test, driven over HTTP. Modules follow the
//! URL paths.

mod helpers;

mod cli;
mod cloud_groups;
mod cloud_members;
mod cloud_names;
mod cloud_pagination;
mod cloud_permissions;
mod cloud_search;
mod cloud_users;
mod console;
mod errors;
mod migrate_store;
mod multi_instance;
mod ops;
mod dc_admin;
mod dc_cross;
mod dc_groups;
mod dc_identity;
mod dc_users;
mod extender_bulk;
mod extender_groups;
mod extender_users;
mod snapshots;
mod audit;
mod hardening_concurrency;
mod hardening_input;
mod hardening_ratelimit;
mod hardening_storm;
mod hardening_throttle;
mod hardening_xsrf;
mod export;
mod hardening_secrets;
mod shutdown;
mod openapi;
