//! The HTTP dialects roster speaks, one module each: Confluence Cloud REST
//! v1 (`/wiki/rest/api`), Data Center core REST (`/rest/api`, also under
//! `/confluence`) and the Extender for Confluence API
//! (`/rest/extender/1.0`). A handler parses its request, opens a door of
//! the directory (`reader`, `admin`), calls it, and renders the answer.

pub mod cloud;
pub mod dc;
pub mod extender;
pub mod v2;
