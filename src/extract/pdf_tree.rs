//! The shapes of a damaged or hostile PDF that would make the PDF library loop forever, overflow its stack or
//! redo the same work exponentially, found and defused before it reads a page.
//!
//! `pdf-extract` follows a page's `/Parent` chain to find inherited resources and media box, and draws a form
//! (`/XObject` invoked by `Do`) by recursing into its content. A `/Parent` chain that comes back on itself
//! loops forever (the recursion is a tail call: no stack overflow, a core spinning for good); a form that draws
//! itself, directly or through others, overflows the stack, which no `catch_unwind` can catch; forms that each
//! draw the next one twice ("billion laughs") take exponential time. A caught panic or the server's time budget
//! cannot stop any of these, so they are checked here, on the parsed document, before a page is read:
//! a `/Parent` cycle is cut (the page keeps its own entries and its text), a page whose drawing refers to itself
//! or nests forms past a budget is not read, with a reason.

use std::collections::HashSet;

use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, Object, ObjectId};

/// Deeper form nesting than any real document uses: a page past it is refused.
const MAX_FORM_DEPTH: usize = 32;
/// Form invocations followed per page (over all nesting levels) before the page is refused as too costly.
const MAX_FORM_VISITS: usize = 4_000;
/// Longest `/Parent` chain followed; a real page tree is a few levels deep.
const MAX_PARENT_DEPTH: usize = 64;

/// Cuts every `/Parent` chain of the given pages that comes back on itself (or runs past any real depth) at the
/// object where it closes. Returns how many chains were cut.
pub fn cut_parent_cycles(doc: &mut Document, pages: &[ObjectId]) -> usize {
    let mut cut = 0;
    for &page in pages {
        let mut seen = HashSet::new();
        let mut current = page;
        loop {
            seen.insert(current);
            let parent = doc
                .get_object(current)
                .ok()
                .and_then(|object| object.as_dict().ok())
                .and_then(|dict| dict.get(b"Parent").ok())
                .and_then(|parent| parent.as_reference().ok());
            let Some(next) = parent else { break };
            if seen.contains(&next) || seen.len() > MAX_PARENT_DEPTH {
                if let Ok(dict) = doc
                    .get_object_mut(current)
                    .and_then(|object| object.as_dict_mut())
                {
                    dict.remove(b"Parent");
                }
                cut += 1;
                break;
            }
            current = next;
        }
    }
    cut
}

/// Why the page's drawing cannot be followed safely (a form that draws itself, nesting past
/// [`MAX_FORM_DEPTH`], more than [`MAX_FORM_VISITS`] form invocations), or `None` when it can. Follows `Do` the
/// way `pdf-extract` does: a form's own `/Resources`, else its caller's.
pub fn unsafe_drawing(doc: &Document, page: ObjectId) -> Option<&'static str> {
    let page_dict = doc.get_dictionary(page).ok()?;
    let resources = inherited_resources(doc, page_dict);
    let content = doc.get_page_content(page).ok()?;
    let mut stack = Vec::new();
    let mut visits = 0;
    walk(doc, &content, resources, &mut stack, &mut visits).err()
}

/// The page's `/Resources`, its own or the nearest ancestor's (chains already cut by [`cut_parent_cycles`];
/// the depth bound still holds for a chain through objects that are not pages).
fn inherited_resources<'a>(doc: &'a Document, page: &'a Dictionary) -> Option<&'a Dictionary> {
    let mut dict = page;
    for _ in 0..=MAX_PARENT_DEPTH {
        if let Some(resources) = dict
            .get(b"Resources")
            .ok()
            .and_then(|o| as_dictionary(doc, o))
        {
            return Some(resources);
        }
        dict = dict
            .get(b"Parent")
            .ok()
            .and_then(|o| as_dictionary(doc, o))?;
    }
    None
}

/// The object as a dictionary, through a few references.
fn as_dictionary<'a>(doc: &'a Document, mut object: &'a Object) -> Option<&'a Dictionary> {
    for _ in 0..8 {
        match object {
            Object::Reference(id) => object = doc.get_object(*id).ok()?,
            Object::Dictionary(dict) => return Some(dict),
            _ => return None,
        }
    }
    None
}

fn walk(
    doc: &Document,
    content: &[u8],
    resources: Option<&Dictionary>,
    stack: &mut Vec<ObjectId>,
    visits: &mut usize,
) -> Result<(), &'static str> {
    // Most content draws no form: skip decoding it.
    if !content.windows(2).any(|w| w == b"Do") {
        return Ok(());
    }
    let Ok(decoded) = Content::decode(content) else {
        return Ok(());
    };
    let xobjects = resources
        .and_then(|r| r.get(b"XObject").ok())
        .and_then(|o| as_dictionary(doc, o));
    for operation in decoded.operations.iter().filter(|op| op.operator == "Do") {
        *visits += 1;
        if *visits > MAX_FORM_VISITS {
            return Err("it draws too many nested forms");
        }
        let Some(name) = operation.operands.first().and_then(|o| o.as_name().ok()) else {
            continue;
        };
        let Some(Ok(id)) = xobjects
            .and_then(|x| x.get(name).ok())
            .map(|o| o.as_reference())
        else {
            // A form written inline (not by reference) cannot refer back to itself.
            continue;
        };
        if stack.contains(&id) {
            return Err("a form on it draws itself");
        }
        if stack.len() >= MAX_FORM_DEPTH {
            return Err("its forms are nested too deeply");
        }
        let Ok(stream) = doc.get_object(id).and_then(|o| o.as_stream()) else {
            continue;
        };
        let own = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|o| as_dictionary(doc, o));
        let data = if stream.filters().is_ok() {
            stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone())
        } else {
            stream.content.clone()
        };
        stack.push(id);
        walk(doc, &data, own.or(resources), stack, visits)?;
        stack.pop();
    }
    Ok(())
}
