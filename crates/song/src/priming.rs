//! AAC in MP4/M4A starts with encoder priming (1024 or 2112 silent frames) that the file's edit
//! list (`moov/trak/edts/elst`) says to skip; symphonia 0.5 does not apply it, so every time in
//! an M4A would come ~23-48 ms late. This reads the audio track's first edit's media time.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The largest `moov` read (the index; a few MB even for long files).
const MOOV_LIMIT: u64 = 64 * 1024 * 1024;

/// Frames at `rate` the audio track's edit list skips at the start, if the file says.
pub(crate) fn mp4_priming_frames(path: &Path, rate: u32) -> Option<u64> {
    let moov = read_moov(path)?;
    for (kind, trak) in children(&moov) {
        if kind != b"trak" {
            continue;
        }
        let mut is_audio = false;
        let mut timescale = None;
        let mut media_time = None;
        for (kind, body) in children(trak) {
            match kind {
                b"mdia" => {
                    for (kind, body) in children(body) {
                        match kind {
                            b"hdlr" => is_audio = body.get(8..12) == Some(b"soun"),
                            b"mdhd" => {
                                timescale = match body.first() {
                                    Some(1) => be_u32(body, 20),
                                    Some(0) => be_u32(body, 12),
                                    _ => None,
                                };
                            }
                            _ => {}
                        }
                    }
                }
                b"edts" => {
                    for (kind, body) in children(body) {
                        if kind == b"elst" {
                            media_time = first_edit_media_time(body);
                        }
                    }
                }
                _ => {}
            }
        }
        if is_audio {
            let (time, scale) = (media_time?, timescale.filter(|s| *s > 0)?);
            return Some(time * u64::from(rate) / u64::from(scale));
        }
    }
    None
}

/// The media time of the first edit that is not an empty (-1) one.
fn first_edit_media_time(elst: &[u8]) -> Option<u64> {
    let version = *elst.first()?;
    let count = be_u32(elst, 4)?;
    let (size, mut at) = if version == 1 { (20, 8) } else { (12, 8) };
    for _ in 0..count.min(16) {
        let time = if version == 1 {
            i64::from_be_bytes(elst.get(at + 8..at + 16)?.try_into().ok()?)
        } else {
            i64::from(i32::from_be_bytes(
                elst.get(at + 4..at + 8)?.try_into().ok()?,
            ))
        };
        if time >= 0 {
            return u64::try_from(time).ok();
        }
        at += size;
    }
    None
}

/// The top-level `moov` box's body, skipping other boxes by seeking.
fn read_moov(path: &Path) -> Option<Vec<u8>> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut at = 0u64;
    while at + 8 <= len {
        file.seek(SeekFrom::Start(at)).ok()?;
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8]).ok()?;
        let small = u64::from(u32::from_be_bytes(header[..4].try_into().ok()?));
        let (size, header_len) = match small {
            1 => {
                file.read_exact(&mut header[8..16]).ok()?;
                (u64::from_be_bytes(header[8..16].try_into().ok()?), 16)
            }
            0 => (len - at, 8),
            s => (s, 8),
        };
        if size < header_len {
            return None;
        }
        if &header[4..8] == b"moov" {
            let body = size - header_len;
            if body > MOOV_LIMIT {
                return None;
            }
            let mut moov = vec![0u8; usize::try_from(body).ok()?];
            file.read_exact(&mut moov).ok()?;
            return Some(moov);
        }
        at = at.checked_add(size)?;
    }
    None
}

/// The child boxes of a box body: (type, body).
fn children(mut body: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        if body.len() < 8 {
            return None;
        }
        let small = u64::from(u32::from_be_bytes(body[..4].try_into().ok()?));
        let (size, header) = match small {
            1 if body.len() >= 16 => (u64::from_be_bytes(body[8..16].try_into().ok()?), 16),
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
