//! The Yew frontend of Venice Music Video Studio (compiled to wasm by trunk).

mod app;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
