//! The start frame for image-to-video models: choose a file (dialog or typed path), see a preview
//! and what `check_image` found wrong with it.

use studio_api::ModelOption;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::format;
use crate::state::{Action, Load};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub model: ModelOption,
}

#[component(ImagePicker)]
pub fn image_picker(props: &Props) -> Html {
    let store = use_store();
    let path = store.form.image_path.clone();

    // Check the image whenever it or the model changes (limits differ per model).
    {
        let d = store.dispatcher();
        use_effect_with(
            (path.clone(), props.model.id.clone()),
            move |(path, model)| {
                if let Some(path) = path.clone() {
                    let model = model.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = bridge::check_image(path.clone(), model).await;
                        d.dispatch(Action::ImageChecked { path, result });
                    });
                }
            },
        );
    }
    let pick = {
        let store = store.clone();
        let model = props.model.id.clone();
        Callback::from(move |_: MouseEvent| {
            let (d, model) = (store.dispatcher(), model.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::pick_image(model).await {
                    Ok(Some(check)) => d.dispatch(Action::ImagePicked(check)),
                    Ok(None) => {}
                    Err(e) => d.dispatch(Action::Error(e)),
                }
            });
        })
    };
    let typed = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            let value = value.trim();
            store.dispatch(Action::SetImage(
                (!value.is_empty()).then(|| value.to_string()),
            ));
        })
    };
    let clear = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::SetImage(None)))
    };
    let m = &props.model;
    let needs = match (
        m.image_min_short_side,
        m.image_min_aspect,
        m.image_max_aspect,
    ) {
        (Some(px), Some(lo), Some(hi)) => {
            format!("At least {px} px on the short side, aspect {lo:.2}–{hi:.2}.")
        }
        (Some(px), _, _) => format!("At least {px} px on the short side."),
        _ => "PNG, JPEG or WebP.".into(),
    };

    html! {
        <div class="field image-picker">
            <label for="image-path">{ "Start image" }</label>
            <div class="row">
                <button class="btn btn--secondary" data-testid="image-pick" onclick={pick}>{ "Choose image…" }</button>
                <input id="image-path" type="text" placeholder="…or type a file path" spellcheck="false"
                       data-testid="image-path" value={path.clone().unwrap_or_default()} onchange={typed} />
            </div>
            <p class="hint">{ needs }</p>
            if path.is_some() {
                <div class="image-preview">
                    { match store.image.as_ref().and_then(|i| i.ready()).and_then(|c| c.preview.clone()) {
                        Some(src) => html! { <img {src} alt="The chosen start image" /> },
                        None => html! { <div class="image-preview__none">{ "no preview" }</div> },
                    } }
                    <div class="image-preview__info">
                        { match &store.image {
                            Some(Load::Ready(c)) => html! {
                                <>
                                    <span class="small">
                                        { match (c.width, c.height) { (Some(w), Some(h)) => format!("{w}×{h} · "), _ => String::new() } }
                                        { c.mime.clone().unwrap_or_else(|| "unknown format".into()) }
                                        { " · " }{ format::bytes(c.bytes) }
                                    </span>
                                    if c.problems.is_empty() {
                                        <span class="ok-text small">{ "✓ Usable for this model" }</span>
                                    } else {
                                        <ul class="problems">
                                            { for c.problems.iter().map(|p| html! { <li class="error-text small">{ p }</li> }) }
                                        </ul>
                                    }
                                </>
                            },
                            Some(Load::Failed(e)) => html! { <span class="error-text small">{ &e.message }</span> },
                            _ => html! { <span class="muted small">{ "Checking…" }</span> },
                        } }
                        <button class="btn btn--link" onclick={clear}>{ "Remove" }</button>
                    </div>
                </div>
            }
        </div>
    }
}
