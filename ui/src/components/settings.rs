//! Settings: the key (status and last four only; set or clear), default model, poll interval,
//! budgets, media folder (chosen in the native folder dialog on the Rust side, never typed),
//! delete-after-download, and the Venice balance.

use studio_api::{KeyStatus, Settings};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::form::offered;
use crate::format;
use crate::state::{Action, Load};

/// The editable copy of the settings (numbers as typed).
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    default_model: String,
    poll: String,
    session: String,
    total: String,
    delete_after: bool,
}

impl Draft {
    fn of(s: &Settings) -> Self {
        let money = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
        Self {
            default_model: s.default_model.clone().unwrap_or_default(),
            poll: s.poll_interval_secs.to_string(),
            session: money(s.budget_session_usd),
            total: money(s.budget_total_usd),
            delete_after: s.delete_after_download,
        }
    }

    /// The settings to save, or what is wrong with the draft.
    fn to_settings(&self, base: &Settings) -> Result<Settings, String> {
        let poll: u32 = self
            .poll
            .trim()
            .parse()
            .map_err(|_| "The poll interval must be a whole number of seconds.")?;
        if !(1..=600).contains(&poll) {
            return Err("The poll interval must be between 1 and 600 seconds.".into());
        }
        let money = |text: &str, what: &str| -> Result<Option<f64>, String> {
            let t = text.trim().trim_start_matches('$');
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(v) if v >= 0.0 && v.is_finite() => Ok(Some(v)),
                _ => Err(format!(
                    "The {what} budget must be an amount in dollars, or empty for no limit."
                )),
            }
        };
        Ok(Settings {
            default_model: (!self.default_model.is_empty()).then(|| self.default_model.clone()),
            chat_model: base.chat_model.clone(),
            poll_interval_secs: poll,
            budget_session_usd: money(&self.session, "session")?,
            budget_total_usd: money(&self.total, "total")?,
            // Changed only through `pick_media_dir`; the shell refuses any other value.
            media_dir: base.media_dir.clone(),
            delete_after_download: self.delete_after,
        })
    }
}

fn key_line(k: &KeyStatus) -> String {
    match (k.is_set, k.last_four.as_deref(), k.demo) {
        (_, _, true) if !k.is_set => "Demo mode: no key in use, nothing is charged.".into(),
        (true, Some(last), _) => format!("A key is set: ••••{last}"),
        (true, None, _) => "A key is set.".into(),
        _ => "No key set.".into(),
    }
}

#[component(SettingsPanel)]
pub fn settings_panel() -> Html {
    let store = use_store();
    let draft = use_state(|| store.settings.ready().map(Draft::of));
    let new_key = use_state(String::new);
    let message = use_state(|| None::<Result<String, String>>);
    let saving = use_state(|| false);

    // The draft follows settings that load after the panel opened.
    {
        let draft = draft.clone();
        use_effect_with(store.settings.clone(), move |s| {
            if let Load::Ready(s) = s {
                draft.set(Some(Draft::of(s)));
            }
        });
    }
    // The balance, each time the panel opens.
    {
        let d = store.dispatcher();
        let main = store.key.ready().is_some_and(|k| k.is_set || k.demo);
        use_effect_with(main, move |main| {
            if *main {
                d.dispatch(Action::BalanceLoading);
                wasm_bindgen_futures::spawn_local(async move {
                    d.dispatch(Action::BalanceLoaded(bridge::balance().await))
                });
            }
        });
    }
    let close = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::CloseSettings))
    };
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());

    let key_status = store.key.ready().cloned().unwrap_or_default();
    let set_key = {
        let (store, new_key, message) = (store.clone(), new_key.clone(), message.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let key = new_key.trim().to_string();
            if key.is_empty() {
                message.set(Some(Err("Paste a key first.".into())));
                return;
            }
            let (d, new_key, message) = (store.dispatcher(), new_key.clone(), message.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::set_key(key).await {
                    Ok(status) => {
                        new_key.set(String::new());
                        message.set(Some(Ok("Key saved to the system keychain.".into())));
                        d.dispatch(Action::KeyLoaded(Ok(status)));
                    }
                    Err(e) => message.set(Some(Err(e.message))),
                }
            });
        })
    };
    let clear_key = {
        let (store, message) = (store.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let (d, message) = (store.dispatcher(), message.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::clear_key().await {
                    Ok(status) => {
                        d.dispatch(Action::KeyLoaded(Ok(status)));
                        d.dispatch(Action::CloseSettings);
                    }
                    Err(e) => message.set(Some(Err(e.message))),
                }
            });
        })
    };
    let on_new_key = {
        let new_key = new_key.clone();
        Callback::from(move |e: InputEvent| {
            new_key.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };

    let edit = |f: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let target = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(mut d) = (*draft).clone() {
                f(&mut d, target.value());
                draft.set(Some(d));
            }
        })
    };
    let on_model = {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            if let Some(mut d) = (*draft).clone() {
                d.default_model = e.target_unchecked_into::<HtmlSelectElement>().value();
                draft.set(Some(d));
            }
        })
    };
    let on_delete_after = {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            if let Some(mut d) = (*draft).clone() {
                d.delete_after = e.target_unchecked_into::<HtmlInputElement>().checked();
                draft.set(Some(d));
            }
        })
    };
    let choose_media = {
        let (store, message) = (store.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let (d, message) = (store.dispatcher(), message.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::pick_media_dir().await {
                    Ok(Some(saved)) => {
                        message.set(Some(Ok(format!(
                            "New videos will be saved in {}.",
                            saved.media_dir
                        ))));
                        d.dispatch(Action::SettingsLoaded(Ok(saved)));
                    }
                    Ok(None) => {}
                    Err(e) => message.set(Some(Err(e.message))),
                }
            });
        })
    };
    let save = {
        let (store, draft, message, saving) = (
            store.clone(),
            draft.clone(),
            message.clone(),
            saving.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(d), Some(base)) = ((*draft).clone(), store.settings.ready().cloned()) else {
                return;
            };
            let settings = match d.to_settings(&base) {
                Ok(s) => s,
                Err(why) => {
                    message.set(Some(Err(why)));
                    return;
                }
            };
            saving.set(true);
            let (dispatch, message, saving) = (store.dispatcher(), message.clone(), saving.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = bridge::save_settings(&settings).await;
                saving.set(false);
                match result {
                    Ok(saved) => {
                        message.set(Some(Ok("Settings saved.".into())));
                        dispatch.dispatch(Action::SettingsLoaded(Ok(saved)));
                    }
                    Err(e) => message.set(Some(Err(e.message))),
                }
            });
        })
    };

    let balance = match &store.balance {
        None => html! { <span class="muted">{ "—" }</span> },
        Some(Load::Loading) => {
            html! { <span class="muted"><span class="spinner spinner--small" aria-hidden="true"></span>{ " checking…" }</span> }
        }
        Some(Load::Failed(e)) => html! { <span class="error-text small">{ &e.message }</span> },
        Some(Load::Ready(b)) => html! {
            <span>
                { b.usd.map_or_else(|| "no USD balance".into(), format::usd) }
                if let Some(diem) = b.diem { <span class="muted">{ format!(" · {diem:.2} DIEM") }</span> }
                if !b.can_consume { <span class="warn-text small">{ " · this key cannot spend right now" }</span> }
            </span>
        },
    };
    let models: Vec<_> = store
        .models
        .ready()
        .map(|m| offered(m).cloned().collect())
        .unwrap_or_default();

    let settings_form = match (&store.settings, &*draft) {
        (Load::Failed(e), _) => {
            html! { <p class="error-text">{ "Settings could not be loaded: " }{ &e.message }</p> }
        }
        (_, None) => {
            html! { <div aria-busy="true"><div class="skeleton"></div><div class="skeleton"></div></div> }
        }
        (_, Some(d)) => html! {
            <form class="settings__form" onsubmit={save}>
                <div class="field">
                    <label for="set-model">{ "Default model" }</label>
                    <select id="set-model" onchange={on_model}>
                        <option value="" selected={d.default_model.is_empty()}>{ "Automatic" }</option>
                        { for models.iter().map(|m| html! {
                            <option value={m.id.clone()} selected={m.id == d.default_model}>{ &m.name }</option>
                        }) }
                    </select>
                </div>
                <div class="grid3">
                    <div class="field">
                        <label for="set-poll">{ "Check progress every (s)" }</label>
                        <input id="set-poll" type="number" min="1" max="600" value={d.poll.clone()}
                               onchange={edit(|d, v| d.poll = v)} />
                    </div>
                    <div class="field">
                        <label for="set-session">{ "Session budget ($)" }</label>
                        <input id="set-session" type="text" inputmode="decimal" placeholder="no limit"
                               value={d.session.clone()} onchange={edit(|d, v| d.session = v)} />
                    </div>
                    <div class="field">
                        <label for="set-total">{ "Total budget ($)" }</label>
                        <input id="set-total" type="text" inputmode="decimal" placeholder="no limit"
                               value={d.total.clone()} onchange={edit(|d, v| d.total = v)} />
                    </div>
                </div>
                <div class="field">
                    <span class="label" id="set-media-label">{ "Media folder" }</span>
                    <div class="row">
                        <code class="path" data-testid="media-dir" aria-labelledby="set-media-label">
                            { store.settings.ready().map(|s| s.media_dir.clone()).unwrap_or_default() }
                        </code>
                        <button type="button" class="btn btn--secondary" data-testid="choose-media-dir"
                                onclick={choose_media}>{ "Choose…" }</button>
                    </div>
                    <p class="hint">{ "Where new videos are saved; videos already saved stay where they are. Not the app's own data or config folder." }</p>
                </div>
                <label class="toggle">
                    <input type="checkbox" checked={d.delete_after} onchange={on_delete_after} />
                    <span class="toggle__track" aria-hidden="true"></span>
                    { "Delete Venice's copy once the video is saved and checked here" }
                </label>
                <p class="hint">{ "Off: Venice keeps its copy until it expires, so a failed download can be fetched again for free." }</p>
                <div class="row row--end">
                    <button type="submit" class="btn btn--primary" data-testid="settings-save" disabled={*saving}>
                        { if *saving { "Saving…" } else { "Save settings" } }
                    </button>
                </div>
            </form>
        },
    };

    html! {
        <div class="overlay overlay--side" onclick={close.clone()}>
            <aside class="dialog dialog--settings" role="dialog" aria-modal="true" aria-label="Settings"
                   data-testid="settings-panel" onclick={stop}>
                <div class="dialog__head">
                    <h2>{ "Settings" }</h2>
                    <button class="btn btn--icon" onclick={close} aria-label="Close settings (Escape)">{ "×" }</button>
                </div>
                if let Some(m) = &*message {
                    { match m {
                        Ok(text) => html! { <p class="ok-text small" role="status">{ text }</p> },
                        Err(text) => html! { <p class="error-text small" role="alert">{ text }</p> },
                    } }
                }
                <section class="settings__section">
                    <h3>{ "Venice API key" }</h3>
                    <p>{ key_line(&key_status) }</p>
                    <form class="row" onsubmit={set_key}>
                        <input type="password" autocomplete="off" placeholder="Paste a new key" aria-label="New API key"
                               value={(*new_key).clone()} oninput={on_new_key} />
                        <button type="submit" class="btn btn--secondary">{ "Set key" }</button>
                        if key_status.is_set {
                            <button type="button" class="btn btn--ghost btn--danger-text" onclick={clear_key}>{ "Clear key" }</button>
                        }
                    </form>
                    <p class="hint">{ "Kept by the app outside this window: in your system keychain, or where none keeps keys, in a file only you can read. This window only ever sees the last four characters." }</p>
                </section>
                <section class="settings__section">
                    <h3>{ "Balance" }</h3>
                    <p data-testid="balance">{ balance }</p>
                </section>
                <section class="settings__section">
                    <h3>{ "Defaults and budget" }</h3>
                    { settings_form }
                </section>
            </aside>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Settings {
        Settings {
            default_model: None,
            chat_model: Some("chat".into()),
            poll_interval_secs: 5,
            budget_session_usd: Some(2.0),
            budget_total_usd: None,
            media_dir: "/media".into(),
            delete_after_download: false,
        }
    }

    #[test]
    fn the_draft_round_trips_and_rejects_bad_numbers() {
        let d = Draft::of(&base());
        assert_eq!(d.session, "2.00");
        assert_eq!(d.to_settings(&base()).unwrap(), base());
        let bad = Draft {
            poll: "0".into(),
            ..d.clone()
        };
        assert!(
            bad.to_settings(&base())
                .unwrap_err()
                .contains("between 1 and 600")
        );
        let bad = Draft {
            total: "lots".into(),
            ..d.clone()
        };
        assert!(
            bad.to_settings(&base())
                .unwrap_err()
                .contains("total budget")
        );
        let ok = Draft {
            total: "$10".into(),
            ..d
        };
        assert_eq!(
            ok.to_settings(&base()).unwrap().budget_total_usd,
            Some(10.0)
        );
    }

    #[test]
    fn the_key_line_shows_only_the_last_four() {
        let k = KeyStatus {
            is_set: true,
            last_four: Some("wxyz".into()),
            demo: false,
        };
        assert_eq!(key_line(&k), "A key is set: ••••wxyz");
        assert!(
            key_line(&KeyStatus {
                demo: true,
                ..KeyStatus::default()
            })
            .starts_with("Demo mode")
        );
        assert_eq!(key_line(&KeyStatus::default()), "No key set.");
    }
}
