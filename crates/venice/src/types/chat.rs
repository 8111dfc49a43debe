//! `POST /chat/completions` (OpenAI-compatible, plus Venice's `venice_parameters` and `cost`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who said a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    System,
    User,
    Assistant,
}

/// One plain-text message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
}

impl ChatMessage {
    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage {
            role: ChatRole::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage {
            role: ChatRole::User,
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        ChatMessage {
            role: ChatRole::Assistant,
            content: content.into(),
        }
    }
}

/// `response_format`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    JsonSchema { json_schema: Value },
    JsonObject,
}

/// `venice_parameters` the studio uses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VeniceParameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_venice_system_prompt: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strip_thinking_response: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_thinking: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_web_search: Option<String>,
}

/// `POST /chat/completions` body (non-streaming).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletionRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venice_parameters: Option<VeniceParameters>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<Vec<String>>,
}

impl ChatCompletionRequest {
    pub fn new(model: impl Into<String>, messages: Vec<ChatMessage>) -> Self {
        ChatCompletionRequest {
            model: model.into(),
            messages,
            ..Default::default()
        }
    }
}

/// `POST /chat/completions` answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletionResponse {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub created: Option<f64>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub choices: Vec<ChatChoice>,
    #[serde(default)]
    pub usage: Option<ChatUsage>,
    /// What the request cost.
    #[serde(default)]
    pub cost: Option<RequestCost>,
}

impl ChatCompletionResponse {
    /// The text of the first choice, if any.
    pub fn first_text(&self) -> Option<String> {
        self.choices.first().and_then(|c| c.message.text())
    }
}

/// One choice.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatChoice {
    #[serde(default)]
    pub index: Option<u32>,
    #[serde(default)]
    pub message: ChatResponseMessage,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// The assistant's message. `content` may be a string, an array of parts, or null.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatResponseMessage {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub content: Option<Value>,
    #[serde(default)]
    pub reasoning_content: Option<String>,
}

impl ChatResponseMessage {
    /// The content as plain text (text parts joined).
    pub fn text(&self) -> Option<String> {
        match self.content.as_ref()? {
            Value::String(s) => Some(s.clone()),
            Value::Array(parts) => {
                let t: String = parts
                    .iter()
                    .filter_map(|p| p.get("text").and_then(Value::as_str))
                    .collect();
                Some(t)
            }
            _ => None,
        }
    }
}

/// Token counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatUsage {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
    #[serde(default)]
    pub total_tokens: u64,
}

/// `cost`: what the request cost, split by currency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestCost {
    #[serde(default)]
    pub usd: f64,
    #[serde(default)]
    pub diem: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_without_nulls() {
        let mut r = ChatCompletionRequest::new(
            "venice-uncensored",
            vec![ChatMessage::system("s"), ChatMessage::user("u")],
        );
        let json = serde_json::to_string(&r).expect("serializes");
        assert!(!json.contains("null"));
        r.venice_parameters = Some(VeniceParameters {
            include_venice_system_prompt: Some(false),
            ..Default::default()
        });
        r.response_format = Some(ResponseFormat::JsonObject);
        let json = serde_json::to_string(&r).expect("serializes");
        assert!(!json.contains("null"));
        assert!(json.contains(r#""venice_parameters":{"include_venice_system_prompt":false}"#));
        assert!(json.contains(r#""response_format":{"type":"json_object"}"#));
        assert!(json.contains(r#""role":"system""#));
    }

    #[test]
    fn response_shapes() {
        let r: ChatCompletionResponse = serde_json::from_str(
            r#"{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hello","reasoning_content":null,"tool_calls":[]},"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3},"cost":{"usd":0.00042,"diem":0},"venice_parameters":{}}"#,
        )
        .expect("parses");
        assert_eq!(r.first_text().as_deref(), Some("hello"));
        assert_eq!(r.cost.as_ref().map(|c| c.usd), Some(0.00042));
        let m = ChatResponseMessage {
            content: Some(
                serde_json::json!([{"type":"text","text":"a"},{"type":"text","text":"b"}]),
            ),
            ..Default::default()
        };
        assert_eq!(m.text().as_deref(), Some("ab"));
    }
}
