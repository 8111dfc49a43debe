//! Desktop app entry point (placeholder).
fn main() {}
