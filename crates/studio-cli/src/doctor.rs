//! `studio doctor`: the health check, one line per item, non-zero exit on a problem.

use std::process::{Command, Stdio};

use serde::Serialize;
use serde_json::json;
use venice::ModelType;

use crate::exit::{Code, Failure, venice_code};
use crate::output::{Out, ok_fields, usd};
use crate::{key, session};

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    /// `ok`, `warn` (works, with less) or `fail`.
    status: &'static str,
    detail: String,
    #[serde(skip)]
    code: Code,
}

impl Check {
    fn ok(name: &'static str, detail: String) -> Self {
        Self {
            name,
            status: "ok",
            detail,
            code: Code::Ok,
        }
    }
    fn warn(name: &'static str, detail: String) -> Self {
        Self {
            name,
            status: "warn",
            detail,
            code: Code::Ok,
        }
    }
    fn fail(name: &'static str, detail: String, code: Code) -> Self {
        Self {
            name,
            status: "fail",
            detail,
            code,
        }
    }
    fn skip(name: &'static str, why: &str) -> Self {
        Self {
            name,
            status: "skip",
            detail: format!("not checked: {why}"),
            code: Code::Ok,
        }
    }
    fn from_error(name: &'static str, error: &venice::Error) -> Self {
        Self::fail(name, error.to_string(), venice_code(error))
    }
}

pub async fn run(out: Out) -> Result<Code, Failure> {
    let mut checks = Vec::new();
    let base_url = std::env::var("VENICE_BASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| venice::DEFAULT_BASE_URL.to_string());
    let found = key::find();
    checks.push(match &found {
        Ok(found) => Check::ok(
            "API key present",
            format!("from {} ({})", found.source.describe(), found.hint()),
        ),
        Err(no) => Check::fail("API key present", no.message(), Code::NeedsUser),
    });
    // Reachability needs no key: the model list is public.
    let probe_key = found
        .as_ref()
        .map(|f| f.key.clone())
        .unwrap_or_else(|_| venice::ApiKey::new("doctor-probe"));
    let client = session::client(probe_key)?;
    let reachable = match client.models().list(ModelType::Video).await {
        Ok(list) => {
            checks.push(Check::ok(
                "API reachable",
                format!("{base_url} ({} video models)", list.value.data.len()),
            ));
            true
        }
        Err(e) => {
            checks.push(Check::from_error("API reachable", &e).with_prefix(&base_url));
            false
        }
    };
    if found.is_ok() && reachable {
        authenticated_checks(&client, &mut checks).await;
    } else {
        let why = if found.is_err() {
            "no API key"
        } else {
            "Venice not reachable"
        };
        for name in ["API key accepted", "Balance", "Rate limits"] {
            checks.push(Check::skip(name, why));
        }
    }
    checks.push(ffmpeg_check());
    // A stable order: key, reachability, key accepted, balance, limits, ffmpeg.
    checks.sort_by_key(|c| match c.name {
        "API key present" => 0,
        "API reachable" => 1,
        "API key accepted" => 2,
        "Balance" => 3,
        "Rate limits" => 4,
        _ => 5,
    });

    let code = checks.iter().map(|c| c.code).max().unwrap_or(Code::Ok);
    let code = if code == Code::Ok && checks.iter().any(|c| c.status == "fail") {
        Code::Failure
    } else {
        code
    };
    for check in &checks {
        let mark = match check.status {
            "ok" => "ok  ",
            "warn" => "warn",
            "skip" => "skip",
            _ => "FAIL",
        };
        out.line(format!("[{mark}] {:<17} {}", check.name, check.detail));
    }
    let mut doc = ok_fields(code);
    doc["checks"] = json!(checks);
    out.document(doc);
    Ok(code)
}

impl Check {
    fn with_prefix(mut self, base_url: &str) -> Self {
        self.detail = format!("{base_url}: {}", self.detail);
        self
    }
}

async fn authenticated_checks(client: &venice::Client, checks: &mut Vec<Check>) {
    match client.api_keys().rate_limits().await {
        Ok(answer) => {
            let data = answer.value.data;
            if data.access_permitted {
                checks.push(Check::ok("API key accepted", "yes".into()));
            } else {
                checks.push(Check::fail(
                    "API key accepted",
                    "Venice knows the key but says it may not be used (access not permitted); \
                     check it at venice.ai/settings/api"
                        .into(),
                    Code::NeedsUser,
                ));
            }
            let tier = data
                .api_tier
                .as_ref()
                .map(|t| t.id.clone())
                .unwrap_or_else(|| "?".into());
            let limits: Vec<String> = data
                .rate_limits
                .iter()
                .filter(|m| {
                    m.api_model_id
                        .as_deref()
                        .is_some_and(|id| id.contains("video"))
                })
                .take(3)
                .map(|m| {
                    let each: Vec<String> = m
                        .rate_limits
                        .iter()
                        .map(|r| format!("{} {}", r.amount, r.kind))
                        .collect();
                    format!(
                        "{}: {}",
                        m.api_model_id.as_deref().unwrap_or("?"),
                        each.join(", ")
                    )
                })
                .collect();
            let detail = if limits.is_empty() {
                format!("tier {tier}, {} models with limits", data.rate_limits.len())
            } else {
                format!("tier {tier}; {}", limits.join("; "))
            };
            checks.push(Check::ok("Rate limits", detail));
        }
        Err(e) if e.status() == Some(401) || e.status() == Some(403) => {
            checks.push(Check::from_error("API key accepted", &e));
            checks.push(Check::skip("Rate limits", "the key was not accepted"));
            checks.push(Check::skip("Balance", "the key was not accepted"));
            return;
        }
        Err(e) => {
            checks.push(Check::skip(
                "API key accepted",
                "the rate-limit call failed",
            ));
            checks.push(Check::from_error("Rate limits", &e));
        }
    }
    match client.billing().balance().await {
        Ok(answer) => {
            let b = answer.value;
            let amount = match (b.balances.usd, b.balances.diem) {
                (Some(u), _) => usd(u),
                (None, Some(d)) => format!("{d:.2} DIEM"),
                _ => "unknown".into(),
            };
            if b.can_consume {
                checks.push(Check::ok("Balance", amount));
            } else {
                checks.push(Check::fail(
                    "Balance",
                    format!("{amount}: Venice says this key cannot spend; top up at venice.ai/settings/api"),
                    Code::NeedsUser,
                ));
            }
        }
        Err(e) => checks.push(Check::from_error("Balance", &e)),
    }
}

fn ffmpeg_check() -> Check {
    let ffmpeg = studio_core::EngineConfig::default().ffmpeg;
    match Command::new(&ffmpeg)
        .arg("-version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    {
        Ok(output) if output.status.success() => {
            let first = String::from_utf8_lossy(&output.stdout);
            let first = first.lines().next().unwrap_or("ffmpeg");
            let version = first.split(" Copyright").next().unwrap_or(first);
            Check::ok("ffmpeg found", format!("{version} (thumbnails)"))
        }
        _ => Check::warn(
            "ffmpeg found",
            "no: videos still download and verify, but the library shows placeholders instead \
             of thumbnails (install ffmpeg to get them)"
                .into(),
        ),
    }
}
