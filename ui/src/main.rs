//! The Yew frontend of Venice Music Video Studio (compiled to wasm by trunk).

mod app;
mod bridge;
mod components;
mod form;
mod format;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
