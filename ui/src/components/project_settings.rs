//! A music video's settings as a form (for a new project and an open one): theme, style line,
//! subject, reference image (picked in the native dialog and checked for the model; required on
//! image-to-video models), model, aspect, resolution, continuity (image-to-video only) and the
//! budget. Controlled: the parent holds the value and the reference image's check.

use studio_api::{ImageCheck, ModelKind, ModelOption, ProjectSettingsView};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::form::offered;
use crate::format;
use crate::state::video_view::{apply_model, budget_text, file_name, parse_budget};
use crate::state::{Action, Load};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub value: ProjectSettingsView,
    pub on_change: Callback<ProjectSettingsView>,
    /// The reference image's check (`None`: not checked here, as a project's saved image).
    pub check: Option<Load<ImageCheck>>,
    pub on_check: Callback<Option<Load<ImageCheck>>>,
    /// Keeps element ids unique when two forms could exist.
    pub id_prefix: AttrValue,
    #[prop_or_default]
    pub disabled: bool,
}

/// Checks `path` for `model` and reports the answer.
fn check_image(path: String, model: String, on_check: Callback<Option<Load<ImageCheck>>>) {
    on_check.emit(Some(Load::Loading));
    wasm_bindgen_futures::spawn_local(async move {
        let result = bridge::check_image(path, model).await;
        on_check.emit(Some(Load::from_result(result)));
    });
}

#[component(ProjectSettings)]
pub fn project_settings(props: &Props) -> Html {
    let store = use_store();
    // The budget as typed ("5." stays "5." while it means $5).
    let budget_typed = use_state(|| None::<String>);
    let v = &props.value;
    let id = |name: &str| format!("{}-{name}", props.id_prefix);
    let models: Vec<ModelOption> = store
        .models
        .ready()
        .map(|m| offered(m).cloned().collect())
        .unwrap_or_default();
    let model = models.iter().find(|m| m.id == v.model).cloned();
    let image_model = model
        .as_ref()
        .is_some_and(|m| m.kind == ModelKind::ImageToVideo);

    // One field changed: the whole value goes up.
    let text = |apply: fn(&mut ProjectSettingsView, String)| {
        let (value, on_change) = (v.clone(), props.on_change.clone());
        Callback::from(move |e: InputEvent| {
            let mut next = value.clone();
            apply(
                &mut next,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            );
            on_change.emit(next);
        })
    };
    let select = |apply: fn(&mut ProjectSettingsView, String)| {
        let (value, on_change) = (v.clone(), props.on_change.clone());
        Callback::from(move |e: Event| {
            let mut next = value.clone();
            apply(
                &mut next,
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            );
            on_change.emit(next);
        })
    };
    let on_model = {
        let (value, on_change, on_check, models) = (
            v.clone(),
            props.on_change.clone(),
            props.on_check.clone(),
            models.clone(),
        );
        Callback::from(move |e: Event| {
            let chosen = e.target_unchecked_into::<HtmlSelectElement>().value();
            let Some(m) = models.iter().find(|m| m.id == chosen) else {
                return;
            };
            let mut next = value.clone();
            apply_model(&mut next, m);
            // The image's limits differ per model: check it again.
            if let Some(path) = next.reference_paths.first().cloned() {
                check_image(path, m.id.clone(), on_check.clone());
            }
            on_change.emit(next);
        })
    };
    let on_continuity = {
        let (value, on_change) = (v.clone(), props.on_change.clone());
        Callback::from(move |e: Event| {
            let mut next = value.clone();
            next.continuity = e.target_unchecked_into::<HtmlInputElement>().checked();
            on_change.emit(next);
        })
    };
    let on_budget = {
        let (value, on_change, typed) = (v.clone(), props.on_change.clone(), budget_typed.clone());
        Callback::from(move |e: InputEvent| {
            let raw = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut next = value.clone();
            next.budget_usd = parse_budget(&raw);
            typed.set(Some(raw));
            on_change.emit(next);
        })
    };
    let pick = {
        let (store, value, on_change, on_check) = (
            store.clone(),
            v.clone(),
            props.on_change.clone(),
            props.on_check.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (d, value, on_change, on_check) = (
                store.dispatcher(),
                value.clone(),
                on_change.clone(),
                on_check.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::pick_image(value.model.clone()).await {
                    Ok(Some(check)) => {
                        let mut next = value.clone();
                        next.reference_paths = vec![check.path.clone()];
                        on_change.emit(next);
                        on_check.emit(Some(Load::Ready(check)));
                    }
                    Ok(None) => {}
                    Err(e) => d.dispatch(Action::Error(e)),
                }
            });
        })
    };
    let remove = {
        let (value, on_change, on_check) =
            (v.clone(), props.on_change.clone(), props.on_check.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = value.clone();
            next.reference_paths.clear();
            next.continuity = false;
            on_change.emit(next);
            on_check.emit(None);
        })
    };
    let choice = |name: &str,
                  label: &str,
                  testid: &str,
                  choices: &[String],
                  current: Option<&str>,
                  on: Callback<Event>| {
        if choices.is_empty() {
            return html! {};
        }
        html! {
            <div class="field">
                <label for={id(name)}>{ label }</label>
                <select id={id(name)} data-testid={testid.to_string()} onchange={on} disabled={props.disabled}>
                    { for choices.iter().map(|c| html! {
                        <option value={c.clone()} selected={current == Some(c.as_str())}>{ c }</option>
                    }) }
                </select>
            </div>
        }
    };
    let group = |kind: ModelKind, label: &str| {
        let items: Vec<&ModelOption> = models.iter().filter(|m| m.kind == kind).collect();
        if items.is_empty() {
            return html! {};
        }
        html! {
            <optgroup label={label.to_string()}>
                { for items.into_iter().map(|m| html! {
                    <option value={m.id.clone()} selected={m.id == v.model}>
                        { &m.name }{ if m.offline { " — offline" } else { "" } }
                    </option>
                }) }
            </optgroup>
        }
    };
    let reference = v.reference_paths.first().cloned();
    let check = props.check.clone();

    html! {
        <div class="project-form">
            <div class="field">
                <label for={id("theme")}>{ "Theme" }<span class="required" aria-hidden="true">{ " *" }</span></label>
                <input id={id("theme")} type="text" data-testid="project-theme" required=true aria-required="true"
                       placeholder="Neon city at night, a runner chasing the sunrise"
                       value={v.theme.clone()} oninput={text(|s, x| s.theme = x)} disabled={props.disabled} />
                <p class="hint">{ "What the video is about. The chat writes one prompt per shot from it, following the song's sections." }</p>
            </div>
            <div class="grid2">
                <div class="field">
                    <label for={id("style")}>{ "Style line" }</label>
                    <input id={id("style")} type="text" data-testid="project-style"
                           placeholder="35 mm film, high contrast, slow camera moves"
                           value={v.style.clone()} oninput={text(|s, x| s.style = x)} disabled={props.disabled} />
                </div>
                <div class="field">
                    <label for={id("subject")}>{ "Subject" }</label>
                    <input id={id("subject")} type="text" data-testid="project-subject"
                           placeholder="a woman in a yellow raincoat"
                           value={v.subject.clone()} oninput={text(|s, x| s.subject = x)} disabled={props.disabled} />
                </div>
            </div>
            <div class="field">
                <label for={id("model")}>{ "Model" }</label>
                if models.is_empty() {
                    <p class="muted small">{ "Loading Venice's video models…" }</p>
                } else {
                    <select id={id("model")} data-testid="project-model" onchange={on_model} disabled={props.disabled}>
                        if model.is_none() { <option value="" selected=true>{ "Choose a model" }</option> }
                        { group(ModelKind::TextToVideo, "Text-to-Video") }
                        { group(ModelKind::ImageToVideo, "Image-to-Video") }
                    </select>
                }
            </div>
            <div class="grid3">
                { model.as_ref().map(|m| choice("aspect", "Aspect ratio", "project-aspect", &m.aspect_ratios, v.aspect_ratio.as_deref(), select(|s, x| s.aspect_ratio = Some(x)))).unwrap_or_default() }
                { model.as_ref().map(|m| choice("resolution", "Resolution", "project-resolution", &m.resolutions, v.resolution.as_deref(), select(|s, x| s.resolution = Some(x)))).unwrap_or_default() }
                <div class="field">
                    <label for={id("budget")}>{ "Budget (USD)" }</label>
                    <input id={id("budget")} type="number" min="0" step="0.5" inputmode="decimal" data-testid="project-budget"
                           placeholder="no limit" value={budget_text(budget_typed.as_deref(), v.budget_usd)}
                           oninput={on_budget} disabled={props.disabled} />
                </div>
            </div>
            <div class="field">
                <span class="label">
                    { "Reference image" }
                    if image_model { <span class="required" aria-hidden="true">{ " *" }</span> }
                </span>
                <p class="hint">
                    { if image_model {
                        "Required for this image-to-video model: the shots start from it."
                    } else {
                        "Optional: models that take reference images keep the subject's look from it; others ignore it."
                    } }
                </p>
                <div class="row row--wrap">
                    <button class="btn btn--secondary" data-testid="project-reference-pick" onclick={pick}
                            disabled={props.disabled || model.is_none()}>
                        { if reference.is_some() { "Choose another image…" } else { "Choose image…" } }
                    </button>
                    if let Some(path) = &reference {
                        <span class="path" title={path.clone()}>{ file_name(path) }</span>
                        <button class="btn btn--link" data-testid="project-reference-remove" onclick={remove}
                                disabled={props.disabled}>{ "Remove" }</button>
                    }
                </div>
                if reference.is_some() {
                    { match &check {
                        Some(Load::Ready(c)) => html! {
                            <div class="image-preview">
                                { match &c.preview {
                                    Some(src) => html! { <img src={src.clone()} alt="The reference image" /> },
                                    None => html! { <div class="image-preview__none">{ "no preview" }</div> },
                                } }
                                <div class="image-preview__info">
                                    <span class="small">
                                        { match (c.width, c.height) { (Some(w), Some(h)) => format!("{w}×{h} · "), _ => String::new() } }
                                        { format::bytes(c.bytes) }
                                    </span>
                                    if c.problems.is_empty() {
                                        <span class="ok-text small">{ "✓ Usable for this model" }</span>
                                    } else {
                                        <ul class="problems">
                                            { for c.problems.iter().map(|p| html! { <li class="error-text small">{ p }</li> }) }
                                        </ul>
                                    }
                                </div>
                            </div>
                        },
                        Some(Load::Failed(e)) => html! { <p class="error-text small">{ &e.message }</p> },
                        Some(Load::Loading) => html! { <p class="muted small">{ "Checking the image…" }</p> },
                        None => html! {},
                    } }
                }
            </div>
            if image_model {
                <label class="toggle">
                    <input type="checkbox" data-testid="project-continuity" checked={v.continuity}
                           onchange={on_continuity} disabled={props.disabled} />
                    <span class="toggle__track" aria-hidden="true"></span>
                    { "Continuity: each shot starts from the previous shot's last frame" }
                </label>
            }
        </div>
    }
}
