//! The one integration test binary: a real roster server on 127.0.0.1:0
//! over a fresh SQLite file per test, driven over HTTP. Modules follow the
//! URL paths.

mod helpers;

mod audit;
mod cli;
mod cloud_groups;
mod cloud_members;
mod cloud_names;
mod cloud_pagination;
mod cloud_search;
mod cloud_users;
mod console;
mod dc_admin;
mod dc_cross;
mod dc_groups;
mod dc_identity;
mod dc_users;
mod described;
mod durability_start;
mod errors;
mod export;
mod extender_bulk;
mod extender_groups;
mod extender_users;
mod first_start;
mod golden;
mod golden_cloud;
mod golden_coverage;
mod golden_dc;
mod golden_extender;
mod golden_roster;
mod guard;
mod hardening_concurrency;
mod hardening_connections;
mod hardening_input;
mod hardening_invariants;
mod hardening_names;
mod hardening_ratelimit;
mod hardening_ratelimit_payer;
mod hardening_request_id;
mod hardening_search;
mod hardening_secrets;
mod hardening_signin;
mod hardening_snapshots;
mod hardening_storm;
mod hardening_throttle;
mod hardening_xsrf;
mod logs;
mod migrate_store;
mod multi_instance;
mod openapi;
mod ops;
mod permission_matrix;
mod shutdown;
mod snapshots;
