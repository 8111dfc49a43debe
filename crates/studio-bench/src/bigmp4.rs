//! A large, valid MP4 made at bench time without an encoder: a bundled fixture (ftyp, moov, mdat)
//! followed by one big `free` box of pseudo-random bytes. Top-level boxes still tile the file and
//! the moov is there, so the client's streaming check, the engine's probe and ffmpeg all accept it.

use bytes::Bytes;

/// An MP4 of exactly `total` bytes (at least the fixture plus an 8-byte box header).
pub fn make(total: usize) -> Bytes {
    let base = venice_sim::fixture_for_aspect_ratio(Some("16:9")).bytes;
    let free_len = total.saturating_sub(base.len()).clamp(8, u32::MAX as usize);
    let mut file = Vec::with_capacity(base.len() + free_len);
    file.extend_from_slice(base);
    file.extend_from_slice(&(free_len as u32).to_be_bytes());
    file.extend_from_slice(b"free");
    // xorshift64: incompressible filler, cheap to make.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while file.len() + 8 <= base.len() + free_len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        file.extend_from_slice(&x.to_le_bytes());
    }
    file.resize(base.len() + free_len, 0);
    Bytes::from(file)
}
