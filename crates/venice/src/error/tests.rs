//! Unit tests for `error`.

use super::*;
use std::time::UNIX_EPOCH;

fn parse(op: Operation, status: u16, body: &str) -> ApiError {
    ApiError::from_response(
        op,
        status,
        body.as_bytes(),
        ResponseMeta::default(),
        UNIX_EPOCH,
    )
}

#[test]
fn flat_and_nested_bodies() {
    let e = parse(
        Operation::VideoQuote,
        400,
        r#"{"error":"Invalid request parameters","details":{"_errors":[],"duration":{"_errors":["bad"]}},"issues":[]}"#,
    );
    assert_eq!(e.message.as_deref(), Some("Invalid request parameters"));
    assert!(
        e.details
            .as_ref()
            .is_some_and(|d| d.get("duration").is_some())
    );
    assert!(e.to_string().contains("duration"));

    let e = parse(
        Operation::ChatCompletion,
        400,
        r#"{"error":{"message":"Too long","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
    );
    assert_eq!(e.message.as_deref(), Some("Too long"));
    assert_eq!(e.error_type.as_deref(), Some("invalid_request_error"));
    assert_eq!(e.code.as_deref(), Some("context_length_exceeded"));
}

#[test]
fn payload_too_large() {
    let e = parse(
        Operation::VideoQueue,
        413,
        r#"{"code":"PAYLOAD_TOO_LARGE","error":"File exceeds the maximum allowed size of 25 MB."}"#,
    );
    assert_eq!(e.code.as_deref(), Some("PAYLOAD_TOO_LARGE"));
    assert_eq!(e.class(), ErrorClass::NeedsUser(UserAction::ReduceSize));
    assert!(e.to_string().contains("25 MB"));
}

#[test]
fn content_policy_nested_and_flat() {
    let e = parse(
        Operation::VideoRetrieve,
        422,
        r#"{"error":{"message":"Rejected. Credits have been refunded.","type":"provider_content_policy","recommended_model":"wan-2-7-text-to-video","credits_refunded":true}}"#,
    );
    assert_eq!(e.credits_refunded, Some(true));
    assert_eq!(
        e.recommended_model.as_deref(),
        Some("wan-2-7-text-to-video")
    );
    assert_eq!(e.error_type.as_deref(), Some("provider_content_policy"));
    assert_eq!(e.class(), ErrorClass::NeedsUser(UserAction::ChangePrompt));
    assert!(e.to_string().contains("wan-2-7-text-to-video"));

    let e = parse(
        Operation::VideoRetrieve,
        422,
        r#"{"error":"Blocked. Credits have been refunded.","credits_refunded":false}"#,
    );
    assert_eq!(e.credits_refunded, Some(false));
    assert!(e.to_string().contains("NOT refunded"));

    let e = parse(
        Operation::VideoQueue,
        422,
        r#"{"error":"Your prompt violates the content policy","suggested_prompt":"A calm sea"}"#,
    );
    assert_eq!(e.suggested_prompt.as_deref(), Some("A calm sea"));
    assert_eq!(e.credits_refunded, None);
    assert!(e.to_string().contains("A calm sea"));
}

#[test]
fn consent_409_and_non_json_bodies() {
    let e = parse(
        Operation::VideoQueue,
        409,
        r#"{"error":{"code":"needs_consent","message":"Consent needed"},"consent_flow":"seedance"}"#,
    );
    assert_eq!(e.code.as_deref(), Some("needs_consent"));
    assert_eq!(e.class(), ErrorClass::NeedsUser(UserAction::GiveConsent));

    let e = parse(Operation::VideoQueue, 502, "<html>bad gateway</html>");
    assert_eq!(e.message, None);
    let e = parse(Operation::VideoQueue, 500, "upstream exploded");
    assert_eq!(e.message.as_deref(), Some("upstream exploded"));
    let e = parse(Operation::VideoQueue, 500, "");
    assert_eq!(e.message, None);
    let e = parse(Operation::VideoQueue, 500, r#"[1,2]"#);
    assert_eq!(e.message, None);
}

#[test]
fn errors_and_client_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Error>();
    send_sync::<crate::Client>();
    send_sync::<crate::retry::RetryPolicy>();
}

#[test]
fn class_mapping() {
    use ErrorClass::*;
    use UserAction::*;
    let c = |op, s| parse(op, s, r#"{"error":"x"}"#).class();
    assert_eq!(c(Operation::VideoQueue, 429), RetryWithBackoff);
    for s in [500, 502, 503, 504] {
        assert_eq!(c(Operation::VideoRetrieve, s), RetryWithBackoff);
    }
    assert_eq!(c(Operation::VideoQueue, 401), NeedsUser(FixApiKey));
    assert_eq!(c(Operation::VideoQueue, 402), NeedsUser(TopUpBalance));
    assert_eq!(c(Operation::VideoQueue, 403), NeedsUser(RegionBlocked));
    assert_eq!(c(Operation::VideoQueue, 409), NeedsUser(GiveConsent));
    assert_eq!(c(Operation::VideoQueue, 413), NeedsUser(ReduceSize));
    assert_eq!(c(Operation::VideoQueue, 415), NeedsUser(ChangeRequest));
    assert_eq!(c(Operation::VideoQueue, 400), NeedsUser(ChangeRequest));
    assert_eq!(c(Operation::VideoQueue, 422), NeedsUser(ChangePrompt));
    assert_eq!(c(Operation::VideoRetrieve, 404), Permanent);
    assert_eq!(c(Operation::VideoComplete, 404), Permanent);
    assert_eq!(c(Operation::VideoQueue, 404), NeedsUser(ChangeRequest));
    assert_eq!(c(Operation::VideoQueue, 418), Permanent);

    let meta = ResponseMeta {
        retry_after: Some(Duration::from_secs(9)),
        ..Default::default()
    };
    let e = ApiError::from_response(Operation::VideoQueue, 429, b"{}", meta, UNIX_EPOCH);
    assert_eq!(e.class(), RetryAfter(Duration::from_secs(9)));
    assert!(e.to_string().contains("Wait 9s"));
}

#[test]
fn messages_say_what_to_do() {
    let meta = ResponseMeta {
        request_id: Some("ray-1".into()),
        ..Default::default()
    };
    let e = Error::from(ApiError::from_response(
        Operation::VideoQueue,
        401,
        br#"{"error":"Authentication failed"}"#,
        meta,
        UNIX_EPOCH,
    ));
    let m = e.to_string();
    assert!(m.contains("API key was rejected (401)"), "{m}");
    assert!(m.contains("Settings"), "{m}");
    assert!(m.contains("ray-1"), "{m}");
    assert_eq!(e.request_id(), Some("ray-1"));
    assert_eq!(e.status(), Some(401));
    let e = parse(
        Operation::VideoQueue,
        402,
        r#"{"error":"Insufficient USD or Diem balance"}"#,
    );
    assert!(e.to_string().contains("Top up"));
    let e = Error::OutcomeUnknown {
        detail: "timed out".into(),
        status: None,
        request_id: None,
    };
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown);
    assert!(e.to_string().contains("not sent again"));
}
