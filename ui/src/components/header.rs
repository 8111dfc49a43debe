//! The title bar: the studio's name (gold accent), the DEMO badge, the Clips / Music video tabs,
//! jobs in flight, Settings.

use yew::prelude::*;

use crate::app::{APP_NAME, use_store};
use crate::state::video::{Tab, VideoAction};
use crate::state::{Action, Screen};

#[component(Header)]
pub fn header() -> Html {
    let store = use_store();
    let (brand, rest) = APP_NAME.split_once(' ').unwrap_or((APP_NAME, ""));
    let in_flight = store.in_flight();
    let open_settings = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::OpenSettings))
    };
    let can_open = !matches!(store.screen(), Screen::Starting);
    let tab = |which: Tab, label: &str, testid: &str| {
        let selected = store.video.tab == which;
        let onclick = {
            let store = store.clone();
            Callback::from(move |_: MouseEvent| {
                store.dispatch(Action::Video(VideoAction::ShowTab(which)))
            })
        };
        html! {
            <button class={classes!("tabs__tab", selected.then_some("tabs__tab--on"))} role="tab"
                    data-testid={testid.to_string()} aria-selected={selected.to_string()} {onclick}>
                { label }
            </button>
        }
    };
    html! {
        <header class="header">
            <h1 class="header__title" aria-label={APP_NAME}>
                <span class="header__logo" aria-hidden="true">{ "▶" }</span>
                <span class="accent">{ brand }</span>
                <span class="header__rest">{ " " }{ rest }</span>
            </h1>
            if store.is_demo() {
                <span class="badge badge--demo" data-testid="demo-badge"
                      title="Running against the built-in Venice test double: nothing costs money">
                    { "DEMO · no charges" }
                </span>
            }
            if store.screen() == Screen::Main {
                <nav class="tabs" role="tablist" aria-label="Screens">
                    { tab(Tab::Clips, "Clips", "tab-clips") }
                    { tab(Tab::MusicVideo, "Music video", "tab-music-video") }
                </nav>
            }
            <div class="header__spacer"></div>
            if in_flight > 0 {
                <span class="header__status" role="status">
                    <span class="pulse" aria-hidden="true"></span>
                    { format!("{in_flight} in progress") }
                </span>
            }
            if can_open {
                <button class="btn btn--ghost" data-testid="settings-open" onclick={open_settings}

                        aria-haspopup="dialog">
                    <span aria-hidden="true">{ "⚙ " }</span>{ "Settings" }
                </button>
            }
        </header>
    }
}
