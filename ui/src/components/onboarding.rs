//! The first screen when no key is set: paste a Venice API key, or try the demo at no cost.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::{TAGLINE, use_store};
use crate::bridge;
use crate::state::Action;

#[component(Onboarding)]
pub fn onboarding() -> Html {
    let store = use_store();
    let key = use_state(String::new);
    let busy = use_state(|| None::<&'static str>);
    let error = use_state(|| None::<String>);

    let on_input = {
        let key = key.clone();
        Callback::from(move |e: InputEvent| {
            key.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_submit = {
        let (key, busy, error, store) = (key.clone(), busy.clone(), error.clone(), store.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = key.trim().to_string();
            if value.is_empty() {
                error.set(Some("Paste your Venice API key first.".into()));
                return;
            }
            busy.set(Some("key"));
            error.set(None);
            let (busy, error, key, d) =
                (busy.clone(), error.clone(), key.clone(), store.dispatcher());
            wasm_bindgen_futures::spawn_local(async move {
                let result = bridge::set_key(value).await;
                busy.set(None);
                match result {
                    Ok(status) => {
                        key.set(String::new());
                        d.dispatch(Action::KeyLoaded(Ok(status)));
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let on_demo = {
        let (busy, error, store) = (busy.clone(), error.clone(), store.clone());
        Callback::from(move |_: MouseEvent| {
            busy.set(Some("demo"));
            error.set(None);
            let (busy, error, d) = (busy.clone(), error.clone(), store.dispatcher());
            wasm_bindgen_futures::spawn_local(async move {
                let result = bridge::start_demo().await;
                busy.set(None);
                match result {
                    Ok(status) => d.dispatch(Action::KeyLoaded(Ok(status))),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let disabled = busy.is_some();

    html! {
        <div class="center-screen">
            <div class="card onboarding" data-testid="onboarding">
                <h2 class="onboarding__title">{ "Welcome to the studio" }</h2>
                <p class="muted">{ TAGLINE }</p>
                <form class="onboarding__key" onsubmit={on_submit}>
                    <label for="api-key">{ "Your Venice API key" }</label>
                    <div class="row">
                        <input id="api-key" type="password" autocomplete="off" spellcheck="false"
                               placeholder="Paste the key from venice.ai → Settings → API"
                               data-testid="key-input" value={(*key).clone()} oninput={on_input}
                               disabled={disabled} autofocus=true />
                        <button class="btn btn--primary" type="submit" data-testid="key-save" disabled={disabled}>
                            { if *busy == Some("key") { "Saving…" } else { "Save key" } }
                        </button>
                    </div>
                    <p class="hint">
                        { "The key is kept by the app outside this window (in your system keychain, or \
                           where none keeps keys, a file only you can read): this window never sees it \
                           again, only its last four characters." }
                    </p>
                </form>
                if let Some(e) = &*error {
                    <p class="error-text" role="alert" data-testid="error-banner">{ e }</p>
                }
                <div class="divider"><span>{ "or" }</span></div>
                <div class="onboarding__demo">
                    <button class="btn btn--secondary btn--wide" data-testid="try-demo" onclick={on_demo} disabled={disabled}>
                        { if *busy == Some("demo") { "Starting the demo…" } else { "Try the demo" } }
                    </button>
                    <p class="hint">
                        { "The demo runs against a built-in stand-in for Venice: the whole studio works, \
                           videos are sample clips, and nothing is charged." }
                    </p>
                </div>
            </div>
        </div>
    }
}
