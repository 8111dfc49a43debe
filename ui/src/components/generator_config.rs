//! The generator: model (grouped Text-to-Video / Image-to-Video), the model's own choices of
//! duration, aspect ratio and resolution, audio, start image, count, the live price and Generate
//! (disabled with the reason shown).

use gloo::timers::callback::Timeout;
use studio_api::{ModelKind, ModelOption};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::components::{image_picker::ImagePicker, price_tag::PriceTag};
use crate::form::{MAX_COUNT, offered};
use crate::state::{Action, Load};

/// How long the form must be still before it is priced.
const QUOTE_DEBOUNCE_MS: u32 = 300;

fn model_label(m: &ModelOption) -> String {
    let mut label = m.name.clone();
    if m.offline {
        label.push_str(" — offline");
    }
    if let Some(date) = &m.deprecated_on {
        label.push_str(&format!(" — retiring {date}"));
    }
    label
}

/// A `<select>` over `choices` with `current` selected; nothing when the model has no choices.
fn choice_select(
    id: &str,
    label: &str,
    testid: &str,
    choices: &[String],
    current: Option<&str>,
    on: Callback<String>,
) -> Html {
    if choices.is_empty() {
        return html! {};
    }
    let onchange = Callback::from(move |e: Event| {
        on.emit(e.target_unchecked_into::<HtmlSelectElement>().value())
    });
    html! {
        <div class="field">
            <label for={id.to_string()}>{ label }</label>
            <select id={id.to_string()} data-testid={testid.to_string()} {onchange}>
                { for choices.iter().map(|c| html! {
                    <option value={c.clone()} selected={current == Some(c.as_str())}>{ c }</option>
                }) }
            </select>
        </div>
    }
}

#[component(GeneratorConfig)]
pub fn generator_config() -> Html {
    let store = use_store();

    // Price the form whenever it changes (or money moved, so "spent" is current), once it has been
    // still for a moment.
    let request = store.request();
    let priceable = store.form_problem().is_none();
    {
        let d = store.dispatcher();
        let deps = (request.clone(), priceable, store.spending_changed);
        use_effect_with(deps, move |(request, priceable, _)| {
            let timer = if *priceable {
                d.dispatch(Action::QuoteLoading(request.clone()));
                let request = request.clone();
                Some(Timeout::new(QUOTE_DEBOUNCE_MS, move || {
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = bridge::quote(&request).await;
                        d.dispatch(Action::QuoteDone {
                            form: request,
                            result,
                        });
                    });
                }))
            } else {
                d.dispatch(Action::QuoteIdle);
                None
            };
            move || drop(timer)
        });
    }

    let models = match &store.models {
        Load::Loading => {
            return html! {
                <div class="card" aria-busy="true">
                    <div class="card__head"><h2>{ "2 · Video" }</h2></div>
                    <div class="skeleton"></div><div class="skeleton"></div>
                    <p class="muted small">{ "Loading Venice's video models…" }</p>
                </div>
            };
        }
        Load::Failed(e) => {
            let d = store.dispatcher();
            let retry = Callback::from(move |_: MouseEvent| {
                let d = d.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    d.dispatch(Action::ModelsLoaded(bridge::list_models().await))
                });
            });
            return html! {
                <div class="card">
                    <div class="card__head"><h2>{ "2 · Video" }</h2></div>
                    <p class="error-text">{ "The model list could not be loaded: " }{ &e.message }</p>
                    <button class="btn btn--secondary" onclick={retry}>{ "Retry" }</button>
                </div>
            };
        }
        Load::Ready(models) => models.clone(),
    };
    if offered(&models).next().is_none() {
        return html! {
            <div class="card">
                <div class="card__head"><h2>{ "2 · Video" }</h2></div>
                <p class="muted">{ "Venice offers no video models to this key right now." }</p>
            </div>
        };
    }
    let model = store.selected_model().cloned();
    let dispatch_with = |f: fn(String) -> Action| {
        let store = store.clone();
        Callback::from(move |v: String| store.dispatch(f(v)))
    };
    let on_model = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            store.dispatch(Action::SelectModel(
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        })
    };
    let on_audio = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            store.dispatch(Action::SetAudio(
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        })
    };
    let on_count = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            store.dispatch(Action::SetCount(v.trim().parse().unwrap_or(0)));
        })
    };
    let block = store.generate_block();
    let on_generate = {
        let store = store.clone();
        let request = request.clone();
        let blocked = block.is_some();
        Callback::from(move |_: MouseEvent| {
            if blocked {
                return;
            }
            store.dispatch(Action::GenerateStarted);
            let (d, request) = (store.dispatcher(), request.clone());
            wasm_bindgen_futures::spawn_local(async move {
                d.dispatch(Action::GenerateDone(bridge::generate(&request).await))
            });
        })
    };
    let group = |kind: ModelKind, label: &str| {
        let items: Vec<&ModelOption> = offered(&models).filter(|m| m.kind == kind).collect();
        if items.is_empty() {
            return html! {};
        }
        html! {
            <optgroup label={label.to_string()}>
                { for items.into_iter().map(|m| html! {
                    <option value={m.id.clone()} selected={m.id == store.form.model}>{ model_label(m) }</option>
                }) }
            </optgroup>
        }
    };
    let count = store.form.count;

    html! {
        <div class="card">
            <div class="card__head">
                <h2>{ "2 · Video" }</h2>
                if store.is_demo() { <span class="muted small">{ "Demo prices: nothing is charged." }</span> }
            </div>
            <div class="field">
                <label for="model">{ "Model" }</label>
                <select id="model" data-testid="model-select" onchange={on_model}>
                    { group(ModelKind::TextToVideo, "Text-to-Video") }
                    { group(ModelKind::ImageToVideo, "Image-to-Video") }
                </select>
                if let Some(m) = &model {
                    if m.offline { <p class="warn-text small">{ "This model is offline at Venice right now." }</p> }
                    if let Some(d) = &m.deprecated_on {
                        <p class="warn-text small">{ format!("Venice retires this model on {d}.") }</p>
                    }
                }
            </div>
            if let Some(m) = &model {
                <div class="grid3">
                    { choice_select("duration", "Duration", "duration-select", &m.durations, Some(&store.form.duration), dispatch_with(Action::SetDuration)) }
                    { choice_select("aspect", "Aspect ratio", "aspect-select", &m.aspect_ratios, store.form.aspect_ratio.as_deref(), dispatch_with(Action::SetAspect)) }
                    { choice_select("resolution", "Resolution", "resolution-select", &m.resolutions, store.form.resolution.as_deref(), dispatch_with(Action::SetResolution)) }
                </div>
                <div class="row row--spread">
                    if m.audio_configurable {
                        <label class="toggle">
                            <input type="checkbox" data-testid="audio-toggle" checked={store.form.audio.unwrap_or(false)} onchange={on_audio} />
                            <span class="toggle__track" aria-hidden="true"></span>
                            { "Generate audio" }
                        </label>
                    }
                    <div class="field field--inline">
                        <label for="count">{ "Videos" }</label>
                        <input id="count" type="number" min="1" max={MAX_COUNT.to_string()} class="count-input"
                               data-testid="count-input" value={count.to_string()} oninput={on_count} />
                    </div>
                </div>
                if m.kind == ModelKind::ImageToVideo {
                    <ImagePicker model={m.clone()} />
                }
            }
            <div class="generate-bar">
                <PriceTag />
                <button class="btn btn--primary btn--big" data-testid="generate" disabled={block.is_some()}
                        onclick={on_generate} aria-describedby="generate-reason">
                    if store.generating { { "Submitting…" } }
                    else if count > 1 { { format!("Generate {count} videos") } }
                    else { { "Generate" } }
                </button>
                <p id="generate-reason" class={classes!("generate-reason", block.is_none().then_some("gone"))}
                   data-testid="generate-reason" aria-live="polite">
                    { block.clone().unwrap_or_default() }
                </p>
            </div>
        </div>
    }
}
