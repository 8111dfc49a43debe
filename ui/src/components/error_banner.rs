//! Error messages from the shell (`UiError.message`), each dismissable.

use studio_api::ErrorCode;
use yew::prelude::*;

use crate::app::use_store;
use crate::state::Action;

/// A short hint for the codes the user can act on.
fn hint(code: ErrorCode) -> Option<&'static str> {
    match code {
        ErrorCode::KeyRejected => Some("Check the key in Settings."),
        ErrorCode::InsufficientBalance => Some("Top up your Venice balance."),
        ErrorCode::RateLimited | ErrorCode::VeniceUnavailable => Some("Try again in a moment."),
        ErrorCode::OverBudget => Some("Raise the budget in Settings or make fewer videos."),
        _ => None,
    }
}

#[component(ErrorBanner)]
pub fn error_banner() -> Html {
    let store = use_store();
    if store.toasts.is_empty() {
        return html! {};
    }
    html! {
        <div class="toasts" role="alert" aria-live="assertive">
            { for store.toasts.iter().map(|t| {
                let id = t.id;
                let dismiss = {
                    let store = store.clone();
                    Callback::from(move |_: MouseEvent| store.dispatch(Action::DismissToast(id)))
                };
                html! {
                    <div class="toast" data-testid="error-banner" key={id}>
                        <span class="toast__icon" aria-hidden="true">{ "!" }</span>
                        <div class="toast__text">
                            <span>{ &t.error.message }</span>
                            if let Some(h) = hint(t.error.code) {
                                <span class="toast__hint">{ " " }{ h }</span>
                            }
                        </div>
                        <button class="btn btn--icon" onclick={dismiss} aria-label="Dismiss this message">{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
