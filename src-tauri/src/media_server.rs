//! Streams the library's videos to the webview's `<video>` element from a loopback-only HTTP
//! server. WebKitGTK's media player cannot read Tauri's `asset:` protocol (tauri#3725), and
//! loading a video into a `blob:` would hold the whole file in memory; this serves files with
//! Range requests instead, only from the engine's media and thumbnail folders, only on 127.0.0.1,
//! and only behind a random token that exists for this run of the app.

use std::path::{Path, PathBuf};
use std::sync::{OnceLock, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

static SERVER: OnceLock<MediaServer> = OnceLock::new();

#[derive(Debug)]
struct MediaServer {
    /// `http://127.0.0.1:PORT/TOKEN`
    base: String,
    token: String,
    /// Canonical folders files may be served from.
    allowed: RwLock<Vec<PathBuf>>,
}

#[derive(serde::Deserialize)]
struct FileQuery {
    path: PathBuf,
}

/// Starts the server once per process (later calls do nothing). Must run inside the async runtime's
/// reach (`tauri::async_runtime`).
pub fn start() -> std::io::Result<()> {
    if SERVER.get().is_some() {
        return Ok(());
    }
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let token = uuid::Uuid::new_v4().simple().to_string();
    let server = MediaServer {
        base: format!("http://127.0.0.1:{port}/{token}"),
        token,
        allowed: RwLock::new(Vec::new()),
    };
    if SERVER.set(server).is_err() {
        return Ok(());
    }
    tauri::async_runtime::spawn(async move {
        let router = Router::new()
            .route("/{token}/file", get(serve))
            .with_state(());
        match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the media server stopped");
                }
            }
            Err(error) => tracing::error!(%error, "the media server could not start"),
        }
    });
    Ok(())
}

/// Adds folders the server may read from. Folders are never taken away while the app runs: a
/// video saved in the media folder before it was changed must keep playing.
pub fn allow(folders: &[&Path]) {
    let Some(server) = SERVER.get() else { return };
    let mut allowed = server.allowed.write().unwrap_or_else(|p| p.into_inner());
    for folder in folders.iter().filter_map(|f| std::fs::canonicalize(f).ok()) {
        if !allowed.contains(&folder) {
            allowed.push(folder);
        }
    }
}

/// The URL the webview streams `path` from, when the server runs.
pub fn url_for(path: &Path) -> Option<String> {
    let server = SERVER.get()?;
    let encoded: String =
        url::form_urlencoded::byte_serialize(path.to_string_lossy().as_bytes()).collect();
    Some(format!("{}/file?path={encoded}", server.base))
}

async fn serve(
    UrlPath(token): UrlPath<String>,
    Query(query): Query<FileQuery>,
    State(()): State<()>,
    request: Request,
) -> Response {
    let Some(server) = SERVER.get() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if token != server.token {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Ok(file) = std::fs::canonicalize(&query.path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let inside = {
        let allowed = server.allowed.read().unwrap_or_else(|p| p.into_inner());
        allowed.iter().any(|folder| file.starts_with(folder))
    };
    if !inside {
        return StatusCode::FORBIDDEN.into_response();
    }
    match ServeFile::new(file).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(infallible) => match infallible {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_base() -> String {
        SERVER.get().unwrap().base.clone()
    }

    #[tokio::test]
    async fn a_new_media_folder_keeps_the_old_ones_playable() {
        let old = tempfile::tempdir().unwrap();
        let new = tempfile::tempdir().unwrap();
        let before = old.path().join("before.mp4");
        std::fs::write(&before, b"old video").unwrap();
        start().unwrap();
        allow(&[old.path()]);
        allow(&[new.path()]);
        let answer = reqwest::get(url_for(&before).unwrap()).await.unwrap();
        assert_eq!(
            answer.status(),
            200,
            "a video saved before the change still plays"
        );
    }

    #[tokio::test]
    async fn serves_allowed_files_with_ranges_and_nothing_else() {
        let media = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let video = media.path().join("clip.mp4");
        std::fs::write(&video, b"0123456789").unwrap();
        let secret = other.path().join("key.json");
        std::fs::write(&secret, b"{}").unwrap();
        start().unwrap();
        allow(&[media.path()]);

        let http = reqwest::Client::new();
        let url = url_for(&video).unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let whole = http.get(&url).send().await.unwrap();
        assert_eq!(whole.status(), 200);
        assert_eq!(whole.headers()["content-type"], "video/mp4");
        assert_eq!(whole.bytes().await.unwrap().as_ref(), b"0123456789");

        let part = http
            .get(&url)
            .header("range", "bytes=2-5")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), 206, "players seek with Range requests");
        assert_eq!(part.bytes().await.unwrap().as_ref(), b"2345");

        let outside = http.get(url_for(&secret).unwrap()).send().await.unwrap();
        assert_eq!(
            outside.status(),
            403,
            "only the library's folders are served"
        );
        // A real file outside the library, asked for the sneaky ways: `../` out of the media
        // folder, an absolute path, and the same percent-encoded by hand (`%2e%2e%2f`).
        let escape = media
            .path()
            .join("..")
            .join(other.path().file_name().unwrap())
            .join("key.json");
        assert!(escape.is_file(), "the test asks for a file that exists");
        let encoded_dots = format!(
            "{}/file?path={}%2F%2e%2e%2F{}%2Fkey.json",
            server_base(),
            media.path().to_str().unwrap().replace('/', "%2F"),
            other.path().file_name().unwrap().to_str().unwrap(),
        );
        let absolute = format!("{}/file?path={}", server_base(), secret.display());
        for sneaky in [url_for(&escape).unwrap(), encoded_dots, absolute] {
            let answer = http.get(&sneaky).send().await.unwrap();
            assert_eq!(answer.status(), 403, "{sneaky}");
        }
        let wrong_token = url.replacen(&SERVER.get().unwrap().token, "not-the-token", 1);
        assert_eq!(http.get(wrong_token).send().await.unwrap().status(), 404);
    }
}
