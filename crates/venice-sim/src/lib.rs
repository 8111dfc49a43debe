//! The Venice test double.
