//! Venice's published OpenAPI contract (`openapi.yaml`, copied verbatim from Venice's api-docs; see
//! SOURCES.txt) turned into JSON-schema validators, so tests can check that the requests our client
//! builds and the responses our test double returns both match what Venice documents.
//!
//! The spec is OpenAPI 3.0: its schemas are JSON Schema draft 4 plus `nullable`. We convert
//! `nullable` and validate with draft 4. The YAML is loaded with a YAML 1.2 parser on purpose: the
//! spec writes aspect ratios unquoted (`16:9`), which a YAML 1.1 parser reads as the base-60
//! integer 969, so a 1.1 loader would reject every valid aspect ratio.

use serde_json::{Map, Value, json};

/// The spec as shipped with this crate.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");

/// Why a body does not match the contract, or why the contract could not be consulted.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("the bundled openapi.yaml could not be parsed: {0}")]
    Parse(String),
    #[error("the spec has no {method} {path}")]
    UnknownOperation { method: String, path: String },
    #[error("{method} {path} documents no JSON request body")]
    NoRequestSchema { method: String, path: String },
    #[error("{method} {path} does not document status {status} with content type {content_type}")]
    UndocumentedResponse {
        method: String,
        path: String,
        status: u16,
        content_type: String,
    },
    #[error("the schema for {0} could not be compiled: {1}")]
    Schema(String, String),
    #[error("{what} breaks Venice's contract:\n  {}", .problems.join("\n  "))]
    Violation { what: String, problems: Vec<String> },
}

/// Venice's OpenAPI document, ready to validate bodies against.
#[derive(Debug, Clone)]
pub struct Spec {
    doc: Value,
    /// `components`, converted to draft 4 once, embedded in every validator so refs resolve.
    components: Value,
}

impl Spec {
    /// Loads the bundled spec.
    pub fn load() -> Result<Self, SpecError> {
        Self::from_yaml(OPENAPI_YAML)
    }

    /// Parses an OpenAPI 3.0 YAML document.
    pub fn from_yaml(text: &str) -> Result<Self, SpecError> {
        let doc: Value =
            serde_norway::from_str(text).map_err(|e| SpecError::Parse(e.to_string()))?;
        let components = convert(doc.get("components").unwrap_or(&Value::Null));
        Ok(Self { doc, components })
    }

    /// The `info.version` of the spec (e.g. `20260821.193530`).
    pub fn version(&self) -> Option<&str> {
        self.doc.pointer("/info/version").and_then(Value::as_str)
    }

    /// A named component schema, raw (before conversion), e.g. `QueueVideoRequest`.
    pub fn component(&self, name: &str) -> Option<&Value> {
        self.doc.pointer(&format!("/components/schemas/{name}"))
    }

    fn operation(&self, method: &str, path: &str) -> Result<&Value, SpecError> {
        self.doc
            .get("paths")
            .and_then(|p| p.get(path))
            .and_then(|p| p.get(method.to_ascii_lowercase()))
            .ok_or_else(|| SpecError::UnknownOperation {
                method: method.into(),
                path: path.into(),
            })
    }

    /// Checks a JSON request body against the operation's documented request schema.
    /// `path` is the spec's path without the `/api/v1` prefix, e.g. `/video/queue`.
    pub fn check_request(&self, method: &str, path: &str, body: &Value) -> Result<(), SpecError> {
        let schema = self
            .operation(method, path)?
            .pointer("/requestBody/content/application~1json/schema")
            .ok_or_else(|| SpecError::NoRequestSchema {
                method: method.into(),
                path: path.into(),
            })?;
        self.validate(schema, body, &format!("request to {method} {path}"))
    }

    /// Checks a response against what the operation documents for `status`: the content type must
    /// be one the spec lists for that status, and a JSON body must match its schema. Error statuses
    /// the operation does not list (Venice's error guide says any endpoint can answer 429, 503,
    /// 504...) must still carry one of Venice's two documented error shapes.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: &str,
        body: Option<&Value>,
    ) -> Result<(), SpecError> {
        let what = format!("response {status} to {method} {path}");
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let operation = self.operation(method, path)?;
        let Some(documented) = operation
            .get("responses")
            .and_then(|r| r.get(status.to_string()))
        else {
            if status >= 400 {
                return self.validate(&any_error_shape(), body.unwrap_or(&Value::Null), &what);
            }
            return Err(self.undocumented(method, path, status, &media_type));
        };
        let Some(schema) = documented.get("content").and_then(|c| c.get(&media_type)) else {
            return Err(self.undocumented(method, path, status, &media_type));
        };
        match (media_type.as_str(), schema.get("schema")) {
            ("application/json", Some(schema)) => {
                self.validate(schema, body.unwrap_or(&Value::Null), &what)
            }
            _ => Ok(()),
        }
    }

    fn undocumented(&self, method: &str, path: &str, status: u16, content_type: &str) -> SpecError {
        SpecError::UndocumentedResponse {
            method: method.into(),
            path: path.into(),
            status,
            content_type: content_type.into(),
        }
    }

    fn validate(&self, schema: &Value, instance: &Value, what: &str) -> Result<(), SpecError> {
        // Embed the converted components next to the schema so `#/components/schemas/X` resolves.
        // `allOf` keeps the schema's own keywords alive beside the `components` key in draft 4.
        let root = json!({ "allOf": [convert(schema)], "components": self.components });
        let validator = jsonschema::draft4::options()
            .build(&root)
            .map_err(|e| SpecError::Schema(what.to_string(), e.to_string()))?;
        let problems: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("at '{}': {}", e.instance_path(), e))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SpecError::Violation {
                what: what.to_string(),
                problems,
            })
        }
    }
}

/// Venice's two documented error bodies: `{"error": "message"}` and `{"error": {"message": ...}}`.
fn any_error_shape() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "anyOf": [
                    { "type": "string" },
                    { "type": "object", "required": ["message"],
                      "properties": { "message": { "type": "string" } } }
                ]
            }
        }
    })
}

/// Rewrites OpenAPI 3.0 schema dialect into plain draft 4: `nullable: true` becomes a type union.
fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out: Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), convert(v))).collect();
            if out.remove("nullable") == Some(Value::Bool(true)) {
                make_nullable(&mut out);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

fn make_nullable(schema: &mut Map<String, Value>) {
    match schema.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            schema.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        Some(_) => {}
        None => {
            let inner = Value::Object(std::mem::take(schema));
            schema.insert("anyOf".into(), json!([inner, { "type": "null" }]));
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::load().expect("bundled spec parses")
    }

    #[test]
    fn aspect_ratios_stay_strings_not_base_60_integers() {
        let spec = spec();
        let ratios = spec
            .component("QueueVideoRequest")
            .and_then(|s| s.pointer("/properties/aspect_ratio/enum"))
            .and_then(Value::as_array)
            .expect("aspect_ratio enum");
        assert!(ratios.contains(&json!("16:9")), "{ratios:?}");
        assert!(!ratios.iter().any(Value::is_number), "{ratios:?}");
    }

    #[test]
    fn documented_queue_request_passes_and_broken_ones_fail() {
        let spec = spec();
        let good = json!({"model": "wan-2.5-preview-text-to-video", "prompt": "A gondola",
                          "duration": "5s", "aspect_ratio": "16:9", "resolution": "720p"});
        spec.check_request("POST", "/video/queue", &good)
            .expect("valid");

        let null_field = json!({"model": "m", "prompt": "p", "duration": "5s", "resolution": null});
        let err = spec
            .check_request("POST", "/video/queue", &null_field)
            .unwrap_err();
        assert!(err.to_string().contains("resolution"), "{err}");

        let missing_prompt = json!({"model": "m", "duration": "5s"});
        assert!(
            spec.check_request("POST", "/video/queue", &missing_prompt)
                .is_err()
        );

        let bad_duration = json!({"model": "m", "prompt": "p", "duration": "5 seconds"});
        assert!(
            spec.check_request("POST", "/video/queue", &bad_duration)
                .is_err()
        );
    }

    #[test]
    fn retrieve_request_refuses_unknown_fields() {
        let body = json!({"model": "m", "queue_id": "q", "seed": 3});
        assert!(
            spec()
                .check_request("POST", "/video/retrieve", &body)
                .is_err()
        );
    }

    #[test]
    fn responses_are_checked_by_status_and_content_type() {
        let spec = spec();
        let processing = json!({"status": "PROCESSING", "average_execution_time": 145000,
                                "execution_duration": 53200});
        spec.check_response(
            "POST",
            "/video/retrieve",
            200,
            "application/json",
            Some(&processing),
        )
        .expect("processing body is documented");
        spec.check_response("POST", "/video/retrieve", 200, "video/mp4", None)
            .expect("mp4 is documented");
        let missing_timing = json!({"status": "PROCESSING"});
        assert!(
            spec.check_response(
                "POST",
                "/video/retrieve",
                200,
                "application/json",
                Some(&missing_timing)
            )
            .is_err()
        );
        assert!(
            spec.check_response("POST", "/video/quote", 200, "text/html", None)
                .is_err()
        );
        let extra = json!({"model": "m", "queue_id": "q", "surprise": 1});
        assert!(
            spec.check_response(
                "POST",
                "/video/queue",
                200,
                "application/json",
                Some(&extra)
            )
            .is_err(),
            "queue 200 is additionalProperties: false"
        );
    }

    #[test]
    fn nullable_fields_accept_null() {
        let balance = json!({"canConsume": true, "consumptionCurrency": null,
                             "balances": {"diem": null, "usd": 25}, "diemEpochAllocation": 0});
        spec()
            .check_response(
                "GET",
                "/billing/balance",
                200,
                "application/json",
                Some(&balance),
            )
            .expect("nullable fields");
    }

    #[test]
    fn undocumented_error_statuses_still_need_a_venice_error_shape() {
        let spec = spec();
        let flat = json!({"error": "Rate limit exceeded"});
        spec.check_response("POST", "/video/quote", 429, "application/json", Some(&flat))
            .expect("flat error shape");
        let nested = json!({"error": {"message": "busy", "type": "x"}});
        spec.check_response(
            "POST",
            "/video/quote",
            503,
            "application/json",
            Some(&nested),
        )
        .expect("nested error shape");
        assert!(
            spec.check_response(
                "POST",
                "/video/quote",
                429,
                "application/json",
                Some(&json!({"message": "no"}))
            )
            .is_err()
        );
    }
}
