//! A song file checked before a byte of it is hashed or decoded: a regular file once links are
//! followed (never a device or a FIFO, which read for ever), no bigger than [`MAX_SONG_BYTES`],
//! and starting like one of the formats the decoder reads. Reads are bounded.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::Error;

/// The largest song file taken: 1 GiB, about 100 minutes of CD-quality WAV (compressed songs are
/// a small part of that).
pub const MAX_SONG_BYTES: u64 = 1 << 30;

/// How far into the file an MP3 or AAC frame is looked for (after a tag or some padding).
const SNIFF_BYTES: u64 = 64 * 1024;

/// The formats the decoder reads, as a user knows them.
const FORMATS: &str = "MP3, WAV, FLAC, Ogg or M4A/AAC";

/// Opens `file` for reading after the checks, at its start, with its size.
pub(super) fn open(file: &Path) -> Result<(File, u64), Error> {
    let refuse = |why: String| Error::BadSongFile {
        path: file.to_path_buf(),
        why,
    };
    let io = |source| Error::Io {
        action: "read",
        path: file.to_path_buf(),
        source,
    };
    // Follows links: a link to /dev/zero is the device.
    let meta = std::fs::metadata(file).map_err(io)?;
    if !meta.is_file() {
        return Err(refuse(format!("it is {}", kind(&meta))));
    }
    size_ok(meta.len()).map_err(refuse)?;
    let mut handle = open_nonblocking(file).map_err(io)?;
    // Checked again on what was opened, in case the name was swapped meanwhile.
    let meta = handle.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(refuse(format!("it is {}", kind(&meta))));
    }
    size_ok(meta.len()).map_err(refuse)?;
    let mut head = Vec::new();
    (&mut handle)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(io)?;
    if sniff(&head).is_none() {
        return Err(refuse(format!(
            "it is not an audio file (it starts like no {FORMATS} file)"
        )));
    }
    handle.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok((handle, meta.len()))
}

fn size_ok(len: u64) -> Result<(), String> {
    if len == 0 {
        return Err("it is empty (0 bytes)".into());
    }
    if len > MAX_SONG_BYTES {
        return Err(format!(
            "it is {:.1} GiB, and the studio takes song files up to {} GiB",
            len as f64 / (1u64 << 30) as f64,
            MAX_SONG_BYTES >> 30
        ));
    }
    Ok(())
}

/// What a file that is not a regular file is, for the message.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a folder, not a regular file";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO), not a regular file";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device, not a regular file";
        }
        if kind.is_socket() {
            return "a socket, not a regular file";
        }
    }
    "not a regular file"
}

/// Opens without waiting: were the name swapped for a FIFO after the check, opening it would
/// otherwise wait for a writer. For a regular file the flag changes nothing.
fn open_nonblocking(file: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(file)
}

/// The format `head` (the file's first bytes) starts like, if it is one the decoder reads.
pub(super) fn sniff(head: &[u8]) -> Option<&'static str> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"ID3") {
        // An ID3v2 tag: MP3 (or AAC/FLAC) follows.
        return Some("MP3");
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Some("WAV");
    }
    if at(0, b"fLaC") {
        return Some("FLAC");
    }
    if at(0, b"OggS") {
        return Some("Ogg");
    }
    if at(4, b"ftyp") {
        return Some("M4A");
    }
    // MP3 and raw AAC (ADTS) have no file header: the first frame, maybe after some padding.
    head.windows(4).find_map(frame_header)
}

/// The format of the MPEG audio or ADTS frame header `h` starts with, if it is a valid one.
fn frame_header(h: &[u8]) -> Option<&'static str> {
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 0b11;
    let layer = (h[1] >> 1) & 0b11;
    if h[1] & 0xF6 == 0xF0 {
        // ADTS: 12 sync bits, layer 0; a sampling frequency index below 13.
        return ((h[2] >> 2) & 0x0F < 13).then_some("AAC");
    }
    let bitrate = h[2] >> 4;
    let rate = (h[2] >> 2) & 0b11;
    (version != 0b01 && layer != 0b00 && bitrate != 0x0F && rate != 0b11).then_some("MP3")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoders_formats_are_known_by_their_first_bytes() {
        let mut wav = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
        wav.extend_from_slice(&[0; 16]);
        let cases: [(&[u8], &str); 8] = [
            (b"ID3\x04\x00\x00\x00\x00\x00\x00", "MP3"),
            (&wav, "WAV"),
            (b"fLaC\x00\x00\x00\x22", "FLAC"),
            (b"OggS\x00\x02\x00\x00", "Ogg"),
            (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "M4A"),
            // MPEG-1 layer III, 128 kb/s, 44.1 kHz.
            (b"\xFF\xFB\x90\x64\x00\x00", "MP3"),
            // ... after some padding.
            (b"\x00\x00\x00\x00\xFF\xFB\x90\x64\x00", "MP3"),
            // ADTS AAC, MPEG-4, 44.1 kHz.
            (b"\xFF\xF1\x50\x80\x02\x1F\xFC", "AAC"),
        ];
        for (head, format) in cases {
            assert_eq!(sniff(head), Some(format), "{head:?}");
        }
    }

    #[test]
    fn other_files_are_not_taken_for_songs() {
        let cases: [&[u8]; 6] = [
            b"shopping list: eggs, milk\n",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
            b"RIFF\x24\x00\x00\x00AVI LIST",
            b"%PDF-1.7\n",
            // A frame sync with a reserved version, and one with a bad bitrate.
            b"\xFF\xEB\x90\x64",
            b"\xFF\xFB\xF0\x64",
        ];
        for head in cases {
            assert_eq!(sniff(head), None, "{head:?}");
        }
    }
}
