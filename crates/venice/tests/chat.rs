//! `POST /chat/completions` against the sim.

mod common;

use venice::{ChatCompletionRequest, ChatMessage, VeniceParameters};
use venice_sim::Endpoint;

#[tokio::test]
async fn theme_to_prompt() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let mut req = ChatCompletionRequest::new(
        "zai-org-glm-5-1",
        vec![
            ChatMessage::system("You write short video prompts."),
            ChatMessage::user("A rainy night in Venice, neon reflections"),
        ],
    );
    req.temperature = Some(0.7);
    req.venice_parameters = Some(VeniceParameters {
        include_venice_system_prompt: Some(false),
        ..Default::default()
    });
    let res = client.chat().create(&req).await.expect("chat works");
    let text = res.value.first_text().expect("has text");
    assert!(!text.trim().is_empty());
    assert!(res.value.cost.is_some(), "cost parsed");
    let logged = sim
        .requests()
        .into_iter()
        .find(|r| r.endpoint == Some(Endpoint::ChatCompletions))
        .expect("logged");
    common::assert_no_nulls(&logged.raw_body);
    assert!(logged.authorization_present);
    sim.shutdown().await;
}
