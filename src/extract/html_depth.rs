//! How deep a web page nests its elements, estimated from its tags in one bounded pass, so a page built to
//! make the article finder quadratic is read another way.
//!
//! The Readability algorithm (`dom_smoothie`, as Readability.js) measures the text under every candidate
//! node, which costs the number of elements times their depth: a page of a few thousand tables each inside the
//! last takes seconds, a few hundred kilobytes of them minutes. Real pages nest a few dozen levels. The gauge
//! keeps a stack of open elements as a browser would in the common cases — void elements are never open, an
//! end tag closes the nearest open element of its name, and the elements whose end tag HTML lets an author
//! leave out (`p`, `li`, `dt`/`dd`, `tr`, `td`/`th`, `option`, …) are closed by the next one, as the parser
//! does — so a long table or list whose cells are never closed is not mistaken for depth. Each search looks
//! at the top [`LOOK`] elements only, so the pass stays linear.

/// Elements that never hold others.
const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"keygen",
    b"basefont",
    b"bgsound",
    b"frame",
];

/// Starting a block closes an open `p` (the paragraph cannot hold it).
const CLOSES_P: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"center",
    b"details",
    b"dialog",
    b"dir",
    b"div",
    b"dl",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"footer",
    b"form",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"header",
    b"hgroup",
    b"hr",
    b"main",
    b"menu",
    b"nav",
    b"ol",
    b"p",
    b"pre",
    b"section",
    b"summary",
    b"table",
    b"ul",
    b"li",
    b"dd",
    b"dt",
];

/// How far down the stack an implied end or an end tag is looked for.
const LOOK: usize = 16;

#[derive(Debug, Default)]
pub struct DepthGauge {
    /// The open elements: name, and whether it is SVG or MathML content (where `<x/>` closes itself; in HTML
    /// the slash is ignored and the element stays open).
    open: Vec<(Vec<u8>, bool)>,
    max: usize,
    /// The sum of every element's depth: what finding the article costs (each element's text is measured
    /// once for every ancestor).
    cost: u64,
}

impl DepthGauge {
    /// The deepest nesting seen so far.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The sum of the depths of the elements seen so far.
    pub fn cost(&self) -> u64 {
        self.cost
    }

    /// A start tag, its name lowercased.
    pub fn start(&mut self, name: &[u8], self_closing: bool) {
        if VOID.contains(&name) {
            return;
        }
        if CLOSES_P.contains(&name) {
            self.close_nearest(&[b"p"], &[b"table", b"td", b"th", b"button"]);
        }
        match name {
            b"li" => self.close_nearest(&[b"li"], &[b"ul", b"ol", b"menu"]),
            b"dt" | b"dd" => self.close_nearest(&[b"dt", b"dd"], &[b"dl"]),
            b"tr" => self.close_nearest(&[b"tr"], &[b"table"]),
            b"td" | b"th" => self.close_nearest(&[b"td", b"th"], &[b"tr", b"table"]),
            b"thead" | b"tbody" | b"tfoot" => {
                self.close_nearest(&[b"thead", b"tbody", b"tfoot"], &[b"table"])
            }
            b"option" => self.close_nearest(&[b"option"], &[b"select", b"datalist"]),
            b"optgroup" => self.close_nearest(&[b"optgroup", b"option"], &[b"select"]),
            b"rb" | b"rt" | b"rp" | b"rtc" => {
                self.close_nearest(&[b"rb", b"rt", b"rp", b"rtc"], &[b"ruby"])
            }
            _ => {}
        }
        let foreign =
            matches!(name, b"svg" | b"math") || self.open.last().is_some_and(|open| open.1);
        if self_closing && foreign {
            return;
        }
        self.open.push((name.to_vec(), foreign));
        self.max = self.max.max(self.open.len());
        self.cost += self.open.len() as u64;
    }

    /// An end tag, its name lowercased: closes the nearest open element of that name (and what is open inside
    /// it); a stray end tag closes nothing.
    pub fn end(&mut self, name: &[u8]) {
        self.close_nearest(&[name], &[]);
    }

    /// Closes the nearest open element named in `names` (and everything open inside it) unless one named in
    /// `barriers` is nearer, looking at the top [`LOOK`] elements only.
    fn close_nearest(&mut self, names: &[&[u8]], barriers: &[&[u8]]) {
        let found = self.open.iter().rev().take(LOOK).position(|(open, _)| {
            names.contains(&open.as_slice()) || barriers.contains(&open.as_slice())
        });
        if let Some(from_top) = found {
            let index = self.open.len() - 1 - from_top;
            if names.contains(&self.open[index].0.as_slice()) {
                self.open.truncate(index);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(tags: &[&str]) -> usize {
        let mut gauge = DepthGauge::default();
        for tag in tags {
            match tag.strip_prefix('/') {
                Some(name) => gauge.end(name.as_bytes()),
                None => gauge.start(tag.as_bytes(), false),
            }
        }
        gauge.max()
    }

    #[test]
    fn unclosed_cells_items_and_paragraphs_are_not_depth() {
        let mut table = vec!["html", "body", "table"];
        for _ in 0..1000 {
            table.extend(["tr", "td", "b", "/b", "td", "th"]);
        }
        assert_eq!(depth(&table), 6, "html body table tr td b");
        let mut list = vec!["html", "body", "ul"];
        for _ in 0..1000 {
            list.extend(["li", "p", "br", "img"]);
        }
        assert_eq!(depth(&list), 5, "html body ul li p");
        let mut paragraphs = vec!["html", "body"];
        for _ in 0..1000 {
            paragraphs.extend(["p", "i", "/i", "div", "/div"]);
        }
        assert_eq!(depth(&paragraphs), 4);
    }

    #[test]
    fn a_slash_closes_only_svg_and_mathml_elements() {
        let mut gauge = DepthGauge::default();
        gauge.start(b"body", false);
        gauge.start(b"svg", false);
        for _ in 0..1000 {
            gauge.start(b"path", true);
        }
        gauge.end(b"svg");
        assert_eq!(gauge.max(), 2);
        for _ in 0..1000 {
            gauge.start(b"table", true);
        }
        assert_eq!(gauge.max(), 1001, "HTML ignores the slash of <table/>");
    }

    #[test]
    fn real_nesting_is_counted() {
        let mut nested = vec!["html", "body"];
        for _ in 0..500 {
            nested.extend(["table", "tr", "td"]);
        }
        assert_eq!(depth(&nested), 2 + 1500);
        let mut divs = vec!["html", "body"];
        divs.extend(std::iter::repeat_n("div", 300));
        divs.extend(std::iter::repeat_n("/div", 300));
        divs.extend(std::iter::repeat_n("div", 10));
        assert_eq!(depth(&divs), 302);
    }
}
