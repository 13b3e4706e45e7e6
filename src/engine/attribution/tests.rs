//! Speaker finding on small news-style texts, one pattern per test.
use super::*;

/// The speaker (as written) and resolved name of each quote of a plain text.
fn speakers(text: &str) -> Vec<Option<(String, String)>> {
    let attributor = Attributor::new(text, TextFormat::PlainText);
    attributor
        .quotes()
        .map(|(_, a)| a.map(|a| (a.speaker.clone(), a.name.clone())))
        .collect()
}

fn first(text: &str) -> (String, String) {
    speakers(text)
        .into_iter()
        .next()
        .flatten()
        .unwrap_or_else(|| panic!("no speaker in {text}"))
}

#[test]
fn speaker_after_the_quote() {
    assert_eq!(
        first("\"We will not pay for this,\" Ms Okafor said.").0,
        "Ms Okafor"
    );
    assert_eq!(
        first("\"We will not pay for this,\" said Amara Okafor.").0,
        "Amara Okafor"
    );
    assert_eq!(
        first("\"We will not pay,\" said Okafor on Monday.").0,
        "Okafor"
    );
    assert_eq!(
        first("\"We will not pay,\" Okafor said Monday.").0,
        "Okafor"
    );
    assert_eq!(
        first("\"We will not pay,\" Hugh Hill, a doctor at the clinic, said.").0,
        "Hugh Hill"
    );
    assert_eq!(first("\"We will not pay,\" Hill told reporters.").0, "Hill");
    assert_eq!(first("\"We will not pay,\" according to Hill.").0, "Hill");
    assert_eq!(first("\"Why would we pay?\" asked Hill.").0, "Hill");
}

#[test]
fn speaker_before_the_quote() {
    assert_eq!(
        first("Mayor Okafor warned: \"We will not pay for this.\"").0,
        "Mayor Okafor"
    );
    assert_eq!(
        first("Okafor told reporters on Monday that \"we will not pay.\"").0,
        "Okafor"
    );
    assert_eq!(
        first("According to Okafor, \"we will not pay.\"").0,
        "Okafor"
    );
    assert_eq!(
        first("In a statement, Prime Minister Jane Doe said \"we will not pay.\"").0,
        "Prime Minister Jane Doe"
    );
    assert_eq!(
        first("Hugh Hill, a doctor, said: \"We will not pay.\"").0,
        "Hugh Hill"
    );
}

#[test]
fn pronouns_resolve_to_the_nearest_person() {
    let text = "Amara Okafor chaired the meeting.\n\n\"We will not pay for this,\" she said.";
    assert_eq!(first(text), ("she".into(), "Amara Okafor".into()));
    let text = "Mr Lindqvist and Ms Okafor spoke. \"We will not pay for this,\" she said.";
    assert_eq!(first(text).1, "Ms Okafor");
}

#[test]
fn re_quoted_quotes_go_to_the_inner_speaker() {
    assert_eq!(
        first("Smith said Jones told him \"the money is gone.\"").0,
        "Jones"
    );
}

#[test]
fn two_speakers_in_one_paragraph() {
    let text = "\"We will pay,\" said Smith. \"We will not,\" Jones replied.";
    let all = speakers(text);
    assert_eq!(all[0].as_ref().unwrap().0, "Smith");
    assert_eq!(all[1].as_ref().unwrap().0, "Jones");
}

#[test]
fn roles_resolve_through_aliases() {
    let text = "Russian President Vladimir Putin met the press.\n\n\"We will respond,\" the Russian leader said.";
    let a = Attributor::new(text, TextFormat::PlainText);
    let found = a.quotes().next().unwrap().1.unwrap().clone();
    assert_eq!(found.speaker, "the Russian leader");
    assert_eq!(found.name, "Russian President Vladimir Putin");
    assert_eq!(found.key, "putin");
}

#[test]
fn groups_and_outlets_are_not_people() {
    let text = "\"The plan is dead,\" officials said.";
    let a = Attributor::new(text, TextFormat::PlainText);
    assert_eq!(
        a.quotes().next().unwrap().1.unwrap().kind,
        SpeakerKind::Group
    );
    let text = "\"The plan is dead,\" according to Reuters.";
    let a = Attributor::new(text, TextFormat::PlainText);
    assert_eq!(
        a.quotes().next().unwrap().1.unwrap().kind,
        SpeakerKind::Outlet
    );
}

#[test]
fn blockquote_dash_lines_and_colon_introductions() {
    let text = "> We will not pay for this.\n>\n> — Amara Okafor, council leader\n";
    let a = Attributor::new(text, TextFormat::Markdown);
    assert_eq!(
        a.quotes().next().unwrap().1.unwrap().speaker,
        "Amara Okafor"
    );
    let text = "Okafor warned:\n\n\"We will not pay for this.\"\n";
    assert_eq!(first(text).0, "Okafor");
}

#[test]
fn multi_paragraph_quotes_closed_by_he_added() {
    let text = "Tom Lindqvist spoke first.\n\n\"We will not pay for this.\n\n\"Not now, not ever,\" he added.";
    assert_eq!(first(text), ("he".into(), "Tom Lindqvist".into()));
}

#[test]
fn passages_without_marks_take_the_sentence_cue() {
    let text = "Okafor said that the council will not pay for this.";
    let start = text.find("the council").unwrap();
    let a = Attributor::new(text, TextFormat::PlainText);
    assert_eq!(a.at(&(start..text.len() - 1)).unwrap().speaker, "Okafor");
}
