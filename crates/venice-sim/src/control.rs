//! The `/_sim/*` control API for manual use: queue faults, read the request log, see the state.
//!
//! - `POST /_sim/faults {"endpoint":"video_queue","fault":{"kind":"server_error"},"times":1}`
//! - `GET /_sim/faults` → pending faults per endpoint
//! - `GET /_sim/requests` → the request log (body strings over 1024 characters, such as `data:`
//!   URLs, shortened to a prefix, length and SHA-256; `?full=1` gives them whole);
//!   `DELETE /_sim/requests` clears it
//! - `GET /_sim/state` → balance and job count
//!
//! Control requests are not written to the request log.

use axum::body::Body;
use axum::http::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::SimError;
use crate::faults::{Fault, FaultSpec};
use crate::log::Endpoint;
use crate::reply::Reply;
use crate::sim::Shared;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    endpoint: Endpoint,
    fault: FaultSpec,
    #[serde(default = "one")]
    times: usize,
}

fn one() -> usize {
    1
}

fn parse_fault(bytes: &[u8]) -> Result<FaultRequest, SimError> {
    serde_json::from_slice(bytes).map_err(|e| SimError::BadFaultRequest(e.to_string()))
}

pub(crate) async fn handle(
    sh: &Shared,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: Body,
) -> Response<Body> {
    let full = query.is_some_and(|q| q.split('&').any(|kv| kv == "full=1" || kv == "full=true"));
    let reply = match (method, path.trim_end_matches('/')) {
        ("POST", "/_sim/faults") => match axum::body::to_bytes(body, 1024 * 1024).await {
            Ok(bytes) => match parse_fault(&bytes) {
                Ok(req) => {
                    let mut st = sh.lock();
                    st.faults
                        .push(req.endpoint, Fault::from(req.fault), req.times);
                    Reply::json(
                        200,
                        &json!({"ok": true, "pending": st.faults.pending(req.endpoint)}),
                    )
                }
                Err(e) => Reply::error(400, &e.to_string()),
            },
            Err(e) => Reply::error(400, &e.to_string()),
        },
        ("GET", "/_sim/faults") => {
            let st = sh.lock();
            let pending: serde_json::Map<String, Value> = Endpoint::ALL
                .iter()
                .map(|e| (e.name().to_owned(), json!(st.faults.pending(*e))))
                .collect();
            Reply::json(200, &Value::Object(pending))
        }
        ("GET", "/_sim/requests") => {
            let st = sh.lock();
            let log: Vec<Value> = st.log.iter().map(|r| r.to_json(sh.started, full)).collect();
            Reply::json(200, &Value::Array(log))
        }
        ("DELETE", "/_sim/requests") => {
            sh.lock().log.clear();
            Reply::json(200, &json!({"ok": true}))
        }
        ("GET", "/_sim/state") => {
            let st = sh.lock();
            Reply::json(
                200,
                &json!({"balance_usd": st.balance_usd, "jobs": st.jobs.len(), "requests": st.log.len()}),
            )
        }
        _ => Reply::error(
            404,
            &format!("venice-sim control API has no {method} {path}"),
        ),
    };
    reply.into_response()
}
