//! The storyboard: one card per shot in song order (a wrapping grid), and beside it a small
//! muted, looping preview of the selected shot's clip.

use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::components::shot_card::ShotCard;
use crate::state::video_view::{cut_moves, regenerate_label, shown_version, split_point};

#[component(Storyboard)]
pub fn storyboard() -> Html {
    let store = use_store();
    let Some(p) = store.video.project.clone() else {
        return html! {};
    };
    let quote = store.video.project_quote();
    let beats = &p.song.beats;
    let busy = store.video.working.is_some();
    let prompt_limit = store.model(&p.settings.model).map(|m| m.prompt_limit);
    let selected = store.video.selected_shot;
    let preview = selected
        .and_then(|i| p.shots.get(i))
        .and_then(|s| shown_version(s).and_then(|v| v.video.clone().map(|video| (s.index, video))));

    html! {
        <section class="card storyboard-card" aria-label="Storyboard">
            <div class="card__head">
                <h2>{ "Storyboard" }</h2>
                <span class="muted small">
                    { format!("{} shots in song order · select a card to hear its part", p.shots.len()) }
                </span>
            </div>
            <div class={classes!("storyboard-layout", preview.is_some().then_some("storyboard-layout--preview"))}>
                <ol class="storyboard" data-testid="storyboard">
                    { for p.shots.iter().map(|shot| {
                        let (prev_cut, next_cut) = cut_moves(&p.shots, beats, shot.index);
                        let split_at = split_point(beats, shot.start_s, shot.end_s);
                        let thumb = shown_version(shot)
                            .and_then(|v| v.video.as_ref())
                            .and_then(|v| v.thumbnail.as_deref())
                            .map(|t| AttrValue::from(bridge::asset_url(t)));
                        html! {
                            <ShotCard key={shot.index} shot={shot.clone()} project_id={AttrValue::from(p.id.clone())}
                                      {prev_cut} {next_cut} {split_at} has_next={shot.index + 1 < p.shots.len()}
                                      regenerate_label={AttrValue::from(regenerate_label(shot, quote))}
                                      selected={selected == Some(shot.index)} {busy} {prompt_limit} {thumb} />
                        }
                    }) }
                </ol>
                if let Some((index, video)) = preview {
                    <aside class="shot-preview" aria-label={format!("Shot {}'s clip", index + 1)}>
                        <video class="shot-preview__video" data-testid="shot-preview" key={video.path.clone()}
                               src={video.url.clone().unwrap_or_else(|| bridge::asset_url(&video.path))}
                               poster={video.thumbnail.as_deref().map(bridge::asset_url)}
                               muted=true autoplay=true loop=true playsinline=true preload="auto"></video>
                        <span class="muted small">{ format!("Shot {} · muted preview; the song plays above", index + 1) }</span>
                    </aside>
                }
            </div>
        </section>
    }
}
