//! `GET /models?type=video|text` against the sim.

mod common;

use venice::{ModelCatalogue, ModelType, VideoModelType};
use venice_sim::Endpoint;

#[tokio::test]
async fn lists_video_models_with_constraints() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let res = client
        .models()
        .list(ModelType::Video)
        .await
        .expect("video models");
    assert_eq!(res.value.data.len(), 116);
    assert!(res.meta.request_id.is_some(), "CF-RAY read");
    let cat = ModelCatalogue::from_list(&res.value);
    let wan = cat.get(common::T2V).expect("wan listed");
    assert_eq!(wan.constraints.model_type, VideoModelType::TextToVideo);
    assert_eq!(wan.constraints.durations, ["5s", "10s"]);
    let req = sim
        .requests()
        .into_iter()
        .find(|r| r.endpoint == Some(Endpoint::Models))
        .expect("logged");
    assert_eq!(req.query.as_deref(), Some("type=video"));
    assert!(
        req.user_agent
            .as_deref()
            .is_some_and(|ua| ua.starts_with("venice-studio/"))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn lists_text_models() {
    let sim = common::sim().await;
    let res = common::client(&sim)
        .models()
        .list(ModelType::Text)
        .await
        .expect("text models");
    assert!(!res.value.data.is_empty());
    assert!(
        res.value
            .data
            .iter()
            .all(|m| m.model_type.as_deref() == Some("text"))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn refresh_catalogue_then_cache_round_trip() {
    let sim = common::sim().await;
    let client = venice::Client::new(common::config(&sim)).expect("client");
    assert!(client.catalogue().is_none());
    let cat = client.refresh_catalogue().await.expect("fetched");
    assert!(client.catalogue().is_some());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("models-video.json");
    cat.save(&path).expect("saved");
    let back = ModelCatalogue::load_cached(&path).expect("loaded");
    assert_eq!(back.models.len(), 116);
    assert!(back.age() < std::time::Duration::from_secs(60));
    sim.shutdown().await;
}
