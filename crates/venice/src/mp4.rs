//! The studio's one MP4 reader: `ftyp` first, top-level boxes tile the file exactly, `moov`
//! present, and from `moov` the video track's frame size and duration ([`Mp4Info`]).
//!
//! It is fed bytes as they stream in, so a download can be checked without holding it in memory
//! (only the `moov` box, the index, is kept, up to [`MOOV_LIMIT`]); [`probe_file`] runs it over a
//! file on disk.

use std::fmt;

/// Why the bytes are not a whole MP4.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mp4Error {
    /// The first box is not `ftyp` (or the file is shorter than one box header).
    NoFtyp,
    /// A box header says a size smaller than its own header.
    BadBoxSize { offset: u64, size: u64 },
    /// The file ends inside a box: it was cut short.
    CutShort {
        box_type: String,
        offset: u64,
        box_end: u64,
        file_len: u64,
    },
    /// No `moov` box: the MP4 cannot be played.
    NoMoov,
    /// `moov` has no video track with a frame size and a duration.
    NoVideo(String),
    /// The file could not be read.
    Read(String),
}

impl fmt::Display for Mp4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mp4Error::NoFtyp => write!(f, "no `ftyp` box at byte 4"),
            Mp4Error::BadBoxSize { offset, size } => {
                write!(f, "box at byte {offset} claims an impossible size {size}")
            }
            Mp4Error::CutShort {
                box_type,
                offset,
                box_end,
                file_len,
            } => write!(
                f,
                "cut short: box `{box_type}` at byte {offset} runs to byte {box_end} but the file ends at {file_len}"
            ),
            Mp4Error::NoMoov => write!(f, "no `moov` box"),
            Mp4Error::NoVideo(why) => write!(f, "no playable video track: {why}"),
            Mp4Error::Read(why) => write!(f, "could not be read: {why}"),
        }
    }
}

impl std::error::Error for Mp4Error {}

/// Incremental top-level box walker. Call [`BoxWalker::feed`] with each chunk, then
/// [`BoxWalker::finish`].
#[derive(Debug, Default)]
pub struct BoxWalker {
    /// Bytes seen so far.
    pos: u64,
    /// Offset of the next box header.
    next_box: u64,
    /// Header bytes of the box at `next_box` collected so far (up to 16).
    header: Vec<u8>,
    current_type: String,
    current_start: u64,
    boxes: u32,
    has_moov: bool,
    /// A box of size 0 runs to the end of the file.
    to_eof: bool,
    error: Option<Mp4Error>,
    /// The `moov` box's body while it streams past (kept up to [`MOOV_LIMIT`]).
    moov: Vec<u8>,
    /// Bytes of `moov`'s body still to come.
    moov_left: u64,
}

/// The most of a `moov` box kept for [`BoxWalker::info`]: an index of a few MB for hours of video.
pub const MOOV_LIMIT: u64 = 64 * 1024 * 1024;

/// What a whole MP4 says about its video track.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mp4Info {
    pub width: u32,
    pub height: u32,
    pub seconds: f64,
}

fn type_str(b: &[u8]) -> String {
    b.iter()
        .map(|&c| if c.is_ascii_graphic() { c as char } else { '?' })
        .collect()
}

impl BoxWalker {
    pub fn new() -> Self {
        BoxWalker::default()
    }

    /// The first error found so far (`NoFtyp` shows up after 8 bytes, so a download of an
    /// HTML page can stop early).
    pub fn error(&self) -> Option<&Mp4Error> {
        self.error.as_ref()
    }

    /// Feeds the next chunk of the file.
    pub fn feed(&mut self, mut chunk: &[u8]) {
        while !chunk.is_empty() && self.error.is_none() && !self.to_eof {
            if self.pos < self.next_box {
                // Inside a box body: skip it, keeping `moov`'s.
                let skip = (self.next_box - self.pos).min(chunk.len() as u64) as usize;
                if self.moov_left > 0 {
                    let keep = (skip as u64).min(self.moov_left) as usize;
                    self.moov.extend_from_slice(&chunk[..keep]);
                    self.moov_left -= keep as u64;
                }
                self.pos += skip as u64;
                chunk = &chunk[skip..];
                continue;
            }
            // Collecting a header.
            let need = if self.header.len() >= 8 && self.header[..4] == [0, 0, 0, 1] {
                16
            } else {
                8
            };
            let take = (need - self.header.len()).min(chunk.len());
            self.header.extend_from_slice(&chunk[..take]);
            self.pos += take as u64;
            chunk = &chunk[take..];
            if self.header.len() == 8 && self.header[..4] == [0, 0, 0, 1] {
                continue; // 64-bit size follows
            }
            if self.header.len() < 8 {
                continue;
            }
            self.parse_header();
        }
        if self.to_eof {
            self.pos += chunk.len() as u64;
        }
    }

    fn parse_header(&mut self) {
        let h = std::mem::take(&mut self.header);
        let start = self.next_box;
        let kind = &h[4..8];
        if self.boxes == 0 && kind != b"ftyp" {
            self.error = Some(Mp4Error::NoFtyp);
            return;
        }
        self.boxes += 1;
        self.current_type = type_str(kind);
        self.current_start = start;
        if kind == b"moov" {
            self.has_moov = true;
        }
        let small = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as u64;
        let (size, header_len) = match small {
            0 => {
                self.to_eof = true;
                return;
            }
            1 if h.len() == 16 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&h[8..16]);
                (u64::from_be_bytes(b), 16)
            }
            s => (s, 8),
        };
        if size < header_len {
            self.error = Some(Mp4Error::BadBoxSize {
                offset: start,
                size,
            });
            return;
        }
        self.next_box = start.saturating_add(size);
        if kind == b"moov" && size - header_len <= MOOV_LIMIT {
            self.moov.clear();
            self.moov_left = size - header_len;
        }
    }

    /// Checks the whole file has been seen and is a complete MP4.
    pub fn finish(&self) -> Result<(), Mp4Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.boxes == 0 {
            return Err(Mp4Error::NoFtyp);
        }
        if !self.to_eof {
            if !self.header.is_empty() {
                return Err(Mp4Error::CutShort {
                    box_type: "(header)".into(),
                    offset: self.next_box,
                    box_end: self.next_box + 8,
                    file_len: self.pos,
                });
            }
            if self.next_box != self.pos {
                return Err(Mp4Error::CutShort {
                    box_type: self.current_type.clone(),
                    offset: self.current_start,
                    box_end: self.next_box,
                    file_len: self.pos,
                });
            }
        }
        if !self.has_moov {
            return Err(Mp4Error::NoMoov);
        }
        Ok(())
    }

    /// The video track's frame size and duration, once the whole file passed [`Self::finish`].
    pub fn info(&self) -> Result<Mp4Info, Mp4Error> {
        self.finish()?;
        if self.moov_left > 0 || self.moov.is_empty() {
            return Err(Mp4Error::NoVideo(
                "its index (`moov`) is missing or too large".into(),
            ));
        }
        video_track(&self.moov)
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.pos
    }

    /// True before any byte was fed.
    pub fn is_empty(&self) -> bool {
        self.pos == 0
    }
}

/// The child boxes of a box body: (type, body).
fn children(mut body: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        if body.len() < 8 {
            return None;
        }
        let small = u32::from_be_bytes([body[0], body[1], body[2], body[3]]) as u64;
        let (size, header) = match small {
            1 if body.len() >= 16 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&body[8..16]);
                (u64::from_be_bytes(b), 16)
            }
            0 => (body.len() as u64, 8),
            s => (s, 8),
        };
        if size < header || size > body.len() as u64 {
            return None;
        }
        let (this, rest) = body.split_at(size as usize);
        body = rest;
        Some((&this[4..8], &this[header as usize..]))
    })
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The first `trak` whose handler is `vide`, with a frame size (`tkhd`) and a duration (`mdhd`).
fn video_track(moov: &[u8]) -> Result<Mp4Info, Mp4Error> {
    let mut seen_video = false;
    for (kind, trak) in children(moov) {
        if kind != b"trak" {
            continue;
        }
        let mut size = None;
        let mut handler = None;
        let mut duration = None;
        for (kind, body) in children(trak) {
            match kind {
                // version/flags, then fixed fields; width and height (16.16) are its last 8 bytes.
                b"tkhd" if body.len() >= 8 => {
                    let end = body.len();
                    size = Some((be_u32(body, end - 8), be_u32(body, end - 4)));
                }
                b"mdia" => {
                    for (kind, body) in children(body) {
                        match kind {
                            b"hdlr" => handler = body.get(8..12).map(<[u8]>::to_vec),
                            b"mdhd" => {
                                duration = match body.first() {
                                    Some(1) => be_u32(body, 20).zip(be_u64(body, 24)),
                                    Some(0) => {
                                        be_u32(body, 12).zip(be_u32(body, 16).map(u64::from))
                                    }
                                    _ => None,
                                };
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if handler.as_deref() != Some(b"vide") {
            continue;
        }
        seen_video = true;
        let (Some((Some(w), Some(h))), Some((scale, units))) = (size, duration) else {
            continue;
        };
        let (width, height) = (w >> 16, h >> 16);
        let seconds = if scale > 0 {
            units as f64 / f64::from(scale)
        } else {
            0.0
        };
        if width > 0 && height > 0 && seconds > 0.0 {
            return Ok(Mp4Info {
                width,
                height,
                seconds,
            });
        }
        return Err(Mp4Error::NoVideo(format!(
            "it reports {width}x{height} pixels and {seconds:.2} s"
        )));
    }
    Err(Mp4Error::NoVideo(if seen_video {
        "its video track has no frame size or duration".into()
    } else {
        "it has no video track".into()
    }))
}

/// Streams a file on disk through a [`BoxWalker`]: whole, and its video track's size and length.
pub fn probe_file(path: &std::path::Path) -> Result<Mp4Info, Mp4Error> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| Mp4Error::Read(e.to_string()))?;
    let mut walker = BoxWalker::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Mp4Error::Read(e.to_string()))?;
        if n == 0 {
            break;
        }
        walker.feed(&buf[..n]);
        if let Some(e) = walker.error() {
            return Err(e.clone());
        }
    }
    walker.info()
}

/// True when the bytes carry `ftyp` at byte 4 (the quick "is this an MP4" test).
pub fn has_ftyp(head: &[u8]) -> bool {
    head.len() >= 8 && &head[4..8] == b"ftyp"
}

/// Checks a whole in-memory MP4 (tests, small files).
pub fn check(bytes: &[u8]) -> Result<(), Mp4Error> {
    let mut w = BoxWalker::new();
    w.feed(bytes);
    w.finish()
}

#[cfg(test)]
pub(crate) fn sample() -> Vec<u8> {
    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }
    let mut f = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41");
    f.extend(boxed(b"moov", &[7u8; 40]));
    f.extend(boxed(b"mdat", &[1u8; 300]));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_file_passes_in_any_chunking() {
        let f = sample();
        assert!(has_ftyp(&f));
        assert_eq!(check(&f), Ok(()));
        for size in [1, 3, 7, 8, 9, 16, 100] {
            let mut w = BoxWalker::new();
            for c in f.chunks(size) {
                w.feed(c);
            }
            assert_eq!(w.finish(), Ok(()), "chunk size {size}");
            assert_eq!(w.len(), f.len() as u64);
        }
    }

    #[test]
    fn cut_in_half_fails() {
        let f = sample();
        for cut in [f.len() / 2, f.len() - 1, 30, 9] {
            assert!(
                matches!(check(&f[..cut]), Err(Mp4Error::CutShort { .. })),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn not_mp4_fails_early() {
        let html = b"<!DOCTYPE html><html>502 Bad Gateway</html>";
        assert!(!has_ftyp(html));
        let mut w = BoxWalker::new();
        w.feed(&html[..10]);
        assert_eq!(w.error(), Some(&Mp4Error::NoFtyp));
        assert_eq!(check(b""), Err(Mp4Error::NoFtyp));
        assert_eq!(check(b"abc"), Err(Mp4Error::NoFtyp));
    }

    #[test]
    fn missing_moov_and_bad_sizes() {
        let f = sample();
        let mut no_moov = f[..28].to_vec();
        no_moov.extend_from_slice(&f[76..]);
        assert_eq!(check(&no_moov), Err(Mp4Error::NoMoov));
        let mut bad = f[..28].to_vec();
        bad.extend_from_slice(&[0, 0, 0, 3, b'm', b'o', b'o', b'v']);
        assert!(matches!(check(&bad), Err(Mp4Error::BadBoxSize { .. })));
        let mut huge = f.clone();
        huge[28..32].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(check(&huge), Err(Mp4Error::CutShort { .. })));
    }

    #[test]
    fn large_size_and_to_eof_boxes() {
        let f = sample();
        // mdat with a 64-bit size.
        let mut v = f[..76].to_vec();
        v.extend_from_slice(&1u32.to_be_bytes());
        v.extend_from_slice(b"mdat");
        v.extend_from_slice(&(16u64 + 4).to_be_bytes());
        v.extend_from_slice(&[9, 9, 9, 9]);
        assert_eq!(check(&v), Ok(()));
        v.pop();
        assert!(check(&v).is_err());
        // size 0 = to end of file
        let mut z = f[..76].to_vec();
        z.extend_from_slice(&[0, 0, 0, 0, b'm', b'd', b'a', b't', 1, 2, 3]);
        assert_eq!(check(&z), Ok(()));
    }
}
