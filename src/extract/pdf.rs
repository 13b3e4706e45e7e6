//! PDF: the text layer in reading order, from the positioned glyphs `pdf-extract` reports page by page.
//!
//! Per page: glyphs become runs on one baseline (a gap wider than an em starts a new run, so two columns
//! never share a run); runs are cut into bands at the page's blank horizontal stripes, neighbouring bands with
//! the same column gutter are merged, and each band is read column by column, top to bottom. Running
//! headers and footers (the same line, digits aside, at the top or bottom of at least half the pages) and
//! page numbers are dropped; a word hyphenated at a line end is joined again; lines, columns and pages are
//! joined by spaces so a sentence crossing a column or a page reads straight on. A PDF has no text offsets an
//! editor can show: the map records pages only.

use pdf_extract::{Document, MediaBox, Object, ObjectId, OutputDev, OutputError, Transform};

use super::map::{Break, TextBuilder};
use super::pdf_tree;
use super::{clean, ExtractError, Extraction, Format, Limits, Metadata};

/// Reads a PDF's text layer.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extraction, ExtractError> {
    if !bytes.starts_with(b"%PDF")
        && !bytes[..bytes.len().min(1024)]
            .windows(4)
            .any(|w| w == b"%PDF")
    {
        return Err(ExtractError::Corrupt("no %PDF header".to_string()));
    }
    check_unpacked_size(bytes, limits.max_pdf_unpacked)?;
    let mut doc = Document::load_mem(bytes)
        .map_err(|e| ExtractError::Corrupt(format!("cannot parse the PDF ({e})")))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(ExtractError::Encrypted);
    }
    let metadata = info_metadata(&doc);
    let page_ids: Vec<(u32, ObjectId)> = doc.get_pages().into_iter().collect();
    let ids: Vec<ObjectId> = page_ids.iter().map(|&(_, id)| id).collect();
    pdf_tree::cut_parent_cycles(&mut doc, &ids);
    let page_numbers: Vec<u32> = page_ids.iter().map(|&(number, _)| number).collect();
    let mut warnings = Vec::new();
    if page_numbers.len() > limits.max_pdf_pages {
        warnings.push(format!(
            "only the first {} of {} pages were read",
            limits.max_pdf_pages,
            page_numbers.len()
        ));
    }
    let mut pages = Vec::new();
    let mut failed = Vec::new();
    let mut refused = 0;
    for &(number, id) in page_ids.iter().take(limits.max_pdf_pages) {
        if let Some(why) = pdf_tree::unsafe_drawing(&doc, id) {
            warnings.push(format!("p. {number} was not read: {why}"));
            refused += 1;
            pages.push(Page {
                number,
                lines: Vec::new(),
            });
            continue;
        }
        let mut collector = Collector::default();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pdf_extract::output_doc_page(&doc, &mut collector, number)
        }));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => failed.push(number),
        }
        pages.push(Page {
            number,
            lines: layout(std::mem::take(&mut collector.glyphs)),
        });
    }
    if !failed.is_empty() {
        warnings.push(format!(
            "{} page{} could not be fully read ({})",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            failed
                .iter()
                .take(10)
                .map(|n| format!("p. {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if pages.iter().all(|p| p.lines.is_empty()) {
        if failed.len() + refused > 0 && failed.len() + refused == pages.len() {
            // The first refusal's reason, when a page was refused, says why in words.
            let why = warnings
                .iter()
                .find_map(|w| {
                    w.split_once(" was not read: ")
                        .map(|(page, why)| format!(" ({page}: {why})"))
                })
                .unwrap_or_default();
            return Err(ExtractError::Corrupt(format!("no page could be read{why}")));
        }
        return Err(ExtractError::NeedsOcr { pages: pages.len() });
    }
    drop_running_lines(&mut pages);
    let (text, map) = assemble(&pages);
    Ok(Extraction {
        format: Format::Pdf,
        text,
        map,
        metadata,
        warnings,
    })
}

/// One glyph: its position (top-down y of the baseline), advance width and size in page units.
#[derive(Clone, Debug)]
struct Glyph {
    x: f64,
    y: f64,
    width: f64,
    size: f64,
    text: String,
}

#[derive(Default)]
struct Collector {
    glyphs: Vec<Glyph>,
    height: f64,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        // The font size through the text rendering matrix (the side of a square of the same area).
        let (vx, vy) = (
            font_size * (trm.m11 + trm.m21),
            font_size * (trm.m12 + trm.m22),
        );
        let size = (vx * vy).abs().sqrt();
        let (x, y) = (trm.m31, self.height - trm.m32);
        if !x.is_finite()
            || !y.is_finite()
            || !size.is_finite()
            || size <= 0.0
            || self.glyphs.len() > 20_000_000
        {
            return Ok(());
        }
        self.glyphs.push(Glyph {
            x,
            y,
            width: (width * size).max(0.0),
            size,
            text: char.to_string(),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A run of glyphs on one baseline, without a gap wider than an em.
#[derive(Clone, Debug)]
struct Run {
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    text: String,
}

/// A line of a page in reading order.
#[derive(Clone, Debug)]
struct Line {
    y: f64,
    size: f64,
    text: String,
    /// A wider gap than usual separates it from the line before (a new paragraph).
    paragraph: bool,
    /// Set when the line is a running header, footer or page number.
    dropped: bool,
}

struct Page {
    number: u32,
    lines: Vec<Line>,
}

/// Glyphs → runs, in the order the content stream drew them.
fn runs(glyphs: Vec<Glyph>) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for glyph in glyphs {
        let blank = glyph.text.chars().all(char::is_whitespace);
        if let Some(run) = runs.last_mut() {
            let same_line = (glyph.y - run.y).abs() < 0.4 * run.size.max(glyph.size);
            let gap = glyph.x - run.x1;
            if same_line && gap > -0.5 * run.size && gap < 1.0 * run.size.max(glyph.size) {
                if blank {
                    if !run.text.ends_with(' ') {
                        run.text.push(' ');
                    }
                    run.x1 = run.x1.max(glyph.x + glyph.width);
                    continue;
                }
                if gap > 0.15 * glyph.size && !run.text.ends_with(' ') {
                    run.text.push(' ');
                }
                run.text.push_str(&glyph.text);
                run.x1 = run.x1.max(glyph.x + glyph.width);
                run.size = run.size.max(glyph.size);
                continue;
            }
        }
        if blank {
            continue;
        }
        runs.push(Run {
            x0: glyph.x,
            x1: glyph.x + glyph.width,
            y: glyph.y,
            size: glyph.size,
            text: glyph.text,
        });
    }
    runs.retain(|run| !run.text.trim().is_empty());
    runs
}

/// A page's glyphs → its lines in reading order.
fn layout(glyphs: Vec<Glyph>) -> Vec<Line> {
    let mut runs = runs(glyphs);
    if runs.is_empty() {
        return Vec::new();
    }
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let em = median(runs.iter().map(|r| r.size).collect()).max(1.0);
    // Bands: cut at every blank horizontal stripe.
    let mut bands: Vec<Vec<Run>> = Vec::new();
    let mut bottom = f64::NEG_INFINITY;
    for run in runs {
        let top = run.y - run.size;
        if bands.is_empty() || top > bottom {
            bands.push(Vec::new());
        }
        bottom = bottom.max(run.y + 0.25 * run.size);
        if let Some(band) = bands.last_mut() {
            band.push(run);
        }
    }
    // Merge neighbouring bands whose column gutters line up (a paragraph gap in both columns at once).
    let mut merged: Vec<(Vec<Run>, Vec<Gutter>)> = Vec::new();
    for band in bands {
        let gutters = gutters(&band, em);
        if let Some((last, last_gutters)) = merged.last_mut() {
            if !gutters.is_empty() && same_gutters(last_gutters, &gutters, em) {
                last.extend(band);
                *last_gutters = self::gutters(last, em);
                continue;
            }
        }
        merged.push((band, gutters));
    }
    let mut lines = Vec::new();
    for (band, gutters) in merged {
        let mut columns: Vec<Vec<Run>> = vec![Vec::new(); gutters.len() + 1];
        for run in band {
            let column = gutters.iter().filter(|g| run.x0 >= g.1 - 0.01).count();
            columns[column].push(run);
        }
        for column in columns {
            lines.extend(column_lines(column, em));
        }
    }
    lines
}

/// A blank vertical stripe between columns: its left and right edges.
type Gutter = (f64, f64);

/// The blank vertical stripes wider than an em between a band's runs: `(left, right)` edges, left to right.
fn gutters(band: &[Run], em: f64) -> Vec<Gutter> {
    let mut spans: Vec<(f64, f64)> = band.iter().map(|r| (r.x0, r.x1)).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    let mut right = f64::NEG_INFINITY;
    for (x0, x1) in spans {
        if right.is_finite() && x0 - right > em {
            out.push((right, x0));
        }
        right = right.max(x1);
    }
    // A band of one line is no evidence of columns (a table row, a date line).
    let distinct_lines = {
        let mut ys: Vec<f64> = band.iter().map(|r| r.y).collect();
        ys.sort_by(f64::total_cmp);
        ys.dedup_by(|a, b| (*a - *b).abs() < 0.5 * em);
        ys.len()
    };
    if distinct_lines < 2 {
        return Vec::new();
    }
    out
}

fn same_gutters(a: &[(f64, f64)], b: &[(f64, f64)], em: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.0 < y.1 + em && y.0 < x.1 + em)
}

/// One column's runs → lines, top to bottom, with paragraph breaks at wider gaps.
fn column_lines(mut runs: Vec<Run>, em: f64) -> Vec<Line> {
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<(Line, f64)> = Vec::new();
    for run in runs {
        if let Some((line, x1)) = lines.last_mut() {
            if (run.y - line.y).abs() < 0.4 * line.size.max(run.size) {
                if run.x0 - *x1 > 0.15 * run.size && !line.text.ends_with(' ') {
                    line.text.push(' ');
                }
                line.text.push_str(&run.text);
                *x1 = x1.max(run.x1);
                continue;
            }
        }
        lines.push((
            Line {
                y: run.y,
                size: run.size,
                text: run.text,
                paragraph: false,
                dropped: false,
            },
            run.x1,
        ));
    }
    let mut lines: Vec<Line> = lines.into_iter().map(|(line, _)| line).collect();
    let gaps: Vec<f64> = lines.windows(2).map(|w| w[1].y - w[0].y).collect();
    let usual = median(gaps.clone()).max(em);
    for (i, gap) in gaps.into_iter().enumerate() {
        if gap > 1.5 * usual {
            lines[i + 1].paragraph = true;
        }
    }
    lines
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A line's text with digits and white space folded: page 3's "Annual report 2024 · 3" and page 4's match.
fn shape(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c.is_ascii_digit() {
                '#'
            } else {
                c.to_lowercase().next().unwrap_or(c)
            }
        })
        .collect()
}

/// `3`, `- 3 -`, `Page 3`, `Page 3 of 10`, `3/10`, `iv`.
fn is_page_number(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let lower = lower.trim_matches(|c: char| c == '-' || c == '–' || c == '—' || c.is_whitespace());
    let lower = lower
        .strip_prefix("page")
        .or_else(|| lower.strip_prefix("p."))
        .unwrap_or(lower)
        .trim();
    if lower.is_empty() || lower.len() > 16 {
        return false;
    }
    let roman = lower.chars().all(|c| "ivxlc".contains(c)) && lower.len() <= 6;
    roman
        || lower.chars().all(|c| {
            c.is_ascii_digit() || c == '/' || c == ' ' || c.is_alphabetic() && "of".contains(c)
        }) && lower.chars().any(|c| c.is_ascii_digit())
}

/// Marks running headers and footers and page numbers: among the top and bottom two lines of each page
/// (by position), those repeated, digits aside, on at least half of the pages (and two), and lone page
/// numbers.
fn drop_running_lines(pages: &mut [Page]) {
    const EDGE: usize = 2;
    let edge_lines = |page: &Page| -> Vec<(usize, bool)> {
        let mut order: Vec<usize> = (0..page.lines.len()).collect();
        order.sort_by(|&a, &b| page.lines[a].y.total_cmp(&page.lines[b].y));
        let mut out: Vec<(usize, bool)> = order.iter().take(EDGE).map(|&i| (i, true)).collect();
        let top: Vec<usize> = out.iter().map(|o| o.0).collect();
        out.extend(
            order
                .iter()
                .rev()
                .take(EDGE)
                .filter(|i| !top.contains(i))
                .map(|&i| (i, false)),
        );
        out
    };
    let mut counts: std::collections::HashMap<(String, bool), usize> =
        std::collections::HashMap::new();
    for page in pages.iter() {
        let mut seen = std::collections::HashSet::new();
        for (i, top) in edge_lines(page) {
            let key = (shape(&page.lines[i].text), top);
            if seen.insert(key.clone()) {
                *counts.entry(key).or_default() += 1;
            }
        }
    }
    let needed = (pages.len() / 2).max(2);
    let several = pages.len() > 1;
    for (number, page) in pages.iter_mut().enumerate() {
        let isolated = isolated_edges(&page.lines);
        for (i, top) in edge_lines(page) {
            let line = &page.lines[i];
            let repeated = counts
                .get(&(shape(&line.text), top))
                .is_some_and(|&n| n >= needed);
            // A line set apart by a wide margin at the top of a later page or the bottom of any page of a
            // multi-page document is a running head or foot even when it is not repeated (the first page
            // often has none).
            let running = several && isolated.contains(&i) && (!top || number > 0);
            if repeated || running || is_page_number(&line.text) {
                page.lines[i].dropped = true;
            }
        }
    }
}

/// The top-most and bottom-most lines of a page when a gap of more than twice the page's usual line spacing
/// separates them from the rest.
fn isolated_edges(lines: &[Line]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| lines[a].y.total_cmp(&lines[b].y));
    if order.len() < 3 {
        return Vec::new();
    }
    let gaps: Vec<f64> = order
        .windows(2)
        .map(|w| lines[w[1]].y - lines[w[0]].y)
        .collect();
    let usual = median(gaps.clone()).max(1.0);
    let mut out = Vec::new();
    if gaps[0] > 2.0 * usual {
        out.push(order[0]);
    }
    if gaps[gaps.len() - 1] > 2.0 * usual {
        out.push(order[order.len() - 1]);
    }
    out
}

/// The pages' kept lines → text: lines joined by spaces, hyphenation at line ends undone, paragraphs at
/// wider gaps, pages recorded in the map.
fn assemble(pages: &[Page]) -> (String, super::OffsetMap) {
    let trim = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
            .to_lowercase()
    };
    // Words written with a hyphen inside a line: `cross-border` broken at its hyphen keeps it.
    let compounds: std::collections::HashSet<String> = pages
        .iter()
        .flat_map(|page| page.lines.iter().filter(|l| !l.dropped))
        .flat_map(|line| line.text.split_whitespace())
        .filter(|w| w.trim_matches('-').contains('-'))
        .map(trim)
        .collect();
    // Every word of the document and the parts of its hyphenated ones, but not the halves of words broken at a
    // line end (`inter-` / `national`).
    let mut words = std::collections::HashSet::new();
    let mut after_hyphen = false;
    for line in pages
        .iter()
        .flat_map(|page| page.lines.iter().filter(|l| !l.dropped))
    {
        let tokens: Vec<&str> = line.text.split_whitespace().collect();
        let ends_in_hyphen = line.text.trim_end().ends_with('-');
        for (i, token) in tokens.iter().enumerate() {
            if (i == 0 && after_hyphen) || (i + 1 == tokens.len() && ends_in_hyphen) {
                continue;
            }
            words.extend(token.split('-').map(trim).filter(|w| !w.is_empty()));
        }
        after_hyphen = ends_in_hyphen;
    }
    // A line ending in `cut-` followed by `first`: a word hyphenated by the typesetter (joined) or a compound
    // broken at its own hyphen (kept). The document decides when it can: the joined word or the compound
    // written elsewhere, else both halves being words of their own elsewhere (`second-` `biggest`, not
    // `inter-` `national`).
    let keeps_hyphen = |cut: &str, first: &str| {
        let (cut, first) = (trim(cut), trim(first));
        let first = first.split('-').next().unwrap_or("");
        if words.contains(&format!("{cut}{first}")) {
            return false;
        }
        compounds.contains(&format!("{cut}-{first}"))
            || (cut.chars().count() >= 2
                && first.chars().count() >= 2
                && words.contains(&cut)
                && words.contains(first))
    };
    let mut builder = TextBuilder::new();
    // The line before ended in a hyphen: the word it cut (`inter` of `inter-`), or a compound kept whole.
    let mut hyphenated: Option<String> = None;
    let mut compound = false;
    for page in pages {
        let mut started = false;
        for line in page.lines.iter().filter(|l| !l.dropped) {
            let mut text = line.text.trim();
            if text.is_empty() {
                continue;
            }
            let first = text.split_whitespace().next().unwrap_or("");
            match hyphenated.take() {
                Some(cut) if text.starts_with(|c: char| c.is_lowercase()) => {
                    if keeps_hyphen(&cut, first) {
                        builder.push_unmapped("-");
                    }
                    // `inter-` + `national` → `international`: no break between them.
                }
                Some(_) => {
                    builder.push_unmapped("-");
                    builder.brk(Break::Space);
                }
                None if compound => {}
                None => builder.brk(if line.paragraph {
                    Break::Paragraph
                } else {
                    Break::Space
                }),
            }
            compound = false;
            if let Some(stripped) = text.strip_suffix(['-', '\u{00AD}', '\u{2010}']) {
                // `US-` + `led`, `2024-` + `25` are compounds, not hyphenated words: they keep their hyphen and
                // join the next line without a space.
                let last_word = stripped.rsplit(' ').next().unwrap_or("");
                let acronym = last_word.chars().filter(|c| c.is_alphabetic()).count() >= 2
                    && !last_word.chars().any(char::is_lowercase);
                if stripped.ends_with(|c: char| c.is_alphabetic()) && !acronym {
                    text = stripped;
                    hyphenated = Some(last_word.to_string());
                } else if !stripped.is_empty() && !stripped.ends_with(' ') {
                    compound = true;
                }
            }
            if !started {
                // After the break before it, so the page starts at its first word.
                builder.start_page(page.number);
                started = true;
            }
            builder.push_unmapped(text);
        }
    }
    if hyphenated.is_some() {
        builder.push_unmapped("-");
    }
    builder.finish()
}

/// Refuses a PDF whose Flate streams would unpack past `limit` bytes all together: each stream is inflated
/// into a counter (never kept), stopping at what is left of the budget. The parser inflates streams without
/// a bound, so this runs first.
fn check_unpacked_size(bytes: &[u8], limit: u64) -> Result<(), ExtractError> {
    use std::io::Read;
    let mut total = 0u64;
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"stream") {
        let mut start = at + found + b"stream".len();
        at = start;
        // `endstream` itself, or `stream` inside a word.
        if bytes[..start - 6].ends_with(b"end") {
            continue;
        }
        match bytes.get(start..start + 2) {
            Some([b'\r', b'\n']) => start += 2,
            Some([b'\n', _]) | Some([b'\r', _]) => start += 1,
            _ => continue,
        }
        let end = find(&bytes[start..], b"endstream").map_or(bytes.len(), |e| start + e);
        let mut decoder = flate2::read::ZlibDecoder::new(&bytes[start..end])
            .take(limit.saturating_sub(total) + 1);
        let unpacked = std::io::copy(&mut decoder, &mut std::io::sink()).unwrap_or(0);
        total += unpacked;
        if total > limit {
            return Err(ExtractError::ZipBomb(format!(
                "the PDF's compressed streams unpack past the {} MB allowed",
                limit >> 20
            )));
        }
        at = end;
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Title, author and creation date from the document information dictionary.
fn info_metadata(doc: &Document) -> Metadata {
    let mut metadata = Metadata::default();
    let Ok(info) = doc.trailer.get(b"Info") else {
        return metadata;
    };
    let info = match info {
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        Object::Dictionary(dict) => Some(dict),
        _ => None,
    };
    let Some(info) = info else {
        return metadata;
    };
    let text = |key: &[u8]| -> Option<String> {
        match info.get(key).ok()? {
            Object::String(bytes, _) => clean(&pdf_string(bytes)),
            _ => None,
        }
    };
    metadata.title = text(b"Title");
    metadata.author = text(b"Author");
    metadata.date = text(b"CreationDate").map(|d| pdf_date(&d));
    metadata
}

/// A PDF text string: UTF-16 with a BOM, UTF-8 with a BOM, else PDFDocEncoding (read as Latin-1).
fn pdf_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units = rest
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]));
        return char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect();
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// `D:20240301093000+01'00'` → `2024-03-01`.
fn pdf_date(value: &str) -> String {
    let digits = value.trim_start_matches("D:");
    if digits
        .get(..8)
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    {
        format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8])
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(x: f64, y: f64, text: &str) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                x: x + 5.0 * i as f64,
                y,
                width: 5.0,
                size: 10.0,
                text: c.to_string(),
            })
            .collect()
    }

    #[test]
    fn two_columns_read_column_by_column() {
        let mut all = glyphs(
            50.0,
            40.0,
            "A full width title spanning both of the columns here",
        );
        for (i, (left, right)) in [("left one", "right one"), ("left two", "right two")]
            .iter()
            .enumerate()
        {
            let y = 80.0 + 12.0 * i as f64;
            all.extend(glyphs(50.0, y, left));
            all.extend(glyphs(200.0, y, right));
        }
        let lines = layout(all);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "A full width title spanning both of the columns here",
                "left one",
                "left two",
                "right one",
                "right two"
            ]
        );
    }

    #[test]
    fn hyphens_join_and_running_lines_drop() {
        let page = |n: u32, body: &[&str]| {
            let mut lines = vec![Line {
                y: 10.0,
                size: 10.0,
                text: "Annual Report 2024".into(),
                paragraph: false,
                dropped: false,
            }];
            for (i, text) in body.iter().enumerate() {
                lines.push(Line {
                    y: 40.0 + 12.0 * i as f64,
                    size: 10.0,
                    text: text.to_string(),
                    paragraph: false,
                    dropped: false,
                });
            }
            lines.push(Line {
                y: 700.0,
                size: 10.0,
                text: format!("- {n} -"),
                paragraph: false,
                dropped: false,
            });
            Page { number: n, lines }
        };
        let mut pages = vec![
            page(1, &["The inter-", "national panel said the"]),
            page(2, &["water was safe to drink."]),
        ];
        drop_running_lines(&mut pages);
        let (text, map) = assemble(&pages);
        assert_eq!(
            text,
            "The international panel said the water was safe to drink."
        );
        assert_eq!(map.page_at(text.find("water").unwrap()), Some(2));
        assert_eq!(map.locator(4..30).as_deref(), Some("p. 1"));
    }

    #[test]
    fn compounds_broken_at_their_hyphen_keep_it() {
        let line = |y: f64, text: &str| Line {
            y,
            size: 10.0,
            text: text.to_string(),
            paragraph: false,
            dropped: false,
        };
        let pages = vec![Page {
            number: 1,
            lines: vec![
                line(10.0, "the US-"),
                line(22.0, "led bloc and a cross-"),
                line(34.0, "border deal, a cross-border"),
                line(46.0, "plan for 2024-"),
                line(58.0, "25, a well-"),
                line(70.0, "known fact, well known, the second-"),
                line(82.0, "biggest, second and biggest, inter-"),
                line(94.0, "national and national, a pro-"),
                line(106.0, "posal, a proposal, pro-"),
                line(118.0, "posal."),
            ],
        }];
        let (text, _) = assemble(&pages);
        assert_eq!(
            text,
            "the US-led bloc and a cross-border deal, a cross-border plan for 2024-25, a well-known fact, well \
             known, the second-biggest, second and biggest, international and national, a proposal, a proposal, \
             proposal."
        );
    }

    #[test]
    fn page_numbers() {
        for yes in ["3", "- 3 -", "Page 3", "Page 3 of 10", "3/10", "iv"] {
            assert!(is_page_number(yes), "{yes}");
        }
        for no in ["The end", "2024 was a year", "I"] {
            assert!(!is_page_number(no) || no == "I", "{no}");
        }
        assert_eq!(pdf_date("D:20240301093000+01'00'"), "2024-03-01");
        assert_eq!(pdf_date("D:2024é0301"), "D:2024é0301");
    }

    #[test]
    fn decompression_bombs_are_refused() {
        use std::io::Write;
        let mut packed = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        packed.write_all(&vec![b' '; 4 << 20]).unwrap();
        let packed = packed.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Length 1 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&packed);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        let limits = Limits {
            max_pdf_unpacked: 1 << 20,
            ..Limits::default()
        };
        let error = extract(&pdf, &limits).unwrap_err();
        assert!(matches!(error, ExtractError::ZipBomb(_)), "{error}");
        assert!(check_unpacked_size(&pdf, 8 << 20).is_ok());
    }

    #[test]
    fn garbage_is_corrupt() {
        assert!(matches!(
            extract(b"hello", &Limits::default()),
            Err(ExtractError::Corrupt(_))
        ));
        assert!(matches!(
            extract(b"%PDF-1.4\n garbage", &Limits::default()),
            Err(ExtractError::Corrupt(_))
        ));
    }
}
