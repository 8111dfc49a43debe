//! `Reply`: what the sim decided to answer, and how it is put on the wire (normal, cut, slow, never).

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode, header};
use bytes::Bytes;
use serde_json::{Value, json};

/// How the body goes out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Delivery {
    /// All at once.
    Normal,
    /// Full Content-Length, about half the body, then the connection is closed.
    DropMidBody,
    /// Headers now, the body after the delay.
    Slow(Duration),
    /// Never answered.
    Hang,
}

/// An answer before it is put on the wire.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Bytes,
    pub headers: Vec<(String, String)>,
    pub delivery: Delivery,
    /// Set when the body is an MP4 from a job (faults for video bodies apply only to these).
    pub is_video: bool,
}

impl Reply {
    pub(crate) fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
            headers: Vec::new(),
            delivery: Delivery::Normal,
            is_video: false,
        }
    }

    /// `{"error": message}` (Venice's StandardError).
    pub(crate) fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, &json!({ "error": message }))
    }

    pub(crate) fn mp4(bytes: Bytes) -> Reply {
        Reply {
            status: 200,
            content_type: "video/mp4",
            body: bytes,
            headers: Vec::new(),
            delivery: Delivery::Normal,
            is_video: true,
        }
    }

    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The status the request log records: 0 when the client never gets a complete answer.
    pub(crate) fn logged_status(&self) -> u16 {
        match self.delivery {
            Delivery::DropMidBody | Delivery::Hang => 0,
            Delivery::Normal | Delivery::Slow(_) => self.status,
        }
    }

    /// Builds the HTTP response. `Hang` is handled by the caller before this.
    pub(crate) fn into_response(self) -> Response<Body> {
        let len = self.body.len();
        let body = match self.delivery {
            Delivery::Normal | Delivery::Hang => Body::from(self.body),
            Delivery::DropMidBody => {
                // Send half, give hyper time to flush headers + that half, then fail the body so the
                // connection is closed short of Content-Length.
                let half = self.body.slice(..len / 2);
                let first =
                    futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(half) });
                let cut = futures_util::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "venice-sim: dropped mid-body",
                    ))
                });
                Body::from_stream(futures_util::StreamExt::chain(first, cut))
            }
            Delivery::Slow(delay) => {
                let bytes = self.body;
                Body::from_stream(futures_util::stream::once(async move {
                    tokio::time::sleep(delay).await;
                    Ok::<Bytes, std::io::Error>(bytes)
                }))
            }
        };
        let mut resp = Response::new(body);
        *resp.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        for (name, value) in self.headers {
            if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                h.append(n, v);
            }
        }
        resp
    }
}

/// A body that ends the connection at once without a byte (used to release hung requests at shutdown).
pub(crate) fn aborted_response() -> Response<Body> {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "venice-sim: shutting down",
    ))];
    let mut resp = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(1u32));
    resp
}
