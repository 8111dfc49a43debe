//! The standalone `venice-sim` binary starts and answers; the fixtures are real videos (ffprobe).

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Kills the child process when the test ends, pass or fail.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn standalone_binary_serves_models() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_venice-sim"))
            .args(["--port", "0", "--job-seconds", "0.2", "--api-key", "sk-bin"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(Duration::from_secs(20), line)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let base = line.trim().to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v1"),
        "{base}"
    );

    let http = reqwest::Client::new();
    let models: Value = http
        .get(format!("{base}/models?type=video"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(models["data"].as_array().unwrap().len(), 116);
    let denied = http
        .get(format!("{base}/billing/balance"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 401);
    let ok = http
        .get(format!("{base}/billing/balance"))
        .bearer_auth("sk-bin")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[test]
fn fixtures_are_real_videos_of_the_claimed_size() {
    let have_ffprobe = Command::new("ffprobe")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        have_ffprobe,
        "ffprobe is needed to check the fixtures are real videos (`cargo xtask setup` installs ffmpeg)"
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/video");
    let fixtures = venice_sim::fixture_videos();
    assert!(fixtures.len() >= 6);
    let mut total = 0;
    for f in fixtures {
        let path = dir.join(format!("{}.mp4", f.name));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            f.bytes,
            "{} differs from the bundled bytes",
            f.name
        );
        total += f.bytes.len();
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
            .arg("stream=codec_name,pix_fmt,width,height:format=duration")
            .args(["-of", "json"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "ffprobe failed on {}", f.name);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let s = &v["streams"][0];
        assert_eq!(s["codec_name"], "h264", "{}", f.name);
        assert_eq!(s["pix_fmt"], "yuv420p", "{}", f.name);
        assert_eq!(s["width"].as_u64(), Some(u64::from(f.width)), "{}", f.name);
        assert_eq!(
            s["height"].as_u64(),
            Some(u64::from(f.height)),
            "{}",
            f.name
        );
        let secs: f64 = v["format"]["duration"].as_str().unwrap().parse().unwrap();
        assert!(
            (secs - f64::from(f.duration_secs)).abs() < 0.1,
            "{} lasts {secs}",
            f.name
        );
    }
    assert!(total < 300 * 1024, "fixtures total {total} bytes");
}
