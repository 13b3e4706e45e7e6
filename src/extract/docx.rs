//! Word documents (.docx): the paragraphs of `word/document.xml`, runs joined (a sentence split across bold
//! and italic runs is one sentence), and `docProps/core.xml` for title, author, date and language.
//!
//! The zip is guarded: too many entries, a part larger than the limit once unpacked, or an unpacking ratio
//! past the limit are refused before anything is inflated, and reading stops at the limit whatever the
//! headers claimed. Offsets map into `word/document.xml` (a .docx has no text positions an editor can show).

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::map::{Break, TextBuilder};
use super::{clean, ExtractError, Extraction, Format, Limits, Metadata};

/// Reads a .docx.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extraction, ExtractError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An OLE compound file: either a password-protected .docx or a legacy .doc.
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
            return Err(ExtractError::Encrypted);
        }
        return Err(ExtractError::Corrupt(
            "this is a legacy Word .doc file, not .docx; save it as .docx".to_string(),
        ));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::Corrupt(format!("not a zip container ({e})")))?;
    if archive.len() > limits.max_zip_entries {
        return Err(ExtractError::ZipBomb(format!(
            "{} entries, more than the {} allowed",
            archive.len(),
            limits.max_zip_entries
        )));
    }
    let document = read_part(&mut archive, "word/document.xml", limits)?.ok_or_else(|| {
        ExtractError::Corrupt("no word/document.xml (not a Word document)".to_string())
    })?;
    let mut warnings = Vec::new();
    let metadata = match read_part(&mut archive, "docProps/core.xml", limits) {
        Ok(Some(core)) => core_properties(&core),
        Ok(None) => Metadata::default(),
        Err(error) => {
            warnings.push(format!("document properties not read: {error}"));
            Metadata::default()
        }
    };
    let (text, map) = body_text(&document)
        .map_err(|e| ExtractError::Corrupt(format!("word/document.xml: {e}")))?;
    if text.trim().is_empty() {
        warnings.push("the document has no text".to_string());
    }
    Ok(Extraction {
        format: Format::Docx,
        text,
        map,
        metadata,
        warnings,
    })
}

/// One part of the zip, unpacked within the limits; `None` when there is no such part.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, ExtractError> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(zip::result::ZipError::UnsupportedArchive(why)) if why.contains("ncrypt") => {
            return Err(ExtractError::Encrypted)
        }
        Err(error) => return Err(ExtractError::Corrupt(format!("{name}: {error}"))),
    };
    if file.encrypted() {
        return Err(ExtractError::Encrypted);
    }
    let size = file.size();
    let compressed = file.compressed_size().max(1);
    if size > limits.max_part_bytes {
        return Err(ExtractError::ZipBomb(format!(
            "{name} would unpack to {} MB, more than the {} MB allowed",
            size.div_ceil(1 << 20),
            limits.max_part_bytes >> 20
        )));
    }
    if size > (1 << 20) && size / compressed > limits.max_zip_ratio {
        return Err(ExtractError::ZipBomb(format!(
            "{name} would unpack {}× its packed size, more than the {}× allowed",
            size / compressed,
            limits.max_zip_ratio
        )));
    }
    let mut out = Vec::with_capacity(size.min(limits.max_part_bytes) as usize);
    file.take(limits.max_part_bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| ExtractError::Corrupt(format!("{name}: {e}")))?;
    if out.len() as u64 > limits.max_part_bytes {
        return Err(ExtractError::ZipBomb(format!(
            "{name} unpacks past the {} MB allowed",
            limits.max_part_bytes >> 20
        )));
    }
    Ok(Some(out))
}

/// The text of `word/document.xml`: paragraphs (`w:p`) separated by blank lines, runs' `w:t` joined, tabs
/// as spaces, `w:br` as line breaks; deleted text, field codes and fallback copies of text boxes skipped.
fn body_text(xml: &[u8]) -> Result<(String, super::OffsetMap), quick_xml::Error> {
    let mut reader = Reader::from_reader(xml);
    let mut builder = TextBuilder::new();
    let mut in_text = false;
    let mut fallback_depth = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event()?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().into_inner() {
                "Fallback" => fallback_depth += 1,
                "t" if fallback_depth == 0 => in_text = true,
                "p" => builder.brk(Break::Paragraph),
                _ => {}
            },
            Event::End(e) => match e.local_name().into_inner() {
                "Fallback" => fallback_depth = fallback_depth.saturating_sub(1),
                "t" => in_text = false,
                "p" | "tc" => builder.brk(Break::Paragraph),
                _ => {}
            },
            Event::Empty(e) if fallback_depth == 0 => match e.local_name().into_inner() {
                "tab" | "ptab" => builder.brk(Break::Space),
                "br" | "cr" => builder.brk(Break::Line),
                "noBreakHyphen" => builder.push_mapped("-", before..after),
                _ => {}
            },
            Event::Text(t) if in_text => {
                let raw = String::from(&*t);
                builder.push_mapped(&raw, before..after);
            }
            Event::CData(t) if in_text => {
                let raw = String::from(&*t);
                builder.push_mapped(&raw, before..after);
            }
            Event::GeneralRef(r) if in_text => {
                let value = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => match &*r {
                        "amp" => Some("&".to_string()),
                        "lt" => Some("<".to_string()),
                        "gt" => Some(">".to_string()),
                        "quot" => Some("\"".to_string()),
                        "apos" => Some("'".to_string()),
                        _ => None,
                    },
                };
                if let Some(value) = value {
                    builder.push_mapped(&value, before..after);
                }
            }
            _ => {}
        }
    }
    Ok(builder.finish())
}

/// Title, creator, dates and language from `docProps/core.xml`.
fn core_properties(xml: &[u8]) -> Metadata {
    let mut reader = Reader::from_reader(xml);
    let mut metadata = Metadata::default();
    let mut current: Option<String> = None;
    let mut value = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                current = Some(e.local_name().into_inner().to_string());
                value.clear();
            }
            Ok(Event::Text(t)) if current.is_some() => value.push_str(&t),
            Ok(Event::GeneralRef(r)) if current.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    value.push(c);
                } else {
                    value.push_str(match &*r {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Ok(Event::End(_)) => {
                if let (Some(name), Some(v)) = (current.take(), clean(&value)) {
                    match name.as_str() {
                        "title" => metadata.title = Some(v),
                        "creator" => metadata.author = Some(v),
                        "created" => metadata.date = metadata.date.or(Some(v)),
                        "language" => metadata.language = Some(v),
                        _ => {}
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    metadata
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal .docx with the given `word/document.xml` body and core properties.
    pub(crate) fn docx(body: &str, core: &str) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut zip = zip::ZipWriter::new(Cursor::new(&mut out));
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("word/document.xml", options).unwrap();
            write!(
                zip,
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
            )
            .unwrap();
            zip.start_file("docProps/core.xml", options).unwrap();
            write!(
                zip,
                r#"<?xml version="1.0"?><cp:coreProperties xmlns:cp="x" xmlns:dc="y" xmlns:dcterms="z">{core}</cp:coreProperties>"#
            )
            .unwrap();
            zip.finish().unwrap();
        }
        out
    }

    #[test]
    fn runs_join_and_paragraphs_break() {
        let body = r#"<w:p><w:r><w:t>The minister said the plan was </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>“ambitious</w:t></w:r><w:r><w:t xml:space="preserve"> but fair&amp;just”.</w:t></w:r></w:p><w:p><w:r><w:t>Second</w:t><w:tab/><w:t>para</w:t><w:delText>gone</w:delText></w:r></w:p>"#;
        let core = "<dc:title>Press release</dc:title><dc:creator>Ministry of Finance</dc:creator><dcterms:created>2024-03-01T09:00:00Z</dcterms:created>";
        let e = extract(&docx(body, core), &Limits::default()).unwrap();
        assert_eq!(
            e.text,
            "The minister said the plan was “ambitious but fair&just”.\n\nSecond para"
        );
        assert_eq!(e.metadata.title.as_deref(), Some("Press release"));
        assert_eq!(e.metadata.author.as_deref(), Some("Ministry of Finance"));
        assert_eq!(e.metadata.date.as_deref(), Some("2024-03-01T09:00:00Z"));
    }

    #[test]
    fn refuses_bombs_and_garbage() {
        let big = "<w:p><w:r><w:t>".to_string() + &"a".repeat(3 << 20) + "</w:t></w:r></w:p>";
        let bytes = docx(&big, "");
        let limits = Limits {
            max_zip_ratio: 10,
            ..Limits::default()
        };
        assert!(matches!(
            extract(&bytes, &limits),
            Err(ExtractError::ZipBomb(_))
        ));
        let limits = Limits {
            max_part_bytes: 1 << 20,
            ..Limits::default()
        };
        assert!(matches!(
            extract(&bytes, &limits),
            Err(ExtractError::ZipBomb(_))
        ));
        assert!(matches!(
            extract(b"not a zip", &Limits::default()),
            Err(ExtractError::Corrupt(_))
        ));
    }
}
