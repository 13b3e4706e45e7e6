//! Names compared as people write them: titles and suffixes stripped, a surname equal to the full name
//! (`Putin`, `Vladimir Putin`, `President Putin`), given names compared only when both sides give one.

use super::lexicon::{is_name_suffix, is_particle, is_surname_title, is_title};

/// A person's name split into the words that qualify it (titles, roles, nationality) and the name proper.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonName {
    /// Lowercase words before the name proper (`russian`, `president`).
    pub descriptors: Vec<String>,
    /// The given names (`Vladimir`), possibly empty.
    pub given: Vec<String>,
    /// The surname, lowercase (`putin`): the comparison key.
    pub surname: String,
}

/// A word without its possessive ending (`Trump’s`, `Trump's` → `Trump`).
pub fn without_possessive(word: &str) -> &str {
    word.trim_end_matches("’s").trim_end_matches("'s")
}

/// Folds a word for comparison: lowercase, no possessive, no periods, ASCII apostrophes.
pub fn fold(word: &str) -> String {
    let word = without_possessive(word).trim_end_matches(['’', '\'']);
    word.chars()
        .filter(|c| *c != '.')
        .flat_map(char::to_lowercase)
        .map(|c| if c == '’' { '\'' } else { c })
        .collect()
}

/// Splits a written name (`Russian President Vladimir Putin`, `Ms Okafor`, `Hugh Hill Jr.`) into descriptors,
/// given names and surname. `None` when nothing name-like is left.
pub fn parse_name(words: &[&str]) -> Option<PersonName> {
    let mut words: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !w.is_empty() && *w != "." && *w != ",")
        .collect();
    while words.last().is_some_and(|w| is_name_suffix(w)) && words.len() > 1 {
        words.pop();
    }
    // A title that is also a surname ends a name after a given name (`Charlie King`, `Lucy Bishop`): it is the
    // name, not a title before it.
    let titled = match words.as_slice() {
        [.., given, last]
            if is_surname_title(&fold(last))
                && given.chars().next().is_some_and(char::is_uppercase)
                && !is_title(&fold(given)) =>
        {
            words.len() - 1
        }
        // `Mr. King`: an honorific before the surname-title.
        [.., honorific, last]
            if is_surname_title(&fold(last))
                && matches!(
                    fold(honorific).as_str(),
                    "mr" | "mrs" | "ms" | "miss" | "mx" | "dr" | "prof" | "sir" | "dame"
                ) =>
        {
            words.len() - 1
        }
        _ => words.len(),
    };
    // The name proper starts after the last title-like or lowercase word.
    let start = words[..titled]
        .iter()
        .rposition(|w| {
            let folded = fold(w);
            (is_title(&folded) && words.len() > 1)
                || (w.chars().next().is_some_and(char::is_lowercase) && !is_particle(w))
        })
        .map_or(0, |i| i + 1);
    if start >= words.len() {
        return None;
    }
    let descriptors = words[..start].iter().map(|w| fold(w)).collect();
    let proper = &words[start..];
    // A surname may carry particles (`von der Leyen`): they join it.
    let surname_start = proper
        .iter()
        .position(|w| is_particle(w))
        .filter(|&i| i > 0)
        .unwrap_or(proper.len() - 1);
    let surname = proper[surname_start..]
        .iter()
        .map(|w| fold(w))
        .collect::<Vec<_>>()
        .join(" ");
    let given = proper[..surname_start].iter().map(|w| fold(w)).collect();
    if surname.is_empty() {
        return None;
    }
    Some(PersonName {
        descriptors,
        given,
        surname,
    })
}

/// Whether two names may be the same person: the same surname, and a given name in common when both sides
/// give one (equal, a short form, or an initial of the first). Any full given name counts, not only the first: a written name
/// may keep capitalised words before the name proper that are no names (`Browns DL Sheldon Richardson`, `Hall of
/// Famer Jim Brown`), and middle names come and go (`John Fitzgerald Kennedy`, `John Kennedy`).
pub fn same_person(a: &PersonName, b: &PersonName) -> bool {
    if a.surname != b.surname {
        return false;
    }
    if a.given.is_empty() || b.given.is_empty() {
        return true;
    }
    if same_given(&a.given[0], &b.given[0], true) {
        return true;
    }
    a.given
        .iter()
        .any(|x| b.given.iter().any(|y| same_given(x, y, false)))
}

/// Two given names that may name the same person: equal, a short form of it, or (`initials`, first given names
/// only) one the other's initial. A middle initial alone proves nothing: `John F. Kennedy`, `Robert F. Kennedy`.
fn same_given(x: &str, y: &str, initials: bool) -> bool {
    let initial = |s: &str| s.chars().count() == 1;
    if initial(x) || initial(y) {
        return initials && (y.starts_with(x) || x.starts_with(y));
    }
    x == y || nickname(x, y)
}

/// A few frequent short forms of given names.
fn nickname(a: &str, b: &str) -> bool {
    const PAIRS: &[(&str, &str)] = &[
        ("bill", "william"),
        ("bob", "robert"),
        ("rob", "robert"),
        ("mike", "michael"),
        ("jim", "james"),
        ("joe", "joseph"),
        ("tom", "thomas"),
        ("dick", "richard"),
        ("rick", "richard"),
        ("dan", "daniel"),
        ("dave", "david"),
        ("steve", "stephen"),
        ("steve", "steven"),
        ("chris", "christopher"),
        ("liz", "elizabeth"),
        ("beth", "elizabeth"),
        ("kate", "katherine"),
        ("kate", "catherine"),
        ("tony", "anthony"),
        ("ted", "edward"),
        ("ed", "edward"),
        ("ted", "theodore"),
        ("alex", "alexander"),
        ("sam", "samuel"),
        ("ben", "benjamin"),
        ("matt", "matthew"),
        ("nick", "nicholas"),
        ("jeff", "jeffrey"),
        ("greg", "gregory"),
        ("andy", "andrew"),
        ("pat", "patrick"),
        ("pat", "patricia"),
        ("sue", "susan"),
        ("jen", "jennifer"),
        ("jenny", "jennifer"),
        ("becky", "rebecca"),
        ("meg", "margaret"),
        ("peggy", "margaret"),
        ("don", "donald"),
        ("ron", "ronald"),
        ("larry", "lawrence"),
        ("jerry", "gerald"),
        ("hank", "henry"),
        ("harry", "henry"),
        ("chuck", "charles"),
        ("charlie", "charles"),
        ("jack", "john"),
    ];
    PAIRS
        .iter()
        .any(|&(x, y)| (x == a && y == b) || (x == b && y == a))
}

/// The name as one key: surname (and first given name when there is one), for display and JSON.
pub fn key(name: &PersonName) -> String {
    name.surname.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> PersonName {
        parse_name(&s.split(' ').collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn titles_are_stripped_and_surnames_match_full_names() {
        let putin = name("Russian President Vladimir Putin");
        assert_eq!(putin.surname, "putin");
        assert_eq!(putin.descriptors, ["russian", "president"]);
        assert!(same_person(&putin, &name("Putin")));
        assert!(same_person(&putin, &name("President Putin")));
        assert!(same_person(&name("Ms Okafor"), &name("Amara Okafor")));
        assert!(!same_person(&name("Ms Okafor"), &name("Mr Lindqvist")));
        assert!(!same_person(
            &name("Hillary Clinton"),
            &name("Bill Clinton")
        ));
        assert!(same_person(&name("Bill Clinton"), &name("William Clinton")));
        assert!(same_person(&name("Hugh Hill Jr."), &name("Dr. Hill")));
        assert_eq!(name("Ursula von der Leyen").surname, "von der leyen");
        // Capitalised words before the name proper that are no given names, and middle names.
        let richardson = name("Browns DL Sheldon Richardson");
        assert!(same_person(&richardson, &name("Sheldon Richardson")));
        assert!(same_person(&richardson, &name("Richardson")));
        assert!(!same_person(&richardson, &name("Trent Richardson")));
        assert!(same_person(
            &name("John Fitzgerald Kennedy"),
            &name("John Kennedy")
        ));
        assert!(same_person(&name("George W. Bush"), &name("George Bush")));
        assert!(!same_person(&name("George W. Bush"), &name("Jeb Bush")));
        assert!(!same_person(
            &name("John F. Kennedy"),
            &name("Robert F. Kennedy")
        ));
        assert!(same_person(&name("J. F. Kennedy"), &name("John Kennedy")));
        assert_eq!(name("Trump's").surname, "trump");
    }
}
