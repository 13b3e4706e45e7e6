//! Saved web pages: the article's text as a reader sees it, every character mapped back into the .html bytes.
//!
//! Two passes. `dom_smoothie` (a Readability port; chosen on the 50 labelled pages of the article-extraction
//! yardstick, see BENCHMARKS.md) decides *which* text is the article. Independently, `html5gum` tokenizes the
//! page with byte spans and the text nodes become words carrying their original bytes (entities decoded and
//! mapped as a whole: `&ldquo;` is seven bytes and one character; scripts, styles and templates skipped;
//! block elements and `<br>` kept as breaks). The article's words are then aligned back onto the page's words
//! (runs anchored on shared three-word sequences, in order), and the output is the page's own matched words
//! with the page's own breaks: the text is exactly what the article shows, and go-to-definition lands on the
//! quoted words in the file. Metadata comes from `<title>`, Open Graph and `article:*` meta tags, JSON-LD
//! `NewsArticle`, `<link rel=canonical>` and `<html lang>`.

use std::collections::HashMap;
use std::ops::Range;

use html5gum::{DefaultEmitter, Token, Tokenizer};

use super::html_depth::DepthGauge;

use super::map::{Break, TextBuilder};
use super::{clean, Extraction, Format, Metadata};

/// Reads a web page. Never fails: a page without an article yields empty text and a warning.
pub fn extract(bytes: &[u8]) -> Extraction {
    let mut warnings = Vec::new();
    let (html, table) = decode(bytes, &mut warnings);
    let page = tokenize(&html);
    let mut metadata = page.metadata.clone();
    // Past its bounds the article finder would take minutes (see html_depth.rs): the whole text is read.
    let article = if page.too_deep() {
        warnings.push(format!(
            "the page nests its elements too deeply ({} levels) to find its article in time: its whole text was read",
            page.depth
        ));
        None
    } else {
        main_text(&html, page.metadata.url.as_deref())
    };
    let (text, mut map) = match &article {
        Some(article) => {
            if metadata.author.is_none() {
                metadata.author = article.byline.clone();
            }
            if metadata.site.is_none() {
                metadata.site = article.site.clone();
            }
            if metadata.date.is_none() {
                metadata.date = article.date.clone();
            }
            if metadata.title.is_none() {
                metadata.title = article.title.clone();
            }
            let selected = align(&page.words, &article.text);
            write(&page, &selected)
        }
        None if page.too_deep() => write(&page, &vec![true; page.words.len()]),
        None => (String::new(), super::OffsetMap::default()),
    };
    if text.trim().is_empty() {
        warnings.push(
            "no article text found on this page (only navigation, links or boilerplate)"
                .to_string(),
        );
    }
    if let Some(table) = table {
        for segment in &mut map.segments {
            segment.original_start = table.original(segment.original_start);
            segment.original_end = table.original(segment.original_end);
        }
    }
    Extraction {
        format: Format::Html,
        text,
        map,
        metadata,
        warnings,
    }
}

/// Offsets in the decoded text → offsets in the file, for pages with a BOM or not in UTF-8.
enum Table {
    /// The file has this many bytes (a BOM) before the text.
    Shift(u32),
    /// `(decoded offset, file offset)` at each decoded character.
    Points(Vec<(u32, u32)>),
}

impl Table {
    fn original(&self, decoded: u32) -> u32 {
        match self {
            Table::Shift(shift) => decoded + shift,
            Table::Points(points) => {
                let i = points.partition_point(|p| p.0 <= decoded);
                match i.checked_sub(1).map(|i| points[i]) {
                    Some((d, o)) => o + (decoded - d).min(1),
                    None => 0,
                }
            }
        }
    }
}

/// The page as UTF-8: as it is when it is UTF-8 (BOM dropped), else decoded by its declared charset
/// (Windows-1252 when none), with a table from decoded offsets back to file offsets.
fn decode(bytes: &[u8], warnings: &mut Vec<String>) -> (String, Option<Table>) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        if let Ok(text) = std::str::from_utf8(rest) {
            // Keep offsets: a BOM is three bytes the text does not have.
            return (text.to_string(), Some(Table::Shift(3)));
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), None);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let label = head.find("charset=").and_then(|at| {
        let rest = head[at + 8..].trim_start_matches(['"', '\'']);
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))?;
        Some(rest[..end].to_string())
    });
    let encoding = label
        .as_deref()
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .filter(|e| *e != encoding_rs::UTF_8)
        .unwrap_or(encoding_rs::WINDOWS_1252);
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() * 2);
    let mut points = Vec::new();
    // Decode byte by byte so each character's file offset is known (the byte completing it, for multi-byte
    // charsets; exact for single-byte ones).
    let mut buffer = String::with_capacity(16);
    let mut char_start = 0;
    for read in 0..bytes.len() {
        buffer.clear();
        let last = read + 1 == bytes.len();
        let _ = decoder.decode_to_string(&bytes[read..read + 1], &mut buffer, last);
        if !buffer.is_empty() {
            for c in buffer.chars() {
                points.push((text.len() as u32, char_start as u32));
                text.push(c);
            }
            char_start = read + 1;
        }
    }
    warnings.push(format!(
        "the page is not UTF-8; read as {}",
        encoding.name()
    ));
    (text, Some(Table::Points(points)))
}

/// One word of the page (no white space inside): its pieces of text with their file ranges, and the break
/// before it.
#[derive(Clone, Debug, Default)]
struct Word {
    pieces: Vec<(String, Range<usize>)>,
    before: Option<Break>,
}

impl Word {
    fn text(&self) -> String {
        self.pieces.iter().map(|p| p.0.as_str()).collect()
    }
}

/// The page's words and metadata.
#[derive(Default)]
struct Page {
    words: Vec<Word>,
    metadata: Metadata,
    /// How deep its elements nest, and the sum of their depths (estimated: [`DepthGauge`]).
    depth: usize,
    cost: u64,
}

impl Page {
    /// Whether finding the article would cost minutes: deeper nesting than any real page has (they nest a few
    /// dozen levels), or elements × depth past what a long real page reaches (≈ 50,000 elements 30 deep).
    fn too_deep(&self) -> bool {
        self.depth > MAX_DEPTH || self.cost > MAX_COST
    }
}

const MAX_DEPTH: usize = 1_000;
const MAX_COST: u64 = 20_000_000;

const SKIPPED: &[&[u8]] = &[
    b"script",
    b"style",
    b"noscript",
    b"template",
    b"svg",
    b"math",
    b"iframe",
    b"object",
    b"select",
    b"textarea",
    b"button",
    b"head",
    b"title",
    b"canvas",
    b"video",
    b"audio",
];

const BLOCKS: &[&[u8]] = &[
    b"p",
    b"div",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"li",
    b"ul",
    b"ol",
    b"blockquote",
    b"section",
    b"article",
    b"header",
    b"footer",
    b"nav",
    b"aside",
    b"table",
    b"tr",
    b"td",
    b"th",
    b"thead",
    b"tbody",
    b"dd",
    b"dt",
    b"dl",
    b"figure",
    b"figcaption",
    b"pre",
    b"hr",
    b"form",
    b"main",
    b"address",
    b"details",
    b"summary",
    b"caption",
    b"body",
    b"html",
    b"center",
    b"fieldset",
    b"legend",
    b"menu",
    b"picture",
];

fn tokenize(html: &str) -> Page {
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    emitter.naively_switch_states(true);
    let mut page = Page::default();
    let mut skip: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut skipping = 0usize;
    let mut pending: Option<Break> = Some(Break::Paragraph);
    let mut current = Word::default();
    let mut in_title = false;
    let mut title = String::new();
    let mut in_json_ld = false;
    let mut json_ld: Vec<String> = Vec::new();
    let mut metas: Vec<(String, String)> = Vec::new();
    let mut canonical = None;
    let mut language = None;
    let mut gauge = DepthGauge::default();
    let finish_word = |current: &mut Word, words: &mut Vec<Word>| {
        if !current.pieces.is_empty() {
            words.push(std::mem::take(current));
        }
    };
    for token in Tokenizer::new_with_emitter(html, emitter) {
        let Ok(token) = token;
        match token {
            Token::StartTag(tag) => {
                let name = tag.name.to_ascii_lowercase();
                gauge.start(&name, tag.self_closing);
                let attr = |key: &str| {
                    tag.attributes
                        .get(key.as_bytes())
                        .map(|v| String::from_utf8_lossy(&v.value).into_owned())
                };
                match name.as_slice() {
                    b"html" => language = attr("lang").and_then(|l| clean(&l)),
                    b"title" => in_title = skipping == 0 || skip.keys().all(|k| k == b"head"),
                    b"meta" => {
                        let key = attr("property")
                            .or_else(|| attr("name"))
                            .or_else(|| attr("itemprop"));
                        if let (Some(key), Some(content)) = (key, attr("content")) {
                            metas.push((key.to_ascii_lowercase(), content));
                        }
                    }
                    b"link" => {
                        let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
                        if rel.split_whitespace().any(|r| r == "canonical") {
                            canonical = canonical.or_else(|| attr("href").and_then(|h| clean(&h)));
                        }
                    }
                    b"script" => {
                        in_json_ld = attr("type")
                            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
                    }
                    _ => {}
                }
                if SKIPPED.contains(&name.as_slice()) && !tag.self_closing {
                    *skip.entry(name.clone()).or_default() += 1;
                    skipping += 1;
                }
                if name == b"br" {
                    finish_word(&mut current, &mut page.words);
                    pending = Some(pending.map_or(Break::Line, |p| p.max(Break::Line)));
                } else if BLOCKS.contains(&name.as_slice()) || name == b"img" {
                    finish_word(&mut current, &mut page.words);
                    let kind = if name == b"img" {
                        Break::Space
                    } else {
                        Break::Paragraph
                    };
                    pending = Some(pending.map_or(kind, |p| p.max(kind)));
                }
            }
            Token::EndTag(tag) => {
                let name = tag.name.to_ascii_lowercase();
                gauge.end(&name);
                if name == b"title" {
                    in_title = false;
                }
                if name == b"script" {
                    in_json_ld = false;
                }
                if let Some(count) = skip.get_mut(&name) {
                    if *count > 0 {
                        *count -= 1;
                        skipping -= 1;
                    }
                }
                if BLOCKS.contains(&name.as_slice()) || name == b"br" {
                    finish_word(&mut current, &mut page.words);
                    let kind = if name == b"br" {
                        Break::Line
                    } else {
                        Break::Paragraph
                    };
                    pending = Some(pending.map_or(kind, |p| p.max(kind)));
                }
            }
            Token::String(value) => {
                let decoded = String::from_utf8_lossy(&value.value);
                if in_title {
                    title.push_str(&decoded);
                }
                if in_json_ld {
                    json_ld.push(decoded.into_owned());
                    continue;
                }
                if skipping > 0 {
                    continue;
                }
                let span = value.span.start..value.span.end;
                let raw = html.get(span.clone()).unwrap_or("");
                for (piece, range) in pieces(raw, &decoded, span.start) {
                    // Split the piece at white space into words.
                    let mut start = None;
                    let flush = |from: usize,
                                 to: usize,
                                 current: &mut Word,
                                 pending: &mut Option<Break>| {
                        let text = &piece[from..to];
                        let original = if piece.len() == range.len() {
                            range.start + from..range.start + to
                        } else {
                            range.clone()
                        };
                        if current.pieces.is_empty() {
                            current.before = pending.take();
                        }
                        current.pieces.push((text.to_string(), original));
                    };
                    for (i, c) in piece.char_indices() {
                        if c.is_whitespace() {
                            if let Some(s) = start.take() {
                                flush(s, i, &mut current, &mut pending);
                            }
                            finish_word(&mut current, &mut page.words);
                            pending = Some(pending.map_or(Break::Space, |p| p.max(Break::Space)));
                        } else if start.is_none() {
                            start = Some(i);
                        }
                    }
                    if let Some(s) = start {
                        flush(s, piece.len(), &mut current, &mut pending);
                    }
                }
            }
            _ => {}
        }
    }
    finish_word(&mut current, &mut page.words);
    page.metadata = metadata(&title, &metas, canonical, language, &json_ld);
    page.depth = gauge.max();
    page.cost = gauge.cost();
    page
}

/// A text node's decoded text split into pieces with their file ranges: stretches copied as they are, and
/// each decoded character reference with the bytes it was written as.
fn pieces(raw: &str, decoded: &str, base: usize) -> Vec<(String, Range<usize>)> {
    if raw == decoded {
        return vec![(decoded.to_string(), base..base + raw.len())];
    }
    let mut out: Vec<(String, Range<usize>)> = Vec::new();
    let (mut r, mut d) = (0usize, 0usize);
    let mut copied_from: Option<(usize, usize)> = None;
    let close = |out: &mut Vec<(String, Range<usize>)>,
                 from: Option<(usize, usize)>,
                 r: usize,
                 d: usize| {
        if let Some((r0, d0)) = from {
            if d > d0 {
                out.push((decoded[d0..d].to_string(), base + r0..base + r));
            }
        }
    };
    while r < raw.len() && d < decoded.len() {
        let rc = raw[r..].chars().next().unwrap_or('\0');
        let dc = decoded[d..].chars().next().unwrap_or('\0');
        if rc == '&' {
            if let Some((raw_len, dec_len)) = entity(&raw[r..], &decoded[d..]) {
                close(&mut out, copied_from.take(), r, d);
                out.push((
                    decoded[d..d + dec_len].to_string(),
                    base + r..base + r + raw_len,
                ));
                r += raw_len;
                d += dec_len;
                continue;
            }
        }
        if rc == dc {
            if copied_from.is_none() {
                copied_from = Some((r, d));
            }
            r += rc.len_utf8();
            d += dc.len_utf8();
        } else if rc == '\r' {
            close(&mut out, copied_from.take(), r, d);
            r += 1;
            if dc == '\n' && !raw[r..].starts_with('\n') {
                out.push(("\n".to_string(), base + r - 1..base + r));
                d += 1;
            }
        } else {
            // Out of step (NUL replaced, an unknown construct): the rest maps as a whole.
            close(&mut out, copied_from.take(), r, d);
            out.push((decoded[d..].to_string(), base + r..base + raw.len()));
            return out;
        }
    }
    close(&mut out, copied_from.take(), r, d);
    if d < decoded.len() {
        out.push((
            decoded[d..].to_string(),
            base + r.min(raw.len())..base + raw.len(),
        ));
    }
    out
}

/// A character reference at the start of `raw` and the characters it decoded to at the start of `decoded`:
/// `(raw bytes, decoded bytes)`. `None` when the `&` is literal.
fn entity(raw: &str, decoded: &str) -> Option<(usize, usize)> {
    let agrees = |r: &str, d: &str| -> bool {
        let r: String = r
            .chars()
            .take_while(|&c| c != '&' && c != '\r')
            .take(8)
            .collect();
        d.starts_with(r.as_str())
    };
    if decoded.starts_with('&') && agrees(&raw[1..], &decoded[1..]) {
        return None;
    }
    let limit = raw
        .char_indices()
        .skip(1)
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '#' || c == ';'))
        .map_or(raw.len(), |(i, _)| i)
        .min(40);
    let ends: Vec<usize> = match raw[..limit].find(';') {
        Some(semicolon) => std::iter::once(semicolon + 1)
            .chain((2..=semicolon).rev())
            .collect(),
        None => (2..=limit).rev().collect(),
    };
    for raw_len in ends {
        let mut dec_len = 0;
        for _ in 0..2 {
            dec_len += decoded[dec_len..].chars().next()?.len_utf8();
            if agrees(&raw[raw_len..], &decoded[dec_len..]) {
                return Some((raw_len, dec_len));
            }
        }
    }
    None
}

/// The article as the main-content extractor sees it.
struct Article {
    text: String,
    title: Option<String>,
    byline: Option<String>,
    site: Option<String>,
    date: Option<String>,
}

fn main_text(html: &str, url: Option<&str>) -> Option<Article> {
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let mut readability = dom_smoothie::Readability::new(html, url, None).ok()?;
    // Readability.js's reader-mode test: no paragraph of article length, and little text chosen, means a
    // section front, a list of links or a cookie wall — no article to quote, rather than its menus.
    let readable = readability.is_probably_readable();
    let article = readability.parse().ok()?;
    if !readable && article.text_content.split_whitespace().count() < 60 {
        return None;
    }
    Some(Article {
        text: article.text_content.to_string(),
        title: clean(&article.title),
        byline: article.byline.as_deref().and_then(clean),
        site: article.site_name.as_deref().and_then(clean),
        date: article.published_time.as_deref().and_then(clean),
    })
}

/// Alphanumeric tokens of a text, lowercased, each with the index of what it came from.
fn tokens<'a>(texts: impl Iterator<Item = (usize, &'a str)>) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (index, text) in texts {
        let mut token = String::new();
        for c in text.chars() {
            if c.is_alphanumeric() {
                token.extend(c.to_lowercase());
            } else if !token.is_empty() {
                out.push((std::mem::take(&mut token), index));
            }
        }
        if !token.is_empty() {
            out.push((token, index));
        }
    }
    out
}

/// Which of the page's words the article's text is made of: runs of at least three tokens shared in order,
/// extended word by word, each searched after the previous one.
fn align(words: &[Word], article: &str) -> Vec<bool> {
    const K: usize = 3;
    let texts: Vec<String> = words.iter().map(Word::text).collect();
    let page = tokens(texts.iter().enumerate().map(|(i, t)| (i, t.as_str())));
    let article: Vec<String> = tokens(std::iter::once((0, article)))
        .into_iter()
        .map(|t| t.0)
        .collect();
    let mut selected = vec![false; words.len()];
    if page.is_empty() || article.is_empty() {
        return selected;
    }
    let key = |tokens: &[String]| tokens.join("\u{1}");
    let mut starts: HashMap<String, Vec<usize>> = HashMap::new();
    if page.len() >= K {
        for i in 0..=page.len() - K {
            let window: Vec<String> = page[i..i + K].iter().map(|t| t.0.clone()).collect();
            starts.entry(key(&window)).or_default().push(i);
        }
    }
    let (mut a, mut cursor) = (0usize, 0usize);
    while a < article.len() {
        let found = if a + K <= article.len() {
            starts.get(&key(&article[a..a + K])).and_then(|positions| {
                let i = positions.partition_point(|&p| p < cursor);
                positions.get(i).copied()
            })
        } else {
            // The article's last words: the next occurrence close by.
            (cursor..page.len().min(cursor + 8)).find(|&p| page[p].0 == article[a])
        };
        match found {
            Some(mut p) => {
                while a < article.len() && p < page.len() && page[p].0 == article[a] {
                    selected[page[p].1] = true;
                    a += 1;
                    p += 1;
                }
                cursor = p;
            }
            None => a += 1,
        }
    }
    // Words without tokens (dashes, quote marks) and stray unmatched words between two chosen words of one
    // block belong with them.
    let mut i = 0;
    while i < words.len() {
        if selected[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < words.len() && !selected[i] {
            i += 1;
        }
        let inside = start > 0 && i < words.len();
        let short = i - start <= 2;
        let same_block = (start..=i.min(words.len() - 1))
            .all(|w| words[w].before.is_none_or(|b| b < Break::Paragraph));
        let tokenless = (start..i).all(|w| !texts[w].chars().any(char::is_alphanumeric));
        if inside && same_block && (short || tokenless) {
            selected[start..i].iter_mut().for_each(|s| *s = true);
        }
    }
    selected
}

/// The chosen words with the page's breaks between them; a gap of unchosen words is a paragraph break.
fn write(page: &Page, selected: &[bool]) -> (String, super::OffsetMap) {
    let mut builder = TextBuilder::new();
    let mut last: Option<usize> = None;
    for (i, word) in page.words.iter().enumerate() {
        if !selected[i] {
            continue;
        }
        if let Some(last) = last {
            let mut kind = Break::None;
            for w in last + 1..=i {
                kind = kind.max(page.words[w].before.unwrap_or(Break::None));
            }
            if i > last + 1 {
                kind = Break::Paragraph;
            }
            builder.brk(kind);
        }
        for (text, range) in &word.pieces {
            builder.push_mapped(text, range.clone());
        }
        last = Some(i);
    }
    builder.finish()
}

/// The page's metadata: JSON-LD article first, then Open Graph / `article:*` / named meta tags, then
/// `<title>`.
fn metadata(
    title: &str,
    metas: &[(String, String)],
    canonical: Option<String>,
    language: Option<String>,
    json_ld: &[String],
) -> Metadata {
    let meta = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|key| metas.iter().find(|(k, v)| k == key && !v.trim().is_empty()))
            .and_then(|(_, v)| clean(v))
    };
    let ld = json_ld.iter().find_map(|text| {
        let value: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
        find_article(&value, 0).cloned()
    });
    let ld_text = |key: &str| -> Option<String> {
        let value = ld.as_ref()?.get(key)?;
        name_of(value)
    };
    let not_url = |s: String| (!s.starts_with("http")).then_some(s);
    Metadata {
        title: ld_text("headline")
            .or_else(|| meta(&["og:title", "twitter:title"]))
            .or_else(|| clean(title)),
        author: ld_text("author").or_else(|| {
            meta(&[
                "author",
                "article:author",
                "byl",
                "dc.creator",
                "parsely-author",
                "sailthru.author",
            ])
            .and_then(not_url)
        }),
        date: ld_text("datePublished").or_else(|| {
            meta(&[
                "article:published_time",
                "datepublished",
                "date",
                "dc.date",
                "pubdate",
                "publishdate",
                "parsely-pub-date",
                "sailthru.date",
            ])
        }),
        site: meta(&["og:site_name", "application-name"]).or_else(|| ld_text("publisher")),
        url: canonical
            .or_else(|| meta(&["og:url"]))
            .or_else(|| ld_text("url")),
        language,
    }
}

/// The first JSON-LD object whose `@type` is an article kind, searched through arrays and `@graph`.
fn find_article(value: &serde_json::Value, depth: usize) -> Option<&serde_json::Value> {
    if depth > 6 {
        return None;
    }
    match value {
        serde_json::Value::Array(items) => items.iter().find_map(|v| find_article(v, depth + 1)),
        serde_json::Value::Object(map) => {
            let is_article = |t: &serde_json::Value| {
                t.as_str()
                    .is_some_and(|t| t.ends_with("Article") || t == "BlogPosting" || t == "Report")
            };
            let typed = match map.get("@type") {
                Some(serde_json::Value::Array(types)) => types.iter().any(is_article),
                Some(t) => is_article(t),
                None => false,
            };
            if typed {
                return Some(value);
            }
            map.get("@graph").and_then(|g| find_article(g, depth + 1))
        }
        _ => None,
    }
}

/// A JSON-LD value as text: a string, an object's `name`, or the names of an array joined by commas.
fn name_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => clean(s),
        serde_json::Value::Object(map) => map.get("name").and_then(name_of),
        serde_json::Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(name_of).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html lang="en"><head><title>Budget vote | The Daily</title>
<meta property="og:site_name" content="The Daily">
<meta property="article:published_time" content="2024-03-01T09:00:00Z">
<link rel="canonical" href="https://daily.example/budget">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Budget passes","author":[{"@type":"Person","name":"Ann Lee"}]}</script>
<style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Budget passes</h1>
<p>The finance minister said on Monday that the government would &ldquo;not raise taxes this year&rdquo;, a pledge
that surprised economists who had expected an increase in the value added tax.</p>
<p>&ldquo;We have made our choices and we will stand by them,&rdquo; she told reporters outside the
parliament building, adding that spending on schools<br>would rise by <b>four</b> percent.</p>
<p>Opposition leaders called the plan reckless and promised to vote against it when the bill returns to the
chamber next month for its final reading, which is expected to be close.</p>
</article>
<aside><h2>Related</h2><ul><li><a href="/a">Ten things you missed this week in politics</a></li></ul></aside>
<footer>Copyright 2024 The Daily. All rights reserved. Cookie settings.</footer>
<script>var x = "<p>not text</p>";</script></body></html>"#;

    #[test]
    fn article_text_maps_back_into_the_page() {
        let e = extract(PAGE.as_bytes());
        assert!(
            e.text.contains(
                "would \u{201c}not raise taxes this year\u{201d}, a pledge that surprised"
            ),
            "{}",
            e.text
        );
        assert!(
            e.text
                .contains("spending on schools\nwould rise by four percent."),
            "{}",
            e.text
        );
        assert!(!e.text.contains("Home"));
        assert!(!e.text.contains("Copyright"));
        assert!(!e.text.contains("not text"));
        assert!(!e.text.contains("color"));
        let at = e.text.find("not raise").unwrap();
        assert_eq!(&PAGE[e.map.original_range(at..at + 9)], "not raise");
        let open = e.text.find('\u{201c}').unwrap();
        assert_eq!(&PAGE[e.map.original_range(open..open + 3)], "&ldquo;");
        let four = e.text.find("four").unwrap();
        assert_eq!(&PAGE[e.map.original_range(four..four + 4)], "four");
        assert_eq!(e.metadata.title.as_deref(), Some("Budget passes"));
        assert_eq!(e.metadata.author.as_deref(), Some("Ann Lee"));
        assert_eq!(e.metadata.site.as_deref(), Some("The Daily"));
        assert_eq!(e.metadata.date.as_deref(), Some("2024-03-01T09:00:00Z"));
        assert_eq!(
            e.metadata.url.as_deref(),
            Some("https://daily.example/budget")
        );
        assert_eq!(e.metadata.language.as_deref(), Some("en"));
    }

    #[test]
    fn entity_alignment() {
        let raw = "a &amp; b &ldquo;c&rdquo; AT&T &notit; x&#8212;y";
        let decoded = "a & b \u{201c}c\u{201d} AT&T \u{ac}it; x\u{2014}y";
        let pieces = pieces(raw, decoded, 0);
        let rebuilt: String = pieces.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(rebuilt, decoded);
        for (text, range) in &pieces {
            if text == "\u{201c}" {
                assert_eq!(&raw[range.clone()], "&ldquo;");
            }
            if text == "\u{2014}" {
                assert_eq!(&raw[range.clone()], "&#8212;");
            }
        }
    }

    #[test]
    fn boilerplate_only_page_warns() {
        let e = extract(b"<html><body><nav><a href='/'>Home</a></nav><footer>Cookie settings</footer></body></html>");
        assert!(
            e.warnings.iter().any(|w| w.contains("no article text")),
            "{:?} {:?}",
            e.text,
            e.warnings
        );
    }

    #[test]
    fn windows_1252_offsets() {
        let mut bytes =
            b"<html><head><meta charset=windows-1252></head><body><article><p>".to_vec();
        let start = bytes.len();
        bytes.extend_from_slice(b"Caf\xe9 society is said to be the place where the long conversations of the city happen every single day of the week and the year.");
        // An article's length: a shorter page reads as a section front (see `main_text`).
        for _ in 0..3 {
            bytes.extend_from_slice(b" The long conversations of the city happen in its cafes every single day of the week and the year.");
        }
        bytes.extend_from_slice(b"</p></article></body></html>");
        let e = extract(&bytes);
        assert!(e.text.starts_with("Café society"), "{:?}", e.text);
        let at = e.text.find("society").unwrap();
        assert_eq!(e.map.original_range(at..at + 7), start + 5..start + 12);
    }
}
