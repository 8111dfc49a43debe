//! The one MP4 reader on real files: every video the test double serves (made by ffmpeg) reads
//! back with its frame size and duration, in any chunking; a cut or a file without video does not.

use venice::mp4::{BoxWalker, Mp4Error, probe_file};

#[test]
fn every_fixture_reads_back_its_frame_size_and_duration() {
    let dir = tempfile::tempdir().expect("tempdir");
    for fixture in venice_sim::fixture_videos() {
        let path = dir.path().join(format!("{}.mp4", fixture.name));
        std::fs::write(&path, fixture.bytes).expect("write");
        let info = probe_file(&path).unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
        assert_eq!(
            (info.width, info.height),
            (fixture.width, fixture.height),
            "{}",
            fixture.name
        );
        assert!(
            (info.seconds - f64::from(fixture.duration_secs)).abs() < 0.1,
            "{}: {} s",
            fixture.name,
            info.seconds
        );
        // Streamed in odd chunks, as a download arrives.
        let mut walker = BoxWalker::new();
        for chunk in fixture.bytes.chunks(997) {
            walker.feed(chunk);
        }
        assert_eq!(walker.info(), Ok(info));
    }
}

#[test]
fn a_cut_file_or_one_without_video_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = &venice_sim::fixture_videos()[0];
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &fixture.bytes[..fixture.bytes.len() / 2]).expect("write");
    assert!(matches!(probe_file(&cut), Err(Mp4Error::CutShort { .. })));
    let html = dir.path().join("portal.mp4");
    std::fs::write(&html, b"<!DOCTYPE html><html>Sign in to the Wi-Fi</html>").expect("write");
    assert_eq!(probe_file(&html), Err(Mp4Error::NoFtyp));
    // A whole MP4 whose index has no video track (the unit test sample's moov is filler).
    let mut no_video = Vec::new();
    for (kind, body) in [
        (b"ftyp", &b"isom\0\0\x02\0isom"[..]),
        (b"moov", &[0u8; 16][..]),
    ] {
        no_video.extend_from_slice(&((body.len() + 8) as u32).to_be_bytes());
        no_video.extend_from_slice(kind);
        no_video.extend_from_slice(body);
    }
    let path = dir.path().join("audio-only.mp4");
    std::fs::write(&path, &no_video).expect("write");
    assert!(matches!(probe_file(&path), Err(Mp4Error::NoVideo(_))));
    assert!(probe_file(&dir.path().join("missing.mp4")).is_err());
}
