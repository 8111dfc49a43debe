//! The root component: for now the studio's name and what it does.

use yew::prelude::*;

/// The product's name, as the window title and the heading show it.
pub const APP_NAME: &str = "Venice Music Video Studio";

/// One line on what the studio does.
pub const TAGLINE: &str =
    "Turn an idea and a song into a music video with Venice's AI video models.";

/// The app's root component.
#[function_component(App)]
pub fn app() -> Html {
    // "Venice" in the accent colour, the rest plain.
    let (brand, rest) = APP_NAME.split_once(' ').unwrap_or((APP_NAME, ""));
    html! {
        <main class="app">
            <h1 class="app__title">
                <span class="app__title-accent">{ brand }</span>{ " " }{ rest }
            </h1>
            <p class="app__tagline">{ TAGLINE }</p>
            <span class="app__version">{ concat!("v", env!("CARGO_PKG_VERSION")) }</span>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_and_name_agree() {
        assert_eq!(APP_NAME, "Venice Music Video Studio");
        assert!(APP_NAME.ends_with(" Music Video Studio"));
        assert!(!TAGLINE.is_empty());
    }
}
