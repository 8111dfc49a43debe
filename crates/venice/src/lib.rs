//! Typed client for the Venice API.
