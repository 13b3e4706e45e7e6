//! SRT and WebVTT transcripts: cues joined into continuous speech (a quote may cross any number of cues), with
//! each cue's time, speaker (`<v Name>` voices, `SPEAKER:` labels, carried on until the next one) and bytes.
//!
//! Markup is not speech: tags (`<i>`, `<c.red>`, `<00:01:02.000>`), SSA overrides (`{\an8}`), sound
//! descriptions in brackets (`[applause]`, `(laughs)`), dialogue dashes and `>>` turn marks are dropped;
//! entities are decoded. Roll-up captions that repeat the previous cue's last line are written once.

use super::map::{Break, LossyDecoding, TextBuilder};
use super::{clean, Cue, ExtractError, Extraction, Format, Metadata};

/// Reads an SRT or WebVTT file (`format` says which; both parse either timing syntax).
pub fn extract(format: Format, bytes: &[u8]) -> Result<Extraction, ExtractError> {
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(ExtractError::Binary);
    }
    let (offset, body) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (3, rest),
        None => (0, bytes),
    };
    let mut warnings = Vec::new();
    let owned;
    let mut lossy = None;
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(_) => {
            warnings
                .push("not valid UTF-8; undecodable bytes were replaced with U+FFFD".to_string());
            owned = String::from_utf8_lossy(body).into_owned();
            lossy = Some(LossyDecoding::of(body));
            &owned
        }
    };
    let mut parsed = parse(text, offset, format);
    if let Some(decoding) = lossy {
        // The parser counted in the decoded text; the map points into the file's bytes.
        parsed.map.undo_lossy(&decoding, offset);
    }
    parsed.warnings.extend(warnings);
    if parsed.cues == 0 {
        return Err(ExtractError::Corrupt(format!(
            "no cues found (expected `00:00:01{}000 --> 00:00:04{}000` timing lines)",
            if format == Format::Srt { "," } else { "." },
            if format == Format::Srt { "," } else { "." }
        )));
    }
    Ok(Extraction {
        format,
        text: parsed.text,
        map: parsed.map,
        metadata: parsed.metadata,
        warnings: parsed.warnings,
    })
}

struct Parsed {
    text: String,
    map: super::OffsetMap,
    metadata: Metadata,
    warnings: Vec<String>,
    cues: usize,
}

/// The lines of `text` with their byte offsets (line breaks `\n`, `\r\n` or `\r` excluded).
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push((start, &text[start..i]));
                start = i + 1;
            }
            b'\r' => {
                out.push((start, &text[start..i]));
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < text.len() {
        out.push((start, &text[start..]));
    }
    out
}

fn parse(text: &str, base: usize, format: Format) -> Parsed {
    let all = lines(text);
    let mut metadata = Metadata::default();
    let mut builder = TextBuilder::new();
    let mut speaker: Option<String> = None;
    let mut last_line: Option<String> = None;
    let mut cues = 0usize;
    let mut i = 0;
    let mut first_block = true;
    while i < all.len() {
        // One block: consecutive non-blank lines.
        if all[i].1.trim().is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < all.len() && !all[i].1.trim().is_empty() {
            i += 1;
        }
        let block = &all[start..i];
        let header_block = first_block;
        first_block = false;
        let first = block[0].1.trim();
        if header_block && first.starts_with("WEBVTT") {
            let title = first
                .trim_start_matches("WEBVTT")
                .trim_start_matches([' ', '\t', '-']);
            metadata.title = clean(title);
            for (_, line) in &block[1..] {
                if let Some((key, value)) = line.split_once(':') {
                    if key.trim().eq_ignore_ascii_case("language") {
                        metadata.language = clean(value);
                    } else if key.trim().eq_ignore_ascii_case("title") {
                        metadata.title = clean(value);
                    }
                }
            }
            continue;
        }
        if first.starts_with("NOTE") || first == "STYLE" || first == "REGION" {
            continue;
        }
        // The timing line is the first or second line of a cue (after an SRT index or a VTT identifier).
        let Some(timing_at) = block
            .iter()
            .take(2)
            .position(|(_, line)| line.contains("-->"))
        else {
            continue;
        };
        let Some((start_ms, end_ms)) = parse_timing(block[timing_at].1) else {
            continue;
        };
        let payload = &block[timing_at + 1..];
        if payload.is_empty() {
            continue;
        }
        cues += 1;
        let before = builder.len();
        let mut cue_speaker = speaker.clone();
        let mut first_payload_line = true;
        for &(line_start, line) in payload {
            let cleaned = clean_line(line);
            if let Some(voice) = &cleaned.voice {
                cue_speaker = Some(voice.clone());
            }
            if let Some(label) = &cleaned.label {
                cue_speaker = Some(label.clone());
            }
            if cue_speaker != speaker {
                builder.brk(Break::Paragraph);
                speaker = cue_speaker.clone();
                last_line = None;
            }
            let plain = cleaned.plain();
            if plain.is_empty() {
                continue;
            }
            // Roll-up captions repeat the line before as the cue's first line.
            if first_payload_line && last_line.as_deref() == Some(plain.as_str()) {
                first_payload_line = false;
                continue;
            }
            first_payload_line = false;
            builder.brk(Break::Space);
            for piece in &cleaned.pieces {
                match piece {
                    Piece::Copied(range) => {
                        builder.push_copied(&line[range.clone()], base + line_start + range.start)
                    }
                    Piece::Decoded(value, range) => builder.push_mapped(
                        value,
                        base + line_start + range.start..base + line_start + range.end,
                    ),
                }
            }
            last_line = Some(plain);
        }
        let mut text_start = before;
        while builder.text()[text_start..].starts_with(char::is_whitespace) {
            text_start += 1;
        }
        let text_end = builder.len();
        if text_end > text_start {
            let (first_start, _) = payload[0];
            let (last_start, last) = payload[payload.len() - 1];
            builder.push_cue(Cue {
                text_start: text_start as u32,
                text_end: text_end as u32,
                start_ms,
                end_ms,
                speaker: speaker.clone(),
                original_start: (base + first_start) as u32,
                original_end: (base + last_start + last.len()) as u32,
            });
        }
    }
    let (text, map) = builder.finish();
    let _ = format;
    Parsed {
        text,
        map,
        metadata,
        warnings: Vec::new(),
        cues,
    }
}

/// `00:01:02,500 --> 00:01:04.000 align:start` → (62 500, 64 000).
fn parse_timing(line: &str) -> Option<(u64, u64)> {
    let (left, right) = line.split_once("-->")?;
    let start = parse_time(left.trim())?;
    let end = parse_time(right.split_whitespace().next()?)?;
    Some((start, end.max(start)))
}

/// `hh:mm:ss,ttt`, `hh:mm:ss.ttt` or `mm:ss.ttt` → milliseconds.
fn parse_time(value: &str) -> Option<u64> {
    let (clock, fraction) = match value.rsplit_once([',', '.']) {
        Some((clock, fraction)) => (clock, fraction),
        None => (value, "0"),
    };
    if fraction.is_empty() || fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis: u64 = fraction.parse::<u64>().ok()? * 10u64.pow(3 - fraction.len() as u32);
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let mut seconds = 0u64;
    for part in parts {
        if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        seconds = seconds * 60 + part.parse::<u64>().ok()?;
    }
    Some(seconds * 1000 + millis)
}

#[derive(Debug)]
enum Piece {
    /// Bytes of the line copied as they are.
    Copied(std::ops::Range<usize>),
    /// A decoded entity and the bytes it came from.
    Decoded(String, std::ops::Range<usize>),
}

#[derive(Debug, Default)]
struct CleanLine {
    pieces: Vec<Piece>,
    voice: Option<String>,
    label: Option<String>,
    plain: String,
}

impl CleanLine {
    /// The line's words, white space collapsed (to recognise roll-up repeats).
    fn plain(&self) -> String {
        self.plain.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Splits one payload line into speech pieces, its voice and its speaker label.
fn clean_line(line: &str) -> CleanLine {
    let mut out = CleanLine::default();
    let bytes = line.as_bytes();
    let mut i = 0;
    // Turn marks and dialogue dashes.
    loop {
        let rest = &line[i..];
        let trimmed = rest.trim_start();
        let skipped = rest.len() - trimmed.len();
        if trimmed.starts_with(">>") {
            i += skipped + 2;
        } else if trimmed.starts_with("- ") || trimmed.starts_with("\u{2013} ") {
            i += skipped + trimmed.chars().next().map_or(1, char::len_utf8);
        } else {
            break;
        }
    }
    // A `<v Name>` voice may open the line; a label follows it or opens the line.
    let mut copy_from = i;
    let flush = |out: &mut CleanLine, from: usize, to: usize| {
        if to > from {
            out.plain.push_str(&line[from..to]);
            out.pieces.push(Piece::Copied(from..to));
        }
    };
    let mut label_checked = false;
    while i < bytes.len() {
        if !label_checked && !line[i..].trim_start().starts_with('<') {
            label_checked = true;
            let rest = &line[i..];
            let lead = rest.len() - rest.trim_start().len();
            if let Some((label, len)) = speaker_label(&rest[lead..]) {
                out.label = Some(label);
                i += lead + len;
                copy_from = i;
                continue;
            }
        }
        match bytes[i] {
            b'<' => {
                let Some(close) = line[i..].find('>') else {
                    i += 1;
                    continue;
                };
                flush(&mut out, copy_from, i);
                let tag = &line[i + 1..i + close];
                if let Some(name) = tag.strip_prefix('v').filter(|t| t.starts_with([' ', '.'])) {
                    let name = name.split_once(' ').map_or("", |(_, n)| n);
                    if let Some(name) = clean(name) {
                        out.voice = Some(name);
                    }
                }
                i += close + 1;
                copy_from = i;
            }
            b'{' if bytes.get(i + 1) == Some(&b'\\') => {
                let Some(close) = line[i..].find('}') else {
                    i += 1;
                    continue;
                };
                flush(&mut out, copy_from, i);
                i += close + 1;
                copy_from = i;
            }
            open @ (b'[' | b'(') => {
                let close_byte = if open == b'[' { ']' } else { ')' };
                match line[i..].find(close_byte) {
                    Some(close) if close <= 80 => {
                        flush(&mut out, copy_from, i);
                        i += close + 1;
                        copy_from = i;
                    }
                    _ => i += 1,
                }
            }
            b'&' => match decode_entity(&line[i..]) {
                Some((value, len)) => {
                    flush(&mut out, copy_from, i);
                    out.plain.push_str(&value);
                    out.pieces.push(Piece::Decoded(value, i..i + len));
                    i += len;
                    copy_from = i;
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    flush(&mut out, copy_from, bytes.len());
    // A line of music notes only is not speech.
    if out
        .plain
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '♪' | '♫' | '#'))
    {
        out.pieces.clear();
        out.plain.clear();
    }
    out
}

/// The entities WebVTT knows, plus numeric ones: (decoded, bytes consumed).
fn decode_entity(rest: &str) -> Option<(String, usize)> {
    let semicolon = rest
        .char_indices()
        .take_while(|&(i, _)| i < 12)
        .find(|&(_, c)| c == ';')?
        .0;
    let name = &rest[1..semicolon];
    let value = match name {
        "amp" => "&".to_string(),
        "lt" => "<".to_string(),
        "gt" => ">".to_string(),
        "quot" => "\"".to_string(),
        "apos" => "'".to_string(),
        "nbsp" => "\u{a0}".to_string(),
        "lrm" | "rlm" => String::new(),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?.to_string()
        }
    };
    Some((value, semicolon + 1))
}

/// A `SPEAKER:` or `Jane Doe:` label at the start of a line: (the speaker's name, bytes to skip). Up to four
/// words of letters; all capitals, or up to three capitalised words; then a colon and white space.
fn speaker_label(line: &str) -> Option<(String, usize)> {
    let mut head = line.len().min(48);
    while !line.is_char_boundary(head) {
        head -= 1;
    }
    let colon = line[..head].find(':')?;
    let after = &line[colon + 1..];
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    let name = line[..colon].trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.is_empty() || words.len() > 4 {
        return None;
    }
    if !name
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '\'' | '\u{2019}' | '-'))
    {
        return None;
    }
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    let all_caps = letters >= 2 && !name.chars().any(char::is_lowercase);
    let capitalised = words.len() <= 3
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase));
    if !(all_caps || capitalised) {
        return None;
    }
    let skip = colon + 1 + (after.len() - after.trim_start().len());
    let display = if all_caps {
        title_case(&words)
    } else {
        words.join(" ")
    };
    Some((display, skip))
}

/// `JOHN SMITH` → `John Smith`.
fn title_case(words: &[&str]) -> String {
    words
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            let first: String = chars.next().into_iter().collect();
            first + &chars.as_str().to_lowercase()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRT: &str = "1\r\n00:00:01,000 --> 00:00:03,500\r\nMINISTER: We will not raise\r\n<i>taxes</i> this year,\r\n\r\n2\r\n00:03:12,000 --> 00:03:15,000\r\nnor will we cut &amp; run. [applause]\r\n\r\n3\r\n00:03:16,000 --> 00:03:18,000\r\n- Jane Doe: Thank you.\r\n";

    #[test]
    fn srt_cues_join_into_speech() {
        let e = extract(Format::Srt, SRT.as_bytes()).unwrap();
        assert_eq!(
            e.text,
            "We will not raise taxes this year, nor will we cut & run.\n\nThank you."
        );
        let at = e.text.find("nor").unwrap();
        let cue = e.map.cue_at(at).unwrap();
        assert_eq!(cue.label(), "00:03:12 · Minister");
        let range = e.map.original_range(at..at + "nor will".len());
        assert_eq!(&SRT[range], "nor will");
        let amp = e.text.find('&').unwrap();
        assert_eq!(&SRT[e.map.original_range(amp..amp + 1)], "&amp;");
        let taxes = e.text.find("taxes").unwrap();
        assert_eq!(&SRT[e.map.original_range(taxes..taxes + 5)], "taxes");
        assert_eq!(
            e.map.cue_at(e.text.len() - 1).unwrap().label(),
            "00:03:16 · Jane Doe"
        );
    }

    /// Invalid UTF-8 (a Latin-1 byte, a stray continuation byte) is replaced in the text, and the map still
    /// points at the right bytes of the file, before and after each replacement (found by the fuzzer: the
    /// offsets had been counted in the decoded text, past the end of a short file).
    #[test]
    fn invalid_utf8_keeps_the_map_on_the_file() {
        let srt: &[u8] =
            b"1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9 owners \x80said: prices rise\n";
        let e = extract(Format::Srt, srt).unwrap();
        assert_eq!(e.text, "Caf\u{fffd} owners \u{fffd}said: prices rise");
        assert!(e.warnings.iter().any(|w| w.contains("not valid UTF-8")));
        for word in ["owners", "said", "rise"] {
            let at = e.text.find(word).unwrap();
            let range = e.map.original_range(at..at + word.len());
            assert_eq!(&srt[range], word.as_bytes(), "{word}");
        }
        let bad = e.text.find('\u{fffd}').unwrap();
        assert_eq!(&srt[e.map.original_range(bad..bad + 3)], b"\xe9");
        let cue = &e.map.cues[0];
        assert!(cue.original_end as usize <= srt.len());
        assert_eq!(
            &srt[cue.original_start as usize..cue.original_end as usize],
            &srt[srt.len() - 31..srt.len() - 1]
        );
    }

    #[test]
    fn vtt_voices_and_roll_up() {
        let vtt = "WEBVTT - Press briefing\nLanguage: en\n\nNOTE a comment\n\nintro\n00:01.000 --> 00:02.000 align:start\n<v Roger Bingham>We are in New York City\n\n00:02.000 --> 00:04.000\nWe are in New York City\n<c.yellow>and</c> it<00:03.000> is <b>cold</b>\n";
        let e = extract(Format::Vtt, vtt.as_bytes()).unwrap();
        assert_eq!(e.text, "We are in New York City and it is cold");
        assert_eq!(e.metadata.title.as_deref(), Some("Press briefing"));
        assert_eq!(e.metadata.language.as_deref(), Some("en"));
        let cold = e.text.find("cold").unwrap();
        assert_eq!(
            e.map.cue_at(cold).unwrap().label(),
            "00:00:02 · Roger Bingham"
        );
        assert_eq!(&vtt[e.map.original_range(cold..cold + 4)], "cold");
    }

    #[test]
    fn labels_never_cut_a_character() {
        // The 48th byte inside a Korean syllable.
        let line = "MINISTER: 엘제이의 리벤지인가, 류화영의 코스프레인가";
        assert_eq!(
            speaker_label(line).map(|(name, _)| name).as_deref(),
            Some("Minister")
        );
        let line = "엘제이의 리벤지인가, 류화영의 코스프레인가 리벤지인가: 류화영의";
        assert!(speaker_label(line).is_none());
    }

    #[test]
    fn labels_are_names_not_sentences() {
        assert!(speaker_label("Note that this: is not").is_none());
        assert!(speaker_label("At 10:30 we met").is_none());
        assert_eq!(speaker_label("DR. SMITH: yes").unwrap().0, "Dr. Smith");
        assert_eq!(
            speaker_label("Minister: yes").unwrap(),
            ("Minister".to_string(), 10)
        );
    }

    #[test]
    fn no_cues_is_an_error() {
        assert!(extract(Format::Srt, b"just some text").is_err());
        assert_eq!(parse_time("01:02:03,5"), Some(3_723_500));
        assert_eq!(parse_time("02:03.250"), Some(123_250));
        assert_eq!(parse_time("x"), None);
    }
}
