//! Unit tests for `catalogue`.

use super::*;

fn cat() -> ModelCatalogue {
    let list: ModelList = serde_json::from_str(include_str!(
        "../../../venice-sim/fixtures/models-video.json"
    ))
    .expect("fixture");
    ModelCatalogue::from_list_at(&list, UNIX_EPOCH + Duration::from_secs(1_000))
}

const WAN: &str = "wan-2.5-preview-text-to-video";

fn wan(prompt: &str, duration: &str) -> QueueVideoRequest {
    QueueVideoRequest::new(WAN, prompt, duration)
}

#[test]
fn every_fixture_model_is_in_the_catalogue() {
    assert_eq!(cat().models.len(), 116);
}

#[test]
fn accepts_a_good_request() {
    let c = cat();
    let r = QueueVideoRequest {
        aspect_ratio: Some("16:9".into()),
        resolution: Some("720p".into()),
        ..wan("A gondola", "5s")
    };
    assert_eq!(c.validate(&r), Ok(()));
    assert_eq!(c.validate_quote(&r.to_quote()), Ok(()));
}

#[test]
fn duration_refusal_names_allowed_values() {
    let e = cat()
        .validate(&wan("A gondola", "7s"))
        .expect_err("7s refused");
    assert_eq!(
        e.to_string(),
        "wan-2.5-preview-text-to-video takes duration 5s or 10s; got 7s."
    );
    let e = cat()
        .validate_quote(&QuoteVideoRequest::new(WAN, "7s"))
        .expect_err("quote too");
    assert!(e.to_string().contains("5s or 10s"));
}

#[test]
fn aspect_resolution_and_empty_lists() {
    let c = cat();
    let r = QueueVideoRequest {
        aspect_ratio: Some("4:3".into()),
        ..wan("x", "5s")
    };
    assert!(
        c.validate(&r)
            .expect_err("4:3")
            .to_string()
            .contains("16:9, 9:16 or 1:1")
    );
    let r = QueueVideoRequest {
        resolution: Some("4k".into()),
        ..wan("x", "5s")
    };
    assert!(matches!(
        c.validate(&r),
        Err(ConstraintError::NotAllowed {
            field: "resolution",
            ..
        })
    ));
    // wan image-to-video has no aspect ratios: the field must be left out.
    let r = QueueVideoRequest {
        aspect_ratio: Some("16:9".into()),
        image_url: Some("https://example.com/a.png".into()),
        ..QueueVideoRequest::new("wan-2.5-preview-image-to-video", "x", "5s")
    };
    assert!(matches!(
        c.validate(&r),
        Err(ConstraintError::FieldNotTaken {
            field: "aspect ratio",
            ..
        })
    ));
    // runway has no resolutions.
    let q = QuoteVideoRequest {
        resolution: Some("720p".into()),
        ..QuoteVideoRequest::new("runway-gen4-5-text", "5s")
    };
    assert!(matches!(
        c.validate_quote(&q),
        Err(ConstraintError::FieldNotTaken { .. })
    ));
}

#[test]
fn audio_only_when_configurable() {
    let c = cat();
    let r = QueueVideoRequest {
        audio: Some(false),
        ..wan("x", "5s")
    };
    assert!(matches!(
        c.validate(&r),
        Err(ConstraintError::AudioNotConfigurable { .. })
    ));
    let r = QueueVideoRequest {
        audio: Some(false),
        ..QueueVideoRequest::new("seedance-2-0-text-to-video-basic", "x", "5s")
    };
    assert_eq!(c.validate(&r), Ok(()));
}

#[test]
fn prompt_limits_in_characters() {
    let c = cat();
    assert_eq!(c.validate(&wan(&"é".repeat(2500), "5s")), Ok(()));
    let e = c
        .validate(&wan(&"é".repeat(2501), "5s"))
        .expect_err("too long");
    assert!(matches!(
        e,
        ConstraintError::TooLong {
            limit: 2500,
            got: 2501,
            ..
        }
    ));
    assert_eq!(e.user_action(), UserAction::ChangePrompt);
    let runway = QueueVideoRequest {
        image_url: Some("https://example.com/a.png".into()),
        ..QueueVideoRequest::new("runway-gen4-5", "a".repeat(1001), "5s")
    };
    assert!(matches!(
        c.validate(&runway),
        Err(ConstraintError::TooLong { limit: 1000, .. })
    ));
    assert!(matches!(
        c.validate(&wan("  ", "5s")),
        Err(ConstraintError::EmptyPrompt { .. })
    ));
}

#[test]
fn image_to_video_needs_a_good_image_url() {
    let c = cat();
    let base = QueueVideoRequest::new("wan-2.5-preview-image-to-video", "leaves", "5s");
    assert!(matches!(
        c.validate(&base),
        Err(ConstraintError::Missing { .. })
    ));
    for ok in [
        "https://example.com/a.jpg",
        "data:image/jpeg;base64,/9j/4AAQ",
    ] {
        let r = QueueVideoRequest {
            image_url: Some(ok.into()),
            ..base.clone()
        };
        assert_eq!(c.validate(&r), Ok(()), "{ok}");
    }
    for bad in [
        "http://example.com/a.jpg",
        "data:text/plain;base64,aGk=",
        "file:///etc/passwd",
        "data:image/png,raw",
    ] {
        let r = QueueVideoRequest {
            image_url: Some(bad.into()),
            ..base.clone()
        };
        assert!(
            matches!(c.validate(&r), Err(ConstraintError::BadImageUrl { .. })),
            "{bad}"
        );
    }
}

#[test]
fn unknown_model_and_upscaler() {
    let c = cat();
    let e = c
        .validate(&QueueVideoRequest::new("no-such-model", "x", "5s"))
        .expect_err("unknown");
    assert!(e.to_string().contains("no-such-model"));
    let up = QueueVideoRequest {
        resolution: Some("2x".into()),
        video_url: Some("https://example.com/v.mp4".into()),
        ..QueueVideoRequest::new("topaz-video-upscale", "x", "Auto")
    };
    assert!(matches!(
        c.validate(&up),
        Err(ConstraintError::FieldNotTaken { .. })
    ));
    let up = QueueVideoRequest {
        resolution: None,
        upscale_factor: Some(2),
        ..up
    };
    assert_eq!(c.validate(&up), Ok(()));
}

#[test]
fn cache_round_trip_and_age() {
    let c = cat();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub/models-video.json");
    c.save(&path).expect("saved");
    let back = ModelCatalogue::load_cached(&path).expect("loaded");
    assert_eq!(back, c);
    assert_eq!(
        back.age_at(UNIX_EPOCH + Duration::from_secs(1_060)),
        Duration::from_secs(60)
    );
    assert!(ModelCatalogue::load_cached(&dir.path().join("missing.json")).is_err());
    std::fs::write(dir.path().join("bad.json"), b"{not json").expect("write");
    assert!(ModelCatalogue::load_cached(&dir.path().join("bad.json")).is_err());
}
