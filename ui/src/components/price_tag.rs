//! The price of the form as it stands (from `quote`), with loading and error states.

use yew::prelude::*;

use crate::app::use_store;
use crate::format;
use crate::state::QuoteStatus;

#[component(PriceTag)]
pub fn price_tag() -> Html {
    let store = use_store();
    let count = store.form.count.max(1);
    let (state, body) = match &store.quote {
        QuoteStatus::Idle => (
            "idle",
            html! { <span class="price__value muted">{ "—" }</span> },
        ),
        QuoteStatus::Loading => (
            "loading",
            html! { <span class="price__value muted"><span class="spinner spinner--small" aria-hidden="true"></span>{ " pricing…" }</span> },
        ),
        QuoteStatus::Failed(_) => (
            "error",
            html! { <span class="price__value error-text">{ "unavailable" }</span> },
        ),
        QuoteStatus::Ready(q) => (
            "ready",
            html! { <span class="price__value">{ format::usd(q.usd) }</span> },
        ),
    };
    let details = match &store.quote {
        QuoteStatus::Idle => {
            html! { <span class="muted small">{ "Complete the form to see the price." }</span> }
        }
        QuoteStatus::Loading => html! {},
        QuoteStatus::Failed(e) => html! { <span class="error-text small">{ &e.message }</span> },
        QuoteStatus::Ready(q) => html! {
            <span class="muted small">
                if count > 1 { { format!("× {count} = {} · ", format::usd(q.usd * f64::from(count))) } }
                { format!("spent {} this session", format::usd(q.spent_session_usd)) }
                if let Some(b) = q.balance_usd { { format!(" · balance {}", format::usd(b)) } }
            </span>
        },
    };
    html! {
        <div class="price" aria-live="polite">
            <span class="price__label">{ if count > 1 { "Price per video" } else { "Price" } }</span>
            <span data-testid="price" data-state={state}>{ body }</span>
            <div class="price__details">{ details }</div>
        </div>
    }
}
