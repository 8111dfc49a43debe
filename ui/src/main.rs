//! The Yew frontend of Venice Music Video Studio (compiled to wasm by trunk).

mod app;
mod bridge;
mod components;
mod form;
mod format;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
    // The static header index.html draws before the wasm loads has done its job.
    if let Some(boot) = gloo::utils::document().get_element_by_id("boot") {
        boot.remove();
    }
}
