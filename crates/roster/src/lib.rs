//! roster: a self-hosted server for Confluence's user and group REST APIs.
//!
//! This crate is the binary's library half: the command line ([`cli`]),
//! one module per command ([`commands`]), and [`app`], which wires a store,
//! the directory and the HTTP router into a running server.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod connections;
pub mod fdlimit;
pub mod testing;
