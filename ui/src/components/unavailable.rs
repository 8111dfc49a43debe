//! The screen when the shell does not answer: what happened, and Retry.

use studio_api::UiError;
use yew::prelude::*;

use crate::app::{TAGLINE, use_store};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub error: UiError,
}

#[component(Unavailable)]
pub fn unavailable(props: &Props) -> Html {
    let store = use_store();
    let retry = Callback::from(move |_: MouseEvent| store.dispatch(Action::Reload));
    html! {
        <div class="center-screen">
            <div class="card card--narrow" data-testid="error-banner" role="alert">
                <h2>{ "The studio cannot start" }</h2>
                <p class="muted">{ TAGLINE }</p>
                <p class="error-text">{ &props.error.message }</p>
                <button class="btn btn--primary" onclick={retry}>{ "Retry" }</button>
            </div>
        </div>
    }
}
