//! `client.video()`: quote, queue, retrieve (streams the MP4 to disk), download, complete.

use std::path::Path;

use reqwest::Method;

use crate::client::{Client, Target, decode_json, timed_out};
use crate::download::{DownloadProgress, no_progress, save_mp4};
use crate::error::{Error, Operation};
use crate::meta::ApiResponse;
use crate::types::video::{
    CompleteVideoRequest, QueueVideoRequest, QueuedVideo, QuoteVideoRequest, RetrieveOutcome,
    RetrieveStatus, RetrieveVideoRequest, SavedVideo, StatusKind, VideoCompleted, VideoQuote,
    parse_status,
};

/// The `/video/*` endpoints.
#[derive(Debug)]
pub struct Video<'a> {
    pub(crate) client: &'a Client,
}

impl Video<'_> {
    /// `POST /video/quote`: the price in USD. Checked against the catalogue first.
    pub async fn quote(&self, req: &QuoteVideoRequest) -> Result<ApiResponse<VideoQuote>, Error> {
        if let Some(cat) = self.client.catalogue_for_validation().await? {
            cat.validate_quote(req)?;
        }
        self.client
            .json(
                Operation::VideoQuote,
                Method::POST,
                "/video/quote",
                Some(req),
            )
            .await
    }

    /// `POST /video/queue`: starts a job, which costs money. Checked against the catalogue
    /// first. If the call may have reached Venice without a clear answer the error is
    /// [`Error::OutcomeUnknown`]; never resend it blindly.
    pub async fn queue(&self, req: &QueueVideoRequest) -> Result<ApiResponse<QueuedVideo>, Error> {
        if let Some(cat) = self.client.catalogue_for_validation().await? {
            cat.validate(req)?;
        }
        self.client
            .json(
                Operation::VideoQueue,
                Method::POST,
                "/video/queue",
                Some(req),
            )
            .await
    }

    /// `POST /video/retrieve`. A finished video is streamed to `dest` (temp file, checked,
    /// renamed into place).
    pub async fn retrieve(
        &self,
        req: &RetrieveVideoRequest,
        dest: &Path,
    ) -> Result<ApiResponse<RetrieveOutcome>, Error> {
        self.retrieve_with_progress(req, dest, &no_progress).await
    }

    /// [`Video::retrieve`], telling `on_progress` how the video's download goes (it is called
    /// only when the answer is the video itself).
    pub async fn retrieve_with_progress(
        &self,
        req: &RetrieveVideoRequest,
        dest: &Path,
        on_progress: DownloadProgress<'_>,
    ) -> Result<ApiResponse<RetrieveOutcome>, Error> {
        let body = serde_json::to_vec(req)
            .map_err(|e| Error::Config(format!("could not encode the request ({e})")))?;
        let answered = self
            .client
            .send(
                Operation::VideoRetrieve,
                Method::POST,
                Target::Path("/video/retrieve"),
                Some(body),
                self.client.media_timeouts(),
            )
            .await?;
        let is_json = answered
            .response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
        if !is_json {
            let meta = answered.meta.clone();
            let saved = save_mp4(answered.response, &meta, dest, on_progress).await?;
            return Ok(ApiResponse {
                value: RetrieveOutcome::Video(saved),
                meta,
            });
        }
        // A status answer is small JSON: it gets the request timeout, not the video's.
        let ApiResponse {
            value: status,
            meta,
        } = tokio::time::timeout(
            self.client.request_timeout(),
            decode_json::<RetrieveStatus>(Operation::VideoRetrieve, answered),
        )
        .await
        .map_err(|_| timed_out(Operation::VideoRetrieve))??;
        let outcome = match parse_status(&status.status) {
            Some(StatusKind::Processing) => RetrieveOutcome::Processing {
                average_execution_time_ms: status.average_execution_time.unwrap_or(0.0),
                execution_duration_ms: status.execution_duration.unwrap_or(0.0),
            },
            Some(StatusKind::Completed) => RetrieveOutcome::CompletedAtUrl,
            Some(StatusKind::Failed) => {
                let message = status.message.clone().or_else(|| match &status.error {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(v) => v.get("message").and_then(|m| m.as_str()).map(str::to_owned),
                    None => None,
                });
                return Err(Error::GenerationFailed {
                    message,
                    request_id: meta.request_id,
                });
            }
            None => {
                return Err(Error::UnknownStatus {
                    status: status.status,
                    request_id: meta.request_id,
                });
            }
        };
        Ok(ApiResponse {
            value: outcome,
            meta,
        })
    }

    /// GET of a private model's `download_url`, streamed to `dest`. The API key is sent only
    /// when the URL is on the API's own origin.
    pub async fn download(&self, url: &str, dest: &Path) -> Result<ApiResponse<SavedVideo>, Error> {
        self.download_with_progress(url, dest, &no_progress).await
    }

    /// [`Video::download`], telling `on_progress` how it goes.
    pub async fn download_with_progress(
        &self,
        url: &str,
        dest: &Path,
        on_progress: DownloadProgress<'_>,
    ) -> Result<ApiResponse<SavedVideo>, Error> {
        let parsed = url::Url::parse(url)
            .map_err(|e| Error::Config(format!("the download URL is not a URL ({e})")))?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err(Error::Config("the download URL must be https".into()));
        }
        let answered = self
            .client
            .send(
                Operation::VideoDownload,
                Method::GET,
                Target::Absolute(&parsed),
                None,
                self.client.media_timeouts(),
            )
            .await?;
        let meta = answered.meta.clone();
        let saved = save_mp4(answered.response, &meta, dest, on_progress).await?;
        Ok(ApiResponse { value: saved, meta })
    }

    /// `POST /video/complete`: deletes Venice's copy. Call only after the file is saved.
    pub async fn complete(
        &self,
        req: &CompleteVideoRequest,
    ) -> Result<ApiResponse<VideoCompleted>, Error> {
        self.client
            .json(
                Operation::VideoComplete,
                Method::POST,
                "/video/complete",
                Some(req),
            )
            .await
    }
}
