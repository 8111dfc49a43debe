//! Request and response types, one module per resource, following Venice's openapi.yaml.
//!
//! Optional request fields are never sent as `null` (Venice's schemas are not nullable);
//! unknown response fields are ignored.

pub mod billing;
pub mod chat;
pub mod models;
pub mod usage;
pub mod video;
