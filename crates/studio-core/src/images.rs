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
    let bytes = std::fs::metadata(path)
        .map_err(|e| bad(e.to_string()))?
        .len();
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

/// Reads `path` into a data URL.
pub fn image_data_url(path: &Path) -> Result<String, Error> {
    let bad = |why: &str| Error::BadImage {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    let size = std::fs::metadata(path)
        .map_err(|e| bad(&e.to_string()))?
        .len();
    if size > MAX_IMAGE_BYTES {
        return Err(bad(&format!(
            "it is {:.1} MB; Venice takes images up to {} MB",
            size as f64 / 1_048_576.0,
            MAX_IMAGE_BYTES / 1_048_576
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(&e.to_string()))?;
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
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("ffmpeg not installed: skipped");
            return;
        }
        let info = inspect(&path).unwrap();
        assert_eq!(
            (info.mime, info.width, info.height),
            (Some("image/jpeg"), Some(320), Some(180))
        );
        assert!(info.bytes > 0);
        assert!(inspect(&dir.path().join("missing.png")).is_err());
    }
}
