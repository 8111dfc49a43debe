//! The theme → prompt step: a theme, "Write prompt" (Enter works too), and the editable prompt with
//! its character count against the chosen model's limit.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::form::PromptCount;
use crate::format;
use crate::state::Action;

#[component(ThemeInput)]
pub fn theme_input() -> Html {
    let store = use_store();
    let model = store.selected_model().cloned();
    let theme = store.form.theme.clone();
    let can_write = !theme.trim().is_empty() && model.is_some() && !store.writing_prompt;

    let write = {
        let store = store.clone();
        let model_id = store.form.model.clone();
        let theme = theme.clone();
        Callback::from(move |()| {
            if theme.trim().is_empty() || model_id.is_empty() || store.writing_prompt {
                return;
            }
            store.dispatch(Action::PromptRequested);
            let (d, theme, model_id) = (
                store.dispatcher(),
                theme.trim().to_string(),
                model_id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                d.dispatch(Action::PromptWritten(
                    bridge::generate_prompt(theme, model_id).await,
                ));
            });
        })
    };
    let on_theme = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            store.dispatch(Action::SetTheme(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_key = {
        let write = write.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                write.emit(());
            }
        })
    };
    let on_click = write.reform(|_: MouseEvent| ());
    let on_prompt = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            store.dispatch(Action::SetPrompt(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };

    let count = model
        .as_ref()
        .map(|m| PromptCount::of(&store.form.prompt, m.prompt_limit));
    let over = count.is_some_and(|c| c.is_over());

    html! {
        <div class="card">
            <div class="card__head">
                <h2>{ "1 · Idea" }</h2>
                <span class="muted small">{ "A theme, a mood, a lyric: the studio writes the shot." }</span>
            </div>
            <label for="theme">{ "Theme" }</label>
            <div class="row">
                <input id="theme" type="text" data-testid="theme-input" value={theme}
                       placeholder="e.g. neon rain over a midnight city, synthwave"
                       oninput={on_theme} onkeydown={on_key} />
                <button class="btn btn--secondary" data-testid="write-prompt" onclick={on_click}
                        disabled={!can_write} aria-busy={store.writing_prompt.to_string()}>
                    if store.writing_prompt {
                        <span class="spinner spinner--small" aria-hidden="true"></span>{ " Writing…" }
                    } else {
                        { "✎ Write prompt" }
                    }
                </button>
            </div>
            if let Some(e) = &store.prompt_error {
                <p class="error-text" role="alert">{ "Could not write a prompt: " }{ &e.message }</p>
            }
            <div class="label-row">
                <label for="prompt">{ "Prompt" }</label>
                if let Some(c) = count {
                    <span class={classes!("counter", over.then_some("counter--over"))} data-testid="prompt-count"
                          aria-live="polite">
                        { format::count_of(c.used, c.limit) }
                        if over { { format!(" · {} over", c.over_by()) } }
                    </span>
                }
            </div>
            <textarea id="prompt" data-testid="prompt-text" rows="5"
                      class={classes!(over.then_some("invalid"))} aria-invalid={over.to_string()}
                      placeholder="Describe the shot, or write a theme above and press Enter."
                      value={store.form.prompt.clone()} oninput={on_prompt} />
            if let Some(chat) = &store.prompt_chat_model {
                <p class="hint">{ format!("Written by {chat}. Edit it freely.") }</p>
            }
        </div>
    }
}
