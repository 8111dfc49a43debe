//! Start frames for image-to-video models: a local image file becomes a `data:image/...;base64,`
//! URL, after checking it is an image Venice takes and small enough for its 35 MB request cap.

use std::path::Path;

use base64::Engine as _;

use crate::Error;

/// Base64 grows data by a third; this keeps the whole JSON body under Venice's 35 MB cap.
pub const MAX_IMAGE_BYTES: u64 = 25 * 1024 * 1024;

/// The image's MIME type, from its first bytes (not its name).
pub fn sniff_image_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        _ => None,
    }
}

/// What a start-frame file is.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageInfo {
    pub mime: Option<&'static str>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: u64,
}

/// Reads an image's type, size in pixels and size on disk without decoding it.
pub fn inspect(path: &Path) -> Result<ImageInfo, Error> {
    let bad = |why: String| Error::BadImage {
        path: path.to_path_buf(),
        why,
    };
    let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    if !meta.is_file() {
        return Err(bad("it is not a file".to_string()));
    }
    let bytes = meta.len();
    let mut head = [0u8; 16];
    let read = std::io::Read::read(
        &mut std::fs::File::open(path).map_err(|e| bad(e.to_string()))?,
        &mut head,
    )
    .map_err(|e| bad(e.to_string()))?;
    let mime = sniff_image_type(&head[..read]);
    let size = imagesize::size(path).ok();
    Ok(ImageInfo {
        mime,
        width: size.as_ref().map(|s| s.width as u32),
        height: size.as_ref().map(|s| s.height as u32),
        bytes,
    })
}

/// Checks a start frame without reading it whole: a regular file (not a folder or a device such
/// as `/dev/zero`), within Venice's size cap, starting like a PNG, JPEG or WebP. Returns its MIME
/// type. Quotes use this; only [`image_data_url`] reads and encodes the image, when it is sent.
pub fn check_start_frame(path: &Path) -> Result<&'static str, Error> {
    let bad = |why: &str| Error::BadImage {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(|e| bad(&e.to_string()))?;
    if !meta.is_file() {
        return Err(bad("it is not a file"));
    }
    if meta.len() > MAX_IMAGE_BYTES {
        return Err(too_big(path, meta.len()));
    }
    let mut head = [0u8; 16];
    let read = std::io::Read::read(
        &mut std::fs::File::open(path).map_err(|e| bad(&e.to_string()))?,
        &mut head,
    )
    .map_err(|e| bad(&e.to_string()))?;
    sniff_image_type(&head[..read]).ok_or_else(|| bad("it is not a PNG, JPEG or WebP image"))
}

fn too_big(path: &Path, size: u64) -> Error {
    Error::BadImage {
        path: path.to_path_buf(),
        why: format!(
            "it is {:.1} MB; Venice takes images up to {} MB",
            size as f64 / 1_048_576.0,
            MAX_IMAGE_BYTES / 1_048_576
        ),
    }
}

/// Reads `path` into a data URL: at most the size cap plus one byte is ever read, so a file that
/// grows, or lies about its size, cannot exhaust memory. Blocking: call it off the async runtime.
pub fn image_data_url(path: &Path) -> Result<String, Error> {
    let bad = |why: &str| Error::BadImage {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    check_start_frame(path)?;
    let file = std::fs::File::open(path).map_err(|e| bad(&e.to_string()))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_IMAGE_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| bad(&e.to_string()))?;
    if bytes.len() as u64 > MAX_IMAGE_BYTES {
        return Err(too_big(path, bytes.len() as u64));
    }
    let mime =
        sniff_image_type(&bytes).ok_or_else(|| bad("it is not a PNG, JPEG or WebP image"))?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(format!("data:{mime};base64,{encoded}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_becomes_a_data_url() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frame.png");
        std::fs::write(&path, [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]).unwrap();
        assert_eq!(
            image_data_url(&path).unwrap(),
            "data:image/png;base64,iVBORw0KGgo="
        );
    }

    #[test]
    fn non_images_and_missing_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.png");
        std::fs::write(&text, "not an image").unwrap();
        let err = image_data_url(&text).unwrap_err().to_string();
        assert!(err.contains("not a PNG, JPEG or WebP"), "{err}");
        assert!(image_data_url(&dir.path().join("none.png")).is_err());
    }

    #[test]
    fn a_device_or_a_folder_is_refused_without_being_read() {
        // `/dev/zero` has no size on disk and never ends: reading it whole would eat all memory.
        let err = image_data_url(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = image_data_url(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a file"), "{err}");
    }

    #[test]
    fn webp_and_jpeg_are_recognised() {
        assert_eq!(
            sniff_image_type(b"RIFF\0\0\0\0WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(
            sniff_image_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(sniff_image_type(b"GIF89a"), None);
    }
}

#[cfg(test)]
mod inspect_tests {
    use super::*;

    #[test]
    fn inspect_reads_type_and_pixels_without_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frame.jpg");
        let made = std::process::Command::new("ffmpeg")
            .args([
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "color=c=red:s=320x180",
                "-frames:v",
                "1",
            ])
            .arg(&path)
            .status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "ffmpeg is needed for this test (`cargo xtask setup` installs it)"
        );
        let info = inspect(&path).unwrap();
        assert_eq!(
            (info.mime, info.width, info.height),
            (Some("image/jpeg"), Some(320), Some(180))
        );
        assert!(info.bytes > 0);
        assert!(inspect(&dir.path().join("missing.png")).is_err());
    }
}
