//! The Yew frontend (placeholder).
fn main() {}
