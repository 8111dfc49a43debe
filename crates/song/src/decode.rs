//! Signal: a song file (MP3, WAV, FLAC, Ogg Vorbis, M4A/AAC) decoded with symphonia, packet by
//! packet, down-mixed to mono and resampled with rubato to the analysis rate, handed on in chunks.
//! Nothing holds the whole song: a 60-minute file costs the decoder's buffers, not 60 minutes.

use std::fs::File;
use std::path::Path;

use rubato::{FftFixedIn, Resampler};
use serde::{Deserialize, Serialize};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_AAC, CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::{MetadataOptions, MetadataRevision, StandardTagKey};
use symphonia::core::probe::Hint;

use crate::Error;

/// The rate the analysis runs at: enough for onsets and beats (up to 11 kHz of content).
pub const ANALYSIS_RATE: u32 = 22_050;
/// The longest song analysed: two hours.
pub const MAX_SECONDS: f64 = 2.0 * 3600.0;
/// Damaged packets in a row before the file counts as undecodable.
const MAX_BAD_PACKETS: u32 = 20;
/// Frames per resampler call.
const RESAMPLE_CHUNK: usize = 2048;

/// How to decode.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeOptions {
    /// The output sample rate (mono).
    pub rate: u32,
    /// Longer songs are refused ([`Error::TooLong`]).
    pub max_seconds: f64,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            rate: ANALYSIS_RATE,
            max_seconds: MAX_SECONDS,
        }
    }
}

/// The song's tags, where the file has them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tags {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
}

/// What decoding found out about the song.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SongInfo {
    /// The decoded length, from the samples themselves.
    pub duration_s: f64,
    pub source_rate: u32,
    pub channels: usize,
    /// The rate of the samples handed on.
    pub rate: u32,
    /// How many mono samples were handed on.
    pub samples: u64,
    pub tags: Tags,
}

/// Decodes `path`, handing mono samples at `options.rate` to `sink` in chunks, in order.
pub fn decode(
    path: &Path,
    options: &DecodeOptions,
    mut sink: impl FnMut(&[f32]),
) -> Result<SongInfo, Error> {
    let file = File::open(path).map_err(|source| Error::Open {
        path: path.to_path_buf(),
        source,
    })?;
    if file.metadata().is_ok_and(|m| m.len() == 0) {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    }
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(extension);
    }
    let mut probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions {
                enable_gapless: true,
                ..FormatOptions::default()
            },
            &MetadataOptions::default(),
        )
        .map_err(|e| Error::NotAudio {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
    let mut tags = Tags::default();
    if let Some(revision) = probed.metadata.get().as_ref().and_then(|m| m.current()) {
        read_tags(revision, &mut tags);
    }
    let mut format = probed.format;
    if let Some(revision) = format.metadata().current() {
        read_tags(revision, &mut tags);
    }
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL && t.codec_params.sample_rate.is_some())
        .ok_or_else(|| Error::NoAudioTrack {
            path: path.to_path_buf(),
        })?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let source_rate = params.sample_rate.unwrap_or(options.rate);
    // AAC's encoder priming, where symphonia does not trim it (M4A edit lists).
    let mut priming = if params.codec == CODEC_TYPE_AAC && params.delay.is_none() {
        crate::priming::mp4_priming_frames(path, source_rate).unwrap_or(0)
    } else {
        0
    };
    let declared_s = params
        .n_frames
        .map(|n| n.saturating_sub(priming) as f64 / f64::from(source_rate.max(1)));
    if let Some(seconds) = declared_s
        && seconds > options.max_seconds
    {
        return Err(Error::TooLong {
            path: path.to_path_buf(),
            seconds,
            cap_s: options.max_seconds,
        });
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| Error::NotAudio {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;

    let mut to_rate = ToRate::new(source_rate, options.rate).map_err(|why| Error::Decode {
        path: path.to_path_buf(),
        why,
    })?;
    let mut channels = params.channels.map_or(0, |c| c.count());
    let mut frames: u64 = 0;
    let mut bad_in_a_row = 0;
    let mut buffer: Option<SampleBuffer<f32>> = None;
    let mut mono = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            // The normal end of a stream (and where a cut file ends: checked below).
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break;
            }
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => {
                return Err(Error::Decode {
                    path: path.to_path_buf(),
                    why: e.to_string(),
                });
            }
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => {
                bad_in_a_row = 0;
                decoded
            }
            Err(SymphoniaError::DecodeError(why)) => {
                bad_in_a_row += 1;
                if bad_in_a_row >= MAX_BAD_PACKETS {
                    return Err(Error::Decode {
                        path: path.to_path_buf(),
                        why: why.to_string(),
                    });
                }
                continue;
            }
            Err(SymphoniaError::IoError(_)) => break,
            Err(e) => {
                return Err(Error::Decode {
                    path: path.to_path_buf(),
                    why: e.to_string(),
                });
            }
        };
        let spec = *decoded.spec();
        let count = spec.channels.count().max(1);
        channels = count;
        let buffer = match &mut buffer {
            Some(b) if b.capacity() >= decoded.capacity() * count => b,
            slot => slot.insert(SampleBuffer::new(decoded.capacity() as u64, spec)),
        };
        buffer.copy_interleaved_ref(decoded);
        let samples = buffer.samples();
        mono.clear();
        mono.extend(
            samples
                .chunks_exact(count)
                .map(|frame| frame.iter().sum::<f32>() / count as f32),
        );
        if priming > 0 {
            let drop = usize::try_from(priming)
                .unwrap_or(usize::MAX)
                .min(mono.len());
            mono.drain(..drop);
            priming -= drop as u64;
        }
        frames += mono.len() as u64;
        if frames as f64 / f64::from(source_rate.max(1)) > options.max_seconds {
            return Err(Error::TooLong {
                path: path.to_path_buf(),
                seconds: declared_s.unwrap_or(frames as f64 / f64::from(source_rate.max(1))),
                cap_s: options.max_seconds,
            });
        }
        to_rate
            .push(&mono, &mut sink)
            .map_err(|why| Error::Decode {
                path: path.to_path_buf(),
                why,
            })?;
    }
    if frames == 0 {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    }
    let got_s = frames as f64 / f64::from(source_rate.max(1));
    if let Some(expected_s) = declared_s
        && got_s + 0.5 < expected_s
    {
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            expected_s,
            got_s,
        });
    }
    let samples = to_rate.finish(&mut sink).map_err(|why| Error::Decode {
        path: path.to_path_buf(),
        why,
    })?;
    Ok(SongInfo {
        duration_s: got_s,
        source_rate,
        channels,
        rate: options.rate,
        samples,
        tags,
    })
}

fn read_tags(revision: &MetadataRevision, tags: &mut Tags) {
    for tag in revision.tags() {
        let slot = match tag.std_key {
            Some(StandardTagKey::TrackTitle) => &mut tags.title,
            Some(StandardTagKey::Artist) => &mut tags.artist,
            Some(StandardTagKey::Album) => &mut tags.album,
            _ => continue,
        };
        let value = tag.value.to_string();
        if slot.is_none() && !value.trim().is_empty() {
            *slot = Some(value.trim().to_string());
        }
    }
}

/// Mono samples at one rate in, at another out, in order, with the resampler's delay removed and
/// exactly `in × out_rate / in_rate` samples in all.
struct ToRate {
    resampler: Option<FftFixedIn<f32>>,
    ratio: f64,
    pending: Vec<f32>,
    frames_in: u64,
    frames_out: u64,
    /// Output samples still to drop (the resampler's delay).
    skip: usize,
}

impl ToRate {
    fn new(from: u32, to: u32) -> Result<Self, String> {
        let resampler = if from == to {
            None
        } else {
            Some(
                FftFixedIn::<f32>::new(from as usize, to as usize, RESAMPLE_CHUNK, 2, 1)
                    .map_err(|e| e.to_string())?,
            )
        };
        let skip = resampler.as_ref().map_or(0, |r| r.output_delay());
        Ok(Self {
            resampler,
            ratio: f64::from(to) / f64::from(from.max(1)),
            pending: Vec::new(),
            frames_in: 0,
            frames_out: 0,
            skip,
        })
    }

    fn push(&mut self, samples: &[f32], sink: &mut impl FnMut(&[f32])) -> Result<(), String> {
        self.frames_in += samples.len() as u64;
        let Some(resampler) = self.resampler.as_mut() else {
            self.frames_out += samples.len() as u64;
            sink(samples);
            return Ok(());
        };
        self.pending.extend_from_slice(samples);
        let mut used = 0;
        loop {
            let need = resampler.input_frames_next();
            if self.pending.len() - used < need {
                break;
            }
            let out = resampler
                .process(&[&self.pending[used..used + need]], None)
                .map_err(|e| e.to_string())?;
            used += need;
            Self::emit(
                &mut self.skip,
                &mut self.frames_out,
                u64::MAX,
                &out[0],
                sink,
            );
        }
        self.pending.drain(..used);
        Ok(())
    }

    /// Flushes what is left; returns how many samples were handed on in all.
    fn finish(mut self, sink: &mut impl FnMut(&[f32])) -> Result<u64, String> {
        let Some(resampler) = self.resampler.as_mut() else {
            return Ok(self.frames_out);
        };
        let total = (self.frames_in as f64 * self.ratio).round() as u64;
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() {
            let out = resampler
                .process_partial(Some(&[&pending[..]]), None)
                .map_err(|e| e.to_string())?;
            Self::emit(&mut self.skip, &mut self.frames_out, total, &out[0], sink);
        }
        // The delay line still holds the tail: push silence through until it is out.
        let mut rounds = 0;
        while self.frames_out < total && rounds < 8 {
            let out = resampler
                .process_partial::<&[f32]>(None, None)
                .map_err(|e| e.to_string())?;
            Self::emit(&mut self.skip, &mut self.frames_out, total, &out[0], sink);
            rounds += 1;
        }
        Ok(self.frames_out)
    }

    fn emit(
        skip: &mut usize,
        frames_out: &mut u64,
        total: u64,
        out: &[f32],
        sink: &mut impl FnMut(&[f32]),
    ) {
        let dropped = (*skip).min(out.len());
        *skip -= dropped;
        let out = &out[dropped..];
        let room = total.saturating_sub(*frames_out).min(out.len() as u64) as usize;
        if room > 0 {
            sink(&out[..room]);
            *frames_out += room as u64;
        }
    }
}
